"""lazyaudit never runs the analysed code: on fixtures/never_import, whose every module leaves a marker and
exits when imported, only `profile` (a subprocess with a timeout, announced on stderr) leaves a marker."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from _robust import FIXTURES, fixture_python, lazyaudit

FIXTURE = FIXTURES / "never_import"
EXPECTED = json.loads((FIXTURE / "expected.json").read_text(encoding="utf-8"))
PYTHON = fixture_python()
pytestmark = [
    pytest.mark.venv,
    pytest.mark.skipif(PYTHON is None, reason="needs the fixture virtualenv (boto3, PyYAML): `make fixture-env`"),
]


@pytest.fixture
def markers(tmp_path: Path) -> Path:
    return tmp_path / "markers"


def _run(markers: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return lazyaudit(*args, python=PYTHON, env={"LAZYAUDIT_MARKER_DIR": str(markers)})


def _left(markers: Path) -> list[str]:
    return sorted(p.name for p in markers.iterdir()) if markers.exists() else []


def test_the_tripwires_are_armed(markers: Path) -> None:
    assert PYTHON is not None
    for module in ("tripwire.handler", "json"):
        done = subprocess.run([PYTHON, "-c", f"import {module}"], cwd=FIXTURE, capture_output=True, text=True,
                              env={**os.environ, "LAZYAUDIT_MARKER_DIR": str(markers)}, check=False, timeout=120)
        assert done.returncode == 3
    assert _left(markers) == ["json.imported", "tripwire.dynamic.imported"]  # the package's plugin trips first


def _command(spec: str, copy: Path) -> list[str]:
    words = spec.split()
    if words[0] in ("closure", "why"):
        return [words[0], words[1], str(copy), *words[2:]]
    extra = ["-o", str(copy.parent / "graph.dot")] if words[0] == "graph" else []
    return [words[0], str(copy), *words[1:], *extra]


@pytest.mark.parametrize("spec", EXPECTED["markers"]["never"])
def test_static_commands_never_import_the_project(spec: str, markers: Path, tmp_path: Path) -> None:
    copy = tmp_path / "never_import"
    shutil.copytree(FIXTURE, copy)
    done = _run(markers, *_command(spec, copy))
    assert done.returncode in (0, 1), done.stderr  # 3 would be a tripwire's sys.exit
    assert _left(markers) == []
    assert "executes" not in done.stderr


@pytest.mark.parametrize("command", ["audit", "deps", "fix"])
def test_python_m_from_inside_the_project_imports_nothing(command: str, markers: Path) -> None:
    """`python -m` puts the working folder first on sys.path: the project's json.py must not shadow the stdlib."""
    done = lazyaudit(command, ".", python=PYTHON, env={"LAZYAUDIT_MARKER_DIR": str(markers)}, cwd=FIXTURE)
    assert done.returncode in (0, 1), done.stderr
    assert _left(markers) == []


def _key(f: dict[str, Any]) -> tuple[str, str, int, str]:
    return f["code"], f["path"], f["line"], f["subject"]


def test_audit_finds_what_expected_json_lists(markers: Path) -> None:
    report = json.loads(_run(markers, "audit", str(FIXTURE), "--format", "json").stdout)
    complete = set(EXPECTED["complete_for"])
    assert {_key(f) for f in report["findings"] if f["code"] in complete} == {_key(f) for f in EXPECTED["findings"]}
    got = {(f["code"], f["path"], f["subject"]) for f in report["findings"]}
    assert [n for n in EXPECTED["not_findings"] if (n["code"], n["path"], n["subject"]) in got] == []
    entries = [{k: e[k] for k in ("module", "attr", "source", "name", "package_type")}
               for e in report["summary"]["entries"]]
    assert entries == EXPECTED["entries"]
    assert _left(markers) == []


def test_fix_write_rewrites_without_importing(markers: Path, tmp_path: Path) -> None:
    copy = tmp_path / "never_import"
    shutil.copytree(FIXTURE, copy)
    done = _run(markers, "fix", str(copy), "--write")
    assert done.returncode == 0, done.stdout + done.stderr
    handler = (copy / "tripwire" / "handler.py").read_text(encoding="utf-8")
    assert "def export(rows):\n    import boto3\n" in handler
    assert _left(markers) == []


def test_only_profile_runs_the_code_in_a_subprocess_with_a_timeout(markers: Path) -> None:
    spec = EXPECTED["markers"]["profile"]
    done = _run(markers, "profile", spec["module"], "--path", str(FIXTURE), "--runs", "1",
                "--timeout", str(spec["timeout"]))
    assert done.returncode == spec["exit_code"]
    for words in spec["stderr"]:
        assert words in done.stderr
    assert _left(markers) == [spec["marker"]]


def test_profile_reports_a_module_that_exits(markers: Path) -> None:
    done = _run(markers, "profile", "tripwire.settings", "--path", str(FIXTURE), "--runs", "1")
    assert done.returncode == 2 and "exit 3" in done.stderr  # lazyaudit itself survives the child's sys.exit
    assert _left(markers) == ["tripwire.dynamic.imported"]

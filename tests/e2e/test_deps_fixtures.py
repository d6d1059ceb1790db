"""`lazyaudit deps --format json` on the fixtures, compared with their expected.json (LA001-LA005, LA900 of requirement files)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
DEPS = {"LA001", "LA002", "LA003", "LA004", "LA005"}
REQUIREMENT_FILES = ("requirements", "pyproject.toml", "setup.cfg", "Pipfile")


from fixture_env import fixture_python as _fixture_python

PYTHON = _fixture_python()
pytestmark = [
    pytest.mark.venv,
    pytest.mark.skipif(PYTHON is None, reason="needs the fixture virtualenv: run `make fixture-env` or set "
                                              "LAZYAUDIT_FIXTURE_PYTHON to its interpreter"),
]


def _deps(fixture: str, *extra: str) -> dict[str, Any]:
    assert PYTHON is not None
    done = subprocess.run(
        [sys.executable, "-m", "lazyaudit", "deps", str(FIXTURES / fixture), "--python", PYTHON, "--format", "json",
         *extra],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


_CACHE: dict[str, dict[str, Any]] = {}


def deps(fixture: str) -> dict[str, Any]:
    if fixture not in _CACHE:
        _CACHE[fixture] = _deps(fixture)
    return _CACHE[fixture]


def _compared(code: str, path: str) -> bool:
    return code in DEPS or (code == "LA900" and path.startswith(REQUIREMENT_FILES))


def _expected(fixture: str) -> dict[str, Any]:
    return json.loads((FIXTURES / fixture / "expected.json").read_text(encoding="utf-8"))


FIXTURE_NAMES = ["lambda_backend", "src_library", "namespace_pkg", "broken_inputs"]


@pytest.mark.parametrize("fixture", FIXTURE_NAMES)
def test_findings_match_expected(fixture: str) -> None:
    expected = {(f["code"], f["path"], f["line"], f["subject"]) for f in _expected(fixture)["findings"]
                if _compared(f["code"], f["path"])}
    got = {(f["code"], f["path"], f["line"], f["subject"]) for f in deps(fixture)["findings"]
           if _compared(f["code"], f["path"])}
    assert got == expected


@pytest.mark.parametrize("fixture", FIXTURE_NAMES)
def test_not_findings_are_absent(fixture: str) -> None:
    got = {(f["code"], f["path"], f["subject"]) for f in deps(fixture)["findings"]}
    wrong = [n for n in _expected(fixture)["not_findings"] if (n["code"], n["path"], n["subject"]) in got]
    assert wrong == []


def test_json_carries_requirement_distribution_modules_and_location() -> None:
    by = {(f["code"], f["subject"]): f for f in deps("lambda_backend")["findings"]}
    jsonschema = by[("LA001", "jsonschema")]
    assert (jsonschema["requirement"], jsonschema["distribution"], jsonschema["modules"]) == (
        "jsonschema>=4.20", "jsonschema", ["jsonschema"])
    assert (jsonschema["path"], jsonschema["line"]) == ("requirements.txt", 9)
    uvicorn = by[("LA005", "uvicorn")]
    assert uvicorn["requirement"] == "uvicorn[standard]>=0.30"
    assert uvicorn["uses"] == ["Makefile:11 runs `uvicorn`"]
    pydantic = by[("LA004", "pydantic")]
    assert (pydantic["installed"], pydantic["specifier"]) == ("2.12.5", "==2.14.3")
    jsonpatch = by[("LA003", "jsonpatch")]
    assert jsonpatch["required_by"] == ["langchain-core"] and jsonpatch["requirement"] is None
    assert jsonpatch["modules"] == ["jsonpatch"]


def test_summary_says_what_was_scanned() -> None:
    summary = deps("lambda_backend")["summary"]
    assert summary["files"]["runtime"] > 0 and summary["files"]["dev"] == 2
    assert summary["requirements"]["sources"] == ["env-requirements.txt", "requirements-dev.txt", "requirements.txt"]
    assert summary["requirements"]["lock_files"] == ["env-requirements.txt"]
    assert summary["requirements"]["tool_files"] == ["Dockerfile", "Makefile"]


def test_only_requirement_rules_and_la900(tmp_path: Path) -> None:
    codes = {f["code"] for name in FIXTURE_NAMES for f in deps(name)["findings"]}
    assert codes <= DEPS | {"LA900"}


def test_inline_suppression_is_read(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "src_library"
    shutil.copytree(FIXTURES / "src_library", copy)
    remote = copy / "src" / "acme_lib" / "remote.py"
    lines = remote.read_text(encoding="utf-8").splitlines()
    assert lines[9].strip().startswith("import requests  #")
    lines[9] = lines[9].replace("  #", "  # lazyaudit: ignore[LA002] -", 1)
    remote.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert PYTHON is not None
    done = subprocess.run([sys.executable, "-m", "lazyaudit", "deps", str(copy), "--python", PYTHON, "--format", "json",
                           "--no-cache"], capture_output=True, text=True, cwd=ROOT, check=False)
    codes = {f["code"] for f in json.loads(done.stdout)["findings"]}
    assert codes == {"LA001", "LA005"}

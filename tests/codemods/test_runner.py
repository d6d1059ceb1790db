"""The fix command: requests from findings, safe writes (atomic, mode and encoding kept), diff/check/write."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from lazyaudit.codemods.result import FixRequest, SkipReason, Status
from lazyaudit.codemods.runner import FixPlan, fix_source, parse_target, write_plan
from lazyaudit.codemods.safety import ProjectFacts
from lazyaudit.errors import LazyauditError

ROOT = Path(__file__).resolve().parents[2]
SOURCE = b"import json\n\n\ndef dump(v):\n    return json.dumps(v)\n"
REQ = FixRequest("LA101", "handler.py", "handler", False, "json", 1)


def plan_for(path: Path) -> FixPlan:
    fix = fix_source(path.read_bytes(), [REQ], ProjectFacts(), path=str(path), rel=path.name)
    return FixPlan([fix])


def test_write_keeps_the_file_mode(tmp_path: Path) -> None:
    target = tmp_path / "handler.py"
    target.write_bytes(SOURCE)
    target.chmod(0o750)
    assert write_plan(plan_for(target)) == []
    assert stat.S_IMODE(target.stat().st_mode) == 0o750
    assert target.read_bytes() == b"def dump(v):\n    import json\n    return json.dumps(v)\n"


def test_write_keeps_the_encoding(tmp_path: Path) -> None:
    target = tmp_path / "handler.py"
    target.write_bytes(b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + SOURCE)
    write_plan(plan_for(target))
    data = target.read_bytes()
    assert b"caf\xe9" in data and b"    import json\n" in data


def test_a_file_changed_on_disk_is_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "handler.py"
    target.write_bytes(SOURCE)
    plan = plan_for(target)
    target.write_bytes(SOURCE + b"# edited meanwhile\n")
    problems = write_plan(plan)
    assert [p.reason for p in problems] == [SkipReason.CHANGED_ON_DISK]
    assert target.read_bytes().endswith(b"# edited meanwhile\n")


@pytest.mark.parametrize("data", [b"import json\ndef f(:\n", b"import json\n\x00\n", b"caf\xe9 = 1\n"])
def test_unparsable_files_are_never_touched(data: bytes) -> None:
    fix = fix_source(data, [REQ], ProjectFacts(), rel="handler.py")
    assert fix.after == data and not fix.changed
    assert [o.reason for o in fix.outcomes] == [SkipReason.UNPARSABLE]


def test_several_fixes_in_one_file_apply_in_order() -> None:
    source = b"from decimal import Decimal\nimport json\n\n\ndef f(x: Decimal):\n    return json.dumps(str(x))\n"
    reqs = [FixRequest("LA104", "h.py", "h", False, "decimal", 1), FixRequest("LA101", "h.py", "h", False, "json", 2)]
    fix = fix_source(source, reqs, ProjectFacts(), rel="h.py")
    assert [o.status for o in fix.outcomes] == [Status.APPLIED, Status.APPLIED]
    compile(fix.after, "h.py", "exec")
    assert b"    import json\n" in fix.after and b"if TYPE_CHECKING:\n    from decimal import Decimal\n" in fix.after


@pytest.mark.parametrize(("text", "want"), [("3.15", (3, 15)), ("py315", (3, 15)), ("3.11", (3, 11)), (None, (3, 12))])
def test_target_version(text: str | None, want: tuple[int, int]) -> None:
    assert parse_target(text, (3, 12, 1)) == want


@pytest.mark.parametrize("text", ["2.7", "three", "3.9"])
def test_bad_target_version(text: str) -> None:
    with pytest.raises(LazyauditError):
        parse_target(text, (3, 12))


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "lazyaudit", "fix", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300, check=False)


def test_cli_diff_check_write_check(tmp_path: Path) -> None:
    """libcst is heavy in lazyaudit's own environment: a module-level `import libcst` used only in a
    function is what LA101 reports, so the command runs without the fixture virtualenv."""
    project = tmp_path / "proj"
    project.mkdir()
    handler = project / "handler.py"
    handler.write_text("import libcst\n\n\ndef parse(text):\n    return libcst.parse_module(text)\n")
    before = handler.read_bytes()
    diff = _cli(str(project), "--entry", "handler", "--no-cache", cwd=tmp_path)
    assert diff.returncode == 0, diff.stderr
    assert "+    import libcst\n" in diff.stdout and "-import libcst\n" in diff.stdout
    assert diff.stdout.startswith("--- a/") and "lazyaudit fix:" not in diff.stdout  # the diff alone: git apply
    assert "handler: " in diff.stderr and "modules (-" in diff.stderr  # the predicted cold-start change
    assert handler.read_bytes() == before  # a dry run writes nothing
    assert _cli(str(project), "--entry", "handler", "--check", "--no-cache", cwd=tmp_path).returncode == 1
    wrote = _cli(str(project), "--entry", "handler", "--write", "--no-cache", cwd=tmp_path)
    assert wrote.returncode == 0, wrote.stderr
    assert handler.read_text() == "def parse(text):\n    import libcst\n    return libcst.parse_module(text)\n"
    again = _cli(str(project), "--entry", "handler", "--check", "--no-cache", cwd=tmp_path)
    assert again.returncode == 0, again.stdout
    assert "0 files would change" in again.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_cli_diff_output_applies_with_git_apply(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / "pkg").mkdir(parents=True)
    (project / "pkg" / "__init__.py").write_text("")
    (project / "pkg" / "handler.py").write_text("import libcst\n\n\ndef parse(text):\n    return libcst.parse_module(text)\n")
    diff = _cli(str(project), "--entry", "pkg.handler", "--no-cache", cwd=project)
    assert diff.returncode == 0 and diff.stdout, diff.stderr
    applied = subprocess.run(["git", "apply", "--verbose", "-"], input=diff.stdout, capture_output=True, text=True,
                             cwd=project, check=False)
    assert applied.returncode == 0, applied.stderr
    assert (project / "pkg" / "handler.py").read_text() == (
        "def parse(text):\n    import libcst\n    return libcst.parse_module(text)\n")


def test_cli_select_must_name_a_fixable_rule(tmp_path: Path) -> None:
    out = _cli(str(tmp_path), "--select", "LA001", cwd=tmp_path)
    assert out.returncode == 2
    assert "names no fixable rule" in out.stderr

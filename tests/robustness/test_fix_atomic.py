"""Nothing is lost in `fix --write`: a SIGKILL mid-run leaves every file old or new byte for byte, files
changed after analysis are not overwritten, symlinks are respected, and temp files are cleaned up."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _robust import HANG_GUARD_S, ROOT, heavy_tree, lazyaudit, write

from lazyaudit.analysis import load_project
from lazyaudit.codemods.result import SkipReason, Status
from lazyaudit.codemods.runner import plan_fixes, write_plan
from lazyaudit.fileio import TEMP_SUFFIX, stale_temp_files, write_bytes_atomic

TEMP_NAME = re.compile(r"^\..+\.[A-Za-z0-9_]+" + re.escape(TEMP_SUFFIX) + "$")  # .<name>.<random>.lazyaudit-tmp
USERS = 400


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes], dict[str, bytes], dict[str, str]]:
    """A large tree where LA101 fires once per app module, its files before, and after a complete fix."""
    base = tmp_path_factory.mktemp("atomic")
    env = {"LAZYAUDIT_CACHE_DIR": str(base / "cache")}
    original = base / "original"
    heavy_tree(original, users=USERS)
    done = lazyaudit("audit", str(original), "--select", "LA101", "--format", "json", env=env)
    assert len(json.loads(done.stdout)["findings"]) == USERS  # the premise: one rewrite per app module
    complete = base / "complete"
    shutil.copytree(original, complete, symlinks=True)
    assert lazyaudit("fix", str(complete), "--write", "--select", "LA101", env=env).returncode == 0
    old, new = _snapshot(original), _snapshot(complete)
    assert sum(old[k] != new[k] for k in old) == USERS and old.keys() == new.keys()
    return original, old, new, env


def _kill_mid_write(tree: Path, old: dict[str, bytes], env: dict[str, str]) -> None:
    """Start `fix --write`, wait until the first file it writes has changed, then SIGKILL it."""
    first = tree / min(k for k in old if k.startswith("app/mod"))  # files are written in sorted order
    argv = [sys.executable, "-m", "lazyaudit", "fix", str(tree), "--write", "--select", "LA101"]
    proc = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while proc.poll() is None and first.read_bytes() == old[first.relative_to(tree).as_posix()]:
            time.sleep(0.001)  # each file's write (with its fsync) takes about that long
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=HANG_GUARD_S)


def test_sigkill_mid_write_leaves_each_file_old_or_new(trees, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    original, old, new, env = trees
    for attempt in range(3):  # a run that finished before the kill proves nothing about a kill: try again
        tree = tmp_path / f"run{attempt}"
        shutil.copytree(original, tree, symlinks=True)
        _kill_mid_write(tree, old, env)
        now = {p.relative_to(tree).as_posix(): p.read_bytes() for p in tree.rglob("*") if p.is_file()}
        written = sum(now[k] == new[k] != old[k] for k in old)
        if written < USERS:
            break
    assert 0 < written < USERS, "never killed mid-run"
    mixed = [k for k in old if now[k] not in (old[k], new[k])]
    assert mixed == []  # no partial or empty file
    leftovers = sorted(set(now) - set(old))
    assert all(TEMP_NAME.match(Path(k).name) for k in leftovers), leftovers  # only the documented pattern
    # the leftovers are ignored by the analysis, and the remaining findings are exactly the old files
    done = lazyaudit("audit", str(tree), "--select", "LA101,LA900", "--format", "json", env=env)
    assert {f["path"] for f in json.loads(done.stdout)["findings"]} == {k for k in old if now[k] != new[k]}
    # running fix again finishes the job and removes the temp files
    assert lazyaudit("fix", str(tree), "--write", "--select", "LA101", env=env).returncode == 0
    assert _snapshot(tree) == new


def test_a_file_edited_after_planning_is_not_overwritten(tmp_path: Path) -> None:
    heavy_tree(tmp_path, users=3)
    project = load_project(tmp_path, cache=False)
    plan = plan_fixes(project, ["LA101"])
    assert len(plan.changed) == 3
    edited, deleted, kept = (tmp_path / f"app/mod{i}.py" for i in range(3))
    edited.write_bytes(edited.read_bytes() + b"# the user's edit\n")
    user_bytes = edited.read_bytes()
    deleted.unlink()
    problems = write_plan(plan)
    assert edited.read_bytes() == user_bytes  # not overwritten
    assert not deleted.exists()  # not recreated
    assert b"def run2():\n    import heavy\n" in kept.read_bytes()  # the others are written
    by_path = {p.path: p for p in problems}
    assert by_path["app/mod0.py"].reason is SkipReason.CHANGED_ON_DISK
    assert by_path["app/mod1.py"].status is Status.FAILED and "cannot read" in by_path["app/mod1.py"].message


def test_a_file_edited_after_analysis_is_not_rewritten(tmp_path: Path) -> None:
    heavy_tree(tmp_path, users=2)
    project = load_project(tmp_path, cache=False)
    edited = tmp_path / "app" / "mod0.py"
    edited.write_bytes(b"# moved the import up\n" + edited.read_bytes())
    plan = plan_fixes(project, ["LA101"])  # the findings point at lines of the old bytes
    outcomes = {o.path: o for o in plan.all_outcomes()}
    assert outcomes["app/mod0.py"].reason is SkipReason.CHANGED_ON_DISK
    assert [f.rel for f in plan.changed] == ["app/mod1.py"]


def test_symlinks_are_written_through_inside_the_project_and_never_outside(tmp_path: Path) -> None:
    root, outside = tmp_path / "project", tmp_path / "outside"
    heavy_tree(root, users=1)
    body = (root / "app" / "mod0.py").read_bytes()
    write(root, "shared/real.py", body)
    write(outside, "foreign.py", body)
    os.symlink("../shared/real.py", root / "app" / "inside.py")
    os.symlink(str(outside / "foreign.py"), root / "app" / "out.py")
    done = lazyaudit("fix", str(root), "--write", "--select", "LA101")
    assert "app/out.py is a symlink to a file outside the project: not written" in done.stdout
    assert os.readlink(root / "app" / "inside.py") == "../shared/real.py"  # still a link
    assert os.readlink(root / "app" / "out.py") == str(outside / "foreign.py")
    assert (outside / "foreign.py").read_bytes() == body  # outside the project: untouched
    assert b"    import heavy\n" in (root / "shared" / "real.py").read_bytes()  # rewritten once, through the link


def test_atomic_write_keeps_the_mode_and_cleans_stale_temp_files(tmp_path: Path) -> None:
    target = write(tmp_path, "script.py", "old\n")
    target.chmod(0o755)
    stale = write(tmp_path, f".script.py.ab12cd_x{TEMP_SUFFIX}", "partial")
    other = write(tmp_path, f".other.py.ab12cd_x{TEMP_SUFFIX}", "partial")
    assert stale_temp_files(target) == [stale]
    write_bytes_atomic(target, b"new\n")
    assert target.read_bytes() == b"new\n" and target.stat().st_mode & 0o777 == 0o755
    assert not stale.exists() and other.exists()  # only this file's leftovers


def test_a_failed_atomic_write_leaves_the_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = write(tmp_path, "mod.py", "old\n")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        write_bytes_atomic(target, b"new\n")
    assert target.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mod.py"]

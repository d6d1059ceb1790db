"""fixtures/broken_inputs through every command: each LA900 of expected.json with its reason and line (the
dangling symlink included), exit code 1 for the reports, the rest still analysed, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from _robust import FIXTURES, lazyaudit

EXPECTED = json.loads((FIXTURES / "broken_inputs" / "expected.json").read_text(encoding="utf-8"))
WANTED = [f for f in EXPECTED["findings"] + EXPECTED["test_created"] if f["code"] == "LA900"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("broken") / "broken_inputs"
    shutil.copytree(FIXTURES / "broken_inputs", copy, symlinks=True)
    os.symlink("does_not_exist.py", copy / "dangling.py")
    return copy


@pytest.mark.parametrize("command", ["audit", "deps"])
def test_each_broken_input_is_one_la900_with_reason_and_line(command: str, project: Path) -> None:
    done = lazyaudit(command, str(project), "--format", "json")
    assert done.returncode == 1
    got = {(f["path"], f["line"]): f["message"].lower() for f in json.loads(done.stdout)["findings"]
           if f["code"] == "LA900"}
    assert set(got) == {(f["path"], f["line"]) for f in WANTED}
    assert [f["path"] for f in WANTED if f["reason"] not in got[(f["path"], f["line"])]] == []


def test_the_valid_odd_files_are_analysed(project: Path) -> None:
    report = json.loads(lazyaudit("audit", str(project), "--format", "json").stdout)
    bad = {f["path"] for f in report["findings"] if f["code"] == "LA900"}
    assert not bad & {"shift_jis_cookie.py", "bom_utf8.py", "crlf.py", "good.py"}
    assert report["summary"]["files"]["unparsable"] == 5  # four broken files and the dangling symlink


@pytest.mark.parametrize("args", [
    ["closure", "good"], ["why", "yaml", "--entry", "good"], ["graph", "-o", "{tmp}/g.dot"],
    ["fix", "--diff"], ["fix", "--check"], ["audit", "--format", "text"], ["audit", "--format", "sarif"],
])
def test_every_command_runs_on_it(args: list[str], project: Path, tmp_path: Path) -> None:
    head, rest = (args[:2], args[2:]) if args[0] in ("closure", "why") else (args[:1], args[1:])
    done = lazyaudit(*head, str(project), *(a.replace("{tmp}", str(tmp_path)) for a in rest))
    assert done.returncode in (0, 1), done.stderr
    if args[:2] == ["audit", "--format"] and args[2] == "text":
        assert done.returncode == 1 and "cannot analyse dangling.py" in done.stdout
    if args[0] == "fix":  # the unparsable files are never touched, and fix says nothing about them
        assert "syntax_error.py" not in done.stdout


def test_fix_write_leaves_every_broken_file_byte_for_byte(project: Path, tmp_path: Path) -> None:
    copy = tmp_path / "broken_inputs"
    shutil.copytree(project, copy, symlinks=True)
    before = {p.name: p.read_bytes() for p in copy.iterdir() if p.is_file()}
    lazyaudit("fix", str(copy), "--write")
    after = {p.name: p.read_bytes() for p in copy.iterdir() if p.is_file()}
    broken = {f["path"] for f in WANTED} & set(before)
    assert {n: after[n] for n in broken} == {n: before[n] for n in broken}
    assert os.path.islink(copy / "dangling.py")

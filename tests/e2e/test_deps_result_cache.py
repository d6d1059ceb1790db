"""`lazyaudit deps` re-run on an unchanged project prints the stored report; any changed input re-runs it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from lazyaudit import cli, commands

_PAST = 1_600_000_000  # inputs written long ago: their timestamps can be trusted


def _age(root: Path, when: int = _PAST) -> None:
    for path in [root, *root.rglob("*")]:
        os.utime(path, (when, when))


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "1"\ndependencies = ["packaging"]\n'
        "[tool.lazyaudit]\nentries = [\"app.main\"]\n"
    )
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "main.py").write_text("import packaging.version\n")
    _age(root)
    monkeypatch.setenv("LAZYAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    return root


class _Runs:
    """Counts the runs that really analysed the project."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = commands._load

        def counting(*args: object, **kwargs: object) -> object:
            self.count += 1
            return real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(commands, "_load", counting)


def _deps(project: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = cli.main(["deps", str(project), "--python", sys.executable, *extra])
    return code, capsys.readouterr().out


def _codes(out: str) -> list[tuple[str, str]]:
    return sorted((f["code"], f["subject"]) for f in json.loads(out)["findings"])


def test_an_unchanged_project_is_answered_from_the_cache(project, capsys, monkeypatch):
    runs = _Runs(monkeypatch)
    first = _deps(project, capsys, "--format", "json")
    second = _deps(project, capsys, "--format", "json")
    assert second == first and runs.count == 1
    text = _deps(project, capsys)  # another format is another entry
    assert runs.count == 2 and text[1] != first[1]


def test_an_edited_source_file_is_analysed_again(project, capsys, monkeypatch):
    runs = _Runs(monkeypatch)
    _, before = _deps(project, capsys, "--format", "json")
    main = project / "app" / "main.py"
    main.write_text("import packaging.version\nimport yaml\n")
    os.utime(main, (_PAST + 10, _PAST + 10))
    _, after = _deps(project, capsys, "--format", "json")
    assert runs.count == 2
    assert ("LA002", "pyyaml") not in _codes(before) and ("LA002", "pyyaml") in _codes(after)


def test_a_new_file_is_analysed(project, capsys, monkeypatch):
    runs = _Runs(monkeypatch)
    _, before = _deps(project, capsys, "--format", "json")
    (project / "app" / "extra.py").write_text("import yaml\n")
    _age(project, _PAST + 20)
    _, after = _deps(project, capsys, "--format", "json")
    assert runs.count == 2 and ("LA002", "pyyaml") in _codes(after) and before != after


def test_a_requirement_file_edited_in_place_is_noticed(project, capsys, monkeypatch):
    # Folder timestamps do not move when a file is rewritten in place: the opened file's own stamp must.
    (project / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "1"\n'
                                            '[tool.lazyaudit]\nentries = ["app.main"]\n')
    requirements = project / "requirements.txt"  # now the only list of requirements
    requirements.write_text("packaging\n")
    _age(project)
    runs = _Runs(monkeypatch)
    _, before = _deps(project, capsys, "--format", "json")
    requirements.write_text("packaging\nsurely-not-installed-dist\n")
    os.utime(requirements, (_PAST + 30, _PAST + 30))
    _, after = _deps(project, capsys, "--format", "json")
    assert runs.count == 2
    assert "surely-not-installed-dist" not in before and "surely-not-installed-dist" in after


def test_no_cache_stores_nothing(project, capsys, tmp_path):
    _deps(project, capsys, "--no-cache")
    assert not (tmp_path / "cache" / "result-1").exists()


def test_inputs_that_just_changed_are_not_trusted(project, capsys, monkeypatch, tmp_path):
    os.utime(project / "app" / "main.py")  # now
    runs = _Runs(monkeypatch)
    _deps(project, capsys)
    _deps(project, capsys)
    assert runs.count == 2 and not list((tmp_path / "cache").glob("result-1/*.json"))


def test_a_corrupt_entry_is_ignored(project, capsys, monkeypatch, tmp_path):
    first = _deps(project, capsys, "--format", "json")
    for entry in (tmp_path / "cache").glob("result-1/*.json"):
        entry.write_text("{not json")
    runs = _Runs(monkeypatch)
    assert _deps(project, capsys, "--format", "json") == first and runs.count == 1

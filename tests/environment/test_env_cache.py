"""The environment probe's cache: reused while nothing changed, re-run when the environment did."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lazyaudit import environment
from lazyaudit.env_cache import EnvironmentCache, cache_key
from lazyaudit.environment import load_environment

_PAST = 1_600_000_000  # 2020: far from "still settling"


def _age(*paths: Path) -> None:
    for path in paths:
        os.utime(path, (_PAST, _PAST))


@pytest.fixture()
def venv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A real, empty virtualenv with old timestamps, and a private cache folder."""
    home = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(home)], check=True)
    site = next(home.glob("lib/python*/site-packages"))
    _age(site, home / "pyvenv.cfg")
    monkeypatch.setenv("LAZYAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PYTHONPATH", raising=False)
    return home / "bin" / "python", site


def _no_probe(*args: object, **kwargs: object) -> object:
    raise AssertionError("the interpreter was started although the cache should answer")


def _add_distribution(site: Path, name: str) -> None:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "RECORD").write_text(f"{name}.py,,\n{name}-1.0.dist-info/METADATA,,\n")
    (site / f"{name}.py").write_text("")


def test_second_load_is_answered_from_the_cache(venv, monkeypatch):
    python, _ = venv
    first = load_environment(str(python))
    monkeypatch.setattr(environment, "_start", _no_probe)
    assert load_environment(str(python)) == first


def test_installing_a_distribution_invalidates_the_entry(venv):
    python, site = venv
    assert "tinydist" not in {d.name for d in load_environment(str(python)).distributions}
    _add_distribution(site, "tinydist")
    os.utime(site, (_PAST + 60, _PAST + 60))  # any other mtime than the entry saw; an old one is not racy
    assert "tinydist" in {d.name for d in load_environment(str(python)).distributions}


def test_pythonpath_is_part_of_the_key(venv, monkeypatch, tmp_path):
    python, _ = venv
    extra = tmp_path / "extra"
    extra.mkdir()
    _age(extra)
    load_environment(str(python))
    monkeypatch.setenv("PYTHONPATH", str(extra))
    assert str(extra) in load_environment(str(python)).sys_path


def test_a_corrupt_entry_means_a_new_probe(venv, tmp_path):
    python, _ = venv
    first = load_environment(str(python))
    for entry in (tmp_path / "cache").rglob("*.json"):
        entry.write_bytes(b"\x00not json")
    assert load_environment(str(python)) == first


def test_cache_false_neither_reads_nor_writes(venv, tmp_path, monkeypatch):
    python, _ = venv
    load_environment(str(python), cache=False)
    assert not list((tmp_path / "cache").rglob("*.json"))
    load_environment(str(python))
    calls: list[object] = []
    real_start = environment._start
    monkeypatch.setattr(environment, "_start", lambda *a: calls.append(a) or real_start(*a))
    load_environment(str(python), cache=False)
    assert len(calls) == 1


def test_a_folder_that_just_changed_is_not_trusted(venv, tmp_path):
    python, site = venv
    os.utime(site)  # now: may change again within the timestamp's resolution
    load_environment(str(python))
    assert not list((tmp_path / "cache").rglob("*.json"))


def test_the_key_follows_the_interpreter_file(tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\n")
    before = cache_key(str(fake), environment.INTROSPECT_SCRIPT)
    fake.write_text("#!/bin/sh\necho changed\n")
    assert cache_key(str(fake), environment.INTROSPECT_SCRIPT) != before


def test_an_unwritable_cache_is_ignored(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    cache = EnvironmentCache(str(blocker))  # its "directory" is a file: nothing can be written
    cache.store("k", "{}", {"sys_path": []})
    assert cache.load("k") is None

"""Installed modules' resolved edges kept between runs: same answers warm as cold, and no stale ones."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from test_closure import site_environment

from lazyaudit.closure import ImportResolver
from lazyaudit.modindex import ModuleIndex
from lazyaudit.parsing.cache import ScanCache
from lazyaudit.sources import SourceFile

_PAST = 1_600_000_000
FILES = {
    "shop/__init__.py": "from . import models\nfrom .api import client\n",
    "shop/models.py": "import dataclasses\ntry:\n    import orjson as json\nexcept ImportError:\n    import json\n",
    "shop/api/__init__.py": "",
    "shop/api/client.py": "import http.client\n\ndef fetch():\n    import sqlite3\n",
}


def _write(site: Path, files: dict[str, str]) -> None:
    for rel, source in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    for path in [site, *site.rglob("*")]:
        os.utime(path, (_PAST, _PAST))


def _resolver(site: Path, cache: Path, first_party: tuple[str, ...] = ()) -> ImportResolver:
    env = site_environment(site)
    fp = {name: SourceFile(str(site.parent / f"{name}.py"), f"{name}.py", name, False, "", False) for name in first_party}
    return ImportResolver(ModuleIndex(env, fp, {}, cache=ScanCache(str(cache)), jobs=1))


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    _write(tmp_path / "site", FILES)
    return tmp_path / "site"


def _no_parse(*args: object, **kwargs: object) -> object:
    raise AssertionError("a stored module was parsed again")


def test_a_warm_resolver_answers_from_the_store_without_parsing(site, tmp_path, monkeypatch):
    cold = _resolver(site, tmp_path / "cache")
    before = cold.closure(["shop"])
    cold.save()
    warm = _resolver(site, tmp_path / "cache")
    monkeypatch.setattr(ModuleIndex, "_with_parsed", _no_parse)
    after = warm.closure(["shop"])
    assert after == before
    assert {"shop.models", "shop.api.client", "http.client", "json"} <= set(after)
    assert "sqlite3" not in after  # a function-level import, remembered as not run


def test_an_edited_installed_file_discards_the_store(site, tmp_path):
    cold = _resolver(site, tmp_path / "cache")
    assert "csv" not in cold.closure(["shop"])
    cold.save()
    client = site / "shop" / "api" / "client.py"
    client.write_text("import http.client\nimport csv\n")
    os.utime(client, (_PAST + 10, _PAST + 10))
    assert "csv" in _resolver(site, tmp_path / "cache").closure(["shop"])


def test_first_party_names_make_another_store(site, tmp_path, monkeypatch):
    cold = _resolver(site, tmp_path / "cache")
    cold.closure(["shop"])
    cold.save()
    shadowed = _resolver(site, tmp_path / "cache", first_party=("json",))
    calls: list[object] = []
    real = ModuleIndex._with_parsed
    monkeypatch.setattr(ModuleIndex, "_with_parsed", lambda self, infos: calls.append(infos) or real(self, infos))
    shadowed.closure(["shop"])
    assert calls  # nothing was reused: a project module named json changes what `import json` is


def test_files_still_settling_are_not_trusted(tmp_path):
    site = tmp_path / "site"
    _write(site, FILES)
    os.utime(site / "shop" / "models.py")  # just now
    cold = _resolver(site, tmp_path / "cache")
    cold.closure(["shop"])
    cold.save()
    assert not list((tmp_path / "cache").glob("edges-*/*"))


def test_a_corrupt_store_is_ignored(site, tmp_path):
    cold = _resolver(site, tmp_path / "cache")
    before = cold.closure(["shop"])
    cold.save()
    stores = list((tmp_path / "cache").glob("edges-*/*"))
    assert stores
    for store in stores:
        store.write_bytes(b"\x00garbage")
    assert _resolver(site, tmp_path / "cache").closure(["shop"]) == before


def test_no_parse_cache_means_no_store(site, tmp_path):
    resolver = ImportResolver(ModuleIndex(_resolver(site, tmp_path / "c").index.env, {}, {}, cache=None, jobs=1))
    resolver.closure(["shop"])
    resolver.save()
    assert not list(tmp_path.glob("**/edges-*"))

"""ScanCache: hits, misses, invalidation by stat and content, corrupt or unwritable caches, atomic writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lazyaudit.parsing import ScanCache, scan_many
from lazyaudit.parsing.cache import default_directory, format_tag

DAY_NS = 86_400 * 10**9


@pytest.fixture
def package(tmp_path: Path) -> list[tuple[str, str, bool]]:
    """A package with old timestamps (so that stat alone is trusted), as scan_many items."""
    root = tmp_path / "site" / "pkg"
    root.mkdir(parents=True)
    files = {"__init__.py": "from . import a\n", "a.py": "import json\n", "b.py": "import os\n"}
    items = []
    for name, text in files.items():
        path = root / name
        path.write_text(text)
        old = path.stat().st_mtime_ns - DAY_NS
        os.utime(path, ns=(old, old))
        module = "pkg" if name == "__init__.py" else f"pkg.{name[:-3]}"
        items.append((str(path), module, name == "__init__.py"))
    return items


def fresh(directory: Path) -> ScanCache:
    return ScanCache(str(directory))


def test_second_run_is_all_hits(tmp_path, package):
    first = fresh(tmp_path / "c")
    cold = scan_many(package, cache=first)
    assert (first.hits, first.misses) == (0, 3)
    second = fresh(tmp_path / "c")
    assert scan_many(package, cache=second) == cold
    assert (second.hits, second.misses) == (0 + 3, 0)


def test_one_file_per_package_tree(tmp_path, package):
    scan_many(package, cache=fresh(tmp_path / "c"))
    assert len(os.listdir(tmp_path / "c" / f"parse-{format_tag()}")) == 1


def test_new_mtime_same_bytes_is_a_hit_by_hash(tmp_path, package):
    scan_many(package, cache=fresh(tmp_path / "c"))
    path = package[1][0]
    os.utime(path, ns=(os.stat(path).st_mtime_ns + 10**9,) * 2)
    cache = fresh(tmp_path / "c")
    scan_many(package, cache=cache)
    assert (cache.hits, cache.misses) == (3, 0)


def test_changed_content_same_size_is_a_miss(tmp_path, package):
    scan_many(package, cache=fresh(tmp_path / "c"))
    path = Path(package[1][0])
    path.write_text("import ftp\n")  # same length as "import json\n"
    cache = fresh(tmp_path / "c")
    result = scan_many(package, cache=cache)
    assert (cache.hits, cache.misses) == (2, 1)
    assert [r.target for r in result[str(path)].imports] == ["ftp"]


def test_racy_entry_is_rehashed_even_with_the_same_stat(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("import json\n")  # written just now: its timestamp cannot be trusted yet
    stat = path.stat()
    scan_many([(str(path), "m", False)], cache=fresh(tmp_path / "c"))
    path.write_text("import ftp\n")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    result = scan_many([(str(path), "m", False)], cache=fresh(tmp_path / "c"))
    assert [r.target for r in result[str(path)].imports] == ["ftp"]


def test_size_change_is_a_miss(tmp_path, package):
    scan_many(package, cache=fresh(tmp_path / "c"))
    Path(package[2][0]).write_text("import os, sys\n")
    cache = fresh(tmp_path / "c")
    scan_many(package, cache=cache)
    assert cache.misses == 1


def test_key_includes_mode_and_name(tmp_path, package):
    scan_many(package, cache=fresh(tmp_path / "c"))
    cache = fresh(tmp_path / "c")
    scan_many(package, cache=cache, full=True)
    scan_many([(package[1][0], "other.a", False)], cache=cache)
    assert (cache.hits, cache.misses) == (0, 4)


def test_corrupt_cache_file_is_ignored_and_rewritten(tmp_path, package):
    scan_many(package, cache=fresh(tmp_path / "c"))
    directory = tmp_path / "c" / f"parse-{format_tag()}"
    for name in os.listdir(directory):
        (directory / name).write_bytes(b"\x00garbage\xff" * 10)
    cache = fresh(tmp_path / "c")
    assert scan_many(package, cache=cache) == scan_many(package)
    assert cache.misses == 3
    again = fresh(tmp_path / "c")
    scan_many(package, cache=again)
    assert again.hits == 3


def test_unwritable_cache_directory_is_silent(tmp_path, package):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = ScanCache(str(blocker / "cache"))
    assert scan_many(package, cache=cache) == scan_many(package)
    assert not (blocker / "cache").exists()


def test_disabled_cache_stores_nothing(tmp_path, package, monkeypatch):
    monkeypatch.setenv("LAZYAUDIT_CACHE_DIR", str(tmp_path / "c"))
    cache = ScanCache.disabled()
    scan_many(package, cache=cache)
    scan_many(package, cache=cache)
    assert (cache.hits, cache.misses, (tmp_path / "c").exists()) == (0, 0, False)


def test_writes_leave_no_temporary_files(tmp_path, package):
    scan_many(package, cache=fresh(tmp_path / "c"))
    names = os.listdir(tmp_path / "c" / f"parse-{format_tag()}")
    assert not [n for n in names if n.startswith(".tmp-")]


def test_concurrent_writers_keep_each_others_entries(tmp_path, package):
    one, two = fresh(tmp_path / "c"), fresh(tmp_path / "c")
    scan_many(package[:1], cache=one)
    scan_many(package[1:], cache=two)  # loaded before `one` wrote, flushed after
    third = fresh(tmp_path / "c")
    scan_many(package, cache=third)
    assert (third.hits, third.misses) == (3, 0)


def test_entries_of_deleted_files_are_dropped(tmp_path, package):
    scan_many(package, cache=fresh(tmp_path / "c"))
    os.unlink(package[2][0])
    Path(package[1][0]).write_text("import csv\n")  # a rewrite of the shard prunes vanished files
    scan_many(package[:2], cache=fresh(tmp_path / "c"))
    Path(package[2][0]).write_text("import os\n")
    later = fresh(tmp_path / "c")
    scan_many(package, cache=later)
    assert (later.hits, later.misses) == (2, 1)


def test_default_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("LAZYAUDIT_CACHE_DIR", str(tmp_path / "explicit"))
    assert default_directory() == str(tmp_path / "explicit")
    monkeypatch.delenv("LAZYAUDIT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_directory() == str(tmp_path / "xdg" / "lazyaudit")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_directory() == str(tmp_path / "home" / ".cache" / "lazyaudit")


def test_cache_format_names_parser_and_python_version():
    import sys

    from lazyaudit.parsing import PARSER_VERSION

    assert format_tag().startswith(f"v{PARSER_VERSION}-")
    assert format_tag().endswith(f"{sys.version_info[0]}{sys.version_info[1]}")


def test_errors_are_cached_but_unreadable_files_are_not(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_bytes(b"def f(:\n")
    items = [(str(bad), "bad", False), (str(tmp_path / "gone.py"), "gone", False)]
    scan_many(items, cache=fresh(tmp_path / "c"))
    cache = fresh(tmp_path / "c")
    result = scan_many(items, cache=cache)
    assert (cache.hits, cache.misses) == (1, 1)
    assert result[str(tmp_path / "gone.py")].error.startswith("cannot read")

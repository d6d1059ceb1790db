"""Resolved import edges of installed modules, kept between runs (the warm path of every closure).

Resolving one module's imports (which statements run at import, which `from X import y` load a
submodule, what a failing import leaves behind, which functions module-level code calls) reads
the parse results of that module and of the modules it names. For installed code the answer is
the same from run to run as long as:

- the environment is the same (interpreter, sys.path, every distribution's name, version and
  location: an install, upgrade or removal changes them), and so is lazyaudit's code;
- the project's first-party top-level names are the same (they shadow installed modules);
- no file the resolution read has changed: every installed source the parse cache was asked
  about and every file read for a hint (a PEP 562 hook, a Cython ABI tag) is stored with its
  size and mtime, and one change anywhere discards the whole store.

First-party modules are never stored (they are what users edit), nor an installed module with an
edge into first-party code, nor one whose resolution met an import cycle (its answer depends on
where the walk started). A module file added by hand inside an installed package, without
reinstalling it, is not noticed. Never raises: an unreadable or corrupt store behaves as empty.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
from collections.abc import Callable, Iterable
from typing import Any

from lazyaudit.cache_dir import RACY_NS, stamp_of, write_entry

FORMAT = 1
Row = tuple[str, str, str, int, bool, str, str]  # Edge fields in order


def store_key(environment: Any, first_party_tops: Iterable[str], code: str) -> str:
    """Which store applies: the environment's identity, the first-party names, lazyaudit's code."""
    dists = [(d.name, d.version, d.location) for d in environment.distributions]
    parts = [FORMAT, code, environment.executable, list(environment.version_info), list(environment.sys_path),
             sorted(environment.markers.items()), dists, sorted(environment.editable_top_level.items()),
             sorted(first_party_tops)]
    return hashlib.sha1(json.dumps(parts, default=str).encode("utf-8", "surrogateescape")).hexdigest()[:24]


class EdgeStore:
    """module name -> its resolved edges as rows; loaded whole, validated whole, written whole."""

    def __init__(self, directory: str, key: str) -> None:
        self.file = os.path.join(directory, f"edges-{FORMAT}", f"{key}.marshal")
        self.rows: dict[str, tuple[Row, ...]] = {}
        self._deps: dict[str, tuple[int, int] | None] = {}
        self._new: dict[str, tuple[Row, ...]] = {}
        self._load()

    def _load(self) -> None:
        try:
            with open(self.file, "rb") as handle:
                header, deps, rows = marshal.loads(handle.read())
            if header != FORMAT or not isinstance(deps, dict) or not isinstance(rows, dict):
                return
            for path, stamp in deps.items():
                if stamp_of(path) != stamp:
                    return  # something the answers were made from has changed: start again
        except (OSError, EOFError, ValueError, TypeError):
            return
        self.rows, self._deps = rows, deps

    def get(self, name: str) -> tuple[Row, ...] | None:
        return self.rows.get(name)

    def put(self, name: str, rows: tuple[Row, ...]) -> None:
        self.rows[name] = self._new[name] = rows

    def save(self, read: Iterable[str], started_ns: int) -> None:
        """Write the store if this run added answers; `read` are the files those answers were made from,
        all of them read after `started_ns`."""
        if not self._new:
            return
        deps = dict(self._deps)
        for path in read:
            if path not in deps:
                stamp = deps[path] = stamp_of(path)
                if stamp is not None and stamp[1] >= started_ns - RACY_NS:
                    # changed during the run (read in which version?) or just before it (its timestamp
                    # may not move when it changes again): answers made from it are not kept
                    return
        write_entry(self.file, marshal.dumps((FORMAT, deps, self.rows)))
        self._deps = deps
        self._new = {}


def rows_of(edges: Iterable[Any]) -> tuple[Row, ...]:
    return tuple((e.source, e.target, e.kind, e.line, e.executed, e.via, e.path) for e in edges)


def eligible(category: str, rows: tuple[Row, ...], is_first_party: Callable[[str], bool]) -> bool:
    """Installed modules whose edges stay inside installed code."""
    return category in ("third_party", "stdlib") and not any(is_first_party(row[1]) for row in rows)

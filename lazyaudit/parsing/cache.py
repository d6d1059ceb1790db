"""Persistent cache of ParsedModules: one marshal file per installed package tree, keyed by file identity."""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import sys
import time
from dataclasses import fields
from enum import Enum
from stat import S_ISREG
from typing import Any

from lazyaudit.cache_dir import default_directory
from lazyaudit.model import Call, ImportKind, ImportRecord, NameUse, ParsedModule, UseContext
from lazyaudit.parsing.common import PARSER_VERSION

# (size, mtime_ns, blake2b digest of the bytes); mtime_ns is -1 when it cannot be trusted.
Identity = tuple[int, int, bytes]
# Same-size rewrites within one timestamp tick are invisible to stat (git's "racy" files): entries
# younger than this are re-hashed on their next lookup instead of trusted.
_RACY_NS = 3_000_000_000


class _Codec:
    """Dataclass <-> tuple of plain values, positional in field order, so marshal can store it."""

    def __init__(self, cls: type, enums: dict[str, type[Enum]]) -> None:
        self.cls = cls
        self.names = [f.name for f in fields(cls)]
        self.enums = [(i, {e.value: e for e in enums[n]}) for i, n in enumerate(self.names) if n in enums]

    def encode(self, obj: Any) -> tuple[Any, ...]:
        row = [getattr(obj, n) for n in self.names]
        for index, _ in self.enums:
            row[index] = row[index].value
        return tuple(row)

    def decode(self, row: tuple[Any, ...]) -> Any:
        if self.enums:
            items = list(row)
            for index, table in self.enums:
                items[index] = table[items[index]]
            return self.cls(*items)
        return self.cls(*row)


_IMPORT = _Codec(ImportRecord, {"kind": ImportKind})
_CALL = _Codec(Call, {})
_USE = _Codec(NameUse, {"context": UseContext})
_MODULE_FIELDS = [f.name for f in fields(ParsedModule)]
_NESTED = {"imports": _IMPORT, "calls": _CALL, "uses": _USE}
# The layout follows the model, so a model change must never read an old file.
_LAYOUT = hashlib.sha1(repr([(c.cls.__name__, c.names) for c in (_IMPORT, _CALL, _USE)] + _MODULE_FIELDS
                            + [[e.value for e in ImportKind], [e.value for e in UseContext]]).encode()).hexdigest()[:10]


def _parser_code_digest() -> str:
    """A hash of the parsers' own source: any change to them invalidates the cache, bump or not."""
    here = os.path.dirname(os.path.abspath(__file__))
    h = hashlib.sha1()
    for name in sorted(os.listdir(here)):
        if name.endswith(".py"):
            try:
                with open(os.path.join(here, name), "rb") as handle:
                    h.update(name.encode() + b"\0" + handle.read())
            except OSError:  # an installed copy without sources: the version and layout still key it
                pass
    return h.hexdigest()[:8]


@functools.cache
def format_tag() -> str:
    """What the cache's files are keyed by: parser version, record layout, parser code, interpreter.

    Computed on first use, not at import: hashing the parsers' source reads a dozen files."""
    return (f"v{PARSER_VERSION}-{_LAYOUT}-{_parser_code_digest()}-"
            f"{sys.implementation.name}{sys.version_info[0]}{sys.version_info[1]}")


def encode(module: ParsedModule) -> tuple[Any, ...]:
    row = []
    for name in _MODULE_FIELDS:
        value = getattr(module, name)
        codec = _NESTED.get(name)
        row.append(tuple(codec.encode(v) for v in value) if codec else value)
    return tuple(row)


def decode(row: tuple[Any, ...]) -> ParsedModule:
    values = dict(zip(_MODULE_FIELDS, row))
    for name, codec in _NESTED.items():
        values[name] = tuple(codec.decode(v) for v in values[name])
    return ParsedModule(**values)


def digest(source: bytes) -> bytes:
    return hashlib.blake2b(source, digest_size=16).digest()


def identity(stat: os.stat_result, source: bytes) -> Identity:
    recent = time.time_ns() - stat.st_mtime_ns < _RACY_NS
    return stat.st_size, -1 if recent else stat.st_mtime_ns, digest(source)


def shard_of(path: str, name: str, is_package: bool) -> str:
    """The tree a file belongs to: its sys.path root plus top-level package, or its directory."""
    parts = name.split(".") if name else []
    directory = os.path.dirname(path)
    climb = len(parts) if is_package else len(parts) - 1
    root = directory
    for _ in range(max(climb, 0)):
        root = os.path.dirname(root)
    tail = os.path.relpath(directory, root).replace(os.sep, ".") if climb > 0 else ""
    expected = ".".join(parts if is_package else parts[:-1])
    if climb > 0 and tail == expected:
        return f"{root}\0{parts[0]}"
    return f"{directory}\0"


class ScanCache:
    """Entries keyed by (path, name, is_package, full); validated by (size, mtime_ns), then by content hash.

    Never raises: an unreadable, corrupt or unwritable cache just behaves as empty.
    """

    def __init__(self, directory: str | None = None, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self.directory = os.path.join(directory or default_directory(), f"parse-{format_tag()}")
        self.hits = 0
        self.misses = 0
        self._shards: dict[str, dict[tuple[str, str, bool, bool], tuple[Any, ...]]] = {}
        self._loaded_at: dict[str, int] = {}
        self._dirty: set[str] = set()
        self.touched: set[str] = set()  # every file asked about: inputs of a cached result (result_cache)
        self.created_ns = time.time_ns()  # a file modified after this may have been read in either version

    @classmethod
    def disabled(cls) -> ScanCache:
        """A cache that stores nothing (for --no-cache)."""
        return cls(os.devnull, enabled=False)

    def _file(self, shard: str) -> str:
        return os.path.join(self.directory, hashlib.sha1(shard.encode("utf-8", "surrogateescape")).hexdigest()[:20])

    def _load(self, shard: str) -> dict[tuple[str, str, bool, bool], tuple[Any, ...]]:
        entries = self._shards.get(shard)
        if entries is None:
            entries, self._loaded_at[shard] = _read(self._file(shard))
            self._shards[shard] = entries
        return entries

    def get(self, path: str, name: str, is_package: bool, full: bool) -> ParsedModule | None:
        if not self.enabled:
            return None
        self.touched.add(path)
        key = (path, name, is_package, full)
        shard = shard_of(path, name, is_package)
        entry = self._load(shard).get(key)
        module = self._validate(shard, key, entry) if entry is not None else None
        if module is None:
            self.misses += 1
        else:
            self.hits += 1
        return module

    def _validate(self, shard: str, key: tuple[str, str, bool, bool], entry: tuple[Any, ...]) -> ParsedModule | None:
        try:
            size, mtime_ns, known, row = entry
            stat = os.stat(key[0])
            if stat.st_size != size or not S_ISREG(stat.st_mode):  # reading a pipe would block
                return None
            if stat.st_mtime_ns != mtime_ns:
                with open(key[0], "rb") as handle:
                    current = identity(stat, handle.read())
                if current[2] != known:
                    return None
                # Same bytes under a new timestamp (reinstall, checkout): trust the new stat from now on.
                self._shards[shard][key] = (*current[:2], known, row)
                self._dirty.add(shard)
            return decode(row)
        except (OSError, ValueError, TypeError, KeyError, IndexError):
            return None

    def put(self, module: ParsedModule, full: bool, ident: Identity | None) -> None:
        """Remember `module`, parsed from bytes whose identity was taken before they were read."""
        self.touched.add(module.path)
        if not self.enabled or ident is None:
            return
        shard = shard_of(module.path, module.name, module.is_package)
        self._load(shard)[(module.path, module.name, module.is_package, full)] = (*ident, encode(module))
        self._dirty.add(shard)

    def flush(self) -> None:
        """Write changed shards atomically; entries of other processes written meanwhile are kept."""
        if not self.enabled or not self._dirty:
            return
        try:
            os.makedirs(self.directory, exist_ok=True)
        except OSError:
            self._dirty.clear()
            return
        for shard in sorted(self._dirty):
            target = self._file(shard)
            entries = self._shards[shard]
            on_disk, stamp = _read(target)
            if stamp != self._loaded_at.get(shard):
                entries = {**on_disk, **entries}
            entries = {k: v for k, v in entries.items() if os.path.exists(k[0])}
            _write(target, entries)
            self._shards[shard] = entries
        self._dirty.clear()


def _read(file: str) -> tuple[dict[tuple[str, str, bool, bool], tuple[Any, ...]], int]:
    try:
        with open(file, "rb") as handle:
            stamp = os.fstat(handle.fileno()).st_mtime_ns
            data = marshal.loads(handle.read())
        header, entries = data
        if header != format_tag() or not isinstance(entries, dict):
            return {}, stamp
        return entries, stamp
    except (OSError, EOFError, ValueError, TypeError):
        return {}, 0


def _write(target: str, entries: dict[tuple[str, str, bool, bool], tuple[Any, ...]]) -> None:
    import tempfile  # only a run that parsed something writes; loading stays cheap

    try:
        handle, temporary = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".tmp-")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(marshal.dumps((format_tag(), entries)))
        os.replace(temporary, target)
    except (OSError, ValueError):
        try:
            os.unlink(temporary)
        except OSError:
            pass

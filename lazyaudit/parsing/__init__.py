"""Turns one Python source file into a ParsedModule: libcst for first-party code, stdlib ast for installed code.

libcst costs ~110 ms to import and is only needed for full parses, so it is imported inside the
functions that use it; `import lazyaudit.parsing` stays stdlib-only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from stat import S_ISREG
from typing import Any

from lazyaudit.model import ParsedModule
from lazyaudit.parsing.cache import Identity, ScanCache, identity
from lazyaudit.parsing.common import PARSER_VERSION, SourceError

__all__ = ["PARSER_VERSION", "ScanCache", "parse_file", "parse_source", "scan_many"]

# Below this many uncached files a process pool costs more to start than it saves.
POOL_THRESHOLD = 200
# libcst needs about 1 GB of memory per MB of dense source (measured: 1 MB of generated functions,
# 1.0 GB peak, 28 s), the stdlib ast about 240 MB per MB. Bigger first-party files get the fast
# scanner (no name uses: the rules that need them stay silent there, and fix leaves the file alone);
# files over MAX_SOURCE_BYTES are not read at all (LA900). The largest .py file in a 60-distribution
# AWS/LLM/web environment is pandas/core/frame.py, 725 KB.
MAX_FULL_BYTES = 1_000_000
MAX_SOURCE_BYTES = 5_000_000


def parse_source(source: bytes, name: str, path: str, is_package: bool, *, full: bool = True) -> ParsedModule:
    """Parse `source` (bytes: coding cookies and BOMs are honoured by the parser). Never raises for bad input.

    full=True: libcst, with name uses, suppressions and runtime-annotation classes (first-party code).
    full=False: the stdlib-ast scanner (installed code): the same records, `uses` and `suppressions` empty.
    """
    base: dict[str, Any] = {"name": name, "path": path, "is_package": is_package,
                            "source_bytes": len(source), "line_count": len(source.splitlines())}
    if len(source) > MAX_SOURCE_BYTES:
        return ParsedModule(**base, error=too_large(len(source)))
    try:
        full = full and len(source) <= MAX_FULL_BYTES
        fields = _full(source, name, is_package) if full else _fast(source, name, is_package)
    except _Unparsable as exc:
        return ParsedModule(**base, error=exc.reason)
    return ParsedModule(**base, **fields)


def parse_file(path: str, name: str, is_package: bool, *, full: bool = True) -> ParsedModule:
    """Read `path` as bytes and parse it; an unreadable file gives a ParsedModule with `error` set."""
    return _scan_one((path, name, is_package), full)[0]


def scan_many(items: Iterable[tuple[str, str, bool]], *, full: bool = False, cache: ScanCache | None = None,
              jobs: int | None = None) -> dict[str, ParsedModule]:
    """Parse (path, name, is_package) items, keyed by path; cached ones are loaded, the rest parsed in
    parallel when there are more than POOL_THRESHOLD. `cache=None` caches nothing."""
    items = list(dict.fromkeys(items))
    results: dict[str, ParsedModule] = {}
    todo = []
    for item in items:
        hit = cache.get(item[0], item[1], item[2], full) if cache is not None else None
        if hit is None:
            todo.append(item)
        else:
            results[item[0]] = hit
    workers = jobs if jobs is not None else _cores()
    parsed = _pool(todo, full, workers) if len(todo) > POOL_THRESHOLD and workers > 1 else None
    if parsed is None:
        parsed = [_scan_one(item, full) for item in todo]
    for module, ident in parsed:
        results[module.path] = module
        if cache is not None:
            cache.put(module, full, ident)
    if cache is not None:
        cache.flush()
    return {item[0]: results[item[0]] for item in items}


class _Unparsable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _fast(source: bytes, name: str, is_package: bool) -> dict[str, Any]:
    from lazyaudit.parsing import fast

    try:
        return _guarded(fast.scan, source, name, is_package)
    except _Unparsable as exc:
        if exc.reason.startswith("too deeply nested"):
            raise
        first = exc
    if len(source) > MAX_FULL_BYTES:
        raise first
    # Syntax newer than this interpreter's ast (PEP 695 on 3.11, ...) that libcst can still read.
    try:
        return _cst(source, name, is_package, uses=False)
    except _Unparsable:
        raise first from None


def _full(source: bytes, name: str, is_package: bool) -> dict[str, Any]:
    from lazyaudit.parsing import fast

    # A cheap ast pass first: CPython rejects nesting that would overflow libcst's native stack.
    first: _Unparsable | None = None
    try:
        fast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        first = _Unparsable(describe_failure(source, exc))
        if first.reason.startswith("too deeply nested"):
            raise first from None
    try:
        return _cst(source, name, is_package, uses=True)
    except _Unparsable:
        if first is not None:
            raise first from None  # CPython's wording beats libcst's for the same error
        raise


def _cst(source: bytes, name: str, is_package: bool, *, uses: bool) -> dict[str, Any]:
    # libcst is imported here, not at module level, so that scanning installed code never pays for it.
    from lazyaudit.parsing import cst_parse

    return _guarded(cst_parse.on_big_stack, cst_parse.parse, source, name, is_package, uses=uses)


def _guarded(function: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    source = args[0] if isinstance(args[0], bytes) else args[1]
    try:
        return function(*args, **kwargs)
    except SourceError as exc:
        raise _Unparsable(describe_failure(source, exc.__cause__ or exc)) from None
    except (RecursionError, MemoryError) as exc:
        raise _Unparsable(describe_failure(source, exc)) from None
    except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the analysis of other files
        raise _Unparsable(f"internal parser error: {type(exc).__name__}: {exc}") from None


def _scan_one(item: tuple[str, str, bool], full: bool) -> tuple[ParsedModule, Identity | None]:
    path, name, is_package = item
    reason, source = "", b""
    try:
        # O_NONBLOCK: opening a named pipe called `x.py` must not wait for a writer forever
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            stat = os.fstat(handle.fileno())
            if not S_ISREG(stat.st_mode):  # a pipe, a device (/dev/zero never ends) or a socket
                reason = "cannot read: not a regular file"
            elif stat.st_size > MAX_SOURCE_BYTES:
                reason = too_large(stat.st_size)
            else:
                source = handle.read()
    except OSError as exc:
        reason = f"cannot read: {exc.strerror or exc}"
    if reason:
        return ParsedModule(name=name, path=path, is_package=is_package, error=reason), None
    return parse_source(source, name, path, is_package, full=full), identity(stat, source)


def _scan_encoded(item: tuple[str, str, bool], full: bool) -> tuple[tuple[Any, ...], Identity | None]:
    from lazyaudit.parsing.cache import encode

    module, ident = _scan_one(item, full)
    return encode(module), ident  # plain tuples pickle several times faster than dataclasses


def _pool(todo: list[tuple[str, str, bool]], full: bool, workers: int) -> list[tuple[ParsedModule, Any]] | None:
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    from lazyaudit.parsing.cache import decode

    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            chunk = max(1, len(todo) // (workers * 8))
            rows = list(pool.map(partial(_scan_encoded, full=full), todo, chunksize=chunk))
    except Exception:  # noqa: BLE001 - no /dev/shm, no fork, a killed worker: parse serially instead
        return None
    return [(decode(row), ident) for row, ident in rows]


def too_large(size: int) -> str:
    limit = MAX_SOURCE_BYTES / 1e6
    return f"too large to parse: {size / 1e6:.1f} MB (the limit is {limit:g} MB); its imports are not followed"


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


_NUL = re.compile(rb"\x00")
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_DEPTH_MESSAGES = ("too many nested parentheses", "too complex", "too many indentation levels",
                   "too many levels of indentation", "maximum recursion depth")


def describe_failure(source: bytes, exc: BaseException) -> str:
    """A human reason for a parse failure, diagnosing encodings and NUL bytes from the bytes themselves."""
    if isinstance(exc, (RecursionError, MemoryError)) or any(m in str(exc) for m in _DEPTH_MESSAGES):
        if isinstance(exc, SyntaxError):
            return f"too deeply nested to parse: {exc.msg} at line {exc.lineno}"
        return f"too deeply nested to parse: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
    nul = _NUL.search(source)
    if nul:
        line = source.count(b"\n", 0, nul.start()) + 1
        return f"source contains a null byte at line {line}"
    decoding = _describe_decoding(source)
    if decoding:
        return decoding
    where = getattr(exc, "editor_line", None)  # libcst.ParserSyntaxError, which is not a SyntaxError
    if where is not None:
        message = str(getattr(exc, "message", exc)).strip().splitlines() or ["invalid syntax"]
        return f"syntax error at line {where}, column {getattr(exc, 'editor_column', 0)}: {message[0]}"
    if isinstance(exc, SyntaxError):
        return f"syntax error at line {exc.lineno or 0}, column {exc.offset or 0}: {exc.msg}"
    return f"cannot parse: {type(exc).__name__}: {exc}"


def _describe_decoding(source: bytes) -> str:
    cookie = None
    for raw in source.splitlines()[:2]:
        match = _COOKIE.match(raw)
        if match:
            cookie = match.group(1).decode("ascii", "replace")
            break
        if raw.strip() and not raw.lstrip(b" \t\f").startswith(b"#"):
            break
    encoding = cookie or "utf-8"
    body = source[3:] if source.startswith(b"\xef\xbb\xbf") else source
    try:
        body.decode(encoding)
    except LookupError:
        return f"unknown encoding in coding cookie: {encoding}"
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        how = "coding cookie" if cookie else "no coding cookie"
        return f"cannot decode as {encoding} ({how}): line {line}: {exc}"
    return ""

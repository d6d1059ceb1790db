"""Where lazyaudit keeps its caches, and what they share: stamps of files, the trust window, writes."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
# A file or folder modified this recently may change again without its timestamp moving (the
# file system's resolution): answers made from it are not stored.
RACY_NS = 2_000_000_000


def mtime_of(path: str) -> int | None:
    """A folder's or file's mtime in ns, None when it is missing or unreadable."""
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def stamp_of(path: str) -> tuple[int, int] | None:
    """A file's (size, mtime in ns), None when it is missing or unreadable."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def write_entry(path: str, data: bytes) -> None:
    """Write one cache file atomically, creating its folder; a cache that cannot be written is skipped."""
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        from lazyaudit.fileio import write_bytes_atomic

        write_bytes_atomic(path, data)
    except (OSError, ValueError):
        pass


def default_directory() -> str:
    """$LAZYAUDIT_CACHE_DIR, else $XDG_CACHE_HOME/lazyaudit, else ~/.cache/lazyaudit."""
    explicit = os.environ.get("LAZYAUDIT_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "lazyaudit")


@functools.cache  # the package does not change under a running process
def code_stamp() -> str:
    """lazyaudit's own files and the interpreter running it: what a stored result was computed by.

    A cache of results (not of parses, whose format has its own version) must not outlive the code
    that made them: any file of the package changing, or another interpreter, gives another stamp."""
    parts: list[object] = [sys.version, sys.executable]
    for folder, dirs, files in os.walk(_PACKAGE_DIR):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                try:
                    stat = os.stat(path)
                    parts.append([path, stat.st_size, stat.st_mtime_ns])
                except OSError:
                    parts.append([path])
    return hashlib.sha1(json.dumps(parts).encode("utf-8", "surrogateescape")).hexdigest()

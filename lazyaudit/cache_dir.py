"""Where lazyaudit keeps its caches (parse results, environment probes, command results)."""

from __future__ import annotations

import hashlib
import json
import os
import sys

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def default_directory() -> str:
    """$LAZYAUDIT_CACHE_DIR, else $XDG_CACHE_HOME/lazyaudit, else ~/.cache/lazyaudit."""
    explicit = os.environ.get("LAZYAUDIT_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "lazyaudit")


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

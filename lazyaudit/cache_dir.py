"""Where lazyaudit keeps its caches (parse results, environment probes, command results)."""

from __future__ import annotations

import os


def default_directory() -> str:
    """$LAZYAUDIT_CACHE_DIR, else $XDG_CACHE_HOME/lazyaudit, else ~/.cache/lazyaudit."""
    explicit = os.environ.get("LAZYAUDIT_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "lazyaudit")

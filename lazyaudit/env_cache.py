"""A persistent cache of environment probes (what _introspect.py printed for one interpreter).

Probing an interpreter means starting it, which costs 50-250 ms: more than the whole rest of a
warm `lazyaudit deps`. Its answer only changes when the interpreter, the variables that shape
its sys.path, or a directory on that sys.path change, so an entry is keyed by the first two and
validated against the modification times of the third: installing, upgrading or removing a
distribution adds or removes entries in site-packages (its dist-info folder at least), and a new
editable install adds a .pth file there, so the folder's mtime moves. What an in-place edit of a
file inside a dist-info folder would change is not noticed; pip never does that.

Never raises: an unreadable, corrupt or unwritable cache behaves as empty.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Mapping
from typing import Any

from lazyaudit.cache_dir import RACY_NS, mtime_of, write_entry

FORMAT = 1
# Environment variables that change the target's sys.path or what it reports.
_SHAPING = ("PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "PYTHONNOUSERSITE", "PYTHONSAFEPATH",
            "PYTHONPLATLIBDIR", "VIRTUAL_ENV")

def _digest(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha1(handle.read()).hexdigest()
    except OSError:
        return ""


def cache_key(executable: str, probe_script: str) -> str:
    """Which entry describes `executable`: the interpreter file, the probe's code, the shaping variables."""
    real = os.path.realpath(executable)
    try:
        stat = os.stat(real)
        identity: list[Any] = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
    except OSError:
        identity = []
    parts = [FORMAT, executable, real, identity, _digest(probe_script),
             [(name, os.environ.get(name)) for name in _SHAPING]]
    return hashlib.sha1(json.dumps(parts).encode("utf-8", "surrogateescape")).hexdigest()[:24]


def watched_paths(data: Mapping[str, Any]) -> list[str]:
    """The folders and files whose change means the probe must run again."""
    paths = [str(p) for p in data.get("sys_path", ()) if isinstance(p, str)]
    for key in ("prefix", "base_prefix"):
        prefix = data.get(key)
        if isinstance(prefix, str):
            paths.append(os.path.join(prefix, "pyvenv.cfg"))
    user_site = data.get("user_site")
    if isinstance(user_site, str):
        paths.append(user_site)  # absent today; created tomorrow, it joins sys.path
    return sorted(set(paths))


class EnvironmentCache:
    """Probe outputs stored as JSON files under `<cache dir>/env-FORMAT/`."""

    def __init__(self, directory: str) -> None:
        self.directory = os.path.join(directory, f"env-{FORMAT}")

    def file_for(self, key: str) -> str:
        return os.path.join(self.directory, f"{key}.json")

    def load(self, key: str) -> str | None:
        """The probe output stored under `key`, if every watched path is as it was."""
        try:
            with open(self.file_for(key), encoding="utf-8") as handle:
                entry = json.load(handle)
            if entry.get("format") != FORMAT or not isinstance(entry.get("output"), str):
                return None
            for path, stamp in entry["watch"]:
                if mtime_of(path) != stamp:
                    return None
            return str(entry["output"])
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None

    def store(self, key: str, output: str, data: Mapping[str, Any]) -> None:
        """Remember `output` (whose parsed form is `data`) unless a watched path is still settling."""
        watch = [(path, mtime_of(path)) for path in watched_paths(data)]
        now = time.time_ns()
        if any(stamp is not None and now - stamp < RACY_NS for _, stamp in watch):
            return
        entry = {"format": FORMAT, "watch": watch, "output": output}
        write_entry(self.file_for(key), json.dumps(entry).encode("utf-8", "surrogateescape"))

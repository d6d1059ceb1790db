"""A cache of whole command results (`audit`, `deps`, `closure`, `why`) for re-runs on an unchanged
project and environment (CI, pre-commit hooks).

An entry holds the report text and exit code of one command line, and every input it was made
from, each with what it was when the run started:

- the project's folders (their mtimes: a file added, removed or renamed anywhere changes one);
- every file the run opened (configuration, requirement files, templates, includes outside the
  project...), recorded by watching `open` while the command runs;
- every source file the parse cache was asked about (first-party and installed modules; the
  parse cache itself only stats them);
- the target environment, through the environment cache's entry (lazyaudit.env_cache);
- lazyaudit's own code and interpreter, the command line and the working directory.

A run whose inputs are all as recorded prints the stored report without analysing anything. An
input modified during the two seconds before the run is not trusted (its timestamp may not move
when it changes again), so such a run stores nothing. Never raises: an unreadable, corrupt or
unwritable cache behaves as empty.
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import io
import json
import os
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from lazyaudit.cache_dir import RACY_NS, code_stamp, stamp_of, write_entry

if TYPE_CHECKING:
    from lazyaudit.env_cache import EnvironmentCache

FORMAT = 1
# Folders no command reads from; what it opens there is still recorded file by file.
_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", "node_modules", ".mypy_cache", ".ruff_cache",
                        ".pytest_cache", ".hypothesis", ".tox", ".nox", ".lazyaudit-cache"})


def folder_stamps(root: str) -> dict[str, int]:
    """mtime of every folder under `root` (itself included), skipping VCS, caches and virtualenvs."""
    stamps: dict[str, int] = {}
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                stamps[folder] = os.stat(folder).st_mtime_ns
                for entry in entries:
                    if (entry.is_dir(follow_symlinks=False) and entry.name not in _SKIP_DIRS
                            and not os.path.exists(os.path.join(entry.path, "pyvenv.cfg"))):
                        stack.append(entry.path)
        except OSError:
            stamps[folder] = -1
    return stamps


@contextlib.contextmanager
def watching_opens() -> Iterator[set[str]]:
    """The absolute paths of every file opened by name (builtins.open, io.open, pathlib) meanwhile."""
    opened: set[str] = set()
    real_open = builtins.open

    def recording_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, (str, bytes, os.PathLike)):
            with contextlib.suppress(TypeError, ValueError):
                opened.add(os.path.abspath(os.fsdecode(file)))
        return real_open(file, *args, **kwargs)

    builtins.open = io.open = recording_open  # type: ignore[assignment]
    try:
        yield opened
    finally:
        builtins.open = io.open = real_open  # type: ignore[assignment]


class ResultCache:
    """The entry of one command line; `lookup()` before running it, `store()` after."""

    def __init__(self, directory: str, command: str, key_parts: list[Any], root: str, env_cache: EnvironmentCache,
                 env_key: str) -> None:
        self.root = root
        self._env_cache = env_cache
        self._env_key = env_key
        self._started = time.time_ns()
        material = [FORMAT, command, key_parts, code_stamp(), env_key]
        key = hashlib.sha1(json.dumps(material, default=str).encode("utf-8", "surrogateescape")).hexdigest()[:24]
        self._file = os.path.join(directory, f"result-{FORMAT}", f"{key}.json")
        self._folders: dict[str, int] | None = None

    def _environment_digest(self) -> str | None:
        """The environment cache's current, still valid answer (None: the probe would run again)."""
        output = self._env_cache.load(self._env_key)
        return None if output is None else hashlib.sha1(output.encode("utf-8", "surrogateescape")).hexdigest()

    def lookup(self) -> tuple[str, int] | None:
        self._folders = folder_stamps(self.root)  # before the run: store() checks nothing moved since
        try:
            with builtins.open(self._file, "rb") as handle:
                entry = json.loads(handle.read())
            if entry.get("format") != FORMAT or entry.get("environment") != self._environment_digest():
                return None
            for path, stamp in entry["files"]:
                if stamp_of(path) != (tuple(stamp) if stamp is not None else None):
                    return None
            if self._folders != {path: stamp for path, stamp in entry["folders"]}:
                return None
            return str(entry["text"]), int(entry["code"])
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None

    def store(self, text: str, code: int, files: Iterable[str]) -> None:
        """Remember the report, unless an input changed too recently (or during the run) to be trusted."""
        environment = self._environment_digest()
        if environment is None:
            return
        folders = self._folders
        if folders is None:
            return
        # lazyaudit's own caches are derived from the inputs, not inputs
        own = os.path.dirname(os.path.dirname(self._file)) + os.sep
        stamps = {path: stamp_of(path) for path in set(files) if not path.startswith(own)}
        newest = max([*folders.values(), *(s[1] for s in stamps.values() if s is not None)], default=0)
        if newest >= self._started - RACY_NS or folder_stamps(self.root) != folders:
            return
        entry = {"format": FORMAT, "environment": environment, "text": text, "code": code,
                 "files": sorted([path, stamp] for path, stamp in stamps.items()),
                 "folders": sorted([path, stamp] for path, stamp in folders.items())}
        write_entry(self._file, json.dumps(entry).encode("utf-8", "surrogateescape"))


def for_command(command: str, args: Any, color: bool) -> ResultCache | None:
    """The cache entry for this command line, or None when its inputs cannot be pinned down."""
    from lazyaudit.cache_dir import default_directory
    from lazyaudit.env_cache import EnvironmentCache, cache_key
    from lazyaudit.interpreter import INTROSPECT_SCRIPT, resolve_interpreter

    try:
        executable = resolve_interpreter(args.python)
    except Exception:  # noqa: BLE001 - the real run reports a bad --python
        return None
    root = os.path.abspath(getattr(args, "path", "."))
    if not os.path.isdir(root):
        return None
    directory = default_directory()
    env_key = cache_key(executable, INTROSPECT_SCRIPT)
    # every option of the command line, except those that do not change the report's text
    options = sorted((k, v) for k, v in vars(args).items() if k not in ("progress", "loaded", "output", "no_cache"))
    key_parts = [os.getcwd(), os.path.realpath(root), executable, color, options,
                 sorted((k, v) for k, v in os.environ.items() if k.startswith("LAZYAUDIT_"))]
    return ResultCache(directory, command, key_parts, os.path.realpath(root), EnvironmentCache(directory), env_key)

"""The target interpreter's environment: read once by running _introspect.py in it, then queried."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from lazyaudit.errors import LazyauditError
from lazyaudit.interpreter import INTROSPECT_SCRIPT, resolve_interpreter
from lazyaudit.model import Distribution

if TYPE_CHECKING:
    from collections.abc import Iterable

    from lazyaudit.locator import ModuleLocator

__all__ = ["INTROSPECT_SCRIPT", "Environment", "canonical_name", "load_environment"]

SCHEMA = 1  # the version of _introspect.py's JSON this module reads (its SCHEMA)
# -B: reading metadata must not leave __pycache__ behind in the analysed environment.
# No -I/-E/-s: PYTHONPATH, PYTHONHOME and user site-packages are part of what the program sees.
_FLAGS = ("-B",)
# Importable through typeshed stubs or the running program, never installed as distributions.
_ALWAYS_STDLIB = frozenset({"__main__", "__future__", "_typeshed"})
# Mapping tiers for one dotted key, best first (a user map is consulted before all of them).
_TIERS = ("top_level.txt", "RECORD", "namespace", "namespace-dir")


def canonical_name(name: str) -> str:
    """PEP 503 normalised distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True, slots=True)
class Environment:
    """What lazyaudit knows about one interpreter: paths, stdlib names, installed distributions."""

    executable: str
    version_info: tuple[int, int, int, str, int]
    implementation: str = "cpython"
    sys_platform: str = ""
    platform_machine: str = ""
    os_name: str = ""
    prefix: str = ""
    base_prefix: str = ""
    markers: Mapping[str, str] = field(default_factory=dict)  # PEP 508 marker environment
    sys_path: tuple[str, ...] = ()
    paths: Mapping[str, str] = field(default_factory=dict)  # sysconfig stdlib/platstdlib/purelib/platlib
    stdlib: frozenset[str] = frozenset()
    builtins: frozenset[str] = frozenset()
    frozen: frozenset[str] = frozenset()
    extension_suffixes: tuple[str, ...] = ()
    source_suffixes: tuple[str, ...] = (".py",)
    bytecode_suffixes: tuple[str, ...] = (".pyc",)
    distributions: tuple[Distribution, ...] = ()  # sys.path order, first of each name only
    # Per distribution (canonical name), facts model.Distribution has no field for yet:
    record_top_level: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    namespace_portions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    gui_scripts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    errors: tuple[str, ...] = ()  # distributions whose metadata could not be read, and why
    startup_modules: frozenset[str] = frozenset()  # loaded by the interpreter before any user import
    user_site: str | None = None  # the user site-packages folder, if enabled (it may not exist yet)
    # PEP 660 editable installs by setuptools' finder: top-level name -> folder (package) or file (module)
    editable_top_level: Mapping[str, str] = field(default_factory=dict)
    # Indexes built on first use; the dataclass is frozen, the dict's contents are not.
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def is_venv(self) -> bool:
        return bool(self.base_prefix) and self.prefix != self.base_prefix

    def is_stdlib(self, module: str) -> bool:
        """Whether the top-level package of `module` ships with the interpreter."""
        top = module.partition(".")[0]
        return bool(top) and (top in self.stdlib or top in self.builtins or top in _ALWAYS_STDLIB)

    def distribution(self, name: str) -> Distribution | None:
        """The installed distribution of that (any spelling of the) name."""
        return self._by_name().get(canonical_name(name))

    def distributions_for(self, module: str, module_map: Mapping[str, str] | None = None) -> tuple[Distribution, ...]:
        """Installed distributions providing `module`; () when no metadata says (callers may guess)."""
        return self._lookup(module, module_map)[1]

    def mapping_source(self, module: str, module_map: Mapping[str, str] | None = None) -> str:
        """Which source answered distributions_for: "user", "top_level.txt", "RECORD", "namespace" or ""."""
        return self._lookup(module, module_map)[0]

    def requires(self, dist_name: str, extras: Iterable[str] = ()) -> tuple[str, ...]:
        """Canonical names of the distribution's requirements whose markers hold here (with `extras`)."""
        dist = self.distribution(dist_name)
        found = self._requirements(dist, tuple(extras)) if dist is not None else ()
        return tuple(dict.fromkeys(canonical_name(requirement.name) for requirement in found))

    def dependents(self, dist_name: str) -> tuple[str, ...]:
        """Canonical names of installed distributions that require `dist_name` here (no extras)."""
        reverse = self._cache.get("dependents")
        if reverse is None:
            reverse = {}
            for dist in self.distributions:
                for name in self.requires(dist.name):
                    reverse.setdefault(name, []).append(dist.name)
            self._cache["dependents"] = reverse
        return tuple(reverse.get(canonical_name(dist_name), ()))

    def requires_closure(self, roots: Iterable[str]) -> tuple[str, ...]:
        """Sorted installed distributions reached from `roots` ("boto3", "foo[bar]"), following extras."""
        pending = [_name_and_extras(root) for root in roots]
        seen: set[tuple[str, tuple[str, ...]]] = set()
        while pending:
            name, extras = pending.pop()
            dist = self.distribution(name)
            if dist is None or (dist.name, extras) in seen:
                continue
            seen.add((dist.name, extras))
            for requirement in self._requirements(dist, extras):
                pending.append((requirement.name, tuple(sorted(requirement.extras))))
        return tuple(sorted({name for name, _ in seen}))

    def locator(self, first_party: Iterable[str] = ()) -> ModuleLocator:
        """A ModuleLocator over first-party roots followed by this environment's sys.path."""
        from lazyaudit.locator import ModuleLocator

        return ModuleLocator(
            (*first_party, *self.sys_path), stdlib=self.stdlib, builtins=self.builtins, frozen=self.frozen,
            extension_suffixes=self.extension_suffixes, source_suffixes=self.source_suffixes,
            bytecode_suffixes=self.bytecode_suffixes, editable=self.editable_top_level,
        )

    def _by_name(self) -> dict[str, Distribution]:
        by_name = self._cache.get("by_name")
        if by_name is None:
            by_name = self._cache["by_name"] = {dist.name: dist for dist in reversed(self.distributions)}
        return by_name

    def _index(self) -> dict[str, tuple[str, tuple[Distribution, ...]]]:
        """Dotted import name -> (best tier, distributions of that tier), built once."""
        index = self._cache.get("index")
        if index is not None:
            return index
        tiers: dict[str, dict[str, dict[Distribution, None]]] = {}  # key -> tier -> ordered set
        for dist in self.distributions:
            keys = [(name, "top_level.txt") for name in dist.top_level if dist.top_level_source == "top_level.txt"]
            record = self.record_top_level.get(dist.name, dist.top_level if dist.top_level_source == "RECORD" else ())
            keys += [(name, "RECORD") for name in record]
            for portion in self.namespace_portions.get(dist.name, ()):
                # The namespace directories above a portion ("google.cloud") belong to the
                # distributions with portions below them, not to every "google" distribution.
                parts = portion.split(".")
                keys += [(".".join(parts[:depth]), "namespace-dir") for depth in range(2, len(parts))]
                keys.append((portion, "namespace"))
            for key, tier in keys:
                tiers.setdefault(key, {}).setdefault(tier, {})[dist] = None
        index = {}
        for key, by_tier in tiers.items():
            tier = next(t for t in _TIERS if t in by_tier)
            index[key] = (tier.partition("-")[0], tuple(by_tier[tier]))
        self._cache["index"] = index
        return index

    def _lookup(self, module: str, module_map: Mapping[str, str] | None) -> tuple[str, tuple[Distribution, ...]]:
        # Longest dotted prefix first: "google.cloud.storage" is answered by the namespace portion
        # of google-cloud-storage, not by every distribution with a "google" top level.
        prefixes = _prefixes(module)
        if module_map:
            for prefix in prefixes:
                if prefix in module_map:
                    name = canonical_name(module_map[prefix])
                    # A mapped distribution that is not installed still answers, with version "".
                    return "user", (self.distribution(name) or Distribution(name=name, version=""),)
        index = self._index()
        for prefix in prefixes:
            hit = index.get(prefix)
            if hit is not None:
                return hit
        return "", ()

    def _requirements(self, dist: Distribution, extras: tuple[str, ...]) -> list[Any]:
        """The dist's parsed requirements (packaging) whose markers hold here for "" or one of `extras`."""
        parsed_by_name = self._cache.setdefault("requires", {})
        parsed = parsed_by_name.get(dist.name)
        if parsed is None:
            # packaging is imported only when requirements are asked about: it costs import time.
            from packaging.requirements import InvalidRequirement, Requirement

            parsed = []
            for raw in dist.requires:
                try:
                    parsed.append(Requirement(raw))
                except InvalidRequirement:
                    continue  # a broken Requires-Dist line of an installed dist is not the user's fault
            parsed_by_name[dist.name] = parsed
        wanted = ("", *sorted({canonical_name(extra) for extra in extras}))
        markers = self.markers
        return [
            req for req in parsed
            if req.marker is None or any(req.marker.evaluate({**markers, "extra": extra}) for extra in wanted)
        ]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Environment:
        """Build from _introspect.py's JSON object (or a hand-written dict with some of its keys)."""
        if not isinstance(data, Mapping) or "executable" not in data or "version_info" not in data:
            raise LazyauditError("environment description lacks 'executable' or 'version_info'")
        if data.get("schema", SCHEMA) != SCHEMA:
            raise LazyauditError(f"environment description has schema {data['schema']!r}; lazyaudit reads {SCHEMA}")
        try:
            return _from_dict(data)
        except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
            raise LazyauditError(f"malformed environment description: {exc!r}") from exc

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready shape from_dict reads: _introspect.py's output, key for key."""
        data: dict[str, Any] = {"schema": SCHEMA}
        for item in fields(self):
            if item.name.startswith("_") or item.name in _PER_DIST:
                continue
            value = getattr(self, item.name)
            if item.name == "distributions":
                value = [self._dist_dict(dist) for dist in value]
            elif isinstance(value, frozenset):
                value = sorted(value)
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            data[_RENAMED.get(item.name, item.name)] = value
        return data

    def _dist_dict(self, dist: Distribution) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for item in fields(dist):
            value = getattr(dist, item.name)
            data[item.name] = list(value) if isinstance(value, tuple) else value
        for key in _PER_DIST:
            data[key] = list(getattr(self, key).get(dist.name, ()))
        return data


# Environment field -> key in _introspect.py's JSON, where they differ.
_RENAMED = {"stdlib": "stdlib_module_names", "builtins": "builtin_module_names", "frozen": "frozen_module_names"}
# Environment mappings (canonical dist name -> names) read from each distribution's JSON object.
_PER_DIST = ("record_top_level", "namespace_portions", "gui_scripts")


def _from_dict(data: Mapping[str, Any]) -> Environment:
    per_dist: dict[str, dict[str, tuple[str, ...]]] = {key: {} for key in _PER_DIST}
    dists: dict[str, Distribution] = {}
    for raw in data.get("distributions", ()):
        name = canonical_name(raw["name"])
        if name in dists:
            continue  # first on sys.path wins, as for the import system
        values: dict[str, Any] = {}
        for item in fields(Distribution):
            if item.name in raw:
                values[item.name] = _convert(str(item.type), raw[item.name])
        values["name"] = name
        values.setdefault("version", "")
        values.setdefault("top_level_source", "top_level.txt" if raw.get("top_level") else "")
        dists[name] = Distribution(**values)
        for key in _PER_DIST:
            if raw.get(key):
                per_dist[key][name] = tuple(raw[key])
    values = {}
    for item in fields(Environment):
        key = _RENAMED.get(item.name, item.name)
        if item.name.startswith("_") or item.name in _PER_DIST or key not in data or item.name == "distributions":
            continue
        values[item.name] = _convert(str(item.type), data[key])
    major, minor, micro, level, serial = values["version_info"]
    values["version_info"] = (int(major), int(minor), int(micro), str(level), int(serial))
    values.update(per_dist, distributions=tuple(dists.values()))
    return Environment(**values)


def _convert(annotation: str, value: Any) -> Any:
    """A JSON value as the type a dataclass field is annotated with (the annotation is a string)."""
    for prefix, kind in (("tuple", tuple), ("frozenset", frozenset), ("Mapping", dict), ("dict", dict)):
        if annotation.startswith(prefix):
            return kind(value)
    return {"str": str, "int": int, "bool": bool}.get(annotation, lambda v: v)(value)


def _name_and_extras(requirement: str) -> tuple[str, tuple[str, ...]]:
    name, _, rest = requirement.partition("[")
    extras = rest.partition("]")[0].split(",") if rest else []
    return name.strip(), tuple(sorted(extra.strip() for extra in extras if extra.strip()))


def _prefixes(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:end]) for end in range(len(parts), 0, -1)]


def load_environment(python: str | None = None, *, timeout: float = 60.0, cache: bool = True) -> Environment:
    """Describe the environment of interpreter `python` (default: the running one).

    Runs _introspect.py in a subprocess, even for the running interpreter: the answer then
    never depends on how lazyaudit itself was started (its sys.path[0], sys.path edits by a
    host such as pytest). With `cache`, an earlier answer is reused while the interpreter and
    the directories on its sys.path are unchanged (lazyaudit.env_cache). Raises
    LazyauditError when it cannot.
    """
    return start_environment(python, timeout=timeout, cache=cache).result()


def start_environment(python: str | None = None, *, timeout: float = 60.0, cache: bool = True) -> PendingEnvironment:
    """Start describing `python`'s environment; `.result()` waits for it (other work can run meanwhile)."""
    return PendingEnvironment(python, timeout=timeout, cache=cache)


class PendingEnvironment:
    """An environment probe that is running (or answered from the cache)."""

    def __init__(self, python: str | None, *, timeout: float, cache: bool) -> None:
        self.executable = resolve_interpreter(python)
        self._timeout = timeout
        self._cache = None
        self._key = ""
        self._output: str | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._started = 0.0
        if cache:
            from lazyaudit.cache_dir import default_directory
            from lazyaudit.env_cache import EnvironmentCache, cache_key

            self._cache = EnvironmentCache(default_directory())
            self._key = cache_key(self.executable, INTROSPECT_SCRIPT)
            self._output = self._cache.load(self._key)
        if self._output is None:
            self._started = time.monotonic()
            self._process = _start([self.executable, *_FLAGS, INTROSPECT_SCRIPT], self.executable)

    def result(self) -> Environment:
        if self._output is not None:
            return Environment.from_dict(_parse(self._output, self.executable))
        assert self._process is not None
        remaining = max(self._timeout - (time.monotonic() - self._started), 0.1)
        output = _finish(self._process, self.executable, remaining, self._timeout)
        data = _parse(output, self.executable)
        env = Environment.from_dict(data)
        if self._cache is not None:
            self._cache.store(self._key, output, data)
        self._output = output
        return env

    def cancel(self) -> None:
        """Stop the probe if it still runs (the caller gave up before asking for the result)."""
        if self._process is not None and self._process.returncode is None:
            _kill(self._process, os.name == "posix")


def _parse(output: str, executable: str) -> dict[str, Any]:
    # Only the last line is ours: a .pth file or sitecustomize may print before it.
    lines = output.strip().splitlines()
    try:
        data = json.loads(lines[-1]) if lines else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        shown = output.strip()[:200] or "nothing"
        raise LazyauditError(
            f"{executable} did not describe its environment (is it a Python 3.8+ interpreter?); it printed: {shown}"
        )
    return data


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # Set by macOS framework builds for venvs; inherited, it makes another interpreter pose as ours.
    env.pop("__PYVENV_LAUNCHER__", None)
    env.pop("PYTHONINSPECT", None)  # would leave the child waiting at a prompt
    return env


def _start(argv: list[str], executable: str) -> subprocess.Popen[bytes]:
    try:
        # A new session lets a timeout kill the whole group, so a wrapper script's children
        # (pyenv shims, `sleep`) cannot keep the pipes open after we give up.
        return subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=_child_env(), start_new_session=os.name == "posix",
        )
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise LazyauditError(f"cannot run {executable} ({reason}); is it a Python interpreter?") from exc


def _finish(process: subprocess.Popen[bytes], executable: str, remaining: float, timeout: float) -> str:
    posix = os.name == "posix"
    try:
        stdout, stderr = process.communicate(timeout=remaining)
    except subprocess.TimeoutExpired:
        _kill(process, posix)
        raise LazyauditError(f"{executable} did not describe its environment within {timeout:g} s") from None
    except BaseException:
        _kill(process, posix)  # Ctrl-C does not reach a child in its own session
        raise
    if process.returncode != 0:
        lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        detail = " | ".join(lines[-3:]) or "no message"
        if "lazyaudit needs" not in detail:
            detail += " (is it a Python 3.8+ interpreter?)"  # e.g. Python 2 fails to compile the script
        raise LazyauditError(f"{executable} failed to describe its environment (exit {process.returncode}): {detail}")
    return stdout.decode("utf-8", "replace")


def _kill(process: subprocess.Popen[bytes], posix: bool) -> None:
    try:
        if posix:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except OSError:
        pass  # already gone
    process.communicate()

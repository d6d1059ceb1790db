"""Settings: defaults < [tool.lazyaudit] in pyproject.toml < command-line overrides, validated in one pass."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from lazyaudit.errors import LazyauditError
from lazyaudit.model import Finding
from lazyaudit.pyproject import read_pyproject
from lazyaudit.rules import RULES, UnknownCodeError, expand_codes

# Kept equal to lazyaudit.sources.DEFAULT_EXCLUDE / DEFAULT_DEV (a test checks it); not imported
# from there because config and sources are independent adapters in the layering contract.
DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "build", "dist", "node_modules",
    "__pycache__", "site-packages", ".aws-sam", "cdk.out", ".mypy_cache", ".ruff_cache",
    ".pytest_cache", ".eggs", "*.egg-info", ".serverless", ".hypothesis",
)  # fmt: skip
DEFAULT_DEV_PATHS: tuple[str, ...] = (
    "tests", "test", "testing", "docs", "doc", "examples", "example", "scripts", "benchmarks",
    "bench", "tools", "conftest.py", "noxfile.py", "setup.py", "fabfile.py", "test_*.py", "*_test.py",
)  # fmt: skip

_ENTRY_RE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*(:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*)?$")
_VERSION_RE = re.compile(r"^(?:py)?3\.?(\d{1,2})$")


@dataclass(frozen=True, slots=True)
class Config:
    """Every setting lazyaudit reads; field names are the snake_case form of the pyproject keys."""

    entries: tuple[str, ...] = ()  # "module[:attr]" specs
    select: frozenset[str] = frozenset(RULES)
    ignore: frozenset[str] = frozenset()
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()  # (glob, codes), in file order
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    source_roots: tuple[str, ...] = ()  # () = detect (project root, src/ layout); "" = the project root
    dev_paths: tuple[str, ...] = DEFAULT_DEV_PATHS
    module_map: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    requirement_files: tuple[str, ...] = ()  # in addition to the ones found automatically
    target_version: str = ""  # "3.11"; "" = the analysed interpreter's version
    heavy_modules: int = 50
    heavy_bytes: int = 1_000_000
    heavy_ms: float = 50.0
    bundle_limit_mb: int = 250
    side_effect_calls: tuple[str, ...] = ()  # extra dotted callees LA103 treats as import-time work
    baseline: str = ""
    cache: bool = True

    @property
    def enabled(self) -> frozenset[str]:
        """Codes that are reported anywhere: select minus ignore."""
        return self.select - self.ignore

    def codes_for(self, path: str) -> frozenset[str]:
        """Codes reported for a project-relative posix path, after per-file ignores."""
        codes = self.enabled
        for pattern, ignored in self.per_file_ignores:
            if path_matches(path, pattern):
                codes = codes - ignored
        return codes


class ConfigError(LazyauditError):
    """Every configuration problem found, reported together."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"invalid lazyaudit configuration ({count}):\n" + "\n".join(f"  - {p}" for p in problems))


def path_matches(path: str, pattern: str) -> bool:
    """Glob semantics of exclude/dev-paths/per-file-ignores: a pattern without "/" matches any
    path component ("tests" matches "pkg/tests/x.py"); one with "/" matches from the project root,
    and also matches everything under a matching directory."""
    pattern = pattern.strip("/")
    if "/" in pattern:
        return fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(path, pattern + "/*")
    # str.split and a plain comparison for plain names: this runs for every file and folder of the project
    parts = path.split("/")
    if not any(c in pattern for c in "*?["):
        return pattern in parts
    return any(fnmatch.fnmatchcase(part, pattern) for part in parts if part)


class PathMatcher:
    """`any(path_matches(path, p) for p in patterns)`, answered with one set test for plain names.

    Discovery asks this for every file and folder of the project against some thirty patterns."""

    def __init__(self, patterns: Iterable[str]) -> None:
        stripped = [p.strip("/") for p in patterns]
        self._rooted = tuple(p for p in stripped if "/" in p)
        names = [p for p in stripped if "/" not in p]
        self._plain = frozenset(p for p in names if not any(c in p for c in "*?["))
        self._globs = tuple(p for p in names if p not in self._plain)
        self._seen: dict[str, bool] = {}  # path component -> matches one of the globs

    def __call__(self, path: str) -> bool:
        parts = path.split("/")
        if not self._plain.isdisjoint(parts):
            return True
        if self._globs and any(self._glob(part) for part in parts if part):
            return True
        return any(path_matches(path, p) for p in self._rooted)

    def _glob(self, part: str) -> bool:
        found = self._seen.get(part)
        if found is None:
            found = self._seen[part] = any(fnmatch.fnmatchcase(part, p) for p in self._globs)
        return found


def load_config(root: Path, overrides: Mapping[str, Any] | None = None) -> tuple[Config, list[Finding]]:
    """Read [tool.lazyaudit] from root/pyproject.toml and apply `overrides` (the CLI's flags) on top.

    Override keys use either spelling; a None value means "flag not given". A pyproject.toml that
    cannot be parsed gives an LA900 finding and its settings are skipped. Unknown keys, wrong types
    and unknown rule codes are all collected and raised once as ConfigError.
    """
    data, finding = read_pyproject(root)
    findings = [finding] if finding else []
    problems: list[str] = []
    label = "pyproject.toml [tool.lazyaudit]"
    tool = data.get("tool", {})
    table = tool.get("lazyaudit", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        problems.append(f"{label} must be a table, got {_type_name(table)}")
        table = {}
    values: dict[str, Any] = {}
    for layer_label, layer in ((label, table), ("command line", overrides or {})):
        _apply(values, _parse_layer(layer, layer_label, problems))
    if problems:
        raise ConfigError(problems)
    return replace(Config(), **values), findings


# --- validation: each converter returns the normalised value or raises _Bad with the reason -----------------


class _Bad(Exception):
    pass


def _type_name(value: Any) -> str:
    return {str: "a string", bool: "a boolean", int: "an integer", float: "a number", list: "a list",
            tuple: "a list", dict: "a table"}.get(type(value), type(value).__name__)  # fmt: skip


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        bad = next((v for v in value if not isinstance(v, str)), None) if isinstance(value, (list, tuple)) else value
        raise _Bad(f"expected a list of strings, got {_type_name(bad)}" + (f" {bad!r}" if isinstance(bad, str) else ""))
    return tuple(value)


def _paths(value: Any) -> tuple[str, ...]:
    return tuple("" if p.strip("/") in ("", ".") else p.replace("\\", "/").strip("/") for p in _strings(value))


def _codes(value: Any) -> frozenset[str]:
    if not isinstance(value, str):
        value = _strings(value)
    try:
        return expand_codes(value)
    except UnknownCodeError as exc:
        raise _Bad(str(exc)) from None


def _entries(value: Any) -> tuple[str, ...]:
    specs = tuple(s.strip() for s in _strings(value))
    bad = [s for s in specs if not _ENTRY_RE.match(s)]
    if bad:
        raise _Bad(f"invalid entry spec(s) {', '.join(map(repr, bad))}; expected 'package.module[:attr]'")
    return specs


def _per_file(value: Any) -> tuple[tuple[str, frozenset[str]], ...]:
    if not isinstance(value, dict):
        raise _Bad(f"expected a table of glob = [codes], got {_type_name(value)}")
    out = []
    for glob, codes in value.items():
        try:
            out.append((str(glob), _codes(codes)))
        except _Bad as exc:
            raise _Bad(f"{glob!r}: {exc}") from None
    return tuple(out)


def _module_map(value: Any) -> Mapping[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _Bad("expected a table of import-name = \"distribution\" strings")
    # distribution names are normalised once here (PEP 503) so lookups compare like with like
    return MappingProxyType({str(k): re.sub(r"[-_.]+", "-", v).lower() for k, v in value.items()})


def _version(value: Any) -> str:
    if isinstance(value, float):
        raise _Bad(f"write the version as a string, e.g. \"3.11\" (as a TOML number, 3.10 would read as 3.1), got {value!r}")
    if not isinstance(value, str):
        raise _Bad(f"expected a string like \"3.11\", got {_type_name(value)}")
    if not value:
        return ""
    match = _VERSION_RE.match(value.strip())
    if not match:
        raise _Bad(f"expected a Python version like \"3.11\" or \"py311\", got {value!r}")
    return f"3.{int(match.group(1))}"


def _number(kind: type) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        ok = isinstance(value, int) or (kind is float and isinstance(value, float))
        if isinstance(value, bool) or not ok:
            raise _Bad(f"expected {'an integer' if kind is int else 'a number'}, got {_type_name(value)} {value!r}")
        if value <= 0:
            raise _Bad(f"must be positive, got {value!r}")
        return kind(value)

    return convert


def _path(value: Any) -> str:
    if not isinstance(value, (str, os.PathLike)):
        raise _Bad(f"expected a path string, got {_type_name(value)}")
    return os.fspath(value)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Bad(f"expected true or false, got {_type_name(value)} {value!r}")
    return value


# kebab-case key -> (converter, Config field, how it combines with lower layers)
_KEYS: dict[str, tuple[Callable[[Any], Any], str, str]] = {
    "entries": (_entries, "entries", "replace"),
    "select": (_codes, "select", "replace"),
    "extend-select": (_codes, "select", "extend"),
    "ignore": (_codes, "ignore", "replace"),
    "extend-ignore": (_codes, "ignore", "extend"),
    "per-file-ignores": (_per_file, "per_file_ignores", "replace"),
    "exclude": (_strings, "exclude", "replace"),
    "extend-exclude": (_strings, "exclude", "extend"),
    "source-roots": (_paths, "source_roots", "replace"),
    "dev-paths": (_strings, "dev_paths", "replace"),
    "extend-dev-paths": (_strings, "dev_paths", "extend"),
    "module-map": (_module_map, "module_map", "replace"),
    "requirement-files": (_paths, "requirement_files", "replace"),
    "target-version": (_version, "target_version", "replace"),
    "heavy-modules": (_number(int), "heavy_modules", "replace"),
    "heavy-bytes": (_number(int), "heavy_bytes", "replace"),
    "heavy-ms": (_number(float), "heavy_ms", "replace"),
    "bundle-limit-mb": (_number(int), "bundle_limit_mb", "replace"),
    "side-effect-calls": (_strings, "side_effect_calls", "replace"),
    "baseline": (_path, "baseline", "replace"),
    "cache": (_bool, "cache", "replace"),
}
assert {f for _, f, _ in _KEYS.values()} == {f.name for f in fields(Config)}  # every field is configurable


def _parse_layer(layer: Mapping[str, Any], label: str, problems: list[str]) -> dict[str, Any]:
    """Validate one layer; returns kebab key -> normalised value, appending every problem found."""
    if not isinstance(layer, Mapping):
        problems.append(f"{label}: expected a table of settings, got {_type_name(layer)}")
        return {}
    parsed: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for raw_key, value in layer.items():
        key = str(raw_key).replace("_", "-")
        if key not in _KEYS:
            import difflib  # only a misspelt key needs it

            close = difflib.get_close_matches(key, list(_KEYS), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(f"{label}: unknown key '{raw_key}'{hint}")
            continue
        if key in spelled:
            problems.append(f"{label}: '{raw_key}' and '{spelled[key]}' are the same setting; keep one")
            continue
        spelled[key] = str(raw_key)
        if value is None:  # an unset command-line flag; TOML has no null
            continue
        try:
            parsed[key] = _KEYS[key][0](value)
        except _Bad as exc:
            problems.append(f"{label}: '{raw_key}': {exc}")
    return parsed


def _apply(values: dict[str, Any], parsed: dict[str, Any]) -> None:
    # replacements first, then extensions, so `select` + `extend-select` in one layer both count
    for mode in ("replace", "extend"):
        for key, value in parsed.items():
            _, name, how = _KEYS[key]
            if how != mode:
                continue
            if how == "replace":
                values[name] = value
                continue
            current = values.get(name, getattr(Config(), name))
            values[name] = current | value if isinstance(current, frozenset) else current + tuple(
                v for v in value if v not in current
            )

"""Discover a project's source roots and first-party modules (file <-> dotted name), runtime vs dev."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lazyaudit import config as _config

# One definition of the defaults and of the glob semantics, shared with the configuration.
DEFAULT_EXCLUDE = _config.DEFAULT_EXCLUDE
DEFAULT_DEV = _config.DEFAULT_DEV_PATHS


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One first-party Python file and the module name it is imported as."""

    path: str  # absolute
    rel: str  # posix, relative to the project root
    module: str  # dotted name relative to its source root
    is_package: bool  # an __init__.py
    root: str  # the source root it belongs to (relative posix, "" = project root)
    dev: bool  # development code (tests, docs, scripts...), not shipped at runtime


@dataclass(frozen=True)
class SourceTree:
    """The first-party files of a project, grouped by source root."""

    root: Path
    roots: tuple[str, ...]  # search order: deepest/explicit roots first, "" last
    files: tuple[SourceFile, ...]
    function_roots: tuple[str, ...] = ()  # roots private to one function (SAM CodeUri folders)
    _by_root: dict[str, dict[str, SourceFile]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for f in self.files:
            self._by_root.setdefault(f.root, {})[f.module] = f

    def modules(self, roots: Sequence[str] | None = None) -> dict[str, SourceFile]:
        """Module name -> file as seen from a search path of roots (earlier roots shadow later ones)."""
        merged: dict[str, SourceFile] = {}
        for r in reversed(list(self.roots if roots is None else roots)):
            merged.update(self._by_root.get(r, {}))
        return merged

    def search_roots(self, entry_root: str = "") -> tuple[str, ...]:
        """The roots visible to code that runs from `entry_root` (a Lambda CodeUri), in search order."""
        if not entry_root:
            return tuple(r for r in self.roots if r not in self.function_roots)
        return (entry_root,) + tuple(r for r in self.roots if r != entry_root and r not in self.function_roots)

    def top_level_names(self) -> frozenset[str]:
        """Every top-level name any root provides: these are never third-party."""
        return frozenset(f.module.split(".", 1)[0] for f in self.files)

    def abs_root(self, rel_root: str) -> str:
        return str(self.root / rel_root) if rel_root else str(self.root)


def discover_sources(
    root: Path,
    *,
    roots: Sequence[str] = (),
    function_roots: Sequence[str] = (),
    exclude: Iterable[str] = DEFAULT_EXCLUDE,
    dev_paths: Iterable[str] = DEFAULT_DEV,
) -> SourceTree:
    """Walk the project and name every .py file after the deepest source root that contains it.

    `roots` are extra roots (layers, configured roots); `function_roots` are per-function roots
    (SAM CodeUri folders) visible only from their own entry points. A `src/` folder without an
    `__init__.py` is a src-layout root. The project root itself is always a root.
    """
    root = root.resolve()
    exclude = tuple(exclude)
    is_dev = _config.PathMatcher(dev_paths)
    found_roots = {_norm(r) for r in (*roots, *function_roots)}
    if (root / "src").is_dir() and not (root / "src" / "__init__.py").exists():
        found_roots.add("src")
    found_roots.discard("")
    ordered = tuple(sorted(found_roots, key=lambda r: (-r.count("/"), r))) + ("",)
    files: list[SourceFile] = []
    for rel in _walk_py_files(root, exclude):
        src_root = _owning_root(rel, ordered)
        inner = rel[len(src_root) + 1:] if src_root else rel
        module, is_package = module_name_for(inner)
        if not module:
            continue
        files.append(SourceFile(str(root / rel), rel, module, is_package, src_root, is_dev(rel)))
    files.sort(key=lambda f: f.rel)
    return SourceTree(root, ordered, tuple(files), tuple(sorted({_norm(r) for r in function_roots} - {""})))


def module_name_for(rel: str) -> tuple[str, bool]:
    """`pkg/sub/__init__.py` -> ("pkg.sub", True); `pkg/mod.py` -> ("pkg.mod", False)."""
    parts = list(PurePosixPath(rel).parts)
    if not parts or not parts[-1].endswith(".py"):
        return "", False
    stem = parts[-1][:-3]
    if stem == "__init__":
        parts = parts[:-1]
        return ".".join(parts), True
    parts[-1] = stem
    return ".".join(parts), False


def _norm(rel: str) -> str:
    rel = rel.replace("\\", "/").strip("/")
    return "" if rel in ("", ".") else str(PurePosixPath(rel))


def _owning_root(rel: str, ordered_roots: tuple[str, ...]) -> str:
    for r in ordered_roots:
        if not r or rel.startswith(r + "/"):
            return r
    return ""


def _walk_py_files(root: Path, exclude: tuple[str, ...]) -> Iterable[str]:
    # os.walk does not follow directory symlinks, so symlink loops cannot trap us;
    # dangling file symlinks are still yielded so the parser reports them (LA900).
    excluded = _config.PathMatcher(exclude)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/")
        keep = []
        for d in sorted(dirnames):
            rel = f"{rel_dir}/{d}" if rel_dir else d
            if excluded(rel) or os.path.exists(os.path.join(dirpath, d, "pyvenv.cfg")):
                continue
            keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            if name.endswith(".py") and not name.startswith("."):
                rel = f"{rel_dir}/{name}" if rel_dir else name
                if not excluded(rel):
                    yield rel

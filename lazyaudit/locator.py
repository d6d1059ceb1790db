"""Find modules on a search path the way the import system's PathFinder would, without importing."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import machinery
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = ["ModuleLocation", "ModuleLocator"]

# A pkgutil / pkg_resources namespace `__init__` says one of these; reading bigger files is waste.
_LEGACY_NAMESPACE_MARKERS = (b"extend_path", b"declare_namespace")
_LEGACY_NAMESPACE_MAX_BYTES = 64 * 1024
# Deeper than any real package; stops a directory symlink loop from recursing forever.
_MAX_DEPTH = 64


@dataclass(frozen=True, slots=True)
class ModuleLocation:
    """Where one module would be imported from."""

    name: str  # dotted module name
    path: str  # the file; "" for builtin, frozen and namespace packages
    is_package: bool
    kind: str  # "source", "extension", "sourceless", "builtin", "frozen" or "namespace"
    search_root: str = ""  # the search path entry it was found under; "" for builtin/frozen
    portions: tuple[str, ...] = ()  # the package's __path__ (every portion of a namespace package)


_Hit = tuple[str, str, bool, str]  # (kind, file, is_package, package dir)


class ModuleLocator:
    """Resolves dotted names against a fixed search path; caches every directory listing and answer.

    Put first-party source roots in front of the environment's sys.path, as the runtime does.
    """

    __slots__ = ("_builtins", "_dirs", "_editable", "_frozen", "_memo", "_order", "_roots", "_search_path", "_stdlib")

    def __init__(
        self,
        search_path: Sequence[str],
        *,
        stdlib: Iterable[str] = (),
        builtins: Iterable[str] = (),
        frozen: Iterable[str] = (),
        extension_suffixes: Sequence[str] | None = None,
        source_suffixes: Sequence[str] | None = None,
        bytecode_suffixes: Sequence[str] | None = None,
        editable: Mapping[str, str] | None = None,
    ) -> None:
        # "" on sys.path means the working directory; store absolute paths so answers are stable.
        self._search_path = tuple(os.path.abspath(entry or os.curdir) for entry in search_path)
        self._stdlib = frozenset(stdlib)
        self._builtins = frozenset(builtins)
        self._frozen = frozenset(frozen)
        # FileFinder's loader order, used both for `__init__` files and for plain modules.
        self._order: tuple[tuple[str, str], ...] = (
            tuple((s, "extension") for s in _or(extension_suffixes, machinery.EXTENSION_SUFFIXES))
            + tuple((s, "source") for s in _or(source_suffixes, machinery.SOURCE_SUFFIXES))
            + tuple((s, "sourceless") for s in _or(bytecode_suffixes, machinery.BYTECODE_SUFFIXES))
        )
        self._dirs: dict[str, dict[str, bool]] = {}
        self._memo: dict[str, ModuleLocation | None] = {}
        self._roots: dict[str, str] = {}  # namespace portion dir -> search path entry it came from
        # PEP 660 editable finders (setuptools): consulted after the whole path, as on sys.meta_path
        self._editable = dict(editable or {})

    @property
    def search_path(self) -> tuple[str, ...]:
        return self._search_path

    def is_stdlib(self, name: str) -> bool:
        """Whether the top-level name is one of the interpreter's own (stdlib, builtin or frozen)."""
        top = name.partition(".")[0]
        return top in self._stdlib or top in self._builtins or top in self._frozen

    def find(self, name: str) -> ModuleLocation | None:
        """The location `import name` would load, or None when nothing on the path provides it."""
        try:
            return self._memo[name]
        except KeyError:
            pass
        found = self._find(name)
        self._memo[name] = found
        return found

    def iter_package_modules(self, location: ModuleLocation) -> list[tuple[str, str, bool]]:
        """(name, file, is_package) for the location and every module below it, sorted by name.

        Like pkgutil.walk_packages, directories without `__init__` inside a regular package are
        not walked (they are mostly data); inside a namespace package they are. Namespace
        packages themselves have no file and are not listed.
        """
        found: list[tuple[str, str, bool]] = []
        if location.path:
            found.append((location.name, location.path, location.is_package))
        if location.is_package:
            self._walk(location, found)
        found.sort()
        return found

    def _walk(self, package: ModuleLocation, found: list[tuple[str, str, bool]]) -> None:
        if package.name.count(".") >= _MAX_DEPTH:
            return
        children: set[str] = set()
        for directory in package.portions:
            for entry, is_dir in self._listing(directory).items():
                child = entry if is_dir else self._module_stem(entry)
                if child and child.isidentifier() and child != "__init__":
                    children.add(child)
        for child in sorted(children):
            location = self.find(f"{package.name}.{child}")
            if location is None or location.kind in ("builtin", "frozen"):
                continue
            if location.kind == "namespace":
                if package.kind == "namespace":
                    self._walk(location, found)
                continue
            found.append((location.name, location.path, location.is_package))
            if location.is_package:
                self._walk(location, found)

    def _module_stem(self, filename: str) -> str:
        for suffix, _ in self._order:
            if filename.endswith(suffix):
                return filename[: -len(suffix)]
        return ""

    def _find(self, name: str) -> ModuleLocation | None:
        parent_name, _, base = name.rpartition(".")
        if not base or name.startswith(".") or ".." in name:
            return None
        if parent_name:
            parent = self.find(parent_name)
            if parent is None or not parent.is_package:
                return self._frozen_location(name)
            dirs = parent.portions
            default_root = parent.search_root
        else:
            if name in self._builtins:
                return ModuleLocation(name, "", False, "builtin")
            dirs = self._search_path
            default_root = ""
        namespace: list[str] = []
        for directory in dirs:
            root = self._root_of(directory, top_level=not parent_name, default=default_root)
            hit = self._find_in(directory, base)
            if hit is None:
                continue
            kind, path, is_package, package_dir = hit
            if kind == "namespace":
                namespace.append(package_dir)
                self._roots.setdefault(package_dir, root)
                continue
            # A module or regular package anywhere on the path beats earlier namespace portions.
            portions: tuple[str, ...] = ()
            if is_package:
                portions = self._package_path(path, package_dir, base, dirs)
                for portion in portions:
                    # Portions added by extend_path come from other directories, so other roots.
                    parent_dir = os.path.dirname(portion)
                    self._roots.setdefault(portion, self._root_of(parent_dir, not parent_name, default_root))
            return ModuleLocation(name, path, is_package, kind, root, portions)
        if not parent_name and name in self._editable:
            mapped = self._mapped(name, self._editable[name])
            if mapped is not None:
                return mapped
        if namespace:
            return ModuleLocation(name, "", True, "namespace", self._roots[namespace[0]], tuple(namespace))
        return self._frozen_location(name)

    def _mapped(self, name: str, target: str) -> ModuleLocation | None:
        """A top-level module an editable finder maps to `target`: a package folder or a module file."""
        target = os.path.abspath(target)
        directory, base = os.path.split(target)
        stem = self._module_stem(base) or base
        hit = self._find_in(directory, stem)
        if hit is None:
            return None
        kind, path, is_package, package_dir = hit
        self._roots.setdefault(package_dir or directory, directory)
        portions = (package_dir,) if is_package else ()
        return ModuleLocation(name, path, is_package, kind, directory, portions)

    def _root_of(self, directory: str, top_level: bool, default: str) -> str:
        # A top-level search directory is its own root, even when it also lies inside another.
        return directory if top_level else self._roots.get(directory) or default

    def _find_in(self, directory: str, base: str) -> _Hit | None:
        """One directory's answer, in FileFinder's order: package > extension > source > .pyc > namespace."""
        listing = self._listing(directory)
        package_dir = ""
        if listing.get(base):
            package_dir = os.path.join(directory, base)
            inside = self._listing(package_dir)
            for suffix, kind in self._order:
                init = "__init__" + suffix
                if inside.get(init) is False:
                    return kind, os.path.join(package_dir, init), True, package_dir
        for suffix, kind in self._order:
            if listing.get(base + suffix) is False:
                return kind, os.path.join(directory, base + suffix), False, ""
        if package_dir:
            return "namespace", "", True, package_dir
        return None

    def _package_path(self, init: str, package_dir: str, base: str, dirs: Sequence[str]) -> tuple[str, ...]:
        """A regular package's __path__, extended like pkgutil.extend_path when its __init__ asks."""
        others = [
            os.path.join(d, base)
            for d in dirs
            if self._listing(d).get(base) and os.path.join(d, base) != package_dir
        ]
        # Only a name present in several directories can be a legacy namespace: read nothing otherwise.
        if not others or not init.endswith(".py"):
            return (package_dir,)
        try:
            if os.path.getsize(init) > _LEGACY_NAMESPACE_MAX_BYTES:
                return (package_dir,)
            with open(init, "rb") as handle:
                text = handle.read()
        except OSError:
            return (package_dir,)
        if not any(marker in text for marker in _LEGACY_NAMESPACE_MARKERS):
            return (package_dir,)
        return (package_dir, *others)

    def _frozen_location(self, name: str) -> ModuleLocation | None:
        # Frozen stdlib modules usually also exist as source, which the path search prefers
        # because that is what gets analysed; names frozen only (os.path, _frozen_importlib) land here.
        if name not in self._frozen:
            return None
        prefix = name + "."
        is_package = any(other.startswith(prefix) for other in self._frozen)
        return ModuleLocation(name, "", is_package, "frozen")

    def _listing(self, directory: str) -> dict[str, bool]:
        """name -> is a directory, for one directory, read once."""
        listing = self._dirs.get(directory)
        if listing is None:
            listing = {}
            try:
                with os.scandir(directory) as entries:
                    for entry in entries:
                        try:
                            listing[entry.name] = entry.is_dir()
                        except OSError:
                            listing[entry.name] = False
            except OSError:
                pass  # missing, unreadable, or a zip archive: nothing importable through this finder
            self._dirs[directory] = listing
        return listing


def _or(value: Sequence[str] | None, default: Sequence[str]) -> tuple[str, ...]:
    return tuple(default if value is None else value)

"""Describe the running interpreter's environment (metadata only) as one line of JSON on stdout."""

# This file runs inside the *target* interpreter, which may be any CPython/PyPy 3.8+ and
# has none of lazyaudit's dependencies: stdlib only, no 3.9+ syntax or APIs, and it must
# never import third-party or project code (it only reads files and metadata).
# `from __future__ import annotations` is deliberately absent: annotations are not used.

import sys

# What the interpreter has loaded before any user import (site, encodings, os, ...): those
# modules cost a program nothing more, so cost estimates leave them out. Taken first thing.
_STARTUP_MODULES = sorted(name for name in sys.modules if name != "__main__")

if __name__ == "__main__" and not (sys.flags.isolated or getattr(sys.flags, "safe_path", False)):
    # The interpreter put this script's directory (lazyaudit's package) first on sys.path.
    # Drop it before importing anything else, so no module of ours can shadow the stdlib,
    # and so it is not reported as part of the environment.
    del sys.path[0]

import json
import os
from importlib import machinery

SCHEMA = 1

_IMPORTABLE = (".py", ".pyc", ".so", ".pyd")
# Frozen names before 3.11, where the interpreter offers no way to list them.
_OLD_FROZEN = ("_frozen_importlib", "_frozen_importlib_external", "zipimport", "__hello__", "__phello__")
# 3.8/3.9: stdlib modules of other platforms, which no directory listing here can show.
_OTHER_PLATFORMS = (
    "_dbm", "_gdbm", "_msi", "_overlapped", "_scproxy", "_winapi", "msilib", "msvcrt", "nt", "winreg", "winsound",
)
_TEST_PREFIXES = ("_test", "_ctypes_test", "xx", "_xx", "__phello__", "__hello__")


def canonical_name(name):
    """PEP 503 normalisation, the key every distribution is stored under."""
    out = []
    for char in name.lower():
        if char in "-_.":
            if not out or out[-1] != "-":
                out.append("-")
        else:
            out.append(char)
    return "".join(out)


def _headers(text):
    """Core metadata header fields (lower-cased) -> values; the body (description) is never parsed."""
    fields = {}
    last = None
    for line in text.splitlines():
        if not line.strip():
            break  # the description body starts here; skipping it is most of the speed
        if line[0] in " \t" and last is not None:
            values = fields[last]
            values[-1] = values[-1] + " " + line.strip()
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue
        last = key.strip().lower()
        fields.setdefault(last, []).append(value.strip())
    return fields


def _entry_points(text):
    """entry_points.txt (INI-like) -> {group: [names]}, without configparser's cost or quirks."""
    groups = {}
    current = None
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            groups.setdefault(current, [])
        elif current is not None and "=" in line:
            groups[current].append(line.split("=", 1)[0].strip())
    return groups


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _record_rows(dist):
    """(path relative to the install location, size or None) for every file the dist installed."""
    text = dist.read_text("RECORD")
    if text is not None:
        rows = []
        for line in text.splitlines():
            if '"' in line:  # a quoted path (it has a comma): rare, so csv only here
                import csv

                fields = next(csv.reader([line]), [])
            else:
                fields = line.rsplit(",", 2)
            if fields and fields[0]:
                size = fields[2] if len(fields) > 2 else ""
                rows.append((fields[0], int(size) if size.isdigit() else None))
        return rows
    # Legacy egg-info installs list files relative to the .egg-info directory itself.
    text = dist.read_text("installed-files.txt")
    base = getattr(dist, "_path", None)
    if text is None or base is None:
        return []
    location = os.fspath(dist.locate_file(""))
    rows = []
    for line in _lines(text):
        full = os.path.normpath(os.path.join(os.fspath(base), line))
        rows.append((os.path.relpath(full, location).replace(os.sep, "/"), None))
    return rows


def _tops_and_portions(paths, declared_namespaces):
    """Top-level import names from installed paths, and the dotted portions of namespace packages.

    A portion is the shallowest regular package or module under a directory that this
    distribution ships without an `__init__` (or declares in namespace_packages.txt).
    """
    tops = set()
    groups = {}
    for path in paths:
        if not path.endswith(_IMPORTABLE) or "__pycache__" in path:
            continue
        first, sep, rest = path.replace("\\", "/").partition("/")
        if not sep:
            stem = first.split(".", 1)[0]
            if stem.isidentifier() and not stem.startswith("__editable__"):
                tops.add(stem)
        elif first.isidentifier() and first != "bin":  # also rules out .., *.dist-info, *.data, foo.libs
            groups.setdefault(first, []).append(rest)
    portions = set()
    for first, rests in groups.items():
        tops.add(first)
        has_init = any(rest.startswith("__init__.") and "/" not in rest for rest in rests)
        if has_init and first not in declared_namespaces:
            continue  # a regular package: the common case, and no portions to find
        portions.update(_portions(first, rests, declared_namespaces))
    return sorted(tops), sorted(portions)


def _portions(first, rests, declared_namespaces):
    regular = set()
    split = []
    for rest in rests:
        parts = [first] + rest.split("/")
        if parts[-1].split(".", 1)[0] == "__init__":
            regular.add(tuple(parts[:-1]))
        split.append(parts)
    found = set()
    for parts in split:
        for depth in range(2, len(parts)):
            prefix = tuple(parts[:depth])
            if not prefix[-1].isidentifier():
                break
            if prefix in regular and ".".join(prefix) not in declared_namespaces:
                found.add(".".join(prefix))
                break
        else:
            stem = parts[-1].split(".", 1)[0]
            if all(part.isidentifier() for part in parts[1:-1]) and stem.isidentifier():
                found.add(".".join(parts[:-1] + [stem]))
    return found


def _size(location, rows):
    total = 0
    prefix = location + os.sep
    for path, size in rows:
        if size is None:
            # pip leaves the size empty for RECORD itself and the .pyc files it compiled.
            try:
                size = os.stat(path if os.path.isabs(path) else prefix + path).st_size
            except OSError:
                size = 0
        total += size
    return total


def _metadata_text(dist):
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO")
    if text:
        return text
    base = getattr(dist, "_path", None)
    if base is not None and os.path.isfile(os.fspath(base)):
        # A single-file .egg-info (old distutils installs) is the PKG-INFO itself.
        with open(os.fspath(base), encoding="utf-8", errors="replace") as handle:
            return handle.read()
    return ""


class _FolderDistribution:
    """The part of importlib.metadata.PathDistribution this script reads, for a *.dist-info or
    *.egg-info folder (or single-file .egg-info) in a plain directory. importlib.metadata itself
    costs ~30 ms to import, half of this script's time; it is used only where this is not enough."""

    def __init__(self, path):
        self._path = path

    def read_text(self, filename):
        try:
            with open(os.path.join(self._path, filename), encoding="utf-8") as handle:
                return handle.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
            return None  # what importlib's read_text swallows; a bad encoding is reported as it is there

    def locate_file(self, path):
        return os.path.join(os.path.dirname(self._path), path)


def _importlib_dist(dist):
    if isinstance(dist, _FolderDistribution):
        import pathlib
        from importlib import metadata

        return metadata.PathDistribution(pathlib.Path(dist._path))
    return dist


def _distributions(search_path):
    """Installed distributions in sys.path order, as importlib.metadata.distributions(path=...) finds them.

    Plain directories are listed here; eggs and zip files on the path go through importlib.metadata.
    """
    for entry in search_path:
        base = entry or "."
        if not os.path.isdir(base) or base.lower().endswith(".egg"):
            if os.path.exists(base):
                for dist in _importlib_distributions(entry):
                    yield dist
            continue
        try:
            children = sorted(os.listdir(base))
        except OSError:
            continue
        if any(child.lower().endswith(".egg") for child in children):
            for dist in _importlib_distributions(entry):  # eggs inside: importlib knows their layouts
                yield dist
            continue
        for child in children:
            if child.lower().endswith((".dist-info", ".egg-info")):
                yield _FolderDistribution(os.path.join(base, child))


def _importlib_distributions(entry):
    from importlib import metadata  # here, so that 3.7 and older reach main()'s version check

    return metadata.distributions(path=[entry])


def describe_distribution(dist):
    """One distribution as a JSON-ready dict, or None when it has no usable name."""
    fields = _headers(_metadata_text(dist))
    raw_name = (fields.get("name") or [""])[0]
    if not raw_name:
        return None
    name = canonical_name(raw_name)
    location = os.path.normpath(os.fspath(dist.locate_file("")))
    requires = fields.get("requires-dist")
    if requires is None and dist.read_text("requires.txt") is not None:
        requires = list(_importlib_dist(dist).requires or ())  # egg-info: importlib converts requires.txt
    rows = _record_rows(dist)
    declared = set(_lines(dist.read_text("namespace_packages.txt")))
    record_tops, portions = _tops_and_portions([path for path, _ in rows], declared)
    top_level_txt = [line.replace("/", ".") for line in _lines(dist.read_text("top_level.txt"))]
    if top_level_txt:
        top_level, source = top_level_txt, "top_level.txt"
    elif record_tops:
        top_level, source = record_tops, "RECORD"
    else:
        top_level, source = [name.replace("-", "_")], "guess"
    groups = _entry_points(dist.read_text("entry_points.txt"))
    return {
        "name": name,
        "version": (fields.get("version") or [""])[0],
        "top_level": sorted(set(top_level)),
        "top_level_source": source,
        "record_top_level": record_tops,
        "namespace_portions": portions,
        "files": len(rows),
        "size": _size(location, rows),
        "requires": list(requires or ()),
        "console_scripts": sorted(groups.get("console_scripts", ())),
        "gui_scripts": sorted(groups.get("gui_scripts", ())),
        "entry_point_groups": sorted(groups),
        "location": location,
    }


def _stdlib_names(paths):
    """sys.stdlib_module_names, or (3.8/3.9) the same thing derived from the stdlib directories."""
    names = getattr(sys, "stdlib_module_names", None)
    if names is not None:
        return sorted(names)
    found = set(sys.builtin_module_names) | set(_OTHER_PLATFORMS) | set(_OLD_FROZEN[:3])
    dirs = [paths.get("stdlib"), paths.get("platstdlib")]
    dirs += [entry for entry in sys.path if os.path.basename(entry) == "lib-dynload"]
    for directory in dirs:
        try:
            entries = list(os.scandir(directory))
        except (OSError, TypeError):
            continue
        for entry in entries:
            stem = entry.name.split(".", 1)[0]
            if not stem.isidentifier() or stem in ("site-packages", "dist-packages", "__pycache__", "test"):
                continue
            if stem.startswith(_TEST_PREFIXES):
                continue  # CPython's own test extensions, absent from sys.stdlib_module_names
            if entry.is_dir():
                if os.path.exists(os.path.join(entry.path, "__init__.py")):
                    found.add(stem)
            elif entry.name.endswith(tuple(machinery.all_suffixes())):
                found.add(stem)
    return sorted(found)


def _frozen_names():
    try:
        import _imp

        return sorted(_imp._frozen_module_names())  # 3.11+
    except (ImportError, AttributeError):
        return sorted(_OLD_FROZEN)


def _markers():
    """The PEP 508 marker environment, computed exactly as packaging's default_environment()."""
    import platform

    impl = sys.implementation.version
    impl_version = f"{impl.major}.{impl.minor}.{impl.micro}"
    if impl.releaselevel != "final":
        impl_version += impl.releaselevel[0] + str(impl.serial)
    return {
        "implementation_name": sys.implementation.name,
        "implementation_version": impl_version,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }


def collect(path=None):
    """Everything lazyaudit needs to know about this interpreter; `path` defaults to sys.path."""
    import sysconfig

    search_path = list(sys.path if path is None else path)
    seen = set()
    dists = []
    errors = []
    for dist in _distributions(search_path):
        try:
            info = describe_distribution(dist)
        except Exception as exc:  # noqa: BLE001 - one broken install must not hide the rest
            errors.append(f"{os.fspath(getattr(dist, '_path', '?'))}: {exc!r}")
            continue
        # importlib yields in sys.path order and imports resolve to the first one: first wins.
        if info is None or info["name"] in seen:
            continue
        seen.add(info["name"])
        dists.append(info)
    paths = sysconfig.get_paths()
    markers = _markers()
    return {
        "schema": SCHEMA,
        "executable": sys.executable,
        "version_info": list(sys.version_info),
        "implementation": sys.implementation.name,
        "sys_platform": sys.platform,
        "platform_machine": markers["platform_machine"],
        "os_name": os.name,
        "prefix": sys.prefix,
        "base_prefix": getattr(sys, "base_prefix", sys.prefix),
        "sys_path": search_path,
        "paths": {key: paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths},
        "stdlib_module_names": _stdlib_names(paths),
        "builtin_module_names": sorted(sys.builtin_module_names),
        "frozen_module_names": _frozen_names(),
        "extension_suffixes": list(machinery.EXTENSION_SUFFIXES),
        "source_suffixes": list(machinery.SOURCE_SUFFIXES),
        "bytecode_suffixes": list(machinery.BYTECODE_SUFFIXES),
        "markers": markers,
        "distributions": dists,
        "errors": errors,
        "startup_modules": _STARTUP_MODULES,
        "user_site": _user_site(),
        "editable_top_level": _editable_mappings(search_path),
    }


def _editable_mappings(search_path):
    """Top-level name -> folder or file, from setuptools' PEP 660 editable finders on the path.

    `pip install -e .` of a flat-layout project installs no path entry: a .pth file imports a
    `__editable___<dist>_finder` module whose MAPPING the import system consults after sys.path.
    The finder is read, never imported.
    """
    found = {}
    for entry in search_path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        pth_text = ""
        for name in names:
            if name.startswith("__editable__") and name.endswith(".pth"):
                try:
                    with open(os.path.join(entry, name), encoding="utf-8") as handle:
                        pth_text += handle.read()
                except (OSError, UnicodeDecodeError):
                    pass
        for name in names:
            stem = name[:-3]
            if not (name.startswith("__editable___") and name.endswith("_finder.py")) or stem not in pth_text:
                continue  # a finder no .pth installs is never consulted
            for top, path in _finder_mapping(os.path.join(entry, name)).items():
                found.setdefault(top, path)  # the first finder installed wins, as on sys.meta_path
    return found


def _finder_mapping(path):
    import ast

    try:
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else getattr(
            node, "target", None) if isinstance(node, ast.AnnAssign) else None
        if isinstance(target, ast.Name) and target.id == "MAPPING" and node.value is not None:
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return {}
            if isinstance(value, dict):
                return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}
    return {}


def _user_site():
    """Where this interpreter's user site-packages is (or would be): created later, it joins sys.path."""
    site = sys.modules.get("site")  # already imported at start-up, unless -S
    if site is None or not getattr(site, "ENABLE_USER_SITE", False):
        return None
    return getattr(site, "USER_SITE", None)


def environment_path():
    """sys.path as a program of this interpreter sees it, without "current directory" entries."""
    # Empty entries mean the caller's working directory, which is first-party, not environment.
    return [os.path.abspath(entry) for entry in sys.path if entry]


def main():
    if sys.version_info < (3, 8):  # noqa: UP036 - this file runs on the target, any Python 3
        sys.stderr.write("lazyaudit needs a target interpreter of Python 3.8 or newer\n")
        return 3
    sys.stdout.write(json.dumps(collect(environment_path()), sort_keys=True) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

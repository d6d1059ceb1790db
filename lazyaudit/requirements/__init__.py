"""Declared requirements of a project: discovery of every requirement source, one adapter per format."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from lazyaudit.model import Finding, Requirement
from lazyaudit.pyproject import read_toml
from lazyaudit.requirements.lockstyle import (
    candidate_paths,
    group_for_path,
    is_direct,
    is_lock_file_name,
    is_lock_style,
    via_inputs,
)
from lazyaudit.requirements.pep621 import TomlLines, dynamic_files, la900, read_dependency_groups, read_pep621
from lazyaudit.requirements.pip_files import PipReader, decode_text, refusal, within
from lazyaudit.requirements.poetry import poetry_specifier, read_poetry
from lazyaudit.requirements.setup_cfg import declares_requirements, read_setup_cfg
from lazyaudit.requirements.tool_groups import read_pipfile, read_tool_groups

__all__ = [
    "RequirementSet",
    "evaluate_marker",
    "group_for_path",
    "is_dev_group",
    "load_requirements",
    "poetry_specifier",
    "specifier_satisfied",
]

_PIP_PATTERNS = ("*requirements*.txt", "*requirements*.in")


@dataclass(frozen=True, slots=True)
class RequirementSet:
    """Everything a project declares, sorted; broken input is in `findings` (LA900), never raised."""

    requirements: tuple[Requirement, ...] = ()
    findings: tuple[Finding, ...] = ()
    sources: tuple[str, ...] = ()  # files that were read and declare requirements (relative, posix)
    lock_files: tuple[str, ...] = ()  # lock-style requirement files read, plus poetry.lock/uv.lock/... seen

    @property
    def declared(self) -> tuple[Requirement, ...]:
        """Direct declarations: lock pins and constraints left out."""
        return tuple(r for r in self.requirements if not r.is_lock and r.group != "constraint")

    @property
    def runtime(self) -> tuple[Requirement, ...]:
        """Direct runtime declarations (group "runtime", not a lock pin)."""
        return tuple(r for r in self.declared if r.group == "runtime")


def is_dev_group(group: str) -> bool:
    """Whether a group is development-only: anything but runtime, optional extras and constraints."""
    return group not in ("runtime", "optional", "constraint") and not group.startswith("optional:")


def load_requirements(root: Path, *, extra_files: Sequence[str] = (), roots: Sequence[str] = ()) -> RequirementSet:
    """Read every requirement source of the project at `root` (and of each sub-root, e.g. a SAM CodeUri)."""
    loader = _Loader(Path(root).resolve())
    loader.folder(loader.root)
    for sub in roots:
        folder = within(loader.root / sub, loader.root)
        if folder is None:
            loader.findings.append(la900(f"refusing to read requirements outside the project: {sub}", ""))
        elif folder.is_dir() and folder != loader.root:
            loader.folder(folder)
    for name in extra_files:
        loader.extra(name)
    return loader.result()


def evaluate_marker(marker: str, environment: Mapping[str, str]) -> bool | None:
    """Whether a PEP 508 marker holds in `environment`; None when it cannot be parsed or compared.

    Keys missing from `environment` are taken from the running interpreter (packaging's default), so
    pass the target interpreter's full environment when it is another one. An empty marker holds.
    """
    if not marker.strip():
        return True
    try:
        return Marker(marker).evaluate(dict(environment))
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName, InvalidVersion, TypeError, ValueError):
        return None


def specifier_satisfied(specifier: str, version: str, *, prereleases: bool | None = None) -> bool | None:
    """Whether `version` satisfies `specifier`; None when either is not valid PEP 440.

    Pre-releases satisfy only a specifier that mentions one, unless `prereleases` says otherwise
    (`pip check` passes True for versions already installed). An empty specifier allows anything.
    """
    try:
        spec = SpecifierSet(specifier)
        parsed = Version(version)
    except (InvalidSpecifier, InvalidVersion):
        return None
    if not specifier.strip():
        return True
    if prereleases is None:
        prereleases = any(_is_prerelease(item.version) for item in spec)
    if parsed.is_prerelease and not prereleases:
        return False
    return spec.contains(parsed, prereleases=True)


def _is_prerelease(text: str) -> bool:
    try:
        return Version(text.removesuffix(".*")).is_prerelease
    except InvalidVersion:
        return False


class _Loader:
    """Shared state of one load: each file read once, findings collected, locks classified at the end."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.reader = PipReader(root)
        self.requirements: list[Requirement] = []
        self.findings: list[Finding] = []
        self.sources: set[str] = set()
        self.lock_files: set[str] = set()
        self.declaring: set[Path] = set()  # pyproject/setup.cfg/Pipfile files that declared requirements
        self.seen: set[Path] = set()

    def folder(self, folder: Path) -> None:
        for name, read in (("pyproject.toml", self.pyproject), ("setup.cfg", self.setup_cfg), ("Pipfile", self.pipfile)):
            if (folder / name).is_file():
                read(folder / name)
        candidates = [p for p in _children(folder) if _matches(p.name, _PIP_PATTERNS)]
        candidates += [p for p in _children(folder / "requirements") if _matches(p.name, ("*.txt", "*.in"))]
        for path in candidates:
            if within(path, self.root) is None:  # a symlink leading out of the project
                link = path.relative_to(self.root).as_posix()
                self.findings.append(la900(refusal(path, link), link))
            elif path.is_file():
                self.reader.read(path)
            else:  # a pipe or a device would block or never end
                rel = path.relative_to(self.root).as_posix()
                self.findings.append(la900(f"{rel} is not a regular file: not read", rel))
        for path in _folders(folder, _PIP_PATTERNS):
            rel = path.relative_to(self.root).as_posix()
            self.findings.append(la900(f"{rel} is a directory, not a requirement file: not read", rel))
        self.lock_files.update(self.reader.rel(p) for p in _children(folder) if is_lock_file_name(p.name))

    def extra(self, name: str) -> None:
        path = within(self.root / name, self.root)
        if path is None:
            self.findings.append(la900(refusal(self.root / name, name), ""))
        elif not path.is_file():
            self.findings.append(la900(f"requirement file not found: {name}", ""))
        else:
            read = {"pyproject.toml": self.pyproject, "setup.cfg": self.setup_cfg, "Pipfile": self.pipfile}
            read.get(path.name, self.reader.read)(path)

    def pyproject(self, path: Path) -> None:
        data, toml, rel = self._toml(path)
        if data is None:
            return
        for parsed in (read_pep621(data, toml, rel), read_dependency_groups(data, toml, rel),
                       read_poetry(data, toml, rel), read_tool_groups(data, toml, rel, self.reader, path.parent)):
            self._add(parsed, path, rel)
        if _declares(data):
            self._add(([], []), path, rel)
        for name, group in dynamic_files(data):
            key = "dependencies" if group == "runtime" else "optional-dependencies"
            self.reader.include(name, path.parent, rel, toml.key_line("tool.setuptools.dynamic", key), group)

    def pipfile(self, path: Path) -> None:
        data, toml, rel = self._toml(path)
        if data is not None:
            self._add(read_pipfile(data, toml, rel), path, rel, always="packages" in data or "dev-packages" in data)

    def setup_cfg(self, path: Path) -> None:
        if path in self.seen:
            return
        self.seen.add(path)
        rel = self.reader.rel(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.findings.append(la900(f"cannot read {rel}: {exc.strerror or exc}", rel))
            return
        text = decode_text(data, rel, self.findings)
        reqs, findings, files = read_setup_cfg(text, rel)
        self._add((reqs, findings), path, rel, always=declares_requirements(text))
        for name, group, line in files:
            self.reader.include(name, path.parent, rel, line, group)

    def _toml(self, path: Path) -> tuple[dict[str, Any] | None, TomlLines, str]:
        rel = self.reader.rel(path)
        if path in self.seen:
            return None, TomlLines(""), rel
        self.seen.add(path)
        data, finding = read_toml(path, self.root)
        if finding is not None:
            self.findings.append(finding)
            return None, TomlLines(""), rel
        # tomllib gives no positions: the text is kept only to find lines for requirements and findings
        return data, TomlLines(path.read_bytes().decode("utf-8", "replace")), rel

    def _add(self, parsed: tuple[list[Requirement], list[Finding]], path: Path, rel: str, always: bool = False) -> None:
        self.requirements.extend(parsed[0])
        self.findings.extend(parsed[1])
        if parsed[0] or parsed[1] or always:
            self.sources.add(rel)
            self.declaring.add(within(path, self.root) or path)

    def result(self) -> RequirementSet:
        files = list(self.reader.files.values())
        locks = [f for f in files if is_lock_style(f)]
        for lock in locks:  # the `.in` a lock names is the declared list: read it when it is in the project
            for target in {t for line in lock.lines for t in via_inputs(line)}:
                for candidate in candidate_paths(self.root, lock, target):
                    if within(candidate, self.root) is not None and candidate.is_file():
                        self.reader.read(candidate)
                        break
        read = set(self.reader.files) | self.declaring
        for file in self.reader.files.values():
            pins = file in locks

            def declared(target: str, file: Any = file) -> bool:
                return any(within(c, self.root) in read for c in candidate_paths(self.root, file, target))

            for line in file.lines:
                pin = pins and not is_direct(file, line, declared)
                self.requirements.append(replace(line.requirement, is_lock=True) if pin else line.requirement)
            self.sources.add(file.path)
            if pins:
                self.lock_files.add(file.path)
        return RequirementSet(
            requirements=tuple(sorted(self.requirements, key=lambda r: (r.path, r.line, r.name, r.group))),
            findings=tuple(sorted(self.findings + self.reader.findings, key=lambda f: (*f.sort_key, f.message))),
            sources=tuple(sorted(self.sources)),
            lock_files=tuple(sorted(self.lock_files)),
        )


def _declares(data: dict[str, Any]) -> bool:
    def table(parent: Any, key: str) -> dict[str, Any]:
        value = parent.get(key) if isinstance(parent, dict) else None
        return value if isinstance(value, dict) else {}

    tool = table(data, "tool")
    return bool(
        {"dependencies", "optional-dependencies"} & set(table(data, "project"))
        or "dependency-groups" in data
        or {"dependencies", "dev-dependencies", "group"} & set(table(tool, "poetry"))
        or "dev-dependencies" in table(tool, "pdm")
        or "dev-dependencies" in table(tool, "uv")
    )


def _children(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if not p.is_dir())
    except OSError:
        return []


def _folders(folder: Path, patterns: Sequence[str]) -> list[Path]:
    """Directories named like requirement files (`requirements.txt/`), which are reported, not read."""
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink() and _matches(p.name, patterns))
    except OSError:
        return []


def _matches(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(name.lower(), pattern) for pattern in patterns)

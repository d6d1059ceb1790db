"""Poetry's [tool.poetry] dependencies, legacy dev-dependencies, groups and extras, with caret/tilde translated."""

from __future__ import annotations

import re
from typing import Any

from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from lazyaudit.model import Finding, Requirement
from lazyaudit.requirements.pep621 import Parsed, TomlLines, la900

_OPERATOR_SPACE = re.compile(r"(>=|<=|!=|==|~=|>|<|=|\^|~)\s+")


def poetry_specifier(constraint: str) -> str:
    """A Poetry version constraint as a PEP 440 specifier: `^1.2` -> `>=1.2,<2.0`, `~1.2` -> `>=1.2,<1.3`.

    `*` and "" mean any version (""). A union (`^1 || ^3`) has no PEP 440 form: it becomes "" once every
    branch is known to be valid, so that no version is ever judged outside it. Raises ValueError when invalid.
    """
    text = constraint.strip()
    branches = [b.strip() for b in re.split(r"\|\|?", text)]
    if len(branches) > 1:
        for branch in branches:
            poetry_specifier(branch)
        return ""
    parts: list[str] = []
    for atom in re.split(r"[,\s]+", _OPERATOR_SPACE.sub(r"\1", text)):
        if atom in ("", "*"):
            continue
        if atom.startswith("^"):
            parts.extend(_bounded(atom[1:], caret=True))
        elif atom.startswith("~") and not atom.startswith("~="):
            parts.extend(_bounded(atom[1:], caret=False))
        elif atom[0] in "<>!~=":
            parts.append("==" + atom[1:] if atom.startswith("=") and not atom.startswith("==") else atom)
        else:
            parts.append("==" + atom)
    spec = ",".join(parts)
    try:
        SpecifierSet(spec)
    except InvalidSpecifier as exc:
        raise ValueError(f"invalid version constraint {constraint!r}") from exc
    return spec


def _bounded(version: str, *, caret: bool) -> list[str]:
    try:
        parsed = Version(version)
    except InvalidVersion as exc:
        raise ValueError(f"invalid version {version!r}") from exc
    release = parsed.release
    if caret:  # bump the leftmost non-zero component (the last given one when all are zero)
        index = next((i for i, part in enumerate(release) if part), len(release) - 1)
    else:  # tilde: `~1` allows minor and patch changes, `~1.2` and `~1.2.3` only patch changes
        index = 0 if len(release) == 1 else 1
    upper = release[:index] + (release[index] + 1,) + (0,) * (len(release) - index - 1)
    return [f">={parsed}", "<" + ".".join(str(part) for part in upper)]


def python_marker(constraint: str) -> str:
    """A Poetry `python = "^3.8"` constraint as a marker; "" for any version. Raises ValueError when invalid."""
    branches = [b.strip() for b in re.split(r"\|\|?", constraint.strip())]
    out = []
    for branch in branches:
        spec = poetry_specifier(branch)
        clauses = []
        for part in (p for p in spec.split(",") if p):
            op, version = re.match(r"(===|==|!=|~=|>=|<=|>|<)(.*)", part).groups()  # type: ignore[union-attr]
            key = "python_full_version" if version.count(".") >= 2 and "*" not in version else "python_version"
            clauses.append(f'{key} {op} "{version}"')
        if not clauses:
            return ""
        out.append(" and ".join(clauses))
    return out[0] if len(out) == 1 else " or ".join(f"({branch})" for branch in out)


def read_poetry(data: dict[str, Any], toml: TomlLines, path: str) -> Parsed:
    """Runtime deps (unless static PEP 621 dependencies take over, as in Poetry 2), dev-dependencies, groups."""
    reqs: list[Requirement] = []
    findings: list[Finding] = []
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    if not isinstance(poetry, dict):
        return reqs, findings
    extras = _extras(poetry.get("extras"))
    project = data.get("project")
    static = isinstance(project, dict) and "dependencies" in project and "dependencies" not in project.get(
        "dynamic", ()
    )
    tables: list[tuple[str, Any, str]] = []
    if not static:
        tables.append(("tool.poetry.dependencies", poetry.get("dependencies"), "runtime"))
    tables.append(("tool.poetry.dev-dependencies", poetry.get("dev-dependencies"), "dev"))
    groups = poetry.get("group")
    if isinstance(groups, dict):
        for name, body in groups.items():
            normal = str(canonicalize_name(str(name)))
            deps = body.get("dependencies") if isinstance(body, dict) else None
            # Poetry's implicit "main" group is the runtime dependencies
            tables.append((f"tool.poetry.group.{name}.dependencies", deps, "runtime" if normal == "main" else normal))
    for table, deps, group in tables:
        if deps is None:
            continue
        if not isinstance(deps, dict):
            findings.append(la900(f"[{table}] must be a table", path, toml.table_line(table)))
            continue
        for name, value in deps.items():
            if str(name).lower() == "python":
                continue
            line = toml.key_line(table, str(name))
            for result in _entry(str(name), value, group, extras, path, line, toml.text(line)):
                (reqs if isinstance(result, Requirement) else findings).append(result)  # type: ignore[arg-type]
    return reqs, findings


def _extras(value: Any) -> dict[str, list[str]]:
    """Canonical dependency name -> the extras ([tool.poetry.extras]) that list it."""
    out: dict[str, list[str]] = {}
    if isinstance(value, dict):
        for extra, names in value.items():
            for name in names if isinstance(names, list) else ():
                if isinstance(name, str):
                    out.setdefault(canonicalize_name(re.split(r"[\s\[<>=!~;]", name, 1)[0]), []).append(extra)
    return out


def _entry(name: str, value: Any, group: str, extras: dict[str, list[str]], path: str, line: int,
           source: str) -> list[Requirement | Finding]:
    raw = source if source.startswith((name, f'"{name}"', f"'{name}'")) else f"{name} = {value!r}"
    if isinstance(value, list):  # multiple-constraints dependency: one requirement per branch
        return [r for item in value for r in _entry(name, item, group, extras, path, line, source)]
    if isinstance(value, str):
        value = {"version": value}
    if not isinstance(value, dict):
        return [la900(f"{name}: expected a version string or a table, got {value!r}", path, line, name)]
    try:
        specifier = poetry_specifier(str(value.get("version", "")))
        markers = [str(value["markers"])] if value.get("markers") else []
        if value.get("python"):
            markers.append(python_marker(str(value["python"])))
        if value.get("platform"):
            markers.append(f'sys_platform == "{value["platform"]}"')
        markers = [m for m in markers if m]
        marker = " and ".join(f"({m})" if " or " in m and len(markers) > 1 else m for m in markers)
        marker = str(Marker(marker)) if marker else ""
    except (ValueError, InvalidMarker) as exc:
        return [la900(f"{name}: {str(exc).splitlines()[0]}", path, line, name)]
    url = _url(value)
    extra_list = value.get("extras", [])
    req = Requirement(
        name=canonicalize_name(name),
        raw=raw,
        path=path,
        line=line,
        specifier=specifier,
        extras=tuple(sorted(canonicalize_name(e) for e in extra_list if isinstance(e, str)))
        if isinstance(extra_list, list) else (),
        marker=marker,
        group=group,
        url=url,
        editable=bool(value.get("develop")),
    )
    if group == "runtime" and value.get("optional"):
        names = extras.get(req.name) or [""]
        return [_with_group(req, f"optional:{canonicalize_name(e)}" if e else "optional") for e in names]
    return [req]


def _url(value: dict[str, Any]) -> str:
    if value.get("git"):
        ref = value.get("rev") or value.get("tag") or value.get("branch")
        url = str(value["git"])
        url = url if url.startswith("git+") else f"git+{url}"
        url = f"{url}@{ref}" if ref else url
        return f"{url}#subdirectory={value['subdirectory']}" if value.get("subdirectory") else url
    for key in ("path", "url", "file"):
        if value.get(key):
            return str(value[key])
    return ""


def _with_group(req: Requirement, group: str) -> Requirement:
    from dataclasses import replace  # only optional extras need a copy

    return replace(req, group=group)

"""Tool-specific development groups (PDM, uv) and Pipenv's Pipfile; hatch environments are deliberately not read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from lazyaudit.model import Finding, Requirement
from lazyaudit.requirements.pep621 import Parsed, TomlLines, la900, parse_pep508, read_array
from lazyaudit.requirements.pip_files import PipReader

# Hatch's [tool.hatch.envs.*] dependencies are tool environments (like tox envs): what a test or lint
# run installs, not what the project declares. Reading them would only add noise, so they are skipped.

_PIPFILE_MARKERS = ("os_name", "sys_platform", "platform_machine", "platform_python_implementation",
                    "platform_release", "platform_system", "platform_version", "python_version",
                    "python_full_version", "implementation_name", "implementation_version")


def read_tool_groups(data: dict[str, Any], toml: TomlLines, path: str, reader: PipReader, base: Path) -> Parsed:
    """[tool.pdm.dev-dependencies] (group per key) and [tool.uv] dev-dependencies (group "dev")."""
    reqs: list[Requirement] = []
    findings: list[Finding] = []
    tool = data.get("tool")
    if not isinstance(tool, dict):
        return reqs, findings
    pdm = tool.get("pdm")
    groups = pdm.get("dev-dependencies") if isinstance(pdm, dict) else None
    if groups is not None and not isinstance(groups, dict):
        findings.append(la900("[tool.pdm.dev-dependencies] must be a table", path,
                              toml.key_line("tool.pdm", "dev-dependencies")))
    elif groups:
        for name, items in groups.items():
            parsed = _pdm_group(items, toml, str(name), path, reader, base)
            reqs.extend(parsed[0])
            findings.extend(parsed[1])
    uv = tool.get("uv")
    if isinstance(uv, dict) and "dev-dependencies" in uv:
        parsed = read_array(uv["dev-dependencies"], toml, "tool.uv", "dev-dependencies", "dev", path)
        reqs.extend(parsed[0])
        findings.extend(parsed[1])
    return reqs, findings


def _pdm_group(items: Any, toml: TomlLines, name: str, path: str, reader: PipReader, base: Path) -> Parsed:
    table, group = "tool.pdm.dev-dependencies", canonicalize_name(name)
    if not isinstance(items, list):
        return read_array(items, toml, table, name, group, path)
    def is_editable(item: Any) -> bool:
        return isinstance(item, str) and item.lstrip().startswith("-e")

    reqs, findings = read_array([i for i in items if not is_editable(i)], toml, table, name, group, path)
    editables = [item.lstrip()[2:].strip() for item in items if is_editable(item)]
    lines = toml.value_lines(table, name, ["-e " + e for e in editables])
    for spec, line in zip(editables, lines):
        # PDM keeps pip's editable syntax here (`-e ./pkg`, `-e git+...#egg=name`)
        result = reader.requirement(spec, base, path, line, group, editable=True)
        if isinstance(result, Requirement):
            reqs.append(result)
        elif result is not None:
            findings.append(result)
    return reqs, findings


def read_pipfile(data: dict[str, Any], toml: TomlLines, path: str) -> Parsed:
    """Pipfile [packages] (runtime) and [dev-packages] ("dev")."""
    reqs: list[Requirement] = []
    findings: list[Finding] = []
    for table, group in (("packages", "runtime"), ("dev-packages", "dev")):
        deps = data.get(table)
        if deps is None:
            continue
        if not isinstance(deps, dict):
            findings.append(la900(f"[{table}] must be a table", path, toml.table_line(table)))
            continue
        for name, value in deps.items():
            line = toml.key_line(table, str(name))
            result = _pipfile_entry(str(name), value, group, path, line, toml.text(line))
            (reqs if isinstance(result, Requirement) else findings).append(result)  # type: ignore[arg-type]
    return reqs, findings


def _pipfile_entry(name: str, value: Any, group: str, path: str, line: int, source: str) -> Requirement | Finding:
    if isinstance(value, str):
        value = {"version": value}
    if not isinstance(value, dict):
        return la900(f"{name}: expected a version string or a table, got {value!r}", path, line, name)
    version = str(value.get("version", "*")).strip()
    version = "" if version in ("*", "") else version
    markers = [str(value["markers"])] if value.get("markers") else []
    markers += [f"{key} {value[key]}" for key in _PIPFILE_MARKERS if isinstance(value.get(key), str)]
    try:
        specifier = str(SpecifierSet(version))
        marker = str(Marker(" and ".join(f"({m})" for m in markers))) if markers else ""
    except (InvalidSpecifier, InvalidMarker) as exc:
        return la900(f"{name}: {str(exc).splitlines()[0]}", path, line, name)
    extras = value.get("extras")
    req = parse_pep508(name, path, line, group)
    if isinstance(req, Finding):
        return req
    url = value.get("git") or value.get("path") or value.get("file") or ""
    raw = source if source.startswith((name, f'"{name}"', f"'{name}'")) else f"{name} = {value!r}"
    return Requirement(req.name, raw, path, line, specifier=specifier,
                       extras=tuple(sorted(canonicalize_name(e) for e in extras if isinstance(e, str)))
                       if isinstance(extras, list) else (), marker=marker, group=group, url=str(url),
                       editable=bool(value.get("editable")))

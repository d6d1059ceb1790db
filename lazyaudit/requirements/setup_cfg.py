"""setuptools' setup.cfg requirements ([options], [options.extras_require]); the name a local project declares."""

from __future__ import annotations

import re
from pathlib import Path

from packaging.utils import canonicalize_name

from lazyaudit.model import Finding, Requirement
from lazyaudit.pyproject import read_toml
from lazyaudit.requirements.pep621 import parse_pep508

_SECTION = re.compile(r"^\[([^\]]+)\]")
_KEY = re.compile(r"^([^=:\s][^=:]*?)\s*[=:]\s*(.*)$")


def read_setup_cfg(text: str, path: str) -> tuple[list[Requirement], list[Finding], list[tuple[str, str, int]]]:
    """Requirements, findings, and (file, group, line) for `install_requires = file: ...` directives."""
    reqs: list[Requirement] = []
    findings: list[Finding] = []
    files: list[tuple[str, str, int]] = []
    for (section, key), (key_line, values) in _values(text).items():
        group = _group(section, key)
        if group is None:
            continue
        if len(values) == 1 and values[0][0] == key_line and values[0][1].startswith("file:"):
            names = values[0][1][5:].split(",")
            files.extend((name.strip(), group, key_line) for name in names if name.strip())
            continue
        if len(values) == 1 and values[0][0] == key_line:
            # setuptools splits a one-line value on ";" (so a marker there breaks it, as it does in setuptools)
            values = [(key_line, part) for part in values[0][1].split(";")]
        for line, item in values:
            if not item.strip():
                continue
            result = parse_pep508(item, path, line, group)
            (reqs if isinstance(result, Requirement) else findings).append(result)  # type: ignore[arg-type]
    return reqs, findings, files


def declares_requirements(text: str) -> bool:
    """Whether setup.cfg has any requirement key this module reads."""
    return any(_group(section, key) is not None for section, key in _values(text))


def local_project_name(folder: Path) -> str:
    """The distribution name a local project folder declares (pyproject.toml, then setup.cfg); "" when unknown."""
    if (folder / "pyproject.toml").is_file():
        data, _ = read_toml(folder / "pyproject.toml", folder)
        tool = data.get("tool")
        for table in (data.get("project"), tool.get("poetry") if isinstance(tool, dict) else None):
            if isinstance(table, dict) and isinstance(table.get("name"), str):
                return str(table["name"])
    try:
        text = (folder / "setup.cfg").read_bytes().decode("utf-8", "replace")
    except OSError:
        return ""
    _, values = _values(text).get(("metadata", "name"), (0, []))
    return values[0][1] if values else ""


def _group(section: str, key: str) -> str | None:
    if section == "options" and key == "install_requires":
        return "runtime"
    if section == "options" and key == "tests_require":
        return "dev"
    if section == "options.extras_require":
        return f"optional:{canonicalize_name(key.split(':', 1)[0].strip())}"
    return None


def _values(text: str) -> dict[tuple[str, str], tuple[int, list[tuple[int, str]]]]:
    """(section, key) -> (key line, [(line, value line)]), read the way configparser reads it, with lines."""
    out: dict[tuple[str, str], tuple[int, list[tuple[int, str]]]] = {}
    section = ""
    current: list[tuple[int, str]] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue  # configparser skips comment and blank lines, also inside multi-line values
        if line[0].isspace():
            if current is not None:
                current.append((number, stripped))
            continue
        section_match = _SECTION.match(stripped)
        if section_match:
            section, current = section_match.group(1).strip().lower(), None
            continue
        key_match = _KEY.match(line)
        if key_match is None:
            current = None
            continue
        key = key_match.group(1).strip()
        # setuptools accepts `install-requires` (deprecated) for `install_requires`; extras keep their spelling
        key = key.lower().replace("-", "_") if section == "options" else key
        current = [(number, key_match.group(2).strip())] if key_match.group(2).strip() else []
        out[(section, key)] = (number, current)
    return out

"""Console and GUI scripts: [project.scripts], [project.gui-scripts], [tool.poetry.scripts], setup.cfg entry points."""

from __future__ import annotations

import configparser
from pathlib import Path
from typing import Any

from lazyaudit.entry_sources import line_of_key, parse_object_ref, problem
from lazyaudit.model import Entry, Finding


def pyproject_entries(data: dict[str, Any], root: Path) -> tuple[list[Entry], list[Finding]]:
    """Scripts declared in an already-parsed pyproject.toml (PEP 621 and Poetry)."""
    text = _read(root / "pyproject.toml")
    entries: list[Entry] = []
    findings: list[Finding] = []
    project = data.get("project")
    project = project if isinstance(project, dict) else {}
    for table in ("scripts", "gui-scripts"):
        scripts = project.get(table)
        if isinstance(scripts, dict):
            _collect(scripts, ("project." + table, "project"), "pyproject.scripts", text, entries, findings)
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    scripts = poetry.get("scripts") if isinstance(poetry, dict) else None
    if isinstance(scripts, dict):
        _collect(scripts, ("tool.poetry.scripts", "tool.poetry"), "poetry.scripts", text, entries, findings)
    return entries, findings


def _collect(
    scripts: dict[str, Any], sections: tuple[str, ...], source: str, text: str,
    entries: list[Entry], findings: list[Finding],
) -> None:
    for name, value in scripts.items():
        line = line_of_key(text, sections, name)
        if isinstance(value, dict):  # Poetry: {callable = "pkg:main"} or {reference = ..., type = "file"}
            if value.get("type", "console") != "console":
                continue  # a script file, not an importable object
            value = value.get("callable", value.get("reference"))
        ref = parse_object_ref(value) if isinstance(value, str) else None
        if ref is None:
            findings.append(problem(f"pyproject.toml: script {name!r} = {value!r} is not an entry point "
                                    "(expected 'package.module:function')", "pyproject.toml", line, name))
            continue
        entries.append(Entry(ref[0], ref[1], source, name, path="pyproject.toml", line=line))


def setup_cfg_entries(root: Path) -> tuple[list[Entry], list[Finding]]:
    """console_scripts and gui_scripts of setup.cfg's [options.entry_points]."""
    path = root / "setup.cfg"
    if not path.is_file():
        return [], []
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        return [], [problem(f"cannot read setup.cfg: {exc.strerror or exc}", "setup.cfg")]
    except UnicodeDecodeError as exc:
        return [], [problem(f"setup.cfg is not UTF-8: {exc.reason}", "setup.cfg")]
    parser = configparser.RawConfigParser(strict=False)  # setuptools reads it without interpolation too
    try:
        parser.read_string(text, "setup.cfg")
    except configparser.Error as exc:
        return [], [problem(f"invalid setup.cfg: {exc}", "setup.cfg", getattr(exc, "lineno", 0) or 0)]
    if not parser.has_section("options.entry_points"):
        return [], []
    entries: list[Entry] = []
    findings: list[Finding] = []
    for group in ("console_scripts", "gui_scripts"):
        raw = parser.get("options.entry_points", group, fallback="")
        for item in (part.strip() for part in raw.splitlines()):
            if not item or item.startswith("#"):
                continue
            name, eq, spec = (p.strip() for p in item.partition("="))
            line = _line_containing(text, item)
            ref = parse_object_ref(spec) if eq and name else None
            if ref is None:
                findings.append(problem(f"setup.cfg: {group} line {item!r} is not 'name = package.module:function'",
                                        "setup.cfg", line, name))
                continue
            entries.append(Entry(ref[0], ref[1], "setup.cfg", name, path="setup.cfg", line=line))
    return entries, findings


def _line_containing(text: str, item: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip() == item:
            return number
    return 0


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""

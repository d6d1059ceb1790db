"""PEP 508 strings, PEP 621 dependencies and PEP 735 dependency groups, located to their lines in pyproject.toml."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as Pep508
from packaging.utils import canonicalize_name

from lazyaudit.model import Finding, Requirement

Parsed = tuple[list[Requirement], list[Finding]]

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")


def la900(message: str, path: str, line: int = 0, subject: str = "", severity: str = "error") -> Finding:
    """An LA900 finding about a requirement source."""
    return Finding("LA900", message, path, line, subject=subject, severity=severity)


def parse_pep508(raw: str, path: str, line: int, group: str, *, is_lock: bool = False) -> Requirement | Finding:
    """One PEP 508 string as a Requirement (name canonicalised here, once), or an LA900 finding saying why not."""
    text = raw.strip()
    try:
        req = Pep508(text)
    except InvalidRequirement as exc:
        # packaging's message has a caret diagram below the first line; the first line says what is wrong
        return la900(f"invalid requirement {text!r}: {str(exc).splitlines()[0]}", path, line)
    return Requirement(
        name=canonicalize_name(req.name),
        raw=text,
        path=path,
        line=line,
        specifier=str(req.specifier),
        extras=tuple(sorted(canonicalize_name(e) for e in req.extras)),
        marker=str(req.marker) if req.marker else "",
        group=group,
        is_lock=is_lock,
        url=req.url or "",
    )


def _norm_key(text: str) -> str:
    return re.sub(r"\s*\.\s*", ".", text.strip()).replace('"', "").replace("'", "")


def escaped(text: str) -> str:
    """A string as TOML writes it in a basic (double-quoted) string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Raw(str):
    """A needle searched as written (a number, a key), not as a quoted string."""


def needle(item: Any) -> str:
    """What to look for to find an array item's line."""
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        if isinstance(item.get("include-group"), str):
            return item["include-group"]
        return Raw(next(iter(item), "{"))
    return Raw(str(item).lower() if isinstance(item, bool) else str(item))


class TomlLines:
    """Finds the line of a table, key or array value in TOML text (tomllib gives no positions)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self._headers: list[tuple[int, str]] = []
        for index, line in enumerate(self.lines):
            match = _HEADER.match(line)
            if match and "=" not in match.group(1):
                self._headers.append((index, _norm_key(match.group(1))))

    def section(self, table: str) -> tuple[int, int] | None:
        """0-based (header index, end index exclusive) of a table, None when it has no header ("" = top level)."""
        if not table:
            return -1, self._headers[0][0] if self._headers else len(self.lines)
        for pos, (index, name) in enumerate(self._headers):
            if name == table:
                end = self._headers[pos + 1][0] if pos + 1 < len(self._headers) else len(self.lines)
                return index, end
        return None

    def table_line(self, table: str) -> int:
        """1-based line of a table's header; 0 when it has none."""
        span = self.section(table)
        return span[0] + 1 if span is not None and span[0] >= 0 else 0

    def key_line(self, table: str, key: str) -> int:
        """1-based line where `key` is assigned in `table` (or its `[table.key]` header); 0 when unknown."""
        span = self.section(table)
        if span is not None:
            quoted = re.escape(key)
            pattern = re.compile(rf"""^\s*(?:"{quoted}"|'{quoted}'|{quoted})\s*[=.]""")
            for index in range(span[0] + 1, span[1]):
                if pattern.match(self.lines[index]):
                    return index + 1
        sub = self.section(f"{table}.{key}" if table else key)
        if sub is not None:
            return sub[0] + 1
        return span[0] + 1 if span is not None else 0

    def value_lines(self, table: str, key: str, needles: Sequence[str]) -> list[int]:
        """1-based lines of successive quoted strings in the array `table.key`; the key's line when not found."""
        start = self.key_line(table, key)
        span = self.section(table) or self.section(f"{table}.{key}")
        end = span[1] if span is not None else len(self.lines)
        cursor = max(start - 1, 0)
        found: list[int] = []
        for wanted in needles:
            forms = [wanted] if isinstance(wanted, Raw) else [
                f'"{wanted}"', f"'{wanted}'", escaped(wanted)]
            for index in range(cursor, end):
                if any(form in self.lines[index] for form in forms):
                    cursor = index
                    found.append(index + 1)
                    break
            else:
                found.append(start)
        return found

    def text(self, line: int) -> str:
        return self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""


def read_array(items: Any, toml: TomlLines, table: str, key: str, group: str, path: str) -> Parsed:
    """An array of PEP 508 strings (`dependencies`, an extra, a dev group)."""
    reqs: list[Requirement] = []
    findings: list[Finding] = []
    if not isinstance(items, list):
        line = toml.key_line(table, key)
        findings.append(la900(f"{table}.{key} must be an array of requirement strings", path, line))
        return reqs, findings
    lines = toml.value_lines(table, key, [needle(item) for item in items])
    for item, line in zip(items, lines):
        if not isinstance(item, str):
            findings.append(la900(f"{table}.{key}: expected a requirement string, got {item!r}", path, line))
            continue
        result = parse_pep508(item, path, line, group)
        (reqs if isinstance(result, Requirement) else findings).append(result)  # type: ignore[arg-type]
    return reqs, findings


def read_pep621(data: dict[str, Any], toml: TomlLines, path: str) -> Parsed:
    """[project] dependencies (runtime) and optional-dependencies (group "optional:<extra>")."""
    reqs: list[Requirement] = []
    findings: list[Finding] = []
    project = data.get("project")
    if not isinstance(project, dict):
        return reqs, findings
    if "dependencies" in project:
        _extend(reqs, findings, read_array(project["dependencies"], toml, "project", "dependencies", "runtime", path))
    optional = project.get("optional-dependencies")
    if optional is not None and not isinstance(optional, dict):
        line = toml.key_line("project", "optional-dependencies")
        findings.append(la900("project.optional-dependencies must be a table", path, line))
    elif optional:
        for extra, items in optional.items():
            group = f"optional:{canonicalize_name(str(extra))}"
            parsed = read_array(items, toml, "project.optional-dependencies", str(extra), group, path)
            _extend(reqs, findings, parsed)
    return reqs, findings


def read_dependency_groups(data: dict[str, Any], toml: TomlLines, path: str) -> Parsed:
    """PEP 735 [dependency-groups]: each requirement keeps its own group (normalised name); includes checked."""
    reqs: list[Requirement] = []
    findings: list[Finding] = []
    groups = data.get("dependency-groups")
    if groups is None:
        return reqs, findings
    table = "dependency-groups"
    if not isinstance(groups, dict):
        return reqs, [la900("[dependency-groups] must be a table", path, toml.key_line("", table))]
    names: dict[str, str] = {}
    for name in groups:
        normal = canonicalize_name(str(name))
        if normal in names:
            line = toml.key_line(table, str(name))
            findings.append(la900(f"dependency group {name!r} duplicates {names[normal]!r}", path, line))
        names.setdefault(normal, str(name))
    edges: dict[str, list[tuple[str, int]]] = {}
    for name, items in groups.items():
        group = canonicalize_name(str(name))
        if not isinstance(items, list):
            findings.append(la900(f"dependency group {name!r} must be an array", path, toml.key_line(table, name)))
            continue
        for item, line in zip(items, toml.value_lines(table, str(name), [needle(item) for item in items])):
            if isinstance(item, str):
                result = parse_pep508(item, path, line, group)
                (reqs if isinstance(result, Requirement) else findings).append(result)  # type: ignore[arg-type]
            elif isinstance(item, dict) and set(item) == {"include-group"} and isinstance(item["include-group"], str):
                target = canonicalize_name(item["include-group"])
                if target not in names:
                    msg = f"dependency group {name!r} includes unknown group {item['include-group']!r}"
                    findings.append(la900(msg, path, line))
                else:
                    edges.setdefault(group, []).append((target, line))
            else:
                findings.append(la900(f"dependency group {name!r}: invalid entry {item!r}", path, line))
    findings.extend(la900(msg, path, line) for msg, line in _include_cycles(edges))
    return reqs, findings


def _include_cycles(edges: dict[str, list[tuple[str, int]]]) -> list[tuple[str, int]]:
    """One (message, line) per include that closes a cycle, found by depth-first search."""
    state: dict[str, int] = {}  # 1 while on the stack, 2 when done
    stack: list[str] = []
    out: list[tuple[str, int]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target, line in edges.get(node, ()):
            if state.get(target) == 1:
                chain = " -> ".join(stack[stack.index(target) :] + [target])
                out.append((f"dependency group include cycle: {chain}", line))
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return out


def dynamic_files(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(file, group) pairs from setuptools' `[tool.setuptools.dynamic]` dependencies declared in files."""
    tool = data.get("tool")
    setuptools = tool.get("setuptools") if isinstance(tool, dict) else None
    dynamic = setuptools.get("dynamic") if isinstance(setuptools, dict) else None
    if not isinstance(dynamic, dict):
        return []
    out: list[tuple[str, str]] = []
    out.extend((name, "runtime") for name in _files(dynamic.get("dependencies")))
    optional = dynamic.get("optional-dependencies")
    if isinstance(optional, dict):
        for extra, spec in optional.items():
            out.extend((name, f"optional:{canonicalize_name(str(extra))}") for name in _files(spec))
    return out


def _files(spec: Any) -> list[str]:
    files = spec.get("file") if isinstance(spec, dict) else None
    if isinstance(files, str):
        return [files]
    return [f for f in files if isinstance(f, str)] if isinstance(files, list) else []


def _extend(reqs: list[Requirement], findings: list[Finding], parsed: Parsed) -> None:
    reqs.extend(parsed[0])
    findings.extend(parsed[1])

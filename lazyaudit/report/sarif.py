"""SARIF 2.1.0 for code-scanning services: every rule with help and docs link, results with relative locations."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lazyaudit.report import plain
from lazyaudit.report.tables import chains
from lazyaudit.rules import RULES, Rule

if TYPE_CHECKING:
    from lazyaudit.model import Finding

SARIF_VERSION = "2.1.0"
SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/lazyaudit/lazyaudit"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "lazyaudit/v1"
_LEVELS = {"error": "error", "warning": "warning", "note": "note", "info": "note", "none": "none"}
# A chain hop written by the rules as "module (path:line)"; only relative paths become locations.
_HOP = re.compile(r"^(?P<module>.+?) \((?P<path>[^()]+?):(?P<line>\d+)\)$")


def level(severity: str) -> str:
    return _LEVELS.get(severity, "warning")


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    fix = " Fixable with `lazyaudit fix`." if rule.fixable else ""
    text = f"{rule.code} {rule.name}: {rule.summary}.{fix} Documentation: {rule.help_uri}"
    markdown = f"**{rule.code} `{rule.name}`**: {rule.summary}.{fix}\n\n[Documentation]({rule.help_uri})"
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": f"{rule.summary}.{fix}"},
        "help": {"text": text, "markdown": markdown},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {"tags": ["lazyaudit", rule.group], "fixable": rule.fixable},
    }


def _relative(path: str) -> bool:
    return bool(path) and not path.startswith(("/", "\\")) and not re.match(r"^[A-Za-z]:|^[a-z][a-z0-9+.-]*://", path)


def _uri(path: str) -> str:
    # Percent-encode what a uri-reference cannot hold (spaces, non-ASCII) but keep the path readable.
    from urllib.parse import quote

    return quote(path.replace("\\", "/"), safe="/-._~!$&'()*+,;=:@")


def _location(path: str, line: int, column: int | None, message: str = "") -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(path), "uriBaseId": SRCROOT}}
    if line > 0:
        region: dict[str, Any] = {"startLine": line}
        if column is not None:
            region["startColumn"] = column + 1  # SARIF columns are 1-based; Finding.column is 0-based
        physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    if message:
        location["message"] = {"text": message}
    return location


def _related(f: Finding) -> list[dict[str, Any]]:
    """Each hop of the finding's import chain that names a project file, in chain order."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, int, str]] = set()
    for hops in chains(f.data.get("chain") if isinstance(f.data, Mapping) else None):
        for hop in hops:
            m = _HOP.match(hop)
            if not m or not _relative(m["path"]):
                continue
            key = (m["path"], int(m["line"]), m["module"])
            if key in seen:
                continue
            seen.add(key)
            loc = _location(m["path"], int(m["line"]), None, f"imports via {m['module']}")
            loc["id"] = len(out)
            out.append(loc)
    return out


def _properties(f: Finding) -> dict[str, Any]:
    props = {"subject": f.subject} if f.subject else {}
    data = plain(f.data) if isinstance(f.data, Mapping) else {}
    for key, value in data.items():
        # "tags" has a fixed meaning in a SARIF property bag (a set of strings); keep rule data out of it.
        props.setdefault(f"data.{key}" if key == "tags" else key, value)
    return props


def result(f: Finding, index: Mapping[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {"ruleId": f.code}
    if f.code in index:
        out["ruleIndex"] = index[f.code]
    out["level"] = level(f.severity)
    out["message"] = {"text": f.message or f.code}
    if f.path and _relative(f.path):
        out["locations"] = [_location(f.path, f.line, f.column)]
    related = _related(f)
    if related:
        out["relatedLocations"] = related
    out["partialFingerprints"] = {FINGERPRINT_KEY: f.fingerprint}
    props = _properties(f)
    if props:
        out["properties"] = props
    return out


def document(findings: Sequence[Finding], summary: Mapping[str, Any]) -> dict[str, Any]:
    from lazyaudit import __version__

    rules = list(RULES.values())
    index = {rule.code: i for i, rule in enumerate(rules)}
    root = str(summary.get("root") or "")
    base: dict[str, Any] = {"description": {"text": f"The root of the analysed project{f' ({root})' if root else ''}."}}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "lazyaudit",
                "version": str(summary.get("tool_version") or __version__),
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(rule) for rule in rules],
            }
        },
        # No absolute path: consumers (GitHub code scanning, IDEs) resolve %SRCROOT% to their checkout.
        "originalUriBaseIds": {SRCROOT: base},
        "columnKind": "unicodeCodePoints",
        "results": [result(f, index) for f in findings],
    }
    return {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render(findings: Sequence[Finding], summary: Mapping[str, Any], *, color: bool = False) -> str:
    return json.dumps(document(findings, summary), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

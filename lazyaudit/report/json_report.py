"""The versioned JSON report (schema in docs/json-schema.md): findings with fingerprints, and the summary."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lazyaudit.report import plain
from lazyaudit.rules import rule_name

if TYPE_CHECKING:
    from lazyaudit.model import Finding

SCHEMA_VERSION = 1  # bump only on an incompatible change; adding keys is compatible
CORE_KEYS = ("code", "name", "path", "line", "column", "message", "severity", "subject", "fingerprint")


def finding_dict(f: Finding) -> dict[str, Any]:
    """The core keys, then the rule's data flattened beside them; data never overrides a core key.

    `column` is 1-based like the text report's `path:line:col` (0 when there is no line).
    """
    out: dict[str, Any] = {
        "code": f.code,
        "name": rule_name(f.code),
        "path": f.path,
        "line": f.line,
        "column": f.column + 1 if f.line > 0 else 0,
        "message": f.message,
        "severity": f.severity,
        "subject": f.subject,
        "fingerprint": f.fingerprint,
    }
    data = plain(f.data) if isinstance(f.data, Mapping) else {}
    for key, value in data.items():
        out.setdefault(key, value)
    return out


def document(findings: Sequence[Finding], summary: Mapping[str, Any]) -> dict[str, Any]:
    from lazyaudit import __version__

    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": "lazyaudit", "version": str(summary.get("tool_version") or __version__)},
        "findings": [finding_dict(f) for f in findings],
        "summary": plain(summary),
    }


def render(findings: Sequence[Finding], summary: Mapping[str, Any], *, color: bool = False) -> str:
    # sort_keys and a fixed indent make equal input give byte-identical output (diffable reports, baselines).
    return json.dumps(document(findings, summary), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

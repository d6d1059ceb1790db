"""Render findings and the analysis summary as text, JSON, SARIF or Markdown; one module per format."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lazyaudit.model import Finding

__all__ = ["FORMATS", "plain", "render", "sort_findings"]

FORMATS: tuple[str, ...] = ("text", "json", "sarif", "markdown")


def render(fmt: str, findings: Sequence[Finding], summary: Mapping[str, Any], *, color: bool = False) -> str:
    """Render `findings` (any order) and `summary` in format `fmt`; deterministic for equal input.

    `color` only affects the text format (ANSI escapes); every other format ignores it.
    Raises ValueError for a format not in FORMATS.
    """
    # Each renderer is imported only when its format is asked for, so that importing the
    # report package (and running the CLI with another format) does not pay for it.
    if fmt == "text":
        from lazyaudit.report import text as renderer
    elif fmt == "json":
        from lazyaudit.report import json_report as renderer  # type: ignore[no-redef]
    elif fmt == "sarif":
        from lazyaudit.report import sarif as renderer  # type: ignore[no-redef]
    elif fmt == "markdown":
        from lazyaudit.report import markdown as renderer  # type: ignore[no-redef]
    else:
        raise ValueError(f"unknown report format {fmt!r} (known: {', '.join(FORMATS)})")
    return renderer.render(sort_findings(findings), summary if summary is not None else {}, color=color)


def sort_findings(findings: Sequence[Finding]) -> list[Finding]:
    """Findings in report order: Finding.sort_key, then message and data so that ties never depend on input order."""
    return sorted(findings, key=lambda f: (f.sort_key, f.message, f.severity, repr(plain(f.data))))


def plain(value: Any) -> Any:
    """A JSON-ready copy of rule data: mappings with str keys, lists for tuples and sorted sets, paths as posix."""
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, float) and not math.isfinite(value):
        return None  # NaN and infinities are not JSON
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (set, frozenset)):
        return sorted((plain(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "as_posix"):  # pathlib paths, without importing pathlib here
        return value.as_posix()
    return str(value)  # shown rather than dropped

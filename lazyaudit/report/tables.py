"""Bars, number formats, column layout and cost rows shared by the text and Markdown reports."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lazyaudit.rules import RULES, rule_name

if TYPE_CHECKING:
    from lazyaudit.model import Finding

PROJECT = "project"  # the group of findings tied to no entry point

# Left-aligned eighth blocks: index n draws n/8 of a cell.
_EIGHTHS = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")
FULL_BLOCK = "█"


def bar(fraction: float, width: int) -> str:
    """A horizontal bar of `fraction` (clamped to 0..1) of `width` cells, in eighth-block steps.

    Unpadded: callers pad it to the column width.
    """
    if width <= 0 or not isinstance(fraction, (int, float)) or math.isnan(fraction):
        return ""
    eighths = round(min(max(float(fraction), 0.0), 1.0) * width * 8)
    full, rest = divmod(eighths, 8)
    return FULL_BLOCK * full + _EIGHTHS[rest]


def format_bytes(n: Any) -> str:
    """Binary units with the labels AWS uses for its limits: 250 MB means 250 * 2**20 bytes."""
    if not isinstance(n, (int, float)) or isinstance(n, bool) or n < 0:
        return ""
    if n < 1024:
        return f"{int(n)} B"
    value = float(n)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024:
            return f"{value:.1f} {unit}"
    return f"{value / 1024:.1f} TB"


def format_ms(ms: Any) -> str:
    """Milliseconds the way the seed report writes them: `1,457 ms`, `12.3 ms`, `2.40 s`; "" when unknown."""
    if not isinstance(ms, (int, float)) or isinstance(ms, bool) or math.isnan(ms) or ms < 0:
        return ""
    if ms >= 10_000:
        return f"{ms / 1000:.1f} s"
    if ms >= 10:
        return f"{ms:,.0f} ms"
    return f"{ms:.1f} ms"


def format_count(n: Any) -> str:
    if not isinstance(n, (int, float)) or isinstance(n, bool):
        return ""
    return f"{int(n):,}"


def format_share(fraction: float | None) -> str:
    return "" if fraction is None else f"{fraction * 100:.1f}%"


def display_width(text: str) -> int:
    """Terminal cells: wide East Asian characters take two, combining marks none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def layout(headers: Sequence[str], rows: Iterable[Sequence[str]], align: str, indent: str = "") -> list[str]:
    """Pad cells into aligned columns (align: one "<" or ">" per column); trailing spaces dropped."""
    body = [list(r) for r in rows]
    widths = [display_width(h) for h in headers]
    for row in body:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell))
    lines = []
    for row in [list(headers), *body]:
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - display_width(cell))
            cells.append(pad + cell if align[i] == ">" else cell + pad)
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def markdown_escape(text: Any) -> str:
    """Make arbitrary text safe inside a Markdown table cell (pipes, newlines, raw HTML)."""
    s = str(text).replace("\r\n", "\n").replace("\n", " ")
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def markdown_code(text: Any) -> str:
    """An inline code span that survives backticks in the text and pipes inside tables."""
    s = str(text).replace("\n", " ").replace("|", "\\|")
    fence = "``" if "`" in s else "`"
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[str]], align: str) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---:" if a == ">" else "---" for a in align) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return None
    return float(value)


def cost_metric(cost: Mapping[str, Any]) -> str:
    """What the bars measure for one entry: time ("ms": measured, else the analysis' estimate),
    measured time alone, source bytes, or module count, whichever the summary carries."""
    top = [t for t in cost.get("top") or () if isinstance(t, Mapping)]
    for key in ("ms", "measured_ms"):
        if _num(cost.get(key)) is not None or any(_num(t.get(key)) is not None for t in top):
            return key
    if _num(cost.get("source_bytes")) or any(_num(t.get("source_bytes")) for t in top):
        return "source_bytes"
    return "modules"


_TOP_KEY = {"ms": "ms", "measured_ms": "measured_ms", "source_bytes": "source_bytes", "modules": "cumulative_modules"}


def format_time(item: Mapping[str, Any], measured: str = "measured_ms", estimate: str = "ms") -> str:
    """Measured time as is; otherwise the analysis' estimate marked with "~"."""
    if _num(item.get(measured)) is not None:
        return format_ms(item[measured])
    if _num(item.get(estimate)) is not None:
        return "~" + format_ms(item[estimate])
    return ""


def entry_line(cost: Mapping[str, Any]) -> str:
    """One sentence on what an entry loads: modules, source, native extensions, time."""
    parts = []
    if _num(cost.get("modules")) is not None:
        kinds = (("first_party", "first-party"), ("third_party", "third-party"), ("stdlib", "stdlib"))
        split = [f"{format_count(cost[k])} {label}" for k, label in kinds if _num(cost.get(k)) is not None]
        parts.append(f"{format_count(cost['modules'])} modules" + (f" ({', '.join(split)})" if split else ""))
    if _num(cost.get("source_bytes")) is not None:
        parts.append(f"{format_bytes(cost['source_bytes'])} of source")
    if _num(cost.get("native")):
        parts.append(f"{format_count(cost['native'])} native extensions")
    if _num(cost.get("measured_ms")) is not None:
        parts.append(f"{format_ms(cost['measured_ms'])} measured")
    elif _num(cost.get("ms")) is not None:
        parts.append(f"{format_time(cost)} estimated (run `lazyaudit profile` to measure)")
    return " · ".join(parts)


def cost_rows(cost: Mapping[str, Any], limit: int = 10, bar_width: int = 20) -> tuple[list[str], list[list[str]], str]:
    """The top-modules table of one entry: headers, rows (the module name unformatted) and alignment.

    The bar is scaled to the costliest row; share is of the entry's own total when known.
    """
    metric = cost_metric(cost)
    key = _TOP_KEY[metric]
    top = [t for t in cost.get("top") or () if isinstance(t, Mapping) and t.get("module")]
    top.sort(key=lambda t: (-(_num(t.get(key)) or 0.0), str(t.get("module"))))
    top = top[:limit]
    has_self = any(_num(t.get("self_ms")) is not None for t in top)
    peak = max((_num(t.get(key)) or 0.0 for t in top), default=0.0)
    total = _num(cost.get(metric)) or peak
    time_header = "cumulative" if has_self else "time"
    headers = ["module"] + (["self"] if has_self else []) + ["modules", "source", time_header, "share", "cost"]
    rows = []
    for t in top:
        value = _num(t.get(key)) or 0.0
        row = [str(t["module"])]
        if has_self:
            row.append(format_ms(t.get("self_ms")))
        row += [
            format_count(t.get("cumulative_modules")),
            format_bytes(t.get("source_bytes")),
            format_time(t),
            format_share(min(value / total, 1.0) if total else None),
            bar(value / peak if peak else 0.0, bar_width),
        ]
        rows.append(row)
    align = "<" + (">" if has_self else "") + ">>>><"
    return headers, rows, align


def distribution_rows(cost: Mapping[str, Any], limit: int = 10) -> tuple[list[str], list[list[str]], str, str]:
    """The costliest distributions an entry loads (by time when known, else size), and a footer line."""
    dists = [d for d in cost.get("distributions") or () if isinstance(d, Mapping) and d.get("name")]
    metric = cost_metric(cost)
    key = metric if metric in ("ms", "measured_ms") else "size"
    dists.sort(key=lambda d: (-(_num(d.get(key)) or 0.0), -(_num(d.get("size")) or 0.0), str(d["name"])))
    headers = ["distribution", "version", "modules", "size", "time"]
    rows = [
        [
            str(d["name"]),
            str(d.get("version") or ""),
            format_count(d.get("modules")),
            format_bytes(d.get("size")),
            format_time(d),
        ]
        for d in dists[:limit]
    ]
    total = sum(_num(d.get("size")) or 0.0 for d in dists)
    rest = dists[limit:]
    footer = ""
    if rest:
        footer = f"and {len(rest)} more ({format_bytes(sum(_num(d.get('size')) or 0.0 for d in rest))})"
    if dists:
        footer = (footer + "; " if footer else "") + f"{len(dists)} distributions, {format_bytes(total)} installed"
    return headers, rows, "<<>>>", footer


def chains(value: Any) -> list[list[str]]:
    """Normalise a finding's `chain` data: one chain (list of hops) or several, or a preformatted string."""
    if isinstance(value, str):
        return [[value]] if value else []
    if not isinstance(value, (list, tuple)) or not value:
        return []
    if all(isinstance(v, (list, tuple)) for v in value):
        return [[str(h) for h in v] for v in value if v]
    return [[str(h) for h in value]]


def location(f: Finding) -> str:
    """`path:line:col` with a 1-based column (Finding.column is 0-based, as libcst and ast give it)."""
    if not f.path:
        return "<project>"
    return f"{f.path}:{f.line}:{f.column + 1}" if f.line > 0 else f.path


def is_fixable(f: Finding) -> bool:
    """The finding's own verdict when the rule gave one, else whether its rule has a fix at all."""
    verdict = f.data.get("fixable") if isinstance(f.data, Mapping) else None
    if isinstance(verdict, bool):
        return verdict
    rule = RULES.get(f.code)
    return bool(rule and rule.fixable)


def entry_spec(entry: Mapping[str, Any]) -> str:
    module, attr = str(entry.get("module") or ""), str(entry.get("attr") or "")
    return f"{module}:{attr}" if attr else module


def entry_specs(summary: Mapping[str, Any]) -> list[str]:
    """Entries in the order the analysis listed them, then any that only have a cost record."""
    out: list[str] = []
    for entry in summary.get("entries") or ():
        if isinstance(entry, Mapping) and entry.get("module") and entry_spec(entry) not in out:
            out.append(entry_spec(entry))
    for cost in summary.get("cost") or ():
        if isinstance(cost, Mapping) and cost.get("entry") and str(cost["entry"]) not in out:
            out.append(str(cost["entry"]))
    return out


def costs_by_entry(summary: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(c["entry"]): c for c in summary.get("cost") or () if isinstance(c, Mapping) and c.get("entry")}


def finding_entry(f: Finding) -> str:
    entry = f.data.get("entry") if isinstance(f.data, Mapping) else None
    return str(entry) if entry else ""


def group_by_entry(findings: Sequence[Finding], summary: Mapping[str, Any]) -> list[tuple[str, list[Finding]]]:
    """(entry spec, its findings) for every known entry, then unknown entries sorted, then PROJECT if any."""
    known = entry_specs(summary)
    groups: dict[str, list[Finding]] = {spec: [] for spec in known}
    loose: list[Finding] = []
    for f in findings:
        spec = finding_entry(f)
        if spec:
            groups.setdefault(spec, []).append(f)
        else:
            loose.append(f)
    order = known + sorted(k for k in groups if k not in known)
    out = [(spec, groups[spec]) for spec in order]
    if loose:
        out.append((PROJECT, loose))
    return out


def code_counts(findings: Sequence[Finding]) -> list[tuple[str, str, int, int]]:
    """(code, rule name, findings, fixable) per code present, in code order."""
    counts: dict[str, list[int]] = {}
    for f in findings:
        c = counts.setdefault(f.code, [0, 0])
        c[0] += 1
        c[1] += is_fixable(f)
    return [(code, rule_name(code), n, fixable) for code, (n, fixable) in sorted(counts.items())]


def by_cost(specs: Sequence[str], costs: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Entries with a cost record first, costliest first (time, else modules); then the rest as given."""

    def weight(item: tuple[int, str]) -> tuple[int, float, float, int]:
        index, spec = item
        cost = costs.get(spec)
        if cost is None:
            return (1, 0.0, 0.0, index)
        time = _num(cost.get("measured_ms"))
        time = _num(cost.get("ms")) if time is None else time
        return (0, -(time if time is not None else -1.0), -(_num(cost.get("modules")) or 0.0), index)

    return [spec for _, spec in sorted(enumerate(specs), key=weight)]

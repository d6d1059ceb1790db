"""The terminal report: a header, per-entry cost tables with bars, findings grouped by entry, counts per code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lazyaudit.report.tables import (
    PROJECT,
    by_cost,
    chains,
    code_counts,
    cost_rows,
    costs_by_entry,
    distribution_rows,
    entry_line,
    entry_spec,
    format_count,
    format_ms,
    group_by_entry,
    layout,
    location,
)
from lazyaudit.rules import rule_name

if TYPE_CHECKING:
    from lazyaudit.model import Finding

WIDTH = 78  # section rules; tables and messages are never cut to it
TOP_MODULES = 10
TOP_DISTRIBUTIONS = 10
BAR_WIDTH = 20

_SEVERITY_COLOR = {"error": "31", "warning": "33", "note": "36"}


class _Style:
    """ANSI SGR wrapping that is the identity when colour is off, so layout code never branches on it."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, sgr: str) -> str:
        return f"\x1b[{sgr}m{text}\x1b[0m" if self.color and text else text

    def bold(self, text: str) -> str:
        return self(text, "1")

    def dim(self, text: str) -> str:
        return self(text, "2")


def render(findings: Sequence[Finding], summary: Mapping[str, Any], *, color: bool = False) -> str:
    st = _Style(color)
    lines = _header(summary, st)
    costs = costs_by_entry(summary)
    groups = group_by_entry(findings, summary)
    order = by_cost([spec for spec, _ in groups if spec != PROJECT], costs) + [PROJECT]
    for spec, group in sorted(groups, key=lambda g: order.index(g[0])):
        lines += ["", _rule(spec, st)]
        if spec in costs:
            lines += _cost(costs[spec])
        others = _also_here(findings, spec) if spec != PROJECT else []
        if group:
            lines.append("")
            for f in (group if spec == PROJECT else sorted(group, key=_by_saving)):
                lines += _finding(f, st)
        if others:
            lines += ["", st.dim("also affects this entry (listed under another one):")]
            lines += [st.dim(line) for line in others]
        if not group and not others and spec != PROJECT:
            lines.append(st.dim("no findings for this entry"))
    lines += ["", *_counts(findings, st)]
    return "\n".join(lines) + "\n"


def _header(summary: Mapping[str, Any], st: _Style) -> list[str]:
    title = "lazyaudit"
    if summary.get("tool_version"):
        title += f" {summary['tool_version']}"
    if summary.get("root"):
        title += f" · {summary['root']}"
    lines = [st.bold(title)]
    env = summary.get("environment")
    if isinstance(env, Mapping) and (env.get("python") or env.get("distributions") is not None):
        parts = [f"python {env['python']}"] if env.get("python") else []
        if env.get("distributions") is not None:
            parts.append(f"{format_count(env['distributions'])} distributions installed")
        lines.append(" · ".join(parts))
    facts = [p for p in (_files(summary.get("files")), _modules(summary.get("modules"))) if p]
    if facts:
        lines.append(" · ".join(facts))
    fix = summary.get("fix")
    if isinstance(fix, Mapping):
        scalars = [
            f"{v} {k}"
            for k, v in sorted(fix.items(), key=lambda kv: str(kv[0]))
            if isinstance(v, (str, int, float)) and not isinstance(v, bool)
        ]
        if scalars:
            lines.append("fix: " + ", ".join(scalars))
    entries = [e for e in summary.get("entries") or () if isinstance(e, Mapping) and e.get("module")]
    if entries:
        rows = [
            [entry_spec(e), str(e.get("source") or ""), str(e.get("name") or ""), str(e.get("package_type") or "")]
            for e in entries
        ]
        lines += ["", st.bold(f"entries ({len(entries)})")]
        lines += layout(["entry", "declared in", "name", "package"], rows, "<<<<", indent="  ")[1:]
    return lines


def _files(files: Any) -> str:
    if not isinstance(files, Mapping) or files.get("scanned") is None:
        return ""
    extra = [f"{format_count(files[k])} {k}" for k in ("runtime", "dev", "unparsable") if files.get(k)]
    return f"files: {format_count(files['scanned'])} scanned" + (f" ({', '.join(extra)})" if extra else "")


def _modules(modules: Any) -> str:
    if not isinstance(modules, Mapping):
        return ""
    parts = [
        f"{format_count(modules[k])} {k.replace('_', '-')}"
        for k in ("first_party", "third_party", "stdlib")
        if modules.get(k) is not None
    ]
    return ("modules: " + ", ".join(parts)) if parts else ""


def _rule(title: str, st: _Style) -> str:
    head = f"── {title} "
    return st.bold(head + "─" * max(3, WIDTH - len(head)))


def _cost(cost: Mapping[str, Any]) -> list[str]:
    lines = []
    sentence = entry_line(cost)
    if sentence:
        lines.append(sentence)
    headers, rows, align = cost_rows(cost, TOP_MODULES, BAR_WIDTH)
    if rows:
        # Each row is a whole closure and closures overlap, so the shares add up to more than 100%.
        lines += ["", "heaviest imports made by the project's code (each with everything it loads):"]
        lines += layout(headers, rows, align, indent="  ")
    d_headers, d_rows, d_align, footer = distribution_rows(cost, TOP_DISTRIBUTIONS)
    if d_rows:
        lines += ["", "distributions this cold start loads:", *layout(d_headers, d_rows, d_align, indent="  ")]
    if footer:
        lines.append("  " + footer)
    return lines


def _finding(f: Finding, st: _Style) -> list[str]:
    code = st(f.code, _SEVERITY_COLOR.get(f.severity, "33") + ";1")
    lines = [f"{st.bold(location(f) + ':')} {code} {st.dim('[' + rule_name(f.code) + ']')} {f.message}"]
    for hops in chains(f.data.get("chain") if isinstance(f.data, Mapping) else None):
        lines.append(st.dim("  chain: " + " -> ".join(hops)))
    return lines


def _saving_ms(f: Finding, spec: str = "") -> float | None:
    """The cold-start saving a finding predicts (at entry `spec` when it lists one per entry)."""
    data = f.data if isinstance(f.data, Mapping) else {}
    saving: Any = data.get("saving")
    if spec:
        per_entry = data.get("entries")
        saving = next((e.get("saving") for e in per_entry or () if isinstance(e, Mapping) and e.get("entry") == spec),
                      None) if isinstance(per_entry, list) else None
    value = saving.get("ms") if isinstance(saving, Mapping) else (None if spec else data.get("saving_ms"))
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _by_saving(f: Finding) -> tuple[float, tuple[str, int, int, str, str]]:
    """Biggest predicted saving first; findings that predict none keep report order after them."""
    return (-(_saving_ms(f) or 0.0), f.sort_key)


def _also_here(findings: Sequence[Finding], spec: str) -> list[str]:
    """Findings grouped under another entry whose data says they also affect `spec`: one line each
    when they predict a saving here, else one line per file and code (LA103 often has several)."""
    out = []
    plain: dict[tuple[str, str, str], list[Finding]] = {}
    for f in sorted(findings, key=_by_saving):
        data = f.data if isinstance(f.data, Mapping) else {}
        home = str(data.get("entry") or "")
        named = [e.get("entry") if isinstance(e, Mapping) else e for e in data.get("entries") or ()]
        if not home or home == spec or spec not in named:
            continue
        ms = _saving_ms(f, spec)
        if ms:
            gain = f"saves {'' if _measured(f, spec) else '~'}{format_ms(ms)} here"
            out.append(f"  {location(f)}: {f.code} [{rule_name(f.code)}] {f.subject}: {gain} (under {home})")
        else:
            plain.setdefault((f.path, f.code, home), []).append(f)
    for (path, code, home), group in plain.items():
        where = f"{path}:{','.join(str(f.line) for f in group)}" if path else "<project>"
        subjects = ", ".join(dict.fromkeys(f.subject for f in group if f.subject))
        out.append(f"  {where}: {code} [{rule_name(code)}] {subjects} (under {home})")
    return out


def _measured(f: Finding, spec: str) -> bool:
    per_entry = f.data.get("entries") if isinstance(f.data, Mapping) else None
    saving = next((e.get("saving") for e in per_entry or () if isinstance(e, Mapping) and e.get("entry") == spec), None)
    return isinstance(saving, Mapping) and saving.get("measured") is True


def _counts(findings: Sequence[Finding], st: _Style) -> list[str]:
    if not findings:
        return [st("All checks passed: no findings.", "32;1")]
    counts = code_counts(findings)
    rows = [[code, name, format_count(n), f"{fixable} fixable" if fixable else ""] for code, name, n, fixable in counts]
    lines = [st.bold("summary"), *layout(["code", "rule", "findings", "fixable"], rows, "<<><", indent="  ")[1:]]
    total = sum(c[2] for c in counts)
    fixable = sum(c[3] for c in counts)
    tail = f"{format_count(total)} finding{'s' if total != 1 else ''}"
    if fixable:
        tail += f", {format_count(fixable)} fixable with `lazyaudit fix`"
    lines.append(st.bold(tail + "."))
    return lines

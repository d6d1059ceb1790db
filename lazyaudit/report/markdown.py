"""The Markdown report for a pull-request comment: counts per code, cost per entry, a capped findings table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from lazyaudit.report.tables import (
    by_cost,
    chains,
    code_counts,
    cost_rows,
    costs_by_entry,
    distribution_rows,
    entry_line,
    entry_specs,
    finding_entry,
    format_count,
    location,
    markdown_code,
    markdown_escape,
    markdown_table,
)
from lazyaudit.rules import RULES

if TYPE_CHECKING:
    from lazyaudit.model import Finding

MAX_ROWS = 100  # a PR comment is capped at 65,536 characters; the full list is in the JSON/SARIF report
MAX_CHAINS = 50
TOP_MODULES = 10
TOP_DISTRIBUTIONS = 10
BAR_WIDTH = 12


def render(findings: Sequence[Finding], summary: Mapping[str, Any], *, color: bool = False) -> str:
    lines = _heading(findings, summary)
    lines += _counts(findings)
    lines += _costs(summary)
    lines += _findings(findings)
    lines += _chains(findings)
    return "\n".join(lines).rstrip("\n") + "\n"


def _heading(findings: Sequence[Finding], summary: Mapping[str, Any]) -> list[str]:
    total = len(findings)
    fixable = sum(c[3] for c in code_counts(findings))
    title = "## lazyaudit: " + (f"{total} finding{'s' if total != 1 else ''}" if total else "no findings")
    if fixable:
        title += f" ({fixable} fixable)"
    facts = []
    if summary.get("root"):
        facts.append(f"project {markdown_code(summary['root'])}")
    env = summary.get("environment")
    if isinstance(env, Mapping) and env.get("python"):
        facts.append(f"Python {markdown_escape(env['python'])}")
    specs = entry_specs(summary)
    if specs:
        facts.append(
            f"{len(specs)} entr{'ies' if len(specs) != 1 else 'y'}: " + ", ".join(markdown_code(s) for s in specs)
        )
    if summary.get("tool_version"):
        facts.append(f"lazyaudit {markdown_escape(summary['tool_version'])}")
    return [title, "", *([" · ".join(facts), ""] if facts else [])]


def _counts(findings: Sequence[Finding]) -> list[str]:
    counts = code_counts(findings)
    if not counts:
        return ["No findings. :tada:", ""]
    rows = []
    for code, name, n, fixable in counts:
        rule = RULES.get(code)
        link = f"[{code}]({rule.help_uri})" if rule else markdown_escape(code)
        rows.append([link, markdown_code(name), format_count(n), format_count(fixable) if fixable else ""])
    lines = markdown_table(["code", "rule", "findings", "fixable"], rows, "<<>>")
    if any(c[3] for c in counts):
        lines += ["", "Fixable findings can be rewritten with `lazyaudit fix --diff` (preview) or `--write`."]
    return [*lines, ""]


def _costs(summary: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    costs = costs_by_entry(summary)
    for spec in by_cost(list(costs), costs):
        cost = costs[spec]
        lines += [f"### Cold start of {markdown_code(spec)}", ""]
        sentence = entry_line(cost)
        if sentence:
            lines += [markdown_escape(sentence), ""]
        headers, rows, align = cost_rows(cost, TOP_MODULES, BAR_WIDTH)
        if rows:
            for row in rows:
                row[0] = markdown_code(row[0])
            lines += [*markdown_table(headers, rows, align), ""]
        d_headers, d_rows, d_align, footer = distribution_rows(cost, TOP_DISTRIBUTIONS)
        if d_rows:
            for row in d_rows:
                row[0] = markdown_code(row[0])
                row[1] = markdown_escape(row[1])
            lines += [
                "<details><summary>Distributions loaded</summary>",
                "",
                *markdown_table(d_headers, d_rows, d_align),
            ]
            lines += ["", markdown_escape(footer), "", "</details>", ""]
    return lines


def _findings(findings: Sequence[Finding]) -> list[str]:
    if not findings:
        return []
    rows = []
    for f in findings[:MAX_ROWS]:
        entry = finding_entry(f)
        rows.append(
            [
                markdown_code(location(f)),
                markdown_escape(f.code),
                markdown_escape(f.message) + (f" <sub>{markdown_code(entry)}</sub>" if entry else ""),
            ]
        )
    lines = ["### Findings", "", *markdown_table(["location", "code", "message"], rows, "<<<")]
    if len(findings) > MAX_ROWS:
        lines += ["", f"… and {format_count(len(findings) - MAX_ROWS)} more (see the JSON or SARIF report)."]
    return [*lines, ""]


def _chains(findings: Sequence[Finding]) -> list[str]:
    items = []
    for f in findings:
        for hops in chains(f.data.get("chain") if isinstance(f.data, Mapping) else None):
            items.append(
                f"- {markdown_code(location(f))} {markdown_escape(f.code)}: "
                + " → ".join(markdown_code(h) for h in hops)
            )
    if not items:
        return []
    shown = items[:MAX_CHAINS]
    lines = [f"<details><summary>Import chains ({len(items)})</summary>", "", *shown]
    if len(items) > MAX_CHAINS:
        lines.append(f"- … and {len(items) - MAX_CHAINS} more")
    return [*lines, "", "</details>", ""]

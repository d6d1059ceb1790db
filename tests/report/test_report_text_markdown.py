"""The text and Markdown reports: colour only on request, layout, grouping, caps and empty input."""

from __future__ import annotations

import re

from report_samples import HANDLER, sample_findings, sample_summary

from lazyaudit.model import Finding
from lazyaudit.report import markdown as markdown_module
from lazyaudit.report import render

ANSI = re.compile(r"\x1b\[")


def test_no_ansi_without_colour_and_ansi_with_it() -> None:
    assert not ANSI.search(render("text", sample_findings(), sample_summary()))
    assert ANSI.search(render("text", sample_findings(), sample_summary(), color=True))


def test_markdown_never_has_ansi_even_when_asked_for_colour() -> None:
    assert not ANSI.search(render("markdown", sample_findings(), sample_summary(), color=True))


def test_text_finding_line_and_chain() -> None:
    out = render("text", sample_findings(), sample_summary())
    assert (
        "src/handlers/core/main.py:7:1: LA101 [deferrable-heavy-import] heavy module-level import "
        "`langchain_core.runnables`"
    ) in out
    assert "  chain: src.handlers.core.main (src/handlers/core/main.py:7) -> langchain_core.runnables\n" in out
    assert "11 findings, 2 fixable with `lazyaudit fix`." in out


def test_text_groups_by_entry_costliest_first_then_project() -> None:
    out = render("text", sample_findings(), sample_summary())
    handler, cli, project = out.index(f"── {HANDLER} "), out.index("── workflow.cli:main "), out.index("── project ")
    assert handler < cli < project
    assert handler < out.index("template.yaml:21:5: LA201") < cli
    assert project < out.index("requirements.txt:12:1: LA001")


def test_text_cost_table_has_bars_scaled_to_the_max() -> None:
    out = render("text", sample_findings(), sample_summary())
    row = next(line for line in out.splitlines() if line.strip().startswith("src.handlers.core.main "))
    assert row.endswith("█" * 20) and "1,457 ms" in row and "100.0%" in row


def test_text_copes_with_an_empty_summary_and_no_findings() -> None:
    assert render("text", [], {}) == "lazyaudit\n\nAll checks passed: no findings.\n"
    out = render("text", [Finding("LA001", "m", "r.txt", 1, 0, "x")], {"cost": [{"entry": "a:b"}], "files": None})
    assert "── a:b " in out and "r.txt:1:1: LA001" in out


def test_unicode_message_in_text_and_markdown() -> None:
    for fmt in ("text", "markdown"):
        assert "“invalid start byte” in ünïcode_módulo.py ✗" in render(fmt, sample_findings(), sample_summary())


def test_markdown_caps_the_findings_table(monkeypatch) -> None:
    monkeypatch.setattr(markdown_module, "MAX_ROWS", 3)
    out = render("markdown", sample_findings(), sample_summary())
    table = out[out.index("### Findings") :]
    assert table.count("\n| `") == 3
    assert "… and 8 more" in out


def test_markdown_escapes_pipes_and_html_in_messages() -> None:
    out = render("markdown", [Finding("LA103", "a | b <img src=x>", "a.py", 1, 0)], {})
    assert "a \\| b &lt;img src=x&gt;" in out and "<img" not in out


def test_markdown_chains_are_in_details() -> None:
    out = render("markdown", sample_findings(), sample_summary())
    assert "<details><summary>Import chains (6)</summary>" in out
    assert "`src.common (src/common/__init__.py:3)` → `src.common.aws_clients`" in out


def test_markdown_empty() -> None:
    out = render("markdown", [], {})
    assert out.startswith("## lazyaudit: no findings\n") and "### Findings" not in out

"""Bars, number formats and column layout used by the text and Markdown reports."""

from __future__ import annotations

import pytest

from lazyaudit.model import Finding
from lazyaudit.report.tables import (
    bar,
    by_cost,
    chains,
    format_bytes,
    format_ms,
    group_by_entry,
    layout,
    location,
    markdown_code,
    markdown_escape,
)


@pytest.mark.parametrize(
    ("fraction", "width", "expected"),
    [
        (1.0, 4, "████"),
        (0.5, 4, "██"),
        (0.5625, 4, "██▎"),
        (0.0, 4, ""),
        (1 / 32, 4, "▏"),
        (2.0, 3, "███"),
        (-1.0, 3, ""),
        (float("nan"), 3, ""),
        (0.5, 0, ""),
    ],
)
def test_bar_uses_eighth_blocks(fraction: float, width: int, expected: str) -> None:
    assert bar(fraction, width) == expected


def test_bar_never_exceeds_width() -> None:
    assert all(len(bar(i / 97, 7)) <= 7 for i in range(98))


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.0 KB"),
        (1_258_291, "1.2 MB"),
        (250 * 2**20, "250.0 MB"),
        (3 * 2**30, "3.0 GB"),
        (None, ""),
        (-5, ""),
        (True, ""),
    ],
)
def test_format_bytes(n: object, expected: str) -> None:
    assert format_bytes(n) == expected


@pytest.mark.parametrize(
    ("ms", "expected"),
    [
        (1457.0, "1,457 ms"),
        (789, "789 ms"),
        (12.34, "12 ms"),
        (3.21, "3.2 ms"),
        (0.04, "0.0 ms"),
        (12_500.0, "12.5 s"),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_format_ms(ms: object, expected: str) -> None:
    assert format_ms(ms) == expected


def test_layout_aligns_columns_and_counts_wide_characters() -> None:
    lines = layout(["name", "n"], [["a", "1"], ["漢字", "10"]], "<>")
    assert lines == ["name   n", "a      1", "漢字  10"]


def test_location_is_one_based_and_copes_without_line_or_path() -> None:
    assert location(Finding("LA101", "m", "a.py", 3, 0)) == "a.py:3:1"
    assert location(Finding("LA001", "m", "requirements.txt")) == "requirements.txt"
    assert location(Finding("LA105", "m")) == "<project>"


def test_chains_normalises_one_many_and_text() -> None:
    assert chains(["a", "b"]) == [["a", "b"]]
    assert chains([["a", "b"], ("c",)]) == [["a", "b"], ["c"]]
    assert chains("a -> b") == [["a -> b"]]
    assert chains(None) == [] and chains([]) == []


def test_group_by_entry_keeps_entry_order_and_puts_loose_findings_last() -> None:
    summary = {"entries": [{"module": "b", "attr": "h"}, {"module": "a"}]}
    fs = [
        Finding("LA101", "x", data={"entry": "a"}),
        Finding("LA001", "y"),
        Finding("LA103", "z", data={"entry": "c:m"}),
    ]
    groups = [(spec, [f.code for f in group]) for spec, group in group_by_entry(fs, summary)]
    assert groups == [("b:h", []), ("a", ["LA101"]), ("c:m", ["LA103"]), ("project", ["LA001"])]


def test_by_cost_puts_measured_then_biggest_first() -> None:
    costs = {"a": {"modules": 10}, "b": {"modules": 5, "measured_ms": 30.0}, "c": {"modules": 50}}
    assert by_cost(["a", "b", "c", "d"], costs) == ["b", "c", "a", "d"]


def test_markdown_escaping() -> None:
    assert markdown_escape("a|b <script>\nc") == "a\\|b &lt;script&gt; c"
    assert markdown_code("x`y") == "``x`y``"

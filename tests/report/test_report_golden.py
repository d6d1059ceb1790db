"""Golden files for every format over the SEED-like sample, and byte-identical output for shuffled input."""

from __future__ import annotations

import random

import pytest
from report_samples import check_golden, sample_findings, sample_summary

from lazyaudit.report import FORMATS, render

GOLDEN = {"text": "golden.txt", "json": "golden.json", "sarif": "golden.sarif", "markdown": "golden.md"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(fmt: str) -> None:
    check_golden(GOLDEN[fmt], render(fmt, sample_findings(), sample_summary()))


def test_golden_text_in_colour() -> None:
    check_golden("golden-color.txt", render("text", sample_findings(), sample_summary(), color=True))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("seed", range(5))
def test_shuffled_input_gives_identical_bytes(fmt: str, seed: int) -> None:
    findings, summary = sample_findings(), sample_summary()
    expected = render(fmt, findings, summary)
    rng = random.Random(seed)
    rng.shuffle(findings)
    shuffled_summary = dict(reversed(list(summary.items())))
    assert render(fmt, findings, shuffled_summary).encode() == expected.encode()


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_has_no_absolute_path_or_time(fmt: str) -> None:
    out = render(fmt, sample_findings(), sample_summary())
    assert "/work/" not in out and "/tmp/" not in out and "file://" not in out


def test_unknown_format_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown report format 'xml'"):
        render("xml", [], {})

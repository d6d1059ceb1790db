"""Baselines: fingerprints from a previous JSON or SARIF report; clear errors for anything else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from report_samples import sample_findings, sample_summary

from lazyaudit.errors import LazyauditError
from lazyaudit.model import Finding
from lazyaudit.report import render
from lazyaudit.report.baseline import filter_new, load_baseline


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_round_trip_reports_only_new_findings(tmp_path: Path, fmt: str) -> None:
    old = sample_findings()
    path = tmp_path / f"baseline.{fmt}"
    path.write_text(render(fmt, old, sample_summary()), encoding="utf-8")
    prints = load_baseline(path)
    assert set(prints) == {f.fingerprint for f in old}
    moved = Finding(old[0].code, old[0].message, old[0].path, old[0].line + 30, 0, old[0].subject, data=old[0].data)
    new = Finding("LA101", "heavy import of numpy", "src/new.py", 1, 0, "numpy")
    assert filter_new([moved, new, *old[1:]], prints) == [new]


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_a_second_finding_with_the_same_fingerprint_is_new(tmp_path: Path, fmt: str) -> None:
    first = Finding("LA101", "heavy import of numpy", "src/app.py", 3, 0, "numpy")
    path = tmp_path / f"baseline.{fmt}"
    path.write_text(render(fmt, [first], sample_summary()), encoding="utf-8")
    second = Finding("LA101", "heavy import of numpy", "src/app.py", 40, 0, "numpy")  # same code, file, subject
    assert second.fingerprint == first.fingerprint
    assert filter_new([first, second], load_baseline(path)) == [second]
    assert filter_new([first], load_baseline(path)) == []


def test_empty_report_is_an_empty_baseline(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(render("json", [], {}), encoding="utf-8")
    assert not load_baseline(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json", "not a JSON report"),
        (b"\xff\xfe", "not a JSON report"),
        (b"[]", 'no "findings"'),
        (b'{"version": 2, "findings": []}', "unsupported report version 2"),
        (b'{"version": 1, "findings": {}}', "must be a list"),
        (b'{"version": 1, "findings": [{"code": "LA001"}]}', 'finding #1 has no "fingerprint"'),
        (json.dumps({"version": "2.1.0", "runs": [{"results": [{"ruleId": "x"}]}]}).encode(), "fingerprint"),
    ],
)
def test_bad_baseline_is_a_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(LazyauditError, match="baseline .*bad.json") as info:
        load_baseline(path)
    assert message in str(info.value)


def test_missing_baseline_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LazyauditError, match="cannot read it"):
        load_baseline(tmp_path / "nope.json")

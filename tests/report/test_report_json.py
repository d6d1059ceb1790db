"""The versioned JSON report: core keys, flattened rule data, fingerprints, unicode."""

from __future__ import annotations

import json

from report_samples import sample_findings, sample_summary

from lazyaudit.model import Finding
from lazyaudit.report import render
from lazyaudit.report.json_report import CORE_KEYS


def _doc(findings: list[Finding], summary: dict | None = None) -> dict:
    return json.loads(render("json", findings, sample_summary() if summary is None else summary))


def test_versioned_document_with_tool_and_summary() -> None:
    doc = _doc(sample_findings())
    assert doc["version"] == 1
    assert doc["tool"] == {"name": "lazyaudit", "version": "0.1.0"}
    assert doc["summary"]["environment"] == {"python": "3.11.7", "distributions": 153}
    assert all(set(CORE_KEYS) <= set(f) for f in doc["findings"])


def test_findings_sorted_and_data_flattened_without_overriding_core_keys() -> None:
    doc = _doc(sample_findings())
    keys = [(f["path"], f["line"]) for f in doc["findings"]]
    assert keys == sorted(keys)
    la001 = next(f for f in doc["findings"] if f["code"] == "LA001")
    assert la001["code"] == "LA001" and la001["name"] == "unused-requirement"
    assert la001["requirement"] == "jsonschema>=4.0"
    la201 = next(f for f in doc["findings"] if f["code"] == "LA201")
    assert la201["distributions"] == ["boto3", "botocore"]  # a set, sorted
    assert la201["column"] == 5  # 1-based


def test_fingerprint_survives_a_line_move() -> None:
    before = Finding("LA101", "heavy import", "src/app.py", 3, 0, "numpy")
    after = Finding("LA101", "heavy import", "src/app.py", 40, 4, "numpy")
    other = Finding("LA101", "heavy import", "src/app.py", 3, 0, "pandas")
    prints = [_doc([f])["findings"][0]["fingerprint"] for f in (before, after, other)]
    assert prints[0] == prints[1] != prints[2]
    assert prints[0] == before.fingerprint


def test_unicode_is_written_as_is() -> None:
    out = render("json", sample_findings(), sample_summary())
    assert "“invalid start byte” in ünïcode_módulo.py ✗" in out
    assert "\\u" not in out


def test_empty_findings_and_empty_summary() -> None:
    doc = _doc([], {})
    assert doc["findings"] == [] and doc["summary"] == {}
    assert doc["tool"]["name"] == "lazyaudit" and doc["tool"]["version"]


def test_non_json_data_is_made_plain() -> None:
    from enum import Enum
    from pathlib import PurePosixPath

    class Kind(str, Enum):
        EAGER = "eager"

    f = Finding(
        "LA101",
        "m",
        "a.py",
        1,
        0,
        "x",
        data={"kind": Kind.EAGER, "file": PurePosixPath("a/b.py"), "hops": ("a", "b"), "ms": float("nan")},
    )
    item = _doc([f])["findings"][0]
    assert (item["kind"], item["file"], item["hops"], item["ms"]) == ("eager", "a/b.py", ["a", "b"], None)


def test_schema_doc_names_every_core_key_and_summary_key() -> None:
    from report_samples import DATA

    doc = (DATA.parents[2] / "docs" / "json-schema.md").read_text(encoding="utf-8")
    for key in (*CORE_KEYS, *sample_summary()):
        assert f"`{key}`" in doc, key

"""SARIF 2.1.0 output, validated against the official OASIS schema vendored in data/."""

from __future__ import annotations

import hashlib
import json

import jsonschema
import pytest
from report_samples import DATA, sample_findings, sample_summary

from lazyaudit.model import Finding
from lazyaudit.report import render
from lazyaudit.rules import RULES

SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    # The OASIS errata01 schema declares draft-04; pick the validator its $schema names, and check formats.
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _sarif(findings: list[Finding]) -> dict:
    return json.loads(render("sarif", findings, sample_summary()))


@pytest.mark.parametrize("findings", [sample_findings(), []], ids=["sample", "empty"])
def test_validates_against_official_schema(validator, findings: list[Finding]) -> None:
    errors = sorted(validator.iter_errors(_sarif(findings)), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_schema_is_the_official_one() -> None:
    # Byte-for-byte the OASIS errata01 schema (oasis-tcs/sarif-spec, Schemata/sarif-schema-2.1.0.json).
    raw = (DATA / "sarif-schema-2.1.0.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_SHA256
    schema = json.loads(raw)
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]


def test_validator_rejects_a_broken_log(validator) -> None:
    log = _sarif(sample_findings())
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert list(validator.iter_errors(log))


def test_driver_lists_every_rule_with_help() -> None:
    driver = _sarif([])["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == list(RULES)
    for descriptor in driver["rules"]:
        rule = RULES[descriptor["id"]]
        assert descriptor["helpUri"] == rule.help_uri
        assert descriptor["name"] == rule.name
        assert rule.help_uri in descriptor["help"]["markdown"] and descriptor["help"]["text"]
        assert descriptor["defaultConfiguration"]["level"] == rule.severity


def test_results_point_at_relative_paths_with_rule_index() -> None:
    log = _sarif(sample_findings())
    run = log["runs"][0]
    assert "%SRCROOT%" in run["originalUriBaseIds"]
    by_code = {r["ruleId"]: r for r in run["results"]}
    la101 = by_code["LA101"]
    assert run["tool"]["driver"]["rules"][la101["ruleIndex"]]["id"] == "LA101"
    physical = la101["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "src/handlers/core/main.py", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 7, "startColumn": 1}
    assert la101["properties"]["saving_ms"] == 239.0
    assert la101["partialFingerprints"]["lazyaudit/v1"] == sample_findings()[0].fingerprint
    assert la101["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/handlers/core/main.py"


def test_no_region_without_line_and_no_location_without_path() -> None:
    results = {r["ruleId"]: r for r in _sarif(sample_findings())["runs"][0]["results"]}
    la900 = results["LA900"]["locations"][0]["physicalLocation"]
    assert "region" not in la900
    assert la900["artifactLocation"]["uri"] == "src/legacy/%C3%BCn%C3%AFcode_m%C3%B3dulo.py"
    assert "locations" not in results["LA105"]
    assert results["LA104"]["level"] == "note" and results["LA900"]["level"] == "error"


def test_rule_data_never_clobbers_sarif_tags() -> None:
    results = {r["ruleId"]: r for r in _sarif(sample_findings())["runs"][0]["results"]}
    assert results["LA005"]["properties"]["data.tags"] == "server"
    assert "tags" not in results["LA005"]["properties"]

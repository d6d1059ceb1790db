"""End to end on fixtures/lambda_backend: LA103, LA105 and LA201 from the CLI's JSON against expected.json."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "lambda_backend"
CODES = ("LA103", "LA105", "LA201")


from fixture_env import fixture_python as _fixture_python

PYTHON = _fixture_python()
pytestmark = [
    pytest.mark.venv,
    pytest.mark.skipif(PYTHON is None, reason="needs the fixture virtualenv: set LAZYAUDIT_FIXTURE_PYTHON "
                       "or run `make fixture-env` (creates .fixture-venv)"),
]


@pytest.fixture(scope="module")
def report() -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "lazyaudit", "audit", str(FIXTURE), "--python", str(PYTHON), "--format", "json",
         "--select", ",".join(CODES), "--no-cache"],
        capture_output=True, text=True, cwd=ROOT, timeout=600, check=False,
    )
    assert out.returncode == 1, out.stderr  # findings exist
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((FIXTURE / "expected.json").read_text(encoding="utf-8"))


def test_findings_match_expected(report: dict, expected: dict) -> None:
    got = sorted((f["code"], f["path"], f["line"], f["subject"]) for f in report["findings"])
    want = sorted((f["code"], f["path"], f["line"], f["subject"]) for f in expected["findings"] if f["code"] in CODES)
    assert got == want


def test_not_findings_are_absent(report: dict, expected: dict) -> None:
    got = {(f["code"], f["path"], f["subject"]) for f in report["findings"]}
    for item in expected["not_findings"]:
        if item["code"] in CODES:
            assert (item["code"], item["path"], item["subject"]) not in got, item["why"]


def _record_size(dist_info: Path) -> int:
    """Sum of a distribution's RECORD sizes; unsized rows (RECORD itself, .pyc) measured on disk."""
    base = dist_info.parent
    total = 0
    with open(dist_info / "RECORD", newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            if not row:
                continue
            if len(row) > 2 and row[2].isdigit():
                total += int(row[2])
            else:
                path = base / row[0]
                total += path.stat().st_size if path.exists() else 0
    return total


def _dist_infos() -> dict[str, Path]:
    site = subprocess.run([str(PYTHON), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    out = {}
    for path in Path(site).glob("*.dist-info"):
        name = path.name[: -len(".dist-info")].rsplit("-", 1)[0]
        out[re.sub(r"[-_.]+", "-", name).lower()] = path
    return out


def test_bundle_sizes_are_record_sums(report: dict) -> None:
    [finding] = [f for f in report["findings"] if f["code"] == "LA201"]
    infos = _dist_infos()
    names = [d["name"] for d in finding["distributions"]]
    assert {"langchain-core", "pydantic", "aws-lambda-powertools", "boto3", "botocore", "jsonpatch"} <= set(names)
    assert "jsonschema" not in names and "uvicorn" not in names and "pytest" not in names
    for dist in finding["distributions"]:
        assert dist["size"] == _record_size(infos[dist["name"]]), dist["name"]
    assert finding["size"] == sum(_record_size(infos[n]) for n in names)
    assert finding["package_type"] == "Image" and finding["fits"] is True
    unreachable = {d["name"] for d in finding["unreachable"]}
    assert {"jsonschema", "uvicorn", "pytest"} <= unreachable
    assert not unreachable & set(names)


def test_hot_path_in_cost_summary(report: dict) -> None:
    costs = {c["entry"]: c for c in report["summary"]["cost"]}
    core = costs["src.handlers.core.main:handler"]["hot_path"]
    assert core["exact"] is True and core["handler"] == "src.handlers.core.main:handler"
    assert [(d["target"], d["function"], d["line"]) for d in core["deferred_on_handler_path"]] == [
        ("boto3", "handler", 48)]
    assert core["first_call"]["modules"] == 0  # src.common already loads boto3 at cold start
    segment = costs["src.handlers.segment.runner:handler"]["hot_path"]
    assert [d["target"] for d in segment["deferred_on_handler_path"]] == ["src.common"]
    api = costs["src.handlers.api.app:handler"]["hot_path"]
    assert api["exact"] is False  # handler = Mangum(app): every route may run

"""End to end over the fixtures: LA101, LA102 and LA104 from the CLI's JSON against each expected.json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
CODES = ("LA101", "LA102", "LA104")


from fixture_env import fixture_python as _fixture_python

PYTHON = _fixture_python()
pytestmark = [
    pytest.mark.venv,
    pytest.mark.skipif(PYTHON is None, reason="needs the fixture virtualenv: set LAZYAUDIT_FIXTURE_PYTHON "
                       "or run `make fixture-env` (creates .fixture-venv)"),
]

_REPORTS: dict[str, dict] = {}


def report(name: str) -> dict:
    if name not in _REPORTS:
        out = subprocess.run(
            [sys.executable, "-m", "lazyaudit", "audit", str(FIXTURES / name), "--python", str(PYTHON),
             "--format", "json", "--select", ",".join(CODES), "--no-cache"],
            capture_output=True, text=True, cwd=ROOT, timeout=600, check=False,
        )
        assert out.returncode in (0, 1), out.stderr
        _REPORTS[name] = json.loads(out.stdout)
    return _REPORTS[name]


def expected(name: str) -> dict:
    return json.loads((FIXTURES / name / "expected.json").read_text(encoding="utf-8"))


def by_code(name: str, code: str) -> dict[str, dict]:
    return {f["path"]: f for f in report(name)["findings"] if f["code"] == code}


@pytest.mark.parametrize("name", ["lambda_backend", "namespace_pkg"])
def test_findings_match_expected(name: str) -> None:
    want_all = expected(name)
    codes = [c for c in CODES if c in want_all["complete_for"]]
    got = sorted((f["code"], f["path"], f["line"], f["subject"]) for f in report(name)["findings"] if f["code"] in codes)
    want = sorted((f["code"], f["path"], f["line"], f["subject"]) for f in want_all["findings"] if f["code"] in codes)
    assert got == want


@pytest.mark.parametrize("name", ["lambda_backend", "namespace_pkg", "src_library"])
def test_not_findings_are_absent(name: str) -> None:
    got = {(f["code"], f["path"], f["subject"]) for f in report(name)["findings"]}
    for item in expected(name)["not_findings"]:
        if item["code"] in CODES:
            assert (item["code"], item["path"], item["subject"]) not in got, item["why"]


def test_la101_core_defers_langchain_messages() -> None:
    f = by_code("lambda_backend", "LA101")["src/handlers/core/main.py"]
    assert (f["names"], f["functions"], f["partial"], f["fixable"]) == (
        ["AIMessage", "HumanMessage"], ["to_messages"], False, True)
    assert f["entry"] == "src.handlers.core.main:handler"
    assert f["chain"][-2:] == ["src.handlers.core.main (src/handlers/core/main.py:8)", "langchain_core.messages"]
    # the core handler loads pydantic through src.common as well: the saving is what only this import loads
    assert 0 < f["saving"]["modules"] < f["cost"]["modules"]
    assert "langchain-core" in f["saving"]["distributions"]
    # handler() calls to_messages() for some events: those pay it on first use
    assert f["first_call"]["functions"] == ["to_messages"] and f["first_call"]["modules"] > 0


def test_la101_api_is_partial() -> None:
    f = by_code("lambda_backend", "LA101")["src/handlers/api/app.py"]
    assert (f["names"], f["keep"], f["partial"], f["functions"]) == (["logger"], ["StateBag"], True, ["start"])
    assert f["needs_lazy_package"] == "src.common" and f["entry"] == "src.handlers.api.app:handler"
    assert "aws-lambda-powertools" in f["saving"]["distributions"]


def test_la102_shows_importers_and_their_names() -> None:
    f = by_code("lambda_backend", "LA102")["src/common/__init__.py"]
    importers = {i["module"]: (set(i["names"]), set(i["deferred"])) for i in f["importers"]}
    assert importers == {
        "src.handlers.core.main": ({"utcnow"}, set()),
        "src.handlers.api.app": ({"StateBag", "logger"}, set()),
        "src.handlers.segment.runner": ({"StateBag", "logger", "tracer", "get_object_text"}, {"get_object_text"}),
    }
    assert f["entry"] == "src.handlers.core.main:handler" and f["needs"] == ["utcnow"]
    assert set(f["submodules"]) == {f"src.common.{m}" for m in ("aws_clients", "logging_utils", "statebag", "timeutils")}
    assert {"boto3", "botocore", "aws-xray-sdk"} <= set(f["saving"]["distributions"])
    assert f["fixable"] is True


def test_la104_future_import_flags() -> None:
    found = by_code("lambda_backend", "LA104")
    core, runner = found["src/handlers/core/main.py"], found["src/handlers/segment/runner.py"]
    assert (core["names"], core["future_annotations"], core["adds_future_import"]) == (["LambdaContext"], True, False)
    assert (runner["names"], runner["future_annotations"], runner["adds_future_import"]) == (
        ["LambdaContext"], False, True)
    assert core["fixable"] and runner["fixable"]

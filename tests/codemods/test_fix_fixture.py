"""`lazyaudit fix --write` on a copy of the SEED-like fixture: its own tests still pass, the findings are
gone, a second run changes nothing, and the API entry point's cold start loads far fewer modules."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "lambda_backend"
CODES = "LA101,LA102,LA104"


from fixture_env import fixture_python as _fixture_python

PYTHON = _fixture_python()
pytestmark = [
    pytest.mark.venv,
    pytest.mark.slow,
    pytest.mark.skipif(PYTHON is None, reason="needs the fixture virtualenv (make fixture-env)"),
]
# What a cold start loads, counted by the interpreter itself (no timing: it is too noisy to assert on).
COUNT = "import json, sys; before = set(sys.modules); import {module}; print(json.dumps(sorted(set(sys.modules) - before)))"
ENV = {"AWS_DEFAULT_REGION": "eu-west-1", "AWS_EC2_METADATA_DISABLED": "true", "POWERTOOLS_TRACE_DISABLED": "1",
       "AWS_XRAY_SDK_ENABLED": "false", "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR"}


def lazyaudit(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "lazyaudit", *args, "--python", str(PYTHON)], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=900, check=False)


def own_tests(project: Path) -> int:
    out = subprocess.run([str(PYTHON), "-m", "pytest", "-p", "no:cacheprovider"], capture_output=True,
                         text=True, cwd=project, timeout=600, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    return int(re.search(r"(\d+) passed", out.stdout).group(1))  # type: ignore[union-attr]


def loaded(project: Path, module: str) -> set[str]:
    out = subprocess.run([str(PYTHON), "-c", COUNT.format(module=module)], capture_output=True, text=True,
                         cwd=project, env={**os.environ, **ENV}, check=True, timeout=300)
    return set(json.loads(out.stdout))


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    project = tmp_path_factory.mktemp("fix") / "lambda_backend"
    shutil.copytree(FIXTURE, project, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    before = {p.relative_to(project).as_posix(): p.read_bytes() for p in project.rglob("*.py")}
    state = {"project": project, "before": before, "passed_before": own_tests(project),
             "api_before": loaded(project, "src.handlers.api.app"), "core_before": loaded(project, "src.handlers.core.main")}
    state["write"] = lazyaudit("fix", str(project), "--write", "--no-cache")
    state["passed_after"] = own_tests(project)
    state["api_after"] = loaded(project, "src.handlers.api.app")
    state["core_after"] = loaded(project, "src.handlers.core.main")
    return state


def test_write_applies_the_four_rewrites_the_findings_ask_for(fixed: dict) -> None:
    out = fixed["write"]
    assert out.returncode == 0, out.stderr
    for expected in ("src/common/__init__.py:3 LA102", "src/handlers/api/app.py:7 LA101",
                     "src/handlers/core/main.py:8 LA101", "src/handlers/core/main.py:7 LA104",
                     "src/handlers/segment/runner.py:4 LA104"):
        assert expected in out.stdout
    assert "failed" not in out.stdout.split("applied:")[0]


def test_its_own_tests_pass_before_and_after(fixed: dict) -> None:
    assert fixed["passed_after"] == fixed["passed_before"] == 11


def test_api_cold_start_loads_far_fewer_modules(fixed: dict) -> None:
    before, after = fixed["api_before"], fixed["api_after"]
    assert len(after) <= 0.6 * len(before)
    heavy = ("boto3", "botocore", "aws_xray_sdk", "aws_lambda_powertools", "src.common.aws_clients")
    assert not {m for m in after if m.split(".")[0] in heavy[:4] or m in heavy}
    assert {"fastapi", "pydantic", "mangum", "src.common.statebag"} <= after  # what the API really needs


def test_core_cold_start_keeps_only_what_it_uses(fixed: dict) -> None:
    before, after = fixed["core_before"], fixed["core_after"]
    assert len(after) <= 0.1 * len(before)
    assert not {m for m in after if m.split(".")[0] in ("langchain_core", "boto3", "pydantic")}


def test_the_findings_are_gone(fixed: dict) -> None:
    out = lazyaudit("audit", str(fixed["project"]), "--select", CODES, "--format", "json", "--no-cache")
    assert out.returncode == 0, out.stdout
    assert json.loads(out.stdout)["findings"] == []


def test_a_second_run_changes_nothing(fixed: dict) -> None:
    out = lazyaudit("fix", str(fixed["project"]), "--check", "--no-cache")
    assert out.returncode == 0, out.stdout
    assert "0 files would change" in out.stdout


def test_unchanged_files_keep_their_bytes_and_changed_ones_compile(fixed: dict) -> None:
    project = fixed["project"]
    changed = []
    for rel, data in fixed["before"].items():
        now = (project / rel).read_bytes()
        if now != data:
            changed.append(rel)
            compile(now, rel, "exec")
    assert sorted(changed) == ["src/common/__init__.py", "src/handlers/api/app.py", "src/handlers/core/main.py",
                               "src/handlers/segment/runner.py"]

"""`lazyaudit graph` end to end: the SEED-like fixture and a generated 150-module project, with the fixture venv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_dot_samples import synthetic_spec, write_project

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "lambda_backend"
PYTHON = os.environ.get("LAZYAUDIT_FIXTURE_PYTHON") or str(ROOT / ".fixture-venv" / "bin" / "python")
API = "src.handlers.api.app:handler"

pytestmark = [
    pytest.mark.venv,
    pytest.mark.skipif(not Path(PYTHON).exists(), reason="needs the fixture virtualenv (make fixture-env)"),
]
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot is not installed")


CACHE: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def scan_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    # One parse of the installed code for the whole module (as a user's second run), not one per command.
    CACHE["LAZYAUDIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("scan-cache"))


def graph(*argv: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lazyaudit", "graph", *argv, "--python", PYTHON], check=False,
                          cwd=cwd, capture_output=True, text=True, timeout=600, env={**os.environ, **CACHE})


def test_api_handler_chain_runs_through_the_eager_init_to_xray_and_boto3(tmp_path: Path) -> None:
    done = graph(str(FIXTURE), "--entry", API, "-o", str(tmp_path / "api.dot"))
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "api.dot").read_text(encoding="utf-8")
    for edge in ('"src.handlers.api.app" -> "src.common"', '"src.common" -> "src.common.aws_clients"',
                 '"src.common.aws_clients" -> "[boto3]"', '"src.common" -> "src.common.logging_utils"',
                 '"src.common.logging_utils" -> "[aws-xray-sdk]"', '"[boto3]" -> "[botocore]"'):
        assert edge in text
    assert f"lazyaudit: wrote {tmp_path / 'api.dot'} (" in done.stderr and done.stdout == ""


@needs_dot
def test_api_handler_svg(tmp_path: Path) -> None:
    done = graph(str(FIXTURE), "--entry", API, "-o", str(tmp_path / "api.svg"))
    assert done.returncode == 0, done.stderr
    svg = (tmp_path / "api.svg").read_text(encoding="utf-8")
    # Graphviz writes "-" as "&#45;" in SVG text.
    assert svg.startswith("<?xml") and "aws&#45;xray&#45;sdk" in svg and "src/common/aws_clients.py:5" in svg


def test_reverse_and_all_on_the_fixture(tmp_path: Path) -> None:
    done = graph(str(FIXTURE), "--focus", "boto3", "--reverse", "-o", str(tmp_path / "rev.dot"))
    assert done.returncode == 0, done.stderr
    assert '"src.common.aws_clients" -> "[boto3]"' in (tmp_path / "rev.dot").read_text(encoding="utf-8")
    done = graph(str(FIXTURE), "--all", "-o", str(tmp_path / "all.dot"))
    text = (tmp_path / "all.dot").read_text(encoding="utf-8")
    assert '"src.workflow.engine" -> "src.workflow.steps"' in text and '"tests.' not in text


def test_unknown_focus_is_a_usage_error(tmp_path: Path) -> None:
    done = graph(str(FIXTURE), "--focus", "jsonschema", "-o", str(tmp_path / "x.dot"))  # declared, never imported
    assert done.returncode == 2 and "--focus jsonschema" in done.stderr


@needs_dot
@pytest.mark.slow
def test_generated_150_module_project(tmp_path: Path) -> None:
    spec = synthetic_spec(150)
    project = write_project(spec, tmp_path / "project")
    for name, extra in (("entry.png", ["--entry", f"{spec.entry}:handler"]), ("all.png", ["--all"])):
        done = graph(str(project), *extra, "-o", str(tmp_path / name))
        assert done.returncode == 0, done.stderr
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")
    assert "chains to the" in graph(str(project), "--entry", spec.entry, "-o", str(tmp_path / "e.dot")).stderr

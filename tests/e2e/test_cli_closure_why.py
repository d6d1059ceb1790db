"""`lazyaudit closure` and `lazyaudit why` through the real CLI on the Lambda fixture: content, formats, exit codes."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "fixtures" / "lambda_backend"
API = "src.handlers.api.app:handler"


from fixture_env import fixture_python as _fixture_python

PYTHON = _fixture_python()
pytestmark = [
    pytest.mark.venv,
    pytest.mark.skipif(PYTHON is None, reason="needs the fixture virtualenv: set LAZYAUDIT_FIXTURE_PYTHON "
                       "or run `make fixture-env` (creates .fixture-venv)"),
]


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory):
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(PYTHONPATH=str(ROOT), LAZYAUDIT_CACHE_DIR=str(tmp_path_factory.getbasetemp() / "lazyaudit-cli-cache"))

    @functools.cache
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "lazyaudit", *args, str(BACKEND), "--python", str(PYTHON)],
                              capture_output=True, text=True, cwd=ROOT, env=env, timeout=900, check=False)

    return run


# -- why ------------------------------------------------------------------------------------------


def test_why_shows_the_chain_from_the_handler_with_file_and_line(cli) -> None:
    done = cli("why", "aws_xray_sdk", "--entry", API)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.splitlines()[0] == f"{API} loads aws_xray_sdk through 1 shortest chain:"
    hops = [line.strip() for line in text.splitlines()[2:]]
    assert hops[:3] == [
        "src.handlers.api.app -> src.common  (src/handlers/api/app.py:7, eager)",
        "src.common -> src.common.logging_utils  (src/common/__init__.py:4, eager)",
        "src.common.logging_utils -> aws_xray_sdk.core  (src/common/logging_utils.py:4, eager)",
    ]
    assert hops[3].startswith("aws_xray_sdk.core -> aws_xray_sdk  (aws_xray_sdk/core/__init__.py")
    assert "src.handlers.core.main" not in text  # --entry narrows to the entry asked about
    assert str(ROOT) not in text and not re.search(r"\(/", text)  # no absolute paths


def test_why_without_entry_covers_every_discovered_entry(cli) -> None:
    doc = json.loads(cli("why", "boto3", "--format", "json").stdout)
    assert doc["module"] == "boto3"
    loaded = {e["entry"]: e["loaded"] for e in doc["entries"]}
    assert loaded == {"src.handlers.core.main:handler": True, API: True,
                      "src.handlers.segment.runner:handler": True, "app:handler": False}
    core = next(e for e in doc["entries"] if e["entry"] == "src.handlers.core.main:handler")
    assert [(h["importer"], h["imported"], h["path"], h["line"]) for h in core["chains"][0]] == [
        ("src.handlers.core.main", "src.common", "src/handlers/core/main.py", 11),
        ("src.common", "src.common.aws_clients", "src/common/__init__.py", 3),
        ("src.common.aws_clients", "boto3", "src/common/aws_clients.py", 5),
    ]


def test_why_a_module_the_entry_does_not_load(cli) -> None:
    done = cli("why", "fastapi", "--entry", "src.handlers.core.main:handler")
    assert done.returncode == 0
    assert done.stdout == "src.handlers.core.main:handler: does not load fastapi at import time\n"


def test_why_an_unknown_module_is_an_error(cli) -> None:
    done = cli("why", "no_such_module", "--entry", API)
    assert done.returncode == 2
    assert "module no_such_module not found" in done.stderr and done.stdout == ""


# -- closure --------------------------------------------------------------------------------------


def test_closure_text_is_grouped_and_readable(cli) -> None:
    done = cli("closure", "src.common.timeutils")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    head = re.fullmatch(r"import src\.common\.timeutils loads (\d+) modules \((\d+) first-party, (\d+) third-party, "
                        r"(\d+) stdlib\)", lines[0])
    assert head, lines[0]
    total, first, third, std = map(int, head.groups())
    assert total == first + third + std
    assert lines[1].startswith("from ") and "botocore" in lines[1]  # the parent package's eager chain
    rows = [line.split() for line in lines if line.startswith("  ") and not line.startswith("   ")]
    rows = [r for r in rows if len(r) >= 2 and r[1] in ("first-party", "third-party", "stdlib")]
    assert len(rows) == total
    kinds = [r[1] for r in rows]
    assert kinds == sorted(kinds, key=["first-party", "third-party", "stdlib"].index)  # grouped
    assert ["src.common", "first-party", "src/common/__init__.py"] in rows  # its parent package runs first
    assert ["boto3", "third-party", "boto3"] in rows
    assert max(len(line) for line in lines[:4]) <= 100


def test_closure_json_and_no_stdlib(cli) -> None:
    full = json.loads(cli("closure", "src.common.timeutils", "--format", "json").stdout)
    light = json.loads(cli("closure", "src.common.timeutils", "--format", "json", "--no-stdlib").stdout)
    assert full["module"] == light["module"] == "src.common.timeutils"
    assert full["modules"] == sorted(full["modules"])
    assert {"json", "os", "boto3", "src.common"} <= set(full["modules"])
    assert set(light["modules"]) < set(full["modules"])
    assert "os" not in light["modules"] and "boto3" in light["modules"]

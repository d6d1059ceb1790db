"""A fixed, SEED-like set of findings and summary shared by the report tests and their golden files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from lazyaudit.model import Finding

DATA = Path(__file__).parent / "data"
HANDLER = "src.handlers.core.main:handler"
CLI = "workflow.cli:main"


def sample_findings() -> list[Finding]:
    return [
        Finding(
            "LA101",
            "heavy module-level import `langchain_core.runnables` (239 ms) is used only inside functions; "
            "deferring it saves ~239 ms at cold start",
            "src/handlers/core/main.py",
            7,
            0,
            "langchain_core.runnables",
            data={
                "entry": HANDLER,
                "saving_ms": 239.0,
                "fixable": True,
                "chain": ["src.handlers.core.main (src/handlers/core/main.py:7)", "langchain_core.runnables"],
            },
        ),
        Finding(
            "LA102",
            "package `src.common` eagerly imports 6 submodules; importers use only `get_logger`",
            "src/common/__init__.py",
            3,
            0,
            "src.common",
            data={
                "entry": HANDLER,
                "fixable": True,
                "modules": ["src.common.aws_clients", "src.common.logging_utils"],
                "chain": [
                    "src.handlers.core.main (src/handlers/core/main.py:2)",
                    "src.common (src/common/__init__.py:3)",
                    "src.common.aws_clients",
                ],
            },
        ),
        Finding(
            "LA103",
            '`boto3.client("s3")` runs at import time',
            "src/common/aws_clients.py",
            5,
            5,
            "boto3",
            data={"entry": HANDLER, "chain": ["src.handlers.core.main", "src.common", "src.common.aws_clients"]},
        ),
        Finding(
            "LA103",
            "`Tracer()` from aws_lambda_powertools configures X-Ray at import time",
            "src/common/logging_utils.py",
            4,
            9,
            "aws_lambda_powertools.Tracer",
            data={
                "entry": HANDLER,
                "chain": [
                    ["src.handlers.core.main", "src.common", "src.common.logging_utils", "aws_xray_sdk"],
                    ["workflow.cli", "src.common"],
                ],
            },
        ),
        Finding(
            "LA104",
            "`pydantic.BaseModel` is used only in annotations",
            "src/models/types.py",
            2,
            0,
            "pydantic",
            severity="note",
            data={"entry": CLI, "fixable": False, "reason": "runtime-evaluated annotations"},
        ),
        Finding(
            "LA001",
            "`jsonschema` is declared but never imported",
            "requirements.txt",
            12,
            0,
            "jsonschema",
            data={"requirement": "jsonschema>=4.0", "distribution": "jsonschema", "code": "must not override"},
        ),
        Finding(
            "LA005",
            "`uvicorn` is a server; it is never needed inside Lambda",
            "requirements.txt",
            14,
            0,
            "uvicorn",
            data={"requirement": "uvicorn[standard]", "tags": "server"},
        ),
        Finding(
            "LA004",
            "installed pydantic 2.7.1 does not satisfy `pydantic==2.5.3`",
            "requirements.txt",
            9,
            0,
            "pydantic",
            data={"installed": "2.7.1", "specifier": "==2.5.3"},
        ),
        Finding(
            "LA201",
            "closure of `src.handlers.core.main:handler` is 412.3 MB: over the 250 MB ZIP limit",
            "template.yaml",
            21,
            4,
            "CoreFunction",
            data={"entry": HANDLER, "size": 432_324_198, "distributions": {"boto3", "botocore"}},
        ),
        Finding(
            "LA900",
            "cannot decode: “invalid start byte” in ünïcode_módulo.py ✗",
            "src/legacy/ünïcode_módulo.py",
            0,
            0,
            "src.legacy.ünïcode_módulo",
            severity="error",
            data={"reason": "UnicodeDecodeError"},
        ),
        Finding(
            "LA105",
            "import cycle: src.a -> src.b -> src.a",
            "",
            0,
            0,
            "src.a",
            severity="note",
            data={"chain": ["src.a", "src.b", "src.a"]},
        ),
    ]


def sample_summary() -> dict[str, Any]:
    return {
        "root": "workflow-engine",
        "tool_version": "0.1.0",
        "entries": [
            {
                "module": "src.handlers.core.main",
                "attr": "handler",
                "source": "template.yaml",
                "name": "CoreFunction",
                "package_type": "Image",
            },
            {
                "module": "workflow.cli",
                "attr": "main",
                "source": "pyproject.scripts",
                "name": "workflow",
                "package_type": "",
            },
        ],
        "counts": {
            "LA001": 1,
            "LA004": 1,
            "LA005": 1,
            "LA101": 1,
            "LA102": 1,
            "LA103": 2,
            "LA104": 1,
            "LA105": 1,
            "LA201": 1,
            "LA900": 1,
        },
        "files": {"scanned": 156, "runtime": 140, "dev": 15, "unparsable": 1},
        "modules": {"first_party": 156, "third_party": 2314, "stdlib": 221},
        "environment": {"python": "3.11.7", "distributions": 153},
        "cost": [
            {
                "entry": CLI,
                "name": "workflow",
                "package_type": "",
                "modules": 412,
                "first_party": 30,
                "third_party": 280,
                "stdlib": 102,
                "source_bytes": 9_500_000,
                "native": 3,
                "ms": 123.6,
                "measured_ms": None,
                "estimated_ms": 123.6,
                "distributions": [
                    {
                        "name": "click",
                        "version": "8.1.7",
                        "modules": 16,
                        "size": 602_000,
                        "ms": 4.8,
                        "measured_ms": None,
                    },
                    {
                        "name": "pydantic",
                        "version": "2.7.1",
                        "modules": 80,
                        "size": 5_900_000,
                        "ms": 24.0,
                        "measured_ms": None,
                    },
                ],
                "top": [
                    {
                        "module": "click",
                        "cumulative_modules": 40,
                        "source_bytes": 900_000,
                        "ms": 12.0,
                        "measured_ms": None,
                        "chain": ["workflow.cli -> click (workflow/cli.py:3)"],
                    },
                    {
                        "module": "pydantic",
                        "cumulative_modules": 180,
                        "source_bytes": 4_100_000,
                        "ms": 54.0,
                        "measured_ms": None,
                        "chain": ["workflow.cli -> pydantic (workflow/cli.py:4)"],
                    },
                ],
            },
            {
                "entry": HANDLER,
                "modules": 2104,
                "first_party": 41,
                "third_party": 1843,
                "source_bytes": 88_123_456,
                "native": 27,
                "measured_ms": 1457.0,
                "distributions": [
                    {"name": "boto3", "version": "1.34.0", "modules": 60, "size": 1_200_000, "measured_ms": 40.0},
                    {
                        "name": "botocore",
                        "version": "1.34.0",
                        "modules": 300,
                        "size": 120_000_000,
                        "measured_ms": 152.0,
                    },
                    {
                        "name": "jsonschema",
                        "version": "4.21.1",
                        "modules": 120,
                        "size": 5_000_000,
                        "measured_ms": 1426.0,
                    },
                    {
                        "name": "langchain-core",
                        "version": "0.1.52",
                        "modules": 410,
                        "size": 40_000_000,
                        "measured_ms": 74.0,
                    },
                    {"name": "pydantic", "version": "2.7.1", "modules": 80, "size": 5_900_000, "measured_ms": 36.0},
                ],
                "top": [
                    {
                        "module": "src.handlers.core.main",
                        "cumulative_modules": 2104,
                        "source_bytes": 88_123_456,
                        "measured_ms": 1457.0,
                        "self_ms": 789.0,
                        "chain": ["src.handlers.core.main"],
                    },
                    {
                        "module": "src.common.statebag",
                        "cumulative_modules": 640,
                        "source_bytes": 20_000_000,
                        "measured_ms": 328.0,
                        "self_ms": 2.5,
                        "chain": ["src.handlers.core.main", "src.common.statebag"],
                    },
                    {
                        "module": "boto3",
                        "cumulative_modules": 360,
                        "source_bytes": 14_000_000,
                        "measured_ms": 192.0,
                        "self_ms": 1.1,
                        "chain": ["src.handlers.core.main", "src.common", "boto3"],
                    },
                    {
                        "module": "langchain_core",
                        "cumulative_modules": 410,
                        "source_bytes": 30_000_000,
                        "measured_ms": 74.0,
                        "chain": ["src.handlers.core.main", "langchain_core"],
                    },
                    {
                        "module": "aws_lambda_powertools",
                        "cumulative_modules": 90,
                        "source_bytes": 2_000_000,
                        "measured_ms": 16.0,
                        "self_ms": 0.4,
                        "chain": ["src.handlers.core.main", "src.common", "aws_lambda_powertools"],
                    },
                ],
            },
        ],
        "fix": {"fixable": 2},
    }


def check_golden(name: str, actual: str) -> None:
    """Compare with tests/report/data/<name>; UPDATE_GOLDEN=1 rewrites it instead (review the diff)."""
    path = DATA / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8", newline="\n")
        return
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8"), f"{name} changed; run with UPDATE_GOLDEN=1 and review the diff"

"""`import lazyaudit.report` stays cheap: renderers and heavy libraries load only when a format is rendered."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RENDERERS = [
    "lazyaudit.report.text",
    "lazyaudit.report.json_report",
    "lazyaudit.report.sarif",
    "lazyaudit.report.markdown",
    "lazyaudit.report.baseline",
]
HEAVY = ["libcst", "networkx", "pydot", "yaml"]

SCRIPT = """
import json, sys
import lazyaudit.report
before = sorted(m for m in sys.modules if m.startswith(("lazyaudit.report.", "libcst", "networkx", "pydot", "yaml")))
lazyaudit.report.render("json", [], {})
after = sorted(m for m in sys.modules if m.startswith(("lazyaudit.report.", "libcst", "networkx", "pydot", "yaml")))
print(json.dumps([before, after]))
"""


def test_renderers_load_only_on_demand() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    before, after = json.loads(out.stdout)
    assert not [m for m in before if m in RENDERERS or m.split(".")[0] in HEAVY]
    assert "lazyaudit.report.json_report" in after
    assert not [m for m in after if m in RENDERERS and m != "lazyaudit.report.json_report"]
    assert not [m for m in after if m.split(".")[0] in HEAVY]

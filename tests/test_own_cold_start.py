"""lazyaudit's own cold start: importing it, or asking for --help, must not load the heavy adapters."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("libcst", "networkx", "pydot", "yaml")
PROBE = "import sys, json; {stmt}; print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r})))"


@pytest.mark.parametrize(
    "stmt",
    [
        "import lazyaudit",
        "import lazyaudit.cli",
        "from lazyaudit import __version__",
        "import lazyaudit.model, lazyaudit.rules, lazyaudit.sources, lazyaudit.analysis",
        "from lazyaudit.cli import build_parser; build_parser().format_help()",
    ],
)
def test_import_does_not_pull_heavy_modules(stmt: str) -> None:
    code = PROBE.format(stmt=stmt, heavy=set(HEAVY))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_help_does_not_pull_heavy_modules() -> None:
    code = (
        "import sys, json, runpy, contextlib, io\n"
        "sys.argv = ['lazyaudit', '--help']\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        runpy.run_module('lazyaudit', run_name='__main__')\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {set(HEAVY)!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_public_api_resolves_lazily() -> None:
    import lazyaudit

    assert callable(lazyaudit.load_project)
    assert "load_project" in dir(lazyaudit)
    with pytest.raises(AttributeError):
        lazyaudit.no_such_name  # noqa: B018

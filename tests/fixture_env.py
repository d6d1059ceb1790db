"""Where the fixture virtualenv is: the interpreter the end-to-end tests analyse fixtures against."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP_REASON = ("needs the fixture virtualenv: set LAZYAUDIT_FIXTURE_PYTHON "
               "or run `make fixture-env` (creates .fixture-venv)")


def fixture_python() -> str | None:
    """LAZYAUDIT_FIXTURE_PYTHON, else .fixture-venv's interpreter when it exists, else None."""
    named = os.environ.get("LAZYAUDIT_FIXTURE_PYTHON")
    if named:
        return named
    default = ROOT / ".fixture-venv" / "bin" / "python"
    return str(default) if default.exists() else None

"""Shared helpers of the robustness tests: run the CLI in a subprocess and build hostile projects on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
# A hang guard, not a speed assertion: a run that blocks (a pipe read, a stuck child) fails instead of
# stopping the whole suite.
HANG_GUARD_S = 900


def fixture_python() -> str | None:
    """The fixture virtualenv's interpreter (real boto3, PyYAML...), or None when it is not built."""
    configured = os.environ.get("LAZYAUDIT_FIXTURE_PYTHON")
    if configured:
        return configured
    venv = ROOT / ".fixture-venv" / "bin" / "python"
    return str(venv) if venv.exists() else None


def lazyaudit(*args: str, python: str | None = None, env: dict[str, str] | None = None,
              cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m lazyaudit ARGS --python PYTHON` in a subprocess; never a traceback on stderr."""
    argv = [sys.executable, "-m", "lazyaudit", *args]
    if python is not None:
        argv += ["--python", python]
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **(env or {})}
    done = subprocess.run(argv, capture_output=True, text=True, cwd=cwd or ROOT, env=full_env,
                          timeout=HANG_GUARD_S, check=False)
    assert "Traceback" not in done.stderr, f"{' '.join(args)}:\n{done.stderr}"
    assert "Traceback" not in done.stdout, f"{' '.join(args)}:\n{done.stdout}"
    return done


def findings(done: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert done.returncode in (0, 1), done.stderr
    return list(json.loads(done.stdout)["findings"])


def la900(done: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """path -> message of every LA900 finding of a `--format json` run."""
    return {f["path"]: f["message"] for f in findings(done) if f["code"] == "LA900"}


def write(root: Path, rel: str, data: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def heavy_tree(root: Path, *, heavy_modules: int = 70, users: int = 300) -> list[Path]:
    """A project where LA101 fires `users` times: a first-party package `heavy` whose __init__ eagerly
    imports `heavy_modules` submodules, and app/modN.py files that import it at module level but read
    it only inside a function. Returns the app files."""
    write(root, "heavy/__init__.py", "".join(f"from heavy import h{i}\n" for i in range(heavy_modules)) + "VALUE = 1\n")
    for i in range(heavy_modules):
        write(root, f"heavy/h{i}.py", f"DATA{i} = [{i}] * 3\n")
    write(root, "app/__init__.py", "")
    files = []
    for i in range(users):
        files.append(write(root, f"app/mod{i}.py",
                           f'"""Module {i}."""\nimport heavy\n\n\ndef run{i}():\n    return heavy.VALUE + {i}\n'))
    return files

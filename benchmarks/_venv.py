"""Cached benchmark virtualenvs under ~/.cache/lazyaudit-bench/venvs, rebuilt only when their package list changes.

Usage from any benchmark (they run as scripts, so `benchmarks/` is on sys.path):

    from _venv import ensure_venv, installed_versions
    python = ensure_venv("closure", ["boto3==1.34.69", "requests"])   # Path of the venv's python
    versions = installed_versions(python)                              # {"boto3": "1.34.69", ...}

The cache root is $LAZYAUDIT_BENCH_CACHE (default ~/.cache/lazyaudit-bench). A venv is keyed by
its name; a stamp file inside it records the packages and the base interpreter, and any change
rebuilds it from scratch. A file lock makes two benchmarks that want the same venv wait for each other.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

CACHE = Path(os.environ.get("LAZYAUDIT_BENCH_CACHE", "~/.cache/lazyaudit-bench")).expanduser()
_STAMP = ".lazyaudit-bench.json"


def venv_python(home: Path) -> Path:
    return home / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv(name: str, packages: Sequence[str], *, base: str = sys.executable, log: bool = True) -> Path:
    """The python of venv `name` with `packages` installed (pip requirement strings); built once, then reused."""
    home = CACHE / "venvs" / name
    want = {"packages": sorted(packages), "base": os.path.realpath(base)}
    home.parent.mkdir(parents=True, exist_ok=True)
    with open(home.parent / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        python = venv_python(home)
        try:
            if json.loads((home / _STAMP).read_text()) == want and python.exists():
                return python
        except (OSError, ValueError):
            pass
        if log:
            print(f"building venv {home} ({len(packages)} packages; cached for later runs)", file=sys.stderr)
        shutil.rmtree(home, ignore_errors=True)
        _run([base, "-m", "venv", str(home)])
        _run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *packages])
        (home / _STAMP).write_text(json.dumps(want))
        return python


def installed_versions(python: Path) -> dict[str, str]:
    """Canonical distribution name -> version, as pip in that venv reports them."""
    out = _run([str(python), "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"])
    return {row["name"].lower().replace("_", "-"): row["version"] for row in json.loads(out)}


def site_packages(python: Path) -> str:
    """The venv's purelib folder (to put it on another interpreter's PYTHONPATH, e.g. for peer tools)."""
    return _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip()


def _run(cmd: list[str]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"command failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return done.stdout


def tool_python(log: bool = True) -> Path:
    """The python of a venv holding this checkout of lazyaudit installed the way users get it: a regular
    (not editable) install with compiled bytecode, as the peers' own installs are. Reinstalled (without
    touching its dependencies) whenever lazyaudit's code changes."""
    import hashlib

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha1()
    for path in sorted([*root.joinpath("lazyaudit").rglob("*.py"), *root.joinpath("lazyaudit").rglob("*.json"),
                        root / "pyproject.toml"]):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    python = ensure_venv("lazyaudit-tool", [str(root)], log=log)
    stamp = python.parent.parent / ".lazyaudit-code"
    try:
        if stamp.read_text() == digest.hexdigest():
            return python
    except OSError:
        pass
    if log:
        print("installing this checkout of lazyaudit into the benchmark tool venv", file=sys.stderr)
    _run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
          "--force-reinstall", str(root)])
    stamp.write_text(digest.hexdigest())
    return python

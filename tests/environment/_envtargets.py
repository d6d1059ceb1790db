"""Builds real target environments: venvs with hand-installed distributions (dist-info, egg-info, .pth)."""

from __future__ import annotations

import base64
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from lazyaudit.environment import Environment, load_environment


def interpreters() -> list[str]:
    """The running interpreter, plus 3.8 and 3.9 when this machine has them (the oldest targets)."""
    found = [sys.executable]
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    for minor in ("3.8", "3.9"):
        candidates = [shutil.which(f"python{minor}") or ""]
        candidates += sorted(glob.glob(os.path.join(pyenv, "versions", f"{minor}.*", "bin", f"python{minor}")))
        for candidate in candidates:
            # A pyenv shim exists for every installed version but fails unless that one is selected.
            if candidate and subprocess.run([candidate, "-c", "pass"], capture_output=True, check=False).returncode == 0:
                found.append(candidate)
                break
    return found


def write_dist(
    site: Path,
    name: str,
    version: str,
    files: dict[str, bytes],
    *,
    top_level: list[str] | None = None,
    requires: tuple[str, ...] = (),
    entry_points: str = "",
    record: bool = True,
    unsized: tuple[str, ...] = (),
) -> Path:
    """Install a distribution by hand: its files, and a dist-info with METADATA and RECORD."""
    for rel, data in files.items():
        target = site / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    info = site / f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}.dist-info"
    info.mkdir()
    headers = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    headers += [f"Requires-Dist: {req}" for req in requires]
    # The description body must not be read as headers.
    (info / "METADATA").write_text("\n".join(headers) + "\n\nName: not-a-header\nRequires-Dist: nor-this\n")
    if top_level is not None:
        (info / "top_level.txt").write_text("".join(f"{line}\n" for line in top_level))
    if entry_points:
        (info / "entry_points.txt").write_text(entry_points)
    if record:
        rows = []
        for rel, data in files.items():
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            size = "" if rel in unsized else str(len(data))
            path = f'"{rel}"' if "," in rel else rel  # csv quoting, as pip writes it
            rows.append(f"{path},sha256={digest},{size}")
        rows.append(f"{info.name}/METADATA,,")
        rows.append(f"{info.name}/RECORD,,")
        (info / "RECORD").write_text("\n".join(rows) + "\n")
    return info


@dataclass(frozen=True)
class Target:
    python: str
    venv: Path
    site: Path
    extra: Path  # a directory added to sys.path by a .pth file
    ext: str  # the interpreter's first extension-module suffix
    env: Environment
    raw: dict  # _introspect.py's own output for the same interpreter


def build_target(root: Path, base_python: str) -> Target:
    subprocess.run([base_python, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    venv = root / "venv"
    python = str(venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))
    probe = "import importlib.machinery as m, sysconfig; print(m.EXTENSION_SUFFIXES[0]); print(sysconfig.get_path('purelib'))"
    ext, purelib = subprocess.run([python, "-c", probe], capture_output=True, check=True, text=True).stdout.split("\n")[:2]
    site = Path(purelib)
    extra = root / "extra"
    extra.mkdir()
    write_dist(
        site, "Alpha.Lib", "1.0",
        {"alpha/__init__.py": b"from alpha.core import main\n", "alpha/core.py": b"def main():\n    pass\n",
         "alpha/__pycache__/core.cpython-311.pyc": b"\0" * 100},
        top_level=["alpha"], unsized=("alpha/__pycache__/core.cpython-311.pyc",),
        requires=("beta>=1", 'gamma; extra == "fast"', 'delta; sys_platform == "win32"', "Epsilon_Pkg (>=2)"),
        entry_points="[console_scripts]\nalpha = alpha.core:main\n\n[gui_scripts]\nalpha-gui = alpha.core:main\n\n"
        "[alpha.plugins]\nx = alpha.core:main\n",
    )
    (venv / "bin").mkdir(exist_ok=True)
    write_dist(
        site, "beta", "2.0",
        {"beta.py": b"import _beta_speedups\n", f"_beta_speedups{ext}": b"\x7fELF" + b"\0" * 60,
         "../../../bin/beta-tool": b"#!/bin/sh\n", "beta_data/one,two.txt": b"12345"},
    )
    write_dist(
        site, "nsco-cloud-storage", "1.5",
        {"nsco/cloud/storage/__init__.py": b"", "nsco/cloud/storage/blob.py": b"import nsco.protobuf\n"},
        top_level=["nsco"], requires=("nsco-protobuf",),
    )
    write_dist(
        site, "nsco-protobuf", "3.0",
        {"nsco/protobuf/__init__.py": b"", "nsco/_upb/_message.abi3.so": b"\x7fELF"},
        top_level=["nsco"],
    )
    write_dist(site, "mystery_pkg", "0.1", {}, record=False)
    # A legacy egg-info install: requires.txt instead of Requires-Dist, installed-files.txt instead of RECORD.
    (site / "oldpkg").mkdir()
    (site / "oldpkg" / "__init__.py").write_text("VALUE = 1\n")
    egg = site / "oldpkg-0.3-py3.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Metadata-Version: 1.1\nName: oldpkg\nVersion: 0.3\n")
    (egg / "requires.txt").write_text("beta>=1\n\n[fast]\ngamma\n")
    (egg / "installed-files.txt").write_text("../oldpkg/__init__.py\nPKG-INFO\n")
    broken = site / "broken-1.0.dist-info"  # undecodable metadata: reported, and the rest still read
    broken.mkdir()
    (broken / "METADATA").write_bytes(b"Name: broken\nVersion: 1.0\nSummary: \xff\n")
    write_dist(extra, "gamma", "0.1", {"gamma.py": b""}, top_level=["gamma"])
    write_dist(extra, "alpha-lib", "0.5", {}, top_level=["alpha"])  # shadowed by site-packages' 1.0
    (site / "extra.pth").write_text(f"{extra}\n")
    (site / "chatty.pth").write_text("import sys; sys.stdout.write('chatter from a .pth file\\n')\n")
    (site / "pthmod.py").write_text("LOADED = True\n")  # imported at startup: must leave no .pyc
    (site / "pthmod.pth").write_text("import pthmod\n")
    env = load_environment(python)
    out = subprocess.run([python, "-B", str(Path(__file__).parents[2] / "lazyaudit" / "_introspect.py")],
                         capture_output=True, check=True, text=True).stdout
    return Target(python, venv, site, extra, ext, env, json.loads(out.splitlines()[-1]))

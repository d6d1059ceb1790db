"""Scale benchmark: `lazyaudit audit` on a generated ~1 million-line monorepo, cold, warm, then after a one-file edit.

    python benchmarks/scale.py [--lines N] [--python EXE] [--keep DIR] [--runs-warm N] [--json FILE]

Generates (deterministically, seed 7) a monorepo in a temp dir: `src/` with hundreds of packages,
one in twenty a shared library (`lib_NNNN`), the rest services (`svc_NNNN`); each package has an
`__init__` that re-exports its modules (an eager chain), a handler, models, clients and utilities,
~100 lines per module. Imports are realistic: stdlib, installed third-party code (boto3, pydantic,
pandas, numpy, sqlalchemy, langchain_core... from the sweep venv), relative imports to siblings,
libraries importing lower libraries, services importing libraries and now and then another service,
deferred, TYPE_CHECKING and guarded imports, and back-edges that close import cycles. Twenty service
handlers are entry points. Then runs
`python -m lazyaudit audit` with LAZYAUDIT_CACHE_DIR set to an empty dir (cold), then again (warm: the
stored report of the unchanged project), then after adding a line to one module (edit: one file parsed
again, every check re-run, installed code's edges from the edge store).
CPU is user+sys of the run and its reaped pool workers (wall time depends on what else the machine
runs; CPU time much less). Memory: ru_maxrss of each run (os.wait4; that process or its largest reaped pool worker) and
RUSAGE_CHILDREN at the end, plus the peak of the whole process tree's summed RSS, sampled from /proc.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from _venv import ensure_venv

LIMIT_MB = 2048
STDLIB = ("os", "sys", "json", "logging", "re", "time", "datetime", "functools", "itertools", "collections",
          "dataclasses", "typing", "pathlib", "enum", "uuid", "hashlib", "decimal", "contextlib", "asyncio")
# (import line, names it binds, requirement that provides it)
THIRD_PARTY = (
    ("import boto3", "boto3", "boto3"), ("from pydantic import BaseModel, Field", "BaseModel", "pydantic"),
    ("import pandas as pd", "pd", "pandas"), ("import numpy as np", "np", "numpy"),
    ("import sqlalchemy as sa", "sa", "SQLAlchemy"), ("import httpx", "httpx", "httpx"),
    ("from langchain_core.messages import HumanMessage", "HumanMessage", "langchain-core"),
    ("import yaml", "yaml", "PyYAML"), ("import requests", "requests", "requests"),
    ("from rich.console import Console", "Console", "rich"), ("import jsonschema", "jsonschema", "jsonschema"),
)
KINDS = ("models", "clients", "service", "repository", "utils", "schemas", "events", "tasks", "views", "config")


class Generator:
    """Writes one monorepo; `lines` is approximate (each module is ~100 lines)."""

    def __init__(self, root: Path, lines: int, seed: int = 7) -> None:
        self.root = root
        self.rng = random.Random(seed)
        self.modules_per_pkg = len(KINDS) + 1  # + handler
        self.packages = max(4, lines // (100 * (self.modules_per_pkg + 1)))
        self.libs = max(2, self.packages // 20)
        self.lines = 0
        self.files = 0

    def name(self, i: int) -> str:
        return f"lib_{i:04d}" if i < self.libs else f"svc_{i:04d}"

    def write(self) -> list[str]:
        src = self.root / "src"
        for i in range(self.packages):
            pkg = src / self.name(i)
            pkg.mkdir(parents=True)
            for kind in KINDS:
                self._emit(pkg / f"{kind}.py", self.module(i, kind))
            self._emit(pkg / "handler.py", self.handler(i))
            self._emit(pkg / "__init__.py", self.init(i))
        services = range(self.libs, self.packages)
        entries = [f"{self.name(i)}.handler:handler" for i in services[:: max(1, len(services) // 20)]][:20]
        deps = sorted({req for _, _, req in THIRD_PARTY} | {"croniter"})  # croniter: declared, never imported
        self._emit(self.root / "pyproject.toml", "\n".join([
            "[project]", 'name = "monorepo"', 'version = "1.0"',
            "dependencies = [" + ", ".join(f'"{d}"' for d in deps) + "]", "",
            "[tool.lazyaudit]", "entries = [" + ", ".join(f'"{e}"' for e in entries) + "]", "",
        ]))
        return entries

    def _emit(self, path: Path, text: str) -> None:
        path.write_text(text)
        self.lines += text.count("\n")
        self.files += 1

    def module(self, i: int, kind: str) -> str:
        rng = self.rng
        out = [f'"""{kind.capitalize()} of service {i}: generated for the lazyaudit scale benchmark."""', "",
               "from __future__ import annotations", ""]
        out += [f"import {m}" for m in sorted({"logging", *rng.sample(STDLIB, 3)})]
        heavy = rng.sample(THIRD_PARTY, rng.choice((0, 1, 1, 2)))
        out += [line for line, _, _ in heavy]
        out += ["from typing import TYPE_CHECKING, Any", ""]
        siblings = [k for k in KINDS[: KINDS.index(kind)]]
        for sib in rng.sample(siblings, min(2, len(siblings))):
            out.append(f"from . import {sib}")
        lower = range(min(i, self.libs))  # the libraries below this package
        targets = rng.sample(lower, min(len(lower), rng.choice((1, 2, 2, 3))))
        if i >= self.libs and rng.random() < 0.05:  # services talk to each other now and then
            targets.append(rng.randrange(self.libs, self.packages))
        for j in sorted(set(targets) - {i}):
            out.append(f"from {self.name(j)} import {rng.choice(KINDS)} as dep_{j}")
        if i + 1 < self.libs and rng.random() < 0.1:  # a back-edge: an import cycle between libraries
            out.append(f"import {self.name(i + 1)}.{rng.choice(KINDS)}")
        out += ["", "if TYPE_CHECKING:", f"    from {self.name(rng.randrange(self.libs))}.schemas import Schemas0", "",
                "try:", "    import ujson as fastjson", "except ImportError:", "    fastjson = None", "",
                "logger = logging.getLogger(__name__)"]
        if any(req == "boto3" for _, _, req in heavy) and rng.random() < 0.5:
            out.append('TABLE = boto3.resource("dynamodb").Table("jobs")')  # a side effect at import
        out.append("")
        for c in range(2):
            out += self.klass(f"{kind.capitalize()}{c}", heavy)
        for f in range(3):
            out += self.function(f"{kind}_step_{f}", heavy, deferred=f == 2)
        return "\n".join(out) + "\n"

    def klass(self, name: str, heavy: list[tuple[str, str, str]]) -> list[str]:
        base = "BaseModel" if any(b == "BaseModel" for _, b, _ in heavy) else "object"
        out = ["", f"class {name}({base}):", f'    """A {name} record."""', ""]
        if base == "BaseModel":
            out += ["    key: str = Field(default='')", "    count: int = 0", ""]
        for m in range(3):
            out += [f"    def method_{m}(self, value: Any, *, limit: int = {m + 10}) -> dict[str, Any]:",
                    "        result: dict[str, Any] = {}",
                    "        for index, item in enumerate(str(value)[:limit]):",
                    "            if index % 2:",
                    "                result[item] = index",
                    "            else:",
                    "                result.setdefault('even', []).append(item)",
                    "        return result", ""]
        return out

    def function(self, name: str, heavy: list[tuple[str, str, str]], *, deferred: bool) -> list[str]:
        out = ["", f"def {name}(payload: dict[str, Any], schema: Schemas0 | None = None) -> Any:"]
        if deferred:
            out.append(f"    from {self.name(self.rng.randrange(self.packages))} import utils  # deferred")
        out += ['    logger.debug("step %s", payload)', "    total = 0",
                "    for key, value in sorted(payload.items()):",
                "        total += len(key) + len(str(value))"]
        if heavy:
            out.append(f"    helper = {heavy[0][1]}")
            out.append("    return {'total': total, 'helper': repr(helper)}")
        else:
            out.append("    return {'total': total}")
        return out + [""]

    def handler(self, i: int) -> str:
        return "\n".join([
            f'"""Lambda handler of service {i}."""', "", "from __future__ import annotations", "", "import json", "",
            f"from {self.name(i)} import service", f"from {self.name(i)}.clients import Clients0", "", "",
            "def handler(event, context):",
            "    result = service.service_step_0(event)",
            "    return {'statusCode': 200, 'body': json.dumps(result, default=str)}", "",
        ]) + "\n"

    def init(self, i: int) -> str:
        body = [f'"""Service {i}: re-exports every module (an eager __init__ chain)."""', "",
                "from __future__ import annotations", ""]
        body += [f"from .{k} import {k.capitalize()}0" for k in KINDS]
        body += ["", "__all__ = [" + ", ".join(f'"{k.capitalize()}0"' for k in KINDS) + "]"]
        return "\n".join(body) + "\n"


class TreeSampler(threading.Thread):
    """Peak of the summed RSS of a process and all its descendants, from /proc every 100 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.stop = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.1):
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in _tree(self.pid)))


def _tree(pid: int) -> list[int]:
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                todo += [int(c) for c in Path(f"/proc/{p}/task/{task}/children").read_text().split()]
        except OSError:
            pass
    return seen


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def audit(project: Path, python: Path, cache: Path, out: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LAZYAUDIT_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    argv = [sys.executable, "-m", "lazyaudit", "audit", str(project), "--python", str(python), "--format", "json",
            "-o", str(out)]
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        sampler.stop.set()
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        err.seek(0)
        stderr = err.read()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"lazyaudit audit failed with exit code {proc.returncode}:\n{stderr[-3000:]}")
    report = json.loads(out.read_text())
    counts = report["summary"]["counts"]
    return {"seconds": round(seconds, 1), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1), "rss_mb": round(usage.ru_maxrss / 1024),
            "tree_rss_mb": round(sampler.peak_kb / 1024), "findings": sum(counts.values()), "counts": counts,
            "files": report["summary"]["files"]["scanned"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000, help="approximate size of the monorepo (default 1M)")
    ap.add_argument("--python", help="environment to analyse against (default: the sweep benchmark's venv)")
    ap.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it (default: a temp dir, removed)")
    ap.add_argument("--runs-warm", type=int, default=1, help="warm-cache runs (default 1)")
    ap.add_argument("--json", metavar="FILE", help="also write the numbers here")
    args = ap.parse_args()

    if args.python:
        python = Path(args.python)
    else:
        from sweep import PACKAGES

        python = ensure_venv("sweep", PACKAGES)
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="lazyaudit-scale-"))
    project, cache, out = base / "monorepo", base / "cache", base / "report.json"
    shutil.rmtree(project, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    project.mkdir(parents=True)
    start = time.perf_counter()
    gen = Generator(project, args.lines)
    entries = gen.write()
    size = sum(p.stat().st_size for p in project.rglob("*.py"))
    print(f"generated {gen.lines:,} lines in {gen.files:,} files ({gen.packages:,} packages, {size / 1e6:.1f} MB, "
          f"{len(entries)} entry points) in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    results = {"lines": gen.lines, "files": gen.files, "packages": gen.packages, "source_mb": round(size / 1e6, 1),
               "entries": len(entries), "cpus": len(os.sched_getaffinity(0))}
    # A real monorepo was not written a second ago: lazyaudit's caches do not trust files modified in
    # the last 2 s, so files as fresh as the generator's would make every run a cold one.
    an_hour_ago = time.time() - 3600
    for path in [project, *project.rglob("*")]:
        os.utime(path, (an_hour_ago, an_hour_ago))
    runs = [("cold", audit(project, python, cache, out))]
    for n in range(args.runs_warm):
        runs.append((f"warm{'' if args.runs_warm == 1 else n + 1}", audit(project, python, cache, out)))
    # The edit loop: one module changed (one line added), everything else as the warm runs found it.
    edited = min(project.glob("src/svc_*/service.py"))
    edited.write_text(edited.read_text() + "\nEDITED = True\n")
    os.utime(edited, (an_hour_ago + 60, an_hour_ago + 60))
    runs.append(("edit", audit(project, python, cache, out)))
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"monorepo: {gen.lines:,} lines, {gen.files:,} files, {gen.packages:,} packages, {size / 1e6:.1f} MB of source")
    print(f"{'run':<6} {'wall':>8} {'CPU':>8} {'peak RSS':>10} {'tree RSS':>10} {'files':>7} {'findings':>9}")
    for label, r in runs:
        print(f"{label:<6} {r['seconds']:>7.1f}s {r['cpu_seconds']:>7.1f}s {r['rss_mb']:>8} MB {r['tree_rss_mb']:>8} MB {r['files']:>7} "
              f"{r['findings']:>9}")
    print(f"findings by code: {runs[0][1]['counts']}")
    worst = max(max(r["rss_mb"], r["tree_rss_mb"]) for _, r in runs)
    print(f"RUSAGE_CHILDREN ru_maxrss: {children:.0f} MB; largest peak {worst} MB "
          f"({'under' if worst < LIMIT_MB else 'OVER'} the {LIMIT_MB} MB limit)")
    results.update({label: r for label, r in runs}, children_maxrss_mb=round(children))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 0 if worst < LIMIT_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())

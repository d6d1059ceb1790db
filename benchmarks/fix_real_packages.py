"""`lazyaudit fix --write` on real packages: their own test suites before and after, and their import time.

For each package (default: click, jinja2, marshmallow, attrs; pure Python, offline test suites that
ship in their sdists):

1. download the sdist from the package index (`pip download --no-binary :all:`, cached) and unpack a
   fresh copy; one cached virtualenv holds pytest and the packages' test dependencies, never the
   packages themselves (their source runs from the copy, through PYTHONPATH);
2. run the package's tests on the copy;
3. apply the rewrites as `lazyaudit fix --write` does (the same library calls), counting what was
   applied and what was skipped, by reason;
4. run the tests again; then time `import PKG` (`-X importtime`) of an untouched copy and of the
   rewritten one in alternation, --runs times each (medians), and count the modules each loads.

The pass counts must not change: the script exits 1 when one does (or a rewrite fails). Results are
in docs/benchmarks/fix.md. Usage: python benchmarks/fix_real_packages.py [--packages click,jinja2]
[--runs 15] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _venv import CACHE, ensure_venv

from lazyaudit.analysis import load_project
from lazyaudit.codemods.runner import plan_fixes, write_plan
from lazyaudit.profiling import measure

TEST_TOOLS = ["pytest==8.3.5", "hypothesis==6.170.17"]


@dataclass(frozen=True)
class Package:
    name: str  # distribution name on the package index
    version: str
    module: str  # what `import` names
    src: str  # folder holding the package inside the sdist ("" = the sdist root)
    deps: tuple[str, ...] = ()  # runtime and test dependencies (pip requirement strings)


PACKAGES = [
    Package("click", "8.1.8", "click", "src"),
    Package("jinja2", "3.1.6", "jinja2", "src", ("MarkupSafe==3.0.2", "trio==0.35.0")),
    Package("marshmallow", "3.26.1", "marshmallow", "src", ("simplejson==3.20.1", "pytz==2025.2")),
    Package("attrs", "25.3.0", "attr", "src", ("Pympler==1.1", "cloudpickle==3.1.1", "zope.interface==7.2")),
]
_SUMMARY = re.compile(r"(\d+) (passed|failed|skipped|xfailed|xpassed|errors?)")
_COUNT = "import sys; before = set(sys.modules); import {module}; print(len(set(sys.modules) - before))"


def sdist(pkg: Package) -> Path:
    folder = CACHE / "sdists"
    folder.mkdir(parents=True, exist_ok=True)
    found = sorted(folder.glob(f"{pkg.name}-{pkg.version}.tar.gz")) + sorted(
        folder.glob(f"{pkg.name.replace('-', '_')}-{pkg.version}.tar.gz"))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                        f"{pkg.name}=={pkg.version}", "-d", str(folder)], check=True)
        found = sorted(folder.glob(f"*{pkg.version}.tar.gz"))
        found = [f for f in found if f.name.lower().startswith(pkg.name.replace("-", "_").lower())
                 or f.name.lower().startswith(pkg.name.lower())]
    return found[0]


def unpack(archive: Path, work: Path) -> Path:
    with tarfile.open(archive) as tar:
        top = tar.getnames()[0].split("/", 1)[0]
        target = work / top
        shutil.rmtree(target, ignore_errors=True)
        tar.extractall(work, filter="data")
    return target


def run_tests(python: Path, project: Path, pkg: Package) -> dict[str, int]:
    env = {**os.environ, "PYTHONPATH": str(project / pkg.src), "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=project,
                         env=env, capture_output=True, text=True, timeout=1200, check=False)
    last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    counts = {kind.rstrip("s") if kind.startswith("error") else kind: int(n) for n, kind in _SUMMARY.findall(last)}
    return {k: counts.get(k, 0) for k in ("passed", "failed", "skipped", "xfailed", "xpassed", "error")}


def cold_import(python: Path, before: Path, after: Path, pkg: Package, runs: int) -> dict[str, Any]:
    """Median `import PKG` time of the untouched and the rewritten copy, measured in alternation so
    that a busy machine slows both alike; and the modules each import loads."""
    times: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(runs):
        for label, project in (("before", before), ("after", after)):
            times[label].append(measure(pkg.module, python=str(python), path=str(project / pkg.src), runs=1).total_ms)
    out: dict[str, Any] = {f"import_ms_{k}": round(statistics.median(v), 1) for k, v in times.items()}
    for label, project in (("before", before), ("after", after)):
        env = {**os.environ, "PYTHONPATH": str(project / pkg.src)}
        got = subprocess.run([str(python), "-c", _COUNT.format(module=pkg.module)], env=env, capture_output=True,
                             text=True, check=True, cwd=project)
        out[f"modules_{label}"] = int(got.stdout.strip())
    return out


def fix(python: Path, project: Path, pkg: Package) -> dict[str, Any]:
    started = time.perf_counter()
    loaded = load_project(project, str(python), entries=[pkg.module], cache=False)
    plan = plan_fixes(loaded)
    problems = write_plan(plan)
    outcomes = plan.all_outcomes() + problems
    skipped = Counter(o.reason.value for o in outcomes if o.status.value == "skipped" and o.reason is not None)
    return {
        "applied": Counter(o.code for o in outcomes if o.status.value == "applied"),
        "skipped": dict(sorted(skipped.items())),
        "failed": [o.message for o in outcomes if o.status.value == "failed"],
        "files": len(plan.changed), "seconds": round(time.perf_counter() - started, 1),
        "applied_lines": [f"{o.path}:{o.line} {o.code} {o.message}" for o in outcomes if o.status.value == "applied"],
    }


def bench(pkg: Package, python: Path, work: Path, runs: int) -> dict[str, Any]:
    project = unpack(sdist(pkg), work)
    pristine = project.with_name(project.name + ".before")
    shutil.rmtree(pristine, ignore_errors=True)
    shutil.copytree(project, pristine)
    print(f"== {pkg.name} {pkg.version}: tests before", file=sys.stderr)
    tests_before = run_tests(python, project, pkg)
    print(f"== {pkg.name}: lazyaudit fix --write", file=sys.stderr)
    done = fix(python, project, pkg)
    print(f"== {pkg.name}: tests after, then {runs} alternating import measurements", file=sys.stderr)
    tests_after = run_tests(python, project, pkg)
    timing = cold_import(python, pristine, project, pkg, runs)
    return {"package": pkg.name, "version": pkg.version, "module": pkg.module, "tests_before": tests_before,
            "tests_after": tests_after, **timing, **done}


def table(results: list[dict[str, Any]]) -> str:
    rows = ["| package | tests before | tests after | rewrites | skipped (by reason) | modules | import (median) |",
            "|---|---|---|---|---|---|---|"]
    for r in results:
        tb, ta = r["tests_before"], r["tests_after"]
        rewrites = ", ".join(f"{c} {code}" for code, c in sorted(r["applied"].items())) or "none"
        skipped = ", ".join(f"{n} {k}" for k, n in r["skipped"].items()) or "none"
        drop = 1 - r["import_ms_after"] / r["import_ms_before"] if r["import_ms_before"] else 0.0
        rows.append(
            f"| {r['package']} {r['version']} | {tb['passed']} passed, {tb['failed']} failed | {ta['passed']} passed, "
            f"{ta['failed']} failed | {rewrites} in {r['files']} files | {skipped} | {r['modules_before']} -> "
            f"{r['modules_after']} | {r['import_ms_before']:.1f} -> {r['import_ms_after']:.1f} ms ({-drop:+.0%}) |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", default=",".join(p.name for p in PACKAGES))
    parser.add_argument("--runs", type=int, default=15, help="-X importtime runs per measurement (median)")
    parser.add_argument("--work", default=str(CACHE / "fix-real"), help="where the sdists are unpacked")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args(argv)
    wanted = [p for p in PACKAGES if p.name in args.packages.split(",")]
    python = ensure_venv("fix-real", TEST_TOOLS + [d for p in PACKAGES for d in p.deps])
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results = [bench(p, python, work, args.runs) for p in wanted]
    print(table(results))
    print(f"\n{len(results)} packages in {time.perf_counter() - started:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=dict) + "\n", encoding="utf-8")
    bad = [r["package"] for r in results if r["tests_after"]["passed"] != r["tests_before"]["passed"]
           or r["tests_after"]["failed"] > r["tests_before"]["failed"] or r["failed"]
           or not r["tests_before"]["passed"] or r["tests_before"]["error"]]
    if bad:
        print(f"FAILED: a test suite did not run, its pass count changed or a rewrite failed: {', '.join(bad)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

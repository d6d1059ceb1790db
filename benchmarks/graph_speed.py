"""Time building the import graph of a large installed tree, cold and warm, against grimp and pydeps.

    python benchmarks/graph_speed.py [--runs 3] [--tree aws|venv|both] [--no-pydeps] [--json FILE]

Uses the cached venv of closure_accuracy.py (~/.cache/lazyaudit-bench/venvs/closure). Every run is
a fresh subprocess that reports its own wall time, CPU time (its children included: lazyaudit's
environment probe and parse workers) and peak RSS. Cold = an empty cache directory
(LAZYAUDIT_CACHE_DIR for lazyaudit, cache_dir for grimp); warm = the same directory again.
What each tool builds: lazyaudit, the graph of every module of the tree with each import resolved
the way `lazyaudit closure` needs it (environment probe of the target interpreter included), as
ImportResolver.edges_many's module -> edges mapping; "lazyaudit+networkx" also copies it into the
networkx DiGraph that `graph` and `why` use (importing networkx costs 50-80 ms by itself);
grimp, `build_graph(*packages, include_external_packages=True)`; pydeps, its --show-deps analysis
of each package (no DOT, no rendering; it has no cache, so only cold; on the AWS tree only unless
--pydeps-venv).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _venv import ensure_venv, site_packages, tool_python
from closure_accuracy import PACKAGES

AWS_TREE = ("botocore", "boto3", "pydantic", "fastapi")

# Runs in a fresh interpreter; prints one JSON line. Times exclude interpreter start-up, include imports.
MEASURE = r"""
import json, os, resource, sys, time
start = time.perf_counter()
tool, packages = sys.argv[1], sys.argv[2].split(",")
if tool.startswith("lazyaudit"):
    if sys.argv[4]:
        sys.path.insert(0, sys.argv[4])
    from lazyaudit.closure import ImportResolver
    from lazyaudit.environment import load_environment
    from lazyaudit.modindex import ModuleIndex
    from lazyaudit.parsing.cache import ScanCache
    env = load_environment(sys.argv[3])
    index = ModuleIndex(env, {}, {}, cache=ScanCache())
    names = [n for p in packages for n, _, _ in index.locator.iter_package_modules(index.locator.find(p))]
    resolver = ImportResolver(index)
    graph = resolver.edges_many(names)  # module -> its resolved edges: lazyaudit's graph
    resolver.save()  # what a warm run reads
    if tool == "lazyaudit+networkx":  # the same graph as the networkx DiGraph the graph/why commands use
        import networkx as nx
        digraph = nx.DiGraph()
        for found in graph.values():
            for edge in found:
                digraph.add_edge(edge.source, edge.target, kind=edge.kind, executed=edge.executed)
    modules, edges = len(names), len({(e.source, e.target) for found in graph.values() for e in found})
else:
    import grimp
    graph = grimp.build_graph(*packages, include_external_packages=True, cache_dir=os.environ["GRIMP_CACHE"])
    modules = len([m for m in graph.modules if m.split(".")[0] in packages])
    edges = sum(len(graph.find_modules_directly_imported_by(m)) for m in graph.modules)
wall = time.perf_counter() - start
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
                  "rss_mb": max(me.ru_maxrss, kids.ru_maxrss) / 1024, "modules": modules, "edges": edges}))
"""


def run(tool: str, packages: list[str], venv_python: Path, site: str, cache: Path) -> dict[str, float]:
    env = {**os.environ, "LAZYAUDIT_CACHE_DIR": str(cache), "GRIMP_CACHE": str(cache)}
    if tool == "grimp":
        env["PYTHONPATH"] = site  # grimp analyses the interpreter it runs in: put the venv first
    # lazyaudit runs from a regular install of this checkout (compiled, like grimp's), grimp from ours
    lazy = tool.startswith("lazyaudit")
    runner, checkout = (str(tool_python(log=False)), "") if lazy else (sys.executable, str(ROOT))
    done = subprocess.run([runner, "-c", MEASURE, tool, ",".join(packages), str(venv_python), checkout],
                          capture_output=True, text=True, env=env, cwd=tempfile.gettempdir(), check=False)
    if done.returncode:
        raise SystemExit(f"{tool} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_pydeps(packages: list[str], site: str, timeout: float) -> dict[str, float] | None:
    exe = shutil.which("pydeps")
    if exe is None:
        return None
    env = {**os.environ, "PYTHONPATH": site}
    total = {"wall": 0.0, "cpu": 0.0, "rss_mb": 0.0, "modules": 0, "edges": 0}
    for package in packages:
        start = time.perf_counter()
        process = subprocess.Popen([exe, "--show-deps", "--no-output", "--max-bacon", "0", "--no-config",
                                    os.path.join(site, package)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   env=env, cwd=tempfile.gettempdir())
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        out = process.stdout.read() if process.stdout else b""
        # wait4, not communicate(): it reaps the child with its own CPU time and peak RSS.
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        timer.cancel()
        total["wall"] += time.perf_counter() - start
        total["cpu"] += usage.ru_utime + usage.ru_stime
        total["rss_mb"] = max(total["rss_mb"], usage.ru_maxrss / 1024)
        if process.returncode != 0:
            return None
        if out:
            data = json.loads(out)
            total["modules"] += len(data)
            total["edges"] += sum(len(v.get("imports", ())) for v in data.values())
    return total


def series(fn, runs: int) -> list[dict[str, float]]:  # type: ignore[no-untyped-def]
    return [fn() for _ in range(runs)]


def summary(rows: list[dict[str, float]]) -> dict[str, float]:
    return {"wall": statistics.median(r["wall"] for r in rows), "wall_min": min(r["wall"] for r in rows),
            "cpu": statistics.median(r["cpu"] for r in rows), "rss_mb": max(r["rss_mb"] for r in rows),
            "modules": rows[0]["modules"], "edges": rows[0]["edges"], "runs": len(rows)}


def measure_tree(label: str, packages: list[str], python: Path, site: str, runs: int,
                 pydeps: bool, timeout: float) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="lazyaudit-graph-bench-") as tmp:
        for tool in ("lazyaudit", "lazyaudit+networkx", "grimp"):
            def cold(tool: str = tool) -> dict[str, float]:
                cache = Path(tempfile.mkdtemp(dir=tmp))
                return run(tool, packages, python, site, cache)
            results[f"{tool} cold"] = summary(series(cold, runs))
            warm_dir = Path(tempfile.mkdtemp(dir=tmp))
            run(tool, packages, python, site, warm_dir)  # prime
            results[f"{tool} warm"] = summary(
                series(lambda t=tool, w=warm_dir: run(t, packages, python, site, w), runs))
            print(f"  {label}: {tool} done", file=sys.stderr)
    if pydeps:
        found = run_pydeps(packages, site, timeout)
        if found is not None:
            results["pydeps (cold, 1 run)"] = {**found, "wall_min": found["wall"], "runs": 1}
    return results


def machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo") as info:
            model = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{model or platform.processor()}, {cores} cores, Python {platform.python_version()}, load average {load}"


def table(label: str, results: dict[str, dict[str, float]]) -> str:
    head = (f"{'tool':<26} {'modules':>7} {'edges':>6} {'wall s (median)':>15} {'wall s (min)':>12} "
            f"{'cpu s':>7} {'peak RSS MB':>11}")
    lines = [f"\n{label}", head]
    for name, r in results.items():
        lines.append(f"{name:<26} {r['modules']:>7} {r['edges']:>6} {r['wall']:>15.2f} {r['wall_min']:>12.2f} "
                     f"{r['cpu']:>7.2f} {r['rss_mb']:>11.0f}")
    la_c, gr_c = results["lazyaudit cold"], results["grimp cold"]
    nx_w = results["lazyaudit+networkx warm"]
    la_w, gr_w = results["lazyaudit warm"], results["grimp warm"]
    lines.append(f"ratios (lazyaudit / grimp): cold wall {la_c['wall'] / gr_c['wall']:.2f}x, cpu "
                 f"{la_c['cpu'] / gr_c['cpu']:.2f}x; warm wall {la_w['wall'] / gr_w['wall']:.2f}x, cpu "
                 f"{la_w['cpu'] / gr_w['cpu']:.2f}x; warm with a networkx DiGraph wall {nx_w['wall'] / gr_w['wall']:.2f}x")
    pd = results.get("pydeps (cold, 1 run)")
    if pd:
        lines.append(f"pydeps / lazyaudit cold: wall {pd['wall'] / la_c['wall']:.1f}x, cpu {pd['cpu'] / la_c['cpu']:.1f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tree", choices=("aws", "venv", "both"), default="both")
    parser.add_argument("--no-pydeps", action="store_true")
    parser.add_argument("--pydeps-venv", action="store_true",
                        help="run pydeps on the whole venv too (one package at a time: tens of minutes)")
    parser.add_argument("--pydeps-timeout", type=float, default=900.0)
    parser.add_argument("--json", help="also write the raw results here")
    args = parser.parse_args(argv)

    python = ensure_venv("closure", PACKAGES)
    site = site_packages(python)
    trees = []
    if args.tree in ("aws", "both"):
        trees.append(("botocore + boto3 + pydantic + fastapi", list(AWS_TREE)))
    if args.tree in ("venv", "both"):
        every = sorted(n for n in os.listdir(site) if os.path.isfile(os.path.join(site, n, "__init__.py"))
                       and n.isidentifier() and not n.startswith("_") and n not in ("pip", "setuptools", "pkg_resources"))
        trees.append((f"whole venv ({len(every)} packages)", every))
    print(f"machine: {machine()}")
    out = {}
    for label, packages in trees:
        pydeps = not args.no_pydeps and (label.startswith("botocore") or args.pydeps_venv)
        results = measure_tree(label, packages, python, site, args.runs, pydeps, args.pydeps_timeout)
        out[label] = results
        print(table(label, results), flush=True)
    print(f"\nload average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

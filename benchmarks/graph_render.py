"""Time `lazyaudit graph` (DOT generation, then `dot -Tsvg`) against pydeps on one generated 1,000-module package.

Offline: the package is written to a temporary folder and imports only itself and the standard library.

    python benchmarks/graph_render.py [--modules 1000] [--runs 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STDLIB = ("json", "logging", "dataclasses", "typing", "re", "collections", "functools", "pathlib")


def make_package(root: Path, modules: int, *, seed: int = 1, top: str = "bench") -> dict[str, list[tuple[str, str]]]:
    """Write a layered package of about `modules` modules; return module -> [(target, kind)]."""
    rnd = random.Random(seed)
    layers = 20
    per = max(2, modules // layers - 1)
    names = [[f"{top}.layer{li:02d}.mod{i:03d}" for i in range(per)] for li in range(layers)]
    imports: dict[str, list[tuple[str, str]]] = {top: []}
    for li, layer in enumerate(names):
        pkg = f"{top}.layer{li:02d}"
        imports[pkg] = [(m, "eager") for m in rnd.sample(layer, 3)]  # re-exports, as SEED's __init__ did
        lower = [m for lay in names[: li + 1] for m in lay]
        for mod in layer:
            picked = [t for t in rnd.sample(lower, min(len(lower), rnd.randint(1, 3))) if t != mod]
            imports[mod] = [(t, "deferred" if rnd.random() < 0.1 else "eager") for t in picked]
            imports[mod] += [(s, "eager") for s in rnd.sample(STDLIB, rnd.randint(0, 2))]
    for mod, targets in imports.items():
        is_pkg = mod == top or mod.count(".") == 1
        path = root / (mod.replace(".", "/") + ("/__init__.py" if is_pkg else ".py"))
        path.parent.mkdir(parents=True, exist_ok=True)
        eager = [f"import {t}" for t, kind in targets if kind == "eager"]
        deferred = [f"    import {t}" for t, kind in targets if kind == "deferred"] or ["    pass"]
        path.write_text("\n".join([f'"""Generated {mod}."""', *eager, "", "", "def work():", *deferred, ""]),
                        encoding="utf-8")
    return imports


def graph_from(imports: dict[str, list[tuple[str, str]]]) -> Any:
    """The graph lazyaudit.graph.build_graph gives for the package, built without parsing (fallback)."""
    import networkx as nx

    g = nx.DiGraph()
    packages = {m.rpartition(".")[0] for m in imports if "." in m}
    for mod in imports:
        path = mod.replace(".", "/") + ("/__init__.py" if mod in packages else ".py")
        g.add_node(mod, category="first_party", distribution="", path=path, is_package=mod in packages,
                   native=False, source_bytes=200)
    for name in STDLIB:
        g.add_node(name, category="stdlib", distribution="", path=f"/stdlib/{name}.py", is_package=False,
                   native=False, source_bytes=5000)
    for mod, targets in imports.items():
        path = g.nodes[mod]["path"]
        edges = [(t, k, i) for i, (t, k) in enumerate(targets, start=1)]
        if "." in mod:
            edges.append((mod.rpartition(".")[0], "parent", 0))
        for target, kind, line in edges:
            g.add_edge(mod, target, kind=kind, executed=kind != "deferred", sites=[(path, line, kind)], via="")
    return g


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def lazyaudit_graph(root: Path, imports: dict[str, list[tuple[str, str]]], runs: int) -> tuple[list[tuple[str, str]], str]:
    from lazyaudit.report.dot import to_dot, write
    from lazyaudit.report.dot_view import Options, select

    rows = []
    build = 0.0
    try:
        from lazyaudit.analysis import load_project

        build, graph = timed(lambda: load_project(root, cache=False).graph(), runs)
        source = "parsed from the files"
        rows.append(("lazyaudit: load, parse and build the graph", f"{build:.2f}"))
    except ImportError as exc:  # the analysis pipeline may be unfinished; the renderer can still be timed
        graph = graph_from(imports)
        source = f"built from the generator (analysis unavailable: {type(exc).__name__})"
    opts = Options(all=True)
    gen, text = timed(lambda: to_dot(select(graph, opts)), runs)
    view = select(graph, opts)
    out = Path(tempfile.mkdtemp(prefix="la-bench-")) / "graph.svg"
    dot = shutil.which("dot")
    rows.append((f"lazyaudit: choose view + DOT ({len(view.nodes)} nodes, {len(view.links)} edges)", f"{gen:.2f}"))
    if dot:
        render, _ = timed(lambda: write(text, out, "svg", dot), runs)
        rows.append(("lazyaudit: dot -Tsvg", f"{render:.2f}"))
        rows.append(("lazyaudit: total (DOT + SVG)", f"{gen + render:.2f}"))
        if build:
            rows.append(("lazyaudit: end to end (parse + DOT + SVG)", f"{build + gen + render:.2f}"))
    else:
        rows.append(("lazyaudit: dot -Tsvg", "graphviz not installed"))
    entry = f"{next(iter(imports))}.layer19.mod000"
    gen_entry, _ = timed(lambda: to_dot(select(graph, Options(entries=(entry,)))), runs)
    rows.append((f"lazyaudit: default view of one entry, DOT only ({entry})", f"{gen_entry:.3f}"))
    return rows, source


def pydeps_graph(root: Path, top: str, runs: int, timeout: float) -> list[tuple[str, str]]:
    """pydeps' own analysis and DOT, then Graphviz on that DOT, timed apart (the render is run once: it is slow)."""
    exe = shutil.which("pydeps")
    if exe is None:
        return [("pydeps", "not installed (pip install pydeps)")]
    dot_file = root / "pydeps.dot"
    command = [exe, str(root / top), "--noshow", "--no-config", "--max-bacon", "0", "--no-output",
               "--dot-output", str(dot_file)]
    try:
        analyse, _ = timed(lambda: subprocess.run(command, cwd=root, check=True, capture_output=True), runs)
    except subprocess.CalledProcessError as exc:
        return [("pydeps", f"failed: {exc.stderr.decode(errors='replace').strip()[-200:]}")]
    text = dot_file.read_text(encoding="utf-8")
    rows = [(f"pydeps: analysis + DOT ({text.count(' -> ')} edges, --max-bacon 0)", f"{analyse:.2f}")]
    dot = shutil.which("dot")
    if dot is None:
        return rows
    start = time.perf_counter()
    try:
        subprocess.run([dot, "-Tsvg", "-o", str(root / "pydeps.svg"), str(dot_file)], check=True,
                       capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return [*rows, ("pydeps: dot -Tsvg of its DOT (1 run)", f"> {timeout:.0f} (stopped)")]
    render = time.perf_counter() - start
    return [*rows, ("pydeps: dot -Tsvg of its DOT (1 run)", f"{render:.2f}"),
            ("pydeps: total", f"{analyse + render:.2f}")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3, help="median of this many runs (default 3)")
    parser.add_argument("--keep", metavar="DIR", help="write the package here and keep it")
    parser.add_argument("--pydeps-timeout", type=float, default=600.0, help="give up on rendering pydeps' DOT after this")
    args = parser.parse_args(argv)
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="la-graph-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    imports = make_package(root, args.modules)
    rows, source = lazyaudit_graph(root, imports, args.runs)
    rows += pydeps_graph(root, "bench", args.runs, args.pydeps_timeout)
    print(f"{len(imports)} generated modules in {root}; lazyaudit graph {source}; median of {args.runs} runs\n")
    width = max(len(r[0]) for r in rows)
    print(f"{'step':<{width}}  seconds")
    print(f"{'-' * width}  -------")
    for step, value in rows:
        print(f"{step:<{width}}  {value}")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

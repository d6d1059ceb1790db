"""Precision and recall of `lazyaudit closure M` against what a fresh interpreter really loads, next to pydeps and grimp.

    python benchmarks/closure_accuracy.py [--python EXE] [--only M ...] [--misses] [--json FILE]

Builds (once, cached under ~/.cache/lazyaudit-bench) a venv with the pinned packages below. For each
target module, ground truth is the non-stdlib modules in sys.modules after `python -I -c "import M"`
in that venv, minus those of `python -I -c "pass"`; an entry whose module object has another
__name__ is an alias (`sys.modules["x"] = y`), not a load, and is left out (the count is printed).
The prediction is `lazyaudit closure M --python <venv python> --format json`, non-stdlib part.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _venv import CACHE, ensure_venv, installed_versions, site_packages

PACKAGES = (
    "boto3==1.44.8", "requests==2.34.2", "pydantic==2.14.4", "jsonschema==4.26.0", "PyYAML==6.0.4",
    "fastapi==0.165.0", "aws-xray-sdk==2.15.0", "aws-lambda-powertools==3.37.0", "langchain-core==1.8.3",
    "httpx==0.28.1", "rich==15.0.0", "click==8.5.1", "attrs==26.1.0", "SQLAlchemy==2.1.9",
)
# (module, why it is here); the first nine are issue 2's list, then SEED.md's sub-modules, then extras.
TARGETS = (
    ("boto3", "SEED: boto3 clients at import"),
    ("requests", "idna/charset_normalizer found through try/except and __import__"),
    ("pydantic", "PEP 562 __getattr__ over a (package, '.module') table; getattr_migration(__name__)"),
    ("jsonschema", "SEED: declared, never used, 1.4 s"),
    ("yaml", "C loader under try/except ImportError"),
    ("fastapi", "pydantic + starlette stack"),
    ("aws_xray_sdk.core", "what powertools' Tracer pulls in"),
    ("aws_lambda_powertools", "PEP 562 lazy top-level package"),
    ("langchain_core", "_dynamic_imports + import_module"),
    ("botocore.session", "the heavy half of boto3"),
    ("pydantic.main", "SEED: pydantic.BaseModel"),
    ("langchain_core.runnables", "SEED: 239 ms sub-module"),
    ("langchain_core.messages", "SEED: 170 ms sub-module"),
    ("aws_lambda_powertools.tracing", "SEED: Tracer"),
    ("aws_lambda_powertools.logging", "Logger"),
    ("httpx", "extra"),
    ("rich.console", "extra"),
    ("click", "extra"),
    ("attrs", "extra: attrs re-exports attr"),
    ("sqlalchemy", "extra: large package with C extensions"),
)

PROBE = ("import sys\n{imp}\nfor k, m in list(sys.modules.items()):\n"
         "    print(k, getattr(m, '__name__', k) == k)\n")


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    missed: tuple[str, ...]  # in the truth, not predicted
    extra: tuple[str, ...]  # predicted, not in the truth


def score(predicted: set[str], truth: set[str]) -> Score:
    hit = predicted & truth
    precision = len(hit) / len(predicted) if predicted else (1.0 if not truth else 0.0)
    recall = len(hit) / len(truth) if truth else 1.0
    return Score(precision, recall, tuple(sorted(truth - predicted)), tuple(sorted(predicted - truth)))


class Stdlib:
    """The target interpreter's stdlib names: one rule for truth and every tool's prediction."""

    def __init__(self, python: Path) -> None:
        code = "import sys; print(*sorted(set(sys.stdlib_module_names) | set(sys.builtin_module_names)))"
        out = _run([str(python), "-I", "-c", code])
        self.names = frozenset(out.split())

    def outside(self, modules: set[str]) -> set[str]:
        # _sysconfigdata_<abi>_<platform> is the stdlib's sysconfig data, named per build, so not listed.
        return {m for m in modules if m.partition(".")[0] not in self.names and m != "__main__"
                and not m.startswith("_sysconfigdata_")}


def truth(python: Path, module: str, stdlib: Stdlib) -> tuple[set[str], set[str]]:
    """(non-stdlib modules loaded by `import module` in a fresh interpreter, aliases left out)."""
    def probe(imp: str) -> tuple[set[str], set[str]]:
        real, alias = set(), set()
        for line in _run([str(python), "-I", "-c", PROBE.format(imp=imp)], cwd=tempfile.gettempdir()).splitlines():
            name, is_real = line.rsplit(" ", 1)
            (real if is_real == "True" else alias).add(name)
        return stdlib.outside(real), stdlib.outside(alias)

    base_real, base_alias = probe("pass")
    real, alias = probe(f"import {module}")
    return real - base_real, alias - base_alias


def lazyaudit(python: Path, module: str, stdlib: Stdlib, project: Path, cache: Path) -> set[str]:
    env = {**os.environ, "LAZYAUDIT_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    out = _run([sys.executable, "-m", "lazyaudit", "closure", module, str(project), "--python", str(python),
                "--format", "json"], env=env)
    return stdlib.outside(set(json.loads(out)["modules"]))


def pydeps(python: Path, module: str, stdlib: Stdlib, site: str) -> set[str] | None:
    """pydeps' module set for the target's file (its ModuleFinder run with the venv first on sys.path)."""
    exe = shutil.which("pydeps")
    if exe is None:
        return None
    code = (f"import importlib.util as u; s = u.find_spec({module!r}); "
            "print(s.submodule_search_locations[0] if s.submodule_search_locations else s.origin)")
    spec = _run([str(python), "-I", "-c", code]).strip()
    env = {**os.environ, "PYTHONPATH": site}
    try:
        done = subprocess.run([exe, "--show-deps", "--no-output", "--max-bacon", "0", "--no-config", spec],
                              capture_output=True, text=True, env=env, timeout=600, cwd=tempfile.gettempdir(),
                              check=False)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode:
        return None
    try:
        data = json.loads(done.stdout)
    except ValueError:
        return None
    return stdlib.outside(set(data))


GRIMP_SCRIPT = r"""
import json, os, sys, grimp
site, targets = sys.argv[1], json.loads(sys.argv[2])
tops = sorted(n for n in os.listdir(site) if os.path.isfile(os.path.join(site, n, "__init__.py")))
graph = grimp.build_graph(*tops, include_external_packages=True, exclude_type_checking_imports=True, cache_dir=None)
out = {}
for t in targets:
    out[t] = sorted(graph.find_upstream_modules(t) | {t}) if t in graph.modules else None
print(json.dumps(out))
"""


def grimp(site: str, modules: list[str], stdlib: Stdlib) -> dict[str, set[str] | None]:
    """grimp's upstream modules of each target, from one graph of every package in the venv."""
    env = {**os.environ, "PYTHONPATH": site}
    done = subprocess.run([sys.executable, "-c", GRIMP_SCRIPT, site, json.dumps(modules)], capture_output=True,
                          text=True, env=env, timeout=1800, cwd=tempfile.gettempdir(), check=False)
    if done.returncode:
        print(f"grimp failed: {done.stderr.strip()[-300:]}", file=sys.stderr)
        return {m: None for m in modules}
    found = json.loads(done.stdout)
    return {m: (stdlib.outside(set(v)) if v is not None else None) for m, v in found.items()}


def _run(cmd: list[str], **kw: object) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)  # type: ignore[call-overload]
    if done.returncode:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-3000:]}")
    return done.stdout


def _cell(s: Score | None) -> str:
    return "   n/a      n/a" if s is None else f"{s.precision:6.3f}   {s.recall:6.3f}"


def _mean(scores: list[Score | None], attr: str) -> str:
    values = [getattr(s, attr) for s in scores if s is not None]
    return f"{statistics.mean(values):6.3f}" if values else "   n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", help="use this interpreter's environment instead of the cached bench venv")
    parser.add_argument("--only", nargs="*", help="target modules to run (default: all)")
    parser.add_argument("--misses", action="store_true", help="list every module lazyaudit misses or adds")
    parser.add_argument("--no-peers", action="store_true", help="skip pydeps and grimp")
    parser.add_argument("--json", help="also write the raw results here")
    args = parser.parse_args(argv)

    python = Path(os.path.abspath(args.python)) if args.python else ensure_venv("closure", PACKAGES)
    stdlib = Stdlib(python)
    site = site_packages(python)
    targets = [t for t in TARGETS if not args.only or t[0] in args.only] or [(m, "") for m in args.only or ()]
    modules = [t[0] for t in targets]
    cache = CACHE / "closure-parse-cache"
    grimp_sets = grimp(site, modules, stdlib) if not args.no_peers else {m: None for m in modules}
    rows, results = [], {}
    with tempfile.TemporaryDirectory(prefix="lazyaudit-closure-") as empty:
        for module in modules:
            real, aliases = truth(python, module, stdlib)
            ours = score(lazyaudit(python, module, stdlib, Path(empty), cache), real)
            pd = pydeps(python, module, stdlib, site) if not args.no_peers else None
            theirs = score(pd, real) if pd is not None else None
            gs = grimp_sets.get(module)
            grimps = score(gs, real) if gs is not None else None
            rows.append((module, len(real), len(aliases), ours, theirs, grimps))
            results[module] = {"truth": sorted(real), "aliases": sorted(aliases), "missed": ours.missed,
                               "extra": ours.extra, "precision": ours.precision, "recall": ours.recall,
                               "pydeps": theirs and [theirs.precision, theirs.recall],
                               "grimp": grimps and [grimps.precision, grimps.recall]}
            print(f"  {module}: P={ours.precision:.3f} R={ours.recall:.3f}", file=sys.stderr)

    versions = installed_versions(python)
    print(f"python: {python}\npackages: " + ", ".join(f"{n}=={v}" for n, v in sorted(versions.items())))
    print(f"\n{'target':<32} {'truth':>5} {'alias':>5} | {'lazyaudit P':>11} {'R':>6} | "
          f"{'pydeps P':>8} {'R':>6} | {'grimp P':>7} {'R':>6}")
    for module, n, a, ours, theirs, grimps in rows:
        print(f"{module:<32} {n:>5} {a:>5} |      {_cell(ours)} |   {_cell(theirs)} |  {_cell(grimps)}")
    col = [r[3] for r in rows], [r[4] for r in rows], [r[5] for r in rows]
    print(f"{'mean':<32} {'':>5} {'':>5} |      {_mean(col[0], 'precision')}   {_mean(col[0], 'recall')} |"
          f"   {_mean(col[1], 'precision')}   {_mean(col[1], 'recall')} |  {_mean(col[2], 'precision')}"
          f"   {_mean(col[2], 'recall')}")
    worst = min(min(r[3].precision, r[3].recall) for r in rows)
    mean_p = statistics.mean(r[3].precision for r in rows)
    mean_r = statistics.mean(r[3].recall for r in rows)
    ok = mean_p >= 0.97 and mean_r >= 0.97 and worst >= 0.9
    print(f"\ntarget (mean P and R >= 0.97, none below 0.90): {'met' if ok else 'NOT met'} (worst {worst:.3f})")
    if args.misses:
        for module, *_rest in rows:
            r = results[module]
            if r["missed"] or r["extra"]:
                print(f"\n{module}:\n  missed: {' '.join(r['missed']) or '-'}\n  extra:  {' '.join(r['extra']) or '-'}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, sort_keys=True))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

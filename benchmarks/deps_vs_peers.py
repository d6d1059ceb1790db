"""`lazyaudit deps` against deptry and fawltydeps on real sdists and a SAM layout: findings side by side, judged, timed."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _venv import tool_python
from deps_verdicts import LAMBDA_FILES, VERDICTS

from lazyaudit.environment import canonical_name, load_environment

CACHE = Path(os.environ.get("LAZYAUDIT_BENCH_CACHE", "~/.cache/lazyaudit-bench")).expanduser()
DOC = ROOT / "docs" / "benchmarks" / "deps.md"
# Problem classes: what a user has to do, whichever tool and code says it.
UNDECLARED, UNNEEDED, VERSION = "undeclared", "unneeded", "version"
CLASS = {"DEP001": UNDECLARED, "DEP003": UNDECLARED, "DEP004": UNDECLARED, "DEP002": UNNEEDED,
         "LA002": UNDECLARED, "LA003": UNDECLARED, "LA001": UNNEEDED, "LA005": UNNEEDED, "LA004": VERSION}


@dataclass(frozen=True)
class Case:
    name: str
    sdist: str  # "name==version" from PyPI; "" for the layout built here
    install: tuple[str, ...]  # what the venv gets besides deptry (the project itself and its declared deps)
    deptry_args: tuple[str, ...] = ()
    why: str = ""


CASES = (
    Case("httpx", "httpx==0.27.0", (".",), why="hatch project, optional extras imported under try/except"),
    Case("rich", "rich==13.7.1", (".",), why="Poetry project, guarded IPython/ipywidgets, a TYPE_CHECKING-heavy code base"),
    Case("fastapi", "fastapi==0.110.0", (".",),
         why="docs_src/ examples and tests/ import what only the docs and tests declare"),
    Case("flask", "flask==3.0.2", (".",), why="src layout, optional python-dotenv/asgiref, requirements/ folder"),
    Case("pydantic-settings", "pydantic-settings==2.2.1", (".",),
         why="optional extras (yaml, toml) and a declared python-dotenv"),
    Case("mkdocs", "mkdocs==1.5.3", (".",), why="hatch project whose plugins are found through entry points"),
    Case("sam-backend", "", ("fastapi==0.110.0", "mangum==0.17.0", "uvicorn==0.29.0", "jinja2==3.1.3",
                             "pydantic-settings==2.2.1", "aws-lambda-powertools[tracer]==2.35.1", "boto3==1.34.69",
                             "python-dateutil==2.9.0.post0", "jsonschema==4.21.1", "pytest==8.1.1"),
         deptry_args=("--requirements-files", "functions/api/requirements.txt,functions/worker/requirements.txt"),
         why="SAM template: two CodeUri folders with sibling modules, a layer with a vendored package (pyhumps)"),
)


def sh(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)  # type: ignore[call-overload]


def fetch(spec: str, work: Path) -> Path:
    """The sdist of `spec`, downloaded once into the cache, extracted into `work`."""
    store = CACHE / "sdists"
    store.mkdir(parents=True, exist_ok=True)
    name, version = spec.split("==")
    found = [p for p in store.iterdir() if p.name.lower().replace("_", "-").startswith(f"{name}-{version}".lower())]
    if not found:
        done = sh([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", spec, "-d", str(store)])
        if done.returncode:
            raise SystemExit(f"cannot download {spec}:\n{done.stderr}")
        found = [p for p in store.iterdir() if p.name.lower().replace("_", "-").startswith(f"{name}-{version}".lower())]
    with tarfile.open(found[0]) as archive:
        top = archive.getnames()[0].split("/")[0]
        archive.extractall(work, filter="data") if sys.version_info >= (3, 12) else archive.extractall(work)
    return work / top


def build_lambda(work: Path) -> Path:
    """A SAM backend: hand-written handlers around real packages, a layer vendoring pyhumps' source."""
    root = work / "sam-backend"
    for rel, text in LAMBDA_FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    humps = fetch("pyhumps==3.8.0", work / "_pyhumps")
    shutil.copytree(humps / "humps", root / "layers" / "common" / "python" / "humps")
    return root


def venv(case: Case, project: Path) -> Path:
    """The case's virtualenv (cached): its declared dependencies, the project itself, and deptry (it reads its own env)."""
    home = CACHE / "venvs" / case.name
    python = home / "bin" / "python"
    stamp = home / ".ready"
    if not stamp.exists():
        shutil.rmtree(home, ignore_errors=True)
        sh([sys.executable, "-m", "venv", str(home)])
        targets = [str(project) if t == "." else t for t in case.install]
        done = sh([str(python), "-m", "pip", "install", "-q", *targets, "deptry==0.25.1"])
        if done.returncode:
            raise SystemExit(f"cannot install {case.name}:\n{done.stderr[-3000:]}")
        stamp.write_text("ok\n")
    return python


def run_deptry(case: Case, project: Path, python: Path, out: Path) -> list[tuple[str, str, str]]:
    out.unlink(missing_ok=True)
    sh([str(python.parent / "deptry"), ".", "--json-output", str(out), *case.deptry_args], cwd=project)
    data = json.loads(out.read_text()) if out.exists() else []
    return [(item["error"]["code"], item["module"], _where(item.get("location", {}))) for item in data]


def _where(location: dict[str, object]) -> str:
    file = str(location.get("file") or "")
    return f"{file}:{location.get('line')}" if location.get("line") else file


def run_fawltydeps(project: Path, python: Path) -> list[tuple[str, str, str]]:
    done = sh(["fawltydeps", "--check", "--json", "--pyenv", str(python.parent.parent), "."], cwd=project)
    data = json.loads(done.stdout or "{}")
    out = [("undeclared", i["name"], _fawlty_where(i.get("references", []))) for i in data.get("undeclared_deps", [])]
    out += [("unused", i["name"], _fawlty_where(i.get("references", []))) for i in data.get("unused_deps", [])]
    return out


def _fawlty_where(refs: list[dict[str, object]]) -> str:
    return f"{refs[0].get('path')}:{refs[0].get('lineno') or ''}".rstrip(":") if refs else ""


def run_lazyaudit(project: Path, python: Path, cache_dir: Path) -> list[tuple[str, str, str]]:
    # a regular install of this checkout (compiled bytecode, no editable finder), as deptry's own install is
    done = sh([str(tool_python(log=False)), "-m", "lazyaudit", "deps", ".", "--python", str(python), "--format", "json"],
              cwd=project, env={**os.environ, "LAZYAUDIT_CACHE_DIR": str(cache_dir)})
    if done.returncode not in (0, 1):  # 2 or a traceback: a broken run must not pass for a fast one
        raise SystemExit(f"lazyaudit failed on {project.name}:\n{done.stderr[-3000:]}")
    data = json.loads(done.stdout)
    return [(f["code"], f["subject"], f"{f['path']}:{f['line']}") for f in data["findings"] if f["code"] != "LA900"]


def problems(findings: list[tuple[str, str, str]], tool: str, env_map: dict[str, str]) -> dict[tuple[str, str], str]:
    """(class, distribution) -> the tool's code, so that every tool's answer about one problem lines up."""
    out: dict[tuple[str, str], str] = {}
    for code, name, _ in findings:
        kind = {"undeclared": UNDECLARED, "unused": UNNEEDED}.get(code) or CLASS.get(code)
        if kind is None:
            continue
        # deptry and fawltydeps name undeclared problems by import name: map to the distribution
        dist = env_map.get(name.split(".")[0], canonical_name(name)) if kind == UNDECLARED else canonical_name(name)
        out.setdefault((kind, dist), code)
    return out


def timed(tools: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Median wall time of each tool; the tools take turns, so a busy machine slows them alike."""
    samples: dict[str, list[float]] = {name: [] for name in tools}
    for _ in range(runs):
        for name, fn in tools.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def measure(case: Case, work: Path, runs: int) -> dict[str, object]:
    project = build_lambda(work) if not case.sdist else fetch(case.sdist, work)
    extracted = time.monotonic()
    python = venv(case, project)
    # lazyaudit does not trust a file or folder modified less than 2 s ago (its timestamp may not move
    # when it changes again), so a project extracted a moment ago is never "unchanged" for it yet.
    time.sleep(max(0.0, 2.1 - (time.monotonic() - extracted)))
    env = load_environment(str(python))
    env_map = {}
    for dist in env.distributions:
        for top in (*dist.top_level, *env.record_top_level.get(dist.name, ())):
            env_map.setdefault(top.split(".")[0], dist.name)
    out = work / f"{case.name}-deptry.json"
    warm = work / f"{case.name}-cache"
    found = {
        "deptry": run_deptry(case, project, python, out),
        "fawltydeps": run_fawltydeps(project, python),
        "lazyaudit": run_lazyaudit(project, python, warm),
    }

    def cold() -> None:
        with tempfile.TemporaryDirectory() as fresh:
            run_lazyaudit(project, python, Path(fresh))

    times = timed({
        "deptry": lambda: run_deptry(case, project, python, out),
        "fawltydeps": lambda: run_fawltydeps(project, python),
        "lazyaudit cold": cold,
        "lazyaudit warm": lambda: run_lazyaudit(project, python, warm),
    }, runs)
    lines = sum(len(p.read_bytes().splitlines()) for p in project.rglob("*.py"))
    files = sum(1 for _ in project.rglob("*.py"))
    table = {tool: problems(items, tool, env_map) for tool, items in found.items()}
    return {"case": case, "found": found, "table": table, "times": times, "lines": lines, "files": files}


def judged(case: str, key: tuple[str, str]) -> tuple[bool | None, str]:
    verdict = VERDICTS.get((case, *key))
    return (verdict[0], verdict[1]) if verdict else (None, "not judged yet: read the code and add a verdict")


def report(results: list[dict[str, object]], runs: int) -> tuple[str, dict[str, dict[str, int]]]:
    totals: dict[str, dict[str, int]] = {t: {"true": 0, "false": 0, "unjudged": 0} for t in ("deptry", "fawltydeps", "lazyaudit")}
    missed: list[str] = []
    lines = ["## Timings", "",
             (f"Median wall time of {runs} runs (seconds). lazyaudit cold: an empty parse cache each run; warm: "
              "the cache of a previous run."), "",
             "| project | .py files | lines | deptry | fawltydeps | lazyaudit cold | lazyaudit warm | cold / deptry |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        t = r["times"]  # type: ignore[index]
        lines.append(f"| {r['case'].name} | {r['files']} | {r['lines']} | {t['deptry']:.2f} | {t['fawltydeps']:.2f} | "  # type: ignore[attr-defined]
                     f"{t['lazyaudit cold']:.2f} | {t['lazyaudit warm']:.2f} | {t['lazyaudit cold'] / t['deptry']:.2f}x |")
    lines += ["", "## Findings, side by side", ""]
    for r in results:
        case = r["case"]
        table = r["table"]  # type: ignore[assignment]
        keys = sorted(set().union(*[set(v) for v in table.values()]))  # type: ignore[union-attr]
        lines += [f"### {case.name}" + (f" ({case.sdist})" if case.sdist else ""), "", case.why + ".", "",  # type: ignore[attr-defined]
                  "| problem | distribution | deptry | fawltydeps | lazyaudit | verdict | why |",
                  "|---|---|---|---|---|---|---|"]
        for key in keys:
            truth, why = judged(case.name, key)  # type: ignore[attr-defined]
            cells = []
            for tool in ("deptry", "fawltydeps", "lazyaudit"):
                code = table[tool].get(key, "")  # type: ignore[index]
                cells.append(code or "·")
                if code:
                    totals[tool]["unjudged" if truth is None else "true" if truth else "false"] += 1
            if truth and table["deptry"].get(key) and not table["lazyaudit"].get(key):  # type: ignore[index]
                missed.append(f"{case.name}: {key}")  # type: ignore[attr-defined]
            mark = "?" if truth is None else "true" if truth else "false"
            lines.append(f"| {key[0]} | {key[1]} | {' | '.join(cells)} | {mark} | {why} |")
        lines.append("")
    head = ["| tool | true findings | false findings | not judged |", "|---|---:|---:|---:|"]
    head += [f"| {tool} | {v['true']} | {v['false']} | {v['unjudged']} |" for tool, v in totals.items()]
    head += ["", "True findings of deptry that lazyaudit misses: " + (", ".join(missed) if missed else "none."), ""]
    return "\n".join(head + lines), totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", action="append", default=[], help="case name (repeatable)")
    parser.add_argument("--no-doc", action="store_true", help=f"do not rewrite {DOC.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    cases = [c for c in CASES if not args.only or c.name in args.only]
    with tempfile.TemporaryDirectory(prefix="lazyaudit-bench-") as tmp:
        results = []
        for case in cases:
            print(f"-- {case.name}", file=sys.stderr, flush=True)
            results.append(measure(case, Path(tmp), args.runs))
    body, _ = report(results, args.runs)
    print(body)
    if not args.no_doc and not args.only:
        text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        marker = "<!-- generated by benchmarks/deps_vs_peers.py: everything below -->"
        intro = text.split(marker)[0].rstrip() if marker in text else "# `lazyaudit deps` against deptry and fawltydeps"
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(f"{intro}\n\n{marker}\n\n{body}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

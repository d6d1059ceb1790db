"""Whole-environment sweep: `closure`, `audit` and `fix --diff` over every package of a ~100-distribution venv; counts crashes.

    python benchmarks/sweep.py [--python EXE] [--jobs N] [--only NAME ...] [--no-fix] [--no-verify]
                               [--cache-dir DIR] [--timeout S] [--json FILE]

Builds (once, cached under ~/.cache/lazyaudit-bench) a venv with the AWS/LLM/web stack of SEED.md and
everything it pulls in. Then, each in its own `python -m lazyaudit` subprocess (the CLI as users run it):
  closure  every top-level module of every installed distribution (RECORD and top_level.txt);
  audit    every package directory in site-packages, as if it were a project (`--python` the venv);
  fix      `fix --diff` on the same directories; with verification on, packages with rewrites are
           copied (.py files only), fixed with `--write`, and every rewritten file must still parse.
A crash is a traceback on stderr, an exit code other than 0/1, a timeout, an "internal error" finding,
an "internal parser error" LA900 or a rewrite that no longer parses. Every file that CPython's own
parser rejects must come back as LA900 with a reason, and no other file may.
CPU is user+sys per run (wall time depends on what else the machine runs). Peak memory is each subprocess's ru_maxrss (os.wait4: that process and any pool workers it reaped).
The parse cache starts empty (a fresh LAZYAUDIT_CACHE_DIR) unless --cache-dir names one.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _venv import ensure_venv, installed_versions

from lazyaudit.sources import discover_sources

# The seed's stack (boto3, pydantic, fastapi, langchain-core, powertools, google-auth...) and common
# web/CLI/data libraries; pinned so that a re-run sweeps the same bytes. ~100 distributions with deps.
PACKAGES = (
    "boto3==1.44.8", "pydantic==2.14.4", "fastapi==0.165.0", "langchain-core==1.8.3", "langgraph==1.2.24",
    "aws-lambda-powertools==3.37.0", "aws-xray-sdk==2.15.0", "google-auth==2.63.0", "google-api-core==2.44.0",
    "numpy==2.4.6", "pandas==3.1.1", "SQLAlchemy==2.1.9", "httpx==0.28.1", "rich==15.0.0", "click==8.5.1",
    "Jinja2==3.1.6", "requests==2.34.2", "attrs==26.1.0", "aiohttp==3.14.5", "jsonschema==4.26.0",
    "PyYAML==6.0.4", "uvicorn==0.54.0", "croniter==7.0.0", "asyncpg==0.32.0", "python-multipart==0.0.34",
    "openai==3.57.0", "anthropic==2.14.0", "tenacity==9.2.1", "orjson==3.13.0", "structlog==26.1.0",
    "redis==8.1.0", "cryptography==50.0.2", "PyJWT==2.15.1", "typer==0.29.2", "Flask==3.1.3", "marshmallow==4.4.0",
    "protobuf==7.36.2",
)

# Run inside the venv: each distribution's top-level modules and the site-packages folders.
INVENTORY = r"""
import importlib.machinery as im, importlib.metadata as md, json, os, sysconfig
site = sorted({os.path.realpath(sysconfig.get_paths()[k]) for k in ("purelib", "platlib")})
dists, stale = [], []
for d in md.distributions():
    if os.path.realpath(str(d.locate_file(""))) not in site:
        continue
    tops = set((d.read_text("top_level.txt") or "").split())
    for f in d.files or ():
        p = f.parts
        if not p or p[0] == ".." or p[0] == "__pycache__" or p[0].endswith((".dist-info", ".egg-info", ".data")):
            continue
        if len(p) > 1 and p[-1].endswith((".py", ".so", ".pyd")):
            tops.add(p[0])
        elif len(p) == 1 and p[0].endswith(".py"):
            tops.add(p[0][:-3])
        elif len(p) == 1 and p[0].endswith((".so", ".pyd")):
            tops.add(p[0].split(".")[0])
    tops = {t for t in tops if t.isidentifier()}
    found = {t for t in tops if im.PathFinder.find_spec(t, site)}  # finds, never imports
    stale += [f"{t} ({d.metadata['Name']})" for t in sorted(tops - found)]
    dists.append({"name": d.metadata["Name"], "version": d.version, "top": sorted(found)})
print(json.dumps({"site": site, "dists": sorted(dists, key=lambda d: d["name"].lower()), "stale": sorted(stale)}))
"""
FIX_SUMMARY = re.compile(r"^lazyaudit fix: (\d+) rewrites? (?:to apply|applied), (\d+) skipped(?:, (\d+) failed)?; "
                         r"(\d+) files? (?:would change|changed)", re.MULTILINE)


@dataclass(frozen=True)
class Task:
    kind: str  # closure | audit | fix | verify
    target: str  # module name or package folder name
    argv: tuple[str, ...]
    cwd: str


@dataclass
class Result:
    task: Task
    code: int
    seconds: float
    cpu: float  # user + sys of the run and the pool workers it reaped
    rss_kb: int
    stdout: str
    stderr: str
    crash: str = ""  # why this run counts as a crash ("" when it does not)
    data: dict = field(default_factory=dict)


def inventory(python: Path) -> dict:
    out = subprocess.run([str(python), "-I", "-c", INVENTORY], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def run_task(task: Task, env: dict[str, str], timeout: float) -> Result:
    """One CLI run; ru_maxrss comes from wait4, so each run's peak is its own."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(task.argv, cwd=task.cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        # The whole session: a killed run's parse-pool workers would otherwise live on, orphaned.
        timer = threading.Timer(timeout, os.killpg, (proc.pid, signal.SIGKILL))
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        result = Result(task, proc.returncode, seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss,
                        out.read(), err.read())
    if seconds >= timeout and result.code < 0:
        result.crash = f"timeout after {timeout:.0f} s"
    elif "Traceback (most recent call last)" in result.stderr:
        result.crash = "traceback: " + result.stderr.strip().splitlines()[-1][:300]
    elif result.code not in (0, 1):
        last = (result.stderr.strip().splitlines() or [""])[-1]
        result.crash = f"exit code {result.code}: {last[:300]}"
    return result


def run_all(tasks: list[Task], env: dict[str, str], jobs: int, timeout: float, label: str) -> list[Result]:
    done: list[Result] = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for i, result in enumerate(pool.map(lambda t: run_task(t, env, timeout), tasks), 1):
            done.append(result)
            mark = f"  CRASH {result.crash}" if result.crash else ""
            print(f"  [{label} {i}/{len(tasks)}] {result.task.target} exit {result.code} {result.seconds:.1f}s "
                  f"{result.rss_kb / 1024:.0f} MB{mark}", file=sys.stderr, flush=True)
    return done


def lazyaudit(*args: str) -> tuple[str, ...]:
    return (sys.executable, "-m", "lazyaudit", *args)


def read_closure(result: Result) -> None:
    if result.crash:
        return
    try:
        result.data["modules"] = json.loads(result.stdout)["modules"]
    except (ValueError, KeyError) as exc:
        result.crash = f"unreadable JSON output: {exc}"


def read_audit(result: Result, folder: Path) -> None:
    if result.crash:
        return
    try:
        report = json.loads(result.stdout)
    except ValueError as exc:
        result.crash = f"unreadable JSON output: {exc}"
        return
    findings = report["findings"]
    result.data["findings"] = Counter(f["code"] for f in findings)
    result.data["la900"] = {f["path"]: f.get("reason") or f["message"] for f in findings if f["code"] == "LA900"}
    result.data["files"] = report["summary"]["files"]["scanned"]
    internal = [f for f in findings if "traceback" in f or f["message"].startswith("internal error in ")
                or str(f.get("reason", "")).startswith("internal parser error")]
    if internal:
        result.crash = "internal error: " + internal[0]["message"][:300]
    # Ground truth: the files lazyaudit scans that CPython's parser rejects must be exactly the LA900s.
    rejected = {}
    for src in discover_sources(folder).files:
        try:
            ast.parse(Path(src.path).read_bytes())
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            rejected[src.rel] = f"{type(exc).__name__}: {exc}"
    files_900 = {p for p in result.data["la900"] if p.endswith(".py")}
    result.data["missed_la900"] = sorted(set(rejected) - files_900)
    result.data["spurious_la900"] = sorted(files_900 - set(rejected))


def read_fix(result: Result) -> None:
    if result.crash:
        return
    summary = result.stdout + result.stderr  # --diff prints the diff on stdout, the summary on stderr
    match = FIX_SUMMARY.search(summary)
    if not match:
        result.crash = "no summary line in the fix output"
        return
    applied, skipped, failed, files = (int(g or 0) for g in match.groups())
    result.data.update(applied=applied, skipped=skipped, failed=failed, files=files)
    result.data["failures"] = re.findall(r"^failed:\n((?:  .*\n?)+)", summary, re.MULTILINE)


def verify_fix(folder: Path, python: Path, env: dict[str, str], timeout: float, work: Path) -> Result:
    """`fix --write` on a .py-only copy; every rewritten file must still parse."""
    copy = work / folder.name
    shutil.copytree(folder, copy, ignore=lambda d, names: [n for n in names if not n.endswith(".py")
                                                            and not os.path.isdir(os.path.join(d, n))])
    task = Task("verify", folder.name, lazyaudit("fix", str(copy), "--write", "--python", str(python)), str(work))
    result = run_task(task, env, timeout)
    broken, changed = [], 0
    for path in copy.rglob("*.py"):
        original = folder / path.relative_to(copy)
        after = path.read_bytes()
        if after != original.read_bytes():
            changed += 1
            try:
                ast.parse(after)
            except (SyntaxError, ValueError) as exc:
                broken.append(f"{path.relative_to(copy)}: {exc}")
    result.data.update(changed=changed, broken=broken)
    if broken and not result.crash:
        result.crash = f"{len(broken)} rewritten file(s) no longer parse: {broken[0]}"
    print(f"  [verify] {folder.name} exit {result.code} {result.seconds:.1f}s, {changed} files rewritten, "
          f"{len(broken)} broken{'  CRASH ' + result.crash if result.crash else ''}", file=sys.stderr, flush=True)
    shutil.rmtree(copy, ignore_errors=True)
    return result


def phase_line(name: str, results: list[Result], wall: float) -> str:
    peak = max((r.rss_kb for r in results), default=0) / 1024
    worst = max(results, key=lambda r: r.seconds, default=None)
    slow = f", slowest {worst.task.target} {worst.seconds:.1f} s" if worst else ""
    crashes = sum(1 for r in results if r.crash)
    cpu = sum(r.cpu for r in results)
    return (f"{name:<8} {len(results):>4} runs  wall {wall:7.1f} s  CPU {cpu:7.1f} s  peak RSS {peak:6.0f} MB{slow}; "
            f"crashes {crashes}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", help="sweep this environment instead of building the pinned venv")
    ap.add_argument("--jobs", type=int, default=2, help="lazyaudit runs at a time (default 2)")
    ap.add_argument("--only", nargs="*", default=[], help="only these top-level modules / package folders")
    ap.add_argument("--no-fix", action="store_true", help="skip the fix phase")
    ap.add_argument("--no-verify", action="store_true", help="do not re-run fix --write on copies to check them")
    ap.add_argument("--cache-dir", help="parse cache to use (default: a fresh empty one: a cold run)")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds per run before it counts as a hang")
    ap.add_argument("--json", metavar="FILE", help="also write every run's numbers here")
    args = ap.parse_args()

    python = Path(args.python) if args.python else ensure_venv("sweep", PACKAGES)
    inv = inventory(python)
    versions = installed_versions(python)
    site = Path(inv["site"][0])
    owners = {top: d["name"] for d in inv["dists"] for top in d["top"]}
    modules = sorted(m for m in owners if not args.only or m in args.only)
    folders = sorted(site / m for m in modules if (site / m).is_dir())
    work = Path(tempfile.mkdtemp(prefix="lazyaudit-sweep-"))
    empty = work / "empty-project"
    empty.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LAZYAUDIT_CACHE_DIR": args.cache_dir or str(work / "cache"),
           "NO_COLOR": "1"}
    print(f"sweeping {python}: {len(versions)} distributions, {len(modules)} top-level modules, "
          f"{len(folders)} package folders", file=sys.stderr)

    phases: dict[str, tuple[list[Result], float]] = {}
    py = ("--python", str(python))

    def phase(name: str, tasks: list[Task], reader) -> None:  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        results = run_all(tasks, env, args.jobs, args.timeout, name)
        for r in results:
            reader(r)
        phases[name] = (results, time.perf_counter() - start)

    phase("closure", [Task("closure", m, lazyaudit("closure", m, str(empty), *py, "--format", "json"), str(work))
                      for m in modules], read_closure)
    phase("audit", [Task("audit", f.name, lazyaudit("audit", str(f), *py, "--format", "json"), str(work))
                    for f in folders], lambda r: read_audit(r, site / r.task.target))
    # A control with known bad files (encodings, NUL byte, syntax), for the LA900 cross-check: real
    # wheels rarely ship a file CPython cannot parse.
    control = ROOT / "fixtures" / "broken_inputs"
    if control.is_dir() and not args.only:
        phase("control", [Task("control", "fixtures/broken_inputs", lazyaudit("audit", str(control), *py, "--format",
                                                                             "json"), str(work))],
              lambda r: read_audit(r, control))
    if not args.no_fix:
        phase("fix", [Task("fix", f.name, lazyaudit("fix", str(f), "--diff", *py), str(work)) for f in folders],
              read_fix)
        if not args.no_verify:
            start = time.perf_counter()
            todo = [site / r.task.target for r in phases["fix"][0] if r.data.get("files")]
            with ThreadPoolExecutor(max_workers=args.jobs) as pool:
                checked = list(pool.map(lambda f: verify_fix(f, python, env, args.timeout, work), todo))
            phases["verify"] = (checked, time.perf_counter() - start)

    report(inv, versions, modules, folders, phases, owners)
    if args.json:
        Path(args.json).write_text(json.dumps({name: [
            {"target": r.task.target, "exit": r.code, "seconds": round(r.seconds, 2), "cpu": round(r.cpu, 2), "rss_mb": round(r.rss_kb / 1024),
             "crash": r.crash, **{k: v for k, v in r.data.items() if k != "modules"}} for r in results]
            for name, (results, _) in phases.items()}, indent=1, default=dict))
    shutil.rmtree(work, ignore_errors=True)
    results = [r for done, _ in phases.values() for r in done]
    mismatched = any(r.data.get("missed_la900") or r.data.get("spurious_la900") for r in results)
    return 1 if mismatched or any(r.crash for r in results) else 0


def report(inv: dict, versions: dict[str, str], modules: list[str], folders: list[Path],
           phases: dict[str, tuple[list[Result], float]], owners: dict[str, str]) -> None:
    closure, _ = phases["closure"]
    audit, _ = phases["audit"]
    reached = {m for r in closure for m in r.data.get("modules", ())}
    files = sum(r.data.get("files", 0) for r in audit)
    findings: Counter[str] = Counter()
    for r in audit:
        findings.update(r.data.get("findings", {}))
    print(f"environment: {len(versions)} distributions, {len(inv['dists'])} in site-packages, "
          f"{len(modules)} top-level modules, {len(folders)} package folders")
    if inv["stale"]:  # e.g. a top_level.txt naming an extension that lives inside the package
        print(f"  named by metadata but not importable (not swept): {', '.join(inv['stale'])}")
    print(f"closure: {len(closure)} modules swept; {len(reached)} distinct modules predicted loaded")
    print(f"audit:   {files} files scanned; {sum(findings.values())} findings: "
          + ", ".join(f"{c} {n}" for c, n in sorted(findings.items())))
    if "fix" in phases:
        fix, _ = phases["fix"]
        total = Counter()
        for r in fix:
            total.update({k: r.data.get(k, 0) for k in ("applied", "skipped", "failed", "files")})
        print(f"fix:     {total['applied']} rewrites, {total['skipped']} skipped, {total['failed']} failed; "
              f"{total['files']} files would change in {sum(1 for r in fix if r.data.get('files'))} packages")
        for r in fix:
            for block in r.data.get("failures", ()):
                print(f"  failed in {r.task.target}:\n{block.rstrip()}")
    if "verify" in phases:
        checked, _ = phases["verify"]
        print(f"verify:  {sum(r.data.get('changed', 0) for r in checked)} files rewritten by fix --write on copies, "
              f"{sum(len(r.data.get('broken', ())) for r in checked)} no longer parse")
    groups: dict[str, list[str]] = defaultdict(list)
    for r in audit:
        for path, reason in r.data.get("la900", {}).items():
            groups[re.sub(r"\d+", "N", reason)].append(f"{r.task.target}/{path}: {reason}")
    print(f"\nLA900: {sum(len(v) for v in groups.values())} unparsable files, {len(groups)} distinct reasons")
    for reason, items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        print(f"  {len(items):>4}  {reason}")
        for item in sorted(items):
            print(f"          {item}")
    checked = audit + phases.get("control", ([], 0.0))[0]
    missed = [f"{r.task.target}/{p}" for r in checked for p in r.data.get("missed_la900", ())]
    spurious = [f"{r.task.target}/{p}" for r in checked for p in r.data.get("spurious_la900", ())]
    for r in phases.get("control", ([], 0.0))[0]:
        print(f"  control {r.task.target}: {len(r.data.get('la900', {}))} LA900")
        for path, why in sorted(r.data.get("la900", {}).items()):
            print(f"          {path}: {why}")
    print(f"  rejected by CPython's parser but not reported: {len(missed)} {missed[:10]}")
    print(f"  reported but accepted by CPython's parser:     {len(spurious)} {spurious[:10]}")
    print("\ntime and memory (each run is one `python -m lazyaudit` process)")
    for name, (results, wall) in phases.items():
        print("  " + phase_line(name, results, wall))
    crashes = [r for results, _ in phases.values() for r in results if r.crash]
    print(f"\ncrashes: {len(crashes)}")
    for r in crashes:
        owner = owners.get(r.task.target, "?")
        print(f"  {r.task.kind} {r.task.target} ({owner}): {r.crash}")


if __name__ == "__main__":
    raise SystemExit(main())

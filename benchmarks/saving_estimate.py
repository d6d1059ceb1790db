"""How close is the cold-start saving `audit` predicts to the saving measured after the rewrites?

For each entry point of a fixture (default: fixtures/lambda_backend), on a temporary copy:

1. measure `import ENTRY` with `lazyaudit profile` (median of --runs runs, default 7);
2. run the LA101/LA102 checks twice, without and with that measured profile
   (`--profile-data`), and sum the `saving` their findings predict for the entry;
3. apply the rewrites: `lazyaudit fix --write --select LA101,LA102` on a second copy, or, when the
   fix command is not available (--rewrites manual), the hand-written rewrites below, which are the
   ones FIXTURE.md describes;
4. measure again, and compare: error = (predicted - measured) / measured.

Usage: python benchmarks/saving_estimate.py --python .fixture-venv/bin/python [--runs 7] [--markdown]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lazyaudit.analysis import load_project
from lazyaudit.costs import entry_costs
from lazyaudit.profiling import measure, merge_profiles
from lazyaudit.report.tables import format_ms, layout

CODES = ("LA101", "LA102")
TARGET = 0.25  # the acceptance bound on |error|
NOISE_MS = 5.0  # below this measured difference, run-to-run noise dominates: no error is computed

# The rewrites FIXTURE.md lists for LA101/LA102, written by hand (used with --rewrites manual, or
# when `lazyaudit fix` is missing). Each is (file, old text, new text); the old text must be there.
LAZY_COMMON = '''"""Shared utilities for every handler, re-exported so callers can write `from src.common import x`."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .aws_clients import dynamodb, get_object_text, jobs_table, s3
    from .logging_utils import logger, tracer
    from .statebag import StateBag
    from .timeutils import isoformat, utcnow

_LAZY = {
    "dynamodb": ".aws_clients", "get_object_text": ".aws_clients", "jobs_table": ".aws_clients", "s3": ".aws_clients",
    "logger": ".logging_utils", "tracer": ".logging_utils", "StateBag": ".statebag",
    "isoformat": ".timeutils", "utcnow": ".timeutils",
}

__all__ = [
    "StateBag",
    "dynamodb",
    "get_object_text",
    "isoformat",
    "jobs_table",
    "logger",
    "s3",
    "tracer",
    "utcnow",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list:
    return sorted({*globals(), *_LAZY})
'''

MANUAL: tuple[tuple[str, str, str], ...] = (
    ("src/handlers/core/main.py", "from langchain_core.messages import AIMessage, HumanMessage\n", ""),
    ("src/handlers/core/main.py", '    """The step results as a chat transcript, ready for a summarising model."""\n',
     ('    """The step results as a chat transcript, ready for a summarising model."""\n'
     "    from langchain_core.messages import AIMessage, HumanMessage\n\n")),
    ("src/handlers/api/app.py", "from src.common import StateBag, logger\n", "from src.common import StateBag\n"),
    ("src/handlers/api/app.py", "def start(request: StartRequest) -> dict:\n",
     "def start(request: StartRequest) -> dict:\n    from src.common import logger\n\n"),
)


def copy_fixture(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.pyc"))
    return dest


def apply_manual(root: Path) -> list[str]:
    changed = []
    for rel, old, new in MANUAL:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        if old not in text:
            raise SystemExit(f"manual rewrite no longer applies: {rel} lacks {old.strip()!r}")
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        changed.append(rel)
    (root / "src/common/__init__.py").write_text(LAZY_COMMON, encoding="utf-8")
    return sorted({*changed, "src/common/__init__.py"})


def apply_fix(root: Path, python: str) -> list[str] | None:
    """`lazyaudit fix --write` on the copy; the files it changed, or None when the command is not usable."""
    before = {p: p.read_bytes() for p in root.rglob("*.py")}
    proc = subprocess.run(
        [sys.executable, "-m", "lazyaudit", "fix", str(root), "--python", python, "--write", "--select", ",".join(CODES),
         "--no-cache"],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False,
    )
    if proc.returncode not in (0, 1):
        print(f"lazyaudit fix unusable (exit {proc.returncode}): {proc.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    return sorted(str(p.relative_to(root)) for p, data in before.items() if p.read_bytes() != data)


def saving_ms(saving: Any) -> float | None:
    """Milliseconds of a finding's `saving` data ({"ms", "measured", "modules", ...}, see checks/name_usage.py)."""
    if isinstance(saving, Mapping) and isinstance(saving.get("ms"), (int, float)):
        return float(saving["ms"])
    return None


def entry_saving(data: Mapping[str, Any], spec: str) -> Any:
    """The finding's saving at one entry's cold start: LA102 lists one per entry, LA101 names its entry."""
    per_entry = data.get("entries")
    if isinstance(per_entry, list) and per_entry and all(isinstance(e, Mapping) for e in per_entry):
        return next((e.get("saving") for e in per_entry if e.get("entry") == spec), None)
    saving = data.get("saving")
    entry = saving.get("entry") if isinstance(saving, Mapping) else None
    return saving if (entry or data.get("entry")) == spec else None


def predicted(findings: list[Any], spec: str) -> tuple[float, list[str]]:
    """Sum of the LA101/LA102 savings the findings predict for one entry (spec "module:attr")."""
    total, used = 0.0, []
    for f in findings:
        ms = saving_ms(entry_saving(f.data if isinstance(f.data, Mapping) else {}, spec))
        if ms:
            total += ms
            used.append(f"{f.code} {f.path}:{f.line}")
    return total, used


def measure_pair(view: Any, before: Path, after: Path, python: str, runs: int, timeout: float
                 ) -> tuple[float, float, list[float], dict[str, Any]]:
    """Median totals of `import ENTRY` before and after the rewrites, and the paired differences: the
    runs alternate so that each pair sees the same machine load. Also the before runs merged into
    one profile (per-module medians), as `profile --runs N` would measure it."""
    e = view.entry

    def once(root: Path) -> Any:
        return measure(e.module, python=python, path=str(root / e.root), runs=1, timeout=timeout,
                       extra_path=[str(root / r) for r in view.roots if r != e.root])

    pairs = [(once(before), once(after)) for _ in range(runs)]
    profile = merge_profiles([b.as_dict() for b, _ in pairs])
    return (statistics.median(b.total_ms for b, _ in pairs), statistics.median(a.total_ms for _, a in pairs),
            [b.total_ms - a.total_ms for b, a in pairs], profile)


def entry_ms(project: Any, profile: Mapping[str, Any] | None) -> dict[str, float]:
    """The cold-start time `audit` reports per entry (its summary's cost section)."""
    return {c["entry"]: c["ms"] for c in entry_costs(project, profile)}


def run(args: argparse.Namespace) -> int:
    fixture = Path(args.fixture).resolve()
    python = str(Path(args.python).absolute())
    work = Path(tempfile.mkdtemp(prefix="lazyaudit-saving-"))
    try:
        before_root = copy_fixture(fixture, work / "before")
        after_root = copy_fixture(fixture, work / "after")
        project = load_project(before_root, python, cache=False)
        views = [v for v in project.views() if v.found]
        how = "manual"
        changed = apply_manual(after_root) if args.rewrites == "manual" else apply_fix(after_root, python)
        if changed is None:
            changed = apply_manual(after_root)
        elif args.rewrites != "manual":
            how = "lazyaudit fix --write"
        print(f"rewrites ({how}): {', '.join(changed) or 'none'}", file=sys.stderr)
        fixed = load_project(after_root, python, cache=False)

        static = project.audit(CODES)
        static_costs = (entry_ms(project, None), entry_ms(fixed, None))
        rows, misses = [], []
        for view in views:
            spec = view.entry.spec
            print(f"measuring {spec}: {args.runs} runs before and after, interleaved", file=sys.stderr)
            b, a, diffs, profile = measure_pair(view, before_root, after_root, python, args.runs, args.timeout)
            saved = statistics.median(diffs)
            quartiles = statistics.quantiles(diffs, n=4) if len(diffs) > 1 else [saved, saved, saved]
            # `audit --profile-data` with this entry's own profile, measured alongside the saving.
            sums = {"static": predicted(static, spec), "measured": predicted(project.audit(CODES, profile=profile), spec)}
            deltas = {key: before.get(spec, 0.0) - after.get(spec, 0.0) for key, (before, after) in
                      (("static", static_costs), ("measured", (entry_ms(project, profile), entry_ms(fixed, profile))))}
            if saved > NOISE_MS and abs(_ratio(deltas["measured"], saved)) > TARGET:
                misses.append(spec)
            rows.append([
                spec, format_ms(b), format_ms(a), ("-" if saved < 0 else "") + format_ms(abs(saved)),
                "±" + format_ms((quartiles[2] - quartiles[0]) / 2),
                "~" + format_ms(sums["static"][0]), _err(sums["static"][0], saved),
                format_ms(sums["measured"][0]), _err(sums["measured"][0], saved),
                "~" + format_ms(deltas["static"]), _err(deltas["static"], saved),
                format_ms(deltas["measured"]), _err(deltas["measured"], saved),
                ", ".join(sums["static"][1]) or "none",
            ])
        headers = ["entry", "before", "after", "saved", "noise", "findings ~", "err", "findings +p", "err",
                   "entry cost ~", "err", "entry cost +p", "err", "LA101/LA102 findings"]
        lines = _markdown(headers, rows) if args.markdown else layout(headers, rows, "<" + ">" * 12 + "<")
        print("\n".join(lines))
        print(f"\nrewrites: {how} ({', '.join(changed)}); {args.runs} interleaved runs per side; saved = median "
              "of the paired differences, noise = half their interquartile range; "
              f"~ = static estimate, +p = with the measured profile (--profile-data); python {python}")
        return 1 if args.strict and misses else 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}", file=sys.stderr)


def _ratio(estimate: float, measured: float) -> float:
    return (estimate - measured) / measured if measured > 0 else 0.0


def _err(estimate: float, measured: float) -> str:
    if measured <= NOISE_MS:
        return "n/a" if estimate <= NOISE_MS else "no measured saving"
    return f"{_ratio(estimate, measured) * 100:+.0f}%"


def _markdown(headers: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True, help="interpreter of the fixture environment")
    parser.add_argument("--fixture", default=str(ROOT / "fixtures" / "lambda_backend"))
    parser.add_argument("--runs", type=int, default=7, help="runs per profile (median; at least 7 for the table)")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--rewrites", choices=("fix", "manual"), default="fix",
                        help="apply the rewrites with `lazyaudit fix --write` (default) or by hand")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when the profiled entry-cost estimate is off by more than 25%%")
    return run(parser.parse_args())


if __name__ == "__main__":
    raise SystemExit(main())

"""The text report of `lazyaudit fix`: the diff (dry run), what was applied, what was skipped and why, the gain."""

from __future__ import annotations

import difflib
import io
import tokenize
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lazyaudit.codemods.result import Outcome, Status

if TYPE_CHECKING:
    from lazyaudit.codemods._predict import ColdStart
    from lazyaudit.codemods.runner import FixPlan

_COLORS = {"+": "\033[32m", "-": "\033[31m", "@": "\033[36m", "applied": "\033[32m", "skipped": "\033[33m",
           "failed": "\033[31m"}
_RESET = "\033[0m"


def unified_diff(rel: str, before: bytes, after: bytes) -> str:
    a = _text(before).splitlines(keepends=True)
    b = _text(after).splitlines(keepends=True)
    lines = list(difflib.unified_diff(a, b, f"a/{rel}", f"b/{rel}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def render_diff(plan: FixPlan, color: bool = False) -> str:
    """The unified diff of every file the plan changes, and nothing else: it can be piped to `git apply`."""
    return "".join(_paint(unified_diff(fix.rel, fix.before, fix.after), color) for fix in plan.changed)


def render_text(plan: FixPlan, starts: Sequence[ColdStart], problems: Sequence[Outcome], *, mode: str,
                color: bool = False, target: tuple[int, int] = (3, 10)) -> str:
    """The summary: what was (or would be) rewritten, skipped or failed, and the predicted cold starts."""
    out: list[str] = []
    outcomes = plan.all_outcomes()
    applied = [o for o in outcomes if o.status is Status.APPLIED]
    skipped = [o for o in outcomes if o.status is Status.SKIPPED]
    failed = [o for o in outcomes if o.status is Status.FAILED] + [p for p in problems if p.status is Status.FAILED]
    changed = plan.changed
    verb = {"diff": "would change", "check": "would change", "write": "changed"}[mode]
    style = f"PEP 810 `lazy` imports (target {target[0]}.{target[1]})" if plan.pep810 else "PEP 562 / function-local imports"
    done = "applied" if mode == "write" else "to apply"
    out.append(f"lazyaudit fix: {len(applied)} rewrite{_s(applied)} {done}, {len(skipped)} skipped"
               f"{f', {len(failed)} failed' if failed else ''}; {len(changed)} file{_s(changed)} {verb} ({style})")
    if applied:
        out.append(f"\n{done}:")
        out.extend(_line(o, color) for o in applied)
    if skipped:
        out.append("\nskipped (left as they are, on purpose):")
        out.extend(_line(o, color) for o in skipped)
    if failed:
        out.append("\nfailed:")
        out.extend(_line(o, color) for o in failed)
    later = [p for p in problems if p.status is Status.SKIPPED]
    if later:
        out.append("\nnot written:")
        out.extend(_line(o, color) for o in later)
    if starts:
        out.append("\ncold start of each entry point that loads a rewritten module (static prediction):")
        for s in starts:
            out.append(f"  {s.entry}: {s.modules_before} -> {s.modules_after} modules (-{s.drop:.0%}), "
                       f"~{s.ms_before:.0f} -> ~{s.ms_after:.0f} ms estimated")
            if s.measured_before is not None and s.measured_after is not None:
                drop = s.measured_drop or 0.0
                out.append(f"    measured `import {s.entry.split(':', 1)[0]}` (-X importtime, median of runs): "
                           f"{s.measured_before:.0f} -> {s.measured_after:.0f} ms ({'-' if drop >= 0 else '+'}"
                           f"{abs(drop):.0%})")
            elif s.note and s.note != "not measured":
                out.append(f"    not measured: {s.note}")
    if mode == "diff" and changed:
        out.append("\ndry run: nothing written; `lazyaudit fix --write` applies these changes")
    elif mode == "check" and changed:
        out.append("\n" + "\n".join(f"would rewrite {f.rel}" for f in changed))
    return "\n".join(out) + "\n"


def _line(o: Outcome, color: bool) -> str:
    where = f"{o.path}:{o.line}" if o.line else o.path
    tag = f"[{o.reason.value}] " if o.reason is not None else ""
    head = f"{o.code} " if o.code else ""
    text = f"  {where} {head}{o.subject + ': ' if o.subject else ''}{tag}{o.message}"
    return f"{_COLORS[o.status.value]}{text}{_RESET}" if color else text


def _paint(diff: str, color: bool) -> str:
    if not color:
        return diff
    out = []
    for line in diff.splitlines(keepends=True):
        key = line[:1] if not line.startswith(("+++", "---")) else ""
        out.append(f"{_COLORS[key]}{line.rstrip(chr(10))}{_RESET}\n" if key in _COLORS else line)
    return "".join(out)


def _text(data: bytes) -> str:
    """Decode as Python would (coding cookie, BOM), for display only; the files keep their own bytes."""
    try:
        encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        return data.decode(encoding, errors="replace")
    except (SyntaxError, LookupError):
        return data.decode("utf-8", errors="replace")


def _s(items: Sequence[object]) -> str:
    return "" if len(items) == 1 else "s"

"""`lazyaudit fix`: turn LA101/LA102/LA104 findings into rewrites, then diff, check or write them."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import libcst as cst

from lazyaudit.codemods.defer import defer_import
from lazyaudit.codemods.lazy_init import lazy_init
from lazyaudit.codemods.pep810 import MIN_VERSION, lazy_keyword
from lazyaudit.codemods.result import FileFix, FixRequest, Outcome, SkipReason, Status, failed, skipped
from lazyaudit.codemods.safety import ProjectFacts
from lazyaudit.codemods.type_only import type_only
from lazyaudit.errors import LazyauditError

if TYPE_CHECKING:
    from lazyaudit.analysis import Project
    from lazyaudit.codemods._predict import ColdStart
    from lazyaudit.model import Finding

FIXABLE = ("LA101", "LA102", "LA104")
# A package __init__ first (its importers' names then resolve lazily), then annotations (a future
# import added there stops evaluating annotations, which can free a name to move), then functions.
ORDER = {"LA102": 0, "LA104": 1, "LA101": 2}
Codemod = Callable[[cst.Module, Sequence[FixRequest], ProjectFacts], "tuple[cst.Module, list[Outcome]]"]
CODEMODS: dict[str, Codemod] = {"LA101": defer_import, "LA102": lazy_init, "LA104": type_only}


@dataclass
class FixPlan:
    """Every file the findings touch, rewritten in memory; nothing is written yet."""

    fixes: list[FileFix]
    outcomes: list[Outcome] = field(default_factory=list)  # outcomes not tied to a rewritten file
    pep810: bool = False

    @property
    def changed(self) -> list[FileFix]:
        return [f for f in self.fixes if f.changed]

    def all_outcomes(self) -> list[Outcome]:
        return sorted([*self.outcomes, *(o for f in self.fixes for o in f.outcomes)],
                      key=lambda o: (o.path, o.line, o.code, o.subject, o.status.value))


def parse_target(text: str | None, fallback: Sequence[int]) -> tuple[int, int]:
    """"3.15" -> (3, 15); None -> the analysed interpreter's version."""
    if not text:
        return int(fallback[0]), int(fallback[1])
    parts = text.strip().lower().removeprefix("py")
    if "." not in parts and parts.startswith("3") and len(parts) > 1:
        parts = f"3.{parts[1:]}"  # "py315" / "315", as ruff and the configuration spell it
    try:
        major, minor = (int(p) for p in parts.split(".")[:2])
    except ValueError:
        raise LazyauditError(f"--target-version must look like 3.15, not {text!r}") from None
    if major != 3 or minor < 10:
        raise LazyauditError(f"--target-version {text}: lazyaudit rewrites code for Python 3.10 and later")
    return major, minor


def requests_for(project: Project, findings: Iterable[Finding]) -> tuple[dict[str, list[FixRequest]], list[Outcome]]:
    """Group fixable findings into per-file requests; findings the check marked unfixable become skips."""
    files = project.files()
    by_file: dict[str, list[FixRequest]] = {}
    skips: list[Outcome] = []
    for f in findings:
        if f.code not in FIXABLE or f.path not in files:
            continue
        src = files[f.path]
        names = tuple(f.data.get("names") or ()) if f.code != "LA102" else ()
        req = FixRequest(f.code, f.path, src.module, src.is_package, f.subject, f.line, names, dict(f.data))
        if f.data.get("fixable") is False:
            skips.append(req.skip(SkipReason.NOT_FIXABLE, f"the check marked it not fixable: "
                                  f"{f.data.get('reason') or 'no reason given'}"))
            continue
        saving = f.data.get("saving")
        if isinstance(saving, dict) and saving.get("modules") == 0:
            # Rewriting code for nothing is churn: other imports load the module at the same moment.
            skips.append(req.skip(SkipReason.NO_GAIN, f"no cold start would load less: {f.subject} is loaded "
                                  "at the same time through other imports anyway"))
            continue
        by_file.setdefault(f.path, []).append(req)
    return by_file, skips


def plan_fixes(project: Project, codes: Iterable[str] = FIXABLE, *, target: tuple[int, int] | None = None,
               debug: bool = False) -> FixPlan:
    """Run the selected checks and rewrite, in memory, every file their findings point at."""
    codes = [c for c in codes if c in FIXABLE]
    findings = project.audit(codes, debug=debug)
    version = target or tuple(project.env.version_info[:2])
    pep810 = tuple(version) >= MIN_VERSION
    facts = ProjectFacts.from_parsed(project.parsed.values())
    by_file, skips = requests_for(project, findings)
    files = project.files()
    plan = FixPlan([], skips, pep810)
    for rel in sorted(by_file):
        plan.fixes.append(_fix_file(files[rel].path, rel, by_file[rel], project.parsed.get(rel), facts, pep810))
    return plan


def fix_source(source: bytes, requests: Sequence[FixRequest], facts: ProjectFacts, *, pep810: bool = False,
               path: str = "", rel: str = "") -> FileFix:
    """Apply the requests to one module's bytes (the public entry point for tests and tools)."""
    return _fix_bytes(source, path, rel, requests, facts, pep810)


def _fix_file(path: str, rel: str, requests: list[FixRequest], parsed: Any, facts: ProjectFacts,
              pep810: bool) -> FileFix:
    try:
        source = Path(path).read_bytes()
    except OSError as exc:
        return FileFix(path, rel, b"", b"", tuple(r.fail(f"cannot read {rel}: {exc.strerror or exc}")
                                                   for r in requests))
    if parsed is not None and parsed.error:
        return FileFix(path, rel, source, source, tuple(
            r.skip(SkipReason.UNPARSABLE, f"{rel} does not parse ({parsed.error}); never touched") for r in requests))
    if parsed is not None and parsed.source_bytes and parsed.source_bytes != len(source):
        return FileFix(path, rel, source, source, tuple(
            r.skip(SkipReason.CHANGED_ON_DISK, f"{rel} changed since it was analysed; run fix again")
            for r in requests))
    return _fix_bytes(source, path, rel, requests, facts, pep810)


def _fix_bytes(source: bytes, path: str, rel: str, requests: Sequence[FixRequest], facts: ProjectFacts,
               pep810: bool) -> FileFix:
    from lazyaudit.parsing import MAX_FULL_BYTES

    if len(source) > MAX_FULL_BYTES:  # libcst would need ~1 GB per MB, and the analysis had no name uses
        return FileFix(path, rel, source, source, tuple(r.skip(SkipReason.UNSUPPORTED, (
            f"{rel or 'the module'} is {len(source) / 1e6:.1f} MB, over the {MAX_FULL_BYTES / 1e6:g} MB "
            "limit of the full parser; never touched")) for r in requests))
    try:
        module = cst.parse_module(source)
    except Exception as exc:  # noqa: BLE001 - libcst's ParserSyntaxError is not a SyntaxError
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return FileFix(path, rel, source, source, tuple(
            r.skip(SkipReason.UNPARSABLE, f"{rel or 'the module'} does not parse ({reason}); never touched")
            for r in requests))
    outcomes: list[Outcome] = []
    groups: dict[str, list[FixRequest]] = {}
    for req in sorted(requests, key=lambda r: (ORDER.get(r.code, 9), r.line)):
        groups.setdefault("PEP810" if pep810 else req.code, []).append(req)
    for code, batch in groups.items():  # one analysis of the tree per rule, not per finding
        module, got = (lazy_keyword if pep810 else CODEMODS[code])(module, batch, facts)
        outcomes.extend(got)
    after = module.bytes
    problem = _invalid(after, pep810) if after != source else ""
    if problem:
        return FileFix(path, rel, source, source, (*[o for o in outcomes if o.status is not Status.APPLIED], *(
            failed(o.code, o.path, o.line, o.subject, f"rewrite discarded: the result would not compile ({problem})")
            for o in outcomes if o.status is Status.APPLIED)))
    return FileFix(path, rel, source, after, tuple(outcomes))


def _invalid(source: bytes, pep810: bool) -> str:
    """Why rewritten bytes are not valid Python ("" when they are): a last guard before writing."""
    try:
        cst.parse_module(source)
        if not pep810:  # `lazy import` only compiles on 3.15+
            compile(source, "<rewritten>", "exec", dont_inherit=True)
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"
    return ""


def write_plan(plan: FixPlan) -> list[Outcome]:
    """Write every changed file atomically, unless it changed on disk since it was read."""
    from lazyaudit.fileio import write_bytes_atomic

    problems: list[Outcome] = []
    for fix in plan.changed:
        try:
            current = Path(fix.path).read_bytes()
        except OSError as exc:
            problems.append(failed("", fix.rel, 0, "", f"cannot read {fix.rel} again: {exc.strerror or exc}"))
            continue
        if hashlib.sha256(current).digest() != hashlib.sha256(fix.before).digest():
            problems.append(skipped("", fix.rel, 0, "", SkipReason.CHANGED_ON_DISK,
                                    f"{fix.rel} changed on disk after it was read: not overwritten"))
            continue
        target = _write_target(fix)
        if target is None:
            problems.append(skipped("", fix.rel, 0, "", SkipReason.UNSUPPORTED,
                                    f"{fix.rel} is a symlink to a file outside the project: not written"))
            continue
        try:
            write_bytes_atomic(target, fix.after)
        except OSError as exc:
            problems.append(failed("", fix.rel, 0, "", f"cannot write {fix.rel}: {exc.strerror or exc}"))
    return problems


def _write_target(fix: FileFix) -> str | None:
    """The file to replace: a symlink's target when it is inside the project (replacing the link itself
    would turn it into a copy), None when it leads outside."""
    if not os.path.islink(fix.path):
        return fix.path
    root = Path(fix.path).parents[len(Path(fix.rel).parts) - 1]
    real = Path(os.path.realpath(fix.path))
    return str(real) if real.is_relative_to(root.resolve()) else None


def fix_command(project: Project, args: Any, color: bool) -> tuple[str, int]:
    """The body of `lazyaudit fix`: returns (report text, exit code); writes only with --write."""
    from lazyaudit.codemods._predict import measure_entries, predict, with_measurements
    from lazyaudit.codemods._render import render_diff, render_text
    from lazyaudit.rules import UnknownCodeError, expand_codes

    try:
        selected = expand_codes(args.select) if getattr(args, "select", None) else frozenset(FIXABLE)
    except UnknownCodeError as exc:
        raise LazyauditError(str(exc)) from None
    codes = sorted(set(selected) & set(FIXABLE))
    if not codes:
        raise LazyauditError(f"nothing to fix: --select {args.select} names no fixable rule ({', '.join(FIXABLE)})")
    target = parse_target(getattr(args, "target_version", None) or project.config.target_version or None,
                          tuple(int(v) for v in project.env.version_info[:2]))
    mode = "write" if args.write else "check" if args.check else "diff"
    plan = plan_fixes(project, codes, target=target, debug=getattr(args, "debug", False))
    starts: list[ColdStart] = predict(project, plan.fixes)
    measure = getattr(args, "measure", False) and mode == "write" and plan.changed
    before = measure_entries(project, args.python) if measure else {}
    problems = write_plan(plan) if mode == "write" else []
    if measure:
        starts = with_measurements(starts, before, measure_entries(project, args.python))
    text = render_text(plan, starts, problems, mode=mode, color=color, target=target)
    if mode == "diff":
        # The diff alone on stdout (`lazyaudit fix --diff | git apply` works); the summary on stderr.
        args.stderr_text = text
        return render_diff(plan, color), 0
    if mode == "check":
        return text, 1 if plan.changed else 0
    return text, 1 if problems else 0

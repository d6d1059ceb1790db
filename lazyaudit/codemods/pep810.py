"""PEP 810 fix (--target-version 3.15+): mark the import `lazy` where the language allows it and it pays."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from lazyaudit.codemods._edit import (
    Replacer,
    import_sites,
    import_text,
    replace_top,
    resolve,
    statement,
    without_aliases,
)
from lazyaudit.codemods._init_names import literal_all
from lazyaudit.codemods._uses import ModuleUses, dotted_name
from lazyaudit.codemods.result import FixRequest, Outcome, SkipReason

if TYPE_CHECKING:
    from lazyaudit.codemods.safety import ProjectFacts

MIN_VERSION = (3, 15)


@dataclass(frozen=True)
class _Stmt:
    node: cst.Import | cst.ImportFrom | cst.LazyImport | cst.LazyImportFrom
    target: str
    locals: tuple[str, ...]
    line: int
    forbidden: str  # why PEP 810 rejects `lazy` here ("" when allowed)


def lazy_keyword(module: cst.Module, requests: FixRequest | Sequence[FixRequest],
                 facts: ProjectFacts) -> tuple[cst.Module, list[Outcome]]:
    """Rewrite the requests' imports as `lazy import` / `lazy from` (one analysis for all); never raises."""
    reqs = [requests] if isinstance(requests, FixRequest) else list(requests)
    try:
        return _lazy(module, reqs, facts)
    except Exception as exc:  # noqa: BLE001 - a codemod reports, it does not crash the run
        return module, [r.fail(f"internal error while marking {r.subject} lazy: {type(exc).__name__}: {exc}")
                        for r in reqs]


def placement(uses: ModuleUses, node: cst.CSTNode) -> str:
    """Why PEP 810 forbids `lazy` on this statement ("" when allowed): functions, classes, try blocks,
    star imports and __future__ (libcst parses all of these, so the check is ours)."""
    if isinstance(node, (cst.ImportFrom, cst.LazyImportFrom)):
        if isinstance(node.names, cst.ImportStar):
            return "a star import cannot be lazy"
        if node.module is not None and not node.relative and dotted_name(node.module) == "__future__":
            return "a __future__ import cannot be lazy"
    parent = uses.parents.get(node)
    while parent is not None and not isinstance(parent, cst.Module):
        if isinstance(parent, (cst.FunctionDef, cst.Lambda)):
            return "lazy imports are not allowed inside a function"
        if isinstance(parent, cst.ClassDef):
            return "lazy imports are not allowed in a class body"
        if isinstance(parent, (cst.Try, cst.TryStar, cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally)):
            return "lazy imports are not allowed inside a try statement"
        parent = uses.parents.get(parent)
    return ""


def _statements(module: cst.Module, uses: ModuleUses, req: FixRequest) -> list[_Stmt]:
    out = []
    for node in _walk(module):
        if isinstance(node, (cst.Import, cst.LazyImport)):
            names = [dotted_name(a.name) for a in node.names]
            local = tuple(dotted_name(a.asname.name) if a.asname else n.split(".", 1)[0]
                          for a, n in zip(node.names, names))
            out.append(_Stmt(node, names[0] if len(names) == 1 else "", local, uses.line(node), placement(uses, node)))
        elif isinstance(node, (cst.ImportFrom, cst.LazyImportFrom)):
            written = dotted_name(node.module) if node.module is not None else ""
            target = resolve(len(node.relative), written, req.module, req.is_package)
            local = () if isinstance(node.names, cst.ImportStar) else tuple(
                dotted_name(a.asname.name) if a.asname else dotted_name(a.name) for a in node.names)
            out.append(_Stmt(node, target, local, uses.line(node), placement(uses, node)))
    return out


def _lazy(module: cst.Module, reqs: list[FixRequest], facts: ProjectFacts) -> tuple[cst.Module, list[Outcome]]:
    uses = ModuleUses(module)
    stmts = _statements(module, uses, reqs[0]) if reqs else []
    # Statements alone on a line of the module body can be split in two (eager part, lazy part).
    sites = {id(s.small): s for s in import_sites(module, reqs[0].module, reqs[0].is_package, uses.line)
             if len(s.line_node.body) == 1} if reqs else {}
    top: dict[int, Sequence[cst.BaseStatement]] = {}
    outcomes: list[Outcome] = []
    edits = {}
    for req in reqs:
        if req.code == "LA102":
            chosen = [] if req.subject and req.subject != req.module else [
                s for s in stmts if s.target.startswith(req.module + ".") or s.target in set(
                    req.data.get("submodules") or ())]
        else:
            chosen = _nearest([s for s in stmts if s.target == req.subject], req.line)
        if not chosen:
            outcomes.append(req.skip(SkipReason.NOT_FOUND, f"no import of {req.subject} found"))
            continue
        got: list[Outcome] = []
        done: list[_Stmt] = []
        for stmt in chosen:
            if isinstance(stmt.node, (cst.LazyImport, cst.LazyImportFrom)) or id(stmt.node) in edits:
                continue
            early: list[str] = []
            why = _blocker(uses, stmt, req, facts, early)
            site = sites.get(id(stmt.node))
            if why is None and early and (len(early) == len(stmt.locals) or site is None):
                why = req.skip(SkipReason.NO_GAIN, f"line {stmt.line}: {', '.join(early)} "
                               f"{'is' if len(early) == 1 else 'are'} read at import time, which would load "
                               f"{stmt.target} at once", tuple(early))
            if why is not None:
                got.append(why)
                continue
            if early and site is not None:  # split: the names read at import stay eager
                lazy = [a for a in site.aliases if a.local not in early]
                eager = without_aliases(site, {a.local for a in lazy})
                assert eager is not None  # the names read at import are left in it
                top[site.index] = [eager, statement("lazy " + import_text(site, lazy))]
                got.append(req.done(f"split line {stmt.line}: `lazy {import_text(site, lazy)}`; "
                                    f"{', '.join(early)} stay{'s' if len(early) == 1 else ''} eager (read at "
                                    "import time)", tuple(a.local for a in lazy), lines=[stmt.line]))
                edits[id(stmt.node)] = lambda node: node
                continue
            edits[id(stmt.node)] = _to_lazy
            done.append(stmt)
        if done:
            lines = ", ".join(str(s.line) for s in done)
            got.insert(0, req.done(f"marked `lazy` (PEP 810) at line{'s' if len(done) > 1 else ''} {lines}",
                                   tuple(n for s in done for n in s.locals), lines=[s.line for s in done]))
        outcomes.extend(got or [req.skip(SkipReason.NOT_FOUND, f"the import of {req.subject} is already lazy")])
    new = module.visit(Replacer({k: v for k, v in edits.items() if v is _to_lazy})) if edits else module
    return (replace_top(new, top) if top else new), outcomes


def _nearest(stmts: Sequence[_Stmt], line: int) -> list[_Stmt]:
    allowed = [s for s in stmts if not s.forbidden] or list(stmts)
    return [min(allowed, key=lambda s: abs(s.line - line))] if allowed else []


def _blocker(uses: ModuleUses, stmt: _Stmt, req: FixRequest, facts: ProjectFacts,
             early_names: list[str] | None = None) -> Outcome | None:
    """Why the statement cannot be made lazy (None when it can). With `early_names`, names read at
    import time are collected there instead of blocking, so the caller can split the statement."""
    skip = req.skip
    if stmt.forbidden:
        return skip(SkipReason.PLACEMENT, f"line {stmt.line}: {stmt.forbidden}")
    why = facts.side_effect(stmt.target)
    if why:
        return skip(SkipReason.SIDE_EFFECT, f"line {stmt.line}: {why}")
    assert isinstance(stmt.node, (cst.Import, cst.ImportFrom))
    exported = set(literal_all(uses.module)[0] or ()) if req.code == "LA102" else set()
    for local in stmt.locals:
        reads = uses.uses(stmt.node, local)
        if not reads and not (local in exported or facts.exported(req.module, local)):
            return skip(SkipReason.SIDE_EFFECT, f"line {stmt.line}: {local} is never read: a lazy import of it "
                        "would never run", (local,))
        # 3.14+ evaluates annotations only when asked (PEP 649), so only real import-time reads count.
        early = [u for u in reads if u.at_import and (u.where != "runtime_annotation" or u.reader)]
        if early and early_names is not None:
            early_names.append(local)
        elif early:
            return skip(SkipReason.NO_GAIN, f"line {stmt.line}: {local} is read at import time (line "
                        f"{early[0].line}), which would load it at once", (local,))
        sub = f"{req.module}.{local}"
        if (req.is_package and sub in facts.modules and stmt.target != req.module
                and any(m != req.module for m in facts.importers.get(sub, ()))):
            return skip(SkipReason.SHADOWS_SUBMODULE, f"{local} is also the name of submodule {sub}, "
                        "which other modules import directly", (local,))
    return None


def _to_lazy(node: cst.CSTNode) -> cst.CSTNode:
    if isinstance(node, cst.Import):
        return cst.LazyImport(names=node.names, semicolon=node.semicolon,
                              whitespace_after_import=node.whitespace_after_import)
    assert isinstance(node, cst.ImportFrom)
    return cst.LazyImportFrom(
        module=node.module, names=node.names, relative=node.relative, lpar=node.lpar, rpar=node.rpar,
        semicolon=node.semicolon, whitespace_after_from=node.whitespace_after_from,
        whitespace_before_import=node.whitespace_before_import, whitespace_after_import=node.whitespace_after_import,
    )


def _walk(node: cst.CSTNode) -> list[cst.CSTNode]:
    out, stack = [], [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(current.children))
    return out

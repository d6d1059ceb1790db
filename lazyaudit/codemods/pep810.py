"""PEP 810 fix (--target-version 3.15+): mark the import `lazy` where the language allows it and it pays."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from lazyaudit.codemods._edit import Replacer, resolve
from lazyaudit.codemods._uses import ModuleUses, dotted_name, literal_all
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
            why = _blocker(uses, stmt, req, facts)
            if why is not None:
                got.append(why)
                continue
            edits[id(stmt.node)] = _to_lazy
            done.append(stmt)
        if done:
            lines = ", ".join(str(s.line) for s in done)
            got.insert(0, req.done(f"marked `lazy` (PEP 810) at line{'s' if len(done) > 1 else ''} {lines}",
                                   tuple(n for s in done for n in s.locals), lines=[s.line for s in done]))
        outcomes.extend(got or [req.skip(SkipReason.NOT_FOUND, f"the import of {req.subject} is already lazy")])
    return (module.visit(Replacer(edits)) if edits else module), outcomes


def _nearest(stmts: Sequence[_Stmt], line: int) -> list[_Stmt]:
    allowed = [s for s in stmts if not s.forbidden] or list(stmts)
    return [min(allowed, key=lambda s: abs(s.line - line))] if allowed else []


def _blocker(uses: ModuleUses, stmt: _Stmt, req: FixRequest, facts: ProjectFacts) -> Outcome | None:
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
        if early:
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

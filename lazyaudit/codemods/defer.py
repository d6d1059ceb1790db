"""LA101 fix: move a module-level import into each function that uses its names (only where provably safe)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from lazyaudit.codemods._checking import add_to_type_checking
from lazyaudit.codemods._edit import (
    Alias,
    ImportSite,
    Replacer,
    import_sites,
    import_text,
    insert_in_function,
    locate,
    replace_top,
    statement,
    without_aliases,
)
from lazyaudit.codemods._init_names import literal_all
from lazyaudit.codemods._uses import ModuleUses, Use
from lazyaudit.codemods.result import FixRequest, Outcome, SkipReason

if TYPE_CHECKING:
    from lazyaudit.codemods.safety import ProjectFacts

_WHERE = {
    "module": "module-level code", "class_body": "a class body", "decorator": "a decorator",
    "default": "a parameter default", "base_class": "a base class", "lambda": "a module-level lambda",
    "runtime_annotation": "an annotation evaluated at runtime",
}  # fmt: skip


def defer_import(module: cst.Module, requests: FixRequest | Sequence[FixRequest],
                 facts: ProjectFacts) -> tuple[cst.Module, list[Outcome]]:
    """Rewrite `module` for LA101 requests (all of one file share one analysis of its tree); never
    raises: a crash becomes a `failed` outcome."""
    reqs = [requests] if isinstance(requests, FixRequest) else list(requests)
    try:
        return _defer(module, reqs, facts)
    except Exception as exc:  # noqa: BLE001 - a codemod reports, it does not crash the run
        return module, [r.fail(f"internal error while deferring {r.subject}: {type(exc).__name__}: {exc}")
                        for r in reqs]


@dataclass
class _Plan:
    """The moves decided for one import statement, and the requests that asked for them."""

    site: ImportSite
    moves: dict[str, tuple[list[cst.FunctionDef], bool]] = field(default_factory=dict)
    asked: list[tuple[FixRequest, list[str]]] = field(default_factory=list)


def _defer(module: cst.Module, reqs: list[FixRequest], facts: ProjectFacts) -> tuple[cst.Module, list[Outcome]]:
    uses = ModuleUses(module)
    sites = import_sites(module, reqs[0].module, reqs[0].is_package, uses.line) if reqs else []
    plans: dict[int, _Plan] = {}
    per_request: list[list[Outcome]] = []
    for req in reqs:
        got: list[Outcome] = []
        per_request.append(got)
        site = locate(sites, req.subject, req.names, req.line)
        if site is None:
            got.append(req.skip(SkipReason.NOT_FOUND, f"no module-level import of {req.subject} left to move"))
            continue
        if site.future:
            got.append(req.skip(SkipReason.UNSUPPORTED, "__future__ imports stay where they are"))
            continue
        wanted = set(req.names)
        candidates = [a for a in site.aliases if not wanted or a.local in wanted or a.name in wanted]
        if not candidates:
            got.append(req.skip(SkipReason.NOT_FOUND, f"none of {', '.join(sorted(wanted))} is imported here"))
            continue
        moved = []
        plan = plans.setdefault(site.index, _Plan(site))
        for alias in candidates:
            verdict = _check(uses, module, site, alias, req, facts)
            if isinstance(verdict, Outcome):
                got.append(verdict)
            else:
                plan.moves[alias.local] = verdict
                moved.append(alias.local)
        if moved:
            plan.asked.append((req, moved))
    live = [p for p in plans.values() if p.moves]
    if not live:
        return module, [o for got in per_request for o in got]
    new = _apply(module, live)
    for plan in live:
        for req, moved in plan.asked:
            per_request[reqs.index(req)].insert(0, _applied(uses, plan, req, moved, facts))
    return new, [o for got in per_request for o in got]


def _check(uses: ModuleUses, module: cst.Module, site: ImportSite, alias: Alias, req: FixRequest,
           facts: ProjectFacts) -> Outcome | tuple[list[cst.FunctionDef], bool]:
    name = alias.local
    skip = req.skip
    reads = uses.uses(site.small, name)
    if not reads:
        return skip(SkipReason.SIDE_EFFECT, f"{name} is never read: the import is kept for its side effects", (name,))
    others = [b for b in uses.bindings(name) if b is not site.small]
    if others:
        return skip(SkipReason.REBOUND, f"{name} is also bound at line {uses.line(others[0])}; a function-local "
                    "import would shadow that binding", (name,))
    if name in uses.globals_declared:
        return skip(SkipReason.REBOUND, f"a function declares `global {name}`", (name,))
    if uses.dynamic:
        return skip(SkipReason.DYNAMIC_NAMESPACE, f"the module calls {uses.dynamic}, which can read {name} "
                    "from the module namespace", (name,))
    exported, dynamic_all = literal_all(module)
    if (exported and name in exported) or dynamic_all:
        return skip(SkipReason.EXPORTED, f"{name} is exported through __all__", (name,))
    why = facts.exported(req.module, name)
    if why:
        return skip(SkipReason.EXPORTED, f"{name} must stay a module attribute: {why}", (name,))
    why = facts.patched_name(req.module, name)
    if why:
        return skip(SkipReason.MOCK_PATCH, f"{name} must stay a module attribute: {why}", (name,))
    why = facts.side_effect(site.target) or (facts.side_effect(alias.origin) if alias.origin != site.target else "")
    if why:
        return skip(SkipReason.SIDE_EFFECT, f"not deferred: {why}", (name,))
    early = [u for u in reads if u.at_import]
    if early:
        return _early(early[0], name, req)
    functions: dict[int, cst.FunctionDef] = {}
    for u in reads:
        if u.function is not None:
            functions.setdefault(id(u.function), u.function)
    if not functions:
        return skip(SkipReason.UNSUPPORTED, f"{name} is read only in annotations (LA104 moves it under "
                    "TYPE_CHECKING)", (name,))
    called = [f.name.value for f in functions.values() if _runs_at_import(uses, f)]
    if called:
        return skip(SkipReason.CALLED_AT_IMPORT, f"{called[0]}() runs at import time, so the import would "
                    "still run then", (name,))
    annotation_only = any(u.where == "annotation" for u in reads)
    return list(functions.values()), annotation_only


def _early(use: Use, name: str, req: FixRequest) -> Outcome:
    if use.where == "runtime_annotation":
        reader = f" ({use.reader})" if use.reader else ""
        return req.skip(SkipReason.RUNTIME_ANNOTATION, f"{name} is read at line {use.line} in an annotation "
                        f"evaluated at runtime{reader}", (name,))
    return req.skip(SkipReason.MODULE_LEVEL_USE, f"{name} is read at import time, in {_WHERE.get(use.where, use.where)} "
                    f"(line {use.line})", (name,))


def _runs_at_import(uses: ModuleUses, func: cst.FunctionDef) -> bool:
    if func.name.value in uses.called_at_import:
        parent = uses.parents.get(func)
        if isinstance(parent, cst.Module):
            return True
    cls = _enclosing_class(uses, func)
    return cls is not None and cls.name.value in uses.called_at_import and func.name.value in (
        "__init__", "__new__", "__post_init__", "__init_subclass__", "__set_name__", "__class_getitem__")


def _enclosing_class(uses: ModuleUses, func: cst.FunctionDef) -> cst.ClassDef | None:
    parent = uses.parents.get(func)
    while parent is not None and not isinstance(parent, (cst.ClassDef, cst.FunctionDef, cst.Module)):
        parent = uses.parents.get(parent)
    return parent if isinstance(parent, cst.ClassDef) else None


def qualname(uses: ModuleUses, func: cst.FunctionDef) -> str:
    parts = [func.name.value]
    parent = uses.parents.get(func)
    while parent is not None:
        if isinstance(parent, (cst.FunctionDef, cst.ClassDef)):
            parts.append(parent.name.value)
        parent = uses.parents.get(parent)
    return ".".join(reversed(parts))


def _apply(module: cst.Module, plans: list[_Plan]) -> cst.Module:
    """One transformation for every plan: imports into functions, statements trimmed, annotation copies."""
    per_func: dict[int, tuple[cst.FunctionDef, list[cst.SimpleStatementLine]]] = {}
    top: dict[int, cst.BaseStatement | Sequence[cst.BaseStatement] | None] = {}
    typed: list[str] = []
    for plan in sorted(plans, key=lambda p: p.site.index):
        site, moves = plan.site, plan.moves
        whole = all(a.local in moves for a in site.aliases) and len(site.line_node.body) == 1
        comment = site.line_node.trailing_whitespace.comment if whole else None
        aliases_of: dict[int, tuple[cst.FunctionDef, list[Alias]]] = {}
        for alias in site.aliases:
            for func in moves.get(alias.local, ([], False))[0]:
                aliases_of.setdefault(id(func), (func, []))[1].append(alias)
        for key, (func, aliases) in aliases_of.items():
            per_func.setdefault(key, (func, []))[1].append(statement(import_text(site, aliases), comment))
        top[site.index] = without_aliases(site, set(moves))
        annotated = [a for a in site.aliases if a.local in moves and moves[a.local][1]]
        if annotated:
            typed.append(import_text(site, annotated))
    edits = {key: (lambda node, stmts=stmts: insert_in_function(node, stmts))  # type: ignore[misc]
             for key, (_, stmts) in per_func.items()}
    new = replace_top(module.visit(Replacer(edits)), top)
    return add_to_type_checking(new, typed) if typed else new


def _applied(uses: ModuleUses, plan: _Plan, req: FixRequest, moved: list[str], facts: ProjectFacts) -> Outcome:
    site = plan.site
    aliases = [a for a in site.aliases if a.local in moved]
    funcs = sorted({qualname(uses, f) for a in aliases for f in plan.moves[a.local][0]})
    kept = [a.local for a in site.aliases if a.local not in plan.moves]
    typed = any(plan.moves[a.local][1] for a in aliases)
    loaded = [a.origin for a in aliases if a.origin in facts.modules] or [site.target]
    cycle = next((c for c in (facts.cycle(req.module, t) for t in loaded if t in facts.modules) if c), [])
    text = f"moved `{import_text(site, aliases)}` into " + ", ".join(f"{f}()" for f in funcs)
    if kept:
        text += f"; {', '.join(kept)} stay{'s' if len(kept) == 1 else ''} at module level"
    if typed:
        text += "; annotations see it through `if TYPE_CHECKING:`"
    data: dict[str, object] = {"functions": funcs, "kept": kept}
    if cycle:
        data["cycle"] = " -> ".join(cycle)
        text += f" (breaks the import cycle {data['cycle']})"
    return req.done(text, tuple(moved), **data)

"""LA101 fix: move a module-level import into each function that uses its names (only where provably safe)."""

from __future__ import annotations

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
from lazyaudit.codemods._uses import ModuleUses, Use, literal_all
from lazyaudit.codemods.result import FixRequest, Outcome, SkipReason

if TYPE_CHECKING:
    from lazyaudit.codemods.safety import ProjectFacts

_WHERE = {
    "module": "module-level code", "class_body": "a class body", "decorator": "a decorator",
    "default": "a parameter default", "base_class": "a base class", "lambda": "a module-level lambda",
    "runtime_annotation": "an annotation evaluated at runtime",
}  # fmt: skip


def defer_import(module: cst.Module, req: FixRequest, facts: ProjectFacts) -> tuple[cst.Module, list[Outcome]]:
    """Rewrite `module` for one LA101 request; never raises (a crash becomes a `failed` outcome)."""
    try:
        return _defer(module, req, facts)
    except Exception as exc:  # noqa: BLE001 - a codemod reports, it does not crash the run
        return module, [req.fail(f"internal error while deferring {req.subject}: {type(exc).__name__}: {exc}")]


def _defer(module: cst.Module, req: FixRequest, facts: ProjectFacts) -> tuple[cst.Module, list[Outcome]]:
    uses = ModuleUses(module)
    site = locate(import_sites(module, req.module, req.is_package, uses.line), req.subject, req.names, req.line)
    if site is None:
        return module, [req.skip(SkipReason.NOT_FOUND, f"no module-level import of {req.subject} left to move")]
    if site.future:
        return module, [req.skip(SkipReason.UNSUPPORTED, "__future__ imports stay where they are")]
    wanted = set(req.names)
    candidates = [a for a in site.aliases if not wanted or a.local in wanted or a.name in wanted]
    if not candidates:
        return module, [req.skip(SkipReason.NOT_FOUND, f"none of {', '.join(sorted(wanted))} is imported here")]
    outcomes: list[Outcome] = []
    moves: dict[str, tuple[list[cst.FunctionDef], bool]] = {}
    for alias in candidates:
        verdict = _check(uses, module, site, alias, req, facts)
        if isinstance(verdict, Outcome):
            outcomes.append(verdict)
        else:
            moves[alias.local] = verdict
    if not moves:
        return module, outcomes
    return _apply(module, uses, site, moves, req, facts, outcomes)


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


def _apply(module: cst.Module, uses: ModuleUses, site: ImportSite, moves: dict[str, tuple[list[cst.FunctionDef], bool]],
           req: FixRequest, facts: ProjectFacts, outcomes: list[Outcome]) -> tuple[cst.Module, list[Outcome]]:
    whole = all(a.local in moves for a in site.aliases) and len(site.line_node.body) == 1
    comment = site.line_node.trailing_whitespace.comment if whole else None
    per_func: dict[int, tuple[cst.FunctionDef, list[Alias]]] = {}
    for alias in site.aliases:
        if alias.local in moves:
            for func in moves[alias.local][0]:
                per_func.setdefault(id(func), (func, []))[1].append(alias)
    edits = {}
    for key, (func, aliases) in per_func.items():
        stmt = statement(import_text(site, aliases), comment)
        edits[key] = lambda node, stmt=stmt: insert_in_function(node, [stmt])  # type: ignore[misc]
    new = module.visit(Replacer(edits))
    new = replace_top(new, {site.index: without_aliases(site, set(moves))})
    typed = [a for a in site.aliases if a.local in moves and moves[a.local][1]]
    if typed:
        new = add_to_type_checking(new, [import_text(site, typed)])
    moved = tuple(a.local for a in site.aliases if a.local in moves)
    funcs = sorted({qualname(uses, f) for f, _ in per_func.values()})
    kept = [a.local for a in site.aliases if a.local not in moves]
    loaded = [a.origin for a in site.aliases if a.local in moves and a.origin in facts.modules] or [site.target]
    cycle = next((c for c in (facts.cycle(req.module, t) for t in loaded if t in facts.modules) if c), [])
    text = f"moved `{import_text(site, [a for a in site.aliases if a.local in moves])}` into " + ", ".join(
        f"{f}()" for f in funcs)
    if kept:
        text += f"; {', '.join(kept)} stay{'s' if len(kept) == 1 else ''} at module level"
    if typed:
        text += "; annotations see it through `if TYPE_CHECKING:`"
    data = {"functions": funcs, "kept": kept}
    if cycle:
        data["cycle"] = " -> ".join(cycle)
        text += f" (breaks the import cycle {data['cycle']})"
    outcomes.insert(0, req.done(text, moved, **data))
    return new, outcomes

"""LA104 fix: move annotation-only imports under `if TYPE_CHECKING:` (adding the future import, or quoting)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst

from lazyaudit.codemods._checking import add_future_annotations, add_to_type_checking
from lazyaudit.codemods._edit import (
    Alias,
    ImportSite,
    Replacer,
    code,
    import_sites,
    import_text,
    locate,
    replace_top,
    without_aliases,
)
from lazyaudit.codemods._init_names import literal_all
from lazyaudit.codemods._uses import ModuleUses, Use
from lazyaudit.codemods.result import FixRequest, Outcome, SkipReason

if TYPE_CHECKING:
    from lazyaudit.codemods.safety import ProjectFacts


def type_only(module: cst.Module, requests: FixRequest | Sequence[FixRequest],
              facts: ProjectFacts) -> tuple[cst.Module, list[Outcome]]:
    """Rewrite `module` for LA104 requests (one analysis of the tree for all of them); never raises."""
    reqs = [requests] if isinstance(requests, FixRequest) else list(requests)
    try:
        return _type_only(module, reqs, facts)
    except Exception as exc:  # noqa: BLE001 - a codemod reports, it does not crash the run
        return module, [r.fail(f"internal error while moving {r.subject}: {type(exc).__name__}: {exc}") for r in reqs]


def _type_only(module: cst.Module, reqs: list[FixRequest], facts: ProjectFacts) -> tuple[cst.Module, list[Outcome]]:
    uses = ModuleUses(module)
    sites = import_sites(module, reqs[0].module, reqs[0].is_package, uses.line) if reqs else []
    per_request: list[list[Outcome]] = []
    chosen: list[tuple[FixRequest, ImportSite, dict[str, list[Use]]]] = []
    for req in reqs:
        got: list[Outcome] = []
        per_request.append(got)
        site = locate(sites, req.subject, req.names, req.line)
        if site is None or site.future:
            got.append(req.skip(SkipReason.NOT_FOUND, f"no module-level import of {req.subject} left to move"))
            continue
        wanted = set(req.names)
        moving: dict[str, list[Use]] = {}
        for alias in [a for a in site.aliases if not wanted or a.local in wanted or a.name in wanted]:
            verdict = _check(uses, module, site, alias, req, facts)
            if isinstance(verdict, Outcome):
                got.append(verdict)
            else:
                moving[alias.local] = verdict
        if moving:
            chosen.append((req, site, moving))
        elif not got:
            got.append(req.skip(SkipReason.NOT_FOUND, "no annotation-only name to move"))
    names = {n for _, _, moving in chosen for n in moving}
    blocker = _future_blocker(uses, names) if chosen else ""
    plans: list[tuple[FixRequest, ImportSite, dict[str, list[Use]], str]] = []
    for req, site, moving in chosen:
        evaluated = [u for reads in moving.values() for u in reads if u.where != "annotation"]
        how = "" if not evaluated else "future" if not blocker else "quote" if all(
            _quotable(uses, u) for u in evaluated) else "skip"
        if how == "skip":
            per_request[reqs.index(req)].append(req.skip(
                SkipReason.RUNTIME_ANNOTATION, f"annotations that read {', '.join(moving)} are evaluated at runtime, "
                f"and neither `from __future__ import annotations` ({blocker}) nor quoting them is safe",
                tuple(moving)))
            continue
        plans.append((req, site, moving, how))
    if not plans:
        return module, [o for got in per_request for o in got]
    new = _apply(module, uses, plans)
    for req, site, moving, how in plans:
        moved = [a for a in site.aliases if a.local in moving]
        text = f"moved `{import_text(site, moved)}` under `if TYPE_CHECKING:`" + {
            "future": " and added `from __future__ import annotations`",
            "quote": " and quoted the annotations that read it", "": ""}[how]
        per_request[reqs.index(req)].insert(0, req.done(text, tuple(a.local for a in moved),
                                                        annotations=how or "deferred"))
    return new, [o for got in per_request for o in got]


def _apply(module: cst.Module, uses: ModuleUses,
           plans: list[tuple[FixRequest, ImportSite, dict[str, list[Use]], str]]) -> cst.Module:
    edits = {}
    for _, _, moving, how in plans:
        if how == "quote":
            for u in (u for reads in moving.values() for u in reads if u.where != "annotation"):
                ann = _annotation_of(uses, u.node)
                if ann is not None:
                    edits[id(ann)] = _quote
    new = module.visit(Replacer(edits)) if edits else module
    by_site: dict[int, tuple[ImportSite, set[str]]] = {}
    for _, site, moving, _ in plans:
        by_site.setdefault(site.index, (site, set()))[1].update(moving)
    new = replace_top(new, {i: without_aliases(site, names) for i, (site, names) in by_site.items()})
    texts = [import_text(site, [a for a in site.aliases if a.local in names])
             for _, (site, names) in sorted(by_site.items())]
    new = add_to_type_checking(new, texts)
    return add_future_annotations(new) if any(how == "future" for *_, how in plans) else new


def _check(uses: ModuleUses, module: cst.Module, site: ImportSite, alias: Alias, req: FixRequest,
           facts: ProjectFacts) -> Outcome | list[Use]:
    name, skip = alias.local, req.skip
    reads = uses.uses(site.small, name)
    if not reads:
        return skip(SkipReason.SIDE_EFFECT, f"{name} is never read: the import is kept for its side effects", (name,))
    if [b for b in uses.bindings(name) if b is not site.small] or name in uses.globals_declared:
        return skip(SkipReason.REBOUND, f"{name} is bound more than once at module level", (name,))
    if uses.dynamic:
        return skip(SkipReason.DYNAMIC_NAMESPACE, f"the module calls {uses.dynamic}", (name,))
    exported, dynamic_all = literal_all(module)
    if (exported and name in exported) or dynamic_all:
        return skip(SkipReason.EXPORTED, f"{name} is exported through __all__", (name,))
    why = facts.exported(req.module, name) or facts.patched_name(req.module, name)
    if why:
        reason = SkipReason.MOCK_PATCH if "patches" in why else SkipReason.EXPORTED
        return skip(reason, f"{name} must stay a module attribute: {why}", (name,))
    why = facts.side_effect(site.target)
    if why:
        return skip(SkipReason.SIDE_EFFECT, f"not moved: {why}", (name,))
    runtime = [u for u in reads if not u.annotation]
    if runtime:
        return skip(SkipReason.NOT_TYPE_ONLY, f"{name} is read outside annotations (line {runtime[0].line})", (name,))
    read = [u for u in reads if u.reader]
    if read:
        return skip(SkipReason.RUNTIME_ANNOTATION, f"{name} is in an annotation read at runtime (line {read[0].line}: "
                    f"{read[0].reader})", (name,))
    return reads


def _future_blocker(uses: ModuleUses, moving: set[str]) -> str:
    """Why `from __future__ import annotations` would break something ("" when it is safe)."""
    for node, reader in uses.runtime_annotation_names():
        if node.value in moving:
            return f"{node.value} is read at runtime: {reader}"
        if uses.inside_function(node):
            return f"an annotation inside a function is read at runtime ({reader})"
        if not uses.resolves_at_runtime(node, moving):
            return f"{node.value} (line {uses.line(node)}) would not resolve at runtime: {reader}"
    return ""


def _annotation_of(uses: ModuleUses, node: cst.CSTNode) -> cst.Annotation | None:
    parent = uses.parents.get(node)
    while parent is not None and not isinstance(parent, cst.Annotation):
        parent = uses.parents.get(parent)
    return parent


def _quotable(uses: ModuleUses, use: Use) -> bool:
    ann = _annotation_of(uses, use.node)
    if ann is None:
        return False
    text = code(ann.annotation)
    has_string = any(isinstance(n, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString))
                     for n in _walk(ann.annotation))
    return not has_string and "\n" not in text and '"' not in text


def _quote(node: cst.CSTNode) -> cst.CSTNode:
    assert isinstance(node, cst.Annotation)
    return node.with_changes(annotation=cst.SimpleString(f'"{code(node.annotation).strip()}"'))


def _walk(node: cst.CSTNode) -> list[cst.CSTNode]:
    out, stack = [], [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(current.children)
    return out

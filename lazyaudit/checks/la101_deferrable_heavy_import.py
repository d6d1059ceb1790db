"""LA101 deferrable-heavy-import: a heavy module-level import whose names are read only inside functions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from lazyaudit.checks.heavy import heavy_cost
from lazyaudit.checks.la102_eager_init_chain import init_imports, lazy_skips
from lazyaudit.checks.name_usage import (
    AT_IMPORT,
    IN_FUNCTION,
    TYPE_ONLY,
    ImportUsage,
    ModuleUsage,
    ProjectReferences,
    annotations_evaluated,
    closure_without,
    deferred_pairs,
    import_edges,
    is_heavy,
    saving_for,
    side_effect_reason,
)
from lazyaudit.costs import cost_of
from lazyaudit.hotpath import hot_path, split_saving
from lazyaudit.model import Finding, ImportRecord

if TYPE_CHECKING:
    from lazyaudit.checks.context import CheckContext
    from lazyaudit.checks.name_usage import Binding, Pairs, Saving, SkipPlan
    from lazyaudit.closure import Edge, ImportResolver
    from lazyaudit.costs import Cost
    from lazyaudit.modindex import ModuleIndex

CODE = "LA101"
_MAX_HOPS = 8  # re-export hops followed for one name: a guard against alias loops, not a tuning knob


def check(ctx: CheckContext) -> Iterable[Finding]:
    refs = ProjectReferences(ctx)
    evaluated = annotations_evaluated(ctx)
    has_entries = any(v.found for v in ctx.views)
    for src, parsed in ctx.runtime_files():
        if parsed.error:
            continue
        usage = ModuleUsage(parsed, annotations_evaluated=evaluated)
        view = ctx.view_for_module(parsed.name)
        if view is None and has_entries:
            continue  # no entry point's cold start loads this module: deferring saves no start-up time
        resolver = view.resolver if view else ctx.project_resolver
        for imp in usage.imports():
            finding = _judge(ctx, src.rel, usage, imp, resolver, refs)
            if finding is not None:
                yield finding


def _judge(
    ctx: CheckContext, rel: str, usage: ModuleUsage, imp: ImportUsage, resolver: ImportResolver,
    refs: ProjectReferences,
) -> Finding | None:
    parsed, rec = usage.parsed, imp.record
    if side_effect_reason(imp, parsed, resolver.index):
        return None
    why_keep = dict(imp.why_at_import)
    move: list[Binding] = []
    keep: dict[str, str] = {}
    type_only: list[str] = []
    for b in imp.bindings:
        blocker = refs.blocker(parsed.name, b.local)
        if AT_IMPORT in b.kinds:
            keep[b.local] = why_keep.get(b.local, "used at import")
        elif blocker:
            keep[b.local] = blocker
        elif IN_FUNCTION in b.kinds:
            move.append(b)
        elif TYPE_ONLY in b.kinds:
            type_only.append(b.local)
    if not move:
        return None
    module = parsed.name
    functions = sorted({f for b in move for f in b.functions})
    if _read_by_handler(ctx, module, functions):
        return None  # every invocation needs it: deferring moves its cost to the first call, saves nothing
    originals = {b.local: _original(rec.target, b.origin) for b in imp.bindings}
    targets = list(dict.fromkeys(e.target for e in import_edges(resolver, module, rec))) or [rec.target]
    if keep:
        moved = [originals[b.local] for b in move]
        kept = [originals[n] for n in keep]
        cost = _partial_cost(ctx, resolver, rec.target, moved, kept)
        if cost is None:
            return None
        plan = _partial_plan(ctx, module, rec.target, rec, moved, kept)
    else:
        cost = _heavy(ctx, resolver, targets)
        if cost is None:
            return None
        pairs = deferred_pairs(resolver, module, [rec])
        plan = _plan(pairs)
    saving = saving_for(ctx, module, plan)
    lazy_package = rec.target if keep and _is_package_with_reexports(resolver.index, rec.target) else ""
    on_path = [_source(resolver.index, rec.target, originals[b.local]) for b in move] if keep else targets
    first_call = _first_call(ctx, saving, module, functions, on_path)
    fixable, reason = _fixability(usage, imp, move)
    message = _message(rec.target, move, keep, functions, cost, saving, lazy_package)
    if first_call["ms"]:
        where = " or ".join(f + "()" for f in first_call["functions"][:2])
        message += f" (an invocation that reaches {where} pays ~{first_call['ms']:.0f} ms of it then)"
    data = {
        "module": rec.target, "names": [b.local for b in move], "functions": functions, "partial": bool(keep),
        "keep": sorted(keep), "keep_reasons": keep,
        "type_checking": sorted(set(type_only) | {b.local for b in move if TYPE_ONLY in b.kinds}),
        "cost": cost.as_dict(), "saving": saving.as_dict(), "saving_ms": round(saving.cost.ms, 1),
        "needs_lazy_package": lazy_package, "first_call": first_call, "entry": saving.entry,
        "chain": saving.import_chain(rel, rec.line, rec.target), "fixable": fixable, "reason": reason,
    }
    return Finding(CODE, message, rel, rec.line, rec.column, subject=rec.target, data=data)


def _read_by_handler(ctx: CheckContext, module: str, functions: list[str]) -> bool:
    """The entry's own handler function reads the name, so every invocation imports it anyway."""
    for view in ctx.views:
        attr = view.entry.attr
        if view.found and view.entry.module == module and attr and any(
                f == attr or f.startswith(attr + ".") for f in functions):
            return True
    return False


def _first_call(ctx: CheckContext, saving: Saving, module: str, functions: list[str],
                targets: list[str]) -> dict[str, Any]:
    """Of the saving, what moves to the first invocation that takes a path through these functions
    (the handler's static call path, branches not told apart) rather than leaving the cold start."""
    view = next((v for v in ctx.views if v.entry.spec == saving.entry), None)
    hot = hot_path(view) if view is not None and saving.gone else None
    reached = [f for f in functions if hot is not None and hot.reaches(module, f)]
    if view is None or hot is None or not reached:
        return {"functions": [], "modules": 0, "ms": 0.0}
    _, moved = split_saving(view, hot, set(saving.gone), targets)
    cost = cost_of(view.resolver, moved, ctx.profile)
    return {"functions": reached, "modules": cost.modules, "ms": round(cost.ms, 1)}


def _plan(pairs: Pairs) -> SkipPlan:
    def plan(resolver: ImportResolver, loaded: dict[str, Edge | None]) -> tuple[Pairs, Pairs]:
        return frozenset(), pairs

    return plan


def _partial_plan(ctx: CheckContext, module: str, target: str, rec: ImportRecord, moved: list[str],
                  kept: list[str]) -> SkipPlan:
    """Moving some names saves only what they alone load: their own submodules, or, when the target is
    a first-party package, what its lazy re-exports (LA102) would then stop loading."""

    def plan(resolver: ImportResolver, loaded: dict[str, Edge | None]) -> tuple[Pairs, Pairs]:
        index = resolver.index
        moved_src = {_source(index, target, n) for n in moved}
        kept_src = {_source(index, target, n) for n in kept}
        own = frozenset((module, e.target) for e in import_edges(resolver, module, rec)
                        if e.target != target and e.target in moved_src - kept_src)
        info = index.info(target)
        if not _is_package_with_reexports(index, target) or info.parsed is None:
            return frozenset(), own
        imports = init_imports(ctx, resolver, info.parsed)
        base = lazy_skips(resolver, loaded, target, imports)
        after = lazy_skips(resolver, loaded, target, imports, {module: set(moved)})
        return base, after | own

    return plan


def _partial_cost(ctx: CheckContext, resolver: ImportResolver, target: str, moved: list[str],
                  kept: list[str]) -> Cost | None:
    """What the moved names load that the kept ones do not, with first-party package __init__s
    assumed lazy (otherwise every name of a package would cost the whole package)."""
    index = resolver.index
    moved_src = sorted({_source(index, target, n) for n in moved})
    kept_src = sorted({_source(index, target, n) for n in kept})
    skip: set[tuple[str, str]] = set()
    for name in {*moved_src, *kept_src}:
        parts = name.split(".")
        for cut in range(1, len(parts)):
            package = ".".join(parts[:cut])
            info = index.info(package)
            if info.category == "first_party" and info.parsed is not None and info.parsed.is_package:
                skip |= lazy_skips(resolver, (), package, init_imports(ctx, resolver, info.parsed))
    frozen = frozenset(skip)
    extra = closure_without(resolver, moved_src, frozen) - closure_without(resolver, kept_src, frozen)
    cost = cost_of(resolver, extra, ctx.profile)
    return cost if is_heavy(ctx, cost) else None


def _heavy(ctx: CheckContext, resolver: ImportResolver, targets: list[str]) -> Cost | None:
    if len(targets) == 1:
        return heavy_cost(ctx, resolver, targets[0])
    cost = cost_of(resolver, resolver.loaded_modules(targets), ctx.profile)
    return cost if is_heavy(ctx, cost) else None


def _original(target: str, origin: str) -> str:
    """The name as the target module knows it: `from m import a as b` binds b to "m.a" -> "a"."""
    return origin[len(target) + 1:] if origin.startswith(target + ".") else origin.rsplit(".", 1)[-1]


def _source(index: ModuleIndex, module: str, name: str, hops: int = 0) -> str:
    """The module that really provides `module.name`: a submodule, or the origin of a re-export."""
    info = index.info(module)
    parsed = info.parsed
    sub = f"{module}.{name}"
    if parsed is None:
        return sub if index.exists(sub) else module
    if name in parsed.defined or hops > _MAX_HOPS:
        return module
    for rec in parsed.imports:
        if rec.scope:
            continue
        for local, origin in rec.bindings:
            if local != name:
                continue
            if not rec.is_from:
                return rec.target
            if info.category == "first_party":
                return _source(index, rec.target, _original(rec.target, origin), hops + 1)
            return origin if index.exists(origin) else rec.target
    for key, target in parsed.getattr_map:
        if key in (name, "*"):
            return target
    return sub if index.exists(sub) else module


def _is_package_with_reexports(index: ModuleIndex, name: str) -> bool:
    info = index.info(name)
    return info.category == "first_party" and info.parsed is not None and info.parsed.is_package


def _fixability(usage: ModuleUsage, imp: ImportUsage, move: list[Binding]) -> tuple[bool, str]:
    functions = set(usage.parsed.functions)
    for b in move:
        clash = usage.rebound(b.local, imp.record)
        if clash:
            return False, clash
        odd = sorted(f for f in b.functions if f not in functions)
        if odd:
            return False, f"`{b.local}` is read in `{odd[0]}`, which is not a function the fix can add an import to"
    return True, ""


def _message(target: str, move: list[Binding], keep: dict[str, str], functions: list[str], cost: Cost,
             saving: Saving, lazy_package: str) -> str:
    where = ", ".join(f"{f}()" for f in functions[:3]) + (" ..." if len(functions) > 3 else "")
    at = f" at the cold start of {saving.entry}" if saving.entry else " when the module is imported"
    names = ", ".join(f"`{b.local}`" for b in move)
    approx = "" if cost.measured_ms is not None else "~"
    if keep:
        first = min(keep)
        head = (f"{names} from `{target}` {'is' if len(move) == 1 else 'are'} used only inside {where}; "
                f"`{first}` must stay at module level: {keep[first]}")
        tail = f" once `{lazy_package}` re-exports lazily (LA102)" if lazy_package else ""
        return f"{head}; moving {'it' if len(move) == 1 else 'them'} there saves {saving.words()}{at}{tail}"
    head = (f"heavy module-level import `{target}` ({approx}{cost.ms:.0f} ms, {cost.modules} modules) is used "
            f"only inside {where}")
    if saving.gone:
        return f"{head}; importing it there saves {saving.words()}{at}"
    return f"{head}; other imports still load it{at}, so deferring it pays once they are deferred too"

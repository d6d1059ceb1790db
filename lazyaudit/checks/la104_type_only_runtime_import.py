"""LA104 type-only-runtime-import: an import read only in annotations, yet paid for at run time."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from lazyaudit.checks.name_usage import (
    TYPE_ONLY,
    ImportUsage,
    ModuleUsage,
    ProjectReferences,
    annotations_evaluated,
    deferred_pairs,
    has_noqa,
    saving_for,
)
from lazyaudit.model import Finding, ImportKind

if TYPE_CHECKING:
    from lazyaudit.checks.context import CheckContext
    from lazyaudit.checks.name_usage import Pairs
    from lazyaudit.closure import Edge, ImportResolver

CODE = "LA104"
# Always loaded by the interpreter or by nearly everything: moving them under TYPE_CHECKING saves nothing.
_IGNORED = frozenset({"typing", "typing_extensions", "__future__", "collections.abc", "types"})


def check(ctx: CheckContext) -> Iterable[Finding]:
    refs = ProjectReferences(ctx)
    evaluated = annotations_evaluated(ctx)
    has_entries = any(v.found for v in ctx.views)
    for src, parsed in ctx.runtime_files():
        if parsed.error:
            continue
        # Annotations count as type-only even where Python evaluates them (no future import, < 3.14):
        # the fix adds `from __future__ import annotations`. Runtime-evaluated contexts stay runtime.
        usage = ModuleUsage(parsed, annotations_evaluated=False)
        view = ctx.view_for_module(parsed.name)
        if view is None and has_entries:
            continue  # no entry point's cold start loads this module: deferring saves no start-up time
        resolver = view.resolver if view else ctx.project_resolver
        imports = usage.imports()
        for imp in imports:
            if not _type_only(ctx, usage, imp, imports, resolver, refs):
                continue
            yield _finding(ctx, src.rel, usage, imp, resolver, evaluated)


def _type_only(ctx: CheckContext, usage: ModuleUsage, imp: ImportUsage, imports: list[ImportUsage],
               resolver: ImportResolver, refs: ProjectReferences) -> bool:
    rec = imp.record
    if rec.target in _IGNORED or resolver.index.info(rec.target).category == "stdlib":
        return False
    if has_noqa(usage.parsed, rec.line):
        return False
    if not all(b.kinds == {TYPE_ONLY} for b in imp.bindings):
        return False
    if any(refs.blocker(usage.parsed.name, b.local) for b in imp.bindings):
        return False
    # Another runtime import of the same module keeps it loaded: nothing to save (ruff's non-strict TC00x).
    return not any(o.record.target == rec.target and o is not imp and o.record.kind is ImportKind.EAGER
                   for o in imports)


def _finding(ctx: CheckContext, rel: str, usage: ModuleUsage, imp: ImportUsage, resolver: ImportResolver,
             evaluated: bool) -> Finding:
    parsed, rec = usage.parsed, imp.record
    pairs = deferred_pairs(resolver, parsed.name, [rec])

    def plan(resolver: ImportResolver, loaded: dict[str, Edge | None]) -> tuple[Pairs, Pairs]:
        return frozenset(), pairs

    saving = saving_for(ctx, parsed.name, plan)
    names = [b.local for b in imp.bindings]
    where = sorted({u.line for b in imp.bindings for u in b.uses})
    needs_future = evaluated and not parsed.future_annotations
    fixable, reason = True, ""
    for name in names:
        clash = usage.rebound(name, rec)
        if clash:
            fixable, reason = False, clash
            break
    listed = ", ".join(f"`{n}`" for n in names)
    in_where = f" (line{'s' if len(where) > 1 else ''} {', '.join(map(str, where[:4]))}{' ...' if len(where) > 4 else ''})"
    at = f" at the cold start of {saving.entry}" if saving.entry else " when the module is imported"
    gain = f"saves {saving.words()}{at}" if saving.gone else f"saves nothing yet{at}: other imports load it too"
    message = (f"{listed} from `{rec.target}` {'is' if len(names) == 1 else 'are'} used only in annotations"
               f"{in_where} but imported at run time; under `if TYPE_CHECKING:` it {gain}")
    if needs_future:
        message += "; the module also needs `from __future__ import annotations` (the fix adds it)"
    data = {
        "module": rec.target, "names": names, "lines": where, "future_annotations": parsed.future_annotations,
        "adds_future_import": needs_future, "saving": saving.as_dict(), "saving_ms": round(saving.cost.ms, 1),
        "entry": saving.entry, "chain": saving.import_chain(rel, rec.line, rec.target),
        "fixable": fixable, "reason": reason,
    }
    return Finding(CODE, message, rel, rec.line, rec.column, subject=rec.target, severity="note", data=data)

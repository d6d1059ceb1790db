"""LA102 eager-init-chain: a package __init__ that eagerly loads what importers of one of its names don't need."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lazyaudit.checks.heavy import heavy_cost
from lazyaudit.checks.name_usage import (
    AT_IMPORT,
    IN_FUNCTION,
    ModuleUsage,
    annotations_evaluated,
    deferred_pairs,
    has_noqa,
    import_edges,
    is_heavy,
    saving_at,
    saving_for,
)
from lazyaudit.model import Finding, ImportKind, ImportRecord, ParsedModule, UseContext

if TYPE_CHECKING:
    from lazyaudit.checks.context import CheckContext
    from lazyaudit.checks.name_usage import Pairs, Saving, SkipPlan
    from lazyaudit.closure import Edge, ImportResolver

CODE = "LA102"
NO_PAIRS: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True, slots=True)
class InitImport:
    """One module-level import of a package's __init__ and whether a PEP 562 rewrite could defer it."""

    line: int
    column: int
    names: tuple[str, ...]  # the package attributes it provides (local names it binds)
    targets: tuple[str, ...]  # modules it loads
    submodule: bool  # it imports one of the package's own submodules
    lazy: bool  # a pure re-export: loading it on first attribute access changes nothing else
    why_eager: str  # why it is not lazy ("" when it is)
    record_line: int


def init_imports(ctx: CheckContext, resolver: ImportResolver, parsed: ParsedModule) -> list[InitImport]:
    """The eager imports of a package __init__, each judged for a lazy (PEP 562) re-export."""
    usage = ModuleUsage(parsed, annotations_evaluated=annotations_evaluated(ctx))
    package = parsed.name
    out = []
    for imp in usage.imports():
        rec = imp.record
        edges = import_edges(resolver, package, rec)
        targets = tuple(dict.fromkeys(e.target for e in edges))
        submodule = any(t.startswith(package + ".") for t in targets)
        names = tuple(b.local for b in imp.bindings)
        if not rec.is_from and rec.target.startswith(package + "."):
            names = (rec.target[len(package) + 1:].split(".", 1)[0],)  # `import pkg.sub` provides pkg.sub
        own = [b.local for b in imp.bindings if any(u.context is not UseContext.EXPORT for u in b.uses)]
        why = ""
        if has_noqa(parsed, rec.line):
            why = "marked `# noqa`: kept for its side effect"
        elif own:
            why = f"the package itself uses `{own[0]}`"
        elif not submodule and not any(heavy_cost(ctx, resolver, t) for t in targets):
            why = "a light re-export"
        out.append(InitImport(rec.line, rec.column, names, targets, submodule, not why, why, rec.line))
    return out


def needed_names(resolver: ImportResolver, loaded: Iterable[str], package: str,
                 moved: Mapping[str, set[str]] | None = None) -> set[str] | None:
    """Names of `package` that modules of a cold start take from it while they are imported (None:
    a star import takes them all). `moved` holds, per importer, names assumed imported in functions."""
    needed: set[str] = set()
    index = resolver.index
    for name in loaded:
        info = index.info(name)
        if name == package or info.category != "first_party" or info.parsed is None:
            continue
        lines = {e.line for e in resolver.edges(name) if e.executed and e.target == package and e.kind != "parent"}
        skip = (moved or {}).get(name, set())
        for rec in info.parsed.imports:
            if rec.target != package or rec.line not in lines:
                continue
            if rec.names == ("*",):
                return None
            if rec.is_from:
                needed.update(n for n in rec.names if n not in skip)
                continue
            needed.update(_attr_names(info.parsed, rec, package))
    return needed


def lazy_skips(resolver: ImportResolver, loaded: Iterable[str], package: str, imports: list[InitImport],
               moved: Mapping[str, set[str]] | None = None) -> Pairs:
    """Edges of the package __init__ a cold start no longer runs once its re-exports are lazy."""
    needed = needed_names(resolver, loaded, package, moved)
    if needed is None:
        return NO_PAIRS
    info = resolver.index.info(package)
    if info.parsed is None:
        return NO_PAIRS
    lines = {i.record_line for i in imports if i.lazy and not set(i.names) & needed}
    records = [r for r in info.parsed.imports if not r.scope and r.line in lines]
    return deferred_pairs(resolver, package, records)


def check(ctx: CheckContext) -> Iterable[Finding]:
    for src, parsed in ctx.runtime_files():
        if not parsed.is_package or parsed.error:
            continue
        view = ctx.view_for_module(parsed.name)
        resolver = view.resolver if view else ctx.project_resolver
        imports = init_imports(ctx, resolver, parsed)
        lazy = [i for i in imports if i.lazy]
        if not lazy:
            continue
        finding = _finding(ctx, src.rel, parsed, imports, lazy)
        if finding is not None:
            yield finding


def _finding(ctx: CheckContext, rel: str, parsed: ParsedModule, imports: list[InitImport],
             lazy: list[InitImport]) -> Finding | None:
    package = parsed.name
    importers = _importers(ctx, package)

    def plan(resolver: ImportResolver, loaded: dict[str, Edge | None]) -> tuple[Pairs, Pairs]:
        return NO_PAIRS, lazy_skips(resolver, loaded, package, imports)

    eager_roots = [i["module"] for i in importers if i["names"] != i["deferred"]]
    if not eager_roots and not any(v.found and package in v.loaded for v in ctx.views):
        return None  # imported by nothing in the project: its users, and what they need, are unknown
    saving = saving_for(ctx, package, plan, fallback_roots=eager_roots)
    if not saving.gone or not is_heavy(ctx, saving.cost):
        return None
    per_entry = _per_entry(ctx, package, plan)
    view = next((v for v in ctx.views if v.entry.spec == saving.entry), None)
    resolver = view.resolver if view else ctx.project_resolver
    loaded = view.loaded if view else resolver.closure([saving.chain[0].split(" ", 1)[0]])
    needs = sorted(needed_names(resolver, loaded, package) or ())
    submodules = sorted({t for i in imports if i.submodule for t in i.targets if t.startswith(package + ".")})
    first = next((i for i in imports if i.submodule), lazy[0])
    fixable, reason = _fixability(parsed, lazy)
    who = saving.entry or saving.chain[0].split(" ", 1)[0]
    short = [s[len(package) + 1:] for s in submodules]
    what = f"{len(submodules)} submodule{'s' if len(submodules) != 1 else ''} ({', '.join(short)})" if submodules \
        else "heavy dependencies"
    uses = f"needs only {_names(needs)} from it" if needs else "needs none of its names at import"
    message = (f"package `{package}` eagerly imports {what}; {who} {uses}, yet its cold start pays for the rest: "
               f"{saving.words()} that lazy re-exports (PEP 562 __getattr__) would not load")
    data = {
        "package": package, "submodules": submodules, "importers": importers,
        "exports": list(parsed.all_names) if parsed.all_names is not None else sorted(
            {n for i in imports for n in i.names} | set(parsed.defined)),
        "used_at_import": _used_at_import(ctx, parsed),
        "lazy": sorted({n for i in lazy for n in i.names}),
        "eager": {n: i.why_eager for i in imports if not i.lazy for n in i.names},
        "needs": needs, "saving": saving.as_dict(), "saving_ms": round(saving.cost.ms, 1), "entries": per_entry,
        "entry": saving.entry, "chain": [*saving.chain], "fixable": fixable, "reason": reason,
        "modules": sorted(m for m in submodules if m in saving.gone),
    }
    return Finding(CODE, message, rel, first.line, first.column, subject=package, data=data)


def _per_entry(ctx: CheckContext, package: str, plan: SkipPlan) -> list[dict[str, Any]]:
    out = []
    for view in ctx.views:
        if view.found and package in view.loaded:
            s: Saving = saving_at(ctx, view.resolver, view.entry.module, view.loaded, plan, view.entry.spec, package)
            out.append({"entry": view.entry.spec, "needs": sorted(needed_names(view.resolver, view.loaded, package) or ()),
                        "saving": s.as_dict()})
    return out


def _importers(ctx: CheckContext, package: str) -> list[dict[str, Any]]:
    """Runtime first-party modules that import the package, with the names they take from it."""
    from lazyaudit.graph import importers_of  # networkx: loaded only when a package is a candidate

    by_module = {p.name: (rel, p) for rel, p in ctx.parsed.items()}
    out = []
    for importer, data in importers_of(ctx.graph(), package):
        if data.get("kind") == "parent" or importer not in by_module:
            continue
        rel, parsed = by_module[importer]
        if ctx.files[rel].dev:
            continue
        eager: list[str] = []
        deferred: list[str] = []
        line = 0
        for rec in parsed.imports:
            if rec.target != package or rec.kind in (ImportKind.TYPE_CHECKING, ImportKind.MAIN):
                continue
            names = list(rec.names) if rec.is_from else _attr_names(parsed, rec, package)
            (deferred if rec.scope else eager).extend(names)
            line = line or rec.line
        names = list(dict.fromkeys(eager + deferred))
        out.append({"module": importer, "names": names,
                    "deferred": [n for n in dict.fromkeys(deferred) if n not in eager], "path": rel, "line": line})
    return out


def _attr_names(parsed: ParsedModule, rec: ImportRecord, package: str) -> list[str]:
    """Attributes of `package` read through the name a plain `import package[ as x]` binds."""
    out: set[str] = set()
    for local, origin in rec.bindings:
        for use in parsed.uses:
            full = f"{origin}.{use.attr}" if use.attr else origin
            if use.name == local and full.startswith(package + "."):
                out.add(full[len(package) + 1:].split(".", 1)[0])
    return sorted(out)


def _used_at_import(ctx: CheckContext, parsed: ParsedModule) -> list[str]:
    usage = ModuleUsage(parsed, annotations_evaluated=annotations_evaluated(ctx))
    out = []
    for imp in usage.imports():
        for b in imp.bindings:
            own = [u for u in b.uses if u.context is not UseContext.EXPORT]
            if any(usage.kind_of[id(u)] in (AT_IMPORT, IN_FUNCTION) for u in own):
                out.append(b.local)
    return sorted(out)


def _fixability(parsed: ParsedModule, lazy: list[InitImport]) -> tuple[bool, str]:
    if parsed.has_getattr:
        return False, "the package already defines a module __getattr__; merge the lazy names into it by hand"
    star = next((r for r in parsed.imports if not r.scope and r.names == ("*",)), None)
    if star is not None:
        return False, f"`from {star.target} import *` (line {star.line}): the names it re-exports are not known statically"
    lazy_names = {n for i in lazy for n in i.names}
    clash = sorted(lazy_names & set(parsed.defined))
    if clash:
        return False, f"`{clash[0]}` is also assigned in the __init__"
    return True, ""


def _names(names: list[str]) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:4])
    return shown + (f" and {len(names) - 4} more" if len(names) > 4 else "")

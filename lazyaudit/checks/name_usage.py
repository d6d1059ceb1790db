"""Where the names bound by each module-level import are read, and what keeps an import where it is."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lazyaudit.closure import chain_to
from lazyaudit.costs import Cost, cost_of
from lazyaudit.model import ImportKind, ImportRecord, NameUse, ParsedModule, UseContext

if TYPE_CHECKING:
    from collections.abc import Callable

    from lazyaudit.checks.context import CheckContext
    from lazyaudit.closure import Edge, ImportResolver
    from lazyaudit.modindex import ModuleIndex

    Pairs = frozenset[tuple[str, str]]
    # (resolver, closure of the cold start) -> (edges assumed deferred already, edges this change defers)
    SkipPlan = Callable[[ImportResolver, dict[str, Edge | None]], tuple[Pairs, Pairs]]

# How one read of a name relates to importing its module.
AT_IMPORT = "import"  # runs while the module is imported: the binding must exist then
IN_FUNCTION = "function"  # runs when a function is called: a function-level import would do
TYPE_ONLY = "annotation"  # never evaluated at runtime: an `if TYPE_CHECKING:` import would do

_ALWAYS_AT_IMPORT = frozenset({
    UseContext.MODULE, UseContext.CLASS_BODY, UseContext.DECORATOR, UseContext.BASE_CLASS,
    UseContext.DEFAULT, UseContext.RUNTIME_ANNOTATION, UseContext.EXPORT,
})
_CONTEXT_WORDS = {
    UseContext.MODULE: "used at module level", UseContext.CLASS_BODY: "used in a class body",
    UseContext.DECORATOR: "used as a decorator", UseContext.BASE_CLASS: "used as a base class",
    UseContext.DEFAULT: "used as a parameter default",
    UseContext.RUNTIME_ANNOTATION: "in an annotation evaluated at runtime (pydantic, dataclass, FastAPI...)",
    UseContext.EXPORT: "exported (__all__)", UseContext.ANNOTATION: "in an annotation evaluated at definition time",
}
_PATCHERS = frozenset({"patch", "setattr"})  # mock.patch("a.b.c"), mocker.patch(...), monkeypatch.setattr("a.b.c", v)
_REGISTER_WORDS = ("register", "subscribe", "connect", "add_", "install", "patch")
_NOT_IMPORTS = frozenset({"__future__"})


@dataclass(frozen=True, slots=True)
class Binding:
    """One local name a module-level import binds, and every read of it in its module."""

    local: str
    origin: str  # qualified origin as ImportRecord.bindings has it
    uses: tuple[NameUse, ...]
    kinds: frozenset[str]  # AT_IMPORT / IN_FUNCTION / TYPE_ONLY of those reads

    @property
    def unused(self) -> bool:
        return not self.uses

    @property
    def functions(self) -> tuple[str, ...]:
        return tuple(sorted({u.scope for u in self.uses if u.scope and u.context is not UseContext.STRING}))


@dataclass(frozen=True, slots=True)
class ImportUsage:
    """A module-level import statement and how each of its names is used."""

    record: ImportRecord
    bindings: tuple[Binding, ...]
    why_at_import: tuple[tuple[str, str], ...]  # (name, "used as a base class (line 12)")


class ModuleUsage:
    """Name usage of one first-party module: which reads run at import, in functions, or never."""

    def __init__(self, parsed: ParsedModule, *, annotations_evaluated: bool) -> None:
        self.parsed = parsed
        self.annotations_evaluated = annotations_evaluated and not parsed.future_annotations
        self.called_at_import = _called_at_import(parsed)
        self.kind_of: dict[int, str] = {}
        for use in parsed.uses:
            self.kind_of[id(use)] = self._classify(use)

    def _classify(self, use: NameUse) -> str:
        if use.context in _ALWAYS_AT_IMPORT:
            return AT_IMPORT
        if use.context is UseContext.STRING:
            return TYPE_ONLY
        if use.context is UseContext.ANNOTATION and not self.annotations_evaluated:
            return TYPE_ONLY
        # scope "" for an annotation: a signature or module/class annotation, evaluated at def time
        return AT_IMPORT if not use.scope or use.scope in self.called_at_import else IN_FUNCTION

    def imports(self, kinds: Iterable[ImportKind] = (ImportKind.EAGER,)) -> list[ImportUsage]:
        """Module-level imports of the given kinds that bind names, in source order."""
        wanted = set(kinds)
        records = [r for r in self.parsed.imports if not r.scope and r.kind in wanted
                   and r.target not in _NOT_IMPORTS and r.bindings and r.names != ("*",)]
        records.sort(key=lambda r: (r.line, r.column))
        out = []
        for rec in records:
            bindings = tuple(self._binding(rec, local, origin) for local, origin in rec.bindings)
            why = []
            for b in bindings:
                use = next((u for u in b.uses if self.kind_of[id(u)] == AT_IMPORT), None)
                if use is not None:
                    why.append((b.local, self.describe(use)))
            out.append(ImportUsage(rec, bindings, tuple(why)))
        return out

    def describe(self, use: NameUse) -> str:
        if use.context in (UseContext.FUNCTION, UseContext.ANNOTATION) and use.scope in self.called_at_import:
            return f"used in {use.scope}(), which runs at import, line {use.line}"
        return f"{_CONTEXT_WORDS.get(use.context, use.context.value)}, line {use.line}"

    def _binding(self, rec: ImportRecord, local: str, origin: str) -> Binding:
        uses = tuple(u for u in self.parsed.uses if u.name == local and _belongs(rec, local, u, self.parsed))
        return Binding(local, origin, uses, frozenset(self.kind_of[id(u)] for u in uses))

    def rebound(self, local: str, rec: ImportRecord) -> str:
        """Why a rewrite of `rec` would clash with another module-level binding of `local` ("" if none)."""
        if local in self.parsed.defined:
            return f"`{local}` is also assigned or defined at module level"
        for other in self.parsed.imports:
            if other is rec or other.scope:
                continue
            if any(name == local for name, _ in other.bindings):
                return f"`{local}` is also bound by the import on line {other.line}"
        return ""


def _belongs(rec: ImportRecord, local: str, use: NameUse, parsed: ParsedModule) -> bool:
    """`import a.b` and `import a.c` both bind `a`: a read of `a.c.x` belongs to the second only."""
    if rec.is_from or "." not in rec.target or rec.target.split(".", 1)[0] != local:
        return True
    path = rec.target.split(".", 1)[1]
    if use.attr == path or use.attr.startswith(path + "."):
        return True
    siblings = [r.target.split(".", 1)[1] for r in parsed.imports if not r.scope and not r.is_from
                and r is not rec and r.target.startswith(local + ".")]
    return not any(use.attr == s or use.attr.startswith(s + ".") for s in siblings)


def _called_at_import(parsed: ParsedModule) -> frozenset[str]:
    """Functions of the module that module-level code calls, transitively: their reads run at import."""
    functions = set(parsed.functions)
    calls_by_scope: dict[str, list[str]] = {}
    for call in parsed.calls:
        calls_by_scope.setdefault(call.scope, []).append(call.callee)
    found: set[str] = set()
    todo = [""]
    while todo:
        scope = todo.pop()
        for callee in calls_by_scope.get(scope, ()):
            for candidate in (callee, f"{callee}.__init__", f"{callee}.__new__", f"{callee}.__post_init__"):
                if candidate in functions and candidate not in found:
                    found.add(candidate)
                    todo.append(candidate)
    return frozenset(found)


def annotations_evaluated(ctx: CheckContext) -> bool:
    """Plain annotations are evaluated at def time before Python 3.14 (PEP 649/749 defers them)."""
    target = ctx.config.target_version
    version = tuple(int(p) for p in target.split(".")[:2]) if target else tuple(ctx.env.version_info[:2])
    return version < (3, 14)


def has_noqa(parsed: ParsedModule, line: int) -> bool:
    """A `# noqa` on the import line says "this import is here on purpose" (usually for its side effect)."""
    for at, codes in parsed.suppressions:
        if at == line and any(c.upper().startswith("NOQA") for c in codes):
            return True
    return False


def registers_at_import(parsed: ParsedModule) -> bool:
    """Module-level calls whose result is dropped into names imported from elsewhere, or named like a
    registration (`register(...)`, `patch_all()`): importing the module changes state outside it."""
    imported = {local for r in parsed.imports if not r.scope for local, _ in r.bindings}
    for call in parsed.calls:
        if call.scope or call.target:
            continue
        head, _, _ = call.callee.partition(".")
        last = call.callee.rsplit(".", 1)[-1].lower()
        if head in imported or any(last.startswith(w) for w in _REGISTER_WORDS):
            return True
    return False


def side_effect_reason(usage: ImportUsage, parsed: ParsedModule, index: ModuleIndex) -> str:
    """Why an import is there for what importing does rather than for its names ("" when it is not)."""
    rec = usage.record
    if has_noqa(parsed, rec.line):
        return "marked `# noqa` (kept on purpose)"
    if all(b.unused for b in usage.bindings):
        return "no name it binds is read: imported for its side effect"
    info = index.info(rec.target)
    if info.category == "first_party" and info.parsed is not None and registers_at_import(info.parsed):
        return f"`{rec.target}` registers or patches something when imported"
    return ""


class ProjectReferences:
    """References to a module's names from outside it: re-imports by other first-party modules and
    string targets of mock.patch / monkeypatch.setattr. A deferred import would break both."""

    def __init__(self, ctx: CheckContext) -> None:
        self.modules = {f.module for f in ctx.files.values()}
        self._refs: dict[tuple[str, str], list[str]] = {}
        self._patches: dict[tuple[str, str], list[str]] = {}
        for rel, parsed in sorted(ctx.parsed.items()):
            if parsed.error:
                continue
            self._scan(rel, parsed)

    def _scan(self, rel: str, parsed: ParsedModule) -> None:
        where = f"{parsed.name} ({rel}:%d)"
        for rec in parsed.imports:
            if rec.is_from and rec.target in self.modules and rec.target != parsed.name:
                for name in rec.names:
                    self._refs.setdefault((rec.target, name), []).append(where % rec.line)
        origins = {local: origin for r in parsed.imports if not r.scope for local, origin in r.bindings}
        for use in parsed.uses:
            origin = origins.get(use.name)
            if origin and use.attr:
                key = self._split(f"{origin}.{use.attr}")
                if key and key[0] != parsed.name:
                    self._refs.setdefault(key, []).append(where % use.line)
        for call in parsed.calls:
            if call.args and call.callee.rsplit(".", 1)[-1] in _PATCHERS and "." in call.args[0]:
                key = self._split(call.args[0])
                if key:
                    self._patches.setdefault(key, []).append(f"{rel}:{call.line}")

    def _split(self, dotted: str) -> tuple[str, str] | None:
        """("pkg.mod", "name") for "pkg.mod.name[.more]" when pkg.mod is a first-party module."""
        parts = dotted.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            if module in self.modules:
                return module, parts[cut]
        return None

    def blocker(self, module: str, name: str) -> str:
        """Why `name` must stay a module global of `module` for other code ("" when nothing needs it)."""
        refs = self._refs.get((module, name))
        if refs:
            return f"`{name}` is re-imported from {module} by {refs[0]}"
        patches = self._patches.get((module, name))
        if patches:
            return f"tests patch `{module}.{name}` by name ({patches[0]})"
        return ""


# -- what deferring an import saves, and how the cold start reaches it ----------------------------------------


@dataclass(frozen=True, slots=True)
class Saving:
    """Modules a cold start stops loading when some import edges are deferred, and their cost."""

    entry: str  # "module:attr" of the entry whose cold start it is; "" when no entry loads the module
    cost: Cost
    gone: frozenset[str]
    chain: tuple[str, ...]  # hops from the entry (or the module itself) to the importing module
    distributions: tuple[str, ...]  # distributions of the modules no longer loaded, most modules first

    def as_dict(self) -> dict[str, Any]:
        return {
            "modules": self.cost.modules, "source_bytes": self.cost.source_bytes, "ms": round(self.cost.ms, 1),
            "measured": self.cost.measured_ms is not None, "entry": self.entry,
            "distributions": list(self.distributions),
        }

    def import_chain(self, rel: str, line: int, target: str) -> list[str]:
        """The chain, its last hop naming the import statement, then the imported module."""
        *hops, module = self.chain
        return [*hops, f"{module} ({rel}:{line})", target]

    def words(self) -> str:
        if not self.cost.modules:
            return "nothing yet"
        approx = "" if self.cost.measured_ms is not None else "~"
        top = f" ({', '.join(self.distributions[:3])}{', ...' if len(self.distributions) > 3 else ''})" \
            if self.distributions else ""
        return f"{approx}{self.cost.ms:.0f} ms, {self.cost.modules} modules{top}"


def import_edges(resolver: ImportResolver, module: str, rec: ImportRecord) -> list[Edge]:
    """The resolved edges one import statement adds (its target, submodules, PEP 562 targets)."""
    return [e for e in resolver.edges(module) if e.line == rec.line and e.kind == rec.kind.value
            and (e.target == rec.target or (rec.is_from and e.via in ("submodule", "__getattr__", "star")))]


def deferred_pairs(resolver: ImportResolver, module: str, records: Iterable[ImportRecord]) -> Pairs:
    """(module, target) pairs that disappear from the import-time graph when `records` stop running at
    import; a target another module-level import of the same module still loads is not among them."""
    records = list(records)
    lines = {r.line for r in records}
    mine = {(module, e.target) for r in records for e in import_edges(resolver, module, r)}
    kept = {(module, e.target) for e in resolver.edges(module)
            if e.executed and e.kind != "parent" and e.line not in lines}
    return frozenset(mine - kept)


def closure_without(resolver: ImportResolver, roots: Sequence[str], skip: Pairs) -> set[str]:
    return resolver.loaded_modules(roots, skip=skip)


def saving_for(ctx: CheckContext, module: str, plan: SkipPlan, *, fallback_roots: Sequence[str] = ()) -> Saving:
    """The saving at the cold start of the first entry that loads `module` and gains from the plan (else
    the first that loads it); when no entry loads it, of importing a fallback root (default: `module`).
    `plan(resolver, loaded)` gives the edges assumed deferred already and the edges this change defers."""
    views = [(v.resolver, v.entry.module, v.loaded, v.entry.spec) for v in ctx.views if v.found and module in v.loaded]
    resolver = ctx.project_resolver
    starts = views or [(resolver, root, resolver.closure([root]), "") for root in fallback_roots or [module]]
    first: Saving | None = None
    for resolver, root, loaded, entry in starts:
        saving = saving_at(ctx, resolver, root, loaded, plan, entry, module)
        if saving.gone:
            return saving
        first = first or saving
    assert first is not None
    return first


def saving_at(
    ctx: CheckContext, resolver: ImportResolver, root: str, loaded: dict[str, Edge | None],
    plan: SkipPlan, entry: str, module: str,
) -> Saving:
    """What importing `root` stops loading under `plan`; `loaded` is its current closure."""
    base, extra = plan(resolver, loaded)
    before = closure_without(resolver, [root], base) if base else {
        m for m in loaded if resolver.index.info(m).category != "missing"}
    after = closure_without(resolver, [root], base | extra)
    gone = before - after
    cost = cost_of(resolver, gone, ctx.profile)
    counts: dict[str, int] = {}
    for name in gone:
        info = resolver.index.info(name)
        label = info.distribution or {"first_party": "first-party", "stdlib": "stdlib"}.get(
            info.category, name.split(".", 1)[0])
        counts[label] = counts.get(label, 0) + 1
    dists = tuple(sorted(counts, key=lambda d: (d == "stdlib", -counts[d], d)))
    return Saving(entry, cost, frozenset(gone), tuple(chain_hops(loaded, module)), dists)


def is_heavy(ctx: CheckContext, cost: Cost) -> bool:
    """The thresholds of checks.heavy, applied to any set of modules (not just one module's closure)."""
    cfg = ctx.config
    if cost.measured_ms is not None:
        return cost.measured_ms >= cfg.heavy_ms
    return cost.modules >= cfg.heavy_modules or cost.source_bytes >= cfg.heavy_bytes


def chain_hops(loaded: dict[str, Edge | None], module: str) -> list[str]:
    """The import chain from the closure root to `module`, each hop naming its import statement."""
    hops = [f"{e.source} ({e.path}:{e.line})" if e.line else f"{e.source} ({e.path})" for e in chain_to(loaded, module)]
    return [*hops, module]

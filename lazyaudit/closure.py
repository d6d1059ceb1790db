"""Runtime-faithful static prediction of what `import M` loads, and the edges that explain it."""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lazyaudit.conditions import evaluate, type_checking_fallback
from lazyaudit.import_calls import CallFollower
from lazyaudit.model import ImportKind, ImportRecord, ParsedModule

if TYPE_CHECKING:
    from lazyaudit.edge_cache import EdgeStore
    from lazyaudit.modindex import ModuleIndex

_RUNS_AT_IMPORT = (ImportKind.EAGER, ImportKind.DYNAMIC, ImportKind.CONDITIONAL, ImportKind.GUARDED)
# Source text without which a plain module cannot make `from module import name` load anything more.
_HOOK_TEXT = (b"__getattr__", b"lazy ")
_MEMO_SIZE = 256  # closures remembered per resolver (a few MB each at most on a large monorepo)
_MAX_FAIL_DEPTH = 3  # hops "does importing this fail?" follows; a hard dependency missing further away is rare


@dataclass(frozen=True, slots=True)
class Edge:
    """One resolved import from `source` to `target`; `executed` says whether it runs on import."""

    source: str
    target: str
    kind: str  # an ImportKind value, "parent" (importing a.b runs a/__init__ first), "native" (made by an extension)
    line: int = 0
    executed: bool = True
    via: str = ""  # how it was reached: "call f()", "__getattr__", "submodule", "star", "lazy"
    path: str = ""  # file of the source module


class ImportResolver:
    """Turns parsed import records into resolved edges, deciding which ones run at import time.

    The rules (docs/closure.md): module-level and class-body imports run, function bodies and
    TYPE_CHECKING blocks do not; `if` tests on interpreter facts are evaluated for the target
    interpreter (environment variables assumed unset); a try/except ImportError runs its first
    branch whose imports would succeed; functions called at import time are followed into their
    package; `from pkg import name` loads the submodule `name`, or what pkg's PEP 562 hook maps it to.
    """

    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        env = index.env
        self._target = {
            "version_info": tuple(env.version_info),
            "sys_platform": env.markers.get("sys_platform", ""),
            "os_name": env.markers.get("os_name", ""),
            "platform_system": env.markers.get("platform_system", ""),
            "implementation": env.markers.get("implementation_name", ""),
            "environ": {},  # a cold start of a Lambda or CLI: no package-specific variables set
        }
        self._edges: dict[str, tuple[Edge, ...]] = {}
        self._runs: dict[str, set[int]] = {}
        self._fails: dict[str, int] = {}
        self._record_targets: dict[int, list[tuple[str, str]]] = {}  # id(record): records live in the index
        self._module_names: dict[str, tuple[set[str], dict[str, ImportRecord]]] = {}
        self._needs: dict[str, bool] = {}
        self._computing: set[str] = set()  # modules whose edges are being computed (re-entry guard)
        self._prefetched: set[str] = set()  # modules whose import targets were batch-resolved already
        # name -> (category, its executed edges once computed): the closure walk's only lookups.
        self._steps: dict[str, tuple[str, tuple[Edge, ...] | None]] = {}
        # Recent closures: the checks ask for the same ones again and again (an entry's closure with
        # the same edges pretended away, the closure of one deferred import's target).
        self._memo: OrderedDict[tuple[tuple[str, ...], bool, frozenset[tuple[str, str]]], dict[str, Edge | None]] = \
            OrderedDict()
        self._calls = CallFollower(index)
        self._store: EdgeStore | None = None
        self._store_opened = False
        self._tainted: set[str] = set()  # modules whose edges met an import cycle: not stored

    # -- the persistent store of installed modules' edges (edge_cache) ---------------------------
    def _open_store(self) -> EdgeStore | None:
        if not self._store_opened:
            self._store_opened = True
            cache = self.index.scan_cache
            if cache is not None and cache.enabled:
                from lazyaudit.cache_dir import code_stamp
                from lazyaudit.edge_cache import EdgeStore, store_key

                tops = {name.split(".", 1)[0] for name in self.index.first_party}
                key = store_key(self.index.env, tops, code_stamp())
                self._store = EdgeStore(os.path.dirname(cache.directory), key)
        return self._store

    def _stored(self, name: str) -> tuple[Edge, ...] | None:
        store = self._open_store()
        rows = store.get(name) if store is not None else None
        if rows is None:
            return None
        edges = tuple(Edge(*row) for row in rows)
        self._edges[name] = edges
        return edges

    def save(self) -> None:
        """Store the edges of installed modules resolved in this run, for the next one (edge_cache)."""
        store = self._open_store()
        if store is None:
            return
        from lazyaudit.edge_cache import eligible, rows_of

        for name, edges in self._edges.items():
            if name in store.rows or name in self._tainted:
                continue
            rows = rows_of(edges)
            if eligible(self.index.peek(name).category, rows, self.index.is_first_party):
                store.put(name, rows)
        cache = self.index.scan_cache
        first_party = {src.path for src in self.index.first_party.values()}
        read = [p for p in (cache.touched if cache is not None else ()) if p not in first_party]
        store.save([*read, *self.index.read_paths], cache.created_ns if cache is not None else 0)

    def edges_many(self, names: Iterable[str]) -> dict[str, tuple[Edge, ...]]:
        """edges() of many modules; the ones not stored from an earlier run are parsed in one batch."""
        names = list(dict.fromkeys(names))
        todo = [n for n in names if n not in self._edges and self._stored(n) is None]
        self.index.infos(todo)
        return {n: self.edges(n) for n in names}

    # -- edges of one module -------------------------------------------------------------
    def edges(self, name: str) -> tuple[Edge, ...]:
        """All resolved import edges of `name` (executed or not), plus its parent-package edge."""
        cached = self._edges.get(name)
        if cached is not None:
            return cached
        if name in self._computing:
            # Re-entered through _attempt (a failing import leads back here): like Python finding a
            # partly initialised module in sys.modules, the cycle adds nothing; not cached.
            self._tainted.update(self._computing)
            return ()
        stored = self._stored(name)
        if stored is not None:
            return stored
        self._computing.add(name)
        try:
            result = self._compute_edges(name)
        finally:
            self._computing.discard(name)
        self._edges[name] = result
        return result

    def _compute_edges(self, name: str) -> tuple[Edge, ...]:
        info = self.index.info(name)
        out: list[Edge] = []
        path = info.rel or info.path
        if "." in name:
            out.append(Edge(name, name.rsplit(".", 1)[0], "parent", 0, True, "", path))
        out.extend(Edge(name, native, "native", 0, True, "registered at init", path)
                   for native in self.index.registered_by(info))
        parsed = info.parsed
        if parsed is not None and not parsed.error:
            self._prefetch(parsed)
            runs = self._executed(parsed)
            for rec in parsed.imports:
                executed = id(rec) in runs
                for target, via in self._targets(rec):
                    out.append(Edge(parsed.name, target, rec.kind.value, rec.line, executed, via, path))
                    if not executed and rec.guard_branch == "try" and not rec.scope and self.fails(target):
                        out.extend(self._attempt(parsed.name, target, rec, path))
            for rec, via in self._calls.called_records(parsed):
                for target, how in self._targets(rec):
                    out.append(Edge(parsed.name, target, rec.kind.value, rec.line, True,
                                    f"{via}, {how}" if how else via, path))
        return tuple(out)

    def _prefetch(self, parsed: ParsedModule) -> None:
        """Resolve (and parse, in one batch) what this module's import-time records may name."""
        names = []
        for rec in parsed.imports:
            if not rec.scope and rec.is_from and self._needs_parse(rec.target):
                names.append(rec.target)
                names.extend(f"{rec.target}.{n}" for n in rec.names if n != "*")
        self.index.infos(names)

    def _needs_parse(self, name: str) -> bool:
        """Whether resolving `from name import x` must read `name`: a package (x may be a submodule or
        come from its __getattr__), or a plain module whose source mentions a PEP 562 hook or a lazy
        import. Any other module is left unread until something loads it."""
        known = self._needs.get(name)
        if known is None:
            known = self._needs[name] = self._decide_needs_parse(name)
        return known

    def _decide_needs_parse(self, name: str) -> bool:
        if not name or name.startswith("."):
            return False
        if name in self.index.first_party:
            return True
        location = self.index.locator.find(name)
        if location is None or location.is_package:
            return location is not None
        return not self.index.env.is_stdlib(name) and self.index.mentions(name, _HOOK_TEXT)

    def _attempt(self, source: str, target: str, rec: ImportRecord, path: str, depth: int = 0) -> list[Edge]:
        """What a failed import of `target` leaves loaded: its parent packages and what it imported before
        the line that raised (urllib3.contrib stays when urllib3.contrib.socks fails on a missing `socks`)."""
        line = self.fails(target)
        if not line or depth > _MAX_FAIL_DEPTH or not self.index.exists(target):
            return []
        out = []
        for edge in self.edges(target):
            if not edge.executed or edge.line >= line:
                continue
            if self.fails(edge.target):
                out.extend(self._attempt(source, edge.target, rec, path, depth + 1))
            else:
                out.append(Edge(source, edge.target, rec.kind.value, rec.line, True, f"attempted {target}", path))
        return out

    def _executed(self, parsed: ParsedModule) -> set[int]:
        """ids of the module-level records that run when the module is imported."""
        runs = self._runs.get(parsed.name)
        if runs is not None:
            return runs
        self._runs[parsed.name] = runs = set()  # a cycle back here sees "nothing runs yet", never loops
        guards: dict[int, list[ImportRecord]] = {}
        for rec in parsed.imports:
            if rec.scope or rec.kind not in _RUNS_AT_IMPORT:
                continue
            if rec.condition and not self._holds(rec.condition):
                continue
            if rec.kind is ImportKind.GUARDED and rec.guard:
                guards.setdefault(rec.guard, []).append(rec)
                continue
            runs.add(id(rec))
        for guard, group in guards.items():
            ok = self._guard_succeeds(parsed, guard, [r for r in group if r.guard_branch == "try"])
            runs.update(id(r) for r in group if (r.guard_branch in ("try", "else")) == ok)
        return runs

    def _holds(self, condition: str) -> bool:
        """Undecidable conditions count as true, except the TYPE_CHECKING-or-hook idiom."""
        decided = evaluate(condition, self._target)
        return decided if decided is not None else not type_checking_fallback(condition)

    def _guard_succeeds(self, parsed: ParsedModule, guard: int, tried: list[ImportRecord], depth: int = 0) -> bool:
        """Whether the try branch of `guard` completes: every import in it resolves and nothing raises."""
        for line, _kind, condition, raise_guard, branch in parsed.raises:
            if raise_guard == guard and branch == "try" and (not condition or evaluate(condition, self._target)):
                return False
        return all(self._resolvable(r, depth) for r in tried)

    def _resolvable(self, rec: ImportRecord, depth: int = 0) -> bool:
        if rec.target.startswith("."):
            return False
        for target, via in self._targets(rec):
            if via in ("", "submodule") and (not self.index.exists(target) or self.fails(target, depth + 1)):
                return False
        return True

    def fails(self, name: str, depth: int = 0) -> int:
        """The line at which importing `name` raises (a missing hard dependency, a `raise` that runs), or 0."""
        known = self._fails.get(name)
        if known is not None:
            return known
        if depth > _MAX_FAIL_DEPTH or (self.index.env.is_stdlib(name) and not self.index.is_first_party(name)):
            return 0  # the stdlib imports on its own interpreter; a platform-only module is simply missing
        info = self.index.info(name)
        self._fails[name] = 0  # while deciding, a cycle back here imports fine
        parsed = info.parsed
        line = self._failure_line(parsed, depth) if parsed is not None and not parsed.error else 0
        if not line and "." in name:
            line = 1 if self.fails(name.rsplit(".", 1)[0], depth + 1) else 0
        self._fails[name] = line
        return line

    def _failure_line(self, parsed: ParsedModule, depth: int) -> int:
        lines = []
        guard_ok: dict[int, bool] = {}
        for line, kind, condition, guard, branch in parsed.raises:
            if condition and evaluate(condition, self._target) is not True:
                continue
            if not guard and kind in (ImportKind.EAGER.value, ImportKind.CONDITIONAL.value):
                lines.append(line)
            elif guard and branch in ("except", "else"):
                if guard not in guard_ok:
                    tried = [r for r in parsed.imports if r.guard == guard and r.guard_branch == "try" and not r.scope]
                    guard_ok[guard] = self._guard_succeeds(parsed, guard, tried, depth)
                if guard_ok[guard] == (branch == "else"):
                    lines.append(line)  # the handler re-raises: the import error escapes the module
        limit = min(lines) if lines else 0
        runs = self._executed(parsed)
        # An `if` that cannot be decided (os.py's `elif "nt" in _names:`) is no evidence of failure.
        hard = [r for r in parsed.imports if id(r) in runs and not r.guard and (not limit or r.line < limit)
                and (not r.condition or evaluate(r.condition, self._target) is True)]
        for rec in hard:  # in line order: the first one that fails is where the module stops
            for target, via in self._targets(rec):
                if via not in ("", "submodule"):
                    continue
                # Only a missing top-level package is sure to fail: six.moves and friends exist at runtime.
                if not self.index.exists(target.split(".", 1)[0]) or (
                        self.index.exists(target) and self.fails(target, depth + 1)):
                    return rec.line
        return limit

    def _targets(self, rec: ImportRecord) -> list[tuple[str, str]]:
        """Modules a record imports: the target itself, then submodules named in `from X import a`."""
        found = self._record_targets.get(id(rec))
        if found is None:
            found = self._record_targets[id(rec)] = self._find_targets(rec)
        return found

    def _names_of(self, parsed: ParsedModule | None) -> tuple[set[str], dict[str, ImportRecord]]:
        """(names a module defines, first module-level import binding each imported name)."""
        if parsed is None:
            return set(), {}
        found = self._module_names.get(parsed.name)
        if found is None:
            binders: dict[str, ImportRecord] = {}
            for r in parsed.imports:
                if not r.scope:
                    for local, _ in r.bindings:
                        binders.setdefault(local, r)
            found = self._module_names[parsed.name] = (set(parsed.defined), binders)
        return found

    def _find_targets(self, rec: ImportRecord) -> list[tuple[str, str]]:
        target = rec.target
        if not target or target.startswith("."):
            return []
        out = [(target, "")]
        if not rec.is_from or not rec.names or not self._needs_parse(target):
            return out
        info = self.index.info(target)
        parsed = info.parsed
        # `from pkg import sub` inside pkg/__init__ binds `sub` itself: that binding loads nothing yet.
        defined, binders = self._names_of(parsed)
        names = rec.names
        via = "submodule"
        if names == ("*",):
            if not parsed or parsed.all_names is None:
                return out
            names, via = parsed.all_names, "star"
        for name in names:
            if name in defined:
                continue
            sub = f"{target}.{name}"
            binder = binders.get(name)
            if binder is rec:  # the statement itself, read from its own module
                binder = None
            if binder is None and self.index.exists(sub):
                out.append((sub, via))
            elif binder is not None and info.category != "missing" and self.index.exists(sub):
                continue  # the package's own import already loads it
            elif parsed is not None:
                if parsed.has_getattr:
                    out.extend((module, "__getattr__") for key, module in parsed.getattr_map if key in (name, "*"))
                # A hook with no entry for this very name: the binding that does not run tells what it loads.
                if (binder is not None and not any(k == name for k, _ in parsed.getattr_map)
                        and self._loads_on_access(parsed, binder)):
                    origin = dict(binder.bindings)[name]
                    out.append((origin if self.index.exists(origin) else binder.target, "lazy"))
        return out

    def _loads_on_access(self, parsed: ParsedModule, binder: ImportRecord) -> bool:
        """A binding that does not run at import but is made real when the name is read: PEP 810 `lazy`,
        anyio's `if TYPE_CHECKING or not install_lazy_importer():` table, a TYPE_CHECKING
        import beside a PEP 562 hook (the lazy re-export idiom)."""
        if binder.kind is ImportKind.LAZY:
            return True
        if binder.kind is ImportKind.CONDITIONAL and binder.condition and id(binder) not in self._executed(parsed):
            return type_checking_fallback(binder.condition)
        return binder.kind is ImportKind.TYPE_CHECKING and parsed.has_getattr

    # -- closure -------------------------------------------------------------------------
    def closure(
        self, roots: Iterable[str], *, stdlib: bool = True, skip: frozenset[tuple[str, str]] = frozenset()
    ) -> dict[str, Edge | None]:
        """Every module loaded by importing `roots`, mapped to the edge that first loaded it (BFS order).

        `skip` holds (source, target) edges to pretend away: the closure without them tells what
        deferring those imports would save.
        """
        frontier = [r for r in roots]
        key = (tuple(frontier), stdlib, frozenset(skip))
        known = self._memo.get(key)
        if known is not None:
            self._memo.move_to_end(key)
            return dict(known)  # a copy: callers may change theirs
        loaded = self._walk(frontier, stdlib, skip)
        self._memo[key] = loaded
        if len(self._memo) > _MEMO_SIZE:
            self._memo.popitem(last=False)
        return dict(loaded)

    def _walk(self, frontier: list[str], stdlib: bool, skip: frozenset[tuple[str, str]]) -> dict[str, Edge | None]:
        loaded: dict[str, Edge | None] = {}
        for r in frontier:
            loaded.setdefault(r, None)
        steps = self._steps
        while frontier:
            self._prepare(frontier, stdlib)
            nxt: list[str] = []
            for name in frontier:
                category, out = steps[name]
                if category == "missing" or (category == "stdlib" and not stdlib):
                    continue
                if out is None:
                    out = tuple(e for e in self.edges(name) if e.executed)
                    steps[name] = (category, out)
                for edge in out:
                    target = edge.target
                    if target not in loaded and (not skip or (edge.source, target) not in skip):
                        loaded[target] = edge
                        nxt.append(target)
            frontier = nxt
        return loaded

    def _prepare(self, frontier: list[str], stdlib: bool) -> None:
        """Resolve the frontier's modules, then parse the next level's in one batch (parallel and
        cache-friendly) before edges() needs them one by one to resolve `from X import name`. Each
        module once per resolver: checks run thousands of closures over the same modules."""
        new = [n for n in frontier if n not in self._steps]
        for name in new:
            self._steps[name] = (self.index.peek(name).category, None)
        # Modules whose edges an earlier run stored need no parse at all.
        todo = [n for n in frontier if n not in self._prefetched and n not in self._edges and self._stored(n) is None]
        fresh = [i for i in self.index.infos(todo) if i.parsed is not None and (stdlib or i.category != "stdlib")]
        if fresh:
            self._prefetched.update(i.name for i in fresh)
            self.index.infos(
                r.target for i in fresh for r in i.parsed.imports  # type: ignore[union-attr]
                if not r.scope and r.target and not r.target.startswith(".") and self._stored(r.target) is None
            )

    def loaded_modules(
        self, roots: Iterable[str], *, stdlib: bool = True, skip: frozenset[tuple[str, str]] = frozenset()
    ) -> set[str]:
        """Names of modules that really load (missing modules excluded)."""
        result = self.closure(roots, stdlib=stdlib, skip=skip)
        return {m for m in result if self._steps[m][0] != "missing"}


def chain_to(loaded: dict[str, Edge | None], module: str) -> list[Edge]:
    """The BFS chain of edges from a closure root to `module` (empty if it is a root or absent)."""
    chain: list[Edge] = []
    seen: set[str] = set()
    edge = loaded.get(module)
    while edge is not None and edge.source not in seen:
        chain.append(edge)
        seen.add(edge.source)
        edge = loaded.get(edge.source)
    return list(reversed(chain))

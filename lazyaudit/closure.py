"""Runtime-faithful static prediction of what `import M` loads, and the edges that explain it."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from lazyaudit.conditions import evaluate
from lazyaudit.model import ImportKind, ImportRecord, ParsedModule

if TYPE_CHECKING:
    from lazyaudit.modindex import ModuleIndex

_RUNS_AT_IMPORT = (ImportKind.EAGER, ImportKind.DYNAMIC, ImportKind.CONDITIONAL, ImportKind.GUARDED)
_MAX_CALL_DEPTH = 4


@dataclass(frozen=True, slots=True)
class Edge:
    """One resolved import from `source` to `target`; `executed` says whether it runs on import."""

    source: str
    target: str
    kind: str  # an ImportKind value, or "parent" (importing a.b runs a/__init__ first)
    line: int = 0
    executed: bool = True
    via: str = ""  # how it was reached: "call f()", "__getattr__", "submodule", "star"
    path: str = ""  # file of the source module


class ImportResolver:
    """Turns parsed import records into resolved edges, deciding which ones run at import time."""

    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        env = index.env
        self._target = {
            "version_info": tuple(env.version_info),
            "sys_platform": env.markers.get("sys_platform", ""),
            "os_name": env.markers.get("os_name", ""),
            "platform_system": env.markers.get("platform_system", ""),
            "implementation": env.markers.get("implementation_name", ""),
        }
        self._edges: dict[str, tuple[Edge, ...]] = {}

    # -- edges of one module -------------------------------------------------------------
    def edges(self, name: str) -> tuple[Edge, ...]:
        """All resolved import edges of `name` (executed or not), plus its parent-package edge."""
        cached = self._edges.get(name)
        if cached is not None:
            return cached
        info = self.index.info(name)
        out: list[Edge] = []
        if "." in name:
            out.append(Edge(name, name.rsplit(".", 1)[0], "parent", 0, True, "", info.rel or info.path))
        parsed = info.parsed
        if parsed is not None and not parsed.error:
            out.extend(self._module_edges(parsed, info.rel or info.path))
        result = tuple(out)
        self._edges[name] = result
        return result

    def _module_edges(self, parsed: ParsedModule, path: str) -> list[Edge]:
        runs = self._executed_records(parsed)
        called = self._called_records(parsed)
        out: list[Edge] = []
        for rec in parsed.imports:
            executed = id(rec) in runs
            for target, via in self._targets(rec):
                out.append(Edge(parsed.name, target, rec.kind.value, rec.line, executed, via, path))
        for rec, via in called:
            for target, how in self._targets(rec):
                out.append(Edge(parsed.name, target, rec.kind.value, rec.line, True, f"{via}{', ' + how if how else ''}", path))
        return out

    def _executed_records(self, parsed: ParsedModule) -> set[int]:
        """ids of the module-level records that run when the module is imported."""
        guards: dict[int, list[ImportRecord]] = {}
        runs: set[int] = set()
        for rec in parsed.imports:
            if rec.scope or rec.kind not in _RUNS_AT_IMPORT:
                continue
            if rec.condition and evaluate(rec.condition, self._target) is False:
                continue
            if rec.kind is ImportKind.GUARDED and rec.guard:
                guards.setdefault(rec.guard, []).append(rec)
                continue
            runs.add(id(rec))
        for group in guards.values():
            tried = [r for r in group if r.guard_branch == "try"]
            ok = all(self._resolvable(r) for r in tried)
            for r in group:
                if (r.guard_branch in ("try", "else")) == ok:
                    runs.add(id(r))
        return runs

    def _resolvable(self, rec: ImportRecord) -> bool:
        if rec.target.startswith("."):
            return False
        return self.index.exists(rec.target)

    def _called_records(self, parsed: ParsedModule) -> list[tuple[ImportRecord, str]]:
        """Imports inside functions that module-level code calls (e.g. `__getattr__ = make_getattr(...)`)."""
        out: list[tuple[ImportRecord, str]] = []
        seen: set[tuple[str, str]] = set()
        queue: deque[tuple[ParsedModule, str, int]] = deque()
        for call in parsed.calls:
            if not call.scope:
                for mod, func in self._call_targets(parsed, call.callee):
                    queue.append((mod, func, 1))
        while queue:
            mod, func, depth = queue.popleft()
            if (mod.name, func) in seen or depth > _MAX_CALL_DEPTH:
                continue
            seen.add((mod.name, func))
            for rec in mod.imports:
                if rec.scope == func and rec.kind in (ImportKind.DEFERRED, ImportKind.DYNAMIC):
                    out.append((rec, f"call {func}()"))
            for call in mod.calls:
                if call.scope == func:
                    for target in self._call_targets(mod, call.callee):
                        queue.append((target[0], target[1], depth + 1))
        return out

    def _call_targets(self, parsed: ParsedModule, callee: str) -> list[tuple[ParsedModule, str]]:
        functions = set(parsed.functions)
        for candidate in (callee, f"{callee}.__init__", f"{callee}.__new__"):
            if candidate in functions:
                return [(parsed, candidate)]
        head, _, rest = callee.partition(".")
        top = parsed.name.split(".", 1)[0]
        for rec in parsed.imports:
            if rec.scope:
                continue
            for local, origin in rec.bindings:
                if local != head:
                    continue
                dotted = f"{origin}.{rest}" if rest else origin
                if dotted.split(".", 1)[0] != top:
                    return []  # only follow calls into the same package: that is where import hooks live
                mod_name, _, func = dotted.rpartition(".")
                if not mod_name:
                    return []
                info = self.index.info(mod_name)
                if info.parsed is not None and func in info.parsed.functions:
                    return [(info.parsed, func)]
                if info.parsed is not None and f"{func}.__init__" in info.parsed.functions:
                    return [(info.parsed, f"{func}.__init__")]
                return []
        return []

    def _targets(self, rec: ImportRecord) -> list[tuple[str, str]]:
        """Modules a record imports: the target itself, then submodules named in `from X import a`."""
        target = rec.target
        if not target or target.startswith("."):
            return []
        out = [(target, "")]
        if not rec.is_from or not rec.names:
            return out
        info = self.index.info(target)
        parsed = info.parsed
        defined = set(parsed.defined) if parsed else set()
        # `from pkg import sub` inside pkg/__init__ binds `sub` itself: that binding loads nothing yet.
        bound = {local for r in (parsed.imports if parsed else ()) if r is not rec and not r.scope
                 for local, _ in r.bindings}
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
            if name not in bound and self.index.exists(sub):
                out.append((sub, via))
            elif name in bound and info.category != "missing" and self.index.info(sub).category != "missing":
                continue  # the package's own import already loads it
            elif parsed is not None and parsed.has_getattr:
                for key, module in parsed.getattr_map:
                    if key in (name, "*"):
                        out.append((module, "__getattr__"))
        return out

    # -- closure -------------------------------------------------------------------------
    def closure(
        self, roots: Iterable[str], *, stdlib: bool = True, skip: frozenset[tuple[str, str]] = frozenset()
    ) -> dict[str, Edge | None]:
        """Every module loaded by importing `roots`, mapped to the edge that first loaded it (BFS order).

        `skip` holds (source, target) edges to pretend away: the closure without them tells what
        deferring those imports would save.
        """
        loaded: dict[str, Edge | None] = {}
        frontier = [r for r in roots]
        for r in frontier:
            loaded.setdefault(r, None)
        while frontier:
            infos = self.index.infos(frontier)
            # Parse the next level's modules in one batch (parallel and cache-friendly) before
            # edges() needs them one by one to resolve `from X import name`.
            self.index.infos(
                r.target for i in infos if i.parsed is not None for r in i.parsed.imports
                if not r.scope and r.target and not r.target.startswith(".")
                and (stdlib or i.category != "stdlib")
            )
            nxt: list[str] = []
            for info in infos:
                if info.category == "missing":
                    continue
                if info.category == "stdlib" and not stdlib:
                    continue
                for edge in self.edges(info.name):
                    if edge.executed and edge.target not in loaded and (edge.source, edge.target) not in skip:
                        loaded[edge.target] = edge
                        nxt.append(edge.target)
            frontier = nxt
        return loaded

    def loaded_modules(self, roots: Iterable[str], *, stdlib: bool = True) -> set[str]:
        """Names of modules that really load (missing modules excluded)."""
        result = self.closure(roots, stdlib=stdlib)
        return {m for m in result if self.index.info(m).category != "missing"}


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

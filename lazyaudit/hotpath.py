"""Hot path vs first call: which functions and deferred imports a handler's own calls reach, statically."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from lazyaudit.costs import cost_of
from lazyaudit.model import ImportKind, ParsedModule

if TYPE_CHECKING:
    from lazyaudit.closure import Edge, ImportResolver
    from lazyaudit.model import Entry
    from lazyaudit.modindex import ModuleIndex


class EntryView(Protocol):
    """What this module reads of lazyaudit.checks.context.EntryView (an adapter must not import checks)."""

    entry: Entry
    found: bool
    index: ModuleIndex
    resolver: ImportResolver
    loaded: dict[str, Edge | None]

_MAX_HOPS = 12  # re-export hops followed for one name: a guard against alias loops, not a tuning knob
_NOT_AT_RUNTIME = (ImportKind.TYPE_CHECKING, ImportKind.MAIN)
_BUILTINS = frozenset(dir(builtins))
SNAPSTART_NOTE = (
    "with Lambda SnapStart, INIT runs once before the snapshot: work deferred past INIT is not in the "
    "snapshot, so every restored environment pays it again on its first invocation"
)


def callee_parts(text: str) -> list[str]:
    """A call target as dotted parts, "()" marking call results: "Path(f).parent.read_text" ->
    ["Path()", "parent", "read_text"]; [] when it is not such a chain (subscripts, lambdas, operators)."""
    parts: list[str] = []
    current, depth, quote, called = "", 0, "", False
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif depth and ch in "'\"":
            quote = ch
        elif ch in "([{":
            if depth == 0 and ch != "(":
                return []
            depth += 1
        elif ch in ")]}":
            depth -= 1
            called = called or depth == 0
        elif depth:
            continue
        elif ch == ".":
            parts.append(current + ("()" if called else ""))
            current, called = "", False
        elif called or not (ch.isalnum() or ch == "_"):
            return []  # text after a call that is not an attribute: `f() + g`, `a or b`
        else:
            current += ch
    parts.append(current + ("()" if called else ""))
    if depth or any(not p.rstrip("()").isidentifier() for p in parts):
        return []
    return parts


def _plain(parts: Iterable[str]) -> str:
    return ".".join(p.removesuffix("()") for p in parts)


class Names:
    """Qualifies names read in first-party code through their import bindings, as written."""

    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        self._targets: dict[str, dict[str, str]] = {}

    def qualify(self, parsed: ParsedModule, callee: str, scope: str = "") -> str:
        """Fully qualified dotted name of a callee read in `parsed` at `scope`; "" when unknown.

        `Tracer` after `from aws_lambda_powertools import Tracer` -> "aws_lambda_powertools.Tracer";
        a module-level name assigned from a call reads as that call's result ("boto3.resource().Table").
        """
        parts = callee_parts(callee)
        if not parts:
            return ""
        head, rest = parts[0], parts[1:]
        name = head.rstrip("()")
        suffix = "()" if head.endswith("()") else ""
        origin = self._binding(parsed, name, scope)
        if origin:
            return ".".join([origin + suffix, *rest])
        if scope and name in ("self", "cls") and "." in scope:
            return ".".join([f"{parsed.name}.{scope.rsplit('.', 1)[0]}{suffix}", *rest])
        target = self._module_targets(parsed).get(name)
        if target and name not in parsed.functions:  # a later def/class rebinds the name
            return ".".join([target + "()" + suffix, *rest])
        if name in parsed.defined or name in parsed.functions:
            return ".".join([f"{parsed.name}.{name}{suffix}", *rest])
        if name in _BUILTINS:
            return ".".join([f"builtins.{name}{suffix}", *rest])
        return ""

    def _binding(self, parsed: ParsedModule, name: str, scope: str) -> str:
        best, best_scope = "", -1
        for rec in parsed.imports:
            if rec.kind in _NOT_AT_RUNTIME:
                continue
            if rec.scope and not (scope == rec.scope or scope.startswith(rec.scope + ".")):
                continue
            for local, origin in rec.bindings:
                # the innermost scope wins; at equal depth the first statement (a try branch) does
                if local == name and len(rec.scope) > best_scope:
                    best, best_scope = origin, len(rec.scope)
        return best

    def _module_targets(self, parsed: ParsedModule) -> dict[str, str]:
        found = self._targets.get(parsed.name)
        if found is None:
            found = self._targets[parsed.name] = {}
            for call in sorted(parsed.calls, key=lambda c: (c.line, c.column)):
                if not call.scope and call.target and call.target not in found:
                    qualified = self.qualify(parsed, call.callee)
                    if qualified:
                        found[call.target] = qualified
        return found

    def aliases(self, qualified: str) -> tuple[str, ...]:
        """`qualified` and each name it re-exports, following module-level imports of installed and
        first-party modules: "aws_lambda_powertools.Tracer" -> (..., "aws_lambda_powertools.tracing.Tracer", ...)."""
        out = [qualified]
        current = qualified
        for _ in range(_MAX_HOPS):
            step = self._reexport(current)
            if not step or step in out:
                break
            out.append(step)
            current = step
        return tuple(out)

    def module_of(self, qualified: str) -> tuple[str, list[str]]:
        """The longest importable prefix of a qualified name, and the attribute parts after it."""
        parts = qualified.split(".")
        for end in range(len(parts), 0, -1):
            prefix = ".".join(parts[:end])
            if "(" in prefix:
                continue
            if self.index.info(prefix).category != "missing":
                return prefix, parts[end:]
        return "", parts

    def _reexport(self, qualified: str) -> str:
        module, rest = self.module_of(qualified)
        if not module or not rest:
            return ""
        parsed = self.index.info(module).parsed
        if parsed is None:
            return ""
        head = rest[0]
        name = head.rstrip("()")
        origin = self._binding(parsed, name, "")
        if not origin or name in parsed.defined:
            return ""
        return ".".join([origin + head[len(name):], *rest[1:]])

    def known(self, qualified: str) -> bool:
        """False for a first-party name that nothing defines: a callee that was not followed for a reason
        worth showing. Methods of objects and classes without __init__ are known."""
        for name in self.aliases(qualified):
            module, rest = self.module_of(name)
            info = self.index.info(module) if module else None
            if info is None or info.category != "first_party":
                return True
            if info.parsed is not None and rest and rest[0].rstrip("()") in (*info.parsed.defined, *info.parsed.functions):
                return True
        return False

    def function(self, qualified: str) -> tuple[str, str] | None:
        """(first-party module, function qualname) a qualified callee runs, following re-exports;
        a class call runs its __init__, a method of an instance runs `Class.method`."""
        for name in self.aliases(qualified):
            module, rest = self.module_of(name)
            info = self.index.info(module) if module else None
            if info is None or info.category != "first_party" or info.parsed is None or not rest:
                continue
            qualname = _plain(rest)
            functions = info.parsed.functions
            if qualname in functions:
                return module, qualname
            if f"{qualname}.__init__" in functions:
                return module, f"{qualname}.__init__"
        return None


@dataclass(frozen=True, slots=True)
class DeferredImport:
    """An import inside a function body: it runs when that function is first called."""

    module: str  # the module whose function contains it
    function: str  # qualified name of that function
    target: str
    line: int
    path: str
    kind: str


@dataclass(frozen=True, slots=True)
class HotPath:
    """What one invocation of an entry's handler can run, found by following first-party calls."""

    entry: str
    handler: str  # "module:function" followed from; "" when the handler is not a plain function
    exact: bool  # False: the handler is an object (Mangum(app), a class); every function of its module is assumed
    functions: tuple[tuple[str, str], ...]  # (module, function qualname) reachable, sorted
    deferred: tuple[DeferredImport, ...]  # imports inside those functions, sorted by (path, line)
    unresolved: tuple[str, ...] = ()  # first-party-looking callees that could not be followed

    def reaches(self, module: str, scope: str) -> bool:
        """Whether code at `scope` of `module` (a function or something nested in one) is on the path."""
        if not scope:
            return False
        reached = set(self.functions)
        parts = scope.split(".")
        return any((module, ".".join(parts[:end])) in reached for end in range(len(parts), 0, -1))


def hot_path(view: EntryView, names: Names | None = None) -> HotPath | None:
    """The handler's static call path; None when the entry names no attribute or was not found."""
    entry = view.entry
    if not entry.attr or not view.found:
        return None
    names = names or Names(view.index)
    parsed = view.index.info(entry.module).parsed
    if parsed is None:
        return None
    if entry.attr in parsed.functions:
        starts, handler, exact = [(entry.module, entry.attr)], f"{entry.module}:{entry.attr}", True
    else:
        # `handler = Mangum(app)`: the framework dispatches to functions registered at import,
        # so each function of the entry module may run on a request.
        starts, handler, exact = [(entry.module, f) for f in parsed.functions], "", False
    reached, unresolved = reach(names, starts)
    path = HotPath(entry.spec, handler, exact, tuple(sorted(reached)), (), tuple(sorted(unresolved)))
    deferred = []
    for module in sorted({m for m, _ in reached}):
        info = view.index.info(module)
        for rec in info.parsed.imports if info.parsed else ():
            if rec.target and rec.kind not in _NOT_AT_RUNTIME and path.reaches(module, rec.scope):
                deferred.append(DeferredImport(module, rec.scope, rec.target, rec.line, info.rel, rec.kind.value))
    deferred.sort(key=lambda d: (d.path, d.line, d.target))
    return replace(path, deferred=tuple(deferred))


def reach(
    names: Names, starts: Iterable[tuple[str, str]], *, nested: bool = True,
) -> tuple[set[tuple[str, str]], set[str]]:
    """First-party functions reachable from `starts` through calls in their bodies; with `nested`, calls in
    functions defined inside them count too (they may run on the same call, or later as callbacks)."""
    index = names.index
    todo = list(dict.fromkeys(starts))
    seen = set(todo)
    unresolved: set[str] = set()
    while todo:
        module, function = todo.pop()
        parsed = index.info(module).parsed
        if parsed is None:
            continue
        for call in parsed.calls:
            if not (call.scope == function or (nested and call.scope.startswith(function + "."))):
                continue
            qualified = names.qualify(parsed, call.callee, call.scope)
            found = names.function(qualified) if qualified else None
            if found is None:
                if qualified and not names.known(qualified):
                    unresolved.add(qualified)
                continue
            if found not in seen:
                seen.add(found)
                todo.append(found)
    return seen, unresolved


def first_call_modules(resolver: ImportResolver, targets: Iterable[str], cold: set[str]) -> set[str]:
    """Modules that importing `targets` loads beyond the cold-start set `cold`."""
    targets = [t for t in targets if t not in cold]
    if not targets:
        return set()
    return resolver.loaded_modules(targets) - cold


def split_saving(
    view: EntryView, hot: HotPath | None, gone: set[str], used_on_path: Iterable[str] = (),
) -> tuple[set[str], set[str]]:
    """(net, moved): of the modules a deferral removes from the cold start (`gone`), those the handler's
    path imports anyway (its deferred imports, plus `used_on_path`: targets whose names it reads) move
    to the first invocation; the rest is a net cold-start saving. Without a hot path nothing is net."""
    if hot is None:
        return set(), set(gone)
    cold = {m for m in view.loaded} - gone
    targets = [d.target for d in hot.deferred] + list(used_on_path)
    moved = gone & first_call_modules(view.resolver, targets, cold)
    return gone - moved, moved


def summary(view: EntryView, profile: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """The hot-path block of an entry's cost summary (see docs/cost-model.md)."""
    hot = hot_path(view)
    if hot is None:
        return None
    resolver, index = view.resolver, view.index
    cold = {m for m in view.loaded if index.info(m).category != "missing"}

    def row(d: DeferredImport) -> dict[str, Any]:
        c = cost_of(resolver, first_call_modules(resolver, [d.target], cold), profile)
        return {"module": d.module, "function": d.function, "target": d.target, "path": d.path, "line": d.line,
                "kind": d.kind, "modules": c.modules, "ms": round(c.ms, 2)}

    on_path = [row(d) for d in hot.deferred]
    reached = set(hot.functions)
    off_path = []
    for module in sorted(m for m in cold if index.info(m).category == "first_party"):
        info = index.info(module)
        for rec in info.parsed.imports if info.parsed else ():
            if rec.scope and rec.kind not in _NOT_AT_RUNTIME and rec.target and not hot.reaches(module, rec.scope):
                off_path.append(row(DeferredImport(module, rec.scope, rec.target, rec.line, info.rel, rec.kind.value)))
    first_modules = first_call_modules(resolver, [d.target for d in hot.deferred], cold)
    first = cost_of(resolver, first_modules, profile)
    # what the off-path deferred imports keep out of both the cold start and the first call
    net = cost_of(resolver, first_call_modules(resolver, [r["target"] for r in off_path], cold) - first_modules, profile)
    return {
        "handler": hot.handler, "exact": hot.exact, "functions": len(reached),
        "deferred_on_handler_path": on_path, "first_call": first.as_dict(),
        "deferred_off_handler_path": off_path, "net_deferred": net.as_dict(),
        "unresolved_calls": list(hot.unresolved),
        "snapstart": SNAPSTART_NOTE if on_path else "",
    }

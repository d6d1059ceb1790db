"""Shared safety analysis: what other code relies on (re-exports, patches, side effects, cycles), per project."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lazyaudit.model import ImportKind

if TYPE_CHECKING:
    from lazyaudit.model import ParsedModule

# Modules whose import changes the running process (shell, interpreter, other libraries).
SIDE_EFFECT_MODULES = frozenset({
    "readline", "rlcompleter", "antigravity", "this", "site", "sitecustomize", "usercustomize",
    "setuptools", "_distutils_hack", "gevent.monkey", "eventlet", "ddtrace.auto", "pytest_asyncio",
})  # fmt: skip
# Import-time calls that register something with other code (last dotted component).
_REGISTERING_CALLS = frozenset({
    "connect", "subscribe", "add_type", "basicConfig", "dictConfig", "fileConfig", "addHandler",
    "filterwarnings", "simplefilter", "setrecursionlimit", "set_start_method", "install", "pickle",
})  # fmt: skip
# Import-time calls that change process-wide state other modules read (full dotted callee).
_PROCESS_CALLS = frozenset({
    "os.environ.setdefault", "os.environ.update", "os.putenv", "sys.path.insert", "sys.path.append",
    "sys.path.extend", "sys.meta_path.insert", "sys.meta_path.append", "sys.path_hooks.append",
    "sys.setrecursionlimit", "sys.excepthook", "monkey.patch_all", "gevent.monkey.patch_all",
    "eventlet.monkey_patch", "nest_asyncio.apply", "asyncio.set_event_loop_policy",
})  # fmt: skip
_PATCH_CALLEES = ("patch", "setattr", "delattr", "object", "setitem", "patch.object", "patch.dict")


def registers(callee: str) -> bool:
    """Whether an import-time call to `callee` registers something other code will look up."""
    last = callee.rsplit(".", 1)[-1]
    if last.startswith("register") or last.endswith("_register") or last in _REGISTERING_CALLS:
        return True
    return callee in _PROCESS_CALLS


@dataclass(frozen=True)
class ProjectFacts:
    """Facts about the whole first-party project that a single-file rewrite must respect."""

    modules: frozenset[str] = frozenset()
    imported_by: Mapping[tuple[str, str], frozenset[str]] = field(default_factory=dict)  # (M, n) -> `from M import n`
    attribute_reads: Mapping[str, frozenset[str]] = field(default_factory=dict)  # M -> attributes read as `M.n`
    importers: Mapping[str, frozenset[str]] = field(default_factory=dict)  # M -> first-party modules importing M
    star_importers: Mapping[str, frozenset[str]] = field(default_factory=dict)  # M -> modules doing `from M import *`
    patched: frozenset[str] = frozenset()  # dotted strings in mock.patch("a.b.c") / monkeypatch.setattr("a.b", ...)
    patched_attrs: frozenset[str] = frozenset()  # "name" in setattr(obj, "name", ...) / patch.object(obj, "name")
    registering: Mapping[str, str] = field(default_factory=dict)  # module -> import-time registering call
    eager_edges: Mapping[str, frozenset[str]] = field(default_factory=dict)  # first-party module-level imports

    @classmethod
    def from_parsed(cls, parsed: Iterable[ParsedModule]) -> ProjectFacts:
        mods = [p for p in parsed if not p.error]
        names = frozenset(p.name for p in mods)
        imported: dict[tuple[str, str], set[str]] = {}
        attrs: dict[str, set[str]] = {}
        importers: dict[str, set[str]] = {}
        stars: dict[str, set[str]] = {}
        patched: set[str] = set()
        patched_attrs: set[str] = set()
        registering: dict[str, str] = {}
        edges: dict[str, set[str]] = {}
        for p in mods:
            bound: dict[str, str] = {}
            for rec in p.imports:
                for target in _targets(rec.target, rec.names, rec.is_from, names):
                    importers.setdefault(target, set()).add(p.name)
                    if not rec.scope and rec.kind in (ImportKind.EAGER, ImportKind.CONDITIONAL, ImportKind.GUARDED):
                        edges.setdefault(p.name, set()).add(target)
                if rec.is_from and rec.names == ("*",):
                    stars.setdefault(rec.target, set()).add(p.name)
                elif rec.is_from:
                    for n in rec.names:
                        imported.setdefault((rec.target, n), set()).add(p.name)
                bound.update(dict(rec.bindings))
            for use in p.uses:
                origin = bound.get(use.name)
                if origin and use.attr:
                    full = f"{origin}.{use.attr}".split(".")
                    for i in range(1, len(full)):
                        attrs.setdefault(".".join(full[:i]), set()).add(full[i])
            for call in p.calls:
                last = call.callee.rsplit(".", 1)[-1]
                if call.callee.endswith(_PATCH_CALLEES) or last in ("patch", "setattr", "delattr"):
                    for arg in call.args:
                        (patched if "." in arg else patched_attrs).add(arg)
                if not call.scope and registers(call.callee) and p.name not in registering:
                    registering[p.name] = f"{call.callee}() at line {call.line}"
        return cls(
            names, {k: frozenset(v) for k, v in imported.items()}, _freeze(attrs), _freeze(importers), _freeze(stars),
            frozenset(patched), frozenset(patched_attrs), registering, _freeze(edges),
        )

    # -- questions the codemods ask ---------------------------------------------------------------
    def exported(self, module: str, name: str, *, only_from: str = "") -> str:
        """Why `module.name` must stay a module attribute ("" when nothing else needs it)."""
        users = sorted(u for u in self.imported_by.get((module, name), ()) if u not in (module, only_from))
        if users:
            return f"other modules import it from {module} (`from {module} import {name}` in {', '.join(users[:3])})"
        if name in self.attribute_reads.get(module, ()):
            return f"other code reads it as {module}.{name}"
        return ""

    def patched_name(self, module: str, name: str) -> str:
        dotted = f"{module}.{name}"
        for target in sorted(self.patched):
            if target == dotted or target.startswith(dotted + "."):
                return f"a test patches {target!r}"
        if name in self.patched_attrs:
            return f"a test patches attribute {name!r} of some object (setattr/patch.object)"
        return ""

    def side_effect(self, target: str) -> str:
        """Why importing `target` has effects beyond binding names ("" when none is known)."""
        for mod in (target, *self.first_party_closure(target)):
            if mod in SIDE_EFFECT_MODULES or any(mod.startswith(m + ".") for m in SIDE_EFFECT_MODULES):
                return f"importing {mod} changes the process"
            if mod in self.registering:
                return f"{mod} registers at import ({self.registering[mod]})"
        return ""

    def first_party_closure(self, module: str) -> list[str]:
        seen: list[str] = []
        stack = [module]
        while stack:
            for nxt in sorted(self.eager_edges.get(stack.pop(), ())):
                if nxt not in seen and nxt != module:
                    seen.append(nxt)
                    stack.append(nxt)
        return seen

    def cycle(self, source: str, target: str) -> list[str]:
        """A first-party import path from `target` back to `source` (empty when the edge is in no cycle)."""
        parents: dict[str, str] = {target: ""}
        stack = [target]
        while stack:
            current = stack.pop()
            for nxt in sorted(self.eager_edges.get(current, ())):
                if nxt == source:
                    path = [current]
                    while parents[path[-1]]:
                        path.append(parents[path[-1]])
                    return [source, *reversed(path), source]
                if nxt not in parents:
                    parents[nxt] = current
                    stack.append(nxt)
        return []


def _targets(target: str, names: tuple[str, ...], is_from: bool, modules: frozenset[str]) -> list[str]:
    """The first-party modules one import record loads: the target, its parents, `from pkg import sub`."""
    if not target or target.startswith("."):
        return []
    out = []
    parts = target.split(".")
    for i in range(1, len(parts) + 1):
        name = ".".join(parts[:i])
        if name in modules:
            out.append(name)
    if is_from:
        out.extend(f"{target}.{n}" for n in names if f"{target}.{n}" in modules)
    return out


def _freeze(d: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    return {k: frozenset(v) for k, v in d.items()}

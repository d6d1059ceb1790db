"""Functions that run at import time (module-level calls, constructors of classes instantiated there) and their imports."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from lazyaudit.model import ImportKind, ImportRecord, ParsedModule

if TYPE_CHECKING:
    from lazyaudit.modindex import ModuleIndex

_MAX_CALL_DEPTH = 4  # calls followed from a module-level call: enough for factories and constructors
_MAX_HOPS = 6  # re-exports and base classes walked to find what a name means


class CallFollower:
    """Follows module-level calls into functions of the same top-level package (that is where import hooks
    and lazy loaders live; following calls into other packages would mostly add branches that never run)."""

    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        self._bases: dict[str, dict[str, tuple[str, ...]]] = {}

    def called_records(self, parsed: ParsedModule) -> list[tuple[ImportRecord, str]]:
        """Imports inside functions that module-level code calls (`__getattr__ = getattr_migration(__name__)`,
        `xray_recorder = AsyncAWSXRayRecorder()` whose inherited __init__ imports the samplers)."""
        out: list[tuple[ImportRecord, str]] = []
        seen: set[tuple[str, str]] = set()
        queue: deque[tuple[ParsedModule, str, int]] = deque()
        for call in parsed.calls:
            if not call.scope:
                queue.extend((mod, func, 1) for mod, func in self.call_targets(parsed, call.callee))
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
                    queue.extend((m, f, depth + 1) for m, f in self.call_targets(mod, call.callee))
        return out

    def call_targets(self, parsed: ParsedModule, callee: str) -> list[tuple[ParsedModule, str]]:
        """(module, function qualname) that calling `callee` from `parsed` runs: the function itself, or a
        class's __new__/__init__, inherited ones included."""
        found = self._resolve(parsed, callee, parsed.name.split(".", 1)[0], 0)
        if found is None:
            return []
        module, name = found
        if name in module.functions:
            return [(module, name)]
        return self._constructors(module, name, 0)

    def _resolve(self, parsed: ParsedModule, dotted: str, top: str, hops: int) -> tuple[ParsedModule, str] | None:
        """Where the function or class `dotted`, as read in `parsed`, is defined (within package `top`)."""
        if dotted in parsed.functions or dotted in self._classes(parsed):
            return parsed, dotted
        head, _, rest = dotted.partition(".")
        if hops > _MAX_HOPS:
            return None
        for rec in parsed.imports:
            if rec.scope:
                continue
            for local, origin in rec.bindings:
                if local != head:
                    continue
                full = f"{origin}.{rest}" if rest else origin
                if full.split(".", 1)[0] != top:
                    return None
                module_name, _, name = full.rpartition(".")
                info = self.index.info(module_name) if module_name else None
                if info is None or info.parsed is None:
                    return None
                return self._resolve(info.parsed, name, top, hops + 1)
        return None

    def _constructors(self, module: ParsedModule, cls: str, hops: int) -> list[tuple[ParsedModule, str]]:
        own = [(module, f"{cls}.{m}") for m in ("__new__", "__init__") if f"{cls}.{m}" in module.functions]
        if own or hops > _MAX_HOPS:
            return own
        top = module.name.split(".", 1)[0]
        for base in self._classes(module).get(cls, ()):
            found = self._resolve(module, base, top, 0)
            if found is not None and found[1] not in found[0].functions:
                inherited = self._constructors(found[0], found[1], hops + 1)
                if inherited:
                    return inherited  # the first base along the MRO that defines one is what runs
        return []

    def _classes(self, parsed: ParsedModule) -> dict[str, tuple[str, ...]]:
        found = self._bases.get(parsed.name)
        if found is None:
            found = self._bases[parsed.name] = dict(parsed.class_bases)
        return found

"""What a module costs at import: its closure (modules, source bytes, native extensions) and time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lazyaudit.closure import chain_to

if TYPE_CHECKING:
    from lazyaudit.checks.context import EntryView
    from lazyaudit.closure import ImportResolver

# Calibrated on this project's reference machine with `python -X importtime` (CPython 3.11,
# warm page cache): boto3 413 modules / 116 ms, requests 253 / 84 ms, pydantic 192 / 64 ms,
# i.e. about 0.3 ms per module loaded, stdlib included. Used only when nothing was measured;
# `lazyaudit profile --save` replaces it with real numbers. See docs/cost-model.md.
MS_PER_MODULE = 0.3


@dataclass(frozen=True, slots=True)
class Cost:
    """The price of loading a set of modules."""

    modules: int
    source_bytes: int
    native: int
    measured_ms: float | None  # sum of measured self times when a profile covers them
    estimated_ms: float

    @property
    def ms(self) -> float:
        return self.measured_ms if self.measured_ms is not None else self.estimated_ms

    def as_dict(self) -> dict[str, Any]:
        return {"modules": self.modules, "source_bytes": self.source_bytes, "native": self.native,
                "measured_ms": None if self.measured_ms is None else round(self.measured_ms, 2),
                "estimated_ms": round(self.estimated_ms, 2)}


def cost_of(resolver: ImportResolver, modules: Iterable[str], profile: Mapping[str, Any] | None = None) -> Cost:
    """Cost of the given (already loaded-set) module names."""
    index = resolver.index
    # Modules the interpreter loads at start-up (site, encodings, os...) cost an import nothing.
    startup = index.env.startup_modules
    names = [m for m in modules if m not in startup and index.info(m).category != "missing"]
    infos = index.infos(names)
    self_ms = (profile or {}).get("self_ms", {})
    measured = [self_ms[m] for m in names if m in self_ms]
    return Cost(
        modules=len(infos),
        source_bytes=sum(i.source_bytes for i in infos),
        native=sum(1 for i in infos if i.native),
        measured_ms=sum(measured) if measured and len(measured) >= len(names) * 0.5 else None,
        estimated_ms=len(infos) * MS_PER_MODULE,
    )


def module_cost(resolver: ImportResolver, module: str, profile: Mapping[str, Any] | None = None) -> Cost:
    """Cumulative cost of `import module` on a fresh interpreter (stdlib included)."""
    return cost_of(resolver, resolver.loaded_modules([module]), profile)


def saving_without(
    resolver: ImportResolver, roots: Sequence[str], edges: Iterable[tuple[str, str]],
    profile: Mapping[str, Any] | None = None, *, baseline: set[str] | None = None,
) -> tuple[Cost, set[str]]:
    """What the cold start of `roots` stops loading when the given (source, target) edges are deferred."""
    before = baseline if baseline is not None else resolver.loaded_modules(roots)
    after = resolver.loaded_modules(roots) if not edges else {
        m for m in resolver.closure(roots, skip=frozenset(edges)) if resolver.index.info(m).category != "missing"
    }
    gone = before - after
    return cost_of(resolver, gone, profile), gone


def entry_costs(project: Any, profile: Mapping[str, Any] | None = None, *, top: int = 10) -> list[dict[str, Any]]:
    """Per entry point: what its cold start loads, by distribution, and its heaviest direct imports."""
    out = []
    for view in project.views():
        if view.found:
            out.append(_entry_cost(view, profile, top))
    return out


def _entry_cost(view: EntryView, profile: Mapping[str, Any] | None, top: int) -> dict[str, Any]:
    resolver, index = view.resolver, view.index
    startup = index.env.startup_modules
    loaded = {m for m in view.loaded if m not in startup and index.info(m).category != "missing"}
    total = cost_of(resolver, loaded, profile)
    cats: dict[str, int] = {}
    per_dist: dict[str, list[str]] = {}
    for m in loaded:
        info = index.info(m)
        cats[info.category] = cats.get(info.category, 0) + 1
        if info.distribution:
            per_dist.setdefault(info.distribution, []).append(m)
    dists: list[dict[str, Any]] = []
    for name, mods in per_dist.items():
        c = cost_of(resolver, mods, profile)
        d = view.index.env.distribution(name)
        dists.append({"name": name, "version": d.version if d else "", "modules": c.modules, "size": d.size if d else 0,
                      "source_bytes": c.source_bytes, "ms": round(c.ms, 2), "measured_ms": _r(c.measured_ms)})
    dists.sort(key=lambda d: (-d["ms"], d["name"]))
    # Heaviest imports made by first-party code: cumulative closure of each target, within this entry.
    direct = sorted({e.target for m in loaded if index.info(m).category == "first_party"
                     for e in resolver.edges(m) if e.executed and e.kind != "parent"
                     and index.info(e.target).category in ("third_party", "stdlib")})
    tops: list[dict[str, Any]] = []
    for target in direct:
        c = cost_of(resolver, resolver.loaded_modules([target]) & loaded, profile)
        if not c.modules:
            continue  # already loaded by the interpreter at start-up: costs this entry nothing
        chain = [f"{e.source} -> {e.target} ({e.path}:{e.line})" for e in chain_to(view.loaded, target)]
        tops.append({"module": target, "cumulative_modules": c.modules, "source_bytes": c.source_bytes,
                     "ms": round(c.ms, 2), "measured_ms": _r(c.measured_ms), "chain": chain})
        if profile and target in profile.get("self_ms", {}) and target not in profile.get("folded", {}):
            # the seed's self | cumulative view; a folded module's self time is inside its importer's
            tops[-1]["self_ms"] = _r(profile["self_ms"][target])
    tops.sort(key=lambda t: (-t["ms"], t["module"]))
    from lazyaudit.hotpath import summary as hot_path  # imports this module: only needed here

    return {
        "entry": view.entry.spec, "name": view.entry.name, "package_type": view.entry.package_type,
        "modules": total.modules, "first_party": cats.get("first_party", 0), "third_party": cats.get("third_party", 0),
        "stdlib": cats.get("stdlib", 0), "source_bytes": total.source_bytes, "native": total.native,
        "ms": round(total.ms, 2), "measured_ms": _r(total.measured_ms),
        "distributions": dists, "top": tops[:top], "hot_path": hot_path(view, profile),
    }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)

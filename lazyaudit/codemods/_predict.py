"""What the rewrites change for each entry point's cold start: predicted statically, and measured on request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lazyaudit.errors import LazyauditError

if TYPE_CHECKING:
    from lazyaudit.analysis import Project
    from lazyaudit.codemods.result import FileFix
    from lazyaudit.model import Entry, ParsedModule


@dataclass(frozen=True, slots=True)
class ColdStart:
    """One entry point's cold start before and after the rewrites."""

    entry: str
    modules_before: int
    modules_after: int
    ms_before: float  # static estimate (lazyaudit.costs)
    ms_after: float
    measured_before: float | None = None  # median `-X importtime` of `import module`, ms
    measured_after: float | None = None
    note: str = ""  # why it was not measured

    @property
    def drop(self) -> float:
        return 1 - self.modules_after / self.modules_before if self.modules_before else 0.0

    @property
    def measured_drop(self) -> float | None:
        if self.measured_before and self.measured_after is not None:
            return 1 - self.measured_after / self.measured_before
        return None

    def as_dict(self) -> dict[str, Any]:
        return {"entry": self.entry, "modules_before": self.modules_before, "modules_after": self.modules_after,
                "estimated_ms_before": round(self.ms_before, 1), "estimated_ms_after": round(self.ms_after, 1),
                "measured_ms_before": self.measured_before, "measured_ms_after": self.measured_after,
                "note": self.note}


def predict(project: Project, fixes: Sequence[FileFix]) -> list[ColdStart]:
    """Per entry point whose cold start loads a rewritten module: modules loaded before and after,
    from the same runtime-faithful closure `audit` uses, over the rewritten sources."""
    from lazyaudit.closure import ImportResolver
    from lazyaudit.costs import cost_of
    from lazyaudit.modindex import ModuleIndex
    from lazyaudit.parsing import parse_source

    changed = {f.rel: f for f in fixes if f.changed}
    if not changed:
        return []
    files = project.files()
    reparsed: dict[str, ParsedModule] = {}
    for rel, fix in changed.items():
        src = files[rel]
        reparsed[rel] = parse_source(fix.after, src.module, src.path, src.is_package, full=True)
    out = []
    for view in project.views():
        if not view.found:
            continue
        before_set = {m for m in view.loaded if view.index.info(m).category != "missing"}
        touched = {rel for rel in changed if files[rel].module in before_set}
        if not touched:
            continue
        first_party = project.sources.modules(view.roots)
        by_name = {f.module: reparsed.get(f.rel, project.parsed[f.rel]) for f in first_party.values()
                   if f.rel in project.parsed}
        index = ModuleIndex(project.env, first_party, by_name, cache=project.cache,
                            module_map=project.config.module_map, jobs=project.jobs)
        resolver = ImportResolver(index)
        after_set = resolver.loaded_modules([view.entry.module])
        before = cost_of(view.resolver, before_set)
        after = cost_of(resolver, after_set)
        out.append(ColdStart(view.entry.spec, before.modules, after.modules, before.estimated_ms, after.estimated_ms))
    return out


def measure_entries(project: Project, python: str | None, runs: int = 5) -> dict[str, tuple[float | None, str]]:
    """Median measured `import module` time per entry point (runs the project's code, in a subprocess)."""
    from lazyaudit.profiling import measure

    out: dict[str, tuple[float | None, str]] = {}
    for entry in project.entries:
        folder = _folder(project.root, entry)
        try:
            profile = measure(entry.module, python=python, path=str(folder), runs=runs)
        except LazyauditError as exc:
            out[entry.spec] = (None, str(exc).splitlines()[0])
            continue
        out[entry.spec] = (round(profile.total_ms, 1), "")
    return out


def with_measurements(starts: Sequence[ColdStart], before: Mapping[str, tuple[float | None, str]],
                      after: Mapping[str, tuple[float | None, str]]) -> list[ColdStart]:
    out = []
    for s in starts:
        b, why_b = before.get(s.entry, (None, "not measured"))
        a, why_a = after.get(s.entry, (None, "not measured"))
        out.append(ColdStart(s.entry, s.modules_before, s.modules_after, s.ms_before, s.ms_after, b, a,
                             why_b or why_a))
    return out



def _folder(root: Path, entry: Entry) -> Path:
    return root / entry.root if entry.root else root

"""The composition root: wire discovery, environment, parsing, graph and checks into one Project."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lazyaudit.errors import LazyauditError
from lazyaudit.model import Entry, Finding, ParsedModule

if TYPE_CHECKING:
    import networkx as nx

    from lazyaudit.checks.context import CheckContext, EntryView
    from lazyaudit.closure import ImportResolver
    from lazyaudit.config import Config
    from lazyaudit.environment import Environment
    from lazyaudit.modindex import ModuleIndex
    from lazyaudit.parsing.cache import ScanCache
    from lazyaudit.requirements import RequirementSet
    from lazyaudit.sources import SourceFile, SourceTree
    from lazyaudit.tool_commands import ToolCommand


@dataclass
class Project:
    """A loaded project: its sources, parsed modules, environment, entries and requirements."""

    root: Path
    config: Config
    env: Environment
    sources: SourceTree
    entries: list[Entry]
    requirements: RequirementSet
    parsed: dict[str, ParsedModule]  # project-relative path -> ParsedModule
    findings: list[Finding]  # problems met while loading (LA900): unparsable files, broken inputs
    cache: ScanCache | None = None
    jobs: int | None = None
    progress: Callable[[str, int, int], None] | None = None  # (stage, done, total 0 = unknown); the CLI draws it
    _indexes: dict[tuple[str, ...], Any] = field(default_factory=dict, repr=False)
    _views: list[EntryView] | None = field(default=None, repr=False)
    _tools: tuple[tuple[ToolCommand, ...], tuple[str, ...]] | None = field(default=None, repr=False)

    # -- module resolution per view -------------------------------------------------------------
    def files(self) -> dict[str, SourceFile]:
        return {f.rel: f for f in self.sources.files}

    def index(self, entry_root: str = "") -> ModuleIndex:
        return self._view_parts(entry_root)[0]

    def resolver(self, entry_root: str = "") -> ImportResolver:
        return self._view_parts(entry_root)[1]

    def _view_parts(self, entry_root: str) -> tuple[ModuleIndex, ImportResolver]:
        roots = self.sources.search_roots(entry_root)
        parts = self._indexes.get(roots)
        if parts is None:
            from lazyaudit.closure import ImportResolver
            from lazyaudit.modindex import ModuleIndex

            first_party = self.sources.modules(roots)
            by_name = {f.module: self.parsed[f.rel] for f in first_party.values() if f.rel in self.parsed}
            index = ModuleIndex(self.env, first_party, by_name, cache=self.cache,
                                module_map=self.config.module_map, jobs=self.jobs, progress=self.progress)
            parts = (index, ImportResolver(index))
            self._indexes[roots] = parts
        return parts  # type: ignore[return-value]

    def closure(self, module: str, *, entry_root: str = "", stdlib: bool = True) -> set[str]:
        """Modules that `import module` loads, predicted statically (runtime-faithful)."""
        return self.resolver(entry_root).loaded_modules([module], stdlib=stdlib)

    def graph(self, entry_root: str = "", *, stdlib: bool = True) -> nx.DiGraph:
        """Import graph of every first-party module visible from `entry_root`, installed code as it runs."""
        from lazyaudit.graph import build_graph

        resolver = self.resolver(entry_root)
        names = sorted(self.sources.modules(self.sources.search_roots(entry_root)))
        return build_graph(resolver, names, stdlib=stdlib)

    def views(self) -> list[EntryView]:
        """One EntryView per entry point: the cold-start closure of its module."""
        if self._views is None:
            from lazyaudit.checks.context import EntryView

            views = []
            for entry in self.entries:
                index, resolver = self._view_parts(entry.root)
                found = entry.module in index.first_party
                loaded = resolver.closure([entry.module]) if found else {}
                views.append(EntryView(entry, self.sources.search_roots(entry.root), index, resolver, loaded, found))
            self._views = views
        return self._views

    # -- checks ---------------------------------------------------------------------------------
    def context(self, profile: Mapping[str, Any] | None = None) -> CheckContext:
        from lazyaudit.checks.context import CheckContext

        index, resolver = self._view_parts("")
        return CheckContext(
            root=self.root, config=self.config, env=self.env, sources=self.sources, files=self.files(),
            parsed=self.parsed, entries=self.entries, requirements=self.requirements, views=_LazyViews(self.views),
            project_index=index, project_resolver=resolver, graph_factory=lambda: self.graph(stdlib=False),
            profile=profile, tool_commands=self.tool_commands()[0],
        )

    def tool_commands(self) -> tuple[tuple[ToolCommand, ...], tuple[str, ...]]:
        """Programs the project's tooling files run, and the files read (Makefile, Dockerfile, CI...)."""
        if self._tools is None:
            from lazyaudit.tool_commands import scan_tool_commands

            self._tools = scan_tool_commands(self.root, self.sources.function_roots)
        return self._tools

    def audit(
        self, codes: Iterable[str] | None = None, *, profile: Mapping[str, Any] | None = None, debug: bool = False,
    ) -> list[Finding]:
        """Run the checks (default: the configuration's select minus ignore) and return every finding,
        loading problems included, after inline and per-file suppressions, sorted."""
        from lazyaudit.checks import run_checks

        codes = set(self.config.enabled if codes is None else codes)
        found = [f for f in self.findings if f.code in codes]
        found += run_checks(self.context(profile), codes, debug=debug)
        self.save_caches()
        return sorted(self._unsuppressed(found, codes), key=lambda f: f.sort_key)

    def save_caches(self) -> None:
        """Keep what this run resolved about installed code for the next run (lazyaudit.edge_cache)."""
        for _index, resolver in self._indexes.values():
            resolver.save()

    def _unsuppressed(self, findings: Iterable[Finding], codes: set[str]) -> Iterable[Finding]:
        inline: dict[str, dict[int, tuple[str, ...]]] = {
            rel: dict(p.suppressions) for rel, p in self.parsed.items() if p.suppressions
        }
        seen: set[tuple[Any, ...]] = set()
        for f in findings:
            key = (f.code, f.path, f.line, f.column, f.subject, f.message)
            if key in seen or f.code not in codes:
                continue
            seen.add(key)
            if f.path and f.code not in self.config.codes_for(f.path):
                continue
            marks = inline.get(f.path, {}).get(f.line)
            if marks is not None and (not marks or f.code in marks):
                continue
            yield f

    def summary(self, findings: Sequence[Finding]) -> dict[str, Any]:
        """The report summary (see docs/json-schema.md)."""
        from lazyaudit import __version__

        counts: dict[str, int] = {}
        for f in findings:
            counts[f.code] = counts.get(f.code, 0) + 1
        files = self.sources.files
        return {
            "root": self.root.name,
            "tool_version": __version__,
            "entries": [
                {"module": e.module, "attr": e.attr, "source": e.source, "name": e.name, "package_type": e.package_type}
                for e in self.entries
            ],
            "counts": dict(sorted(counts.items())),
            "files": {
                "scanned": len(files), "runtime": sum(not f.dev for f in files), "dev": sum(f.dev for f in files),
                "unparsable": sum(1 for p in self.parsed.values() if p.error),
            },
            "environment": {
                "python": ".".join(str(v) for v in self.env.version_info[:3]),
                "distributions": len(self.env.distributions),
            },
            "requirements": {"sources": list(self.requirements.sources), "lock_files": list(self.requirements.lock_files),
                             "tool_files": list(self.tool_commands()[1])},
        }


class _LazyViews(Sequence["EntryView"]):
    """The entry views, computed on first access: the LA00x checks never read entry closures."""

    def __init__(self, make: Callable[[], list[EntryView]]) -> None:
        self._make = make
        self._items: list[EntryView] | None = None

    def _get(self) -> list[EntryView]:
        if self._items is None:
            self._items = self._make()
        return self._items

    def __getitem__(self, index: Any) -> Any:
        return self._get()[index]

    def __len__(self) -> int:
        return len(self._get())


def default_cache(enabled: bool = True) -> ScanCache:
    from lazyaudit.parsing.cache import ScanCache

    return ScanCache() if enabled else ScanCache.disabled()


def load_project(
    path: str | os.PathLike[str] = ".",
    python: str | None = None,
    *,
    entries: Sequence[str] = (),
    overrides: Mapping[str, Any] | None = None,
    cache: bool = True,
    jobs: int | None = None,
    imports_only: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> Project:
    """Load a project for analysis without importing any of its code.

    `python` names the interpreter whose environment is analysed (default: the running one).
    `imports_only` (the LA00x rules need nothing else) parses first-party files with the fast scanner;
    only files with a `lazyaudit:` comment get the full parse, which reads inline suppressions.
    `progress(stage, done, total)` is called as files are scanned (total 0 when unknown).
    Raises LazyauditError for problems the user must fix (missing path, bad interpreter, bad config).
    """
    from lazyaudit.config import load_config
    from lazyaudit.entries import discover_entries, discover_layer_roots
    from lazyaudit.environment import start_environment
    from lazyaudit.parsing import scan_many
    from lazyaudit.requirements import load_requirements
    from lazyaudit.sources import discover_sources

    root = Path(path)
    if not root.exists():
        raise LazyauditError(f"path does not exist: {root}")
    if not root.is_dir():
        raise LazyauditError(f"not a directory: {root} (give the project folder; use --entry for a module)")
    root = root.resolve()
    config, findings = load_config(root, overrides)
    findings = list(findings)
    # The probe runs in its own process while the project is discovered and parsed.
    pending_env = start_environment(python, cache=cache and config.cache)
    try:
        entry_list, entry_findings = discover_entries(root, config, entries)
        findings += entry_findings
        function_roots = sorted({e.root for e in entry_list if e.root})
        layer_roots = list(discover_layer_roots(root))
        sources = discover_sources(
            root, roots=[*config.source_roots, *layer_roots], function_roots=function_roots,
            exclude=config.exclude, dev_paths=config.dev_paths,
        )
        scan_cache = default_cache(cache and config.cache)
        items = [(f.path, f.module, f.is_package) for f in sources.files]
        full = [i for i in items if not imports_only or _has_suppression(i[0])]
        if progress:
            progress("parsing project files", 0, len(items))
        by_path = scan_many(full, full=True, cache=scan_cache, jobs=jobs)
        if len(full) < len(items):
            by_path.update(scan_many([i for i in items if i[0] not in by_path], full=False, cache=scan_cache, jobs=jobs))
        parsed = {f.rel: by_path[f.path] for f in sources.files if f.path in by_path}
        if progress:
            progress("parsing project files", len(items), len(items))
        for f in sources.files:
            p = parsed.get(f.rel)
            if p is not None and p.error:
                findings.append(Finding("LA900", f"cannot analyse {f.rel}: {p.error}", f.rel, _error_line(p.error),
                                        subject=f.module, severity="error", data={"reason": p.error}))
        requirements = load_requirements(root, extra_files=config.requirement_files, roots=function_roots)
        findings += requirements.findings
    except BaseException:
        pending_env.cancel()
        raise
    env = pending_env.result()
    project = Project(root, config, env, sources, entry_list, requirements, parsed, findings, scan_cache, jobs,
                      progress)
    for e in entry_list:  # entry closures are computed only when a check reads them
        if e.module not in project.index(e.root).first_party:
            where = f" (root {e.root}/)" if e.root else ""
            project.findings.append(Finding(
                "LA900", f"entry point {e.spec} from {e.source}: module {e.module} not found in the project{where}",
                e.path, e.line, subject=e.module, severity="error", data={"reason": "entry module not found"},
            ))
    return project


def _has_suppression(path: str) -> bool:
    if not os.path.isfile(path):  # a pipe would block, a device never end: the full parser says why
        return True
    try:
        with open(path, "rb") as handle:
            return b"lazyaudit:" in handle.read()
    except OSError:
        return True  # the full parser reports why it cannot be read


def _error_line(reason: str) -> int:
    marker = "line "
    if marker in reason:
        digits = reason.split(marker, 1)[1].split(",", 1)[0].split(":", 1)[0].strip()
        if digits.isdigit():
            return int(digits)
    return 0

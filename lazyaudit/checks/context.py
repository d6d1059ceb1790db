"""What every check reads: the project's facts, already gathered. Checks never touch the filesystem."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lazyaudit.model import Entry, ParsedModule

if TYPE_CHECKING:
    import networkx as nx

    from lazyaudit.closure import Edge, ImportResolver
    from lazyaudit.config import Config
    from lazyaudit.environment import Environment
    from lazyaudit.modindex import ModuleIndex
    from lazyaudit.requirements import RequirementSet
    from lazyaudit.sources import SourceFile, SourceTree
    from lazyaudit.tool_commands import ToolCommand


@dataclass
class EntryView:
    """One entry point and the modules its cold start loads."""

    entry: Entry
    roots: tuple[str, ...]  # first-party search roots visible to it
    index: ModuleIndex
    resolver: ImportResolver
    loaded: dict[str, Edge | None]  # cold-start closure of the entry module -> edge that loaded it
    found: bool  # the entry module exists in the project

    @property
    def label(self) -> str:
        return self.entry.spec


@dataclass
class CheckContext:
    """The facts one analysis run gathered; built by `lazyaudit.analysis`, read by the checks."""

    root: Path
    config: Config
    env: Environment
    sources: SourceTree
    files: Mapping[str, SourceFile]  # project-relative path -> file
    parsed: Mapping[str, ParsedModule]  # project-relative path -> libcst parse (first-party)
    entries: Sequence[Entry]
    requirements: RequirementSet
    views: Sequence[EntryView]  # one per entry point (same order as entries)
    project_index: ModuleIndex  # the default view (project roots, no function root)
    project_resolver: ImportResolver
    graph_factory: Callable[[], nx.DiGraph]  # the first-party graph of the default view, built on demand
    profile: Mapping[str, Any] | None = None  # measured import times (see `lazyaudit profile --save`)
    tool_commands: Sequence[ToolCommand] = ()  # programs the project's Makefile, Dockerfile, CI... run (LA005)
    _graph: Any = field(default=None, repr=False)

    def graph(self) -> nx.DiGraph:
        if self._graph is None:
            self._graph = self.graph_factory()
        return self._graph

    def runtime_files(self) -> list[tuple[SourceFile, ParsedModule]]:
        """First-party files shipped at runtime (not tests/docs/scripts), sorted by path."""
        return [(self.files[r], p) for r, p in sorted(self.parsed.items()) if not self.files[r].dev]

    def dev_files(self) -> list[tuple[SourceFile, ParsedModule]]:
        return [(self.files[r], p) for r, p in sorted(self.parsed.items()) if self.files[r].dev]

    def view_for_module(self, module: str) -> EntryView | None:
        """The first entry view whose cold start loads `module`."""
        for view in self.views:
            if module in view.loaded:
                return view
        return None

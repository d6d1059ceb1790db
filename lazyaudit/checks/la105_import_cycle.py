"""LA105 import-cycle: first-party modules that import each other at import time."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from lazyaudit.model import Finding
from lazyaudit.rules import RULES

if TYPE_CHECKING:
    from lazyaudit.checks.context import CheckContext

CODE = "LA105"
# Sites of these kinds never run while the module is being imported, so they cannot close a cycle.
_NOT_AT_IMPORT = frozenset({"deferred", "type_checking", "main", "lazy"})


def check(ctx: CheckContext) -> Iterable[Finding]:
    from lazyaudit.graph import first_party_cycles  # networkx: only when this rule runs

    graph = ctx.graph()
    for cycle in first_party_cycles(graph):
        hops = [_hop(graph, a, b) for a, b in zip(cycle, cycle[1:] + cycle[:1])]
        first = hops[0]
        loop = [*cycle, cycle[0]]
        subject = " -> ".join(loop)
        entries = [v.label for v in ctx.views if cycle[0] in v.loaded]
        sites = ", ".join(f"{h['path']}:{h['line']}" for h in hops)
        message = (
            f"import cycle at import time: {subject} ({sites}). While one of these modules runs, the other sees it "
            f"partly initialised: it works only in the current import order, and a lazy rewrite or a new importer "
            f"can break it. Break it by moving one of these imports into the function that uses it, or by moving "
            f"the shared code into a module both import."
        )
        yield Finding(
            CODE, message, first["path"], first["line"], 0, subject=subject, severity=RULES[CODE].severity,
            data={"cycle": loop, "edges": hops, "entry": entries[0] if entries else "", "entries": entries},
        )


def _hop(graph: Any, source: str, target: str) -> dict[str, Any]:
    data = graph.edges[source, target]
    sites = sorted(s for s in data["sites"] if s[2] not in _NOT_AT_IMPORT) or sorted(data["sites"])
    path, line, kind = sites[0]
    return {"source": source, "target": target, "path": path or graph.nodes[source].get("path", ""),
            "line": line, "kind": kind}

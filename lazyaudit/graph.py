"""The module import graph (networkx): first-party modules with every import, installed code as it runs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import networkx as nx

from lazyaudit.modindex import FIRST_PARTY, MISSING

if TYPE_CHECKING:
    from lazyaudit.closure import Edge, ImportResolver

# Stronger kinds win when one module imports another in several ways.
_KIND_RANK = {"eager": 0, "parent": 1, "dynamic": 2, "guarded": 3, "conditional": 4, "lazy": 5,
              "deferred": 6, "type_checking": 7, "main": 8}


def build_graph(
    resolver: ImportResolver,
    first_party: Iterable[str],
    *,
    stdlib: bool = True,
    follow_third_party: bool = True,
) -> nx.DiGraph:
    """A DiGraph over modules; edge attrs: kind, executed, sites [(path, line, kind)], via.

    Every edge of first-party modules is kept (deferred and TYPE_CHECKING too: why/fix need them);
    installed modules are expanded only through edges that run at import, which is what a cold
    start pays for.
    """
    graph = nx.DiGraph()
    index = resolver.index
    todo = list(dict.fromkeys(first_party))
    seen = set(todo)
    while todo:
        infos = index.infos(todo)
        nxt: list[str] = []
        for info in infos:
            _add_node(graph, info)
            if info.category == MISSING or (info.category == "stdlib" and not stdlib):
                continue
            first = info.category == FIRST_PARTY
            for edge in resolver.edges(info.name):
                if not first and not edge.executed:
                    continue
                _add_edge(graph, edge)
                follow = edge.executed or index.is_first_party(edge.target)
                if edge.target not in seen and follow and (follow_third_party or index.is_first_party(edge.target)):
                    seen.add(edge.target)
                    nxt.append(edge.target)
                elif edge.target not in graph:
                    _add_node(graph, index.info(edge.target))
        todo = nxt
    return graph


def _add_node(graph: nx.DiGraph, info) -> None:  # type: ignore[no-untyped-def]
    if info.name in graph and graph.nodes[info.name].get("category"):
        return
    graph.add_node(
        info.name, category=info.category, distribution=info.distribution, path=info.rel or info.path,
        is_package=info.is_package, native=info.native, source_bytes=info.source_bytes,
        error=bool(info.parsed and info.parsed.error),
    )


def _add_edge(graph: nx.DiGraph, edge: Edge) -> None:
    site = (edge.path, edge.line, edge.kind)
    if graph.has_edge(edge.source, edge.target):
        data = graph.edges[edge.source, edge.target]
        data["sites"].append(site)
        data["executed"] = data["executed"] or edge.executed
        if _KIND_RANK.get(edge.kind, 9) < _KIND_RANK.get(data["kind"], 9):
            data["kind"] = edge.kind
        return
    graph.add_edge(edge.source, edge.target, kind=edge.kind, executed=edge.executed, sites=[site], via=edge.via)


def executed_subgraph(graph: nx.DiGraph) -> nx.DiGraph:
    """Only the edges that run at import time."""
    return graph.edge_subgraph([(u, v) for u, v, d in graph.edges(data=True) if d["executed"]])


def import_chains(graph: nx.DiGraph, source: str, target: str, *, limit: int = 20) -> list[list[str]]:
    """Every shortest chain of import-time edges from source to target (sorted, at most `limit`)."""
    sub = executed_subgraph(graph)
    if source not in sub or target not in sub:
        return []
    try:
        paths = nx.all_shortest_paths(sub, source, target)
        out = []
        for p in paths:
            out.append(p)
            if len(out) >= limit:
                break
        return sorted(out)
    except nx.NetworkXNoPath:
        return []


def first_party_cycles(graph: nx.DiGraph, *, limit: int = 50) -> list[list[str]]:
    """Cycles of import-time edges among first-party modules, each rotated to start at its smallest name:
    at most `limit`, shortest first, and the shortest of every strongly connected tangle among them."""
    fp = [n for n, d in graph.nodes(data=True) if d.get("category") == FIRST_PARTY]
    sub = executed_subgraph(graph.subgraph(fp))
    sub = nx.DiGraph(sub)
    sub.remove_edges_from([(u, v) for u, v, d in sub.edges(data=True) if d["kind"] == "parent"])
    # Integer labels in name order: networkx walks sets of nodes, and sets of strings iterate in an
    # order that changes with PYTHONHASHSEED; sets of small ints do not. Same graph, same cycles.
    names = sorted(sub)
    number = {name: i for i, name in enumerate(names)}
    ints = nx.DiGraph()
    ints.add_nodes_from(range(len(names)))
    ints.add_edges_from(sorted((number[u], number[v]) for u, v in sub.edges))
    components = sorted(sorted(c) for c in nx.strongly_connected_components(ints) if len(c) > 1)
    # Up to `limit` cycles of each tangle (enumerating them all can take exponential time), then the
    # shortest cycle of every tangle, then the shortest of the rest, up to `limit` in all.
    firsts: list[list[str]] = []
    rest: list[list[str]] = []
    for comp in components:
        found = []
        for cyc in nx.simple_cycles(ints.subgraph(comp)):
            i = cyc.index(min(cyc))
            found.append([names[n] for n in cyc[i:] + cyc[:i]])
            if len(found) >= limit:
                break
        found.sort(key=_shortest_first)
        firsts.append(found[0])
        rest.extend(found[1:])
    chosen = (sorted(firsts, key=_shortest_first) + sorted(rest, key=_shortest_first))[:limit]
    return sorted(chosen, key=_shortest_first)


def _shortest_first(cycle: list[str]) -> tuple[int, list[str]]:
    return len(cycle), cycle


def importers_of(graph: nx.DiGraph, module: str) -> list[tuple[str, dict]]:
    """Who imports `module`, with edge data, sorted by importer name."""
    if module not in graph:
        return []
    return sorted(((u, d) for u, _, d in graph.in_edges(module, data=True)), key=lambda t: t[0])

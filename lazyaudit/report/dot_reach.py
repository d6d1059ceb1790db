"""Reachability for the import diagram in plain Python: closures as bitsets, transitive edges, depths."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence

Succ = Mapping[str, Sequence[str]]  # node -> sorted successors


def components(nodes: Sequence[str], succ: Succ) -> list[list[str]]:
    """Strongly connected components (iterative Tarjan), in reverse topological order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(succ.get(start, ())))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, it = work[-1]
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(succ.get(nxt, ()))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        comp.append(member)
                        if member == node:
                            break
                    out.append(sorted(comp))
    return out


def closures(nodes: Sequence[str], succ: Succ) -> tuple[dict[str, int], dict[str, int]]:
    """Bit position of each node, and the bitset of everything each node reaches (itself included).

    Bitsets over strongly connected components keep this linear-ish even on thousands of
    modules, where one breadth-first search per node would not be.
    """
    bit = {n: i for i, n in enumerate(nodes)}
    reach: dict[str, int] = {}
    for comp in components(nodes, succ):  # successors' components come first
        mask = 0
        for member in comp:
            mask |= 1 << bit[member]
        for member in comp:
            for nxt in succ.get(member, ()):
                if nxt in reach:
                    mask |= reach[nxt]
        for member in comp:
            reach[member] = mask
    return bit, reach


def weight(mask: int, weights: Sequence[float]) -> float:
    """Sum of `weights[i]` over the bits set in `mask`."""
    total = 0.0
    i = 0
    while mask:
        low = mask & -mask
        i = low.bit_length() - 1
        total += weights[i]
        mask ^= low
    return total


def redundant_edges(nodes: Sequence[str], edges: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Edges (u, v) whose target u also reaches through a longer path (transitive reduction).

    Decided on the condensation (a DAG, where the reduction is unique), so dropping them all
    at once never changes what reaches what; edges inside a cycle are always kept.
    """
    edges = sorted(set(edges))
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for u, v in edges:
        succ[u].append(v)
    comp_of: dict[str, int] = {}
    comps = components(list(nodes), succ)
    for i, comp in enumerate(comps):
        for member in comp:
            comp_of[member] = i
    csucc: dict[int, set[int]] = {i: set() for i in range(len(comps))}
    for u, v in edges:
        if comp_of[u] != comp_of[v]:
            csucc[comp_of[u]].add(comp_of[v])
    # Reverse topological order: a component's successors already have their closure.
    reach: dict[int, int] = {}
    for i in range(len(comps)):
        mask = 1 << i
        for j in csucc[i]:
            mask |= reach[j]
        reach[i] = mask
    out = set()
    for u, v in edges:
        cu, cv = comp_of[u], comp_of[v]
        if cu == cv:
            continue
        if any(w != cv and reach[w] >> cv & 1 for w in csucc[cu]):
            out.add((u, v))
    return out


def depths(starts: Iterable[str], succ: Succ, limit: int = 0) -> dict[str, int]:
    """Breadth-first hop count from `starts` (0), stopping after `limit` hops when limit > 0."""
    seen = {s: 0 for s in sorted(set(starts))}
    queue = deque(seen)
    while queue:
        node = queue.popleft()
        d = seen[node]
        if limit and d >= limit:
            continue
        for nxt in succ.get(node, ()):
            if nxt not in seen:
                seen[nxt] = d + 1
                queue.append(nxt)
    return seen


def shortest_path(starts: Iterable[str], target: str, succ: Succ) -> list[str]:
    """One shortest path from any start to `target` (ties broken by name); [] if unreachable."""
    starts = sorted(set(starts))
    parent: dict[str, str | None] = {s: None for s in starts}
    queue = deque(starts)
    while queue:
        node = queue.popleft()
        if node == target:
            path = [node]
            while parent[path[-1]] is not None:
                path.append(parent[path[-1]])  # type: ignore[arg-type]
            return path[::-1]
        for nxt in succ.get(node, ()):
            if nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)
    return []


def reverse(succ: Succ) -> dict[str, list[str]]:
    """Predecessor lists, sorted."""
    pred: dict[str, list[str]] = {n: [] for n in succ}
    for u, targets in succ.items():
        for v in targets:
            pred.setdefault(v, []).append(u)
    return {n: sorted(p) for n, p in pred.items()}

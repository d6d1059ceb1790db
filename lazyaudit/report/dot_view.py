"""Choose what an import diagram shows: first-party modules, installed code collapsed, the chains that cost."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any

# Half of this module, split off for size; deferring it would save ~0 ms, one module.
from lazyaudit.report import dot_collapse as co  # lazyaudit: ignore[LA101]
from lazyaudit.report import dot_reach as reach

if TYPE_CHECKING:
    import networkx as nx

TOP = 12  # heaviest nodes whose chains the default view draws
MIN_SHARE = 0.01  # ...each at least this share of the cold start, so tiny leaves don't crowd it
HOT = 3  # the chains to this many heaviest nodes are drawn bold
NODE_BUDGET = 40  # above this many nodes, the default view keeps only the shortest chains to each target
EDGE_BUDGET = 100  # above this many edges, edges implied by a longer chain are hidden


@dataclass(frozen=True)
class Options:
    """What to draw; mirrors the `graph` command's flags."""

    entries: tuple[str, ...] = ()  # entry specs, "module" or "module:attr"
    focus: str = ""
    reverse: bool = False
    max_depth: int = 0
    all: bool = False
    top: int = TOP


@dataclass(frozen=True, slots=True)
class Node:
    id: str  # module name, "[distribution]" or "[stdlib]"
    kind: str  # first_party, distribution or stdlib
    label: str
    short: str  # label inside its package's cluster
    package: str  # first-party package the node is clustered in ("" for none)
    share: float  # cumulative cost of importing it, as a share of everything the view loads
    tooltip: str
    entry: bool = False
    focus: bool = False
    missing: bool = False  # imported but not loaded at start (deferred-only installed code)


@dataclass(frozen=True, slots=True)
class Link:
    source: str
    target: str
    kind: str
    executed: bool
    tooltip: str
    hot: bool = False


@dataclass
class View:
    nodes: list[Node]
    links: list[Link]
    title: str
    notes: list[str] = field(default_factory=list)

    def edge_strings(self) -> list[str]:
        return [f"{link.source} -> {link.target}" for link in self.links]


class ViewError(ValueError):
    """The options name something the graph does not have."""


def select(
    graph: nx.DiGraph, opts: Options, *, profile: Mapping[str, Any] | None = None,
    dists: Mapping[str, tuple[str, int]] | None = None,
) -> View:
    """The diagram for `opts` over a lazyaudit.graph.build_graph graph; `dists` maps name -> (version, size)."""
    data = {n: graph.nodes[n] for n in sorted(graph.nodes)}
    group = {n: g for n, d in data.items() if (g := co.group_of(n, d)) is not None}
    entries = {spec.split(":", 1)[0]: spec for spec in opts.entries if spec.split(":", 1)[0] in group}
    # --reverse asks who imports a module anywhere in the project, not only along one cold start.
    mode = "entry" if entries and not opts.all and not opts.reverse else "all"
    every_kind = opts.all or not entries and not opts.reverse
    if opts.reverse and not opts.focus:
        raise ViewError("--reverse needs --focus MODULE (the module whose importers to draw)")
    edges = sorted((u, v, d) for u, v, d in graph.edges(data=True) if u in group and v in group)
    run: dict[str, list[str]] = {n: [] for n in group}
    for u, v, d in edges:
        if d.get("executed"):
            run[u].append(v)
    first = [n for n in group if data[n].get("category") == "first_party"]
    loaded = sorted(reach.depths(entries if mode == "entry" else first, run))
    costs = co.Costs(loaded, run, profile)
    members: dict[str, list[str]] = {}
    for m in loaded:
        members.setdefault(group[m], []).append(m)

    links = co.group_links(edges, group, data, set(loaded), mode, every_kind=every_kind, stdlib=opts.all)
    # Entry modules and (whole-graph views) every first-party module are drawn even without edges.
    pins = {group[e] for e in entries} | ({group[m] for m in first} if mode == "all" else set())
    succ = _succ(links, pins)
    focus = resolve_focus(opts.focus, group, data) if opts.focus else ""
    if focus and focus not in succ:
        where = "drawn by this view" if mode == "all" else f"loaded at the cold start of {', '.join(entries.values())}"
        raise ViewError(f"{opts.focus} is not {where} (try --all)")
    starts = [group[e] for e in entries if group[e] in succ] or _roots(succ, first, group)
    if mode == "entry":
        # A submodule's parent edge back to the package __init__ that loaded it does nothing at that
        # point; kept, it would put every sibling on every chain through the package.
        near = reach.depths(starts, succ)
        links = {k: v for k, v in links.items() if v.kind != "parent" or near.get(k[1], 0) >= near.get(k[0], 0)}
        succ = _succ(links, pins)
    keep, targets = _keep(succ, starts, focus, opts, mode, costs, members)
    links = {k: v for k, v in links.items() if k[0] in keep and k[1] in keep}
    succ = _succ(links, keep)
    if opts.max_depth:
        if opts.reverse:
            near = reach.depths([focus], reach.reverse(succ), opts.max_depth)
        else:
            near = reach.depths([s for s in starts if s in keep], succ, opts.max_depth)
        keep = {n for n in keep if n in near}
        links = {k: v for k, v in links.items() if k[0] in keep and k[1] in keep}
        succ = _succ(links, keep)
    hot: set[tuple[str, str]] = set()
    if not opts.reverse:
        for target in targets[:HOT]:
            path = reach.shortest_path([s for s in starts if s in keep], target, succ)
            hot.update(pairwise(path))
    notes = []
    if len(links) > EDGE_BUDGET:
        dropped = _transitive(links, hot)
        links = {k: v for k, v in links.items() if k not in dropped}
        if dropped:
            notes.append(f"{len(dropped)} edges hidden: a longer chain already links their ends")
    nodes = [_node(g, members.get(g, []), data, costs, dists or {}, entries, focus) for g in sorted(keep)]
    final = [Link(u, v, lk.kind, lk.executed, lk.tooltip, (u, v) in hot) for (u, v), lk in sorted(links.items())]
    title = _title(mode, opts, entries, focus, loaded, data, costs, len(targets), notes)
    return View(nodes, final, title, notes)


def resolve_focus(focus: str, group: Mapping[str, str], data: Mapping[str, Any]) -> str:
    """--focus names a module or a distribution; either way, the node it is drawn as."""
    if focus in group:
        return group[focus]
    wanted = "[" + _canonical(focus) + "]"
    for g in sorted(set(group.values())):
        if g.startswith("[") and "[" + _canonical(g[1:-1]) + "]" == wanted:
            return g
    if focus.lower() in ("stdlib", "[stdlib]"):
        return co.STDLIB
    raise ViewError(f"--focus {focus}: no such module or distribution in the import graph")


def _canonical(name: str) -> str:
    return "-".join(part for part in name.lower().replace("_", "-").replace(".", "-").split("-") if part)


def _succ(links: Mapping[tuple[str, str], Any], pins: Iterable[str] = ()) -> dict[str, list[str]]:
    succ: dict[str, list[str]] = {n: [] for n in sorted(pins)}
    for u, v in sorted(links):
        succ.setdefault(u, []).append(v)
        succ.setdefault(v, [])
    return succ


def _roots(succ: Mapping[str, list[str]], first: list[str], group: Mapping[str, str]) -> list[str]:
    """Where a whole-graph view starts counting depth: first-party nodes nothing first-party imports."""
    nodes = sorted({group[m] for m in first} & set(succ))
    pred = reach.reverse(succ)
    roots = [n for n in nodes if not any(not p.startswith("[") for p in pred.get(n, ()))]
    return roots or nodes


def _keep(
    succ: Mapping[str, list[str]], starts: list[str], focus: str, opts: Options, mode: str,
    costs: co.Costs, members: Mapping[str, list[str]],
) -> tuple[set[str], list[str]]:
    """The nodes to draw and the targets whose chains matter (heaviest first)."""
    pred = reach.reverse(succ)
    if opts.reverse:
        return set(reach.depths([focus], pred)), [focus]
    if focus:
        targets = [focus]
    elif mode == "entry":
        own = {g: costs.cost(costs.mask(ms, cumulative=False))[0] for g, ms in members.items()}
        total = costs.total[0] or 1.0
        heavy = sorted((g for g in succ if g not in starts and own.get(g, 0.0) / total >= MIN_SHARE),
                       key=lambda g: (-own[g], g))
        targets = heavy[: opts.top]
    else:
        return set(succ), []
    if mode != "entry":
        return set(reach.depths(targets, pred)), targets
    near = reach.depths(starts, succ)
    keep = (set(reach.depths(targets, pred)) & set(near)) | (set(starts) & set(succ))
    if not focus and len(keep) > NODE_BUDGET:
        keep = set(starts) & set(succ)
        for target in targets:  # only the shortest chains: distance from the entry plus distance to the target
            upward = reach.depths([target], pred)
            keep |= {n for n, d in upward.items() if n in near and near[n] + d == near.get(target)}
    return keep, [t for t in targets if t in keep]


def _transitive(links: Mapping[tuple[str, str], co.Merged], hot: set[tuple[str, str]]) -> set[tuple[str, str]]:
    nodes = sorted({n for k in links for n in k})
    run = [k for k, lk in links.items() if lk.executed]
    dropped = reach.redundant_edges(nodes, run)
    dropped |= {k for k in reach.redundant_edges(nodes, links) if not links[k].executed}
    return dropped - hot


def _node(
    g: str, modules: list[str], data: Mapping[str, Any], costs: co.Costs,
    dists: Mapping[str, tuple[str, int]], entries: Mapping[str, str], focus: str,
) -> Node:
    total = costs.total[0] or 1.0
    cum_ms, cum_measured, cum_n = costs.cost(costs.mask(modules, cumulative=True))
    own_ms, own_measured, own_n = costs.cost(costs.mask(modules, cumulative=False))
    share = min(1.0, cum_ms / total) if modules else 0.0
    cum = co.fmt_ms(cum_ms, cum_measured)
    importing = f"importing it loads {co.plural(cum_n, 'module')}, {cum} ({share:.0%} of the view)"
    if g == co.STDLIB:
        label = f"Python stdlib\n{co.plural(own_n, 'module')} · {co.fmt_ms(own_ms, own_measured)}"
        tip = f"standard library: {co.plural(own_n, 'module')} loaded"
        return Node(g, "stdlib", label, label, "", share, tip, focus=g == focus, missing=not modules)
    if g.startswith("["):
        name = g[1:-1]
        version, size = dists.get(name, ("", 0))
        parts = [co.plural(own_n, "module"), *([co.fmt_bytes(size)] if size else []), co.fmt_ms(own_ms, own_measured)]
        label = f"{name}\n{' · '.join(parts)}" if modules else f"{name}\nnot loaded at start"
        tip = f"{name} {version}".strip() + (f": {co.plural(own_n, 'module')} of it load; {importing}" if modules else
                                            ": only imported where it is not run at start")
        return Node(g, "distribution", label, label, "", share, tip, focus=g == focus, missing=not modules)
    d = data[g]
    package = g if d.get("is_package") else g.rpartition(".")[0]
    short = "__init__" if d.get("is_package") else g.rpartition(".")[2]
    spec = entries.get(g, "")
    attr = spec.partition(":")[2]
    cost = cum if modules else "not loaded at start"
    suffix = (f":{attr}" if attr else "") + f"\n{cost}"
    tip = f"{d.get('path') or g}: {importing}" if modules else f"{d.get('path') or g}: not loaded at start"
    return Node(g, "first_party", g + suffix, short + suffix, package, share, tip, entry=bool(spec),
                focus=g == focus, missing=not modules)


def _title(
    mode: str, opts: Options, entries: Mapping[str, str], focus: str, loaded: list[str],
    data: Mapping[str, Any], costs: co.Costs, targets: int, notes: list[str],
) -> str:
    cats: dict[str, int] = {}
    for m in loaded:
        cats[data[m].get("category", "")] = cats.get(data[m].get("category", ""), 0) + 1
    ms, measured, n = costs.total
    what = "cold start of " + ", ".join(entries.values()) if mode == "entry" else "all first-party modules"
    head = (f"{what}: {n} modules ({cats.get('first_party', 0)} first-party, {cats.get('third_party', 0)} third-party, "
            f"{cats.get('stdlib', 0)} stdlib) · {co.fmt_ms(ms, measured)}")
    if opts.reverse:
        kinds = "every kind of import" if opts.all else "imports that run at start"
        shown = f"who imports {co.display(focus)} ({kinds})"
    elif focus:
        shown = f"chains that reach {co.display(focus)}"
    elif mode == "entry":
        shown = f"chains to the {targets} heaviest imports; stdlib not drawn"
    else:
        shown = "every import of first-party code; installed code collapsed per distribution"
    if opts.max_depth:
        shown += f"; at most {opts.max_depth} hops"
    return "\n".join([head, shown, *notes])

"""Collapse a module graph into diagram nodes (one per first-party module, distribution, stdlib) and cost them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lazyaudit.report import dot_reach as reach

STDLIB = "[stdlib]"
_TIP_LINES = 8
# Stronger kinds win when several imports collapse into one edge (same order as lazyaudit.graph).
_KIND_RANK = {"eager": 0, "parent": 1, "dynamic": 2, "guarded": 3, "conditional": 4, "lazy": 5,
              "deferred": 6, "type_checking": 7, "main": 8}


def group_of(name: str, data: Mapping[str, Any]) -> str | None:
    """The diagram node a module is drawn as; None for modules that do not exist."""
    category = data.get("category")
    if category == "first_party":
        return name
    if category == "third_party":
        return f"[{data.get('distribution') or name.split('.', 1)[0]}]"
    if category == "stdlib":
        return STDLIB
    return None


class Costs:
    """Self and cumulative cost of sets of modules, measured where the profile covers them."""

    def __init__(self, modules: list[str], run: Mapping[str, list[str]], profile: Mapping[str, Any] | None) -> None:
        from lazyaudit.costs import MS_PER_MODULE  # the cost model's estimate; costs pulls in the resolver

        self.per_module = MS_PER_MODULE
        inside = set(modules)
        succ = {m: [v for v in run.get(m, ()) if v in inside] for m in modules}
        self.bit, self.reach = reach.closures(modules, succ)
        self_ms = (profile or {}).get("self_ms") or {}
        self.ms = [float(self_ms.get(m, 0.0)) for m in modules]
        self.covered = sum(1 << i for i, m in enumerate(modules) if m in self_ms)
        self.total = self.cost((1 << len(modules)) - 1)

    def mask(self, modules: Iterable[str], *, cumulative: bool) -> int:
        out = 0
        for m in modules:
            if m in self.bit:
                out |= self.reach[m] if cumulative else 1 << self.bit[m]
        return out

    def cost(self, mask: int) -> tuple[float, bool, int]:
        """(ms, measured, modules), with the rule of lazyaudit.costs.cost_of: measured when half is covered."""
        count = mask.bit_count()
        covered = mask & self.covered
        if covered and covered.bit_count() * 2 >= count:
            return reach.weight(covered, self.ms), True, count
        return count * self.per_module, False, count


@dataclass
class Merged:
    kind: str
    executed: bool
    sites: list[str]

    @property
    def tooltip(self) -> str:
        lines = sorted(set(self.sites))
        more = len(lines) - _TIP_LINES
        return "\n".join(lines[:_TIP_LINES] + ([f"... {more} more"] if more > 0 else []))


def group_links(
    edges: list[tuple[str, str, dict]], group: Mapping[str, str], data: Mapping[str, Any],
    loaded: set[str], mode: str, *, every_kind: bool, stdlib: bool,
) -> dict[tuple[str, str], Merged]:
    out: dict[tuple[str, str], Merged] = {}
    for u, v, d in edges:
        gu, gv = group[u], group[v]
        fp = data[u].get("category") == "first_party"
        if gu == gv or STDLIB in (gu, gv) and (mode == "entry" or not fp or not stdlib):
            continue
        if mode == "entry" and not (d.get("executed") and u in loaded):
            continue
        if mode == "all" and not fp and not (d.get("executed") and gu.startswith("[")):
            continue
        if not every_kind and mode == "all" and not d.get("executed"):
            continue
        link = out.get((gu, gv))
        kind = d.get("kind", "eager")
        if link is None:
            link = out[(gu, gv)] = Merged(kind, bool(d.get("executed")), [])
        elif (d.get("executed"), -_KIND_RANK.get(kind, 9)) > (link.executed, -_KIND_RANK.get(link.kind, 9)):
            link.kind, link.executed = kind, bool(d.get("executed"))
        for path, line, site_kind in d.get("sites") or [(data[u].get("path", ""), 0, kind)]:
            where = (path if fp and path else u) + (f":{line}" if line else "")
            what = f"parent package {v} runs first" if site_kind == "parent" else f"{v} ({site_kind})"
            link.sites.append(f"{where}: {what}")
    if mode == "all":
        # Installed code only as far as first-party code reaches it directly: the first-party graph is the subject.
        direct = {gv for (gu, gv) in out if not gu.startswith("[")}
        out = {k: v for k, v in out.items() if not k[0].startswith("[") or (k[0] in direct and k[1] in direct)}
    return out


def display(node_id: str) -> str:
    """A node id as people write it: "boto3" for the distribution node "[boto3]"."""
    return "the standard library" if node_id == STDLIB else node_id.strip("[]")


def fmt_ms(ms: float, measured: bool) -> str:
    """'~12 ms' when estimated, '12 ms' when measured."""
    text = f"{ms:,.1f}" if ms < 10 else f"{ms:,.0f}"
    return f"{'' if measured else '~'}{text} ms"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def fmt_bytes(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(1, round(size / 1000))} kB"

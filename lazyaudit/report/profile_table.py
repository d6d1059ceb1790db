"""The `lazyaudit profile` table: measured self and cumulative import times as an indented tree, with bars."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lazyaudit.report.tables import bar, format_count, format_ms, format_share, layout

BAR_WIDTH = 20
TOP = 25  # rows of the tree: the costliest modules by cumulative time
TOP_PACKAGES = 12
SHOWN_NAMES = 6  # folded / failed modules named in a footnote


def _bold(text: str, color: bool) -> str:
    return f"\x1b[1m{text}\x1b[0m" if color and text else text


def _depths(order: list[str], parent: Mapping[str, str]) -> dict[str, int]:
    depth: dict[str, int] = {}
    for name in order:  # pre-order: a parent comes before its children
        up = parent.get(name, "")
        depth[name] = depth[up] + 1 if up in depth else 0
    return depth


def tree_rows(profile: Mapping[str, Any], top: int = TOP) -> tuple[list[list[str]], int]:
    """Rows (module indented by import depth, self, cumulative, share, bar) of the `top` modules
    by cumulative time, in import order; and how many modules were left out."""
    self_ms: Mapping[str, float] = profile.get("self_ms") or {}
    cum: Mapping[str, float] = profile.get("cumulative_ms") or {}
    order = [m for m in profile.get("order") or sorted(cum) if m in cum]
    total = float(profile.get("total_ms") or 0.0) or max(cum.values(), default=0.0)
    ranked = sorted(order, key=lambda m: (-cum[m], order.index(m)))[:top]
    keep = set(ranked)
    depth = _depths(order, profile.get("parent") or {})
    rows = []
    for name in order:
        if name not in keep:
            continue
        share = cum[name] / total if total else 0.0
        rows.append([
            "  " * depth.get(name, 0) + name, format_ms(self_ms.get(name)), format_ms(cum[name]),
            format_share(min(share, 1.0)), bar(share, BAR_WIDTH),
        ])
    return rows, len(order) - len(keep)


def package_rows(profile: Mapping[str, Any], top: int = TOP_PACKAGES) -> tuple[list[list[str]], int]:
    """Self time summed per top-level package (the seed report's "boto3/botocore 192 ms" view)."""
    self_ms: Mapping[str, float] = profile.get("self_ms") or {}
    sums: dict[str, list[float]] = {}
    for name, ms in self_ms.items():
        acc = sums.setdefault(name.split(".", 1)[0], [0.0, 0.0])
        acc[0] += float(ms)
        acc[1] += 1
    total = sum(v[0] for v in sums.values())
    ranked = sorted(sums.items(), key=lambda kv: (-kv[1][0], kv[0]))
    rows = [
        [pkg, format_count(n), format_ms(ms), format_share(ms / total if total else None),
         bar(ms / total if total else 0.0, BAR_WIDTH)]
        for pkg, (ms, n) in ranked[:top]
    ]
    return rows, max(0, len(ranked) - top)


def _names(items: list[str]) -> str:
    shown = ", ".join(items[:SHOWN_NAMES])
    return shown + (f" and {len(items) - SHOWN_NAMES} more" if len(items) > SHOWN_NAMES else "")


def render_profile(profile: Mapping[str, Any], *, top: int = TOP, color: bool = False) -> str:
    """The text report of one saved or fresh profile (the `as_dict` form)."""
    module = str(profile.get("module") or "?")
    cum: Mapping[str, float] = profile.get("cumulative_ms") or {}
    total = profile.get("total_ms")
    runs = profile.get("runs")
    facts = [f"{format_count(len(cum))} modules"]
    if runs:
        facts.append(f"median of {format_count(runs)} run{'s' if runs != 1 else ''}")
    if profile.get("python_version"):
        facts.append(f"python {profile['python_version']}")
    lines = [_bold(f"import {module}: {format_ms(total)}", color) + " (" + ", ".join(facts) + ")"]
    rows, rest = tree_rows(profile, top)
    if rows:
        table = layout(["module", "self", "cumulative", "share", ""], rows, "<>>><", indent="  ")
        lines += ["", table[0], *table[1:]]
        lines.append(f"  total: {format_ms(total)} (interpreter start-up excluded)")
        if rest:
            lines.append(f"  {format_count(rest)} faster modules not shown (the {top} slowest by cumulative time are)")
    prows, prest = package_rows(profile)
    if prows:
        lines += ["", _bold("by top-level package (self time summed)", color)]
        lines += layout(["package", "modules", "self", "share", ""], prows, "<>>><", indent="  ")
        if prest:
            lines.append(f"  and {format_count(prest)} more packages")
    folded = profile.get("folded") or {}
    if folded:
        named = [f"{m} (in {up})" if up else m for m, up in sorted(folded.items())]
        few = len(folded) == 1
        lines += ["", (f"{format_count(len(folded))} module{'' if few else 's'} {'was' if few else 'were'} loaded by "
                      f"importlib.import_module and {'has' if few else 'have'} no -X importtime line: the time is "
                      f"inside the self time of the importer (named from the static graph): {_names(named)}")]
    failed = list(profile.get("failed") or ())
    if failed:
        few = len(failed) == 1
        lines += ["", (f"{format_count(len(failed))} optional import{'' if few else 's'} tried and not found; the "
                      f"search time is counted in the importer's self time: {_names(failed)}")]
    return "\n".join(lines) + "\n"

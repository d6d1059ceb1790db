"""`lazyaudit why`: every shortest import-time chain from each entry point to a module, hop by hop."""

from __future__ import annotations

import os
from itertools import pairwise
from pathlib import Path
from typing import Any

from lazyaudit.errors import LazyauditError


def explain(project: Any, module: str, *, limit: int = 20, cli_only: bool = False) -> dict[str, Any]:
    """{"module": M, "entries": [{"entry", "loaded", "chains": [[{"importer","imported","path","line","kind","via"}]]}]}.

    `cli_only`: only the entries given with --entry. Paths are project-relative, installed ones relative
    to their sys.path folder (no absolute paths in output).
    """
    from lazyaudit.graph import build_graph, import_chains

    if not project.entries:
        raise LazyauditError("no entry point: pass --entry MODULE[:attr] or declare entries (see docs/configuration.md)")
    result: dict[str, Any] = {"module": module, "entries": []}
    for view in project.views():
        if cli_only and view.entry.source != "cli":
            continue
        item: dict[str, Any] = {"entry": view.entry.spec, "source": view.entry.source,
                                "loaded": module in view.loaded, "chains": []}
        if view.found and module in view.loaded:
            graph = build_graph(view.resolver, [view.entry.module])
            for path in import_chains(graph, view.entry.module, module, limit=limit):
                hops = []
                for a, b in pairwise(path):
                    data = graph.edges[a, b]
                    site = min(s for s in data["sites"])
                    hops.append({"importer": a, "imported": b, "path": _shown(project, site[0]), "line": site[1],
                                 "kind": data["kind"], "via": data.get("via", "")})
                item["chains"].append(hops)
        result["entries"].append(item)
    return result


def _shown(project: Any, path: str) -> str:
    if not path or not os.path.isabs(path):
        return path
    bases = [str(project.root), *project.env.sys_path]
    base = max((b for b in bases if b and path.startswith(b.rstrip(os.sep) + os.sep)), key=len, default="")
    return Path(os.path.relpath(path, base)).as_posix() if base else path


def format_text(result: dict[str, Any]) -> str:
    lines = []
    module = result["module"]
    for item in result["entries"]:
        if not item["loaded"]:
            lines.append(f"{item['entry']}: does not load {module} at import time")
            continue
        n = len(item["chains"])
        lines.append(f"{item['entry']} loads {module} through {n} shortest chain{'s' if n != 1 else ''}:")
        for i, hops in enumerate(item["chains"], 1):
            lines.append(f"  chain {i}:")
            for hop in hops:
                where = f"{hop['path']}:{hop['line']}" if hop["line"] else hop["path"]
                how = hop["kind"] if hop["kind"] != "parent" else "parent package runs first"
                via = f", {hop['via']}" if hop.get("via") else ""
                lines.append(f"    {hop['importer']} -> {hop['imported']}  ({where}, {how}{via})")
    return "\n".join(lines) + "\n"

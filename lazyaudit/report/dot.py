"""The `graph` command's diagram: DOT through pydot, SVG/PNG/PDF through Graphviz's `dot` when installed."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lazyaudit.errors import LazyauditError

if TYPE_CHECKING:
    from lazyaudit.analysis import Project
    from lazyaudit.report.dot_view import Link, Node, View

FORMATS = {".dot": "dot", ".gv": "dot", ".svg": "svg", ".png": "png", ".pdf": "pdf"}
INSTALL_HINT = "install graphviz (Debian: apt-get install graphviz)"
FONT = "Helvetica"
# ColorBrewer OrRd: (lowest share, fill, text colour); white for "costs next to nothing".
PALETTE = (
    (0.0, "#ffffff", "black"), (0.01, "#fff7ec", "black"), (0.02, "#fee8c8", "black"), (0.05, "#fdd49e", "black"),
    (0.10, "#fdbb84", "black"), (0.20, "#fc8d59", "black"), (0.35, "#ef6548", "black"), (0.50, "#d7301f", "white"),
    (0.75, "#990000", "white"),
)
CONCENTRATE = 120  # edges above which parallel edges are merged
_DEFERRED = ("deferred", "main")
_DOTTED = ("type_checking", "lazy")


def draw(project: Project, args: Any, profile: Mapping[str, Any] | None) -> str:
    """Build the view the flags ask for, write `args.output` and say what was written (one line)."""
    from lazyaudit.report.dot_view import ViewError, select

    dot = shutil.which("dot")
    output = Path(getattr(args, "output", None) or ("importgraph.svg" if dot else "importgraph.dot"))
    fmt = FORMATS.get(output.suffix.lower())
    if fmt is None:
        raise LazyauditError(f"cannot tell the format of {output}: use .dot, .gv, .svg, .png or .pdf")
    graph, opts, dists, skipped = _inputs(project, args)
    try:
        view = select(graph, opts, profile=profile, dists=dists)
    except ViewError as exc:
        raise LazyauditError(str(exc)) from None
    text = to_dot(view, cluster=getattr(args, "cluster", True), rankdir=getattr(args, "rankdir", "LR") or "LR")
    summary = f"{len(view.nodes)} nodes, {len(view.links)} edges: {view.title.splitlines()[1]}"
    if skipped:
        summary += f" (skipped entries not found: {', '.join(skipped)})"
    return write(text, output, fmt, dot) + f" ({summary})"


def _inputs(project: Project, args: Any) -> tuple[Any, Any, dict[str, tuple[str, int]], list[str]]:
    from lazyaudit.report.dot_view import Options

    wanted = list(getattr(args, "entry", None) or [])
    views = project.views()
    skipped = sorted(v.entry.spec for v in views if not v.found)
    chosen = [v for v in views if v.found and (not wanted or v.entry.spec in wanted or v.entry.module in wanted)]
    if wanted and not chosen:
        raise LazyauditError(f"no entry point {', '.join(wanted)} found in the project")
    roots = sorted({v.entry.root for v in chosen}) or [""]
    graph = project.graph(roots[0])
    for root in roots[1:]:  # functions with their own code folder (SAM CodeUri): one drawing, several roots
        graph.update(project.graph(root))
    # Tests, docs and scripts never ship, so they never start cold; drawn, they would crowd --all.
    files = getattr(getattr(project, "sources", None), "files", ())
    dev = _with_parents(f.module for f in files if f.dev) - _with_parents(f.module for f in files if not f.dev)
    dev -= {v.entry.module for v in chosen}
    if dev & set(graph):
        graph = graph.copy()
        graph.remove_nodes_from(sorted(dev & set(graph)))
    opts = Options(
        entries=tuple(sorted({v.entry.spec for v in chosen})), focus=getattr(args, "focus", None) or "",
        reverse=bool(getattr(args, "reverse", False)), max_depth=int(getattr(args, "max_depth", 0) or 0),
        all=bool(getattr(args, "all", False)),
    )
    dists = {d.name: (d.version, d.size) for d in project.env.distributions}
    return graph, opts, dists, skipped


def _with_parents(modules: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for name in modules:
        parts = name.split(".")
        out.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return out


def write(text: str, output: Path, fmt: str, dot: str | None) -> str:
    """Write DOT, or have Graphviz render it; without Graphviz, write the .dot next to the asked-for file."""
    import subprocess  # only rendering runs Graphviz
    import tempfile

    from lazyaudit.fileio import write_text_atomic

    if fmt == "dot":
        write_text_atomic(output, text)
        return f"wrote {output}"
    if dot is None:
        fallback = output.with_suffix(".dot")
        write_text_atomic(fallback, text)
        return f"graphviz's dot not found: wrote {fallback} instead of {output}; {INSTALL_HINT}"
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".lazyaudit-tmp", dir=output.parent or ".")
    os.close(fd)
    try:
        command = [dot, f"-T{fmt}", "-o", tmp]
        done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True, check=False)
        if done.returncode != 0 and "concentrate=true;" in text:
            # Some Graphviz releases crash merging edges around clusters; the unmerged drawing still works.
            text = text.replace("concentrate=true;\n", "")
            done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True, check=False)
        if done.returncode != 0:
            fallback = output.with_suffix(".dot")
            write_text_atomic(fallback, text)
            reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise LazyauditError(f"dot -T{fmt} failed ({reason[-1] if reason else done.returncode}); wrote {fallback}")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would make the picture private to its writer
        os.replace(tmp, output)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return f"wrote {output}"


def to_dot(view: View, *, cluster: bool = True, rankdir: str = "LR") -> str:
    """The DOT text of a view; nodes, edges and attributes sorted, so equal views give equal bytes."""
    import pydot  # the one module that needs it; the CLI pays for it only when drawing

    attrs = {
        "rankdir": rankdir, "label": "\\l".join(view.title.splitlines()) + "\\l", "labelloc": "t", "labeljust": "l",
        "fontname": FONT, "fontsize": "12", "nodesep": "0.15", "ranksep": "0.45", "remincross": "true",
        "tooltip": "lazyaudit import graph",
    }
    if len(view.links) > CONCENTRATE:
        # Merged edges lose their own style, so only an overview too dense to read edge by edge gets them.
        attrs["concentrate"] = "true"
    graph = pydot.Dot("imports", graph_type="digraph", **_sorted(attrs))
    graph.set_node_defaults(**_sorted({"shape": "box", "style": "filled,rounded", "fontname": FONT, "fontsize": "10",
                                       "height": "0.3", "margin": "0.08,0.03", "color": "#666666", "penwidth": "0.8"}))
    graph.set_edge_defaults(**_sorted({"color": "#555555", "arrowsize": "0.6", "penwidth": "0.8"}))
    packages: dict[str, list[Node]] = {}
    for node in view.nodes:
        packages.setdefault(node.package if cluster else "", []).append(node)
    loose = list(packages.pop("", []))
    for package in sorted(packages):
        members = packages[package]
        if len(members) < 2:  # a one-node box only adds ink
            loose.extend(members)
            continue
        sub = pydot.Cluster(package, **_sorted({
            "label": package, "style": "rounded,filled", "fillcolor": "#f5f5f5", "color": "#b0b0b0",
            "fontsize": "10", "fontname": FONT, "tooltip": f"package {package}",
        }))
        for node in members:
            sub.add_node(pydot.Node(node.id, **_node_attrs(node, short=True)))
        graph.add_subgraph(sub)  # type: ignore[arg-type]  # pydot's stubs miss that a Cluster is a subgraph
    for node in sorted(loose, key=lambda n: n.id):
        graph.add_node(pydot.Node(node.id, **_node_attrs(node, short=False)))
    for link in view.links:
        graph.add_edge(pydot.Edge(link.source, link.target, **_edge_attrs(link)))
    graph.add_subgraph(_legend(pydot, _styles(view)))
    return graph.to_string()


def fill(share: float) -> tuple[str, str]:
    """(fill, font colour) of a node whose import costs `share` of the view."""
    colour = PALETTE[0]
    for step in PALETTE:
        if share >= step[0]:
            colour = step
    return colour[1], colour[2]


def _node_attrs(node: Node, *, short: bool) -> dict[str, Any]:
    background, font = fill(node.share)
    attrs = {"label": node.short if short else node.label, "tooltip": node.tooltip, "fillcolor": background,
             "fontcolor": font}
    if node.kind == "distribution":
        attrs.update(shape="box3d", style="filled")
    elif node.kind == "stdlib":
        attrs.update(shape="folder", style="filled", fillcolor="#eeeeee", fontcolor="black")
    if node.missing:
        attrs.update(style="dashed" if node.kind != "first_party" else "dashed,rounded", fillcolor="#ffffff",
                     fontcolor="#777777")
    if node.entry:
        attrs.update(penwidth="2.2", color="black", peripheries="2")
    if node.focus:
        attrs.update(penwidth="2.5", color="#b30000")
    return _sorted(attrs)


def _edge_attrs(link: Link) -> dict[str, Any]:
    attrs = {"tooltip": f"{link.source} -> {link.target}\n{link.tooltip}"}
    if link.kind in _DOTTED:
        attrs["style"] = "dotted"
    elif link.kind in _DEFERRED or not link.executed:
        attrs["style"] = "dashed"
    if link.kind == "parent":
        attrs.update(color="#999999", arrowhead="onormal")
    if link.hot:
        attrs.update(color="#b30000", penwidth="2.2")
    return _sorted(attrs)


_LEGEND_EDGES: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("hot", "chain to one of the heaviest imports", {"color": "#b30000", "penwidth": "2.2"}),
    ("eager", "import that runs at start", {}),
    ("dashed", "deferred: inside a function", {"style": "dashed"}),
    ("dotted", "TYPE_CHECKING or lazy import", {"style": "dotted"}),
    ("parent", "its package's __init__ runs first", {"color": "#999999", "arrowhead": "onormal"}),
)


def _styles(view: View) -> set[str]:
    """Which edge styles the view uses, so the legend explains only those."""
    out = {"eager"}
    for link in view.links:
        attrs = _edge_attrs(link)
        out.add("hot" if link.hot else "parent" if link.kind == "parent" else attrs.get("style", "eager"))
    return out


def _legend(pydot: Any, styles: set[str]) -> Any:
    """A cluster with the colour scale, the node shapes, and one real edge per edge style in use."""
    sub = pydot.Cluster("[legend]", **_sorted({"label": "legend", "fontname": FONT, "fontsize": "10", "style": "rounded",
                                              "color": "#b0b0b0", "tooltip": "legend"}))
    sub.add_node(pydot.Node("[legend]", **_sorted({"label": legend_table(), "shape": "plaintext", "style": "",
                                                   "margin": "0", "tooltip": "legend"})))
    # The table shares the rank of the edge labels, so the sample edges stay short.
    sub.add_edge(pydot.Edge("[legend 0a]", "[legend]", style="invis"))
    for i, (_, text, style) in enumerate(e for e in _LEGEND_EDGES if e[0] in styles):
        a, b = f"[legend {i}a]", f"[legend {i}b]"
        sub.add_node(pydot.Node(a, label="", shape="point", style="invis", width="0.1", tooltip="legend"))
        sub.add_node(pydot.Node(b, **_sorted({"label": text, "shape": "plaintext", "style": "", "margin": "0",
                                              "height": "0.2", "tooltip": "legend"})))
        sub.add_edge(pydot.Edge(a, b, **_sorted({**style, "tooltip": text, "weight": "50"})))
    return sub


def legend_table() -> str:
    """An HTML-like table: the colour scale and the node shapes."""
    swatches = "".join(
        f'<td bgcolor="{bg}"><font color="{fg}">{"&lt;1" if low == 0 else f"{low * 100:.0f}"}%</font></td>'
        for low, bg, fg in PALETTE
    )
    span = f'<td align="left" colspan="{len(PALETTE)}">'
    return (
        '<<table border="0" cellborder="0" cellspacing="1" cellpadding="2">'
        f"<tr>{span}<b>fill: share of the load that importing the node costs</b></td></tr>"
        f"<tr>{swatches}</tr>"
        f"<tr>{span}box: first-party module; grey frame: its package</td></tr>"
        f"<tr>{span}double frame: entry point; red frame: --focus</td></tr>"
        f"<tr>{span}3-D box: distribution: modules loaded · installed size · own time</td></tr>"
        f"<tr>{span}~ estimated (0.3 ms a module); <i>lazyaudit profile --save</i> measures</td></tr></table>>"
    )


def _sorted(attrs: Mapping[str, str]) -> dict[str, Any]:
    return dict(sorted(attrs.items()))

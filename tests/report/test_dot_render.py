"""DOT text and files: goldens, byte-identical output for shuffled input, Graphviz rendering and its fallback."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from argparse import Namespace
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import pytest
from test_dot_samples import seed_graph, synthetic_graph, synthetic_spec

from lazyaudit.errors import LazyauditError
from lazyaudit.model import Distribution, Entry
from lazyaudit.report import dot
from lazyaudit.report.dot_view import Options, select

DATA = Path(__file__).parent / "data"
API = "src.handlers.api.app:handler"
HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="graphviz's dot is not installed")


def check_golden(name: str, actual: str) -> None:
    """Compare with tests/report/data/<name>; UPDATE_GOLDEN=1 rewrites it instead (review the diff)."""
    path = DATA / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8", newline="\n")
        return
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8"), f"{name} changed; run with UPDATE_GOLDEN=1 and review the diff"


DISTS = {"boto3": ("1.35.0", 1_100_000), "botocore": ("1.35.0", 24_300_000), "aws-xray-sdk": ("2.14.0", 400_000)}
CASES = {
    "graph_seed_entry.dot": (Options(entries=(API,)), {}),
    "graph_seed_focus.dot": (Options(entries=(API,), focus="aws_xray_sdk"), {"rankdir": "TB"}),
    "graph_seed_reverse.dot": (Options(focus="pydantic", reverse=True), {"cluster": False}),
    "graph_seed_all.dot": (Options(all=True, entries=(API,)), {}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str) -> None:
    opts, style = CASES[name]
    check_golden(name, dot.to_dot(select(seed_graph(), opts, dists=DISTS), **style))


def test_golden_synthetic_150() -> None:
    spec = synthetic_spec(150)
    check_golden("graph_synthetic150.dot", dot.to_dot(select(synthetic_graph(spec), Options(entries=(spec.entry,)))))


def shuffled(graph: nx.DiGraph, seed: int) -> nx.DiGraph:
    rnd = random.Random(seed)
    nodes = list(graph.nodes(data=True))
    edges = list(graph.edges(data=True))
    rnd.shuffle(nodes)
    rnd.shuffle(edges)
    out = nx.DiGraph()
    for n, d in nodes:
        out.add_node(n, **dict(rnd.sample(sorted(d.items()), len(d))))
    for u, v, d in edges:
        out.add_edge(u, v, **{**d, "sites": rnd.sample(d["sites"], len(d["sites"]))})
    return out


@pytest.mark.parametrize("opts", [Options(entries=(API,)), Options(all=True), Options(focus="boto3", reverse=True)])
def test_shuffled_input_gives_identical_dot(opts: Options) -> None:
    want = dot.to_dot(select(seed_graph(), opts, dists=DISTS))
    for seed in range(5):
        assert dot.to_dot(select(shuffled(seed_graph(), seed), opts, dists=DISTS)) == want


def test_shuffled_synthetic_project_gives_identical_dot() -> None:
    spec = synthetic_spec(150)
    for opts in (Options(entries=(spec.entry,)), Options(all=True)):
        want = dot.to_dot(select(synthetic_graph(spec), opts))
        assert dot.to_dot(select(shuffled(synthetic_graph(spec), 3), opts)) == want


def test_edge_styles_follow_the_import_kind() -> None:
    text = dot.to_dot(select(seed_graph(), Options(all=True)))
    assert '"src.handlers.core_main" -> "[jsonschema]" [style=dashed' in text
    assert '"src.handlers.core_main" -> "src.common.statebag" [style=dotted' in text
    assert '"src.common.timeutils" -> "src.common" [arrowhead=onormal, color="#999999"' in text


def test_nodes_are_coloured_by_cost_and_clustered_by_package() -> None:
    text = dot.to_dot(select(seed_graph(), Options(entries=(API,))))
    assert 'subgraph "cluster_src.common" {' in text
    assert '"src.handlers.api.app" [color=black, fillcolor="#990000"' in text  # the entry pays for everything
    assert 'subgraph "cluster_src.common"' not in dot.to_dot(select(seed_graph(), Options(entries=(API,))),
                                                             cluster=False)


def test_fill_palette_is_sequential() -> None:
    assert dot.fill(0.0) == ("#ffffff", "black")
    assert dot.fill(0.6) == ("#d7301f", "white")
    assert dot.fill(1.0) == ("#990000", "white")


# -- draw(): a project stand-in, so that these run without parsing a real project ------------------
@dataclass
class View:
    entry: Entry
    found: bool = True


@dataclass
class Env:
    distributions: tuple[Distribution, ...] = ()


@dataclass
class FakeProject:
    entries: list[Entry] = field(default_factory=lambda: [Entry("src.handlers.api.app", "handler", "cli")])
    env: Env = field(default_factory=lambda: Env((Distribution("boto3", "1.35.0", size=1_100_000),)))

    def views(self) -> list[View]:
        return [View(e) for e in self.entries]

    def graph(self, entry_root: str = "") -> nx.DiGraph:
        return seed_graph()


def args(tmp_path: Path, output: str | None, **kw: object) -> Namespace:
    base = {"entry": [], "focus": None, "reverse": False, "max_depth": 0, "all": False, "cluster": True, "rankdir": "LR"}
    base.update(kw)
    return Namespace(output=None if output is None else str(tmp_path / output), **base)


@needs_dot
@pytest.mark.parametrize("name,magic", [("out.svg", b"<?xml"), ("out.png", b"\x89PNG"), ("out.pdf", b"%PDF")])
def test_renders_with_graphviz(tmp_path: Path, name: str, magic: bytes) -> None:
    message = dot.draw(FakeProject(), args(tmp_path, name), None)
    assert message.startswith(f"wrote {tmp_path / name} (")
    assert (tmp_path / name).read_bytes().startswith(magic)
    assert not [p for p in tmp_path.iterdir() if p.name != name]  # no temp files left behind


@needs_dot
def test_svg_carries_import_sites_as_tooltips(tmp_path: Path) -> None:
    dot.draw(FakeProject(), args(tmp_path, "out.svg"), None)
    svg = (tmp_path / "out.svg").read_text(encoding="utf-8")
    assert "src/common/aws_clients.py:5: boto3 (eager)" in svg


def test_dot_output_needs_no_graphviz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    message = dot.draw(FakeProject(), args(tmp_path, "out.gv"), None)
    assert message.startswith(f"wrote {tmp_path / 'out.gv'}")
    assert (tmp_path / "out.gv").read_text(encoding="utf-8").startswith("digraph imports {")


def test_without_graphviz_the_dot_file_is_written_instead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    message = dot.draw(FakeProject(), args(tmp_path, "api.svg"), None)
    assert message.startswith(f"graphviz's dot not found: wrote {tmp_path / 'api.dot'} instead of {tmp_path / 'api.svg'}")
    assert "apt-get install graphviz" in message
    assert (tmp_path / "api.dot").exists() and not (tmp_path / "api.svg").exists()


def test_default_output_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    dot.draw(FakeProject(), args(tmp_path, None), None)
    assert (tmp_path / "importgraph.dot").exists()


def test_unknown_extension_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(LazyauditError, match="use .dot, .gv, .svg, .png or .pdf"):
        dot.draw(FakeProject(), args(tmp_path, "out.jpeg"), None)


def test_bad_focus_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(LazyauditError, match="--focus nowhere"):
        dot.draw(FakeProject(), args(tmp_path, "out.dot", focus="nowhere"), None)


def test_unknown_entry_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(LazyauditError, match="no entry point nope"):
        dot.draw(FakeProject(), args(tmp_path, "out.dot", entry=["nope"]), None)


def test_importing_the_renderer_stays_cheap() -> None:
    code = "import sys, lazyaudit.report.dot; print(sorted({'pydot', 'networkx', 'libcst'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@needs_dot
def test_150_module_project_renders_quickly_to_png(tmp_path: Path) -> None:
    spec = synthetic_spec(150)
    graph = synthetic_graph(spec)
    for name, opts in (("entry.png", Options(entries=(spec.entry,))), ("all.png", Options(all=True))):
        start = time.perf_counter()
        text = dot.to_dot(select(graph, opts))
        dot.write(text, tmp_path / name, "png", shutil.which("dot"))
        assert time.perf_counter() - start < 30
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")

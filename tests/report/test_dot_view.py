"""What the import diagram shows: default chains, --focus, --reverse, --max-depth, --all, pruning, costs."""

from __future__ import annotations

import networkx as nx
import pytest
from test_dot_samples import add_fp, imp, seed_graph, synthetic_graph, synthetic_spec

from lazyaudit.report import dot_reach
from lazyaudit.report.dot_view import NODE_BUDGET, Options, ViewError, select

API = "src.handlers.api.app:handler"
CORE = "src.handlers.core_main"


def edges(**opts: object) -> list[str]:
    return select(seed_graph(), Options(**opts)).edge_strings()  # type: ignore[arg-type]


def test_default_view_draws_the_seed_chain_through_the_eager_init() -> None:
    got = edges(entries=(API,))
    for edge in ("src.handlers.api.app -> src.common", "src.common -> src.common.aws_clients",
                 "src.common.aws_clients -> [boto3]", "src.common -> src.common.logging_utils",
                 "src.common.logging_utils -> [aws-xray-sdk]", "[boto3] -> [botocore]"):
        assert edge in got
    assert not [e for e in got if "[stdlib]" in e or "jsonschema" in e]


def test_default_view_marks_the_heaviest_chains_hot() -> None:
    view = select(seed_graph(), Options(entries=(API,)))
    hot = [f"{lk.source} -> {lk.target}" for lk in view.links if lk.hot]
    assert "src.common.aws_clients -> [boto3]" in hot and "[boto3] -> [botocore]" in hot
    assert "chains to the" in view.title


def test_light_modules_off_every_heavy_chain_are_left_out() -> None:
    nodes = {n.id for n in select(seed_graph(), Options(entries=(API,))).nodes}
    assert "src.common.timeutils" not in nodes  # loaded, but leads to nothing heavy
    assert {"src.handlers.api.app", "src.common", "[boto3]", "[botocore]", "[aws-xray-sdk]"} <= nodes


def test_distribution_nodes_carry_modules_size_and_time() -> None:
    view = select(seed_graph(), Options(entries=(API,)), dists={"botocore": ("1.35.0", 24_300_000)})
    label = {n.id: n.label for n in view.nodes}["[botocore]"]
    assert label == "botocore\n200 modules · 24.3 MB · ~60 ms"


def test_measured_times_replace_the_estimate() -> None:
    profile = {"self_ms": {"botocore": 150.0, **{f"botocore.m{i:03d}": 0.5 for i in range(1, 200)}}}
    view = select(seed_graph(), Options(entries=(API,)), profile=profile)
    assert {n.id: n.label for n in view.nodes}["[botocore]"] == "botocore\n200 modules · 250 ms"


def test_focus_keeps_only_chains_to_a_distribution_or_module() -> None:
    by_dist = edges(entries=(API,), focus="aws-xray-sdk")
    assert by_dist == edges(entries=(API,), focus="aws_xray_sdk")  # module or distribution name
    assert by_dist == ["src.common -> src.common.logging_utils", "src.common.logging_utils -> [aws-xray-sdk]",
                       "src.handlers.api.app -> src.common"]


def test_focus_on_a_module_the_entry_never_loads_is_an_error() -> None:
    with pytest.raises(ViewError, match="jsonschema is not loaded at the cold start"):
        edges(entries=(API,), focus="jsonschema")
    with pytest.raises(ViewError, match="no such module"):
        edges(entries=(API,), focus="nothing.here")


def test_reverse_lists_who_imports_a_module_anywhere() -> None:
    got = edges(entries=(API,), focus="pydantic", reverse=True, max_depth=1)
    assert got == ["src.common.statebag -> [pydantic]", "src.handlers.api.app -> [pydantic]"]
    deeper = edges(focus="pydantic", reverse=True)
    assert "src.handlers.core_main -> src.common.timeutils" in deeper  # via the package __init__


def test_reverse_needs_focus() -> None:
    with pytest.raises(ViewError, match="--reverse needs --focus"):
        edges(reverse=True)


def test_max_depth_counts_hops_from_the_entry() -> None:
    assert edges(entries=(API,), max_depth=1) == ["src.handlers.api.app -> [pydantic]",
                                                  "src.handlers.api.app -> src.common"]


def test_all_shows_every_kind_of_first_party_import() -> None:
    view = select(seed_graph(), Options(all=True))
    kinds = {lk.source + " -> " + lk.target: lk.kind for lk in view.links}
    assert kinds["src.handlers.core_main -> [jsonschema]"] == "deferred"
    assert kinds["src.handlers.core_main -> src.common.statebag"] == "type_checking"
    assert kinds["src.common.aws_clients -> [stdlib]"] == "eager"
    missing = {n.id for n in view.nodes if n.missing}
    assert missing == {"[jsonschema]"}
    assert "[botocore]" not in kinds.values() and not [k for k in kinds if k.startswith("[boto3]")]


def test_without_entries_the_whole_first_party_graph_is_drawn() -> None:
    view = select(seed_graph(), Options())
    assert "src.handlers.core_main -> src.common.timeutils" in view.edge_strings()
    assert "[stdlib]" not in {n.id for n in view.nodes}  # stdlib only with --all
    assert view.title.startswith("all first-party modules")


def test_entry_label_names_the_handler() -> None:
    view = select(seed_graph(), Options(entries=(API,)))
    entry = [n for n in view.nodes if n.entry]
    assert [n.short.splitlines()[0] for n in entry] == ["app:handler"]


def test_isolated_entry_is_still_drawn() -> None:
    g = nx.DiGraph()
    add_fp(g, "lonely")
    view = select(g, Options(entries=("lonely",)))
    assert [n.id for n in view.nodes] == ["lonely"] and view.links == []


def test_big_views_keep_only_shortest_chains_and_hide_implied_edges() -> None:
    spec = synthetic_spec(150)
    view = select(synthetic_graph(spec), Options(entries=(spec.entry,)))
    assert len(view.nodes) <= NODE_BUDGET
    whole = select(synthetic_graph(spec), Options(all=True))
    assert any("edges hidden" in note for note in whole.notes)


def test_hiding_implied_edges_keeps_what_reaches_what() -> None:
    spec = synthetic_spec(150)
    g = synthetic_graph(spec)
    full = select(g, Options(all=True))
    pairs = [(lk.source, lk.target) for lk in full.links]
    nodes = sorted({n for p in pairs for n in p})
    succ = {n: sorted(v for u, v in pairs if u == n) for n in nodes}
    kept = [p for p in pairs if p not in dot_reach.redundant_edges(nodes, pairs)]
    succ_kept = {n: sorted(v for u, v in kept if u == n) for n in nodes}
    assert dot_reach.closures(nodes, succ)[1] == dot_reach.closures(nodes, succ_kept)[1]
    assert len(kept) < len(pairs)


def test_redundant_edges_never_break_a_cycle() -> None:
    nodes = ["a", "b", "c", "d"]
    pairs = [("a", "b"), ("b", "a"), ("a", "c"), ("b", "c"), ("c", "d"), ("a", "d")]
    assert dot_reach.redundant_edges(nodes, pairs) == {("a", "d")}  # a <-> b stay, though each implies the other


def test_components_and_depths() -> None:
    succ = {"a": ["b"], "b": ["a", "c"], "c": []}
    assert dot_reach.components(["a", "b", "c"], succ) == [["c"], ["a", "b"]]
    assert dot_reach.depths(["a"], succ) == {"a": 0, "b": 1, "c": 2}
    assert dot_reach.shortest_path(["a"], "c", succ) == ["a", "b", "c"]


def test_shared_package_submodule_pays_for_the_package_init() -> None:
    g = seed_graph()
    imp(g, "src.handlers.core_main", "src.common.timeutils")
    view = select(g, Options(entries=(CORE,), focus="boto3"))
    assert "src.common.timeutils -> src.common" in view.edge_strings()  # the parent edge explains the cost

"""Sample import graphs for the DOT tests: a SEED-like chain, and a synthetic project of any size (graph or files)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

# Installed code the synthetic project imports, with how many modules each loads (about what they do).
DISTS = {"boto3": ("boto3", 60), "botocore": ("botocore", 300), "pydantic": ("pydantic", 120),
         "requests": ("requests", 40), "yaml": ("pyyaml", 17), "langchain_core": ("langchain-core", 250)}
LAYERS = ("utils", "config", "models", "db", "clients", "services", "workflows", "ai", "api", "workers")
_THIRD = {"config": ["yaml"], "models": ["pydantic"], "db": ["boto3"], "clients": ["requests", "boto3"],
          "ai": ["langchain_core"], "api": ["pydantic"]}


def add_fp(g: nx.DiGraph, name: str, *, package: bool = False) -> None:
    path = name.replace(".", "/") + ("/__init__.py" if package else ".py")
    g.add_node(name, category="first_party", distribution="", path=path, is_package=package, native=False,
               source_bytes=800)


def add_tp(g: nx.DiGraph, name: str, dist: str) -> None:
    g.add_node(name, category="third_party", distribution=dist, path=f"/venv/{name.replace('.', '/')}.py",
               is_package=False, native=False, source_bytes=4000)


def add_std(g: nx.DiGraph, name: str) -> None:
    g.add_node(name, category="stdlib", distribution="", path=f"/usr/lib/{name}.py", is_package=False,
               native=False, source_bytes=2000)


def imp(g: nx.DiGraph, u: str, v: str, kind: str = "eager", line: int = 1) -> None:
    """One import edge as lazyaudit.graph.build_graph records it."""
    executed = kind in ("eager", "parent", "guarded", "conditional", "dynamic")
    site = (g.nodes[u]["path"], line, kind)
    if g.has_edge(u, v):
        g.edges[u, v]["sites"].append(site)
        return
    g.add_edge(u, v, kind=kind, executed=executed, sites=[site], via="")


def add_dist(g: nx.DiGraph, top: str, dist: str, modules: int) -> None:
    """A distribution of `modules` modules that its top-level module imports eagerly."""
    add_tp(g, top, dist)
    for i in range(1, modules):
        add_tp(g, f"{top}.m{i:03d}", dist)
        imp(g, top if i < 10 else f"{top}.m{i // 10:03d}", f"{top}.m{i:03d}")


def seed_graph() -> nx.DiGraph:
    """The SEED.md chain in small: handler -> src.common (eager __init__) -> aws_xray_sdk, boto3."""
    g = nx.DiGraph()
    for pkg in ("src", "src.common", "src.handlers", "src.handlers.api"):
        add_fp(g, pkg, package=True)
    for mod in ("src.common.aws_clients", "src.common.logging_utils", "src.common.timeutils",
                "src.common.statebag", "src.handlers.api.app", "src.handlers.core_main"):
        add_fp(g, mod)
    add_dist(g, "boto3", "boto3", 40)
    add_dist(g, "botocore", "botocore", 200)
    imp(g, "boto3", "botocore", line=3)
    add_dist(g, "aws_xray_sdk", "aws-xray-sdk", 30)
    imp(g, "aws_xray_sdk.m005", "botocore.m010", line=9)
    add_dist(g, "pydantic", "pydantic", 90)
    add_dist(g, "jsonschema", "jsonschema", 60)
    add_std(g, "os")
    add_std(g, "json")
    for mod in ("src.handlers.api.app", "src.handlers.core_main", "src.handlers.api", "src.handlers"):
        parent = mod.rpartition(".")[0]
        imp(g, mod, parent, "parent", 0)
    for mod in ("src.common.aws_clients", "src.common.logging_utils", "src.common.timeutils", "src.common.statebag",
                "src.common"):
        imp(g, mod, mod.rpartition(".")[0], "parent", 0)
    imp(g, "src.handlers.api.app", "pydantic", line=5)
    imp(g, "src.handlers.api.app", "src.common", line=7)
    imp(g, "src.handlers.core_main", "src.common.timeutils", line=3)
    imp(g, "src.handlers.core_main", "jsonschema", "deferred", 30)
    imp(g, "src.handlers.core_main", "src.common.statebag", "type_checking", 8)
    for i, mod in enumerate(("aws_clients", "logging_utils", "statebag", "timeutils")):
        imp(g, "src.common", f"src.common.{mod}", line=3 + i)
    imp(g, "src.common.aws_clients", "boto3", line=5)
    imp(g, "src.common.aws_clients", "os", line=3)
    imp(g, "src.common.logging_utils", "aws_xray_sdk", line=4)
    imp(g, "src.common.logging_utils", "json", line=2)
    imp(g, "src.common.statebag", "pydantic", line=3)
    return g


@dataclass
class Spec:
    """A synthetic first-party project: module -> [(target, kind)], plus which modules are packages."""

    top: str
    imports: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    packages: set[str] = field(default_factory=set)

    @property
    def entry(self) -> str:
        return f"{self.top}.api.handler"


def synthetic_spec(modules: int = 150, *, seed: int = 7, top: str = "shop") -> Spec:
    """A layered project (utils < models < db < ... < api) of about `modules` modules, with __init__ re-exports."""
    rnd = random.Random(seed)
    spec = Spec(top)
    spec.packages.add(top)
    spec.imports[top] = []
    per = max(2, (modules - 1) // len(LAYERS) - 1)
    names: dict[str, list[str]] = {}
    for layer in LAYERS:
        pkg = f"{top}.{layer}"
        spec.packages.add(pkg)
        spec.imports[pkg] = []
        names[layer] = [f"{pkg}.{'handler' if layer == 'api' and i == 0 else f'{layer}_{i:02d}'}" for i in range(per)]
        for mod in names[layer]:
            spec.imports[mod] = []
    for li, layer in enumerate(LAYERS):
        pkg = f"{top}.{layer}"
        spec.imports[pkg] = [(m, "eager") for m in rnd.sample(names[layer], min(3, per))]
        lower = [m for lay in LAYERS[: li + 1] for m in names[lay]]
        for mod in names[layer]:
            for target in rnd.sample(lower, min(len(lower), rnd.randint(1, 3))):
                if target == mod:
                    continue
                roll = rnd.random()
                kind = "deferred" if roll < 0.1 else "type_checking" if roll < 0.18 else "eager"
                spec.imports[mod].append((target, kind))
            if layer in _THIRD and rnd.random() < 0.6:
                dist = rnd.choice(_THIRD[layer])
                spec.imports[mod].append((dist, "deferred" if layer == "ai" and rnd.random() < 0.5 else "eager"))
            if rnd.random() < 0.5:
                spec.imports[mod].append(("json", "eager"))
    # The handler reaches every layer through package re-exports, as SEED's handlers did.
    spec.imports[spec.entry] += [(f"{top}.{lay}", "eager") for lay in ("services", "workflows", "ai")]
    return spec


def synthetic_graph(spec: Spec) -> nx.DiGraph:
    """The graph lazyaudit.graph.build_graph would give for the spec's files."""
    g = nx.DiGraph()
    for mod in sorted(spec.imports):
        add_fp(g, mod, package=mod in spec.packages)
    used = {t for targets in spec.imports.values() for t, _ in targets if t in DISTS}
    for top in sorted(used):
        add_dist(g, top, *DISTS[top])
    if "boto3" in used:
        if "botocore" not in used:
            add_dist(g, "botocore", *DISTS["botocore"])
        imp(g, "boto3", "botocore", line=3)
    add_std(g, "json")
    for mod, targets in sorted(spec.imports.items()):
        if "." in mod:
            imp(g, mod, mod.rpartition(".")[0], "parent", 0)
        for line, (target, kind) in enumerate(targets, start=2):
            imp(g, mod, target, kind, line)
    return g


def write_project(spec: Spec, root: Path) -> Path:
    """The spec as real files (runnable only where its third-party imports are installed)."""
    for mod, targets in sorted(spec.imports.items()):
        path = root / (mod.replace(".", "/") + ("/__init__.py" if mod in spec.packages else ".py"))
        path.parent.mkdir(parents=True, exist_ok=True)
        eager = [f"import {t}" for t, k in targets if k == "eager"]
        typing = [f"    import {t}" for t, k in targets if k == "type_checking"]
        deferred = [f"    import {t}" for t, k in targets if k == "deferred"]
        lines = [f'"""Synthetic module {mod}."""', "", "from __future__ import annotations", ""]
        if typing:
            lines += ["from typing import TYPE_CHECKING", "", *eager, "", "if TYPE_CHECKING:", *typing]
        else:
            lines += eager
        lines += ["", "", "def work():", *deferred, "    return 1", ""]
        if mod == spec.entry:
            lines += ["", "def handler(event, context):", "    return work()", ""]
        path.write_text("\n".join(lines), encoding="utf-8")
    return root

"""Module-level names that hold interpreter facts (`WIN = sys.platform.startswith("win")`), inlined into conditions."""

from __future__ import annotations

import ast
import copy
from collections.abc import Mapping

# Modules whose attributes describe the interpreter and host: conditions.evaluate knows them.
FACT_MODULES = frozenset({"sys", "os", "platform"})
_NODES = (ast.Constant, ast.Name, ast.Attribute, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Subscript,
          ast.Slice, ast.Tuple, ast.Call, ast.Load, ast.cmpop, ast.boolop, ast.unaryop, ast.keyword)
_MAX_NODES = 60  # a fact is a short expression; anything longer is not worth inlining into every condition


def fact_value(value: ast.expr | None, origins: Mapping[str, str], facts: Mapping[str, ast.expr]) -> ast.expr | None:
    """`value` rewritten over canonical names (`_sys.platform` -> `sys.platform`, earlier facts inlined)
    when it reads only interpreter facts and literals; None when it is anything else."""
    if value is None:
        return None
    nodes = list(ast.walk(value))
    if len(nodes) > _MAX_NODES or not all(isinstance(n, _NODES) for n in nodes):
        return None
    for node in nodes:
        if isinstance(node, ast.Call) and not isinstance(node.func, ast.Attribute):
            return None  # a plain call may do anything; methods of facts (`.startswith`) and modules are fine
    names = [n for n in nodes if isinstance(n, ast.Name)]
    if not names or any(n.id not in facts and _fact_origin(origins.get(n.id, "")) is None for n in names):
        return None
    return inline(value, facts, origins)


def inline(test: ast.expr, facts: Mapping[str, ast.expr], origins: Mapping[str, str] | None = None) -> ast.expr:
    """`test` with fact names replaced by their expressions (and, given origins, module aliases by their names);
    the same object when nothing changes, so conditions without facts keep their text."""
    if not facts and not origins:
        return test
    hits = [n for n in ast.walk(test) if isinstance(n, ast.Name)
            and (n.id in facts or (origins is not None and _fact_origin(origins.get(n.id, "")) not in (None, n.id)))]
    if not hits:
        return test

    class _Inline(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            if node.id in facts:
                return copy.deepcopy(facts[node.id])
            origin = _fact_origin(origins.get(node.id, "")) if origins is not None else None
            return ast.parse(origin, mode="eval").body if origin and origin != node.id else node

    return _Inline().visit(copy.deepcopy(test))


def _fact_origin(origin: str) -> str | None:
    """The dotted name an import binding stands for, when it is (part of) a fact module."""
    if origin and origin.partition(".")[0] in FACT_MODULES:
        return origin
    return None

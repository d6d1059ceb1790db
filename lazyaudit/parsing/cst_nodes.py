"""Small libcst node helpers: dotted names, string values and the local bindings of a function."""

from __future__ import annotations

from typing import Any

import libcst as cst

_CONSTANTS = frozenset({"True", "False", "None"})  # Names to libcst, constants to ast


def name_of(node: cst.CSTNode | None) -> str:
    """"a.b.c" for a Name/Attribute chain, "" otherwise."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name) or node.value in _CONSTANTS:
        return ""
    parts.append(node.value)
    return ".".join(reversed(parts))


def string_value(node: cst.CSTNode) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def function_locals(node: cst.FunctionDef | cst.Lambda) -> tuple[set[str], set[str]]:
    """(names bound in the function, names it declares global), without entering nested scopes."""
    names: set[str] = set()
    declared: set[str] = set()
    params = node.params
    for param in [*params.posonly_params, *params.params, *params.kwonly_params, params.star_arg,
                  params.star_kwarg]:
        if isinstance(param, cst.Param):
            names.add(param.name.value)
    if isinstance(node, cst.FunctionDef):
        _bind_block(node.body, names, declared)
    return names - declared, declared


def _bind_block(block: Any, names: set[str], declared: set[str]) -> None:
    for stmt in getattr(block, "body", ()):
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                _bind_small(small, names, declared)
        elif isinstance(stmt, cst.BaseSmallStatement):
            _bind_small(stmt, names, declared)
        elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            names.add(stmt.name.value)
        else:
            _bind_compound(stmt, names, declared)


def _bind_compound(stmt: Any, names: set[str], declared: set[str]) -> None:
    if isinstance(stmt, cst.For):
        targets(stmt.target, names)
    elif isinstance(stmt, cst.With):
        for item in stmt.items:
            if item.asname is not None:
                targets(item.asname.name, names)
    for handler in getattr(stmt, "handlers", ()):
        if handler.name is not None:
            targets(handler.name.name, names)
        _bind_block(handler.body, names, declared)
    for case in getattr(stmt, "cases", ()):
        _bind_block(case.body, names, declared)
    if hasattr(stmt, "body"):
        _bind_block(stmt.body, names, declared)
    orelse = getattr(stmt, "orelse", None)
    if isinstance(orelse, cst.If):
        _bind_compound(orelse, names, declared)
    elif orelse is not None:
        _bind_block(orelse.body, names, declared)
    if getattr(stmt, "finalbody", None) is not None:
        _bind_block(stmt.finalbody.body, names, declared)


def _bind_small(small: cst.BaseSmallStatement, names: set[str], declared: set[str]) -> None:
    if isinstance(small, cst.Assign):
        for target in small.targets:
            targets(target.target, names)
    elif isinstance(small, (cst.AnnAssign, cst.AugAssign, cst.Del)):
        targets(small.target, names)
    elif isinstance(small, cst.Global):
        declared.update(n.name.value for n in small.names)
    elif isinstance(small, cst.Import) or (isinstance(small, cst.ImportFrom)
                                           and not isinstance(small.names, cst.ImportStar)):
        for alias in small.names:  # type: ignore[union-attr]
            bound = name_of(alias.asname.name) if alias.asname else name_of(alias.name).partition(".")[0]
            names.add(bound)


def targets(target: cst.CSTNode, names: set[str]) -> None:
    if isinstance(target, cst.Name):
        names.add(target.value)
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            targets(element.value, names)
    elif isinstance(target, cst.StarredElement):
        targets(target.value, names)

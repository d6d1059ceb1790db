"""Evaluate the `if` tests that guard imports (sys.version_info, sys.platform...) for a target interpreter."""

from __future__ import annotations

import ast
import operator
from typing import Any, Mapping

_UNKNOWN = object()
_CMP = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}


def evaluate(condition: str, target: Mapping[str, Any]) -> bool | None:
    """True/False when the condition only reads known interpreter facts, None when it cannot be decided.

    `target` holds: version_info (tuple), sys_platform, os_name, platform_system, implementation.
    """
    try:
        tree = ast.parse(condition, mode="eval")
    except (SyntaxError, ValueError, RecursionError):
        return None
    try:
        value = _eval(tree.body, target)
    except Exception:  # any odd shape (comparing tuple to str...) is simply undecidable
        return None
    return None if value is _UNKNOWN else bool(value)


def _eval(node: ast.AST, t: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple):
        items = [_eval(e, t) for e in node.elts]
        return _UNKNOWN if _UNKNOWN in items else tuple(items)
    if isinstance(node, ast.BoolOp):
        values = [_eval(v, t) for v in node.values]
        if isinstance(node.op, ast.And):
            if any(v is not _UNKNOWN and not v for v in values):
                return False
            return _UNKNOWN if _UNKNOWN in values else True
        if any(v is not _UNKNOWN and v for v in values):
            return True
        return _UNKNOWN if _UNKNOWN in values else False
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        v = _eval(node.operand, t)
        return _UNKNOWN if v is _UNKNOWN else not v
    if isinstance(node, ast.Compare):
        left = _eval(node.left, t)
        for op, right_node in zip(node.ops, node.comparators):
            right = _eval(right_node, t)
            fn = _CMP.get(type(op))
            if left is _UNKNOWN or right is _UNKNOWN or fn is None:
                return _UNKNOWN
            if not fn(left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Subscript):
        base = _eval(node.value, t)
        if base is _UNKNOWN:
            return _UNKNOWN
        sl = node.slice
        if isinstance(sl, ast.Slice):
            lo = _eval(sl.lower, t) if sl.lower else None
            hi = _eval(sl.upper, t) if sl.upper else None
            return _UNKNOWN if _UNKNOWN in (lo, hi) else base[lo:hi]
        idx = _eval(sl, t)
        return _UNKNOWN if idx is _UNKNOWN else base[idx]
    if isinstance(node, ast.Call) and not node.args and not node.keywords:
        name = _dotted(node.func)
        if name in ("platform.system",):
            return t.get("platform_system", _UNKNOWN)
        if name in ("platform.python_implementation",):
            return t.get("implementation", _UNKNOWN)
        return _UNKNOWN
    name = _dotted(node)
    if name is None:
        return _UNKNOWN
    version = tuple(t.get("version_info", ()))
    known = {
        "sys.version_info": version or _UNKNOWN,
        "version_info": version or _UNKNOWN,
        "sys.version_info.major": version[0] if version else _UNKNOWN,
        "sys.version_info.minor": version[1] if len(version) > 1 else _UNKNOWN,
        "sys.platform": t.get("sys_platform", _UNKNOWN),
        "os.name": t.get("os_name", _UNKNOWN),
        "sys.implementation.name": t.get("implementation", _UNKNOWN),
        "TYPE_CHECKING": False,
        "typing.TYPE_CHECKING": False,
        "PY2": version[0] == 2 if version else _UNKNOWN,
        "PY3": version[0] == 3 if version else _UNKNOWN,
    }
    return known.get(name, _UNKNOWN)


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None

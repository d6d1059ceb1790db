"""Evaluate the `if` tests that guard imports (sys.version_info, sys.platform...) for a target interpreter."""

from __future__ import annotations

import ast
import operator
from collections.abc import Mapping
from typing import Any

_UNKNOWN = object()
_CMP = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}


# str methods a condition may call on a known string (`sys.platform.startswith("win")`).
_STR_METHODS = frozenset({"startswith", "endswith", "strip", "lstrip", "rstrip", "lower", "upper", "casefold"})
_IMPLEMENTATIONS = {"cpython": "CPython", "pypy": "PyPy", "ironpython": "IronPython", "jython": "Jython",
                    "graalpy": "GraalVM"}


def evaluate(condition: str, target: Mapping[str, Any]) -> bool | None:
    """True/False when the condition only reads known interpreter facts, None when it cannot be decided.

    `target` holds: version_info (tuple), sys_platform, os_name, platform_system, implementation
    (sys.implementation.name), and optionally environ: the environment variables to assume
    (`os.environ.get("X", "d")` is unknown without it).
    """
    try:
        tree = ast.parse(condition, mode="eval")
    except (SyntaxError, ValueError, RecursionError):
        return None
    try:
        value = _eval(tree.body, target)
    except Exception:  # noqa: BLE001 - any odd shape (comparing tuple to str...) is simply undecidable
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
        if _is_main_test(node):
            return isinstance(node.ops[0], ast.NotEq)  # on import, __name__ is never "__main__"
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
    if isinstance(node, ast.Call):
        return _call(node, t)
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
        "os.environ": t.get("environ", _UNKNOWN),
        "TYPE_CHECKING": False,
        "typing.TYPE_CHECKING": False,
        "PY2": version[0] == 2 if version else _UNKNOWN,
        "PY3": version[0] == 3 if version else _UNKNOWN,
    }
    return known.get(name, _UNKNOWN)


def _call(node: ast.Call, t: Mapping[str, Any]) -> Any:
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        return _UNKNOWN
    name = _dotted(node.func)
    if not node.args:
        if name == "platform.system":
            return t.get("platform_system", _UNKNOWN)
        if name == "platform.python_implementation":
            implementation = t.get("implementation", "")
            return _IMPLEMENTATIONS.get(implementation, _UNKNOWN) if implementation else _UNKNOWN
    args = [_eval(a, t) for a in node.args]
    if _UNKNOWN in args:
        return _UNKNOWN
    if name in ("os.environ.get", "os.getenv") and 1 <= len(args) <= 2:
        environ = t.get("environ")
        return _UNKNOWN if environ is None else environ.get(args[0], args[1] if len(args) > 1 else None)
    if isinstance(node.func, ast.Attribute) and node.func.attr in _STR_METHODS:
        base = _eval(node.func.value, t)
        if isinstance(base, str) and all(isinstance(a, (str, tuple)) for a in args):
            return getattr(base, node.func.attr)(*args)
    return _UNKNOWN


def _is_main_test(node: ast.Compare) -> bool:
    if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
        return False
    sides = [node.left, node.comparators[0]]
    return (any(_dotted(s) == "__name__" for s in sides)
            and any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides))


def type_checking_fallback(condition: str) -> bool:
    """`TYPE_CHECKING or install_lazy_importer()`: names for type checkers, imported at runtime only if a
    lazy-import hook cannot be installed (anyio); the hook normally is, so the block does not run."""
    try:
        tree = ast.parse(condition, mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return False
    return (isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.Or)
            and any((_dotted(v) or "").rpartition(".")[2] == "TYPE_CHECKING" for v in tree.values)
            and any(isinstance(n, ast.Call) for v in tree.values for n in ast.walk(v)))


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None

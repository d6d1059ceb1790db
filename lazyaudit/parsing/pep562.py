"""PEP 562 hooks: which module a package's `__getattr__` (or lazy_loader's `attach`) imports for each name.

The maps feed the closure: `from pkg import name` loads what the hook imports for `name`
(langchain_core's `_dynamic_imports` table, pydantic's `getattr_migration`, `if name == ...:` branches).
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Callable
from typing import Any

from lazyaudit.parsing.common import (
    Anchor,
    anchor_env,
    anchor_relative,
    dotted,
    dynamic_target,
    literal,
    resolve_relative,
)

_MODULE_TEXT = re.compile(r"^\.*[A-Za-z_][\w.]*$")


def _constant(value: str, _name: str | None) -> str:
    return value


def getattr_entries(func: ast.FunctionDef | ast.AsyncFunctionDef, literals: dict[str, ast.expr | None],
                    name: str, is_package: bool) -> list[tuple[str, str]]:
    """PEP 562 map of one `__getattr__`: from the literal tables it reads and from its `if name == ...` branches."""
    hook = _Hook(func, literals, name, is_package)
    nodes = list(ast.walk(func))
    if any(isinstance(n, (ast.Import, ast.ImportFrom))
           or (isinstance(n, ast.Call) and "import" in dotted(n.func).rpartition(".")[2]) for n in nodes):
        # langchain_core / pydantic: values are relative when the hook hands the package to the importer.
        relative = any(isinstance(n, (ast.Name, ast.Attribute)) and dotted(n) in hook.env for n in nodes)
        for table_name in dict.fromkeys(n.id for n in nodes if isinstance(n, ast.Name) and n.id in literals):
            table = literal(literals[table_name], hook.env)
            for key, value in table.items() if isinstance(table, dict) else ():
                module = hook.table_module(str(key), value, relative)
                if module:
                    hook.out.append((str(key), module))
    hook.block(func.body, None)
    return hook.out


class _Hook:
    """Walks one `__getattr__`, tying each import it makes to the attribute names whose branch reaches it."""

    def __init__(self, func: ast.FunctionDef | ast.AsyncFunctionDef, literals: dict[str, ast.expr | None],
                 name: str, is_package: bool) -> None:
        params = func.args.posonlyargs + func.args.args
        self.param = params[0].arg if params else ""
        self.literals, self.name, self.is_package = literals, name, is_package
        self.env = anchor_env(name, is_package)
        self.out: list[tuple[str, str]] = []

    def table_module(self, key: str, value: Any, relative: bool) -> str:
        if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value):
            first, second = value
            if isinstance(first, Anchor) or second == "__module__" or second.startswith("."):
                return self.module_text(key, second, first, True)
            value = first  # (module, attribute)
        return self.module_text(key, value, self.env["__package__"], relative) if isinstance(value, str) else ""

    def module_text(self, key: str, value: str, anchor: str, relative: bool) -> str:
        if value == "__module__":
            return f"{anchor}.{key}" if anchor else ""
        if not _MODULE_TEXT.match(value):
            return ""
        if value.startswith("."):
            return anchor_relative(value, anchor)
        if relative and anchor and value.partition(".")[0] != self.name.partition(".")[0]:
            return f"{anchor}.{value}"
        return value

    def block(self, stmts: list[ast.stmt], names: list[str] | None) -> None:
        for stmt in stmts:
            if isinstance(stmt, ast.If):
                selected = self.selected(stmt.test)
                self.block(stmt.body, names if selected is None else selected)
                self.block(stmt.orelse, names)
            elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
                for target in self.modules(stmt):
                    self.emit(names, functools.partial(_constant, target))
            elif not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                for _, value in ast.iter_fields(stmt):
                    for item in value if isinstance(value, list) else [value]:
                        if isinstance(item, ast.stmt):
                            self.block([item], names)
                        elif isinstance(item, (ast.ExceptHandler, ast.match_case)):
                            self.block(item.body, names)
                        elif isinstance(item, ast.AST):
                            self.calls(item, names)

    def calls(self, expr: ast.AST, names: list[str] | None) -> None:
        for node in ast.walk(expr):
            last = dotted(node.func).rpartition(".")[2] if isinstance(node, ast.Call) else ""
            if isinstance(node, ast.Call) and last in ("import_module", "__import__"):
                origin = "importlib.import_module" if last == "import_module" else "__import__"
                self.emit(names, functools.partial(self.dynamic, origin, node))

    def dynamic(self, origin: str, call: ast.Call, name: str | None) -> str | None:
        return dynamic_target(origin, call, {**self.env, self.param: name} if name else self.env)

    def emit(self, names: list[str] | None, target: Callable[[str | None], str | None]) -> None:
        for name in names if names is not None else [None]:
            module = target(name)
            if module:
                self.out.append((name or "*", module))

    def selected(self, test: ast.expr) -> list[str] | None:
        """Names an `if` test on the hook's parameter selects (`name == "X"`, `name in TABLE`), else None."""
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
            parts = [self.selected(v) for v in test.values]
            return None if any(p is None for p in parts) else [n for p in parts if p for n in p]
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
            return None
        left, op, right = test.left, test.ops[0], test.comparators[0]
        if isinstance(op, ast.Eq) and dotted(right) == self.param:
            left, right = right, left
        if isinstance(op, ast.Eq) and dotted(left) == self.param and isinstance(right, ast.Constant):
            return [right.value] if isinstance(right.value, str) else None
        if isinstance(op, ast.In) and dotted(left) == self.param:
            value = literal(right, self.env)
            if value is None and isinstance(right, ast.Name):
                value = literal(self.literals.get(right.id), self.env)
            if isinstance(value, (dict, tuple)):
                return [v for v in value if isinstance(v, str)]
        return None

    def modules(self, stmt: ast.Import | ast.ImportFrom) -> list[str]:
        if isinstance(stmt, ast.Import):
            return [alias.name for alias in stmt.names]
        target = resolve_relative(stmt.module or "", stmt.level, self.name, self.is_package)
        # `from . import x` inside a hook nearly always loads the submodule x.
        return [target] if stmt.module else [f"{target}.{a.name}" for a in stmt.names if a.name != "*"]


def attach_entries(call: ast.Call, name: str, is_package: bool) -> list[tuple[str, str]]:
    """`__getattr__, __dir__, __all__ = lazy_loader.attach(__name__, submodules, submod_attrs)`."""
    env = anchor_env(name, is_package)
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    args = call.args
    anchor = literal(args[0] if args else keywords.get("package_name"), env)
    if not isinstance(anchor, str) or not anchor:
        return []
    submodules = literal(args[1] if len(args) > 1 else keywords.get("submodules"), env) or ()
    attrs = literal(args[2] if len(args) > 2 else keywords.get("submod_attrs"), env) or {}
    entries = [(s, f"{anchor}.{s}") for s in submodules if isinstance(s, str)] if isinstance(submodules, tuple) else []
    for module, names in attrs.items() if isinstance(attrs, dict) else ():
        entries += [(n, f"{anchor}.{module}") for n in names if isinstance(n, str)] if isinstance(names, tuple) else []
    return entries

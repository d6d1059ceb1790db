"""The stdlib-ast scanner for installed code: the same records as the libcst parser, without name uses."""

from __future__ import annotations

import ast
import functools
import io
import re
import tokenize
from collections.abc import Mapping
from typing import Any

from lazyaudit.model import Call
from lazyaudit.parsing.common import (
    COND,
    GUARD,
    GUARD_EXCEPTIONS,
    MAIN,
    TC,
    TRY,
    Collector,
    Frame,
    SourceError,
    call_scope,
    dotted,
)
from lazyaudit.parsing.facts import inline

_LINES = re.compile(r"(\r\n|\r|\n)")
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
# Nodes under which no call can be: skipped without looking at their fields.
_LEAVES = frozenset({ast.Name, ast.Constant, ast.Load, ast.Store, ast.Del,
                     str, int, float, complex, bytes, bool, type(None), type(...)})
_LITERALS = (ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.JoinedStr, ast.BinOp)


def decode(source: bytes) -> str:
    """Text the way the compiler decodes it (cookie or BOM); only called once ast.parse has accepted the bytes."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    return source.decode(encoding)


def parse(source: bytes) -> tuple[ast.Module, str | None, set[tuple[int, int]]]:
    """(tree, text when columns need converting, positions of PEP 810 lazy statements).

    Raises what ast.parse raises. Python < 3.15 cannot parse `lazy import`, so when that is the
    only problem the soft keyword is cut out of the text and the statements are remembered by position.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        if b"lazy" not in source:
            raise
        text, lazy = _strip_lazy(decode(source))
        if not lazy:
            raise
        return ast.parse(text), text, lazy
    return tree, None if source.isascii() else decode(source), set()


def _strip_lazy(text: str) -> tuple[str, set[tuple[int, int]]]:
    hits: list[tuple[int, int, int]] = []
    previous = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if (previous is not None and previous.string == "lazy" and previous.type == tokenize.NAME
                    and token.string in ("import", "from") and token.start[0] == previous.start[0]):
                hits.append((previous.start[0], previous.start[1], token.start[1]))
            previous = token
    except (tokenize.TokenError, SyntaxError):
        pass  # keep the hits before the error, so that ast reports the real problem
    parts = _LINES.split(text)
    for line, start, end in reversed(hits):
        index = 2 * (line - 1)
        parts[index] = parts[index][:start] + parts[index][end:]
    return "".join(parts), {(line, start) for line, start, _ in hits}


def scan(source: bytes, name: str, is_package: bool) -> dict[str, Any]:
    """ParsedModule fields for `source`; SourceError when ast cannot read it (RecursionError passes through)."""
    try:
        tree, text, lazy = parse(source)
    except (SyntaxError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        raise SourceError(str(exc)) from exc
    walker = _Walker(Collector(name, is_package), text, lazy)
    walker.body(tree.body)
    return walker.collector.finish()


class _Walker:
    """Walks statements recursively and expressions with a stack, keeping the same contexts as the cst walker."""

    def __init__(self, collector: Collector, text: str | None, lazy: set[tuple[int, int]]) -> None:
        self.collector = collector
        self.lazy = lazy
        self.lines = _LINES.split(text)[::2] if text is not None else None
        self.frames: list[Frame] = []
        self.qualname: list[str] = []
        self.scope = ""  # innermost function's qualified name
        self.in_class = False

    def col(self, node: ast.expr | ast.stmt) -> int:
        offset = node.col_offset  # UTF-8 bytes; libcst counts characters
        if self.lines is None:
            return offset
        line = self.lines[node.lineno - 1]
        return offset if line.isascii() else len(line.encode("utf-8")[:offset].decode("utf-8", "replace"))

    @property
    def module_level(self) -> bool:
        return not self.scope and not self.in_class

    def body(self, stmts: list[ast.stmt], frame: Frame | None = None) -> None:
        if frame is not None:
            self.frames.append(frame)
        for stmt in stmts:
            handler = getattr(self, "s_" + type(stmt).__name__, None)
            if handler is None:
                self.generic(stmt)
            else:
                handler(stmt)
        if frame is not None:
            self.frames.pop()

    def generic(self, stmt: ast.stmt) -> None:
        for value in ast.iter_fields(stmt):
            items = value[1] if isinstance(value[1], list) else [value[1]]
            for item in items:
                if isinstance(item, ast.expr):
                    self.expr(item)

    def define(self, target: ast.AST) -> None:
        if not self.module_level:
            return
        if isinstance(target, ast.Name):
            self.collector.defined[target.id] = None
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.define(element)
        elif isinstance(target, ast.Starred):
            self.define(target.value)

    def s_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self.expr(decorator)
        args = node.args
        for arg in [*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg]:
            if arg is not None and arg.annotation is not None:
                self.expr(arg.annotation)
        for default in [*args.defaults, *args.kw_defaults]:
            if default is not None:
                self.expr(default)
        if node.returns is not None:
            self.expr(node.returns)
        self.type_params(node)
        qualname = ".".join([*self.qualname, node.name])
        self.collector.functions[qualname] = None
        if self.module_level:
            self.collector.defined[node.name] = None
            if node.name == "__getattr__":
                self.collector.has_getattr = True
                self.collector.getattr_def = node
        saved = self.scope, self.in_class
        self.qualname.append(node.name)
        self.scope, self.in_class = qualname, False
        self.body(node.body)
        self.qualname.pop()
        self.scope, self.in_class = saved

    s_AsyncFunctionDef = s_FunctionDef

    def type_params(self, node: ast.AST) -> None:
        for param in getattr(node, "type_params", ()):  # Python 3.12+
            for field in ("bound", "default_value"):
                value = getattr(param, field, None)
                if value is not None:
                    self.expr(value)

    def s_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.expr(expr)
        self.type_params(node)
        if self.module_level:
            self.collector.defined[node.name] = None
        self.collector.add_class(".".join([*self.qualname, node.name]), [base_name(b) for b in node.bases])
        saved = self.in_class
        self.qualname.append(node.name)
        self.in_class = True
        self.body(node.body)
        self.qualname.pop()
        self.in_class = saved

    def s_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        is_from = isinstance(node, ast.ImportFrom)
        module, level = (node.module or "", node.level) if isinstance(node, ast.ImportFrom) else ("", 0)
        self.collector.add_import(
            module=module, level=level, aliases=[(a.name, a.asname or "") for a in node.names], is_from=is_from,
            line=node.lineno, column=self.col(node), frames=self.frames, scope=self.scope,
            lazy=bool(getattr(node, "is_lazy", 0)) or (node.lineno, self.col(node)) in self.lazy,
            in_class=self.in_class)

    s_ImportFrom = s_Import

    def s_If(self, node: ast.If) -> None:
        self.expr(node.test)
        body, orelse = branch_frames(node.test, self.collector.facts)
        self.body(node.body, body)
        self.body(node.orelse, orelse)

    def s_Try(self, node: ast.Try) -> None:
        guard = self.collector.new_guard() if guards([h.type for h in node.handlers]) else 0
        self.body(node.body, Frame(GUARD, guard=guard, branch="try") if guard else Frame(TRY))
        for handler in node.handlers:
            if handler.type is not None:
                self.expr(handler.type)
            self.body(handler.body, Frame(GUARD, guard=guard, branch="except") if guard else Frame(TRY))
        self.body(node.orelse, Frame(GUARD, guard=guard, branch="else") if guard else None)
        self.body(node.finalbody)

    s_TryStar = s_Try

    def s_With(self, node: ast.With | ast.AsyncWith) -> None:
        guard = 0
        for item in node.items:
            self.expr(item.context_expr)
            if item.optional_vars is not None:
                self.define(item.optional_vars)
                self.target(item.optional_vars)
            if suppresses_import_errors(item.context_expr):
                guard = guard or self.collector.new_guard()
        self.body(node.body, Frame(GUARD, guard=guard, branch="try") if guard else None)

    s_AsyncWith = s_With

    def s_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.expr(node.iter)
        self.define(node.target)
        self.target(node.target)
        values = loop_strings(node.target, node.iter)
        saved = self.collector.loop_values
        if values:
            self.collector.loop_values = {**saved, values[0]: values[1]}
        self.body(node.body)
        self.collector.loop_values = saved
        self.body(node.orelse)

    def s_Raise(self, node: ast.Raise) -> None:
        self.generic(node)
        self.collector.add_raise(node.lineno, self.frames, self.scope)

    s_AsyncFor = s_For

    def s_While(self, node: ast.While) -> None:
        self.expr(node.test)
        self.body(node.body)
        self.body(node.orelse)

    def s_Match(self, node: Any) -> None:
        self.expr(node.subject)
        for case in node.cases:
            for child in ast.walk(case.pattern):
                if isinstance(child, ast.expr):
                    self.expr(child)
            if case.guard is not None:
                self.expr(case.guard)
            self.body(case.body)

    def target(self, target: ast.expr) -> None:
        """Reads inside an assignment target (`a[f()] = 1`)."""
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.target(element)
        elif isinstance(target, ast.Starred):
            self.target(target.value)
        elif not isinstance(target, ast.Name):
            self.expr(target)

    def s_Assign(self, node: ast.Assign) -> None:
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        self.expr(node.value, names[0] if names else "")
        for target in node.targets:
            self.define(target)
            self.target(target)
            if self.module_level:
                self.module_assign(target, node.value)

    def s_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.expr(node.annotation)
        if node.value is not None:
            self.expr(node.value, node.target.id if isinstance(node.target, ast.Name) else "")
            self.define(node.target)
            if self.module_level:
                self.module_assign(node.target, node.value)
        self.target(node.target)

    def module_assign(self, target: ast.AST, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.collector.assign(target.id, value if isinstance(value, _LITERALS) else None)
            self.collector.fact(target.id, value, self.frames)
            if target.id == "__getattr__":
                self.getattr_assigned(value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                if isinstance(element, ast.Name):
                    self.collector.assign(element.id, None)
                    if element.id == "__getattr__":
                        self.getattr_assigned(value)

    def getattr_assigned(self, value: ast.expr) -> None:
        self.collector.has_getattr = True
        if isinstance(value, ast.Call) and dotted(value.func).rpartition(".")[2] == "attach":
            self.collector.getattr_attach = value

    def s_AugAssign(self, node: ast.AugAssign) -> None:
        self.expr(node.value)
        self.define(node.target)
        self.target(node.target)
        if self.module_level and isinstance(node.target, ast.Name):
            if node.target.id == "__all__" and isinstance(node.op, ast.Add):
                self.collector.extend_all(node.value if isinstance(node.value, _LITERALS) else None)
            else:
                self.collector.assign(node.target.id, None)

    def s_Expr(self, node: ast.Expr) -> None:
        value = node.value
        self.expr(value)
        if (self.module_level and isinstance(value, ast.Call) and len(value.args) == 1 and not value.keywords
                and dotted(value.func) in ("__all__.extend", "__all__.append")):
            arg = value.args[0]
            self.collector.extend_all(arg if isinstance(arg, _LITERALS) else None)

    def s_TypeAlias(self, node: Any) -> None:  # Python 3.12+
        self.define(node.name)
        self.type_params(node)
        self.expr(node.value)

    def expr(self, root: ast.expr, assigned: str = "", scope: str | None = None) -> None:
        """Records calls (and module-level walrus bindings) under `root`; a lambda body gets its own scope."""
        outer = scope is None  # not inside a lambda
        scope = call_scope(self.frames, self.scope) if scope is None else scope
        stack: list[Any] = [root]
        pop, push, extend = stack.pop, stack.append, stack.extend
        while stack:
            node = pop()  # any depth-first order will do: calls are sorted by position at the end
            kind = type(node)
            if kind in _LEAVES:
                continue
            if kind is ast.Call:
                self.call(node, scope, assigned if node is root else "")
            elif kind is ast.Lambda:
                extend(d for d in [*node.args.defaults, *node.args.kw_defaults] if d is not None)
                self.expr(node.body, "", f"{scope}.<lambda>" if scope else "<lambda>")
                continue
            elif kind is ast.NamedExpr and outer:
                self.define(node.target)
            for field in _child_fields(kind):  # type: ignore[arg-type]
                value = getattr(node, field, None)
                if type(value) is list:
                    extend(value)
                elif value is not None:
                    push(value)

    def call(self, node: ast.Call, scope: str, assigned: str) -> None:
        callee = dotted(node.func)
        if not callee:
            return
        strings = [a.value for a in node.args if type(a) is ast.Constant and type(a.value) is str]
        strings += [k.value.value for k in node.keywords
                    if type(k.value) is ast.Constant and type(k.value.value) is str]
        target = assigned if self.module_level else ""
        record = Call(callee, node.lineno, self.col(node), scope, tuple(strings), target)
        self.collector.add_call(record, node, self.frames, assigned, self.in_class)


@functools.cache
def _child_fields(kind: type) -> tuple[str, ...]:
    """The fields of node type `kind` that may hold nodes (not the expression context, not plain values)."""
    return tuple(f for f in getattr(kind, "_fields", ()) if f not in ("ctx", "op", "ops", "type_comment", "kind"))


def base_name(base: ast.expr) -> str:
    """Dotted text of a class base, without its subscript (`Generic[T]` -> "Generic")."""
    return dotted(base.value if isinstance(base, ast.Subscript) else base)


def loop_strings(target: ast.AST, iterable: ast.AST) -> tuple[str, tuple[str, ...]] | None:
    """(name, values) for `for name in ("a", "b"):`, a literal sequence of strings; else None."""
    if not isinstance(target, ast.Name) or not isinstance(iterable, (ast.Tuple, ast.List)):
        return None
    values = tuple(e.value for e in iterable.elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
    return (target.id, values) if values and len(values) == len(iterable.elts) else None


def branch_frames(test: ast.expr, facts: Mapping[str, ast.expr] | None = None) -> tuple[Frame | None, Frame | None]:
    """Frames for the body and the else branch of `if test:`; `facts` are inlined into the condition text."""
    negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
    inner = test.operand if isinstance(test, ast.UnaryOp) and negated else test
    if dotted(inner).rpartition(".")[2] == "TYPE_CHECKING" or (isinstance(inner, ast.Constant) and inner.value is False):
        tc = Frame(TC)
        return (None, tc) if negated else (tc, None)
    if not negated and (is_main_test(test) or (isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And)
                                               and any(is_main_test(v) for v in test.values))):
        return Frame(MAIN), None  # `if sys.platform != "win32" and __name__ == "__main__":` (rich.ansi) too
    if facts:
        test = inline(test, dict(facts))  # a snapshot: a later reassignment does not change this `if`
    return Frame(COND, render=lambda: ast.unparse(test)), Frame(COND, render=lambda: ast.unparse(test), negated=True)


def is_main_test(test: ast.expr) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = {dotted(test.left) or repr(getattr(test.left, "value", None)),
             dotted(test.comparators[0]) or repr(getattr(test.comparators[0], "value", None))}
    return sides == {"__name__", "'__main__'"}


def guards(types: list[ast.expr | None]) -> bool:
    """Whether handlers of these exception types (None: bare `except:`) make a try an import guard."""
    for kind in types:
        names = kind.elts if isinstance(kind, ast.Tuple) else [kind]
        if kind is None or any(dotted(n).rpartition(".")[2] in GUARD_EXCEPTIONS for n in names if n is not None):
            return True
    return False


def suppresses_import_errors(expr: ast.expr | None) -> bool:
    """`with contextlib.suppress(ImportError):` guards its body like try/except ImportError."""
    return (isinstance(expr, ast.Call) and dotted(expr.func).rpartition(".")[2] == "suppress"
            and any(dotted(a).rpartition(".")[2] in GUARD_EXCEPTIONS for a in expr.args))

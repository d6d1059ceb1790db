"""Where each imported name is read (with shadowing and runtime-evaluated annotations) and suppression comments."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import libcst as cst
from libcst.metadata import PositionProvider

from lazyaudit.model import NameUse, UseContext
from lazyaudit.parsing.common import Collector, dotted
from lazyaudit.parsing.cst_nodes import name_of, targets
from lazyaudit.parsing.cst_runtime import (
    BASE_FACTORIES,
    DEPENDS,
    PARAM_MARKERS,
    ClassInfo,
    runtime_classes,
    runtime_function,
)

if TYPE_CHECKING:
    from lazyaudit.parsing.cst_hooks import ReadHooks as Walker

_IGNORE = re.compile(r"#\s*lazyaudit\s*:\s*ignore\b(?:\[([^\]]*)\])?", re.IGNORECASE)
_NOQA = re.compile(r"#\s*noqa\b", re.IGNORECASE)
_ANNOTATIONS = (UseContext.ANNOTATION, UseContext.STRING)


@dataclass(frozen=True, slots=True)
class Scope:
    """A frame of the walk: module, class body, function body or lambda body."""

    kind: str
    qualname: str  # prefix for the qualified names of things defined inside
    function: str = ""  # innermost function's qualified name ("" at module level and in top-level classes)
    names: set[str] = field(default_factory=set)  # local bindings that shadow module names
    declared_global: set[str] = field(default_factory=set)
    context_base: int = 0  # uses contexts opened before this frame do not apply inside it


class UseTracker:
    """Collects raw reads during the walk; `finish` keeps those of imported names and places them."""

    def __init__(self) -> None:
        self.contexts: list[tuple[UseContext, str]] = []  # (context, owner: function qualname or "class:Q")
        self.raw: list[tuple[str, cst.CSTNode, UseContext, str, str, str]] = []
        self.comprehensions: list[set[str]] = []
        self.quiet: set[int] = set()  # subscript elements whose strings are data, not annotations
        self.quiet_depth = 0
        self.classes: list[ClassInfo] = []
        self.decorated: dict[str, tuple[tuple[str, bool], ...]] = {}
        self.depends: set[str] = set()
        self.marked: set[str] = set()  # functions whose signature uses FastAPI markers
        self.comments: dict[int, set[str] | None] = {}

    def enter(self, context: UseContext, owner: str) -> None:
        self.contexts.append((context, owner))

    def leave(self) -> None:
        self.contexts.pop()

    def context(self, walker: Walker) -> tuple[UseContext, str]:
        frame = walker.scopes[-1]
        active = self.contexts[frame.context_base:]
        for context, owner in reversed(active):
            if context is UseContext.ANNOTATION:
                return context, owner
        if frame.kind in ("function", "lambda"):
            return UseContext.FUNCTION, ""
        if active:
            return active[-1][0], ""
        return (UseContext.CLASS_BODY if frame.kind == "class" else UseContext.MODULE), ""

    def read(self, node: cst.Name, walker: Walker, attr: str) -> None:
        name = node.value
        if any(name in names for names in self.comprehensions):
            return
        for frame in reversed(walker.scopes):
            if frame.kind in ("function", "lambda"):
                if name in frame.declared_global:
                    break
                if name in frame.names:
                    return
        context, owner = self.context(walker)
        self.raw.append((name, node, context, walker.scope, attr, owner))

    def enter_comprehension(self, node: Any) -> None:
        names: set[str] = set()
        loop = node.for_in
        while loop is not None:
            targets(loop.target, names)
            loop = loop.inner_for_in
        self.comprehensions.append(names)

    def leave_comprehension(self, node: Any) -> None:
        self.comprehensions.pop()

    def string(self, node: cst.SimpleString | cst.ConcatenatedString, walker: Walker) -> None:
        context, owner = self.context(walker)
        if context is UseContext.ANNOTATION and not self.quiet_depth:
            self.parse_string(node, walker, owner)

    def parse_string(self, node: cst.CSTNode, walker: Walker, owner: str) -> None:
        value = node.evaluated_value if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)) else None
        if not isinstance(value, str):
            return
        try:
            tree = ast.parse(value.strip(), mode="eval")
        except (SyntaxError, ValueError, RecursionError):
            return
        stack: list[ast.AST] = [tree.body]
        while stack:
            item = stack.pop()
            chain = dotted(item) if isinstance(item, (ast.Name, ast.Attribute)) else ""
            if chain:
                head, _, attr = chain.partition(".")
                self.raw.append((head, node, UseContext.STRING, walker.scope, attr, owner))
            else:
                stack.extend(ast.iter_child_nodes(item))

    def subscript(self, node: cst.Subscript) -> None:
        kind = name_of(node.value).rpartition(".")[2]
        if kind == "Literal":
            self.quiet.update(id(e) for e in node.slice)
        elif kind == "Annotated":
            self.quiet.update(id(e) for e in node.slice[1:])

    def enter_element(self, node: cst.SubscriptElement) -> None:
        self.quiet_depth += id(node) in self.quiet

    def leave_element(self, node: cst.SubscriptElement) -> None:
        self.quiet_depth -= id(node) in self.quiet

    def export(self, value: cst.BaseExpression, walker: Walker) -> None:
        elements = [e.value for e in value.elements] if isinstance(value, (cst.List, cst.Tuple)) else [value]
        for element in elements:
            if isinstance(element, (cst.SimpleString, cst.ConcatenatedString)):
                text = element.evaluated_value
                if isinstance(text, str):
                    self.raw.append((text, element, UseContext.EXPORT, "", "", ""))

    def call(self, node: cst.Call, walker: Walker) -> None:
        last = name_of(node.func).rpartition(".")[2]
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        if last == "cast" and positional:
            self.parse_string(positional[0], walker, "")
        elif last == "TypeVar":
            for arg in node.args[1:]:
                self.parse_string(arg.value, walker, "")
        if last in DEPENDS and positional:
            self.depends.add(name_of(positional[0]))
        if last in PARAM_MARKERS and self.contexts and self.contexts[-1][1]:
            self.marked.add(self.contexts[-1][1])

    def function(self, node: cst.FunctionDef, qualname: str) -> None:
        decorators = []
        for decorator in node.decorators:
            expr = decorator.decorator
            call = isinstance(expr, cst.Call)
            decorators.append((name_of(expr.func if call else expr), call))  # type: ignore[attr-defined]
        if decorators:
            self.decorated[qualname] = tuple(decorators)

    def klass(self, node: cst.ClassDef, qualname: str) -> None:
        bases = tuple(name_of(a.value.value if isinstance(a.value, cst.Subscript) else a.value) for a in node.bases)
        decorators = tuple(name_of(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator)
                           for d in node.decorators)
        self.classes.append(ClassInfo(qualname, bases, decorators))

    def comment(self, node: cst.Comment, line: int) -> None:
        ignore = _IGNORE.search(node.value)
        codes: set[str] | None = self.comments.get(line, set())
        if ignore:
            listed = {c.strip().upper() for c in (ignore.group(1) or "").split(",") if c.strip()}
            codes = None if codes is None or not listed else codes | listed
        if _NOQA.search(node.value) and codes is not None:
            codes = codes | {"NOQA"}
        if ignore or _NOQA.search(node.value):
            self.comments[line] = codes

    def finish(self, walker: Walker, collector: Collector) -> dict[str, Any]:
        bindings = collector.bindings
        factories = {c.target for c in collector.calls
                     if c.target and not c.scope and c.callee.rpartition(".")[2] in BASE_FACTORIES}
        class_names = {c.qualname for c in self.classes}
        functions = {name for name, decorators in self.decorated.items() if runtime_function(decorators, bindings)}
        functions |= self.marked
        extra: set[str] = set()
        for target in self.depends:
            functions.add(target)
            if target in class_names:
                extra.add(target)
                functions.add(f"{target}.__init__")
        for name, _, context, _, attr, owner in self.raw:
            if context in _ANNOTATIONS and owner.startswith("class:") and "Mapped" in (name, attr.rpartition(".")[2]):
                extra.add(owner[6:])
        classes = runtime_classes(self.classes, bindings, factories, extra)
        runtime = set(functions) | {f"class:{c}" for c in classes}
        uses = []
        for name, node, context, scope, attr, owner in self.raw:
            if name not in collector.module_bindings:
                continue
            if context in _ANNOTATIONS and owner in runtime:
                context = UseContext.RUNTIME_ANNOTATION
            start = walker.get_metadata(PositionProvider, node).start
            uses.append(NameUse(name, start.line, start.column, context, scope, attr))
        uses.sort(key=lambda u: (u.line, u.column))
        suppressions = tuple((line, tuple(sorted(codes)) if codes is not None else ())
                             for line, codes in sorted(self.comments.items()))
        return {"uses": tuple(uses), "suppressions": suppressions, "runtime_annotation_classes": tuple(classes)}

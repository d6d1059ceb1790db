"""The Walker's hooks for name reads, their contexts and comments; active only when uses are collected."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import libcst as cst
from libcst.metadata import PositionProvider

from lazyaudit.model import UseContext
from lazyaudit.parsing.cst_nodes import name_of as dotted

if TYPE_CHECKING:
    from lazyaudit.parsing.common import Collector
    from lazyaudit.parsing.cst_uses import Scope, UseTracker


class ReadHooks(cst.CSTVisitor):
    """The Walker's base: scope state, and the hooks for name reads (cheap no-ops when `uses` is None)."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    uses: UseTracker | None
    skip: set[int]  # ids of Name nodes that are not reads
    defining: list[str]  # qualified names of functions whose signature is being visited
    scopes: list[Scope]
    collector: Collector
    result: dict[str, Any]
    concatenated = 0

    @property
    def scope(self) -> str:
        return self.scopes[-1].function

    @property
    def in_class(self) -> bool:
        return self.scopes[-1].kind == "class"

    @property
    def module_level(self) -> bool:
        return self.scopes[-1].kind == "module"

    def position(self, node: cst.CSTNode) -> tuple[int, int]:
        start = self.get_metadata(PositionProvider, node).start
        return start.line, start.column

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        self.skip.add(id(node.attr))
        if self.uses is None:
            return True
        chain = dotted(node)
        if not chain:
            return True
        root: cst.BaseExpression = node
        while isinstance(root, cst.Attribute):
            root = root.value
        assert isinstance(root, cst.Name)
        self.uses.read(root, self, chain.partition(".")[2])
        return False

    def visit_Name(self, node: cst.Name) -> None:
        if self.uses is not None and id(node) not in self.skip:
            self.uses.read(node, self, "")

    def visit_Decorator(self, node: cst.Decorator) -> None:
        if self.uses is not None:
            self.uses.enter(UseContext.DECORATOR, "")

    def visit_Param_default(self, node: cst.Param) -> None:
        if self.uses is not None:
            self.uses.enter(UseContext.DEFAULT, self.defining[-1] if self.defining else "")

    def visit_Param_annotation(self, node: cst.Param) -> None:
        if self.uses is not None:
            self.uses.enter(UseContext.ANNOTATION, self.defining[-1] if self.defining else "")

    def visit_FunctionDef_returns(self, node: cst.FunctionDef) -> None:
        if self.uses is not None:
            self.uses.enter(UseContext.ANNOTATION, self.defining[-1])

    def visit_AnnAssign_annotation(self, node: cst.AnnAssign) -> None:
        if self.uses is not None:
            owner = f"class:{self.scopes[-1].qualname}" if self.in_class else ""
            self.uses.enter(UseContext.ANNOTATION, owner)

    def visit_ClassDef_bases(self, node: cst.ClassDef) -> None:
        if self.uses is not None:
            self.uses.enter(UseContext.BASE_CLASS, "")

    visit_ClassDef_keywords = visit_ClassDef_bases

    def leave_context(self, node: Any = None) -> None:
        if self.uses is not None:
            self.uses.leave()

    leave_Param_default = leave_Param_annotation = leave_context

    def leave_Decorator(self, original_node: cst.Decorator) -> None:
        self.leave_context()
    leave_FunctionDef_returns = leave_AnnAssign_annotation = leave_context
    leave_ClassDef_bases = leave_ClassDef_keywords = leave_context

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self.uses is not None and not self.concatenated:
            self.uses.string(node, self)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        if self.uses is not None and not self.concatenated:
            self.uses.string(node, self)
        self.concatenated += 1  # its parts are one string, already read as a whole

    def leave_ConcatenatedString(self, original_node: cst.ConcatenatedString) -> None:
        self.concatenated -= 1

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if self.uses is not None:
            self.uses.subscript(node)

    def visit_SubscriptElement(self, node: cst.SubscriptElement) -> None:
        if self.uses is not None:
            self.uses.enter_element(node)

    def leave_SubscriptElement(self, original_node: cst.SubscriptElement) -> None:
        if self.uses is not None:
            self.uses.leave_element(original_node)

    def visit_Comment(self, node: cst.Comment) -> None:
        if self.uses is not None:
            self.uses.comment(node, self.position(node)[0])

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if self.uses is None:
            return
        first = self.position(node)[0]
        if self.get_metadata(PositionProvider, node).end.line == first:
            return
        # A suppression anywhere in a wrapped statement covers its first line, where its findings are
        # reported; comments inside an import also keep their own line, as the walk skips import bodies.
        found = _Comments()
        for part in (*node.body, node.trailing_whitespace):
            part.visit(found)
        for comment in found.comments:
            self.uses.comment(comment, first)
            self.uses.comment(comment, self.position(comment)[0])

    def enter_comprehension(self, node: Any) -> None:
        if self.uses is not None:
            self.uses.enter_comprehension(node)

    def leave_comprehension(self, original_node: Any) -> None:
        if self.uses is not None:
            self.uses.leave_comprehension(original_node)

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = enter_comprehension
    leave_ListComp = leave_SetComp = leave_GeneratorExp = leave_DictComp = leave_comprehension

    def leave_Module(self, original_node: cst.Module) -> None:
        # Positions are only available while the wrapper is visiting, so results are built here.
        self.result = self.collector.finish()
        if self.uses is not None:
            self.result.update(self.uses.finish(self, self.collector))


class _Comments(cst.CSTVisitor):
    """Every comment under a node (leading lines excluded by the caller)."""

    def __init__(self) -> None:
        self.comments: list[cst.Comment] = []

    def visit_Comment(self, node: cst.Comment) -> None:
        self.comments.append(node)

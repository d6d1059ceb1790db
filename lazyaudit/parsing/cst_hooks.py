"""The Walker's hooks for name reads, their contexts and comments; active only when uses are collected."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import libcst as cst
from libcst.metadata import PositionProvider

from lazyaudit.model import UseContext
from lazyaudit.parsing.cst_nodes import name_of as dotted

if TYPE_CHECKING:
    from lazyaudit.parsing.cst_uses import UseTracker


class ReadHooks:
    """Mixed into the Walker: `self.uses` is None for the records-only parse, so every hook is cheap then."""

    uses: UseTracker | None
    skip: set[int]
    defining: list[str]
    scopes: list[Any]
    collector: Any
    result: dict[str, Any]
    concatenated = 0
    if TYPE_CHECKING:
        in_class: bool

        def position(self, node: cst.CSTNode) -> tuple[int, int]: ...

        def get_metadata(self, key: Any, node: cst.CSTNode) -> Any: ...

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        self.skip.add(id(node.attr))
        if self.uses is None:
            return True
        chain = dotted(node)
        if not chain:
            return True
        root: cst.CSTNode = node
        while isinstance(root, cst.Attribute):
            root = root.value
        self.uses.read(root, self, chain.partition(".")[2])  # type: ignore[arg-type]
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

    def leave_context(self, *_: Any) -> None:
        if self.uses is not None:
            self.uses.leave()

    leave_Decorator = leave_Param_default = leave_Param_annotation = leave_context
    leave_FunctionDef_returns = leave_AnnAssign_annotation = leave_context
    leave_ClassDef_bases = leave_ClassDef_keywords = leave_context

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self.uses is not None and not self.concatenated:
            self.uses.string(node, self)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        if self.uses is not None and not self.concatenated:
            self.uses.string(node, self)
        self.concatenated += 1  # its parts are one string, already read as a whole

    def leave_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        self.concatenated -= 1

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if self.uses is not None:
            self.uses.subscript(node)

    def visit_SubscriptElement(self, node: cst.SubscriptElement) -> None:
        if self.uses is not None:
            self.uses.enter_element(node)

    def leave_SubscriptElement(self, node: cst.SubscriptElement) -> None:
        if self.uses is not None:
            self.uses.leave_element(node)

    def visit_Comment(self, node: cst.Comment) -> None:
        if self.uses is not None:
            self.uses.comment(node, self.position(node)[0])

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        comment = node.trailing_whitespace.comment
        if self.uses is not None and comment is not None:
            first = self.position(node)[0]
            last = self.get_metadata(PositionProvider, node).end.line
            if last > first:  # a trailing `# noqa` of a wrapped import also covers its first line
                self.uses.comment(comment, first)

    def visit_ListComp(self, node: Any) -> None:
        if self.uses is not None:
            self.uses.enter_comprehension(node)

    def leave_ListComp(self, node: Any) -> None:
        if self.uses is not None:
            self.uses.leave_comprehension(node)

    visit_SetComp = visit_GeneratorExp = visit_DictComp = visit_ListComp
    leave_SetComp = leave_GeneratorExp = leave_DictComp = leave_ListComp

    def leave_Module(self, node: cst.Module) -> None:
        # Positions are only available while the wrapper is visiting, so results are built here.
        self.result = self.collector.finish()
        if self.uses is not None:
            self.result.update(self.uses.finish(self, self.collector))

"""The libcst visitor for first-party code: import contexts, calls and bindings, feeding the shared collector."""

from __future__ import annotations

import ast
from typing import Any

import libcst as cst

from lazyaudit.model import Call
from lazyaudit.parsing.common import COND, GUARD, TRY, Collector, Frame, call_scope, render_source
from lazyaudit.parsing.cst_hooks import ReadHooks
from lazyaudit.parsing.cst_nodes import function_locals, string_value
from lazyaudit.parsing.cst_nodes import name_of as dotted
from lazyaudit.parsing.cst_uses import Scope, UseTracker
from lazyaudit.parsing.fast import branch_frames, guards, loop_strings, suppresses_import_errors

_LITERALS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.Integer, cst.List, cst.Tuple,
             cst.Set, cst.Dict, cst.BinaryOperation)
# Values that may be interpreter facts (`WIN = sys.platform.startswith("win")`); others are not converted.
_FACT_SHAPES = (cst.Call, cst.Comparison, cst.BooleanOperation, cst.UnaryOperation, cst.Attribute, cst.Subscript,
                cst.Name)


class Walker(ReadHooks):
    """One pass over the tree: records through `collector`, name uses through `uses` when given."""

    def __init__(self, module: cst.Module, collector: Collector, uses: UseTracker | None) -> None:
        super().__init__()
        self.module, self.collector, self.uses = module, collector, uses
        self.frames: list[Frame] = []
        self.pushed: list[bool] = []
        self.scopes: list[Scope] = [Scope("module", "")]
        self.defining: list[str] = []  # qualified names of functions whose signature is being visited
        self.tries: list[int] = []
        self.assigned: dict[int, str] = {}  # id(call) -> name of the simple assignment it is the value of
        self.skip: set[int] = set()  # ids of Name nodes that are not reads
        self.ifs: dict[int, tuple[Frame | None, Frame | None]] = {}
        self.with_guards: dict[int, int] = {}
        self.loops: list[dict[str, tuple[str, ...]]] = []  # loop values saved while a `for` body is walked
        self.result: dict[str, Any] = {}

    # -- context --------------------------------------------------------------------------

    def qualname(self, name: str) -> str:
        prefix = self.scopes[-1].qualname
        return f"{prefix}.{name}" if prefix else name

    def push(self, frame: Frame | None) -> None:
        self.pushed.append(frame is not None)
        if frame is not None:
            self.frames.append(frame)

    def pop(self, node: Any = None) -> None:
        if self.pushed.pop():
            self.frames.pop()

    def to_ast(self, node: cst.CSTNode, mode: str = "eval") -> Any:
        """The node as stdlib ast, so the expression-level rules are shared with the fast scanner."""
        try:
            tree: Any = ast.parse(self.module.code_for_node(node).strip(), mode=mode)
        except (SyntaxError, ValueError, RecursionError):
            return None
        return tree.body if mode == "eval" else tree.body[-1]

    def store(self, target: cst.CSTNode) -> None:
        if isinstance(target, cst.Name):
            self.skip.add(id(target))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self.store(element.value)
        elif isinstance(target, cst.StarredElement):
            self.store(target.value)

    def define(self, target: cst.CSTNode) -> None:
        if not self.module_level:
            return
        if isinstance(target, cst.Name):
            self.collector.defined[target.value] = None
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self.define(element.value)
        elif isinstance(target, cst.StarredElement):
            self.define(target.value)

    # -- scopes ---------------------------------------------------------------------------

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.skip.add(id(node.name))
        qualname = self.qualname(node.name.value)
        self.collector.functions[qualname] = None
        if self.module_level:
            self.collector.defined[node.name.value] = None
            if node.name.value == "__getattr__":
                self.collector.has_getattr = True
                self.collector.getattr_def = self.to_ast(node, "exec")
        self.defining.append(qualname)
        if self.uses is not None:
            self.uses.function(node, qualname)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.defining.pop()

    def visit_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        qualname = self.defining[-1]
        names, declared = function_locals(node) if self.uses is not None else (set(), set())
        self.scopes.append(Scope("function", qualname, qualname, names, declared, self.uses_depth()))

    def leave_FunctionDef_body(self, original_node: cst.FunctionDef) -> None:
        self.scopes.pop()

    def visit_Lambda_body(self, node: cst.Lambda) -> None:
        outer = call_scope(self.frames, self.scope)
        name = f"{outer}.<lambda>" if outer else "<lambda>"
        names = function_locals(node)[0] if self.uses is not None else set()
        self.scopes.append(Scope("lambda", self.scopes[-1].qualname, name, names, set(), self.uses_depth()))

    def leave_Lambda_body(self, original_node: cst.Lambda) -> None:
        self.scopes.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.skip.add(id(node.name))
        if self.module_level:
            self.collector.defined[node.name.value] = None
        self.collector.add_class(self.qualname(node.name.value), [
            dotted(a.value.value if isinstance(a.value, cst.Subscript) else a.value) for a in node.bases])
        if self.uses is not None:
            self.uses.klass(node, self.qualname(node.name.value))

    def visit_ClassDef_body(self, node: cst.ClassDef) -> None:
        qualname = self.qualname(node.name.value)
        self.scopes.append(Scope("class", qualname, self.scope, set(), set(), self.uses_depth()))

    def leave_ClassDef_body(self, original_node: cst.ClassDef) -> None:
        self.scopes.pop()

    def uses_depth(self) -> int:
        return len(self.uses.contexts) if self.uses is not None else 0

    # -- statements that change the import kind -------------------------------------------

    def visit_If(self, node: cst.If) -> None:
        self.ifs[id(node)] = self.branch_frames(node.test)

    def visit_If_body(self, node: cst.If) -> None:
        self.push(self.ifs[id(node)][0])

    def visit_If_orelse(self, node: cst.If) -> None:
        self.push(self.ifs.pop(id(node))[1])

    leave_If_body = leave_If_orelse = pop

    def branch_frames(self, test: cst.BaseExpression) -> tuple[Frame | None, Frame | None]:
        tree = self.to_ast(test)  # the ast rules decide, so that both parsers classify tests alike
        if tree is not None:
            return branch_frames(tree, self.collector.facts)

        def text() -> str:
            return render_source(self.module.code_for_node(test))

        return Frame(COND, render=text), Frame(COND, render=text, negated=True)

    def visit_Try(self, node: Any) -> None:
        # A type ast cannot read is no guard (None would mean a bare `except:`).
        types = [(self.to_ast(h.type) or ast.Constant(0)) if h.type is not None else None for h in node.handlers]
        self.tries.append(self.collector.new_guard() if guards(types) else 0)

    visit_TryStar = visit_Try

    def leave_Try(self, original_node: Any) -> None:
        self.tries.pop()

    leave_TryStar = leave_Try

    def guard_frame(self, branch: str) -> Frame | None:
        if self.tries[-1]:
            return Frame(GUARD, guard=self.tries[-1], branch=branch)
        return Frame(TRY) if branch != "else" else None

    def visit_Try_body(self, node: Any) -> None:
        self.push(self.guard_frame("try"))

    def visit_Try_orelse(self, node: Any) -> None:
        self.push(self.guard_frame("else"))

    def visit_ExceptHandler_body(self, node: Any) -> None:
        self.push(self.guard_frame("except"))

    visit_TryStar_body, visit_TryStar_orelse = visit_Try_body, visit_Try_orelse
    visit_ExceptStarHandler_body = visit_ExceptHandler_body
    leave_Try_body = leave_Try_orelse = leave_ExceptHandler_body = pop
    leave_TryStar_body = leave_TryStar_orelse = leave_ExceptStarHandler_body = pop

    def visit_ExceptHandler(self, node: Any) -> None:
        if node.name is not None:
            self.store(node.name.name)

    visit_ExceptStarHandler = visit_ExceptHandler

    def visit_With(self, node: cst.With) -> None:
        suppress = any(isinstance(i.item, cst.Call) and dotted(i.item.func).endswith("suppress")
                       and suppresses_import_errors(self.to_ast(i.item)) for i in node.items)
        self.with_guards[id(node)] = self.collector.new_guard() if suppress else 0

    def visit_With_body(self, node: cst.With) -> None:
        guard = self.with_guards.pop(id(node))
        self.push(Frame(GUARD, guard=guard, branch="try") if guard else None)

    leave_With_body = pop

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self.store(node.asname.name)
            self.define(node.asname.name)

    # -- imports --------------------------------------------------------------------------

    def visit_Import(self, node: Any) -> bool:
        line, column = self.position(node)
        aliases = [(dotted(a.name), dotted(a.asname.name) if a.asname else "") for a in node.names]
        self.collector.add_import(module="", level=0, aliases=aliases, is_from=False, line=line, column=column,
                                  frames=self.frames, scope=self.scope, lazy=isinstance(node, cst.LazyImport),
                                  in_class=self.in_class)
        return False

    visit_LazyImport = visit_Import

    def visit_ImportFrom(self, node: Any) -> bool:
        line, column = self.position(node)
        if isinstance(node.names, cst.ImportStar):
            aliases = [("*", "")]
        else:
            aliases = [(dotted(a.name), dotted(a.asname.name) if a.asname else "") for a in node.names]
        self.collector.add_import(module=dotted(node.module) if node.module else "", level=len(node.relative),
                                  aliases=aliases, is_from=True, line=line, column=column, frames=self.frames,
                                  scope=self.scope, lazy=isinstance(node, cst.LazyImportFrom),
                                  in_class=self.in_class)
        return False

    visit_LazyImportFrom = visit_ImportFrom

    def visit_Global(self, node: Any) -> bool:
        return False

    visit_Nonlocal = visit_Global

    # -- calls and bindings ---------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        if self.uses is not None:
            self.uses.call(node, self)
        callee = dotted(node.func)
        if not callee:
            return
        strings = [string_value(a.value) for a in node.args if a.keyword is None and not a.star]
        strings += [string_value(a.value) for a in node.args if a.keyword is not None]
        line, column = self.position(node)
        assigned = self.assigned.pop(id(node), "")
        target = assigned if self.module_level else ""
        scope = call_scope(self.frames, self.scope)
        record = Call(callee, line, column, scope, tuple(s for s in strings if s is not None), target)
        self.collector.add_call(record, lambda: self.to_ast(node), self.frames, assigned, self.in_class)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.skip.add(id(node.keyword))

    def visit_Assign(self, node: cst.Assign) -> None:
        names = [t.target.value for t in node.targets if isinstance(t.target, cst.Name)]
        if names and isinstance(node.value, cst.Call):
            self.assigned[id(node.value)] = names[0]
        for target in node.targets:
            self.store(target.target)
            self.define(target.target)
            if self.module_level:
                self.module_assign(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.store(node.target)
        if node.value is None:
            return
        if isinstance(node.target, cst.Name) and isinstance(node.value, cst.Call):
            self.assigned[id(node.value)] = node.target.value
        self.define(node.target)
        if self.module_level:
            self.module_assign(node.target, node.value)

    def module_assign(self, target: cst.CSTNode, value: cst.BaseExpression) -> None:
        names = [target] if isinstance(target, cst.Name) else []
        if isinstance(target, (cst.Tuple, cst.List)):
            names = [e.value for e in target.elements if isinstance(e.value, cst.Name)]
        for name in names:
            literal = isinstance(target, cst.Name) and isinstance(value, _LITERALS)
            self.collector.assign(name.value, self.to_ast(value) if literal else None)
            if isinstance(target, cst.Name) and isinstance(value, _FACT_SHAPES):
                self.collector.fact(name.value, self.to_ast(value), self.frames)
            if name.value == "__getattr__":
                self.collector.has_getattr = True
                if isinstance(value, cst.Call) and dotted(value.func).rpartition(".")[2] == "attach":
                    self.collector.getattr_attach = self.to_ast(value)
            if name.value == "__all__" and self.uses is not None:
                self.uses.export(value, self)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.define(node.target)
        if self.module_level and isinstance(node.target, cst.Name):
            if node.target.value == "__all__" and isinstance(node.operator, cst.AddAssign):
                self.extend_all(node.value)
            else:
                self.collector.assign(node.target.value, None)

    def extend_all(self, value: cst.BaseExpression) -> None:
        self.collector.extend_all(self.to_ast(value) if isinstance(value, _LITERALS) else None)
        if self.uses is not None:
            self.uses.export(value, self)

    def visit_Expr(self, node: cst.Expr) -> None:
        value = node.value
        if (self.module_level and isinstance(value, cst.Call) and len(value.args) == 1
                and dotted(value.func) in ("__all__.extend", "__all__.append")
                and value.args[0].keyword is None and not value.args[0].star):
            self.extend_all(value.args[0].value)

    def visit_For(self, node: cst.For) -> None:
        self.store(node.target)
        self.define(node.target)

    def visit_For_body(self, node: cst.For) -> None:
        self.loops.append(self.collector.loop_values)
        if isinstance(node.target, cst.Name) and isinstance(node.iter, (cst.Tuple, cst.List)):
            values = loop_strings(ast.Name(id=node.target.value), self.to_ast(node.iter))
            if values:
                self.collector.loop_values = {**self.collector.loop_values, values[0]: values[1]}

    def leave_For_body(self, node: cst.For) -> None:
        self.collector.loop_values = self.loops.pop()

    def visit_Raise(self, node: cst.Raise) -> None:
        self.collector.add_raise(self.position(node)[0], self.frames, self.scope)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self.store(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.store(node.target)
        if self.scopes[-1].kind == "module":
            self.define(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self.store(node.target)

    def visit_TypeAlias(self, node: Any) -> None:
        self.skip.add(id(node.name))
        self.define(node.name)

    def visit_TypeVar(self, node: Any) -> None:
        self.skip.add(id(node.name))

    visit_ParamSpec = visit_TypeVarTuple = visit_TypeVar

    def visit_Param(self, node: cst.Param) -> None:
        self.skip.add(id(node.name))

    def visit_MatchAs(self, node: Any) -> None:
        if node.name is not None:
            self.skip.add(id(node.name))

    visit_MatchStar = visit_MatchAs

    def visit_MatchMapping(self, node: Any) -> None:
        if node.rest is not None:
            self.skip.add(id(node.rest))

    def visit_MatchKeywordElement(self, node: Any) -> None:
        self.skip.add(id(node.key))

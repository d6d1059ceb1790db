"""Where each name bound by a module-level import is read, classified on the concrete syntax tree."""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import (
    GlobalScope,
    ImportAssignment,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    ScopeProvider,
)

# Decorators known not to read the decorated function's annotations (last dotted component).
# Anything else (FastAPI routes, typer commands, singledispatch, validate_call...) is assumed to.
SAFE_DECORATORS = frozenset({
    "staticmethod", "classmethod", "property", "setter", "getter", "deleter", "abstractmethod",
    "overload", "override", "final", "wraps", "cache", "lru_cache", "cached_property", "contextmanager",
    "asynccontextmanager", "total_ordering", "unique", "fixture", "runtime_checkable",
    # aws-lambda-powertools decorators wrap the handler without inspecting its signature.
    "inject_lambda_context", "capture_lambda_handler", "capture_method", "log_metrics",
})  # fmt: skip
# Base classes whose subclasses do not evaluate their annotations at class creation.
SAFE_BASES = frozenset({"object", "Protocol", "Generic", "ABC", "Exception", "BaseException", "Enum", "IntEnum"})
DYNAMIC_CALLS = frozenset({"globals", "vars", "eval", "exec"})
HINT_READERS = frozenset({"get_type_hints", "get_annotations"})
IMPORT_TIME = ("module", "class_body", "decorator", "default", "base_class", "lambda", "runtime_annotation")


@dataclass(frozen=True)
class Use:
    """One read of a module-level binding."""

    node: cst.CSTNode
    line: int
    where: str  # "function", "annotation" (never evaluated), or one of IMPORT_TIME
    function: cst.FunctionDef | None  # innermost def whose run performs the read (None: import time / never)
    annotation: bool  # the read is (inside) an annotation
    reader: str = ""  # who reads the annotation at runtime although Python does not evaluate it

    @property
    def at_import(self) -> bool:
        return self.where in IMPORT_TIME


class ModuleUses:
    """Scope and parent metadata of one libcst Module (its own nodes: no copy), plus derived facts."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.parents = wrapper.resolve(ParentNodeProvider)
        self.positions = wrapper.resolve(PositionProvider)
        scopes = wrapper.resolve(ScopeProvider)
        self.scope = next((s for s in scopes.values() if isinstance(s, GlobalScope)), None)
        self.future_annotations = _has_future_annotations(module)
        self.globals_declared: set[str] = set()
        self.dynamic = ""  # first call that reads the namespace dynamically
        self.hint_reader = ""
        self.called_at_import: set[str] = set()
        self.escaped: set[str] = set()  # top-level functions handed to other code at import (Depends(f), routes)
        self.funcdefs: list[cst.FunctionDef] = []
        self._scan()
        self._find_escaped()

    # -- public queries ------------------------------------------------------------------------
    def line(self, node: cst.CSTNode) -> int:
        pos = self.positions.get(node)
        return pos.start.line if pos is not None else 0

    def bindings(self, name: str) -> list[cst.CSTNode]:
        """Nodes binding `name` at module level (an import statement counts once)."""
        if self.scope is None:
            return []
        seen: dict[int, cst.CSTNode] = {}
        for a in self.scope.assignments:
            node = getattr(a, "node", None)  # Assignment / ImportAssignment; built-ins have none
            if node is not None and (a.name == name or a.name.startswith(name + ".")):
                seen.setdefault(id(node), node)
        return list(seen.values())

    def uses(self, import_node: cst.Import | cst.ImportFrom, local: str) -> list[Use]:
        """Every read of `local` as bound by `import_node` (reads of other bindings of the name included)."""
        if self.scope is None:
            return []
        out: dict[int, Use] = {}
        for a in self.scope.assignments:
            if not (a.name == local or a.name.startswith(local + ".")):
                continue
            if isinstance(a, ImportAssignment) and a.node is not import_node and a.name != local:
                continue
            for access in a.references:
                if id(access.node) not in out:
                    out[id(access.node)] = self.classify(access.node)
        return sorted(out.values(), key=lambda u: (u.line, id(u.node)))

    def classify(self, node: cst.CSTNode) -> Use:
        marker = ""
        annotation = False
        reader = ""
        evaluated = not isinstance(node, (cst.SimpleString, cst.ConcatenatedString))
        owner: cst.CSTNode | None = None
        child, parent = node, self.parents.get(node)
        while parent is not None:
            if isinstance(parent, cst.Annotation) and not annotation:
                annotation, owner = True, self.parents.get(parent)
                if self.future_annotations:
                    evaluated = False
                if isinstance(owner, cst.AnnAssign) and self._in_function_body(owner):
                    evaluated = False  # PEP 526: local variable annotations are never evaluated
                reader = self._annotation_reader(owner)
                marker = marker or ("runtime_annotation" if evaluated or reader else "annotation")
            elif isinstance(parent, cst.FunctionDef):
                if child is parent.body:
                    if marker == "annotation" or (annotation and not evaluated and not reader):
                        return Use(node, self.line(node), "annotation", None, True)
                    if reader:
                        return Use(node, self.line(node), "runtime_annotation", None, True, reader)
                    return Use(node, self.line(node), "function", parent, annotation)
                if any(child is d for d in parent.decorators):
                    marker = marker or "decorator"
                elif isinstance(child, cst.Parameters) and not annotation:
                    marker = marker or "default"
            elif isinstance(parent, cst.Lambda):
                marker = marker or ("lambda" if child is parent.body else "default")
            elif isinstance(parent, cst.ClassDef):
                if child is parent.body:
                    marker = marker or "class_body"
                elif any(child is d for d in parent.decorators):
                    marker = marker or "decorator"
                else:
                    marker = marker or "base_class"
            child, parent = parent, self.parents.get(parent)
        if annotation and not evaluated and not reader:
            return Use(node, self.line(node), "annotation", None, True)
        return Use(node, self.line(node), marker or "module", None, annotation, reader)

    def runtime_annotation_names(self) -> Iterator[tuple[cst.Name, str]]:
        """Names read inside annotations that something evaluates at runtime (pydantic, decorators...)."""
        for node in _walk(self.module):
            if isinstance(node, cst.Annotation):
                reader = self.hint_reader or self._annotation_reader(self.parents.get(node))
                if reader:
                    for sub in _names(node.annotation):
                        yield sub, reader

    def resolves_at_runtime(self, name: cst.Name, excluded: set[str]) -> bool:
        """Whether a name read in a string-ified annotation resolves from module globals or builtins."""
        if name.value in excluded:
            return False
        if self.scope is not None and any(True for _ in self.scope.assignments[name.value]):
            return not any(_under_type_checking(self.parents, getattr(a, "node", None))
                           for a in self.scope.assignments[name.value])
        return hasattr(builtins, name.value)

    def inside_function(self, node: cst.CSTNode) -> bool:
        """Whether `node` runs as part of some function's body (classes in between included)."""
        child, parent = node, self.parents.get(node)
        while parent is not None:
            if isinstance(parent, (cst.FunctionDef, cst.Lambda)) and child is parent.body:
                return True
            child, parent = parent, self.parents.get(parent)
        return False

    # -- internals -----------------------------------------------------------------------------
    def _in_function_body(self, node: cst.CSTNode) -> bool:
        child, parent = node, self.parents.get(node)
        while parent is not None:
            if isinstance(parent, cst.FunctionDef) and child is parent.body:
                return True
            if isinstance(parent, cst.ClassDef):
                return False
            child, parent = parent, self.parents.get(parent)
        return False

    def _annotation_reader(self, owner: cst.CSTNode | None) -> str:
        if self.hint_reader:
            return self.hint_reader
        if isinstance(owner, cst.Param):
            params = self.parents.get(owner)
            owner = self.parents.get(params) if params is not None else None  # Param -> Parameters -> FunctionDef
        if isinstance(owner, cst.FunctionDef):
            if owner.name.value in self.escaped and isinstance(self.parents.get(owner), cst.Module):
                return f"{owner.name.value}() is handed to other code at import time, which may read its annotations"
            for dec in owner.decorators:
                dotted = dotted_name(dec.decorator)
                if dotted.rsplit(".", 1)[-1] not in SAFE_DECORATORS:
                    return f"decorator @{dotted or 'expression'} of {owner.name.value}()"
            return ""
        if isinstance(owner, cst.AnnAssign):
            block = self.parents.get(owner)  # SimpleStatementLine
            body = self.parents.get(block) if block is not None else None
            cls = self.parents.get(body) if body is not None else None
            if isinstance(cls, cst.ClassDef):
                return _class_reader(cls)
        return ""

    def _scan(self) -> None:
        for node in _walk(self.module):
            if isinstance(node, cst.Global):
                self.globals_declared.update(n.name.value for n in node.names)
            elif isinstance(node, cst.FunctionDef):
                self.funcdefs.append(node)
            elif isinstance(node, cst.Call):
                callee = dotted_name(node.func)
                last = callee.rsplit(".", 1)[-1]
                if callee in DYNAMIC_CALLS and not self.dynamic:
                    self.dynamic = f"{callee}()"
                if last in HINT_READERS and not self.hint_reader:
                    self.hint_reader = f"{callee}() reads annotations"
                if isinstance(node.func, cst.Name) and self.classify(node).at_import:
                    self.called_at_import.add(node.func.value)
            elif (isinstance(node, cst.Decorator) and isinstance(node.decorator, cst.Name)
                  and self.classify(node).at_import):
                self.called_at_import.add(node.decorator.value)


    def _find_escaped(self) -> None:
        if self.scope is None:
            return
        for func in self.funcdefs:
            if not isinstance(self.parents.get(func), cst.Module):
                continue
            for assignment in self.scope.assignments[func.name.value]:
                for access in assignment.references:
                    parent = self.parents.get(access.node)
                    if isinstance(parent, cst.Decorator) or (isinstance(parent, cst.Call) and parent.func is access.node):
                        continue  # called, not handed over
                    if self.classify(access.node).at_import:
                        self.escaped.add(func.name.value)


def _names(node: cst.CSTNode) -> Iterator[cst.Name]:
    """Names an expression reads (not attribute names, not keyword argument names)."""
    if isinstance(node, cst.Name):
        yield node
    elif isinstance(node, (cst.Attribute, cst.Arg)):
        yield from _names(node.value)
    else:
        for child in node.children:
            yield from _names(child)


def _class_reader(cls: cst.ClassDef) -> str:
    for dec in cls.decorators:
        dotted = dotted_name(dec.decorator)
        if dotted.rsplit(".", 1)[-1] not in SAFE_DECORATORS:
            return f"class {cls.name.value} is decorated with @{dotted or 'expression'}"
    for arg in cls.bases:
        base = dotted_name(arg.value)
        if base.rsplit(".", 1)[-1] not in SAFE_BASES:
            return f"class {cls.name.value}({base or '...'}) may evaluate its annotations (pydantic, dataclass-like)"
    if cls.keywords:
        return f"class {cls.name.value} has a metaclass or class keywords"
    return ""


def dotted_name(node: cst.CSTNode) -> str:
    """`a.b.c` for Name/Attribute chains; the callee for calls (`app.get("/")` -> "app.get"); else ""."""
    if isinstance(node, cst.Call):
        return dotted_name(node.func)
    if isinstance(node, cst.Subscript):
        return dotted_name(node.value)
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted_name(node.value)
        return f"{head}.{node.attr.value}" if head else ""
    return ""


def _has_future_annotations(module: cst.Module) -> bool:
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if (isinstance(small, cst.ImportFrom) and dotted_name(small.module or cst.Name("_")) == "__future__"
                        and not isinstance(small.names, cst.ImportStar)
                        and any(dotted_name(a.name) == "annotations" for a in small.names)):
                    return True
    return False


def _under_type_checking(parents: object, node: cst.CSTNode | None) -> bool:
    if node is None:
        return False
    parent = parents.get(node)  # type: ignore[attr-defined]
    while parent is not None:
        if isinstance(parent, cst.If) and dotted_name(parent.test).rsplit(".", 1)[-1] == "TYPE_CHECKING":
            return True
        parent = parents.get(parent)  # type: ignore[attr-defined]
    return False


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))

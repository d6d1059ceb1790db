"""Tree-independent parts of both parsers: import contexts, record collection, literals and error text."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from lazyaudit.model import Call, ImportKind, ImportRecord
from lazyaudit.parsing.facts import fact_value

# Bump whenever the records produced for the same bytes change: it keys the on-disk cache.
PARSER_VERSION = 5

TC, MAIN, GUARD, COND = ImportKind.TYPE_CHECKING.value, ImportKind.MAIN.value, "guard", "cond"
TRY = "try"  # the body or a handler of a try statement that is no import guard: it may catch a raise
# Exception names whose handler makes a try statement an import guard.
GUARD_EXCEPTIONS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
# Callee origins that import the module named by their first argument.
IMPORT_FUNCTIONS = frozenset({"importlib.import_module", "__import__", "builtins.__import__", "importlib.__import__"})


class SourceError(Exception):
    """The bytes could not be decoded or parsed; `__cause__` holds the parser's own exception."""


class Frame:
    """One enclosing statement that changes when an import runs (if / try / with suppress)."""

    __slots__ = ("_negated", "_render", "_text", "branch", "guard", "kind")

    def __init__(self, kind: str, *, guard: int = 0, branch: str = "",
                 render: Callable[[], str] | None = None, negated: bool = False) -> None:
        self.kind, self.guard, self.branch = kind, guard, branch
        self._render, self._negated, self._text = render, negated, ""

    def text(self) -> str:
        # Rendering costs a parse or an unparse, and most ifs never hold an import.
        if not self._text and self._render is not None:
            raw = self._render()
            self._text = f"not ({raw})" if self._negated else raw
        return self._text


def call_scope(frames: list[Frame], scope: str) -> str:
    """Where a call runs: its function, else "<main>" / "<type_checking>" in a block that never runs on
    import (so that "" keeps meaning "runs at import"), else ""."""
    if scope:
        return scope
    special = ""
    for frame in frames:  # outermost first, so the innermost wins
        if frame.kind in (TC, MAIN):
            special = f"<{frame.kind}>"
    return special


def import_context(frames: list[Frame], scope: str) -> tuple[ImportKind, str, int, str]:
    """(kind, condition, guard, guard_branch) for a statement under `frames` in `scope`."""
    conditions = [f.text() for f in frames if f.kind == COND]
    guard, branch, special = 0, "", ""
    for frame in frames:  # outermost first, so the innermost wins
        if frame.kind == GUARD:
            guard, branch = frame.guard, frame.branch
        elif frame.kind in (TC, MAIN):
            special = frame.kind
    # Code that never runs on import stays that way whatever guard or if sits inside it.
    kind = (ImportKind.DEFERRED if scope else ImportKind(special) if special else ImportKind.GUARDED if guard
            else ImportKind.CONDITIONAL if conditions else ImportKind.EAGER)
    return kind, " and ".join(conditions), guard, branch


def base_package(name: str, is_package: bool) -> str:
    return name if is_package else name.rpartition(".")[0]


def resolve_relative(module: str, level: int, name: str, is_package: bool) -> str:
    """Absolute name of `from <level dots><module> import`, or the dotted text when it climbs too far."""
    if level == 0:
        return module
    return anchor_relative("." * level + module, base_package(name, is_package))


def anchor_relative(text: str, anchor: str) -> str:
    """importlib's rule: ".x" relative to the package `anchor`; keeps the text when unresolvable."""
    level = len(text) - len(text.lstrip("."))
    rest = text[level:]
    bits = anchor.rsplit(".", level - 1) if anchor else []
    if len(bits) < level:
        return text
    return f"{bits[0]}.{rest}" if rest else bits[0]


def dotted(node: ast.AST) -> str:
    """"a.b.c" for a Name/Attribute chain, "" otherwise."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))


class Anchor(str):
    """A string computed from `__name__` / `__package__` / `__spec__.parent`, kept apart from literals."""

    __slots__ = ()


def literal(node: ast.AST | None, env: dict[str, Any]) -> Any:
    """Value of a literal expression, with names from `env`; None when it is not one."""
    if node is None:
        return None
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, (str, int)) else None
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        items = [literal(e, env) for e in node.elts]
        return None if any(i is None for i in items) else tuple(items)
    if isinstance(node, ast.Dict):
        keys = [literal(k, env) for k in node.keys]
        values = [literal(v, env) for v in node.values]
        if any(k is None or isinstance(k, tuple) for k in keys) or any(v is None for v in values):
            return None
        return dict(zip(keys, values))
    if isinstance(node, (ast.Name, ast.Attribute)):
        return env.get(dotted(node))
    if isinstance(node, ast.JoinedStr):
        parts = [literal(v.value if isinstance(v, ast.FormattedValue) else v, env) for v in node.values]
        return "".join(parts) if all(isinstance(p, str) for p in parts) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = literal(node.left, env), literal(node.right, env)
        same = isinstance(left, (str, tuple)) and type(left) is type(right)
        return left + right if same else None
    return None


def anchor_env(name: str, is_package: bool) -> dict[str, Any]:
    package = Anchor(base_package(name, is_package))
    return {"__name__": Anchor(name), "__package__": package, "__spec__.parent": package}


def render_source(code: str) -> str:
    """Canonical text of an expression given as source, so both parsers print conditions alike."""
    try:
        return ast.unparse(ast.parse(code.strip(), mode="eval").body)
    except (SyntaxError, ValueError, RecursionError):
        return " ".join(code.split())


def dynamic_target(origin: str, call: ast.Call, env: dict[str, Any]) -> str | None:
    """Module named by `import_module(...)` / `__import__(...)`, resolved against its package argument."""
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    args = list(call.args)
    if any(isinstance(a, ast.Starred) for a in args):
        return None
    first = args[0] if args else keywords.get("name")
    text = literal(first, env)
    if not isinstance(text, str) or not text.strip("."):
        return None
    if origin.endswith("import_module"):
        level = len(text) - len(text.lstrip("."))
        if not level:
            return text
        package = literal(args[1] if len(args) > 1 else keywords.get("package"), env)
        return anchor_relative(text, package) if isinstance(package, str) and package else None
    level = literal(args[4] if len(args) > 4 else keywords.get("level"), env)
    if isinstance(level, int) and level > 0:
        return anchor_relative("." * level + text, env["__package__"])
    return text


class Collector:
    """Accumulates records in walk order and turns them into ParsedModule fields; fed by both walkers."""

    def __init__(self, name: str, is_package: bool) -> None:
        self.name, self.is_package = name, is_package
        self.imports: list[ImportRecord] = []
        self.calls: list[Call] = []
        self.defined: dict[str, None] = {}
        self.functions: dict[str, None] = {}
        self.literals: dict[str, ast.expr | None] = {}
        self.all_names: list[str] | None = None
        self.all_broken = False
        self.bindings: dict[str, str] = {}  # every import binding: local name -> origin (for callee aliases)
        self.module_bindings: dict[str, None] = {}  # names bound by imports outside functions and classes
        # Import functions may be bound after their first call site, so calls are judged at the end.
        self.pending: list[tuple[Call, Any, list[Frame], str, bool, dict[str, tuple[str, ...]]]] = []
        self.getattr_def: ast.FunctionDef | ast.AsyncFunctionDef | None = None
        self.getattr_attach: ast.Call | None = None
        self.has_getattr = False
        self.future_annotations = False
        self.guards = 0
        # For the closure: interpreter facts by name (inlined into conditions), string values of the
        # enclosing `for name in ("a", "b"):` loops (for `__import__(name)`), import-time raises, class bases.
        self.facts: dict[str, ast.expr] = {}
        self.loop_values: dict[str, tuple[str, ...]] = {}
        self.raises: list[tuple[int, str, str, int, str]] = []
        self.class_bases: dict[str, tuple[str, ...]] = {}

    def new_guard(self) -> int:
        self.guards += 1
        return self.guards

    def add_import(self, *, module: str, level: int, aliases: list[tuple[str, str]], is_from: bool,
                   line: int, column: int, frames: list[Frame], scope: str, lazy: bool, in_class: bool) -> None:
        """`aliases`: (name as written, asname or ""); one record per module for `import a, b`."""
        kind, condition, guard, branch = import_context(frames, scope)
        if lazy:
            kind = ImportKind.LAZY
        if is_from:
            target = resolve_relative(module, level, self.name, self.is_package)
            if module == "__future__" and any(n == "annotations" for n, _ in aliases):
                self.future_annotations = True
            names = tuple(n for n, _ in aliases)
            bindings = tuple((a or n, f"{target}.{n}") for n, a in aliases if n != "*")
            self._record(ImportRecord(self.name, target, line, column, kind, names, bindings, scope, condition,
                                      guard, branch, level, True), scope, in_class)
            return
        for dotted_name, asname in aliases:
            binding = (asname, dotted_name) if asname else (dotted_name.partition(".")[0],) * 2
            self._record(ImportRecord(self.name, dotted_name, line, column, kind, (), (binding,), scope,
                                      condition, guard, branch), scope, in_class)

    def _record(self, record: ImportRecord, scope: str, in_class: bool) -> None:
        self.imports.append(record)
        for local, origin in record.bindings:
            self.bindings.setdefault(local, origin)
            if not scope and not in_class:
                self.module_bindings[local] = None
                self.facts.pop(local, None)

    def add_call(self, call: Call, node: ast.Call | Callable[[], ast.Call | None], frames: list[Frame],
                 assigned: str, in_class: bool) -> None:
        """`node`: the call as stdlib ast, or a thunk making it; only consulted if the callee imports."""
        self.calls.append(call)
        self.pending.append((call, node, frames[:], assigned, in_class, dict(self.loop_values)))

    def add_raise(self, line: int, frames: list[Frame], scope: str) -> None:
        """A `raise` statement; only the ones that run at import (module level, class bodies) are kept."""
        if not scope and not any(f.kind == TRY for f in frames):
            kind, condition, guard, branch = import_context(frames, scope)
            self.raises.append((line, kind.value, condition, guard, branch))

    def add_class(self, qualname: str, bases: list[str]) -> None:
        self.class_bases[qualname] = tuple(b for b in bases if b)

    def fact(self, name: str, value: ast.expr | None, frames: list[Frame]) -> None:
        """A module-level `name = value`: remembered when it is an unconditional interpreter fact."""
        found = fact_value(value, self.bindings, self.facts) if not frames else None
        if found is None:
            self.facts.pop(name, None)
        else:
            self.facts[name] = found

    def assign(self, name: str, value: ast.expr | None) -> None:
        """A module-level `name = value`; `value` None when it is not a literal."""
        self.literals[name] = None if name in self.literals and self.literals[name] is not value else value
        self.facts.pop(name, None)
        if name == "__all__":
            values = literal(value, {})
            self.all_names = list(values) if _strings(values) else None
            self.all_broken = self.all_names is None

    def extend_all(self, value: ast.expr | None) -> None:
        values = literal(value, {})
        if isinstance(values, str):
            values = (values,)
        if self.all_broken or not _strings(values):
            self.all_names, self.all_broken = None, True
            return
        self.all_names = (self.all_names or []) + list(values)

    def finish(self) -> dict[str, Any]:
        self._resolve_dynamic()
        self.imports.sort(key=lambda r: (r.line, r.column))
        self.calls.sort(key=lambda c: (c.line, c.column))
        return {"imports": tuple(self.imports), "calls": tuple(self.calls), "defined": tuple(self.defined),
                "functions": tuple(self.functions), "has_getattr": self.has_getattr,
                "all_names": tuple(self.all_names) if self.all_names is not None else None,
                "getattr_map": self._getattr_map(), "future_annotations": self.future_annotations,
                "raises": tuple(self.raises), "class_bases": tuple(self.class_bases.items())}

    def _env(self) -> dict[str, Any]:
        env = anchor_env(self.name, self.is_package)
        for key, node in self.literals.items():
            value = literal(node, {})
            if isinstance(value, str):
                env.setdefault(key, value)
        return env

    def _resolve_dynamic(self) -> None:
        env: dict[str, Any] | None = None
        for call, node, frames, assigned, in_class, loops in self.pending:
            head, _, rest = call.callee.partition(".")
            origin = self.bindings.get(head, head) + (f".{rest}" if rest else "")
            if origin not in IMPORT_FUNCTIONS:
                origin = call.callee
                if origin not in IMPORT_FUNCTIONS:
                    continue
            env = self._env() if env is None else env
            tree = node if isinstance(node, ast.Call) else node()
            if tree is None:
                continue
            # `for name in ("urllib3", "idna"): __import__(name)` (requests.packages) imports each value.
            first = tree.args[0] if tree.args else None
            values = loops.get(first.id, ()) if isinstance(first, ast.Name) else ()
            envs = [{**env, first.id: v} for v in values] if isinstance(first, ast.Name) and values else [env]
            for target in dict.fromkeys(dynamic_target(origin, tree, e) for e in envs):
                if not target:
                    continue
                _, condition, guard, branch = import_context(frames, call.scope)
                bound = target if origin.endswith("import_module") else target.partition(".")[0]
                bindings = ((assigned, bound),) if assigned else ()
                self._record(ImportRecord(self.name, target, call.line, call.column, ImportKind.DYNAMIC, (),
                                          bindings, call.scope, condition, guard, branch), call.scope, in_class)

    def _getattr_map(self) -> tuple[tuple[str, str], ...]:
        from lazyaudit.parsing.pep562 import attach_entries, getattr_entries  # they build on this module

        entries: list[tuple[str, str]] = []
        if self.getattr_def is not None:
            entries += getattr_entries(self.getattr_def, self.literals, self.name, self.is_package)
        if self.getattr_attach is not None:
            entries += attach_entries(self.getattr_attach, self.name, self.is_package)
        return tuple(dict.fromkeys(entries))


def _strings(values: Any) -> bool:
    return isinstance(values, tuple) and all(isinstance(v, str) for v in values)

"""Which annotations a library evaluates at runtime even under `from __future__ import annotations`."""

from __future__ import annotations

from dataclasses import dataclass

# (top-level package, class name) of bases whose subclasses' field annotations are evaluated at runtime.
RUNTIME_BASES = frozenset({
    ("pydantic", "BaseModel"), ("pydantic", "RootModel"), ("pydantic", "BaseSettings"),
    ("pydantic_settings", "BaseSettings"), ("sqlmodel", "SQLModel"),
    ("typing", "TypedDict"), ("typing_extensions", "TypedDict"), ("typing", "NamedTuple"),
    ("typing_extensions", "NamedTuple"), ("msgspec", "Struct"),
    ("sqlalchemy", "DeclarativeBase"), ("sqlalchemy", "DeclarativeBaseNoMeta"), ("sqlalchemy", "MappedAsDataclass"),
    ("beanie", "Document"), ("odmantic", "Model"), ("ormar", "Model"),
})
# Class decorators that read annotations (dataclasses, attrs, pydantic dataclasses, strawberry, SQLAlchemy).
RUNTIME_CLASS_DECORATORS = frozenset({
    ("dataclasses", "dataclass"), ("pydantic", "dataclass"),
    ("attr", "s"), ("attr", "attrs"), ("attr", "define"), ("attr", "frozen"), ("attr", "mutable"),
    ("attr", "dataclass"), ("attrs", "define"), ("attrs", "frozen"), ("attrs", "mutable"),
    ("strawberry", "type"), ("strawberry", "input"), ("strawberry", "interface"),
    ("sqlalchemy", "as_declarative"), ("sqlalchemy", "mapped"), ("sqlalchemy", "mapped_as_dataclass"),
})
# The same decorators when their import could not be seen (star imports): matched by name alone.
BARE_CLASS_DECORATORS = frozenset({"dataclass", "define", "frozen", "mutable", "attrs"})
# Calls whose result is a declarative base class (`Base = declarative_base()`).
BASE_FACTORIES = frozenset({"declarative_base", "generate_base"})
# Method names of route decorators (`@app.get(...)`, `@router.post(...)`, typer's `@app.command()`).
ROUTE_METHODS = frozenset({"get", "post", "put", "delete", "patch", "head", "options", "trace", "api_route",
                           "websocket", "route", "command", "callback"})
RUNTIME_FUNCTION_DECORATORS = frozenset({
    ("pydantic", "validate_call"), ("pydantic", "validate_arguments"), ("typeguard", "typechecked"),
    ("beartype", "beartype"), ("functools", "singledispatch"),
})
# FastAPI parameter markers: a function using one in a default or annotation is introspected.
DEPENDS = frozenset({"Depends", "Security"})
PARAM_MARKERS = DEPENDS | {"Query", "Path", "Body", "Header", "Cookie", "Form", "File"}


@dataclass(frozen=True, slots=True)
class ClassInfo:
    qualname: str
    bases: tuple[str, ...]  # dotted text of each base (subscripts stripped)
    decorators: tuple[str, ...]


def origin(text: str, bindings: dict[str, str]) -> str:
    """Qualified origin of a dotted name through the module's import bindings."""
    head, _, rest = text.partition(".")
    resolved = bindings.get(head, head)
    return f"{resolved}.{rest}" if rest else resolved


def _pair(text: str, bindings: dict[str, str]) -> tuple[str, str]:
    full = origin(text, bindings)
    return full.partition(".")[0], full.rpartition(".")[2]


def runtime_classes(classes: list[ClassInfo], bindings: dict[str, str], factories: set[str],
                    extra: set[str]) -> list[str]:
    """Qualified names of classes whose field annotations some library evaluates; to a fixpoint over
    first-party bases in the module. `factories`: names bound to declarative_base(); `extra`: forced."""
    runtime = set(extra)
    by_name = {c.qualname: c for c in classes}
    changed = True
    while changed:
        changed = False
        for info in classes:
            if info.qualname in runtime:
                continue
            if _is_runtime(info, bindings, factories, runtime, by_name):
                runtime.add(info.qualname)
                changed = True
    return [c.qualname for c in classes if c.qualname in runtime]


def _is_runtime(info: ClassInfo, bindings: dict[str, str], factories: set[str], runtime: set[str],
                by_name: dict[str, ClassInfo]) -> bool:
    for base in info.bases:
        if base in factories or (base in by_name and base in runtime):
            return True
        if base not in by_name and _pair(base, bindings) in RUNTIME_BASES:
            return True
    for decorator in info.decorators:
        if _pair(decorator, bindings) in RUNTIME_CLASS_DECORATORS:
            return True
        if decorator.partition(".")[0] not in bindings and decorator in BARE_CLASS_DECORATORS:
            return True
    return False


def runtime_function(decorators: tuple[tuple[str, bool], ...], bindings: dict[str, str]) -> bool:
    """Decorated by a route (`@app.get(...)`), a validator or a dispatcher that reads parameter annotations."""
    for text, _called in decorators:
        head, _, last = text.rpartition(".")
        if (head and last in ROUTE_METHODS) or last == "register":
            return True
        if _pair(text, bindings) in RUNTIME_FUNCTION_DECORATORS:
            return True
    return False

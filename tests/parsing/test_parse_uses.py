"""Name uses of imported names (full parse only): contexts, runtime annotations, shadowing, suppressions."""

from __future__ import annotations

import pytest


def uses_of(module, name="np"):
    return [(u.context.value, u.scope, u.attr, u.line) for u in module.uses if u.name == name]


CONTEXTS = {
    "module": ("x = np.zeros(3)", [("module", "", "zeros", 2)]),
    "class body": ("class C:\n    x = np.pi", [("class_body", "", "pi", 3)]),
    "decorator": ("@np.vectorize\ndef f():\n    pass", [("decorator", "", "vectorize", 2)]),
    "base class": ("class C(np.ndarray, metaclass=np.Meta):\n    pass",
                   [("base_class", "", "ndarray", 2), ("base_class", "", "Meta", 2)]),
    "default": ("def f(x=np.e):\n    pass", [("default", "", "e", 2)]),
    "parameter and return annotation": ("def f(x: np.ndarray) -> np.dtype:\n    pass",
                                        [("annotation", "", "ndarray", 2), ("annotation", "", "dtype", 2)]),
    "variable annotation": ("x: np.ndarray", [("annotation", "", "ndarray", 2)]),
    "function body": ("def f():\n    return np.linalg.norm(1)", [("function", "f", "linalg.norm", 3)]),
    "method body": ("class C:\n    def m(self):\n        np.x", [("function", "C.m", "x", 4)]),
    "lambda": ("f = lambda: np.x", [("function", "<lambda>", "x", 2)]),
    "local annotation in a function": ("def f():\n    y: np.ndarray = 1", [("annotation", "f", "ndarray", 3)]),
    "default of a nested function": ("def f():\n    def g(x=np.e):\n        pass", [("function", "f", "e", 3)]),
    "string annotation": ('def f(x: "np.ndarray"):\n    pass', [("string", "", "ndarray", 2)]),
    "nested string annotation": ('x: list["np.ndarray"]', [("string", "", "ndarray", 2)]),
    "cast": ('def f(y):\n    return cast("np.ndarray", y)', [("string", "f", "ndarray", 3)]),
    "Literal strings are data": ('x: Literal["np"]', []),
    "Annotated metadata strings are data": ('x: Annotated["np.ndarray", "np"]', [("string", "", "ndarray", 2)]),
    "export": ('__all__ = ["np"]', [("export", "", "", 2)]),
    "comprehension": ("x = [np.a for i in range(3)]", [("module", "", "a", 2)]),
}


@pytest.mark.parametrize("code, expected", CONTEXTS.values(), ids=CONTEXTS.keys())
def test_context(parsed, code, expected):
    assert uses_of(parsed("import numpy as np\n" + code)) == expected


SHADOWING = {
    "parameter": "def f(np):\n    return np",
    "keyword-only parameter": "def f(*, np=None):\n    return np",
    "local assignment after the read": "def f():\n    print(np)\n    np = 1",
    "local import": "def f():\n    import numpy as np\n    return np",
    "for target": "def f():\n    for np in []:\n        pass\n    return np",
    "enclosing function": "def f(np):\n    def g():\n        return np",
    "lambda parameter": "f = lambda np: np",
    "comprehension variable": "x = [np for np in range(3)]",
    "with target": "def f():\n    with open('x') as np:\n        return np",
    "except target": "def f():\n    try:\n        pass\n    except E as np:\n        return np",
}


@pytest.mark.parametrize("code", SHADOWING.values(), ids=SHADOWING.keys())
def test_shadowing(parsed, code):
    assert uses_of(parsed("import numpy as np\n" + code)) == []


def test_global_declaration_is_a_use(parsed):
    code = "import numpy as np\ndef f():\n    global np\n    np = np.reload()\n"
    assert uses_of(parsed(code)) == [("function", "f", "reload", 4)]


def test_stores_and_names_that_are_not_reads(parsed):
    code = "import numpy as np\nnp.x = 1\nf(np=1)\nobj.np\ndef np2(): pass\nclass K:\n    np = 2\n"
    assert uses_of(parsed(code)) == [("module", "", "x", 2)]


def test_only_module_level_imports_are_tracked(parsed):
    code = "import os\nclass C:\n    import json\ndef f():\n    import sys\n    return os, json, sys\nVALUE = 1\nVALUE\n"
    assert {u.name for u in parsed(code).uses} == {"os"}


def test_positions_are_characters(parsed):
    use = parsed("import numpy as np\nx = 'é'; y = np.pi\n").uses[0]
    assert (use.line, use.column) == (2, 13)


RUNTIME = {
    "pydantic BaseModel": ("from pydantic import BaseModel\nclass M(BaseModel):\n    x: T", ["M"]),
    "pydantic module attribute": ("import pydantic\nclass M(pydantic.BaseModel):\n    x: T", ["M"]),
    "first-party chain": ("from pydantic import BaseModel\nclass B(BaseModel):\n    pass\nclass M(B):\n    x: T",
                          ["B", "M"]),
    "BaseSettings": ("from pydantic_settings import BaseSettings\nclass S(BaseSettings):\n    x: T", ["S"]),
    "TypedDict": ("from typing import TypedDict\nclass D(TypedDict):\n    x: T", ["D"]),
    "NamedTuple": ("import typing\nclass N(typing.NamedTuple):\n    x: T", ["N"]),
    "msgspec": ("import msgspec\nclass S(msgspec.Struct):\n    x: T", ["S"]),
    "dataclass": ("from dataclasses import dataclass\n@dataclass(frozen=True)\nclass D:\n    x: T", ["D"]),
    "attrs define": ("import attrs\n@attrs.define\nclass A:\n    x: T", ["A"]),
    "attr.s": ("import attr\n@attr.s(auto_attribs=True)\nclass A:\n    x: T", ["A"]),
    "SQLAlchemy DeclarativeBase": (("from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n"
                                    "    pass\nclass User(Base):\n    x: T"), ["Base", "User"]),
    "declarative_base()": (("from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n"
                            "class User(Base):\n    x: T"), ["User"]),
    "Mapped annotation": ("from sqlalchemy.orm import Mapped\nclass User(Base):\n    x: Mapped[T]", ["User"]),
    "plain class": ("class P:\n    x: T", []),
    "generic base": ("from pydantic import BaseModel\nclass M(BaseModel, Generic[X]):\n    x: T", ["M"]),
}


@pytest.mark.parametrize("code, classes", RUNTIME.values(), ids=RUNTIME.keys())
def test_runtime_annotation_classes(parsed, code, classes):
    module = parsed("from __future__ import annotations\nfrom m import T\n" + code)
    assert list(module.runtime_annotation_classes) == classes
    expected = "runtime_annotation" if classes else "annotation"
    assert [u.context.value for u in module.uses if u.name == "T"] == [expected]


ROUTES = {
    "fastapi route": '@app.get("/items")\ndef f(q: T) -> T:\n    pass',
    "router": '@router.post("/items")\nasync def f(q: T):\n    pass',
    "Depends default": "def f(q: T, db=Depends(get_db)):\n    pass",
    "Annotated Depends": "def f(q: T, db: Annotated[S, Depends(get_db)]):\n    pass",
    "used with Depends": "def dep(q: T):\n    pass\n@router.get('/')\ndef f(x=Depends(dep)):\n    pass",
    "typer command": "@app.command()\ndef f(q: T):\n    pass",
}


@pytest.mark.parametrize("code", ROUTES.values(), ids=ROUTES.keys())
def test_runtime_parameter_annotations(parsed, code):
    module = parsed("from __future__ import annotations\nfrom m import T\n" + code)
    assert {u.context.value for u in module.uses if u.name == "T"} == {"runtime_annotation"}


def test_method_annotations_of_a_model_stay_plain(parsed):
    code = "from pydantic import BaseModel\nfrom m import T\nclass M(BaseModel):\n    def f(self, x: T):\n        pass\n"
    assert [u.context.value for u in parsed(code).uses if u.name == "T"] == ["annotation"]


def test_string_annotation_of_a_model_is_runtime(parsed):
    code = "from pydantic import BaseModel\nfrom m import T\nclass M(BaseModel):\n    x: 'T'\n"
    assert [u.context.value for u in parsed(code).uses if u.name == "T"] == ["runtime_annotation"]


SUPPRESSIONS = {
    "codes": ("import a  # lazyaudit: ignore[LA101, la104]", [(1, ("LA101", "LA104"))]),
    "all codes": ("import a  # lazyaudit: ignore", [(1, ())]),
    "noqa": ("import a  # noqa", [(1, ("NOQA",))]),
    "noqa with codes": ("import a  # noqa: F401", [(1, ("NOQA",))]),
    "noqa after another comment": ("import a  # side effect # NOQA", [(1, ("NOQA",))]),
    "both": ("import a  # noqa # lazyaudit: ignore[LA103]", [(1, ("LA103", "NOQA"))]),
    "own line": ("# lazyaudit: ignore[LA900]\nimport a", [(1, ("LA900",))]),
    "wrapped import": ("from a import (\n    b,\n)  # noqa", [(1, ("NOQA",)), (3, ("NOQA",))]),
    "not in a string": ('x = "# noqa"', []),
    "other comment": ("import a  # fine", []),
}


@pytest.mark.parametrize("code, expected", SUPPRESSIONS.values(), ids=SUPPRESSIONS.keys())
def test_suppressions(parsed, code, expected):
    assert list(parsed(code).suppressions) == expected

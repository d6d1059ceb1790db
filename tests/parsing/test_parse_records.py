"""Targets, bindings, calls, module-level names, __all__ and PEP 562 maps."""

from __future__ import annotations

import pytest

RELATIVE = {
    "module, one dot": ("from . import x", "pkg.sub.mod", False, "pkg.sub", ("x",), 1),
    "module, dotted": ("from .util import y", "pkg.sub.mod", False, "pkg.sub.util", ("y",), 1),
    "module, two dots": ("from .. import x", "pkg.sub.mod", False, "pkg", ("x",), 2),
    "module, two dots dotted": ("from ..core.base import z", "pkg.sub.mod", False, "pkg.core.base", ("z",), 2),
    "package, one dot": ("from . import x", "pkg.sub", True, "pkg.sub", ("x",), 1),
    "package, two dots": ("from .. import x", "pkg.sub", True, "pkg", ("x",), 2),
    "beyond the top": ("from ...x import y", "pkg.mod", False, "...x", ("y",), 3),
    "top-level module": ("from . import x", "mod", False, ".", ("x",), 1),
    "star": ("from .models import *", "pkg.mod", False, "pkg.models", ("*",), 1),
}


@pytest.mark.parametrize("code, name, is_package, target, names, level", RELATIVE.values(), ids=RELATIVE.keys())
def test_relative(parsed, code, name, is_package, target, names, level):
    record = parsed(code, name, is_package).imports[0]
    assert (record.target, record.names, record.level, record.is_from) == (target, names, level, True)


BINDINGS = {
    "dotted": ("import a.b.c", [("a.b.c", (), (("a", "a"),))]),
    "dotted as": ("import a.b as c", [("a.b", (), (("c", "a.b"),))]),
    "two modules": ("import os, sys as s", [("os", (), (("os", "os"),)), ("sys", (), (("s", "sys"),))]),
    "from": ("from a import b as c, d", [("a", ("b", "d"), (("c", "a.b"), ("d", "a.d")))]),
    "star": ("from a import *", [("a", ("*",), ())]),
    "parenthesised": ("from a import (\n    b,\n    c,\n)", [("a", ("b", "c"), (("b", "a.b"), ("c", "a.c")))]),
}


@pytest.mark.parametrize("code, expected", BINDINGS.values(), ids=BINDINGS.keys())
def test_bindings(parsed, code, expected):
    assert [(r.target, r.names, r.bindings) for r in parsed(code).imports] == expected


def test_positions_of_statements_sharing_a_line(parsed):
    records = parsed("import a; import b\nif x: import c\n").imports
    assert [(r.target, r.line, r.column) for r in records] == [("a", 1, 0), ("b", 1, 10), ("c", 2, 6)]


CALLS = {
    "module level, assigned": ('import boto3\ns3 = boto3.client("s3")', ("boto3.client", 2, "", ("s3",), "s3")),
    "annotated assignment": ("tracer: Tracer = Tracer()", ("Tracer", 1, "", (), "tracer")),
    "decorator": ('@app.get("/x")\ndef f():\n    pass', ("app.get", 1, "", ("/x",), "")),
    "default value": ("def f(x=make()):\n    pass", ("make", 1, "", (), "")),
    "base class": ("class C(factory()):\n    pass", ("factory", 1, "", (), "")),
    "class body": ("class C:\n    log = logging.getLogger(__name__)", ("logging.getLogger", 2, "", (), "")),
    "in a method": ("class C:\n    def m(self):\n        run()", ("run", 3, "C.m", (), "")),
    "in a lambda": ("f = lambda: g()", ("g", 1, "<lambda>", (), "")),
    "keyword strings appended": ('mock.patch("a.b", new="c", n=1)', ("mock.patch", 1, "", ("a.b", "c"), "")),
    "only literal strings": ('f(x, "a", f"b{x}", b"c", "d" "e")', ("f", 1, "", ("a", "de"), "")),
}


@pytest.mark.parametrize("code, expected", CALLS.values(), ids=CALLS.keys())
def test_calls(parsed, code, expected):
    calls = [(c.callee, c.line, c.scope, c.args, c.target) for c in parsed(code).calls]
    assert expected in calls


def test_calls_that_never_run_on_import_get_a_pseudo_scope(parsed):
    code = "if __name__ == '__main__':\n    main()\n    f = lambda: g()\nif TYPE_CHECKING:\n    T = TypeVar('T')\nrun()\n"
    assert [(c.callee, c.scope, c.target) for c in parsed(code).calls] == [
        ("main", "<main>", ""), ("g", "<main>.<lambda>", ""), ("TypeVar", "<type_checking>", "T"), ("run", "", "")]


def test_calls_without_a_dotted_callee_are_skipped(parsed):
    assert [c.callee for c in parsed("f()()\nx[0]()\n(a or b)()\nTrue.__index__()\n").calls] == ["f"]


def test_call_target_only_at_module_level(parsed):
    calls = parsed("def f():\n    x = g()\nclass C:\n    y = h()\nz = k(m())\n").calls
    assert [(c.callee, c.target) for c in calls] == [("g", ""), ("h", ""), ("k", "z"), ("m", "")]


def test_defined_and_functions(parsed):
    code = """
    import os
    X = 1
    a, (b, *c) = 1, (2, 3)
    Y: int = 2
    Z: int
    n += 1
    for i in range(3):
        pass
    with open(os.devnull) as fh:
        pass
    if (w := 3):
        pass
    def f():
        local = 1
        def inner():
            pass
    class C:
        attr = 1
        def m(self):
            pass
        class D:
            def n(self):
                pass
    try:
        pass
    except ImportError:
        fallback = None
    """
    module = parsed(code)
    assert module.defined == ("X", "a", "b", "c", "Y", "n", "i", "fh", "w", "f", "C", "fallback")
    assert module.functions == ("f", "f.inner", "C.m", "C.D.n")


ALL_NAMES = {
    "list": ('__all__ = ["a", "b"]', ("a", "b")),
    "tuple": ("__all__ = ('a',)", ("a",)),
    "plus equals": ('__all__ = ["a"]\n__all__ += ["b"]', ("a", "b")),
    "extend and append": ('__all__ = ["a"]\n__all__.extend(["b"])\n__all__.append("c")', ("a", "b", "c")),
    "not literal": ("__all__ = names()", None),
    "broken stays broken": ('__all__ = other.__all__\n__all__ += ["b"]', None),
    "absent": ("x = 1", None),
    "inside a function is ignored": ('def f():\n    __all__ = ["a"]', None),
}


@pytest.mark.parametrize("code, expected", ALL_NAMES.values(), ids=ALL_NAMES.keys())
def test_all_names(parsed, code, expected):
    assert parsed(code).all_names == expected


def test_future_annotations(parsed):
    assert parsed("from __future__ import annotations\n").future_annotations
    assert not parsed("from __future__ import division\n").future_annotations


LANGCHAIN = '''
from typing import TYPE_CHECKING
from langchain_core._import_utils import import_attr
if TYPE_CHECKING:
    from langchain_core.messages.ai import AIMessage
__all__ = ("AIMessage", "BaseMessage", "utils")
_dynamic_imports = {
    "AIMessage": "ai",
    "BaseMessage": "base",
    "utils": "__module__",
}
def __getattr__(attr_name: str) -> object:
    module_name = _dynamic_imports.get(attr_name)
    result = import_attr(attr_name, module_name, __spec__.parent)
    globals()[attr_name] = result
    return result
'''

GETATTR = {
    "langchain_core": (LANGCHAIN, "langchain_core.messages", [
        ("AIMessage", "langchain_core.messages.ai"), ("BaseMessage", "langchain_core.messages.base"),
        ("utils", "langchain_core.messages.utils")]),
    "absolute table": ('''
        import importlib
        _LAZY = {"Project": "lazyaudit.analysis", "load": "lazyaudit.analysis"}
        def __getattr__(name):
            return getattr(importlib.import_module(_LAZY[name]), name)
        ''', "lazyaudit", [("Project", "lazyaudit.analysis"), ("load", "lazyaudit.analysis")]),
    "pydantic tuples": ('''
        from importlib import import_module
        _dynamic_imports = {
            "dataclasses": (__spec__.parent, "__module__"),
            "field_validator": (__spec__.parent, ".functional_validators"),
        }
        def __getattr__(attr_name):
            package, module_name = _dynamic_imports[attr_name]
            return import_module(module_name, package=package)
        ''', "pydantic", [("dataclasses", "pydantic.dataclasses"),
                          ("field_validator", "pydantic.functional_validators")]),
    "numpy branches": ('''
        def __getattr__(attr):
            import warnings
            if attr == "linalg":
                import numpy.linalg as linalg
                return linalg
            elif attr in ("fft", "random"):
                from . import fft
                return fft
            raise AttributeError(attr)
        ''', "numpy", [("*", "warnings"), ("linalg", "numpy.linalg"), ("fft", "numpy.fft"),
                       ("random", "numpy.fft")]),
    "scipy f-string over a table": ('''
        import importlib as _importlib
        submodules = ["linalg", "stats"]
        def __getattr__(name):
            if name in submodules:
                return _importlib.import_module(f"scipy.{name}")
            raise AttributeError(name)
        ''', "scipy", [("linalg", "scipy.linalg"), ("stats", "scipy.stats")]),
    "relative branch import": ('''
        def __getattr__(name):
            if name == "Heavy":
                from .heavy import Heavy
                return Heavy
        ''', "pkg", [("Heavy", "pkg.heavy")]),
    "lazy_loader.attach": ('''
        import lazy_loader as lazy
        __getattr__, __dir__, __all__ = lazy.attach(
            __name__, submodules=["io"], submod_attrs={"util": ["crop", "pad"]})
        ''', "skimage", [("io", "skimage.io"), ("crop", "skimage.util"), ("pad", "skimage.util")]),
}


@pytest.mark.parametrize("code, name, expected", GETATTR.values(), ids=GETATTR.keys())
def test_getattr_map(parsed, code, name, expected):
    module = parsed(code, name, True)
    assert module.has_getattr
    assert list(module.getattr_map) == expected


def test_getattr_only_at_module_level(parsed):
    assert not parsed("class C:\n    def __getattr__(self, name):\n        import x\n").has_getattr
    module = parsed("if sys.version_info >= (3, 7):\n    def __getattr__(name):\n        raise AttributeError\n")
    assert module.has_getattr and module.getattr_map == ()

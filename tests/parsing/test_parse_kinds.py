"""Import kinds and contexts: one snippet per kind and per edge case, as (target, kind, scope, line)."""

from __future__ import annotations

import pytest

CASES = {
    "eager module level": ("import os", [("os", "eager", "", 1)]),
    "class body is eager": ("class C:\n    import json", [("json", "eager", "", 2)]),
    "function is deferred": ("def handler():\n    import boto3", [("boto3", "deferred", "handler", 2)]),
    "method": ("class Client:\n    def get(self):\n        import requests",
               [("requests", "deferred", "Client.get", 3)]),
    "nested function": ("def outer():\n    def inner():\n        import x",
                        [("x", "deferred", "outer.inner", 3)]),
    "class in function": ("def f():\n    class C:\n        import x", [("x", "deferred", "f", 3)]),
    "async function": ("async def f():\n    import x", [("x", "deferred", "f", 2)]),
    "TYPE_CHECKING": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import numpy",
                      [("typing", "eager", "", 1), ("numpy", "type_checking", "", 3)]),
    "typing.TYPE_CHECKING": ("import typing\nif typing.TYPE_CHECKING:\n    import numpy",
                             [("typing", "eager", "", 1), ("numpy", "type_checking", "", 3)]),
    "t.TYPE_CHECKING": ("if t.TYPE_CHECKING:\n    import numpy", [("numpy", "type_checking", "", 2)]),
    "TYPE_CHECKING else is eager": ("if TYPE_CHECKING:\n    import a\nelse:\n    import b",
                                    [("a", "type_checking", "", 2), ("b", "eager", "", 4)]),
    "not TYPE_CHECKING": ("if not TYPE_CHECKING:\n    import a\nelse:\n    import b",
                          [("a", "eager", "", 2), ("b", "type_checking", "", 4)]),
    "__main__": ('if __name__ == "__main__":\n    import cli', [("cli", "main", "", 2)]),
    "__main__ reversed": ("if '__main__' == __name__:\n    import cli", [("cli", "main", "", 2)]),
    "function under TYPE_CHECKING": ("if TYPE_CHECKING:\n    def f():\n        import x",
                                     [("x", "deferred", "f", 3)]),
    "guard inside TYPE_CHECKING stays type_checking": (
        "if TYPE_CHECKING:\n    try:\n        import a\n    except ImportError:\n        pass",
        [("a", "type_checking", "", 3)]),
    "finally is plain": ("try:\n    import a\nexcept ImportError:\n    pass\nfinally:\n    import b",
                         [("a", "guarded", "", 2), ("b", "eager", "", 6)]),
    "non-import handler": ("try:\n    import a\nexcept KeyError:\n    import b",
                           [("a", "eager", "", 2), ("b", "eager", "", 4)]),
    "lazy import": ("lazy import heavy\nlazy from pkg import thing",
                    [("heavy", "lazy", "", 1), ("pkg", "lazy", "", 2)]),
    "lazy as a name is not a keyword": ("lazy = 1\nimport lazy", [("lazy", "eager", "", 2)]),
    "conditional": ("import sys\nif sys.platform == 'win32':\n    import winreg",
                    [("sys", "eager", "", 1), ("winreg", "conditional", "", 3)]),
}


@pytest.mark.parametrize("code, expected", CASES.values(), ids=CASES.keys())
def test_kind(imports, code, expected):
    assert imports(code) == expected


@pytest.mark.parametrize("handler", ["ImportError", "ModuleNotFoundError", "Exception", "BaseException",
                                     "(ValueError, ImportError)", "builtins.ImportError", ""])
def test_guard_handlers(parsed, handler):
    code = f"try:\n    import ujson as json\nexcept {handler}:\n    import json\nelse:\n    import extra\n"
    records = parsed(code.replace("except :", "except:")).imports
    assert [(r.target, r.kind.value, r.guard, r.guard_branch) for r in records] == [
        ("ujson", "guarded", 1, "try"), ("json", "guarded", 1, "except"), ("extra", "guarded", 1, "else")]


def test_guard_ids_are_unique_and_nested_guard_wins(parsed):
    code = """
    try:
        import a
        try:
            import b
        except ImportError:
            b = None
    except ImportError:
        pass
    try:
        import c
    except ImportError:
        pass
    """
    assert [(r.target, r.guard, r.guard_branch) for r in parsed(code).imports] == [
        ("a", 1, "try"), ("b", 2, "try"), ("c", 3, "try")]


def test_contextlib_suppress_is_a_guard(parsed):
    code = "from contextlib import suppress\nwith suppress(ImportError):\n    import optional\n"
    record = parsed(code).imports[1]
    assert (record.kind.value, record.guard, record.guard_branch) == ("guarded", 1, "try")


def test_version_condition_text(parsed):
    code = "import sys\nif sys.version_info >= (3, 11):\n    import tomllib\nelse:\n    import tomli as tomllib\n"
    records = parsed(code).imports[1:]
    assert [(r.kind.value, r.condition) for r in records] == [
        ("conditional", "sys.version_info >= (3, 11)"), ("conditional", "not (sys.version_info >= (3, 11))")]


def test_elif_chain_and_nesting_join_conditions(parsed):
    code = """
    if A:
        import a
    elif B:
        if (C and
                D):
            import b
    else:
        import c
    """
    assert [r.condition for r in parsed(code).imports] == ["A", "not (A) and B and C and D",
                                                           "not (A) and not (B)"]


def test_condition_inside_guard_is_guarded_with_condition(parsed):
    code = "try:\n    if X:\n        import a\nexcept ImportError:\n    pass\n"
    record = parsed(code).imports[0]
    assert (record.kind.value, record.condition, record.guard) == ("guarded", "X", 1)


def test_guard_inside_condition_is_guarded_with_condition(parsed):
    code = "if X:\n    try:\n        import a\n    except ImportError:\n        pass\n"
    record = parsed(code).imports[0]
    assert (record.kind.value, record.condition, record.guard) == ("guarded", "X", 1)


def test_deferred_keeps_its_condition_and_guard(parsed):
    code = "def f():\n    try:\n        import a\n    except ImportError:\n        pass\n"
    record = parsed(code).imports[0]
    assert (record.kind.value, record.guard, record.guard_branch) == ("deferred", 1, "try")


DYNAMIC = {
    "importlib.import_module": ('import importlib\nimportlib.import_module("x.y")', "x.y", ""),
    "from importlib": ('from importlib import import_module\nimport_module("x")', "x", ""),
    "aliased module": ('import importlib as il\nil.import_module("x")', "x", ""),
    "aliased function": ('from importlib import import_module as im\nim("x")', "x", ""),
    "__import__": ('__import__("x.y")', "x.y", ""),
    "constant name": ('import importlib\nNAME = "x.z"\nimportlib.import_module(NAME)', "x.z", ""),
    "constant defined later": ('import importlib\ndef f():\n    importlib.import_module(N)\nN = "late"',
                               "late", "f"),
    "relative to __package__": ('import importlib\nimportlib.import_module(".sib", __package__)', "pkg.sib", ""),
    "relative to __name__": ('import importlib\nimportlib.import_module(".sub", __name__)', "pkg.mod.sub", ""),
    "relative to a literal": ('import importlib\nimportlib.import_module("..up", package="a.b.c")', "a.b.up", ""),
    "in a function": ('import importlib\ndef load():\n    return importlib.import_module("plug")', "plug", "load"),
}


@pytest.mark.parametrize("code, target, scope", DYNAMIC.values(), ids=DYNAMIC.keys())
def test_dynamic(parsed, code, target, scope):
    dynamic = [r for r in parsed(code).imports if r.kind.value == "dynamic"]
    assert [(r.target, r.scope) for r in dynamic] == [(target, scope)]


def test_dynamic_needs_a_known_string(parsed):
    code = 'import importlib\ndef f(name):\n    importlib.import_module(name)\nobj.import_module("x")\n'
    assert [r.kind.value for r in parsed(code).imports] == ["eager"]


def test_dynamic_binding_and_position(parsed):
    record = parsed('import importlib\nmod = importlib.import_module("a.b")\n').imports[1]
    assert (record.line, record.column, record.bindings) == (2, 6, (("mod", "a.b"),))
    record = parsed('mod = __import__("a.b")\n').imports[0]
    assert record.bindings == (("mod", "a"),)

"""PEP 810 fix (--target-version 3.15+): `lazy import` where the language allows it and where it pays."""

from __future__ import annotations

import libcst as cst
import pytest
from codemod_cases import dedent, facts, reasons, run

from lazyaudit.codemods._uses import ModuleUses
from lazyaudit.codemods.pep810 import placement

# name: (before, after, subject)
APPLIED = {
    "import": (
        """
        import numpy as np
        def f():
            return np.zeros(3)
        """,
        """
        lazy import numpy as np
        def f():
            return np.zeros(3)
        """, "numpy"),
    "from import, formatting kept": (
        """
        from x import (a,  # first
                       b)
        def f(): return a, b
        """,
        """
        lazy from x import (a,  # first
                       b)
        def f(): return a, b
        """, "x"),
    "under a module-level if": (
        """
        if FAST:
            import numpy
        def f(): return numpy
        """,
        """
        if FAST:
            lazy import numpy
        def f(): return numpy
        """, "numpy"),
}


@pytest.mark.parametrize("case", sorted(APPLIED))
def test_before_after(case: str) -> None:
    before, after, subject = APPLIED[case]
    code, outcomes = run("PEP810", before, subject)
    assert code == dedent(after)
    assert reasons(outcomes) == ["applied"]


@pytest.mark.parametrize("case", sorted(APPLIED))
def test_idempotent(case: str) -> None:
    before, _, subject = APPLIED[case]
    once, _ = run("PEP810", before, subject)
    twice, outcomes = run("PEP810", once, subject)
    assert twice == once
    assert reasons(outcomes) == ["not-found"]


FORBIDDEN = {
    "function": "def f():\n    import json\n",
    "class body": "class C:\n    import json\n",
    "try block": "try:\n    import json\nexcept ImportError:\n    json = None\n",
    "except handler": "try:\n    pass\nexcept ImportError:\n    import json\n",
    "star import": "from json import *\n",
    "future import": "from __future__ import annotations\n",
}


@pytest.mark.parametrize("case", sorted(FORBIDDEN))
def test_placement_pep810_forbids(case: str) -> None:
    module = cst.parse_module(FORBIDDEN[case])
    uses = ModuleUses(module)
    node = next(n for n in _walk(module) if isinstance(n, (cst.Import, cst.ImportFrom)))
    assert placement(uses, node)


def test_placement_allows_module_level_and_with_blocks() -> None:
    module = cst.parse_module("import a\nwith ctx():\n    import b\nif X:\n    import c\n")
    uses = ModuleUses(module)
    nodes = [n for n in _walk(module) if isinstance(n, cst.Import)]
    assert [placement(uses, n) for n in nodes] == ["", "", ""]


def test_forbidden_placement_is_skipped() -> None:
    source = "try:\n    import ujson as json\nexcept ImportError:\n    import json\ndef f():\n    return json\n"
    code, outcomes = run("PEP810", source, "ujson")
    assert code == source
    assert reasons(outcomes) == ["placement"]


def test_name_read_at_import_gains_nothing() -> None:
    source = "import json\nX = json.dumps(1)\n"
    code, outcomes = run("PEP810", source, "json")
    assert code == source
    assert reasons(outcomes) == ["no-gain"]


def test_names_read_at_import_stay_eager_the_rest_is_split_off() -> None:
    source = "from x import Model, helper\nclass M(Model): ...\ndef f():\n    return helper()\n"
    code, outcomes = run("PEP810", source, "x")
    assert code == "from x import Model\nlazy from x import helper\nclass M(Model): ...\ndef f():\n    return helper()\n"
    assert reasons(outcomes) == ["applied"]
    assert "Model stays eager" in outcomes[0].message
    again, outcomes = run("PEP810", code, "x")
    assert again == code


def test_annotations_are_not_import_time_reads_on_3_15() -> None:
    """3.14+ evaluates annotations on demand (PEP 649), and asking reifies the lazy name."""
    code, _ = run("PEP810", "from a import A\ndef f(x: A): ...\n", "a")
    assert code == "lazy from a import A\ndef f(x: A): ...\n"


def test_side_effect_import_is_never_lazy() -> None:
    project = facts({"plugins.builtin": "from registry import register\nregister('x', print)\n"})
    source = "import plugins.builtin  # registers\n"
    code, outcomes = run("PEP810", source, "plugins.builtin", project=project)
    assert code == source
    assert reasons(outcomes) == ["side-effect"]


def test_lazy_init_reexports() -> None:
    source = 'from .models import Model\nfrom .util import helper\nX = helper()\n__all__ = ["Model", "X"]\n'
    project = facts({"pkg.__init__": source, "pkg.models": "class Model: ...\n", "pkg.util": "def helper(): ...\n"})
    code, outcomes = run("LA102", source, "pkg", module="pkg", package=True, project=project)
    assert "_LAZY_EXPORTS" in code  # the default target: PEP 562
    from lazyaudit.codemods.pep810 import lazy_keyword
    from lazyaudit.codemods.result import FixRequest

    req = FixRequest("LA102", "pkg/__init__.py", "pkg", True, "pkg", 1)
    new, outcomes = lazy_keyword(cst.parse_module(source), req, project)
    assert new.code == source.replace("from .models", "lazy from .models", 1)
    assert reasons(outcomes) == ["applied", "no-gain"]


def _walk(node: cst.CSTNode) -> list[cst.CSTNode]:
    out, stack = [], [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(current.children)
    return out

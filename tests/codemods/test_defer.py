"""LA101 fix (defer): a module-level import moves into the functions that use it, only where provably safe."""

from __future__ import annotations

import pytest
from codemod_cases import dedent, facts, reasons, run

from lazyaudit.model import ImportKind
from lazyaudit.parsing import parse_source

# name: (before, after, subject, names)
APPLIED = {
    "plain alias": (
        """
        import numpy as np
        def f():
            return np.zeros(3)
        """,
        """
        def f():
            import numpy as np
            return np.zeros(3)
        """, "numpy", ()),
    "dotted import with as": (
        """
        import a.b as c
        def f():
            return c.run()
        """,
        """
        def f():
            import a.b as c
            return c.run()
        """, "a.b", ()),
    "from import with as": (
        """
        from a import b as c
        def f():
            return c()
        """,
        """
        def f():
            from a import b as c
            return c()
        """, "a", ()),
    "each function gets only its names": (
        """
        from x import a, b
        def f():
            return a()
        def g():
            return b()
        """,
        """
        def f():
            from x import a
            return a()
        def g():
            from x import b
            return b()
        """, "x", ()),
    "partial: a name used at import stays": (
        """
        from x import a, b
        B = b()
        def f():
            return a()
        """,
        """
        from x import b
        B = b()
        def f():
            from x import a
            return a()
        """, "x", ("a",)),
    "after the docstring": (
        """
        import json
        def f(v):
            '''Dump v.'''
            return json.dumps(v)
        """,
        """
        def f(v):
            '''Dump v.'''
            import json
            return json.dumps(v)
        """, "json", ()),
    "one-line body becomes a block": (
        """
        import json
        def f(v): return json.dumps(v)
        """,
        """
        def f(v):
            import json
            return json.dumps(v)
        """, "json", ()),
    "method": (
        """
        import json
        class C:
            def dump(self):
                return json.dumps(self)
        """,
        """
        class C:
            def dump(self):
                import json
                return json.dumps(self)
        """, "json", ()),
    "innermost function": (
        """
        import json
        def outer():
            def inner(v):
                return json.dumps(v)
            return inner
        """,
        """
        def outer():
            def inner(v):
                import json
                return json.dumps(v)
            return inner
        """, "json", ()),
    "comment goes with the import": (
        """
        import json  # only the slow path needs it
        def f(v):
            return json.dumps(v)
        """,
        """
        def f(v):
            import json  # only the slow path needs it
            return json.dumps(v)
        """, "json", ()),
    "annotations under the future import keep a TYPE_CHECKING copy": (
        """
        from __future__ import annotations
        from decimal import Decimal
        def f(x: Decimal) -> str:
            return str(Decimal(x))
        """,
        """
        from __future__ import annotations

        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from decimal import Decimal

        def f(x: Decimal) -> str:
            from decimal import Decimal
            return str(Decimal(x))
        """, "decimal", ()),
}


@pytest.mark.parametrize("case", sorted(APPLIED))
def test_before_after(case: str) -> None:
    before, after, subject, names = APPLIED[case]
    code, outcomes = run("LA101", before, subject, names=names)
    assert code == dedent(after)
    assert reasons(outcomes)[0] == "applied"


@pytest.mark.parametrize("case", sorted(APPLIED))
def test_idempotent(case: str) -> None:
    before, _, subject, names = APPLIED[case]
    once, _ = run("LA101", before, subject, names=names)
    twice, outcomes = run("LA101", once, subject, names=names)
    assert twice == once
    assert "applied" not in reasons(outcomes)


@pytest.mark.parametrize("case", sorted(APPLIED))
def test_the_import_no_longer_runs_at_module_level(case: str) -> None:
    """What LA101 reports (a module-level import of the subject binding the moved names) is gone."""
    before, _, subject, names = APPLIED[case]
    code, outcomes = run("LA101", before, subject, names=names)
    moved = set(outcomes[0].names)
    parsed = parse_source(code.encode(), "handler", "/project/handler.py", False)
    eager = {local for r in parsed.imports if r.kind is ImportKind.EAGER for local, _ in r.bindings}
    assert moved and not moved & eager
    assert all(r.kind is ImportKind.DEFERRED for r in parsed.imports if r.target == subject and r.scope)


SKIPPED = {
    "module-level call": ("import json\nX = json.dumps(1)\ndef f():\n    return json.loads('1')\n", "module-level-use"),
    "class body": ("import json\nclass C:\n    x = json.dumps(1)\n", "module-level-use"),
    "decorator": ("import functools\n@functools.cache\ndef f():\n    return functools.reduce\n", "module-level-use"),
    "default": ("import os\ndef f(sep=os.sep):\n    return os.getcwd()\n", "module-level-use"),
    "base class": ("import enum\nclass E(enum.Enum):\n    A = 1\n", "module-level-use"),
    "module-level lambda": ("import json\nF = lambda v: json.dumps(v)\n", "module-level-use"),
    "signature annotation evaluated at def time": (
        "from decimal import Decimal\ndef f(x: Decimal):\n    return Decimal(x)\n", "runtime-annotation"),
    "pydantic field under the future import": (
        ("from __future__ import annotations\nfrom datetime import datetime\nfrom pydantic import BaseModel\n"
         "class M(BaseModel):\n    at: datetime\ndef f():\n    return datetime.now()\n"), "runtime-annotation"),
    "FastAPI route signature": (
        "from __future__ import annotations\nfrom x import Body\n@app.post('/')\ndef f(b: Body):\n    return Body()\n",
        "runtime-annotation"),
    "global declaration": ("import json\ndef f():\n    global json\n    json = None\ndef g():\n    return json.dumps(1)\n",
                           "rebound"),
    "module-level reassignment": ("import json\ndef f():\n    return json.dumps(1)\nif X:\n    json = None\n", "rebound"),
    "exported in __all__": ("import json\n__all__ = ['json']\ndef f():\n    return json.dumps(1)\n", "exported"),
    "side-effect import": ("import readline\ndef f():\n    pass\n", "side-effect"),
    "side-effect module used in a function": ("import readline\ndef f():\n    return readline.get_history_length()\n",
                                              "side-effect"),
    "dynamic namespace": ("import json\ndef f():\n    return json.dumps(globals())\n", "dynamic-namespace"),
    "function called at import": ("import json\ndef f():\n    return json.dumps(1)\nX = f()\n", "called-at-import"),
    "annotations only": ("from __future__ import annotations\nfrom x import T\ndef f(a: T):\n    pass\n", "unsupported"),
}


@pytest.mark.parametrize("case", sorted(SKIPPED))
def test_unsafe_cases_are_skipped_with_a_reason(case: str) -> None:
    source, reason = SKIPPED[case]
    subject = next(line.split()[1] for line in source.splitlines() if line.startswith(("import ", "from "))
                   and "__future__" not in line and "pydantic" not in line)
    code, outcomes = run("LA101", source, subject)
    assert code == source
    assert reason in reasons(outcomes)
    assert all(o.message for o in outcomes)


def test_reexport_used_by_another_module_is_kept() -> None:
    project = facts({"handler": "import boto3\ndef f():\n    return boto3.client('s3')\n",
                     "other": "from handler import boto3\n"})
    code, outcomes = run("LA101", "import boto3\ndef f():\n    return boto3.client('s3')\n", "boto3", project=project)
    assert "import boto3\n" in code.splitlines(keepends=True)[0]
    assert reasons(outcomes) == ["exported"]
    assert "other" in outcomes[0].message


@pytest.mark.parametrize("patch", ["mock.patch('handler.boto3.client')", "monkeypatch.setattr('handler.boto3', None)",
                                   "mock.patch.object(handler, 'boto3')"])
def test_name_patched_by_a_test_is_kept(patch: str) -> None:
    project = facts({"handler": "import boto3\n", "tests.test_handler": f"import handler\nfrom unittest import mock\n"
                     f"def test(monkeypatch):\n    {patch}\n"})
    source = "import boto3\ndef f():\n    return boto3.client('s3')\n"
    code, outcomes = run("LA101", source, "boto3", project=project)
    assert code == source
    assert reasons(outcomes) == ["mock-patch"]


def test_target_that_registers_at_import_is_kept() -> None:
    project = facts({"plugins.__init__": "REG = {}\ndef register(n, f):\n    REG[n] = f\n",
                     "plugins.builtin": "from plugins import register\ndef echo(p):\n    return p\nregister('echo', echo)\n"})
    source = "import plugins.builtin\ndef f():\n    return plugins.builtin.echo\n"
    code, outcomes = run("LA101", source, "plugins.builtin", project=project)
    assert code == source
    assert reasons(outcomes) == ["side-effect"]
    assert "register" in outcomes[0].message


def test_first_party_cycle_is_reported_when_deferring_breaks_it() -> None:
    project = facts({"pkg.__init__": "", "pkg.engine": "from . import steps\ndef run():\n    return steps.apply()\n",
                     "pkg.steps": "from . import engine\ndef apply():\n    return engine\n"})
    code, outcomes = run("LA101", "from . import steps\ndef run():\n    return steps.apply()\n", "pkg",
                         module="pkg.engine", project=project)
    assert code.startswith("def run():\n    from . import steps\n")
    assert outcomes[0].data["cycle"] == "pkg.engine -> pkg.steps -> pkg.engine"


def test_missing_import_is_not_found_and_nothing_changes() -> None:
    code, outcomes = run("LA101", "def f():\n    import json\n    return json\n", "json")
    assert code == "def f():\n    import json\n    return json\n"
    assert reasons(outcomes) == ["not-found"]

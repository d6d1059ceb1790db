"""Conditions the closure evaluates for the target interpreter, and the interpreter facts the parsers inline into them."""

from __future__ import annotations

import textwrap

import pytest

from lazyaudit.conditions import evaluate, type_checking_fallback
from lazyaudit.parsing import parse_source

LINUX = {"version_info": (3, 11, 7, "final", 0), "sys_platform": "linux", "os_name": "posix",
         "platform_system": "Linux", "implementation": "cpython", "environ": {}}


@pytest.mark.parametrize(("condition", "expected"), [
    ("sys.version_info >= (3, 8)", True),
    ("sys.version_info[:2] < (3, 11)", False),
    ("sys.platform.startswith('win')", False),
    ("sys.platform.startswith(('linux', 'darwin'))", True),
    ("os.name == 'nt' or sys.platform == 'cygwin'", False),
    ("platform.python_implementation() in ('CPython',)", True),
    ("platform.python_implementation() == 'PyPy'", False),
    ("os.environ.get('POLICY', 'default').strip().lower() == 'default'", True),
    ("os.getenv('FLAG') is None", None),  # `is` is not evaluated: undecided rather than guessed
    ("'FLAG' in os.environ", False),
    ("has_feature() and sys.platform == 'win32'", False),
    ("has_feature()", None),
    ("TYPE_CHECKING", False),
    ("sys.platform != 'win32' and __name__ == '__main__'", False),
    ("__name__ != '__main__'", True),
])
def test_evaluate(condition, expected):
    assert evaluate(condition, LINUX) is expected


def test_environment_variables_are_unknown_unless_the_target_says_which():
    target = {k: v for k, v in LINUX.items() if k != "environ"}
    assert evaluate("os.environ.get('POLICY', 'default') == 'default'", target) is None
    assert evaluate("os.environ.get('POLICY', 'default') == 'cffi'", {**LINUX, "environ": {"POLICY": "cffi"}}) is True


@pytest.mark.parametrize(("condition", "expected"), [
    ("TYPE_CHECKING or not install_lazy_importer()", True),
    ("typing.TYPE_CHECKING or _install()", True),
    ("TYPE_CHECKING or FALLBACK", False),
    ("not TYPE_CHECKING and setup()", False),
])
def test_type_checking_fallback(condition, expected):
    assert type_checking_fallback(condition) is expected


def conditions(code: str) -> list[tuple[str, str]]:
    """(target, condition) of each import, after checking both parsers produce the same."""
    source = textwrap.dedent(code).encode()
    fast = parse_source(source, "pkg.mod", "/p/pkg/mod.py", False, full=False)
    full = parse_source(source, "pkg.mod", "/p/pkg/mod.py", False, full=True)
    assert fast.imports == full.imports and fast.raises == full.raises and fast.class_bases == full.class_bases
    return [(r.target, r.condition) for r in fast.imports if r.condition]


def test_fact_names_are_inlined_into_conditions():
    assert conditions("""
        import sys as _sys
        WIN = _sys.platform.startswith("win")
        PY38 = _sys.version_info >= (3, 8)
        BOTH = WIN and PY38
        if BOTH:
            import a
        if USER_FLAG:
            import b
        """) == [("a", "sys.platform.startswith('win') and sys.version_info >= (3, 8)"), ("b", "USER_FLAG")]


@pytest.mark.parametrize("code", [
    "import sys\nif x:\n    WIN = sys.platform == 'win32'\nif WIN:\n    import a\n",  # assigned conditionally
    "import sys\nWIN = sys.platform == 'win32'\nWIN = compute()\nif WIN:\n    import a\n",  # reassigned
    "import sys\nWIN = detect(sys.platform)\nif WIN:\n    import a\n",  # a call that may do anything
    "WIN = platform.system() == 'Windows'\nif WIN:\n    import a\n",  # `platform` is not imported
])
def test_names_that_are_not_plain_facts_stay_as_written(code):
    assert conditions(code) == [("a", "WIN")]


def test_a_fact_assigned_after_the_if_does_not_reach_back():
    assert conditions("import sys\nif WIN:\n    import a\nWIN = sys.platform == 'win32'\n") == [("a", "WIN")]


def test_raises_and_class_bases_are_recorded_for_the_closure():
    source = textwrap.dedent("""
        try:
            import socks
        except ImportError:
            raise
        try:
            raise TypeError
        except TypeError:
            pass
        def f():
            raise ValueError
        class A(base.B, Generic[T]):
            class Inner:
                pass
        """).encode()
    for full in (False, True):
        module = parse_source(source, "pkg.mod", "/p/pkg/mod.py", False, full=full)
        assert module.raises == ((5, "guarded", "", 1, "except"),)
        assert module.class_bases == (("A", ("base.B", "Generic")), ("A.Inner", ()))

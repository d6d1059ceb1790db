"""Helpers for the parsing tests: every snippet is parsed by both parsers, which must agree."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import pytest

from lazyaudit.model import ParsedModule
from lazyaudit.parsing import parse_source

# The fields both parsers must produce identically (the fast scanner leaves uses and suppressions empty).
PARITY_FIELDS = ("imports", "calls", "defined", "functions", "all_names", "has_getattr", "getattr_map",
                 "future_annotations", "raises", "class_bases", "source_bytes", "line_count", "error")


def parse_both(code: str | bytes, name: str = "pkg.mod", is_package: bool = False) -> ParsedModule:
    """The full parse of `code` (dedented when text), after checking the fast scanner agrees with it."""
    source = textwrap.dedent(code).encode() if isinstance(code, str) else code
    full = parse_source(source, name, "/project/pkg/mod.py", is_package, full=True)
    fast = parse_source(source, name, "/project/pkg/mod.py", is_package, full=False)
    for field in PARITY_FIELDS:
        assert getattr(fast, field) == getattr(full, field), field
    assert fast.uses == () and fast.suppressions == ()
    return full


@pytest.fixture
def parsed() -> Callable[..., ParsedModule]:
    def run(code: str | bytes, name: str = "pkg.mod", is_package: bool = False) -> ParsedModule:
        module = parse_both(code, name, is_package)
        assert module.error == ""
        return module

    return run


@pytest.fixture
def imports(parsed: Callable[..., ParsedModule]) -> Callable[..., list[tuple[str, str, str, int]]]:
    """(target, kind, scope, line) of each import record."""

    def run(code: str, name: str = "pkg.mod", is_package: bool = False) -> list[tuple[str, str, str, int]]:
        return [(r.target, r.kind.value, r.scope, r.line) for r in parsed(code, name, is_package).imports]

    return run


@pytest.fixture
def both() -> Callable[..., ParsedModule]:
    """`parse_both` itself, for tests that parse many sources (parity, properties)."""
    return parse_both

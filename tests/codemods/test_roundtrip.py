"""Round trip over every fixture file: what the codemods do not rewrite keeps its exact bytes."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from lazyaudit.codemods.result import FixRequest, SkipReason
from lazyaudit.codemods.runner import fix_source
from lazyaudit.codemods.safety import ProjectFacts

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "fixtures").rglob("*.py"))


def _parses(data: bytes) -> bool:
    try:
        cst.parse_module(data)
    except Exception:  # noqa: BLE001 - libcst's errors are not SyntaxError subclasses
        return False
    return True


@pytest.mark.parametrize("rel", FILES)
def test_parse_and_regenerate_gives_the_same_bytes(rel: str) -> None:
    data = (ROOT / rel).read_bytes()
    if not _parses(data):
        pytest.skip("unparsable on purpose (broken_inputs): see the next test")
    assert cst.parse_module(data).bytes == data


@pytest.mark.parametrize("rel", FILES)
@pytest.mark.parametrize("code", ["LA101", "LA102", "LA104"])
@pytest.mark.parametrize("pep810", [False, True])
def test_a_request_that_matches_nothing_changes_nothing(rel: str, code: str, pep810: bool) -> None:
    data = (ROOT / rel).read_bytes()
    req = FixRequest(code, rel, "fixture.module", rel.endswith("__init__.py"), "no_such_module", 1)
    fix = fix_source(data, [req], ProjectFacts(), pep810=pep810, rel=rel)
    assert fix.after == data
    expected = SkipReason.NOT_FOUND if _parses(data) else SkipReason.UNPARSABLE
    assert {o.reason for o in fix.outcomes} <= {expected, SkipReason.STAR, SkipReason.HAS_GETATTR}

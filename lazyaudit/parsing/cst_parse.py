"""Runs the libcst walker over one file, on a thread whose stack survives deeply nested code."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import libcst as cst
from libcst.metadata import MetadataWrapper

from lazyaudit.parsing.common import Collector, SourceError
from lazyaudit.parsing.cst_uses import UseTracker
from lazyaudit.parsing.cst_walk import Walker

_T = TypeVar("_T")
# libcst's native parser overflows the default 8 MB stack near 1,500 nested brackets and kills the
# process; the Python side recurses a few frames per level. Measured safe to 10,000 levels with this.
_STACK_BYTES = 512 * 1024 * 1024
_RECURSION_LIMIT = 20_000


def parse(source: bytes, name: str, is_package: bool, *, uses: bool) -> dict[str, Any]:
    """ParsedModule fields; SourceError when libcst cannot read the bytes (RecursionError passes through)."""
    try:
        module = cst.parse_module(source)
    except (cst.ParserSyntaxError, SyntaxError, ValueError) as exc:  # ParserSyntaxError is no SyntaxError
        raise SourceError(str(exc)) from exc
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    walker = Walker(wrapper.module, Collector(name, is_package), UseTracker() if uses else None)
    wrapper.visit(walker)
    return walker.result


def on_big_stack(function: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Call `function` on a fresh thread with a large stack and a raised recursion limit; re-raise its error."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, function(*args, **kwargs)))
        except BaseException as exc:  # noqa: BLE001 - handed back to the calling thread
            outcome.append((False, exc))

    previous_stack = threading.stack_size()
    previous_limit = sys.getrecursionlimit()
    try:
        threading.stack_size(_STACK_BYTES)
        sys.setrecursionlimit(max(previous_limit, _RECURSION_LIMIT))
        thread = threading.Thread(target=run, name="lazyaudit-parse")
        thread.start()
        thread.join()
    except (RuntimeError, ValueError, MemoryError):
        run()  # no room for such a stack (a tight ulimit): the ast pre-check still stops the worst nesting
    finally:
        threading.stack_size(previous_stack)
        sys.setrecursionlimit(previous_limit)
    ok, value = outcome[-1]
    if not ok:
        raise value
    return value

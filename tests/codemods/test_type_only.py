"""LA104 fix (type-only): annotation-only imports move under `if TYPE_CHECKING:`, never where annotations run."""

from __future__ import annotations

import pytest
from codemod_cases import dedent, facts, reasons, run

from lazyaudit.model import ImportKind
from lazyaudit.parsing import parse_source

# name: (before, after, subject)
APPLIED = {
    "with the future import already there": (
        """
        from __future__ import annotations
        from x import Context
        def handler(event: dict, context: Context) -> dict: ...
        """,
        """
        from __future__ import annotations

        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from x import Context

        def handler(event: dict, context: Context) -> dict: ...
        """, "x"),
    "adds the future import when nothing reads annotations": (
        """
        from x import Context
        def handler(event: dict, context: Context) -> dict:
            return event
        """,
        """
        from __future__ import annotations

        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from x import Context

        def handler(event: dict, context: Context) -> dict:
            return event
        """, "x"),
    "joins an existing TYPE_CHECKING block": (
        """
        from typing import TYPE_CHECKING
        from a import A
        if TYPE_CHECKING:
            from b import B
        def f(x: "A", y: "B"): ...
        """,
        """
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from a import A
            from b import B
        def f(x: "A", y: "B"): ...
        """, "a"),
    "adds TYPE_CHECKING to the typing import": (
        """
        from typing import Any
        from a import A
        def f(x: "A") -> Any: ...
        """,
        """
        from typing import TYPE_CHECKING, Any

        if TYPE_CHECKING:
            from a import A

        def f(x: "A") -> Any: ...
        """, "a"),
    "partial: the runtime name stays": (
        """
        from __future__ import annotations
        from a import A, make
        def f(x: A) -> A:
            return make(x)
        """,
        """
        from __future__ import annotations
        from typing import TYPE_CHECKING

        from a import make

        if TYPE_CHECKING:
            from a import A

        def f(x: A) -> A:
            return make(x)
        """, "a"),
    "quotes when the future import would break a model built in a function": (
        """
        from a import A
        from pydantic import BaseModel
        def model(T):
            class M(BaseModel):
                t: T
            return M
        def f(x: A): ...
        """,
        """
        from typing import TYPE_CHECKING

        from pydantic import BaseModel

        if TYPE_CHECKING:
            from a import A

        def model(T):
            class M(BaseModel):
                t: T
            return M
        def f(x: "A"): ...
        """, "a"),
}


@pytest.mark.parametrize("case", sorted(APPLIED))
def test_before_after(case: str) -> None:
    before, after, subject = APPLIED[case]
    code, outcomes = run("LA104", before, subject)
    assert code == dedent(after), code
    assert reasons(outcomes)[0] == "applied"
    compile(code, "<rewritten>", "exec")


@pytest.mark.parametrize("case", sorted(APPLIED))
def test_idempotent(case: str) -> None:
    before, _, subject = APPLIED[case]
    once, _ = run("LA104", before, subject)
    twice, outcomes = run("LA104", once, subject)
    assert twice == once
    assert "applied" not in reasons(outcomes)


@pytest.mark.parametrize("case", sorted(APPLIED))
def test_the_runtime_import_is_gone(case: str) -> None:
    before, _, subject = APPLIED[case]
    code, outcomes = run("LA104", before, subject)
    moved = set(outcomes[0].names)
    parsed = parse_source(code.encode(), "handler", "/project/handler.py", False)
    runtime = {local for r in parsed.imports if r.kind is not ImportKind.TYPE_CHECKING for local, _ in r.bindings}
    assert moved and not moved & runtime


SKIPPED = {
    "read at runtime": ("from a import A\ndef f(x: A):\n    return isinstance(x, A)\n", "not-type-only"),
    "pydantic field": (("from __future__ import annotations\nfrom datetime import datetime\n"
                        "from pydantic import BaseModel\nclass M(BaseModel):\n    at: datetime\n"), "runtime-annotation"),
    "dataclass field": (("from __future__ import annotations\nimport dataclasses\nfrom a import A\n"
                         "@dataclasses.dataclass\nclass D:\n    a: A\n"), "runtime-annotation"),
    "FastAPI route": ("from __future__ import annotations\nfrom a import Body\n@app.put('/x')\ndef save(b: Body): ...\n",
                      "runtime-annotation"),
    "typing.get_type_hints in the module": (
        ("from __future__ import annotations\nimport typing\nfrom a import A\ndef f(x: A): ...\n"
         "HINTS = typing.get_type_hints(f)\n"), "runtime-annotation"),
    "dependency function handed over at import": (
        "from __future__ import annotations\nfrom a import A\ndef dep(x: A): ...\nROUTE = Depends(dep)\n",
        "runtime-annotation"),
    "exported": ("from __future__ import annotations\nfrom a import A\n__all__ = ['A']\ndef f(x: A): ...\n", "exported"),
}


@pytest.mark.parametrize("case", sorted(SKIPPED))
def test_runtime_annotation_contexts_are_left_alone(case: str) -> None:
    source, reason = SKIPPED[case]
    subject = "datetime" if "datetime" in source else "a"
    code, outcomes = run("LA104", source, subject)
    assert code == source
    assert reason in reasons(outcomes)


def test_future_import_is_not_added_when_another_model_needs_its_names_at_runtime() -> None:
    """The future import would turn M's annotation into a string naming T, a local of model() that
    pydantic cannot see from the module globals; quoting just the moved annotation is the safe fix."""
    source = dedent(APPLIED["quotes when the future import would break a model built in a function"][0])
    code, outcomes = run("LA104", source, "a")
    assert "from __future__" not in code
    assert outcomes[0].data["annotations"] == "quote"


def test_reexport_used_elsewhere_stays() -> None:
    project = facts({"handler": "from a import A\n", "other": "from handler import A\n"})
    source = "from __future__ import annotations\nfrom a import A\ndef f(x: A): ...\n"
    code, outcomes = run("LA104", source, "a", project=project)
    assert code == source
    assert reasons(outcomes) == ["exported"]

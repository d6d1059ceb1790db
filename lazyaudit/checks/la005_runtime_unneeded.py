"""LA005 runtime-unneeded: a runtime requirement only tests, tooling, type checkers or a dev tool's plugins use."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lazyaudit.checks.dependency_usage import requirement_data, usage
from lazyaudit.checks.dependency_verdicts import relations
from lazyaudit.model import Finding

if TYPE_CHECKING:
    from lazyaudit.checks.context import CheckContext

CODE = "LA005"
_SHOWN = 3


def check(ctx: CheckContext) -> Iterator[Finding]:
    facts = usage(ctx)
    for req in facts.runtime_reqs:
        verdict = relations(facts).verdict(req)
        if verdict.status != "dev":
            continue
        modules, mapping = facts.provided_modules(req.name)
        shown = "; ".join(verdict.evidence[:_SHOWN])
        more = f" (and {len(verdict.evidence) - _SHOWN} more)" if len(verdict.evidence) > _SHOWN else ""
        yield Finding(
            CODE,
            f"{req.name} is declared as a runtime requirement but the shipped code never imports it; "
            f"only development use: {shown}{more}. Move it to a development group so it is not installed "
            "(and packaged) for production",
            req.path, req.line, subject=req.name,
            data=requirement_data(req, req.name, modules, {"mapping": mapping, "uses": list(verdict.evidence)}),
        )

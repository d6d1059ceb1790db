"""LA001 unused-requirement: a declared runtime requirement that no project code uses in any way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lazyaudit.checks.dependency_usage import requirement_data, usage
from lazyaudit.checks.dependency_verdicts import relations
from lazyaudit.model import Finding

if TYPE_CHECKING:
    from lazyaudit.checks.context import CheckContext

CODE = "LA001"


def check(ctx: CheckContext) -> Iterator[Finding]:
    facts = usage(ctx)
    for req in facts.runtime_reqs:
        if relations(facts).verdict(req).status != "unused":
            continue
        modules, mapping = facts.provided_modules(req.name)
        installed = ctx.env.distribution(req.name)
        if modules:
            names = ", ".join(f"`{m}`" for m in modules[:6]) + (", ..." if len(modules) > 6 else "")
            provides = f"it provides {names}" + (" (a guess: it is not installed)" if mapping == "guess" else "")
        else:
            provides = "it ships no importable module and requires nothing the code uses"
        yield Finding(
            CODE,
            f"{req.name} is declared as a runtime requirement but no project code imports it; {provides}, "
            "and nothing in the project runs its commands or loads it through another dependency",
            req.path, req.line, subject=req.name,
            data=requirement_data(req, req.name, modules, {
                "mapping": mapping, "installed": installed.version if installed else None,
            }),
        )

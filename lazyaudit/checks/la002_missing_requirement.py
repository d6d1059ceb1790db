"""LA002 missing-requirement: runtime code imports a distribution that nothing declared brings in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lazyaudit.checks.dependency_usage import MISSING, undeclared, usage
from lazyaudit.checks.dependency_verdicts import relations
from lazyaudit.model import Finding

if TYPE_CHECKING:
    from lazyaudit.checks.context import CheckContext

CODE = "LA002"


def check(ctx: CheckContext) -> Iterator[Finding]:
    facts = usage(ctx)
    closure = relations(facts).declared_closure()
    dev_declared = {r.name: r for r in ctx.requirements.declared if r.name in facts.dev_names}
    for key, uses in undeclared(facts).items():
        first = uses[0]
        dist = first.distribution
        if first.category != MISSING and dist in closure:
            continue  # installed through a declared requirement: LA003
        modules = sorted({u.module for u in uses})
        if first.category == MISSING and not dist:
            why = (f"`{first.top}` is not installed in the analysed environment and no declared requirement "
                   "provides it (if one does under another name, map it with [tool.lazyaudit] module-map)")
        elif first.category == MISSING:
            why = f"{dist} is neither declared nor installed in the analysed environment"
        else:
            installed = ctx.env.distribution(dist)
            version = f" {installed.version}" if installed else ""
            why = f"{dist}{version} is installed here, but no declared runtime requirement brings it in; declare it"
        dev = dev_declared.get(dist)
        if dev is not None:
            why += f"; it is declared only for development ({dev.path}:{dev.line})"
        elsewhere = f" (and {len(uses) - 1} more import{'s' if len(uses) > 2 else ''})" if len(uses) > 1 else ""
        yield Finding(
            CODE,
            f"runtime code imports {first.module}{elsewhere}: {why}",
            first.path, first.line, first.column, subject=dist or key, severity="error",
            data={"requirement": None, "distribution": dist or None, "modules": modules,
                  "imports": [u.where for u in uses], "kind": first.kind, "mapping": first.mapping or None,
                  "declared_for_dev": f"{dev.path}:{dev.line}" if dev else None},
        )

"""LA003 transitive-requirement: runtime code imports a distribution installed only as another one's dependency."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lazyaudit.checks.dependency_usage import MISSING, undeclared, usage
from lazyaudit.checks.dependency_verdicts import relations
from lazyaudit.model import Finding

if TYPE_CHECKING:
    from lazyaudit.checks.context import CheckContext

CODE = "LA003"


def check(ctx: CheckContext) -> Iterator[Finding]:
    facts = usage(ctx)
    closure = relations(facts).declared_closure()
    for dist, uses in undeclared(facts).items():
        first = uses[0]
        if first.category == MISSING or first.distribution not in closure:
            continue  # LA002
        roots = closure[dist]
        root_names = {r.name for r in roots}
        brought: set[str] = set()
        for root in roots:
            spec = f"{root.name}[{','.join(root.extras)}]" if root.extras else root.name
            brought.update(ctx.env.requires_closure([spec]))
        parents = sorted(p for p in ctx.env.dependents(dist) if p in brought) or sorted(root_names)
        declared = ", ".join(f"{r.name} ({r.path}:{r.line})" for r in roots[:3])
        via = ", ".join(parents)
        installed = ctx.env.distribution(dist)
        more = f" (and {len(uses) - 1} more import{'s' if len(uses) > 2 else ''})" if len(uses) > 1 else ""
        yield Finding(
            CODE,
            f"runtime code imports {first.module}{more}, but {dist} is not declared: it is installed only because "
            f"{via} require{'s' if len(parents) == 1 else ''} it (brought in by declared {declared}); "
            f"declare it, since those may stop requiring it",
            first.path, first.line, first.column, subject=dist,
            data={"requirement": None, "distribution": dist, "modules": sorted({u.module for u in uses}),
                  "imports": [u.where for u in uses], "required_by": parents,
                  "declared_roots": sorted(root_names), "installed": installed.version if installed else None},
        )

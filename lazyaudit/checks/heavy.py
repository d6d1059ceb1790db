"""When is a module "heavy"? Its measured or statically estimated cold-import cost against the thresholds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lazyaudit.costs import Cost, module_cost

if TYPE_CHECKING:
    from lazyaudit.checks.context import CheckContext
    from lazyaudit.closure import ImportResolver


def heavy_cost(ctx: CheckContext, resolver: ImportResolver, module: str) -> Cost | None:
    """The module's cumulative import cost when it crosses a configured threshold, else None.

    Thresholds (config): heavy_modules (modules in the eager closure), heavy_bytes (their source
    bytes), heavy_ms (measured milliseconds, used when a saved profile covers the module).
    """
    cost = module_cost(resolver, module, ctx.profile)
    cfg = ctx.config
    if cost.measured_ms is not None:
        return cost if cost.measured_ms >= cfg.heavy_ms else None
    if cost.modules >= cfg.heavy_modules or cost.source_bytes >= cfg.heavy_bytes:
        return cost
    return None

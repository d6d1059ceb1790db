"""Safe lazy-import rewrites (libcst codemods) driven by LA101, LA102 and LA104 findings.

Reached lazily (PEP 562): `import lazyaudit.codemods` does not import libcst.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "FileFix", "FixPlan", "FixRequest", "Outcome", "ProjectFacts", "SkipReason", "Status",
    "defer_import", "fix_command", "fix_source", "lazy_init", "lazy_keyword", "plan_fixes", "type_only", "write_plan",
]

if TYPE_CHECKING:
    from lazyaudit.codemods.defer import defer_import
    from lazyaudit.codemods.lazy_init import lazy_init
    from lazyaudit.codemods.pep810 import lazy_keyword
    from lazyaudit.codemods.result import FileFix, FixRequest, Outcome, SkipReason, Status
    from lazyaudit.codemods.runner import FixPlan, fix_command, fix_source, plan_fixes, write_plan
    from lazyaudit.codemods.safety import ProjectFacts
    from lazyaudit.codemods.type_only import type_only

_WHERE = {
    "FileFix": "result", "FixRequest": "result", "Outcome": "result", "SkipReason": "result", "Status": "result",
    "ProjectFacts": "safety", "defer_import": "defer", "lazy_init": "lazy_init", "lazy_keyword": "pep810",
    "type_only": "type_only", "FixPlan": "runner", "fix_command": "runner", "fix_source": "runner",
    "plan_fixes": "runner", "write_plan": "runner",
}


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{where}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

"""lazyaudit: find out why a Python program starts slowly, and make its imports lazy.

The public API is reached lazily (PEP 562) so that `import lazyaudit` stays cheap:
it never imports libcst, networkx, pydot or yaml.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Entry", "Finding", "ImportRecord", "LazyauditError", "Project", "__version__", "load_project"]

if TYPE_CHECKING:
    from lazyaudit.analysis import Project, load_project
    from lazyaudit.errors import LazyauditError
    from lazyaudit.model import Entry, Finding, ImportRecord

_LAZY = {
    "Project": "lazyaudit.analysis",
    "load_project": "lazyaudit.analysis",
    "Finding": "lazyaudit.model",
    "ImportRecord": "lazyaudit.model",
    "Entry": "lazyaudit.model",
    "LazyauditError": "lazyaudit.model",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lazyaudit' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

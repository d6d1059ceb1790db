"""Helpers for the codemod tests: run one codemod on a snippet, build project facts from snippets."""

from __future__ import annotations

import textwrap
from typing import Any

import libcst as cst

from lazyaudit.codemods.defer import defer_import
from lazyaudit.codemods.lazy_init import lazy_init
from lazyaudit.codemods.pep810 import lazy_keyword
from lazyaudit.codemods.result import FixRequest, Outcome
from lazyaudit.codemods.safety import ProjectFacts
from lazyaudit.codemods.type_only import type_only
from lazyaudit.parsing import parse_source

CODEMODS = {"LA101": defer_import, "LA102": lazy_init, "LA104": type_only, "PEP810": lazy_keyword}


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def facts(modules: dict[str, str] | None = None) -> ProjectFacts:
    """ProjectFacts parsed from {module name: source} (a name ending in ".__init__" is a package)."""
    parsed = []
    for name, source in (modules or {}).items():
        is_package = name.endswith(".__init__")
        mod = name.removesuffix(".__init__")
        parsed.append(parse_source(dedent(source).encode(), mod, f"/project/{name.replace('.', '/')}.py", is_package))
    return ProjectFacts.from_parsed(parsed)


def run(code: str, source: str, subject: str, *, names: tuple[str, ...] = (), module: str = "handler",
        package: bool = False, project: ProjectFacts | None = None, line: int = 1,
        data: dict[str, Any] | None = None) -> tuple[str, list[Outcome]]:
    """Apply one codemod to `source`; returns the new source and the outcomes."""
    req_code = "LA101" if code == "PEP810" else code
    req = FixRequest(req_code, f"{module.replace('.', '/')}.py", module, package, subject, line, names, data or {})
    tree = cst.parse_module(dedent(source))
    new, outcomes = CODEMODS[code](tree, req, project or ProjectFacts())
    return new.code, outcomes


def reasons(outcomes: list[Outcome]) -> list[str]:
    return [o.reason.value if o.reason else o.status.value for o in outcomes]

"""LA004 version-mismatch: the installed version does not satisfy the declared specifier (or is missing)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lazyaudit.checks.dependency_usage import usage
from lazyaudit.model import Finding
from lazyaudit.requirements import evaluate_marker, specifier_satisfied

if TYPE_CHECKING:
    from lazyaudit.checks.context import CheckContext
    from lazyaudit.checks.dependency_usage import DependencyUsage
    from lazyaudit.model import Requirement

CODE = "LA004"


def check(ctx: CheckContext) -> Iterator[Finding]:
    env = ctx.env
    facts = usage(ctx)
    markers = {**env.markers, "extra": ""}
    runtime = set(facts.runtime_reqs)
    # Lock pins and constraints are not declarations: comparing an environment with its lock is
    # `pip-sync`/`uv sync`'s job, and locks of other environments (docs, CI) would all differ.
    declared = [r for r in ctx.requirements.declared if evaluate_marker(r.marker, markers) is not False]
    complete = _installed_groups(ctx, declared)
    for req in declared:
        dist = env.distribution(req.name)
        if dist is None or not dist.version:
            local = req.editable or req.url.startswith((".", "/", "file:"))  # the project itself, a sibling
            if req in runtime and not local:
                yield _finding(facts, req, None, f"{req.name} is declared ({req.raw}) but not installed in the "
                                                 f"analysed environment (Python {_version(ctx)})")
            continue
        if not req.specifier or req.url or (req not in runtime and (req.path, req.group) not in complete):
            continue
        # An installed pre-release is accepted as pip accepts it (`pip check`): it is what runs.
        if specifier_satisfied(req.specifier, dist.version, prereleases=True) is False:
            yield _finding(facts, req, dist.version,
                           f"{req.name} {dist.version} is installed, but {req.path} declares {req.raw}: the code "
                           "runs against a version it was not declared (and maybe not tested) for")


def _installed_groups(ctx: CheckContext, declared: list[Requirement]) -> set[tuple[str, str]]:
    """(file, group) pairs whose every requirement is installed: the analysed environment is theirs.

    A development group, an optional extra or a tool environment file is compared only then; when
    some of it is missing, this environment was not built from it and its pins say nothing here.
    """
    missing: dict[tuple[str, str], bool] = {}
    for req in declared:
        key = (req.path, req.group)
        installed = ctx.env.distribution(req.name) is not None or req.editable or bool(req.url)
        missing[key] = missing.get(key, False) or not installed
    return {key for key, absent in missing.items() if not absent}


def _finding(facts: DependencyUsage, req: Requirement, installed: str | None, message: str) -> Finding:
    return Finding(
        CODE, message, req.path, req.line, subject=req.name,
        data={"requirement": req.raw, "distribution": req.name, "modules": list(facts.provided_modules(req.name)[0]),
              "specifier": req.specifier,
              "installed": installed, "marker": req.marker or None, "group": req.group, "lock": req.is_lock},
    )


def _version(ctx: CheckContext) -> str:
    return ".".join(str(v) for v in ctx.env.version_info[:3])

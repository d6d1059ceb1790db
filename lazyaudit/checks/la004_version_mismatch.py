"""LA004 version-mismatch: the installed version does not satisfy the declared specifier (or is missing)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

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
    for req in ctx.requirements.requirements:
        if evaluate_marker(req.marker, markers) is False:
            continue  # not meant for this interpreter or platform
        dist = env.distribution(req.name)
        if dist is None or not dist.version:
            # Only a direct runtime requirement must be present: dev tools, extras, lock pins for other
            # groups and constraints are routinely installed elsewhere.
            local = req.editable or req.url.startswith((".", "/", "file:"))  # the project itself, a sibling
            if req.group == "runtime" and not req.is_lock and not local:
                yield _finding(facts, req, None, f"{req.name} is declared ({req.raw}) but not installed in the "
                                                 f"analysed environment (Python {_version(ctx)})")
            continue
        if not req.specifier or req.url:
            continue
        # An installed pre-release is accepted as pip accepts it (`pip check`): it is what runs.
        if specifier_satisfied(req.specifier, dist.version, prereleases=True) is False:
            how = "pins" if req.is_lock else "declares"
            yield _finding(facts, req, dist.version,
                           f"{req.name} {dist.version} is installed, but {req.path} {how} {req.raw}: the code "
                           "runs against a version it was not declared (and maybe not tested) for")


def _finding(facts: DependencyUsage, req: Requirement, installed: str | None, message: str) -> Finding:
    return Finding(
        CODE, message, req.path, req.line, subject=req.name,
        data={"requirement": req.raw, "distribution": req.name, "modules": list(facts.provided_modules(req.name)[0]),
              "specifier": req.specifier,
              "installed": installed, "marker": req.marker or None, "group": req.group, "lock": req.is_lock},
    )


def _version(ctx: CheckContext) -> str:
    return ".".join(str(v) for v in ctx.env.version_info[:3])

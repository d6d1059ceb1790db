"""The checks, one module per rule code, run against a CheckContext; a crashing check becomes a finding."""

from __future__ import annotations

import importlib
import traceback
from collections.abc import Iterable
from typing import TYPE_CHECKING

from lazyaudit.model import Finding

if TYPE_CHECKING:
    from lazyaudit.checks.context import CheckContext

# code -> module implementing `check(ctx) -> Iterable[Finding]`; imported only when selected.
CHECKS: dict[str, str] = {
    "LA001": "lazyaudit.checks.la001_unused_requirement",
    "LA002": "lazyaudit.checks.la002_missing_requirement",
    "LA003": "lazyaudit.checks.la003_transitive_requirement",
    "LA004": "lazyaudit.checks.la004_version_mismatch",
    "LA005": "lazyaudit.checks.la005_runtime_unneeded",
    "LA101": "lazyaudit.checks.la101_deferrable_heavy_import",
    "LA102": "lazyaudit.checks.la102_eager_init_chain",
    "LA103": "lazyaudit.checks.la103_import_time_side_effect",
    "LA104": "lazyaudit.checks.la104_type_only_runtime_import",
    "LA105": "lazyaudit.checks.la105_import_cycle",
    "LA201": "lazyaudit.checks.la201_bundle_size",
}


def run_checks(ctx: CheckContext, codes: Iterable[str], *, debug: bool = False) -> list[Finding]:
    """Run the selected checks; an exception inside one check is reported, never fatal (unless debug)."""
    findings: list[Finding] = []
    for code in sorted(set(codes)):
        module_name = CHECKS.get(code)
        if module_name is None:
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # rule not implemented in this build; the registry still documents it
        try:
            findings.extend(module.check(ctx))
        except Exception as exc:
            if debug:
                raise
            findings.append(
                Finding(
                    code, f"internal error in {code} check: {type(exc).__name__}: {exc} (please report)",
                    severity="error", subject=code, data={"traceback": traceback.format_exc()},
                )
            )
    return findings

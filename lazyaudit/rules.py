"""The registry of rule codes: code, slug, summary, severity, fixability and docs anchor."""

from __future__ import annotations

from dataclasses import dataclass

DOCS_URL = "https://github.com/lazyaudit/lazyaudit/blob/main/docs/rules.md"


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    summary: str
    severity: str  # "error", "warning" or "note"
    fixable: bool = False
    group: str = "deps"  # "deps", "coldstart", "bundle", "source"

    @property
    def help_uri(self) -> str:
        return f"{DOCS_URL}#{self.code.lower()}-{self.name}"


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule("LA001", "unused-requirement", "declared runtime requirement never imported by project code", "warning"),
        Rule("LA002", "missing-requirement", "third-party import whose distribution is not declared", "error"),
        Rule("LA003", "transitive-requirement", "imported distribution only present as a dependency of another", "warning"),
        Rule("LA004", "version-mismatch", "installed version does not satisfy the declared specifier", "warning"),
        Rule("LA005", "runtime-unneeded", "declared at runtime but only used by tests/tooling or only provides console scripts", "warning"),
        Rule("LA101", "deferrable-heavy-import", "heavy module-level import whose names are used only inside functions", "warning", True, "coldstart"),
        Rule("LA102", "eager-init-chain", "package __init__ eagerly imports submodules/heavy deps that importers of one name don't need", "warning", True, "coldstart"),
        Rule("LA103", "import-time-side-effect", "module-level work at import: clients, tracers, connections, file/network I/O", "warning", False, "coldstart"),
        Rule("LA104", "type-only-runtime-import", "import used only in annotations, paid at runtime", "note", True, "coldstart"),
        Rule("LA105", "import-cycle", "cycle among first-party modules", "note", False, "coldstart"),
        Rule("LA201", "bundle-size", "an entry point's distribution closure vs the 250 MB Lambda ZIP limit", "warning", False, "bundle"),
        Rule("LA900", "unparsable-source", "a file that could not be read or parsed", "error", False, "source"),
    )
}

DEPS_CODES = tuple(c for c in RULES if c.startswith("LA00"))


class UnknownCodeError(ValueError):
    """A rule code or prefix that names no rule."""


def expand_codes(spec: str | list[str] | tuple[str, ...] | None) -> frozenset[str]:
    """Expand "LA1,LA004" (prefixes allowed, "ALL" for every code) into a set of codes.

    Raises UnknownCodeError naming every selector that matches no rule.
    """
    if spec is None:
        return frozenset()
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    out: set[str] = set()
    unknown: list[str] = []
    for item in (i.strip().upper() for i in items):
        if not item:
            continue
        if item == "ALL":
            out.update(RULES)
            continue
        matched = {c for c in RULES if c.startswith(item)}
        if not matched:
            unknown.append(item)
        out.update(matched)
    if unknown:
        raise UnknownCodeError(f"unknown rule code(s): {', '.join(unknown)} (known: {', '.join(RULES)})")
    return frozenset(out)


def rule_name(code: str) -> str:
    rule = RULES.get(code)
    return rule.name if rule else code.lower()

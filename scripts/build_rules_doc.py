"""Assemble docs/rules.md from docs/rules/laNNN.md, in registry order (run by `make docs`)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lazyaudit.rules import RULES  # noqa: E402


def build() -> str:
    parts = [
        "# Rules reference\n",
        "One section per rule code. Codes are stable; suppress one line with "
        "`# lazyaudit: ignore[LA101]`, a whole file with `per-file-ignores`, or everywhere with `ignore` "
        "(docs/configuration.md).\n",
        "| code | name | severity | fixable | what it flags |",
        "|---|---|---|---|---|",
    ]
    for rule in RULES.values():
        anchor = f"{rule.code.lower()}-{rule.name}"
        parts.append(f"| [{rule.code}](#{anchor}) | {rule.name} | {rule.severity} | "
                     f"{'yes' if rule.fixable else 'no'} | {rule.summary} |")
    parts.append("")
    for rule in RULES.values():
        body_path = ROOT / "docs" / "rules" / f"{rule.code.lower()}.md"
        body = body_path.read_text(encoding="utf-8").strip() if body_path.exists() else ""
        lines = body.splitlines()
        if lines and lines[0].startswith("#"):
            lines = lines[1:]  # the section heading comes from the registry
        parts.append(f"## {rule.code} {rule.name}\n")
        parts.append(f"*{rule.summary}* (severity: {rule.severity}; fixable: {'yes' if rule.fixable else 'no'})\n")
        parts.append("\n".join(lines).strip() + "\n")
    return "\n".join(parts)


if __name__ == "__main__":
    out = ROOT / "docs" / "rules.md"
    out.write_text(build(), encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")

"""docs/rules.md matches the rule registry: one section per code, each with an example."""

from __future__ import annotations

import re
from pathlib import Path

from lazyaudit.rules import RULES

ROOT = Path(__file__).resolve().parent.parent


def test_rules_doc_has_one_section_per_code() -> None:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## (LA\d{3}) ([a-z-]+)$", text, flags=re.MULTILINE)
    assert sections == [(r.code, r.name) for r in RULES.values()]


def test_each_rule_section_has_an_example() -> None:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    chunks = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    for chunk in chunks:
        assert "```" in chunk, f"section {chunk.splitlines()[0]} has no example"


def test_rules_doc_is_up_to_date() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_rules_doc", ROOT / "scripts" / "build_rules_doc.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == module.build(), "run `make docs`"

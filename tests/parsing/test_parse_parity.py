"""The libcst parser and the ast scanner agree on every fixture file and on a sample of real installed code."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest

from lazyaudit.parsing import parse_source

ROOT = Path(__file__).resolve().parents[2]
# Spread over the sorted tree, so that the sample is stable and reaches many packages.
SAMPLE = 150
MAX_BYTES = 16_000
# `(pars): bool = True` (a parenthesised annotated target) in CPython's own typing test data.
LIBCST_GAPS = {"typinganndata/ann_module.py"}


def sample(directory: str, count: int) -> list[Path]:
    root = Path(directory)
    if not root.is_dir():
        return []
    files = sorted(p for p in root.rglob("*.py") if p.is_file() and p.stat().st_size <= MAX_BYTES
                   and "site-packages" not in p.relative_to(root).parts)
    step = max(1, len(files) // count)
    return files[::step][:count]


FIXTURES = sorted((ROOT / "fixtures").rglob("*.py")) if (ROOT / "fixtures").is_dir() else []
INSTALLED = sample(sysconfig.get_paths()["stdlib"], SAMPLE) + sample(sysconfig.get_paths()["purelib"], SAMPLE)


def name_for(path: Path) -> tuple[str, bool]:
    parts = [p for p in path.with_suffix("").parts[-3:] if p.isidentifier()] or ["mod"]
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package and len(parts) > 1 else parts), is_package


@pytest.mark.parametrize("path", FIXTURES + INSTALLED, ids=lambda p: "/".join(p.parts[-3:]))
def test_parsers_agree(both, path):
    name, is_package = name_for(path)
    source = path.read_bytes()
    if "/".join(path.parts[-2:]) in LIBCST_GAPS:
        # Valid Python that libcst 1.9 rejects: only the fast scanner reads it.
        assert parse_source(source, name, str(path), is_package, full=False).error == ""
        assert parse_source(source, name, str(path), is_package, full=True).error.startswith("syntax error")
        return
    both(source, name, is_package)


def test_the_sample_is_not_empty():
    assert len(INSTALLED) >= SAMPLE

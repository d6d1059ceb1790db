"""LA104 type-only-runtime-import over small on-disk projects, with fake installed packages on PYTHONPATH."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from lazyaudit.analysis import load_project

SITE = {
    "ctxlib/__init__.py": "".join(f"from ctxlib import m{i}\n" for i in range(10)) + "class Context:\n    pass\n",
    **{f"ctxlib/m{i}.py": f"X{i} = {i}\n" for i in range(10)},
    "pydantic/__init__.py": "class BaseModel:\n    pass\n",
}
FUTURE = "from __future__ import annotations\n"


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture()
def audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    site = tmp_path / "site"
    write(site, SITE)
    monkeypatch.setenv("PYTHONPATH", str(site))

    def run(files: dict[str, str], entries: tuple[str, ...] = ("app:handler",)):
        root = tmp_path / "proj"
        write(root, files)
        project = load_project(root, sys.executable, entries=entries, cache=False)
        return project.audit({"LA104"})

    return run


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (FUTURE + "from ctxlib import Context\n\ndef handler(event, context: Context) -> dict:\n    return {}\n", [2]),
        # no future import: still type-only, the fix adds it
        ("from ctxlib import Context\n\ndef handler(event, context: Context) -> dict:\n    return {}\n", [1]),
        ("import ctxlib\n\ndef handler(event, context: 'ctxlib.Context') -> dict:\n    return {}\n", [1]),
        (("from typing import cast\nfrom ctxlib import Context\n\ndef handler(event, context):\n"
         "    return cast('Context', context)\n"), [2]),
        (FUTURE + "from ctxlib import Context\n\nCURRENT: Context | None = None\n\ndef handler(event, context):\n"
         "    return CURRENT\n", [2]),
        # read at run time too
        (FUTURE + "from ctxlib import Context\n\ndef handler(event, context: Context) -> dict:\n"
         "    return {'ok': isinstance(context, Context)}\n", []),
        # already under TYPE_CHECKING
        (FUTURE + "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ctxlib import Context\n\n"
         "def handler(event, context: Context) -> dict:\n    return {}\n", []),
        # the standard library: loaded anyway, nothing to save
        (FUTURE + "from decimal import Decimal\n\ndef handler(event, context) -> Decimal:\n    return Decimal(1)\n", []),
        (FUTURE + "from collections import OrderedDict\n\ndef handler(event, context) -> OrderedDict:\n"
         "    return {}\n", []),
        # another import of the same module is needed at run time: nothing would be saved
        (FUTURE + "from ctxlib import Context\nfrom ctxlib import m1\n\ndef handler(event, context: Context):\n"
         "    return m1.X1\n", []),
        # unused: not this rule's business
        (FUTURE + "from ctxlib import Context\n\ndef handler(event, context):\n    return {}\n", []),
    ],
)
def test_annotation_contexts(audit, source: str, expected: list[int]) -> None:
    assert [(f.path, f.line, f.subject) for f in audit({"app.py": source})] == [
        ("app.py", n, "ctxlib") for n in expected]


@pytest.mark.parametrize(
    "source",
    [
        # pydantic reads field annotations when the class is created, future import or not
        FUTURE + "from pydantic import BaseModel\nfrom ctxlib import Context\n\nclass Event(BaseModel):\n"
        "    context: Context\n\ndef handler(event, context):\n    return Event\n",
        ("from dataclasses import dataclass\nfrom ctxlib import Context\n\n@dataclass\nclass Event:\n"
        "    context: Context\n\ndef handler(event, context):\n    return Event\n"),
    ],
)
def test_runtime_evaluated_annotations_are_not_type_only(audit, source: str) -> None:
    assert audit({"app.py": source}) == []


def test_data_for_the_codemod(audit) -> None:
    source = "import json\nfrom ctxlib import Context\n\ndef handler(event, context: Context) -> str:\n" \
             "    return json.dumps(event)\n"
    (finding,) = audit({"app.py": source})
    data = finding.data
    assert (finding.line, finding.subject, finding.severity) == (2, "ctxlib", "note")
    assert (data["module"], data["names"], data["lines"]) == ("ctxlib", ["Context"], [4])
    assert (data["future_annotations"], data["adds_future_import"]) == (False, True)
    assert (data["fixable"], data["reason"]) == (True, "")
    assert data["entry"] == "app:handler" and data["chain"] == ["app (app.py:2)", "ctxlib"]
    assert data["saving"]["modules"] == 11
    assert "from __future__ import annotations" in finding.message


def test_reimported_elsewhere_is_kept(audit) -> None:
    files = {"app.py": FUTURE + "from ctxlib import Context\n\ndef handler(event, context: Context):\n    return 1\n",
             "other.py": "from app import Context\n"}
    assert audit(files) == []


def test_rebound_name_is_unfixable(audit) -> None:
    source = FUTURE + "from ctxlib import Context\n\ndef handler(event, context: Context):\n    return 1\n\n" \
             "Context = None\n"
    (finding,) = audit({"app.py": source})
    assert finding.data["fixable"] is False and "Context" in finding.data["reason"]

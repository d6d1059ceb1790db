"""LA101 deferrable-heavy-import over small on-disk projects, with fake installed packages on PYTHONPATH."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from lazyaudit.analysis import load_project

# Installed packages the snippets import: a heavy one (its __init__ loads 60 submodules) and a light one.
SITE = {
    "heavypkg/__init__.py": "".join(f"from heavypkg import m{i}\n" for i in range(60))
    + "def api():\n    return 1\n\ndef deco(f):\n    return f\n\nclass Base:\n    pass\n",
    **{f"heavypkg/m{i}.py": f"X{i} = {i}\n" for i in range(60)},
    "lightpkg/__init__.py": "def api():\n    return 1\n",
}
# The handler reaches the heavy name only through a helper it calls for some events.
HANDLER = ("\ndef summarise(event):\n    return heavypkg.api()\n\ndef handler(event, context):\n"
           "    return summarise(event) if event.get('summary') else {}\n")
CALLS = "\ndef handler(event, context):\n    return summarise(event) if event.get('summary') else {}\n"


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

    def run(files: dict[str, str], entries: tuple[str, ...] = ("app:handler",), **overrides):
        root = tmp_path / "proj"
        write(root, files)
        project = load_project(root, sys.executable, entries=entries, cache=False, overrides=overrides or None)
        return project.audit({"LA101"})

    return run


def lines(findings) -> list[tuple[str, int, str]]:
    return [(f.path, f.line, f.subject) for f in findings]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import heavypkg" + HANDLER, [1]),
        ("from heavypkg import api\n\ndef summarise(event):\n    return api()\n" + CALLS, [1]),
        ("import heavypkg as hp\n\ndef summarise(event):\n    return hp.api()\n" + CALLS, [1]),
        ("import lightpkg\n\ndef summarise(event):\n    return lightpkg.api()\n" + CALLS, []),  # light
        ("import heavypkg\nVALUE = heavypkg.api()" + HANDLER, []),  # module-level call
        ("import heavypkg\n\nclass Model(heavypkg.Base):\n    pass" + HANDLER, []),  # base class
        ("import heavypkg\n\n@heavypkg.deco\ndef other():\n    pass" + HANDLER, []),  # decorator
        ("import heavypkg\n\ndef other(x=heavypkg.api):\n    return x" + HANDLER, []),  # default
        ("import heavypkg\n\nclass Model:\n    api = heavypkg.api" + HANDLER, []),  # class body
        ("import heavypkg\n\ndef make():\n    return heavypkg.api()\n\nVALUE = make()" + HANDLER, []),  # called at import
        # `main()` under the __main__ guard does not run on import
        ("import heavypkg\n\ndef main():\n    return heavypkg.api()\n\nif __name__ == '__main__':\n    main()\n", [1]),
        # the handler itself reads it: every invocation imports it anyway, deferring only moves the cost
        ("import heavypkg\n\ndef handler(event, context):\n    return heavypkg.api()\n", []),
        ("import heavypkg  # noqa: F401" + HANDLER, []),  # kept on purpose
        ("import heavypkg\n\ndef handler(event, context):\n    return 1\n", []),  # never read: side effect
        ("try:\n    import heavypkg\nexcept ImportError:\n    heavypkg = None" + HANDLER, []),  # guarded
        ("def handler(event, context):\n    import heavypkg\n    return heavypkg.api()\n", []),  # already deferred
        # only in annotations under the future import: LA104's business, not LA101's
        (("from __future__ import annotations\nimport heavypkg\n\ndef handler(event, context) -> heavypkg.Base:\n"
         "    return None\n"), []),
    ],
)
def test_module_level_uses(audit, source: str, expected: list[int]) -> None:
    assert lines(audit({"app.py": source})) == [("app.py", n, source.split()[1].split(".")[0]) for n in expected]


@pytest.mark.parametrize(
    ("future", "overrides", "expected"),
    [
        ("", {}, []),  # evaluated when `summarise` is defined (Python < 3.14)
        ("from __future__ import annotations\n", {}, [2]),
        ("", {"target-version": "3.14"}, [1]),  # PEP 649: no longer evaluated at def time
    ],
)
def test_signature_annotations(audit, future: str, overrides: dict, expected: list[int]) -> None:
    source = future + "import heavypkg\n\ndef summarise(event) -> heavypkg.Base:\n    return heavypkg.api()\n" + CALLS
    assert [f.line for f in audit({"app.py": source}, **overrides)] == expected


def test_reexported_by_another_module(audit) -> None:
    files = {"app.py": "import heavypkg" + HANDLER, "other.py": "from app import heavypkg\n"}
    assert audit(files) == []


@pytest.mark.parametrize(
    "test_source",
    [
        "from unittest import mock\n\ndef test_it():\n    with mock.patch('app.heavypkg'):\n        pass\n",
        "def test_it(monkeypatch):\n    monkeypatch.setattr('app.heavypkg.api', lambda: 2)\n",
    ],
)
def test_patched_by_name_in_tests(audit, test_source: str) -> None:
    assert audit({"app.py": "import heavypkg" + HANDLER, "tests/test_app.py": test_source}) == []


def test_data_for_the_codemod(audit) -> None:
    source = "import json\nimport heavypkg\n\ndef helper():\n    return heavypkg.api()\n" + HANDLER
    (finding,) = audit({"app.py": source})
    data = finding.data
    assert (finding.line, finding.column, finding.subject) == (2, 0, "heavypkg")
    assert data["module"] == "heavypkg" and data["names"] == ["heavypkg"]
    assert data["functions"] == ["helper", "summarise"]
    assert data["first_call"]["functions"] == ["summarise"] and data["first_call"]["modules"] == 61
    assert (data["partial"], data["keep"], data["fixable"], data["reason"]) == (False, [], True, "")
    assert data["entry"] == "app:handler"
    assert data["chain"] == ["app (app.py:2)", "heavypkg"]
    assert data["saving"]["modules"] == 61 and data["saving"]["entry"] == "app:handler"
    assert data["saving"]["distributions"] == ["heavypkg"]
    assert "helper(), summarise()" in finding.message and "app:handler" in finding.message


def test_saving_is_marginal_for_the_entry(audit) -> None:
    # `app` also loads heavypkg through `loader`: deferring app's import alone saves nothing yet.
    files = {"app.py": "import loader\nimport heavypkg" + HANDLER, "loader.py": "from heavypkg import Base\nX = Base()\n"}
    (finding,) = audit(files)
    assert finding.line == 2 and finding.data["saving"]["modules"] == 0
    assert "other imports still load it" in finding.message


def test_module_no_entry_loads_is_not_judged(audit) -> None:
    # lib.py is loaded on demand only: deferring its imports saves no start-up time of any entry
    files = {"app.py": "def handler(event, context):\n    return 1\n", "lib.py": "import heavypkg" + HANDLER}
    assert audit(files) == []


def test_without_entries_a_module_uses_its_own_closure(audit) -> None:
    files = {"app.py": "def handler(event, context):\n    return 1\n", "lib.py": "import heavypkg" + HANDLER}
    (finding,) = audit(files, entries=())
    assert (finding.path, finding.data["entry"], finding.data["saving"]["modules"]) == ("lib.py", "", 61)
    assert finding.data["chain"] == ["lib (lib.py:1)", "heavypkg"]


def test_rebound_name_is_reported_unfixable(audit) -> None:
    source = "from heavypkg import api\n\ndef summarise(event):\n    return api()\n" + CALLS + "\napi = None\n"
    (finding,) = audit({"app.py": source})
    assert finding.data["fixable"] is False and "api" in finding.data["reason"]


# -- partial: some names of the statement must stay, the others move ------------------------------------------

PACKAGE = {
    "pkg/__init__.py": "from .heavy import Heavy\nfrom .light import Light, other\n",
    "pkg/heavy.py": "import heavypkg\n\nclass Heavy:\n    base = heavypkg.Base\n",
    "pkg/light.py": "class Light:\n    pass\n\ndef other():\n    return 1\n",
}


@pytest.mark.parametrize(
    ("source", "moved"),
    [
        # Heavy is read only in build(), Light at module level: moving Heavy pays once pkg is lazy
        (("from pkg import Heavy, Light\n\nclass Model(Light):\n    pass\n\ndef build():\n"
         "    return Heavy()\n" + CALLS.replace("summarise(event)", "build()")), ["Heavy"]),
        # the reverse: the name that could move is light, so there is nothing worth reporting
        (("from pkg import Heavy, Light\n\nclass Model(Heavy):\n    pass\n\ndef build():\n"
         "    return Light()\n" + CALLS.replace("summarise(event)", "build()")), None),
        (("from pkg import Heavy, Light\n\nclass Model(Heavy, Light):\n    pass\n\ndef build():\n"
         "    return Model()\n" + CALLS.replace("summarise(event)", "build()")), None),
    ],
)
def test_partial(audit, source: str, moved: list[str] | None) -> None:
    findings = audit({**PACKAGE, "app.py": source})
    if moved is None:
        assert lines(findings) == []
        return
    (finding,) = findings
    assert (finding.path, finding.line, finding.subject) == ("app.py", 1, "pkg")
    data = finding.data
    assert (data["names"], data["keep"], data["partial"]) == (moved, ["Light"], True)
    assert data["functions"] == ["build"] and data["needs_lazy_package"] == "pkg"
    assert data["saving"]["modules"] >= 61  # heavy.py and heavypkg, once pkg/__init__ is lazy
    assert "base class" in data["keep_reasons"]["Light"]


def test_read_by_the_handler_of_another_entry_only(audit) -> None:
    # `handler` reads it directly, but the entry point is `other`: for that cold start it is deferrable
    source = "import heavypkg\n\ndef handler(event, context):\n    return heavypkg.api()\n\ndef other(event, context):\n    return 1\n"
    assert lines(audit({"app.py": source}, entries=("app:other",))) == [("app.py", 1, "heavypkg")]

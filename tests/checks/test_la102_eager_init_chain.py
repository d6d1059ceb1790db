"""LA102 eager-init-chain over small on-disk projects, with a fake heavy installed package on PYTHONPATH."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from lazyaudit.analysis import load_project

SITE = {
    "heavypkg/__init__.py": "".join(f"from heavypkg import m{i}\n" for i in range(60)) + "class Client:\n    pass\n",
    **{f"heavypkg/m{i}.py": f"X{i} = {i}\n" for i in range(60)},
}
COMMON = {
    "common/__init__.py": '"""Re-exports."""\n\nfrom .clients import Client, make_client\nfrom .timeutils import utcnow\n\n'
                          '__all__ = ["Client", "make_client", "utcnow"]\n',
    "common/clients.py": "import heavypkg\n\nClient = heavypkg.Client\n\ndef make_client():\n    return Client()\n",
    "common/timeutils.py": "import time\n\ndef utcnow():\n    return time.time()\n",
}
LIGHT_USER = "from common import utcnow\n\nSTARTED = utcnow()\n\ndef handler(event, context):\n    return STARTED\n"


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
        return project.audit({"LA102"})

    return run


def test_importer_of_one_light_name_pays_for_the_heavy_submodule(audit) -> None:
    (finding,) = audit({**COMMON, "app.py": LIGHT_USER})
    assert (finding.path, finding.line, finding.column, finding.subject) == ("common/__init__.py", 3, 0, "common")
    data = finding.data
    assert data["submodules"] == ["common.clients", "common.timeutils"]
    assert data["importers"] == [
        {"module": "app", "names": ["utcnow"], "deferred": [], "path": "app.py", "line": 1}]
    assert data["needs"] == ["utcnow"] and data["lazy"] == ["Client", "make_client", "utcnow"]
    assert data["exports"] == ["Client", "make_client", "utcnow"]
    assert data["used_at_import"] == []
    assert data["entry"] == "app:handler" and data["chain"] == ["app (app.py:1)", "common"]
    assert data["saving"]["modules"] == 62  # common.clients, heavypkg and its 60 submodules
    assert data["modules"] == ["common.clients"]
    assert (data["fixable"], data["reason"]) == (True, "")
    assert "`utcnow`" in finding.message and "app:handler" in finding.message


@pytest.mark.parametrize(
    ("app", "extra", "expected"),
    [
        (LIGHT_USER, {}, 1),
        # every name is needed at import: nothing to save
        (("from common import Client, utcnow\n\nclass C(Client):\n    pass\n\ndef handler(event, context):\n"
         "    return utcnow()\n"), {}, 0),
        # a name imported inside the handler is not needed at cold start
        (("from common import utcnow\n\ndef handler(event, context):\n    from common import make_client\n"
         "    return make_client(), utcnow()\n"), {}, 1),
        ("from common import *\n\ndef handler(event, context):\n    return utcnow()\n", {}, 0),
        # importing a submodule runs the package __init__ first
        ("from common.timeutils import utcnow\n\ndef handler(event, context):\n    return utcnow()\n", {}, 1),
        # the __init__ uses the heavy name itself at import: it has to stay eager
        (LIGHT_USER, {"common/__init__.py": "from .clients import Client\nfrom .timeutils import utcnow\n\n"
                                            "DEFAULT = Client()\n"}, 0),
        # only light submodules: nothing heavy to defer
        (LIGHT_USER, {"common/__init__.py": "from .timeutils import utcnow\nfrom .other import VALUE\n",
                      "common/other.py": "VALUE = 1\n"}, 0),
        (LIGHT_USER, {"common/__init__.py": '"""Docstring only."""\n'}, 0),
        # kept on purpose
        (LIGHT_USER, {"common/__init__.py": "from .clients import Client  # noqa: F401\nfrom .timeutils import utcnow\n"},
         0),
    ],
)
def test_cases(audit, app: str, extra: dict[str, str], expected: int) -> None:
    findings = audit({**COMMON, **extra, "app.py": app})
    assert [(f.path, f.subject) for f in findings] == [("common/__init__.py", "common")] * expected


def test_no_entry_uses_the_importers(audit) -> None:
    files = {**COMMON, "app.py": "def handler(event, context):\n    return 1\n", "jobs.py": LIGHT_USER}
    (finding,) = audit(files)
    assert finding.data["entry"] == "" and finding.data["chain"] == ["jobs (jobs.py:1)", "common"]
    assert finding.data["importers"][0]["module"] == "jobs"


def test_existing_getattr_is_unfixable(audit) -> None:
    init = COMMON["common/__init__.py"] + "\ndef __getattr__(name):\n    raise AttributeError(name)\n"
    (finding,) = audit({**COMMON, "common/__init__.py": init, "app.py": LIGHT_USER})
    assert finding.data["fixable"] is False and "__getattr__" in finding.data["reason"]

"""LA103 import-time-side-effect over small on-disk projects, with fake installed packages on PYTHONPATH."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from lazyaudit.analysis import load_project
from lazyaudit.checks.side_effect_catalogue import CATALOGUE, CATEGORIES, io_verb, match

# Installed (third-party) packages the snippets import: a heavy one (60 submodules loaded by its
# __init__), a light one, and a Powertools look-alike whose Tracer is re-exported twice.
SITE = {
    "heavypkg/__init__.py": "".join(f"from heavypkg import m{i}\n" for i in range(60))
    + "def connect():\n    pass\ndef build():\n    pass\ndef load_model():\n    pass\n",
    **{f"heavypkg/m{i}.py": f"X{i} = {i}\n" for i in range(60)},
    "lightpkg/__init__.py": "def connect():\n    pass\n",
    "aws_lambda_powertools/__init__.py": "from aws_lambda_powertools.tracing import Tracer\n",
    "aws_lambda_powertools/tracing/__init__.py": "from .tracer import Tracer\n",
    "aws_lambda_powertools/tracing/tracer.py": "class Tracer:\n    pass\n",
}


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

    def run(files: dict[str, str], entries: tuple[str, ...] = ("app:handler",)) -> list[tuple[str, int, str, str]]:
        root = tmp_path / "proj"
        write(root, files)
        project = load_project(root, sys.executable, entries=entries, cache=False)
        return [(f.path, f.line, f.subject, f.data["category"]) for f in project.audit({"LA103"})]

    return run


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import boto3\ns3 = boto3.client('s3')\n", [(2, "boto3.client", "aws-client")]),
        ("import boto3\ndef handler(e, c):\n    return boto3.client('s3')\n", []),
        ("import boto3\nddb = boto3.resource('dynamodb')\ntable = ddb.Table('jobs')\n",
         [(2, "boto3.resource", "aws-client")]),
        ("import boto3\nsession = boto3.Session()\ns3 = session.client('s3')\n",
         [(2, "boto3.Session", "aws-client"), (3, "boto3.Session.client", "aws-client")]),
        ("import os\nREGION = os.environ.get('AWS_REGION', 'eu-west-1')\nX = os.getenv('X')\n", []),
        ("with open('settings.json') as f:\n    SETTINGS = f.read()\n", [(1, "builtins.open", "file-io")]),
        ("from aws_xray_sdk.core import patch_all, xray_recorder\nxray_recorder.configure(service='s')\npatch_all()\n",
         [(2, "aws_xray_sdk.core.xray_recorder.configure", "tracing"), (3, "aws_xray_sdk.core.patch_all", "tracing")]),
        ("from aws_lambda_powertools import Tracer\ntracer = Tracer()\n",
         [(2, "aws_lambda_powertools.Tracer", "tracing")]),
        # matched through the installed package's re-exports, reported as written
        ("from aws_lambda_powertools.tracing.tracer import Tracer\ntracer = Tracer()\n",
         [(2, "aws_lambda_powertools.tracing.tracer.Tracer", "tracing")]),
        ("import openai\nclient = openai.OpenAI()\n", [(2, "openai.OpenAI", "ai-client")]),
        ("from fastapi import FastAPI\napp = FastAPI()\n@app.get('/')\ndef root():\n    return {}\n", []),
        # the general rule: an I/O verb into a heavy third-party module, not a light one, not another verb
        ("import heavypkg\nheavypkg.connect()\nMODEL = heavypkg.load_model()\nheavypkg.build()\n",
         [(2, "heavypkg.connect", "io-verb"), (3, "heavypkg.load_model", "io-verb")]),
        ("import lightpkg\nlightpkg.connect()\n", []),
        # through a first-party function called at module level
        ("import boto3\ndef make():\n    return boto3.client('s3')\nCLIENT = make()\n",
         [(4, "boto3.client", "aws-client")]),
        ("import boto3\ndef make():\n    def later():\n        return boto3.client('s3')\n    return later\nGET = make()\n",
         []),
        ("import boto3\ns3 = boto3.client('s3')  # lazyaudit: ignore[LA103]\n", []),
        ("import boto3\ndef main():\n    return boto3.client('s3')\nif __name__ == '__main__':\n    main()\n", []),
    ],
)
def test_module_level_calls(audit, source: str, expected: list[tuple[int, str, str]]) -> None:
    assert audit({"app.py": source}) == [("app.py", line, subject, cat) for line, subject, cat in expected]


def test_configured_callees_and_dev_files(audit) -> None:
    found = audit({
        "pyproject.toml": "[tool.lazyaudit]\nside-effect-calls = ['lightpkg.warm_up']\n",
        "app.py": "import lightpkg\nlightpkg.warm_up()\n",
        "tests/test_app.py": "import boto3\ns3 = boto3.client('s3')\n",
    })
    assert found == [("app.py", 2, "lightpkg.warm_up", "configured")]


def test_finding_data_and_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"app.py": "import boto3\n\ns3 = boto3.client('s3')\n\ndef handler(e, c):\n    return s3\n",
                     "other.py": "import app\n"})
    project = load_project(tmp_path, sys.executable, entries=["app:handler", "other"], cache=False)
    [f] = project.audit({"LA103"})
    assert (f.path, f.line, f.column, f.subject) == ("app.py", 3, 5, "boto3.client")
    assert f.data["target"] == "s3" and f.data["callee"] == "boto3.client" and f.data["category"] == "aws-client"
    assert f.data["entries"] == ["app:handler", "other"] and f.data["entry"] == "app:handler"
    assert "`s3 = boto3.client(...)` runs at import" in f.message and "1 more entry" in f.message


def test_catalogue_is_documented_and_matchable() -> None:
    assert {e.category for e in CATALOGUE} <= set(CATEGORIES)
    assert all(e.why and e.pattern for e in CATALOGUE)
    assert len({e.pattern for e in CATALOGUE}) == len(CATALOGUE)
    assert match(["transformers.AutoModel.from_pretrained"], CATALOGUE, {}).category == "model-load"
    assert match(["pathlib.Path().parent.read_text"], CATALOGUE, {}).category == "file-io"
    assert match(["x.public"], CATALOGUE, {"boto3.client": {"boto3.client", "x.public"}}).pattern == "boto3.client"
    assert match(["fastapi.FastAPI"], CATALOGUE, {}) is None


@pytest.mark.parametrize(
    ("callee", "verb"),
    [("a.connect", "connect"), ("a.load_model", "load"), ("a.B().patch_all", "patch_all"), ("a.get", ""),
     ("a.loads", ""), ("a.from_messages", "")],
)
def test_io_verb(callee: str, verb: str) -> None:
    assert io_verb(callee) == verb

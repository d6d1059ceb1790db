"""Data of benchmarks/deps_vs_peers.py: the SAM layout's hand-written files, and each finding judged by reading the code."""

from __future__ import annotations

# The SAM backend: two functions (CodeUri folders with sibling modules) and a layer that vendors pyhumps.
LAMBDA_FILES: dict[str, str] = {
    "template.yaml": """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.11
    Tracing: Active
Resources:
  CommonLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/common/
  ApiFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/api/
      Handler: app.handler
      Layers: [!Ref CommonLayer]
  WorkerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/worker/
      Handler: handler.main
      Layers: [!Ref CommonLayer]
""",
    "functions/api/app.py": """\
\"\"\"HTTP API: FastAPI behind API Gateway through Mangum, HTML pages from Jinja2 templates.\"\"\"
from aws_lambda_powertools import Tracer
from fastapi import FastAPI, Request
from fastapi.templating import Jinja2Templates
from mangum import Mangum

import routes
from common_utils import camel_keys
from settings import Settings

tracer = Tracer()
settings = Settings()
app = FastAPI()
templates = Jinja2Templates(directory="templates")
app.include_router(routes.router)


@app.get("/")
def home(request: Request):
    return templates.TemplateResponse("home.html", {"request": request, "stage": camel_keys({"a_b": 1})})


handler = Mangum(app)
""",
    "functions/api/routes.py": """\
from fastapi import APIRouter

router = APIRouter()


@router.get("/health")
def health() -> dict:
    return {"status": "ok"}
""",
    "functions/api/settings.py": """\
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")
    stage: str = "dev"
""",
    "functions/api/requirements.txt": """\
fastapi>=0.110
mangum>=0.17
jinja2>=3.1
pydantic-settings>=2.2
python-dotenv>=1.0
aws-lambda-powertools>=2.35
aws-xray-sdk>=2.12
uvicorn[standard]>=0.29
""",
    "functions/worker/handler.py": """\
\"\"\"Queue worker: parses dates in messages, stores results in DynamoDB, posts a webhook.\"\"\"
from __future__ import annotations

from typing import TYPE_CHECKING

import boto3
from dateutil import parser as dates

from common_utils import camel_keys

try:
    import orjson as json
except ImportError:
    import json

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBServiceResource


def table(resource: DynamoDBServiceResource | None = None):
    return (resource or boto3.resource("dynamodb")).Table("jobs")


def main(event, context):
    import requests

    for record in event.get("Records", []):
        body = json.loads(record["body"])
        body["when"] = dates.parse(body["when"]).isoformat()
        table().put_item(Item=camel_keys(body))
        requests.post(body["webhook"], json=body, timeout=5)
""",
    "functions/worker/requirements.txt": """\
boto3>=1.34
python-dateutil>=2.8
jsonschema>=4.20
""",
    "layers/common/python/common_utils.py": """\
import humps


def camel_keys(data: dict) -> dict:
    return humps.camelize(data)
""",
    "tests/test_api.py": """\
import pytest

import app


@pytest.mark.parametrize("path", ["/health"])
def test_routes(path):
    assert any(route.path == path for route in app.app.routes)
""",
    "requirements-dev.txt": "pytest>=8\n",
    "Makefile": """\
local-api:
\tcd functions/api && uvicorn app:app --reload
test:
\tpython -m pytest -q
""",
}

_U, _N = "undeclared", "unneeded"
# (case, problem class, names, true?, why): each finding judged by reading the project's code.
_JUDGED: list[tuple[str, str, tuple[str, ...], bool, str]] = [
    ("httpx", _U, ("trio",), False,
     "httpx/_transports/asgi.py imports trio inside create_event() only when sniffio says the running loop is trio"),
    ("httpx", _N, ("anyio",), False,
     ("not imported by httpx itself, but httpcore (which httpx imports) runs AsyncClient on anyio and requires it "
     "only under its `asyncio` extra: the declaration is what makes async work")),
    ("httpx", _U, ("-typeshed",), False, "`_typeshed` under TYPE_CHECKING: a type checker's module"),
    ("httpx", _U, ("chardet", "cryptography", "pytest", "trustme", "uvicorn"), False,
     "imported by tests/ only, whose tools requirements.txt (a dev environment) installs"),
    ("rich", _U, ("ipython",), False,
     ("rich/jupyter.py and rich/live.py import IPython under try/except; rich/pretty.py:219 only in the `else:` of a "
     "`get_ipython()` probe, i.e. when running inside IPython (lazyaudit too reads that one as a plain import)")),
    ("rich", _U, ("attr",), False, "rich/pretty.py: `try: import attr` / `except ImportError`: optional"),
    ("fastapi", _U, ("anyio",), True, "fastapi/concurrency.py imports anyio at module level; only starlette requires it"),
    ("fastapi", _U, ("pydantic-core",), True,
     "fastapi/_compat.py imports pydantic_core (under `if PYDANTIC_V2:`); only pydantic requires it"),
    ("fastapi", _U, ("dirty-equals",), True,
     ("fastapi/utils.py:227 match_pydantic_error_url() imports dirty_equals, a test helper shipped in the package and "
     "declared nowhere")),
    ("fastapi", _U, ("couchbase", "databases", "flask", "jose", "markupsafe", "passlib", "peewee", "sqlalchemy",
                     "strawberry", "pytest"), False,
     "docs_src/ tutorial examples: what the reader of the docs installs, not what fastapi needs"),
    ("fastapi", _U, ("material", "mkdocs", "typer", "yaml", "playwright"), False,
     "scripts/ (docs build, screenshots): development tools listed in requirements-docs.txt and requirements.txt"),
    ("fastapi", _U, ("multipart",), False,
     "fastapi/dependencies/utils.py imports multipart in ensure_multipart_is_installed() under try/except ImportError"),
    ("fastapi", _N, ("itsdangerous", "pydantic-extra-types", "python-multipart", "pyyaml"), False,
     "optional extra `all`: features of fastapi/starlette the user turns on (sessions, forms, schemas, extra types)"),
    ("fastapi", _N, ("cairosvg", "griffe-typingdoc", "jieba", "mdx-include", "mkdocs-markdownextradata-plugin",
                     "mkdocs-material", "mkdocs-redirects", "mkdocstrings", "pillow", "typer-cli", "playwright",
                     "python-jose"), False,
     ("requirements-docs.txt / requirements-tests.txt: mkdocs plugins named in mkdocs.yml, the docs build, and "
     "libraries the docs examples' tests import")),
    ("fastapi", _N, ("types-orjson", "types-ujson"), False, "stubs packages: used by mypy, never imported"),
    ("flask", _U, ("markupsafe",), True,
     "src/flask/json/tag.py (and others) import markupsafe; only Jinja2 and Werkzeug require it"),
    ("flask", _U, ("packaging", "pallets-sphinx-themes", "docutils"), False, "docs/conf.py: the Sphinx build"),
    ("flask", _U, ("celery", "task-app", "flaskr", "js-example", "flask", "blueprintapp", "cliapp",
                   "config-module-app", "config-package-app", "installed-package", "namespace", "site-app",
                   "site-package", "greenlet", "pytest", "-typeshed", "typing-extensions"), False,
     "examples/ and tests/ (their own apps and fixture packages), type-checking-only imports"),
    ("flask", _U, ("cryptography",), False,
     "src/flask/cli.py imports cryptography inside a try/except ImportError that explains how to install it"),
    ("flask", _U, ("dotenv",), False, "src/flask/cli.py: `try: import dotenv` / `except ImportError`: optional"),
    ("flask", _N, ("python-dotenv",), False,
     "the `dotenv` extra, imported as `dotenv`; deptry cannot map it because the extra is not installed"),
    ("flask", _N, ("amqp", "async-timeout", "billiard", "celery", "click-didyoumean", "click-plugins", "click-repl",
                   "kombu", "prompt-toolkit", "pytz", "redis", "six", "vine", "wcwidth"), False,
     "pins of examples/celery/requirements.txt, a pip-compile lock of the example's environment"),
    ("pydantic-settings", _U, ("typing-extensions",), True,
     "pydantic_settings/sources.py imports typing_extensions; only pydantic requires it"),
    ("pydantic-settings", _U, ("yaml",), False,
     "imported by import_yaml() under try/except ImportError: the optional `yaml` extra"),
    ("pydantic-settings", _N, ("pyyaml",), False,
     "the `yaml` extra, imported as `yaml`; deptry cannot map it because the extra is not installed"),
    ("pydantic-settings", _U, ("annotated-types", "pytest", "pytest-examples"), False, "tests/ only"),
    ("mkdocs", _U, ("hatchling",), False, "hatch_build.py is the build hook; hatchling is in [build-system] requires"),
    ("mkdocs", _U, ("lunr",), False, "mkdocs/contrib/search/search_index.py: guarded by try/except ImportError"),
    ("sam-backend", _U, ("app", "common-utils", "humps", "routes", "settings"), False,
     "first-party: sibling modules of a CodeUri folder, the layer's python/ folder (humps is vendored there)"),
    ("sam-backend", _U, ("orjson",), False, "`try: import orjson` / `except ImportError: import json`: optional"),
    ("sam-backend", _U, ("mypy-boto3-dynamodb",), False, "under `if TYPE_CHECKING:`: stubs need not be installed"),
    ("sam-backend", _U, ("requests",), True, "functions/worker/handler.py imports requests inside main(); not declared"),
    ("sam-backend", _N, ("jinja2",), False, "used through fastapi.templating.Jinja2Templates (starlette.templating)"),
    ("sam-backend", _N, ("python-dotenv",), False, "used by pydantic-settings for `env_file` (pydantic_settings.sources)"),
    ("sam-backend", _N, ("aws-xray-sdk",), False,
     "used by the Powertools Tracer (aws_lambda_powertools.tracing imports it lazily; its `tracer` extra)"),
    ("sam-backend", _N, ("jsonschema",), True, "functions/worker/requirements.txt declares it; nothing imports it"),
    ("sam-backend", _N, ("uvicorn",), True,
     "only the Makefile's local-api target runs it; Lambda runs the app through Mangum (LA005: move it to dev)"),
]
VERDICTS: dict[tuple[str, str, str], tuple[bool, str]] = {
    (case, kind, name): (truth, why) for case, kind, names, truth, why in _JUDGED for name in names
}

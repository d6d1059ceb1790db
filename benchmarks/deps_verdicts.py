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

# (case, problem class, distribution) -> (true?, why), judged by reading the code of each project.
VERDICTS: dict[tuple[str, str, str], tuple[bool, str]] = {}

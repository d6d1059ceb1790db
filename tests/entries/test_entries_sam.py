"""SAM / CloudFormation templates -> Entry per Python Lambda function; layers -> extra source roots."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lazyaudit.config import Config
from lazyaudit.entries import discover_entries, discover_layer_roots


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, body in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(textwrap.dedent(body), encoding="utf-8")
    return root


def entries(root: Path) -> tuple[list[tuple[object, ...]], list[tuple[str, str, int, str]]]:
    found, findings = discover_entries(root, Config())
    rows = [(e.name, e.module, e.attr, e.root, e.package_type, e.memory_mb) for e in found]
    return rows, [(f.code, f.path, f.line, f.severity) for f in findings]


GLOBALS_AND_TAGS = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Parameters:
      Memory:
        Type: Number
      Stage:
        Type: String
        Default: dev
    Conditions:
      IsProd: !Equals [!Ref Stage, prod]
    Globals:
      Function:
        Runtime: python3.11
        MemorySize: !Ref Memory
        Environment:
          Variables:
            TABLE: !Sub "${AWS::StackName}-jobs"
    Resources:
      Role:
        Type: AWS::IAM::Role
      CoreFunction:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: .
          Handler: src.handlers.core.main.handler
          Role: !GetAtt Role.Arn
          Timeout: !If [IsProd, 900, 300]
      BigFunction:
        Type: AWS::Serverless::Function
        Properties:
          Handler: src.handlers/big.run
          MemorySize: 1024
"""

CASES = {
    "globals, !Ref memory, !Sub, !GetAtt, !If": (
        {"template.yaml": GLOBALS_AND_TAGS},
        [("CoreFunction", "src.handlers.core.main", "handler", "", "Zip", 0),
         ("BigFunction", "src.handlers.big", "run", "", "Zip", 1024)],
    ),
    "!Ref memory with a parameter default": (
        {"template.yaml": """\
            Transform: AWS::Serverless-2016-10-31
            Parameters: {Mem: {Type: Number, Default: 768}}
            Globals: {Function: {MemorySize: !Ref Mem, Runtime: python3.12}}
            Resources:
              Fn: {Type: AWS::Serverless::Function, Properties: {Handler: app.handler, CodeUri: src/}}
        """},
        [("Fn", "app", "handler", "src", "Zip", 768)],
    ),
    "image function via ImageConfig.Command": (
        {"template.yaml": """\
            Resources:
              Runner:
                Type: AWS::Serverless::Function
                Properties:
                  PackageType: Image
                  MemorySize: 1024
                  ImageConfig:
                    Command: ["src.handlers.segment.runner.handler"]
                Metadata: {DockerContext: ., Dockerfile: Dockerfile}
        """},
        [("Runner", "src.handlers.segment.runner", "handler", "", "Image", 1024)],
    ),
    "image function via the Dockerfile CMD": (
        {"template.yaml": """\
            Resources:
              Runner:
                Type: AWS::Serverless::Function
                Properties: {PackageType: Image}
                Metadata: {DockerContext: ./image, Dockerfile: Dockerfile.lambda}
        """,
         "image/Dockerfile.lambda": 'FROM public.ecr.aws/lambda/python:3.12\nCMD [ "app.lambda_handler" ]\n'},
        [("Runner", "app", "lambda_handler", "image", "Image", 0)],
    ),
    "image function built from a Node.js base is skipped": (
        {"template.yaml": """\
            Resources:
              Web:
                Type: AWS::Serverless::Function
                Properties: {PackageType: Image, ImageConfig: {Command: [app.handler]}}
                Metadata: {DockerContext: ., Dockerfile: Dockerfile}
        """,
         "Dockerfile": "FROM public.ecr.aws/lambda/nodejs:20\nCMD [\"app.handler\"]\n"},
        [],
    ),
    "CodeUri subfolder and a Node.js function": (
        {"template.yaml": """\
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Notifier:
                Type: AWS::Serverless::Function
                Properties: {CodeUri: functions/notifier/, Handler: app.handler, Runtime: python3.11}
              Frontend:
                Type: AWS::Serverless::Function
                Properties: {CodeUri: web/, Handler: index.handler, Runtime: nodejs20.x}
        """},
        [("Notifier", "app", "handler", "functions/notifier", "Zip", 0)],
    ),
    "raw CloudFormation AWS::Lambda::Function": (
        {"stack.yaml": """\
            AWSTemplateFormatVersion: "2010-09-09"
            Resources:
              Worker:
                Type: AWS::Lambda::Function
                Properties: {Handler: worker.main.handle, Runtime: python3.12, Code: ./lambda_src, MemorySize: 256}
              Java:
                Type: AWS::Lambda::Function
                Properties: {Handler: "com.example.Handler::handleRequest", Runtime: java21, Code: ./java}
        """},
        [("Worker", "worker.main", "handle", "lambda_src", "Zip", 256)],
    ),
    "JSON template indented with tabs": (
        {"infra.template.json": '{\n\t"Resources": {\n\t\t"Fn": {"Type": "AWS::Lambda::Function", "Properties": '
                                '{"Handler": "h.main", "Runtime": "python3.11", "MemorySize": {"Ref": "M"}}}\n\t}\n}\n'},
        [("Fn", "h", "main", "", "Zip", 0)],
    ),
}


@pytest.mark.parametrize("files, expected", CASES.values(), ids=list(CASES))
def test_template_functions(tmp_path: Path, files: dict[str, str], expected: list[tuple[object, ...]]) -> None:
    rows, findings = entries(write(tmp_path, files))
    assert rows == expected
    assert findings == []


def test_entry_carries_template_path_and_logical_id_line(tmp_path: Path) -> None:
    found, _ = discover_entries(write(tmp_path, {"template.yaml": GLOBALS_AND_TAGS}), Config())
    core = found[0]
    assert (core.source, core.path, core.line, core.spec) == (
        "template.yaml", "template.yaml", 21, "src.handlers.core.main:handler")


@pytest.mark.parametrize(
    ("properties", "line", "words"),
    [
        ("Handler: ''", 6, "is empty"),
        ("Handler: nodots", 6, "is not module.function"),
        ("Handler: 'app.'", 6, "is not module.function"),
        ("Handler: !Sub '${Prefix}.handler'", 6, "cannot be resolved statically"),
        ("MemorySize: 128", 3, "has no Handler"),
    ],
)
def test_invalid_handlers_are_findings_not_entries(tmp_path: Path, properties: str, line: int, words: str) -> None:
    template = f"""\
        Resources:
          Other: {{Type: AWS::SNS::Topic}}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              {properties}
              Runtime: python3.11
    """
    found, findings = discover_entries(write(tmp_path, {"template.yaml": template}), Config())
    assert found == []
    assert [(f.code, f.path, f.line, f.subject) for f in findings] == [("LA900", "template.yaml", line, "Fn")]
    assert words in findings[0].message


@pytest.mark.parametrize(
    ("code_uri", "words"),
    [("{Bucket: artifacts, Key: fn.zip}", "not a local folder"), ("s3://artifacts/fn.zip", "not a local folder")],
)
def test_remote_code_uri_gives_project_root_and_a_note(tmp_path: Path, code_uri: str, words: str) -> None:
    template = f"""\
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {{Handler: app.handler, Runtime: python3.11, CodeUri: {code_uri}}}
    """
    found, findings = discover_entries(write(tmp_path, {"template.yaml": template}), Config())
    assert [(e.module, e.root) for e in found] == [("app", "")]
    assert [(f.code, f.path, f.line, f.severity) for f in findings] == [("LA900", "template.yaml", 4, "note")]
    assert words in findings[0].message


def test_inline_code_is_skipped_with_a_note(tmp_path: Path) -> None:
    template = """\
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties: {Handler: index.handler, Runtime: python3.11, Code: {ZipFile: "def handler(e, c): pass"}}
    """
    rows, findings = entries(write(tmp_path, {"template.yaml": template}))
    assert rows == [] and findings == [("LA900", "template.yaml", 4, "note")]


def test_unknown_runtime_with_javascript_handler_is_skipped(tmp_path: Path) -> None:
    template = """\
        Parameters: {Rt: {Type: String}}
        Resources:
          Js: {Type: AWS::Serverless::Function, Properties: {Handler: index.handler, Runtime: !Ref Rt, CodeUri: web}}
          Py: {Type: AWS::Serverless::Function, Properties: {Handler: app.handler, Runtime: !Ref Rt, CodeUri: api}}
    """
    rows, _ = entries(write(tmp_path, {"template.yaml": template, "web/index.js": "", "api/app.py": ""}))
    assert [r[0] for r in rows] == ["Py"]


def test_layer_content_uri_roots(tmp_path: Path) -> None:
    template = """\
        Resources:
          Shared:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: layers/shared/, CompatibleRuntimes: [python3.11]}
          Built:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: layers/built}
            Metadata: {BuildMethod: python3.11}
          NodeLayer:
            Type: AWS::Serverless::LayerVersion
            Properties: {ContentUri: layers/node, CompatibleRuntimes: [nodejs20.x]}
          Raw:
            Type: AWS::Lambda::LayerVersion
            Properties: {Content: {S3Bucket: b, S3Key: k}}
    """
    root = write(tmp_path, {"template.yaml": template, "layers/shared/python/helpers.py": "",
                            "layers/built/helpers.py": "", "layers/node/nodejs/x.js": ""})
    assert discover_layer_roots(root) == ["layers/shared/python", "layers/built"]
    assert discover_entries(root, Config()) == ([], [])


@pytest.mark.parametrize(
    ("files", "line"),
    [
        ({"template.yaml": "Resources:\n  Fn:\n    Type: x\n   Properties: {}\n"}, 4),  # bad indentation
        ({"template.yaml": "Resources:\n\tFn: {}\n"}, 2),  # tab
        ({"template.yaml": "- AWSTemplateFormatVersion\n- b\n"}, 1),  # a list document
        ({"template.yaml": b"Resources:\n  Fn: \xff\xfe\n"}, 2),  # binary bytes
        ({"broken.template.json": '{"Resources": {\n  "Fn": \n}'}, 3),
    ],
)
def test_malformed_template_is_a_finding_and_other_sources_still_read(
    tmp_path: Path, files: dict[str, str | bytes], line: int
) -> None:
    files = {**files, "pyproject.toml": '[project]\nname = "x"\n[project.scripts]\nx = "pkg.cli:main"\n'}
    found, findings = discover_entries(write(tmp_path, files), Config())
    assert [(f.code, f.line) for f in findings] == [("LA900", line)]
    assert [e.spec for e in found] == ["pkg.cli:main"]
    assert discover_layer_roots(tmp_path) == []


def test_only_root_files_that_declare_a_template_are_read(tmp_path: Path) -> None:
    write(tmp_path, {
        "config.yaml": "- not: a template\n",  # no marker: never parsed, so no finding
        "stack.yml": "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  F: {Type: AWS::Lambda::Function, "
                     "Properties: {Handler: a.b, Runtime: python3.11}}\n",
        "cdk.out/stack.template.json": '{"Resources": {"F": {"Type": "AWS::Lambda::Function", "Properties": '
                                       '{"Handler": "z.z", "Runtime": "python3.11"}}}}',
        "sub/template.yaml": "Resources: {F: {Type: AWS::Lambda::Function, Properties: {Handler: y.y}}}\n",
    })
    rows, findings = entries(tmp_path)
    assert [r[1] for r in rows] == ["a"] and findings == []
    excluded, _ = discover_entries(tmp_path, Config(exclude=("stack.*",)))
    assert excluded == []

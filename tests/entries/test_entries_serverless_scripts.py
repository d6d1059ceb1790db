"""serverless.yml functions and console scripts (PEP 621, Poetry, setup.cfg) -> entries."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from lazyaudit.config import Config
from lazyaudit.entries import discover_entries


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, body in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body), encoding="utf-8")
    return root


def rows(root: Path) -> list[tuple[str, str, str, str, str, int]]:
    found, findings = discover_entries(root, Config())
    assert findings == []
    return [(e.source, e.name, e.module, e.attr, e.root, e.line) for e in found]


SERVERLESS = """\
    service: workflow
    provider:
      name: aws
      runtime: python3.11
      memorySize: 512
    package:
      individually: true
    plugins:
      - serverless-python-requirements
    functions:
      hello:
        handler: handler.hello
      api:
        handler: src/handlers/api.main
        memorySize: 1024
      worker:
        handler: handler.lambda_handler
        module: func1
      web:
        handler: index.handler
        runtime: nodejs20.x
      job:
        handler: jobs.run.main
        runtime: ${self:custom.pythonRuntime}
"""


def test_serverless_functions(tmp_path: Path) -> None:
    root = write(tmp_path, {"serverless.yml": SERVERLESS})
    found, findings = discover_entries(root, Config())
    assert findings == []
    assert [(e.name, e.module, e.attr, e.root, e.memory_mb, e.package_type, e.line) for e in found] == [
        ("hello", "handler", "hello", "", 512, "Zip", 11),
        ("api", "src.handlers.api", "main", "", 1024, "Zip", 13),
        ("worker", "handler", "lambda_handler", "func1", 512, "Zip", 16),
        ("job", "jobs.run", "main", "", 512, "Zip", 22),
    ]
    assert {e.source for e in found} == {"serverless.yml"}


def test_serverless_module_is_ignored_without_individual_packaging(tmp_path: Path) -> None:
    body = "provider: {runtime: python3.12}\nfunctions:\n  w: {handler: handler.main, module: func1}\n"
    assert [r[4] for r in rows(write(tmp_path, {"serverless.yaml": body}))] == [""]


def test_serverless_default_runtime_needs_a_python_file(tmp_path: Path) -> None:
    body = "provider: {name: aws}\nfunctions:\n  js: {handler: index.handler}\n  py: {handler: app.main}\n"
    assert [r[1] for r in rows(write(tmp_path, {"serverless.yml": body, "app.py": "", "index.js": ""}))] == ["py"]


@pytest.mark.parametrize(
    ("function", "words"),
    [("{handler: ''}", "is empty"), ("{handler: nodots}", "not module.function"),
     ("{handler: '${self:custom.h}'}", "cannot be resolved"), ("{memorySize: 128}", "has no handler")],
)
def test_serverless_bad_handlers(tmp_path: Path, function: str, words: str) -> None:
    body = f"provider: {{runtime: python3.11}}\nfunctions:\n  ok: {{handler: a.b}}\n  bad: {function}\n"
    found, findings = discover_entries(write(tmp_path, {"serverless.yml": body}), Config())
    assert [e.name for e in found] == ["ok"]
    assert [(f.code, f.path, f.line, f.subject) for f in findings] == [("LA900", "serverless.yml", 4, "bad")]
    assert words in findings[0].message


def test_pyproject_scripts_and_gui_scripts(tmp_path: Path) -> None:
    root = write(tmp_path, {"pyproject.toml": """\
        [project]
        name = "tool"

        [project.scripts]
        tool = "tool.cli:main"
        tool-extra = "tool.cli:App.run [fancy]"

        [project.gui-scripts]
        tool-gui = "tool.gui:start"
    """})
    assert rows(root) == [
        ("pyproject.scripts", "tool", "tool.cli", "main", "", 5),
        ("pyproject.scripts", "tool-extra", "tool.cli", "App.run", "", 6),
        ("pyproject.scripts", "tool-gui", "tool.gui", "start", "", 9),
    ]


def test_poetry_scripts(tmp_path: Path) -> None:
    root = write(tmp_path, {"pyproject.toml": """\
        [tool.poetry]
        name = "tool"

        [tool.poetry.scripts]
        tool = "tool.cli:main"
        other = { callable = "tool.other:run", extras = ["x"] }
        bash-thing = { reference = "bin/thing.sh", type = "file" }
    """})
    assert rows(root) == [
        ("poetry.scripts", "tool", "tool.cli", "main", "", 5),
        ("poetry.scripts", "other", "tool.other", "run", "", 6),
    ]


def test_setup_cfg_entry_points(tmp_path: Path) -> None:
    root = write(tmp_path, {"setup.cfg": """\
        [metadata]
        name = tool

        [options.entry_points]
        console_scripts =
            tool = tool.cli:main
            tool-admin = tool.admin:main
        gui_scripts =
            tool-gui = tool.gui:start
    """})
    assert rows(root) == [
        ("setup.cfg", "tool", "tool.cli", "main", "", 6),
        ("setup.cfg", "tool-admin", "tool.admin", "main", "", 7),
        ("setup.cfg", "tool-gui", "tool.gui", "start", "", 9),
    ]


@pytest.mark.parametrize(
    ("files", "where"),
    [
        ({"pyproject.toml": '[project.scripts]\nok = "a:b"\nbad = "not a ref"\n'}, ("pyproject.toml", 3)),
        ({"pyproject.toml": '[tool.poetry.scripts]\nok = "a:b"\nbad = { callable = 3 }\n'}, ("pyproject.toml", 3)),
        ({"setup.cfg": "[options.entry_points]\nconsole_scripts =\n    ok = a:b\n    bad\n"}, ("setup.cfg", 4)),
        ({"setup.cfg": "[options.entry_points\nx = 1\n"}, ("setup.cfg", 1)),
    ],
)
def test_bad_scripts_are_findings(tmp_path: Path, files: dict[str, str], where: tuple[str, int]) -> None:
    found, findings = discover_entries(write(tmp_path, files), Config())
    assert [(f.code, f.path, f.line) for f in findings] == [("LA900", *where)]
    assert [e.spec for e in found] in ([], ["a:b"])

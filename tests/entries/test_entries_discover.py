"""discover_entries: source order, first source wins on duplicates, --entry parsing, and its own laziness."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lazyaudit.config import Config, load_config
from lazyaudit.entries import discover_entries, parse_entry_spec
from lazyaudit.errors import LazyauditError

PROJECT = {
    "pyproject.toml": """\
        [project]
        name = "svc"

        [project.scripts]
        svc = "svc.cli:main"
        svc-handler = "src.app:handler"

        [tool.lazyaudit]
        entries = ["svc.cli:main", "svc.jobs"]
    """,
    "template.yaml": """\
        Transform: AWS::Serverless-2016-10-31
        Globals: {Function: {Runtime: python3.11}}
        Resources:
          Api: {Type: AWS::Serverless::Function, Properties: {Handler: src.app.handler}}
          ApiCopy: {Type: AWS::Serverless::Function, Properties: {Handler: app.handler, CodeUri: src}}
    """,
    "serverless.yml": """\
        provider: {runtime: python3.11}
        functions:
          api: {handler: src/app.handler}
          cron: {handler: src/cron.tick}
    """,
    "setup.cfg": "[options.entry_points]\nconsole_scripts =\n    svc = svc.cli:main\n",
}


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, body in files.items():
        (root / rel).write_text(textwrap.dedent(body), encoding="utf-8")
    return root


def test_sources_in_order_and_first_source_wins(tmp_path: Path) -> None:
    root = write(tmp_path, PROJECT)
    config, _ = load_config(root)
    found, findings = discover_entries(root, config, ["svc.jobs", "src/app.py:handler"])
    assert findings == []
    assert [(e.source, e.spec, e.root) for e in found] == [
        ("cli", "svc.jobs", ""),
        ("cli", "src.app:handler", ""),
        ("config", "svc.cli:main", ""),
        ("template.yaml", "app:handler", "src"),  # same module name, another root: a different entry
        ("serverless.yml", "src.cron:tick", ""),
    ]
    assert (found[2].path, found[2].line) == ("pyproject.toml", 9)


def test_no_sources_no_entries(tmp_path: Path) -> None:
    assert discover_entries(tmp_path, Config()) == ([], [])


def test_invalid_cli_entries_are_a_usage_error_naming_all(tmp_path: Path) -> None:
    with pytest.raises(LazyauditError) as info:
        discover_entries(tmp_path, Config(), ["ok.mod", "bad mod", "x:"])
    assert "'bad mod'" in str(info.value) and "'x:'" in str(info.value)


def test_broken_pyproject_is_not_reported_twice(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\n", encoding="utf-8")
    config, config_findings = load_config(tmp_path)
    assert [f.code for f in config_findings] == ["LA900"]
    assert discover_entries(tmp_path, config) == ([], [])


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("pkg.mod", ("pkg.mod", "")),
        ("pkg.mod:main", ("pkg.mod", "main")),
        ("pkg.mod:App.run", ("pkg.mod", "App.run")),
        ("src/handlers/api.py:handler", ("src.handlers.api", "handler")),
        ("./pkg/__init__.py", ("pkg", "")),
        ("", None),
        ("pkg.mod:", None),
        ("pkg..mod", None),
        ("9lives", None),
        ("pkg.mod:main:x", None),
    ],
)
def test_parse_entry_spec(spec: str, expected: tuple[str, str] | None) -> None:
    assert parse_entry_spec(spec) == expected


def test_importing_entries_and_config_does_not_import_yaml() -> None:
    code = (
        "import sys, json\n"
        "import lazyaudit.entries, lazyaudit.config\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('yaml', '_yaml', 'tomllib', 'tomli'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_discovery_without_templates_does_not_import_yaml(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": PROJECT["pyproject.toml"]})
    code = (
        "import sys, json\nfrom pathlib import Path\n"
        "from lazyaudit.entries import discover_entries\nfrom lazyaudit.config import load_config\n"
        f"root = Path({str(tmp_path)!r})\n"
        "entries, _ = discover_entries(root, load_config(root)[0])\n"
        "print(json.dumps([len(entries), 'yaml' in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [3, False]

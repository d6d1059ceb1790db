"""LA005 runtime-unneeded: runtime requirements only tests, tooling, type checkers or dev-tool plugins use."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_la00_usage import context, dist, found, imp

from lazyaudit.checks import la001_unused_requirement as la001
from lazyaudit.checks import la005_runtime_unneeded as la005
from lazyaudit.tool_commands import ToolCommand, scan_tool_commands

DISTS = [dist("uvicorn", top=["uvicorn"], scripts=["uvicorn"]), dist("jsonschema", top=["jsonschema"]),
         dist("pytest", top=["pytest", "_pytest"], scripts=["pytest", "py.test"]),
         dist("pytest-cov", top=["pytest_cov"], groups=["pytest11"]),
         dist("mypy-boto3-s3", top=["mypy_boto3_s3"])]


def run(tmp_path: Path, files: dict, req: str, tools: tuple = ()) -> tuple[set, set]:
    ctx = context(tmp_path, files, reqs={"requirements.txt": req, "requirements-dev.txt": "pytest\n"}, dists=DISTS,
                  tools=tools)
    return found(la005, ctx), found(la001, ctx)


def test_used_only_by_tests(tmp_path: Path) -> None:
    la005_found, la001_found = run(tmp_path, {"app.py": [], "tests/test_x.py": [imp("jsonschema", 2)]}, "jsonschema\n")
    assert (la005_found, la001_found) == ({("LA005", "requirements.txt", 1, "jsonschema")}, set())


def test_console_script_run_by_tooling_but_not_by_a_launcher(tmp_path: Path) -> None:
    make = ToolCommand("uvicorn", "script", "Makefile", 11, runtime=False)
    assert run(tmp_path / "a", {"app.py": []}, "uvicorn[standard]\n", (make,))[0] == {
        ("LA005", "requirements.txt", 1, "uvicorn")}
    procfile = ToolCommand("uvicorn", "script", "Procfile", 1, runtime=True)
    assert run(tmp_path / "b", {"app.py": []}, "uvicorn\n", (make, procfile)) == (set(), set())
    assert run(tmp_path / "c", {"app.py": []}, "uvicorn\n") == (set(), {("LA001", "requirements.txt", 1, "uvicorn")})


def test_python_dash_m_and_plugins_of_a_dev_tool(tmp_path: Path) -> None:
    tool = ToolCommand("pytest", "module", "tox.ini", 3, runtime=False)
    assert run(tmp_path / "a", {"app.py": []}, "pytest\n", (tool,))[0] == {("LA005", "requirements.txt", 1, "pytest")}
    la005_found, _ = run(tmp_path / "b", {"app.py": []}, "pytest-cov\n")
    assert la005_found == {("LA005", "requirements.txt", 1, "pytest-cov")}


def test_type_checking_only(tmp_path: Path) -> None:
    files = {"app.py": [imp("mypy_boto3_s3", 5, "type_checking")]}
    assert run(tmp_path, files, "mypy-boto3-s3\n")[0] == {("LA005", "requirements.txt", 1, "mypy-boto3-s3")}


def test_runtime_use_wins(tmp_path: Path) -> None:
    files = {"app.py": [imp("jsonschema", 1, "deferred", scope="f")], "tests/t.py": [imp("jsonschema")]}
    assert run(tmp_path, files, "jsonschema\n") == (set(), set())


def test_message_lists_the_evidence(tmp_path: Path) -> None:
    ctx = context(tmp_path, {"app.py": [], "tests/test_x.py": [imp("jsonschema", 2)]},
                  reqs={"requirements.txt": "jsonschema>=4\n"}, dists=DISTS)
    (finding,) = la005.check(ctx)
    assert "tests/test_x.py:2 imports jsonschema" in finding.message
    assert finding.data["uses"] == ["tests/test_x.py:2 imports jsonschema"]
    assert finding.data["requirement"] == "jsonschema>=4"


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("Makefile", "PY ?= python3\nrun:\n\t@uvicorn app:app --reload\n\t$(PY) -m pytest -q\n# uvicorn in a comment\n",
     [("uvicorn", "script", 3, False), ("pytest", "module", 4, False)]),
    ("Procfile", "web: gunicorn app:app -w 2\n", [("gunicorn", "script", 1, True)]),
    ("Dockerfile", 'FROM python\nRUN pip install -r r.txt && \\\n    alembic upgrade head\nCMD ["uvicorn", "m:app"]\n',
     [("pip", "script", 2, False), ("alembic", "script", 2, False), ("uvicorn", "script", 4, True)]),
    ("tox.ini", "[testenv]\ndeps = pytest-cov\ncommands =\n    pytest --cov\n    coverage report\n",
     [("pytest", "script", 4, False), ("coverage", "script", 5, False)]),
    ("docker-compose.yml", "services:\n  web:\n    command: gunicorn app:app\n", [("gunicorn", "script", 3, True)]),
    ("pyproject.toml", '[project]\ndependencies = ["uvicorn"]\n[tool.poe.tasks]\nserve = "uvicorn app:app"\n',
     [("uvicorn", "script", 4, False)]),
])
def test_tool_commands(tmp_path: Path, name: str, text: str, expected: list) -> None:
    (tmp_path / name).write_text(text)
    commands, files = scan_tool_commands(tmp_path)
    assert files == (name,)
    assert [(c.name, c.kind, c.line, c.runtime) for c in commands] == expected


def test_ci_workflow_and_scripts_folder(tmp_path: Path) -> None:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(
        "jobs:\n  t:\n    steps:\n      - run: |\n          poetry run mypy src\n          python -m build\n")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "serve").write_text("#!/bin/bash\n# start it\nexec gunicorn app:app\n")
    (tmp_path / "scripts" / "notes.txt").write_text("gunicorn\n")
    commands, files = scan_tool_commands(tmp_path)
    assert files == (".github/workflows/ci.yml", "scripts/serve")
    assert [(c.name, c.path, c.line) for c in commands] == [
        ("mypy", ".github/workflows/ci.yml", 5), ("build", ".github/workflows/ci.yml", 6), ("gunicorn", "scripts/serve", 3)]

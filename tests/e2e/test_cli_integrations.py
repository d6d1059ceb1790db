"""Integrations: the pre-commit hook manifest (schema, and its entries run on a fixture) and the GitHub Actions example."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lazyaudit.cli import build_parser

if sys.version_info >= (3, 11):
    import tomllib
else:  # a dependency of lazyaudit before 3.11
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "fixtures" / "lambda_backend"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
WORKFLOW = ROOT / "examples" / "github-actions" / "lazyaudit.yml"
# pre-commit 4's manifest keys (pre_commit/clientlib.py MANIFEST_HOOK_DICT) and its languages
HOOK_KEYS = {
    "id", "name", "entry", "language", "alias", "files", "exclude", "types", "types_or", "exclude_types",
    "additional_dependencies", "args", "always_run", "fail_fast", "pass_filenames", "description",
    "language_version", "log_file", "minimum_pre_commit_version", "require_serial", "stages", "verbose",
}  # fmt: skip
LANGUAGES = {"conda", "coursier", "dart", "docker", "docker_image", "dotnet", "fail", "golang", "haskell", "julia",
             "lua", "node", "perl", "pygrep", "python", "r", "ruby", "rust", "swift", "unsupported",
             "unsupported_script", "system", "script"}


from fixture_env import fixture_python as _fixture_python

PYTHON = _fixture_python()
needs_venv = pytest.mark.skipif(PYTHON is None, reason="needs the fixture virtualenv (make fixture-env)")


def hooks() -> list[dict]:
    return yaml.safe_load(HOOKS.read_text(encoding="utf-8"))


def console_script(name: str) -> str:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    return scripts[name]


def run_entry(entry: str, args: list[str], cwd: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    """Run a hook's `entry` as pre-commit would (entry words + args, no file names), through the real
    console-script target named in pyproject.toml, since the package may not be pip-installed here."""
    program, *rest = shlex.split(entry)
    module, _, function = console_script(program).partition(":")
    boot = f"import sys; from {module} import {function} as main; sys.exit(main())"
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(PYTHONPATH=str(ROOT), LAZYAUDIT_CACHE_DIR=str(cache))
    return subprocess.run([sys.executable, "-c", boot, *rest, *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=900, check=False)


def test_hook_manifest_schema() -> None:
    manifest = hooks()
    assert isinstance(manifest, list) and manifest
    ids = [h["id"] for h in manifest]
    assert ids == ["lazyaudit", "lazyaudit-fix-check"]
    for hook in manifest:
        assert set(hook) <= HOOK_KEYS, set(hook) - HOOK_KEYS
        for key in ("id", "name", "entry", "language"):
            assert isinstance(hook[key], str) and hook[key], key
        assert hook["language"] in LANGUAGES
        assert hook["pass_filenames"] is False  # lazyaudit analyses the whole project, not the changed files
        assert hook["always_run"] is True
        assert all(isinstance(t, str) for t in hook.get("types", []))
        argv = shlex.split(hook["entry"])
        assert argv[0] == "lazyaudit" and console_script("lazyaudit") == "lazyaudit.cli:main"
        build_parser().parse_args(argv[1:] + ["--python", "python3"])  # the entry is a valid command line


def test_hook_manifest_with_pre_commit_itself() -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib")
    loaded = clientlib.load_manifest(str(HOOKS))
    assert [h["id"] for h in loaded] == ["lazyaudit", "lazyaudit-fix-check"]


@needs_venv
def test_hook_entries_run_on_the_fixture(tmp_path: Path) -> None:
    project = tmp_path / "backend"
    shutil.copytree(BACKEND, project, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    cache = tmp_path / "cache"
    by_id = {h["id"]: h for h in hooks()}
    args = [f"--python={PYTHON}"]  # what docs/integrations.md tells users to put under `args:`

    audit = run_entry(by_id["lazyaudit"]["entry"], args, project, cache)
    assert audit.returncode == 1, audit.stderr  # findings fail the hook
    assert "LA102 [eager-init-chain]" in audit.stdout and "Traceback" not in audit.stderr

    check = run_entry(by_id["lazyaudit-fix-check"]["entry"], args, project, cache)
    assert check.returncode == 1, check.stderr
    assert "would rewrite src/common/__init__.py" in check.stdout + check.stderr
    before = (project / "src/common/__init__.py").read_bytes()
    assert run_entry("lazyaudit fix --write", args, project, cache).returncode in (0, 1)
    assert (project / "src/common/__init__.py").read_bytes() != before
    again = run_entry(by_id["lazyaudit-fix-check"]["entry"], args, project, cache)
    assert again.returncode == 0, again.stdout + again.stderr  # nothing left to rewrite: the hook passes


def _workflow_commands() -> list[list[str]]:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    runs = [step.get("run", "") for job in doc["jobs"].values() for step in job["steps"]]
    commands = []
    for block in runs:
        for line in block.splitlines():
            line = re.sub(r"\s*\|\|\s*true\s*$", "", line.strip())
            if line.startswith("lazyaudit "):
                commands.append(shlex.split(line))
    return commands


def test_github_actions_example_uploads_the_sarif_it_writes() -> None:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert doc["permissions"]["security-events"] == "write"  # upload-sarif needs it
    steps = [s for job in doc["jobs"].values() for s in job["steps"]]
    upload = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
    assert len(upload) == 1
    commands = _workflow_commands()
    assert commands
    written = []
    for argv in commands:
        args = build_parser().parse_args(argv[1:])  # every command line in the example is valid
        if args.command == "audit" and args.format == "sarif":
            written.append(args.output)
    assert written == [upload[0]["with"]["sarif_file"]]


@needs_venv
def test_github_actions_sarif_step_runs(tmp_path: Path) -> None:
    project = tmp_path / "backend"
    shutil.copytree(BACKEND, project, ignore=shutil.ignore_patterns("__pycache__"))
    argv = next(a for a in _workflow_commands() if "sarif" in a)
    argv = [str(PYTHON) if a == ".venv/bin/python" else a for a in argv]
    done = run_entry(shlex.join(argv[:2]), argv[2:], project, tmp_path / "cache")
    assert done.returncode == 1, done.stderr  # findings: the workflow tolerates it with `|| true`
    log = json.loads((project / "lazyaudit.sarif").read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0" and log["runs"][0]["results"]

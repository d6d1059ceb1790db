"""Hostile configuration and environment: broken pyproject/template/serverless files, unknown settings and
interpreters that are not Python. Problems with the input are findings; problems that stop a command are
exit code 2 with one clear message, every problem listed together, and never a traceback."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from _robust import la900, lazyaudit, write

from lazyaudit.environment import load_environment
from lazyaudit.errors import LazyauditError

# Every command that loads a project, with the arguments it needs before the path.
COMMANDS = {"audit": ["audit"], "deps": ["deps"], "closure": ["closure", "app"], "why": ["why", "json"],
            "graph": ["graph"], "fix": ["fix", "--diff"]}


def _project(root: Path, **files: str) -> Path:
    write(root, "app.py", "import json\n\n\ndef handler(event, context):\n    return json.dumps(event)\n")
    for name, text in files.items():
        write(root, name.replace("__", "."), text)
    return root


def _extra(command: str, tmp_path: Path) -> list[str]:
    return {"why": ["--entry", "app"], "graph": ["-o", str(tmp_path / "g.dot")]}.get(command, [])


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_unknown_settings_stop_every_command_with_all_problems_listed(command: str, tmp_path: Path) -> None:
    root = _project(tmp_path / "p", pyproject__toml=(
        "[tool.lazyaudit]\nbogus = 1\nentries = 5\nselect = ['LA999']\nheavy-modules = 'many'\nalso-bad = true\n"))
    done = lazyaudit(*COMMANDS[command], str(root), *_extra(command, tmp_path))
    assert done.returncode == 2 and done.stdout == ""
    assert "5 problems" in done.stderr
    for word in ("'bogus'", "'entries'", "LA999", "'heavy-modules'", "'also-bad'"):
        assert word in done.stderr


def test_bad_toml_is_a_finding_and_the_rest_still_runs(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", pyproject__toml="[project\nname = 'x'\ndependencies = ['requests']\n",
                    requirements__txt="pyyaml\n")
    done = lazyaudit("deps", str(root), "--format", "json")
    found = json.loads(done.stdout)["findings"]
    assert ("LA900", "pyproject.toml", 1) in {(f["code"], f["path"], f["line"]) for f in found}
    assert ("LA001", "pyyaml") in {(f["code"], f["subject"]) for f in found}  # requirements.txt still read


@pytest.mark.parametrize(("name", "text", "reason"), [
    ("template.yaml", "Resources:\n  F:\n    Properties:\n      Handler: !Ref\n      CodeUri: [\n", "invalid yaml"),
    ("template.yaml", "- a\n- b\n", "is a list; expected a mapping"),
    ("template.yaml", "Resources: [1, 2]\n", "resources is list, expected a mapping"),
    ("template.yaml", b"\t\x00\xff", "is not utf-8"),
    ("serverless.yml", "functions:\n  f:\n    handler: app.handler\n  g: [1, 2\n", "invalid yaml"),
    ("serverless.yml", "functions: 5\n", "functions is int, expected a mapping"),
    ("serverless.yml", "", "is empty"),
    ("serverless.yml", "just a string\n", "expected a mapping"),
])
def test_malformed_deployment_files_are_findings(tmp_path: Path, name: str, text: str | bytes, reason: str) -> None:
    root = _project(tmp_path / "p")
    write(root, name, text)
    got = la900(lazyaudit("audit", str(root), "--format", "json"))
    assert reason in got.get(name, "").lower(), got


def test_a_directory_named_like_a_config_file_is_not_fatal(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    for name in ("pyproject.toml", "template.yaml", "serverless.yml", "setup.cfg", "Pipfile"):
        (root / name).mkdir()
    done = lazyaudit("audit", str(root), "--format", "json")
    assert done.returncode in (0, 1) and json.loads(done.stdout)["summary"]["files"]["scanned"] == 1


def _not_python(tmp_path: Path) -> dict[str, tuple[str, str]]:
    text = write(tmp_path, "notes.txt", "hello\n")
    script = write(tmp_path, "fake-python", "#!/bin/sh\necho garbage\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return {  # --python value -> (what the message must say, a word of the value shown back)
        "missing": (str(tmp_path / "no" / "python"), "does not exist"),
        "true": ("/bin/true", "python"),
        "false": ("/bin/false", "python"),
        "text": (str(text), "not executable"),
        "directory": (str(tmp_path), "directory"),
        "script": (str(script), "garbage"),
        "empty": ("", "not found"),
    }


KINDS = ["missing", "true", "false", "text", "directory", "script", "empty"]
# every kind on audit and fix; the other commands share the same loader, so two kinds each
PAIRS = [(c, k) for c in sorted(COMMANDS) for k in KINDS if c in ("audit", "fix") or k in ("missing", "true")]


@pytest.mark.parametrize(("command", "kind"), PAIRS)
def test_an_interpreter_that_is_not_python_is_exit_2(command: str, kind: str, tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    value, says = _not_python(tmp_path)[kind]
    done = lazyaudit(*COMMANDS[command], str(root), *_extra(command, tmp_path), python=value)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("lazyaudit: error: ") and says in done.stderr.lower()
    assert len(done.stderr.strip().splitlines()) == 1


def test_profile_with_a_bad_interpreter_is_exit_2(tmp_path: Path) -> None:
    done = lazyaudit("profile", "json", "--runs", "1", python=str(tmp_path / "missing"))
    assert done.returncode == 2 and "does not exist" in done.stderr


def test_an_interpreter_that_hangs_is_stopped(tmp_path: Path) -> None:
    script = write(tmp_path, "hanging-python", "#!/bin/sh\nexec sleep 600\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(LazyauditError, match="within 2 s"):
        load_environment(str(script), timeout=2)


@pytest.mark.parametrize("args", [
    ["audit", "{root}", "-o", "{tmp}/no/such/dir/out.json"],
    ["graph", "{root}", "-o", "{tmp}/no/such/dir/g.dot"],
    ["audit", "{root}", "--baseline", "{tmp}/missing.json"],
    ["audit", "{root}", "--profile-data", "{tmp}"],
    ["closure", "no.such.module", "{root}"],
    ["why", "no_such_module", "{root}", "--entry", "app"],
    ["audit", "{tmp}/app.txt"],
    ["audit", "{tmp}/nowhere"],
    ["fix", "{root}", "--target-version", "banana"],
    ["audit", "{root}", "--entry", "not a module!"],
])
def test_bad_arguments_are_one_clear_line(args: list[str], tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    write(tmp_path, "app.txt", "not a folder\n")
    done = lazyaudit(*(a.replace("{root}", str(root)).replace("{tmp}", str(tmp_path)) for a in args))
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("lazyaudit: error: ")
    assert not os.path.exists(tmp_path / "no")

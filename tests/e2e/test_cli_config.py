"""The real CLI on a copy of the Lambda fixture: [tool.lazyaudit] precedence, config errors, per-file and inline
suppressions (multi-line imports too), and --baseline round trips."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "fixtures" / "lambda_backend"
LA10 = ("LA101", "LA102", "LA103", "LA104", "LA105")


from fixture_env import fixture_python as _fixture_python

PYTHON = _fixture_python()
pytestmark = [
    pytest.mark.venv,
    pytest.mark.skipif(PYTHON is None, reason="needs the fixture virtualenv: set LAZYAUDIT_FIXTURE_PYTHON "
                       "or run `make fixture-env` (creates .fixture-venv)"),
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "backend"
    shutil.copytree(BACKEND, copy, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return copy


@pytest.fixture
def cli(tmp_path_factory: pytest.TempPathFactory):
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(PYTHONPATH=str(ROOT), LAZYAUDIT_CACHE_DIR=str(tmp_path_factory.getbasetemp() / "lazyaudit-cli-cache"))

    def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "lazyaudit", *args], capture_output=True, text=True, cwd=cwd,
                              env=env, timeout=900, check=False)

    return run


def audit(cli, project: Path, *flags: str, command: str = "audit") -> tuple[int, list[tuple[str, str, int]]]:
    done = cli(command, str(project), "--python", str(PYTHON), "--format", "json", *flags)
    assert done.returncode in (0, 1), done.stderr
    findings = json.loads(done.stdout)["findings"]
    return done.returncode, sorted((f["code"], f["path"], f["line"]) for f in findings)


def codes(found: list[tuple[str, str, int]]) -> set[str]:
    return {c for c, _, _ in found}


def write_config(project: Path, body: str) -> None:
    (project / "pyproject.toml").write_text("[tool.lazyaudit]\n" + body, encoding="utf-8")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


# -- precedence: defaults < pyproject < flags -----------------------------------------------------


def test_precedence_defaults_then_pyproject_then_flags(cli, project: Path) -> None:
    _, default = audit(cli, project)
    assert {"LA001", "LA004", "LA101", "LA103", "LA201"} <= codes(default)

    write_config(project, 'select = ["LA1"]\nignore = ["LA103"]\n')
    _, configured = audit(cli, project)
    assert codes(configured) == {"LA101", "LA102", "LA104", "LA105"}
    assert configured == [f for f in default if f[0] in {"LA101", "LA102", "LA104", "LA105"}]

    # a flag replaces the setting of the same name; the other pyproject setting still holds
    _, flagged = audit(cli, project, "--ignore", "LA105")
    assert codes(flagged) == {"LA101", "LA102", "LA103", "LA104"}
    _, selected = audit(cli, project, "--select", "LA004,LA103")
    assert codes(selected) == {"LA004"}  # pyproject's ignore = LA103 still applies


def test_unknown_keys_and_bad_values_are_reported_together(cli, project: Path) -> None:
    write_config(project, 'selct = ["LA1"]\nheavy-modulez = 3\nignore = ["LA999"]\nheavy-bytes = "big"\n')
    done = cli("audit", str(project), "--python", str(PYTHON))
    assert done.returncode == 2
    assert done.stdout == ""
    err = done.stderr
    assert "invalid lazyaudit configuration (4 problems)" in err
    for needle in ("unknown key 'selct' (did you mean 'select'?)", "unknown key 'heavy-modulez'",
                   "unknown rule code(s): LA999", "'heavy-bytes': expected an integer"):
        assert needle in err, needle


def test_per_file_ignores(cli, project: Path) -> None:
    _, before = audit(cli, project, "--select", "LA104")
    assert {p for _, p, _ in before} == {"src/handlers/core/main.py", "src/handlers/segment/runner.py"}
    write_config(project, '[tool.lazyaudit.per-file-ignores]\n"src/handlers/segment/*" = ["LA104"]\n')
    _, after = audit(cli, project, "--select", "LA104")
    assert {p for _, p, _ in after} == {"src/handlers/core/main.py"}


# -- inline suppressions ----------------------------------------------------------------------------

MAIN = "src/handlers/core/main.py"
ONE_LINE = "from langchain_core.messages import AIMessage, HumanMessage\n"
WRAPPED = {
    "comment on the first line": "from langchain_core.messages import (  # lazyaudit: ignore[{code}]\n"
                                 "    AIMessage,\n    HumanMessage,\n)\n",
    "comment on the last line": "from langchain_core.messages import (\n    AIMessage,\n    HumanMessage,\n"
                                ")  # lazyaudit: ignore[{code}]\n",
    "comment on a name": "from langchain_core.messages import (\n    AIMessage,  # lazyaudit: ignore[{code}]\n"
                         "    HumanMessage,\n)\n",
    "one line": "from langchain_core.messages import AIMessage, HumanMessage  # lazyaudit: ignore[{code}]\n",
}


@pytest.mark.parametrize("shape", WRAPPED.values(), ids=WRAPPED.keys())
def test_inline_ignore_on_any_line_of_an_import_statement(cli, project: Path, shape: str) -> None:
    edit(project / MAIN, ONE_LINE, shape.format(code="LA101"))
    _, found = audit(cli, project, "--select", "LA101")
    assert ("LA101", "src/handlers/api/app.py", 7) in found  # other findings are untouched
    assert not [f for f in found if f[1] == MAIN]


def test_inline_ignore_of_another_code_does_not_hide_the_finding(cli, project: Path) -> None:
    edit(project / MAIN, ONE_LINE, WRAPPED["comment on the first line"].format(code="LA104"))
    _, found = audit(cli, project, "--select", "LA101")
    assert ("LA101", MAIN, 8) in found


def test_bare_inline_ignore_hides_every_code_on_that_statement(cli, project: Path) -> None:
    edit(project / "src/common/aws_clients.py", 's3 = boto3.client("s3", region_name=REGION)\n',
         's3 = boto3.client("s3", region_name=REGION)  # lazyaudit: ignore\n')
    _, found = audit(cli, project, "--select", "LA103")
    lines = {line for _, path, line in found if path == "src/common/aws_clients.py"}
    assert lines == {11}  # the resource on line 11 is still reported


def test_deps_reads_inline_ignores_too(cli, project: Path) -> None:
    edit(project / "src/handlers/segment/runner.py", "import jsonpatch\n", "import jsonpatch  # lazyaudit: ignore[LA003]\n")
    _, found = audit(cli, project, command="deps")
    assert "LA003" not in codes(found) and "LA001" in codes(found)


# -- baselines ------------------------------------------------------------------------------------


def _add_unused_requirement(project: Path) -> None:
    # at the top, so every old requirement finding moves down a line: the baseline must not care
    edit(project / "requirements.txt", "boto3>=1.34\n", "click>=8\nboto3>=1.34\n")


def test_baseline_round_trip(cli, project: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    first = cli("audit", str(project), "--python", str(PYTHON), "--format", "json", "-o", str(baseline))
    assert first.returncode == 1, first.stderr
    assert len(json.loads(baseline.read_text(encoding="utf-8"))["findings"]) > 10

    code, found = audit(cli, project, "--baseline", str(baseline))
    assert (code, found) == (0, [])

    _add_unused_requirement(project)
    code, found = audit(cli, project, "--baseline", str(baseline))
    assert code == 1
    assert found == [("LA001", "requirements.txt", 2)]
    _, everything = audit(cli, project)
    assert len(everything) > 10  # without the baseline, the old findings are all still there


def test_baseline_from_pyproject_is_relative_to_the_project(cli, project: Path) -> None:
    done = cli("deps", str(project), "--python", str(PYTHON), "--format", "sarif", "-o", str(project / "base.sarif"))
    assert done.returncode == 1, done.stderr
    _add_unused_requirement(project)
    current = project / "current.json"
    assert cli("deps", str(project), "--python", str(PYTHON), "--format", "json", "-o", str(current)).returncode == 1
    write_config(project, 'baseline = "base.sarif"\n')
    code, found = audit(cli, project, command="deps")  # run from ROOT, not from the project
    assert code == 1
    assert found == [("LA001", "requirements.txt", 2)]
    # the flag wins over the setting: a baseline of the current state leaves nothing new
    assert audit(cli, project, "--baseline", str(current), command="deps") == (0, [])


def test_a_broken_baseline_is_an_error(cli, project: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"findings": [{"code": "LA001"}], "version": 1}', encoding="utf-8")
    done = cli("deps", str(project), "--python", str(PYTHON), "--baseline", str(bad))
    assert done.returncode == 2
    assert 'finding #1 has no "fingerprint"' in done.stderr

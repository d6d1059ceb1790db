"""The real CLI on the fixtures: every report format, -o FILE, SARIF schema, exit codes, and colour only on a TTY."""

from __future__ import annotations

import functools
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
BACKEND = FIXTURES / "lambda_backend"
SCHEMA = ROOT / "tests" / "report" / "data" / "sarif-schema-2.1.0.json"
FORMATS = ("text", "json", "sarif", "markdown")


from fixture_env import fixture_python as _fixture_python

PYTHON = _fixture_python()
pytestmark = [
    pytest.mark.venv,
    pytest.mark.skipif(PYTHON is None, reason="needs the fixture virtualenv: set LAZYAUDIT_FIXTURE_PYTHON "
                       "or run `make fixture-env` (creates .fixture-venv)"),
]


def _env(tmp_root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(PYTHONPATH=str(ROOT), LAZYAUDIT_CACHE_DIR=str(tmp_root / "lazyaudit-cli-cache"), **extra)
    return env


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory):
    """Run `python -m lazyaudit ARGS` (memoised per argument tuple: the fixture audit takes seconds)."""
    base = tmp_path_factory.getbasetemp()

    @functools.cache
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "lazyaudit", *args], capture_output=True, text=True,
                              cwd=ROOT, env=_env(base), timeout=900, check=False)

    run.env = _env(base)  # type: ignore[attr-defined]
    return run


def _report(cli, command: str, fmt: str) -> subprocess.CompletedProcess[str]:
    return cli(command, str(BACKEND), "--python", str(PYTHON), "--format", fmt)


def _json_sites(doc: dict) -> list[tuple[str, str, int]]:
    return sorted((f["code"], f["path"], f["line"]) for f in doc["findings"])


def _sarif_sites(doc: dict) -> list[tuple[str, str, int]]:
    out = []
    for result in doc["runs"][0]["results"]:
        loc = result["locations"][0]["physicalLocation"]
        out.append((result["ruleId"], loc["artifactLocation"]["uri"], loc.get("region", {}).get("startLine", 0)))
    return sorted(out)


# -- (a) formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["audit", "deps"])
def test_every_format_reports_the_same_findings(cli, command: str) -> None:
    runs = {fmt: _report(cli, command, fmt) for fmt in FORMATS}
    for fmt, done in runs.items():
        assert done.returncode == 1, (fmt, done.stderr)
        assert done.stdout.strip(), fmt
        assert "Traceback" not in done.stderr
    doc = json.loads(runs["json"].stdout)
    assert doc["version"] == 1
    sites = _json_sites(doc)
    assert sites and sites == _sarif_sites(json.loads(runs["sarif"].stdout))
    codes = {code for code, _, _ in sites}
    if command == "deps":
        assert codes <= {"LA001", "LA002", "LA003", "LA004", "LA005", "LA900"}
    else:
        assert {"LA101", "LA102", "LA103", "LA201"} <= codes
    for code, path, line in sites:  # every finding is visible, located, in the text report
        where = f"{path}:{line}" if line else path
        assert where in runs["text"].stdout, (code, where)
    assert runs["markdown"].stdout.startswith(f"## lazyaudit: {len(sites)} findings")
    for code in codes:
        assert f"[{code}](" in runs["markdown"].stdout
    assert "\x1b[" not in "".join(r.stdout for r in runs.values())  # stdout is a pipe here


@pytest.mark.parametrize("command", ["audit", "deps"])
def test_sarif_validates_against_the_official_schema(cli, command: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    log = json.loads(_report(cli, command, "sarif").stdout)
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(log)]
    assert not errors, "\n".join(errors[:20])
    rules = {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in log["runs"][0]["results"]} <= rules
    # a broken log must fail, or this test proves nothing
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert list(validator.iter_errors(log))


@pytest.mark.parametrize(("command", "fmt"), [("deps", f) for f in FORMATS] + [("audit", "json"), ("audit", "text")])
def test_output_file_holds_the_report_and_status_goes_to_stderr(cli, tmp_path: Path, command: str, fmt: str) -> None:
    target = tmp_path / f"report.{fmt}"
    done = cli(command, str(BACKEND), "--python", str(PYTHON), "--format", fmt, "-o", str(target))
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert f"lazyaudit: wrote {target}" in done.stderr
    # byte-identical to the stdout report: deterministic, and -o changes nothing but the destination
    assert target.read_text(encoding="utf-8") == _report(cli, command, fmt).stdout


# -- (c) exit codes ------------------------------------------------------------------------------


def test_exit_0_when_clean(cli) -> None:
    done = cli("audit", str(FIXTURES / "namespace_pkg"), "--python", str(PYTHON))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no findings" in done.stdout


def test_exit_1_with_findings_and_0_once_they_are_deselected(cli) -> None:
    assert _report(cli, "deps", "json").returncode == 1
    done = cli("deps", str(BACKEND), "--python", str(PYTHON), "--select", "LA002")  # none in this fixture
    assert done.returncode == 0, done.stdout + done.stderr


ERRORS = {
    "missing path": (["audit", "/nonexistent/project"], "path does not exist"),
    "bad interpreter": (["deps", str(BACKEND), "--python", "/nonexistent/python"], "does not exist"),
    "unknown option": (["audit", str(BACKEND), "--bogus"], "unrecognized arguments: --bogus"),
    "bad format": (["audit", str(BACKEND), "--format", "xml"], "invalid choice: 'xml'"),
    "unknown rule code": (["deps", str(BACKEND), "--python", "<py>", "--select", "LA999"], "unknown rule code(s): LA999"),
    "unreadable baseline": (["deps", str(BACKEND), "--python", "<py>", "--baseline", "/nonexistent.json"],
                            "baseline /nonexistent.json: cannot read it"),
    "unwritable output": (["deps", str(BACKEND), "--python", "<py>", "-o", "/nonexistent/dir/r.json"],
                          "cannot write /nonexistent/dir/r.json"),
    "unknown closure module": (["closure", "no_such_module", str(BACKEND), "--python", "<py>"],
                               "module no_such_module not found"),
    "no command": ([], "usage: lazyaudit"),
}


@pytest.mark.parametrize(("argv", "message"), ERRORS.values(), ids=ERRORS.keys())
def test_exit_2_on_usage_and_environment_errors(cli, argv: list[str], message: str) -> None:
    done = cli(*[str(PYTHON) if a == "<py>" else a for a in argv])
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


# -- (d) colour only on a terminal, never with NO_COLOR --------------------------------------------


def run_on_tty(argv: list[str], env: dict[str, str], tmp_path: Path) -> tuple[int, bytes]:
    """Run the CLI with stdout on a pseudo-terminal; returns (exit code, what the terminal received)."""
    master, slave = pty.openpty()
    with open(tmp_path / "stderr.txt", "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "lazyaudit", *argv], stdout=slave, stderr=err,
                                stdin=subprocess.DEVNULL, cwd=ROOT, env=env)
        os.close(slave)
        chunks = []
        while True:  # drain continuously, or the child blocks on a full terminal buffer
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        code = proc.wait(timeout=900)
    os.close(master)
    return code, b"".join(chunks)


def test_text_is_coloured_on_a_terminal(cli, tmp_path: Path) -> None:
    code, shown = run_on_tty(["deps", str(BACKEND), "--python", str(PYTHON)], cli.env, tmp_path)
    assert code == 1
    assert b"\x1b[" in shown  # the control case: without it the NO_COLOR test below proves nothing


def test_no_color_turns_colour_off_on_a_terminal(cli, tmp_path: Path) -> None:
    code, shown = run_on_tty(["deps", str(BACKEND), "--python", str(PYTHON)], {**cli.env, "NO_COLOR": "1"}, tmp_path)
    assert code == 1
    assert b"LA001" in shown and b"\x1b" not in shown


def test_no_colour_when_piped_or_written_to_a_file(cli, tmp_path: Path) -> None:
    piped = _report(cli, "deps", "text")
    assert "LA001" in piped.stdout and "\x1b" not in piped.stdout
    target = tmp_path / "report.txt"
    code, shown = run_on_tty(["deps", str(BACKEND), "--python", str(PYTHON), "-o", str(target)], cli.env, tmp_path)
    assert code == 1 and shown == b""
    assert "\x1b" not in target.read_text(encoding="utf-8")

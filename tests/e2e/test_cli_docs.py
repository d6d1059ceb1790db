"""The `$ lazyaudit ...` examples in the docs and README are real: each is run and its shown lines must appear in
order in the real output (numbers masked, since estimates move; `...` marks elided lines)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["README.md", "docs/quickstart.md", "docs/commands/audit.md", "docs/commands/closure.md",
         "docs/commands/why.md"]
_NUMBER = re.compile(r"(?<![\w:.])\d[\d,.]*")  # not file:line numbers, nor digits inside names (boto3)
_BAR = re.compile(r"[█▏▎▍▌▋▊▉]+")


from fixture_env import fixture_python as _fixture_python

PYTHON = _fixture_python()
pytestmark = [
    pytest.mark.venv,
    pytest.mark.skipif(PYTHON is None, reason="needs the fixture virtualenv (make fixture-env)"),
]


def examples() -> list[tuple[str, str, list[str], int | None]]:
    """(page, command line, shown output lines, shown exit code) for every `$ lazyaudit` block."""
    found = []
    for page in PAGES:
        text = (ROOT / page).read_text(encoding="utf-8")
        for block in re.findall(r"```\n(\$ lazyaudit .*?)```", text, flags=re.DOTALL):
            lines = block.rstrip("\n").split("\n")
            command, shown, code = lines[0][2:], [], None
            for i, line in enumerate(lines[1:], 1):
                if line == "$ echo $?":
                    code = int(lines[i + 1])
                    break
                shown.append(line)
            if " -o " not in command:  # those write into the checkout; -o is tested in test_cli_reports
                found.append((page, command, shown, code))
    return found


def normal(line: str) -> str:
    # numbers, bar lengths and the padding that aligns them change with the estimates; the words may not
    return " ".join(_NUMBER.sub("N", _BAR.sub("#", line)).split())


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    out.update(PYTHONPATH=str(ROOT), LAZYAUDIT_CACHE_DIR=str(tmp_path_factory.getbasetemp() / "lazyaudit-cli-cache"))
    return out


def test_the_docs_have_examples() -> None:
    pages = {page for page, *_ in examples()}
    assert pages == set(PAGES) - {"docs/quickstart.md"}  # the quick start shows its commands without `$`


@pytest.mark.parametrize(("page", "command", "shown", "code"), examples(),
                         ids=[f"{p}:{c.split()[1]}:{i}" for i, (p, c, _, _) in enumerate(examples())])
def test_example_output_is_real(env, page: str, command: str, shown: list[str], code: int | None) -> None:
    argv = [str(PYTHON) if a == ".fixture-venv/bin/python" else a for a in shlex.split(command)[1:]]
    done = subprocess.run([sys.executable, "-m", "lazyaudit", *argv], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=900, check=False)
    assert done.returncode in (0, 1), done.stderr
    if code is not None:
        assert done.returncode == code
    real = [normal(line) for line in done.stdout.splitlines()]
    at = 0
    for line in shown:
        if line == "...":
            continue
        want = normal(line)
        assert want in real[at:], f"{page}: {command}\nnot found (in order): {line}"
        at = real.index(want, at) + 1

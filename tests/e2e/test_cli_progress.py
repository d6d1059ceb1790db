"""The progress line on stderr: drawn only on a terminal, throttled, erased, coloured unless NO_COLOR; and its wiring."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from lazyaudit.progress import BAR_CELLS, ProgressLine, format_line, progress_for

ROOT = Path(__file__).resolve().parents[2]
BACKEND = ROOT / "fixtures" / "lambda_backend"


from fixture_env import fixture_python as _fixture_python

PYTHON = _fixture_python()
needs_venv = pytest.mark.skipif(PYTHON is None, reason="needs the fixture virtualenv (make fixture-env)")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def line(color: bool = False, columns: int = 80) -> tuple[ProgressLine, Terminal, Clock]:
    out, clock = Terminal(), Clock()
    return ProgressLine(out, color=color, columns=columns, clock=clock, delay=0.5, interval=0.1), out, clock


def test_nothing_is_drawn_before_the_delay_then_throttled() -> None:
    bar, out, clock = line()
    bar("parsing project files", 1, 10)
    assert out.getvalue() == ""  # a quick run never flashes a line
    clock.now += 0.5
    bar("parsing project files", 2, 10)
    first = out.getvalue()
    assert first.startswith("\rlazyaudit: parsing project files [") and first.endswith("] 2/10")
    bar("parsing project files", 3, 10)  # within the interval: skipped
    assert out.getvalue() == first
    clock.now += 0.1
    bar("parsing project files", 4, 10)
    assert out.getvalue().endswith("4/10")


def test_bar_fill_and_unknown_totals() -> None:
    text, visible = format_line("x", 5, 10, color=False)
    cells = text[text.index("[") + 1:text.index("]")]
    assert len(cells) == BAR_CELLS and cells.count("█") == BAR_CELLS // 2
    assert visible == len(text)
    text, _ = format_line("scanning imports", 1234, 0, color=False, frame=1)
    assert text == "lazyaudit: scanning imports / 1,234"  # no bar when the total is unknown


def test_colour_only_when_asked() -> None:
    coloured, visible = format_line("x", 3, 4, color=True)
    plain, plain_visible = format_line("x", 3, 4, color=False)
    assert "\x1b[36m" in coloured and "\x1b" not in plain
    assert visible == plain_visible == len(plain)


@pytest.mark.parametrize("columns", [20, 30, 50, 80])
def test_never_wider_than_the_terminal(columns: int) -> None:
    for done, total in ((0, 156), (80, 156), (4932, 0)):
        _, visible = format_line("parsing project files", done, total, color=True, width=columns - 1)
        assert visible <= columns - 1


def test_close_erases_with_spaces_only() -> None:
    bar, out, clock = line()
    clock.now += 1
    bar("scanning imports", 12345, 0)
    drawn = out.getvalue()
    bar.close()
    tail = out.getvalue()[len(drawn):]
    assert tail == "\r" + " " * (len(drawn) - 1) + "\r"
    bar.close()  # idempotent
    assert out.getvalue()[len(drawn):] == tail


def test_shorter_line_covers_the_longer_one() -> None:
    bar, out, clock = line()
    clock.now += 1
    bar("parsing project files", 1, 2)
    clock.now += 1
    long_width = len(out.getvalue()) - 1
    bar("x", 1, 0)
    last = out.getvalue().rsplit("\r", 1)[1]
    assert len(last) == long_width


def test_progress_only_on_a_terminal() -> None:
    assert progress_for(io.StringIO(), {}) is None  # a pipe, a file, a CI log
    assert progress_for(Terminal(), {"TERM": "dumb"}) is None
    shown = progress_for(Terminal(), {"TERM": "xterm"})
    assert isinstance(shown, ProgressLine) and shown.color
    assert progress_for(Terminal(), {"TERM": "xterm", "NO_COLOR": "1"}).color is False  # type: ignore[union-attr]
    assert progress_for(Terminal(), {"TERM": "xterm", "NO_COLOR": ""}).color is True  # type: ignore[union-attr]


@needs_venv
def test_load_project_and_scans_report_progress() -> None:
    from lazyaudit.analysis import load_project

    calls: list[tuple[str, int, int]] = []
    project = load_project(BACKEND, PYTHON, progress=lambda *a: calls.append(a))
    files = len(project.sources.files)
    assert calls[:2] == [("parsing project files", 0, files), ("parsing project files", files, files)]
    project.audit({"LA101"})
    scans = [done for stage, done, total in calls if stage == "scanning imports"]
    assert scans and all(total == 0 for stage, _, total in calls if stage == "scanning imports")
    assert max(scans) > 500  # the handlers' closures reach hundreds of installed modules


@pytest.fixture
def cli_env(tmp_path_factory: pytest.TempPathFactory):
    def make(**extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        cache = tmp_path_factory.getbasetemp() / "lazyaudit-cli-cache"  # shared with the other CLI tests
        env.update(PYTHONPATH=str(ROOT), LAZYAUDIT_CACHE_DIR=str(cache), TERM="xterm", **extra)
        return env

    return make


@needs_venv
def test_cli_draws_nothing_when_stderr_is_not_a_terminal(cli_env) -> None:
    done = subprocess.run([sys.executable, "-m", "lazyaudit", "audit", str(BACKEND), "--python", str(PYTHON),
                           "--format", "json", "--select", "LA101"], capture_output=True, text=True, cwd=ROOT,
                          env=cli_env(), timeout=900, check=False)
    assert done.returncode == 1
    assert done.stderr == ""


@needs_venv
def test_cli_progress_on_a_terminal_respects_no_color_and_is_erased(cli_env, tmp_path: Path) -> None:
    master, slave = pty.openpty()
    report = tmp_path / "stdout.json"
    with open(report, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "lazyaudit", "audit", str(BACKEND), "--python", str(PYTHON),
                                 "--format", "json", "--select", "LA101"], stdout=out, stderr=slave,
                                stdin=subprocess.DEVNULL, cwd=ROOT, env=cli_env(NO_COLOR="1"))
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        assert proc.wait(timeout=900) == 1
    os.close(master)
    shown = b"".join(chunks).decode("utf-8")
    assert "\x1b" not in shown
    assert '"code": "LA101"' in report.read_text(encoding="utf-8")  # the report is untouched by the progress line
    if shown:  # whether a line was drawn depends on how long the run took; if it was, it is gone at the end
        assert shown.startswith("\rlazyaudit: ")
        assert shown.rsplit("\r", 2)[1].strip() == "" and shown.endswith("\r")

"""A one-line progress display on stderr for long scans: terminals only, coloured unless NO_COLOR is set."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from typing import TextIO

# The core reports progress through a plain callable, (stage, done, total), total 0 meaning "unknown";
# it never prints. The CLI passes a ProgressLine, or nothing when stderr is not a terminal.
ProgressCallback = Callable[[str, int, int], None]

DELAY = 0.4  # seconds before the first draw, so that quick runs never flash a line
INTERVAL = 0.1  # seconds between redraws: the callback may come thousands of times a second
BAR_CELLS = 20
_EIGHTHS = " ▏▎▍▌▋▊▉"
_SPINNER = "|/-\\"


class ProgressLine:
    """Redraws one status line in place with carriage returns; `close()` erases it.

    Only spaces and "\\r" are used to redraw and erase, so that the only escape sequences ever written are
    the colour ones, which `color=False` leaves out.
    """

    def __init__(
        self, stream: TextIO, *, color: bool, columns: int = 80, clock: Callable[[], float] = time.monotonic,
        delay: float = DELAY, interval: float = INTERVAL,
    ) -> None:
        self.stream = stream
        self.color = color
        self.columns = max(columns, 20)
        self.clock = clock
        self.interval = interval
        self.next_draw = clock() + delay
        self.drawn = 0  # visible width of what is on the line now
        self.frames = 0

    def __call__(self, stage: str, done: int, total: int = 0) -> None:
        now = self.clock()
        if now < self.next_draw:
            return
        self.next_draw = now + self.interval
        self.frames += 1
        text, visible = format_line(stage, done, total, color=self.color, width=self.columns - 1, frame=self.frames)
        pad = " " * max(0, self.drawn - visible)  # cover the tail of a longer previous line
        self.stream.write("\r" + text + pad)
        self.stream.flush()
        self.drawn = visible

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * self.drawn + "\r")
            self.stream.flush()
            self.drawn = 0


def format_line(stage: str, done: int, total: int, *, color: bool, width: int = 79, frame: int = 0) -> tuple[str, int]:
    """The status text and its visible width (escapes excluded), cut to `width` columns so it never wraps."""
    if total > 0:
        share = min(max(done / total, 0.0), 1.0)
        bar = _bar(share)
        counter = f"{done:,}/{total:,}"
    else:
        bar = ""
        counter = f"{_SPINNER[frame % len(_SPINNER)]} {done:,}"
    head = f"lazyaudit: {stage} "
    room = width - len(head) - len(counter) - (len(bar) + 3 if bar else 0)
    if room < 0:  # a narrow terminal: drop the bar first, then cut the stage name
        bar = ""
        head = head[: max(0, width - len(counter) - 1)]
    visible = len(head) + (len(bar) + 3 if bar else 0) + len(counter)
    if bar and color:
        bar = f"\x1b[36m{bar}\x1b[0m"
    middle = f"[{bar}] " if bar else ""
    return f"{head}{middle}{counter}", visible


def _bar(share: float) -> str:
    eighths = round(share * BAR_CELLS * 8)
    full, rest = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[rest] if rest else "")).ljust(BAR_CELLS)


def progress_for(stream: TextIO | None = None, environ: Mapping[str, str] | None = None) -> ProgressLine | None:
    """A ProgressLine on `stream` (default stderr) when it is a terminal; None when it is not (pipes, CI logs, files)."""
    stream = sys.stderr if stream is None else stream
    environ = os.environ if environ is None else environ
    isatty = getattr(stream, "isatty", None)
    if isatty is None or not isatty() or environ.get("TERM") == "dumb":
        return None
    try:  # the size of the terminal stderr is on: stdout may be redirected to a file
        columns = os.get_terminal_size(stream.fileno()).columns or 80  # 0 when the terminal did not say
    except (AttributeError, OSError, ValueError):
        columns = shutil.get_terminal_size(fallback=(80, 24)).columns
    # https://no-color.org: any non-empty NO_COLOR turns colour off
    return ProgressLine(stream, color=not environ.get("NO_COLOR"), columns=columns)

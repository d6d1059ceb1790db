"""Atomic file writes: a temp file in the same folder, fsync, then rename over the target."""

from __future__ import annotations

import glob
import os
import tempfile
from pathlib import Path

# Temp files are hidden (leading dot) and do not end in .py, so an interrupted write leaves nothing
# that lazyaudit, Python or most tools would read as source.
TEMP_SUFFIX = ".lazyaudit-tmp"


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes, *, mode: int | None = None) -> None:
    """Replace `path` with `data` so that readers see either the old or the new file, never a mix.

    The file's permission bits are kept (or set to `mode` for a new file).
    """
    target = Path(path)
    try:
        keep_mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        keep_mode = mode if mode is not None else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, keep_mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    for stale in stale_temp_files(target):  # left by an earlier write of this file that was killed
        try:
            stale.unlink()
        except OSError:
            pass


def stale_temp_files(path: str | os.PathLike[str]) -> list[Path]:
    """Temp files of interrupted writes of `path`: `.<name>.<random>.lazyaudit-tmp` in its folder."""
    target = Path(path)
    try:
        return sorted(target.parent.glob(f".{glob.escape(target.name)}.*{TEMP_SUFFIX}"))
    except OSError:
        return []


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))

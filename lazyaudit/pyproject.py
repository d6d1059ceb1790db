"""Read pyproject.toml once, turning a broken file into a finding instead of an exception."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from lazyaudit.model import Finding


def read_toml(path: Path, root: Path) -> tuple[dict[str, Any], Finding | None]:
    """Parse a TOML file; on failure return ({}, an LA900 finding with the reason and line)."""
    if sys.version_info >= (3, 11):
        import tomllib  # stdlib; imported here because only project loading needs it
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return {}, Finding("LA900", f"cannot read {rel}: {exc.strerror or exc}", rel, severity="error")
    try:
        return tomllib.loads(data.decode("utf-8")), None
    except UnicodeDecodeError as exc:
        return {}, Finding("LA900", f"{rel} is not UTF-8: {exc.reason}", rel, severity="error")
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", 0) or _line_from_message(str(exc))
        return {}, Finding("LA900", f"invalid TOML in {rel}: {exc}", rel, line, severity="error")


def read_pyproject(root: Path) -> tuple[dict[str, Any], Finding | None]:
    """The parsed pyproject.toml of a project root ({} when absent)."""
    path = root / "pyproject.toml"
    if not path.is_file():
        return {}, None
    return read_toml(path, root)


def _line_from_message(message: str) -> int:
    # tomllib before 3.14 puts the position only in the message: "... (at line 3, column 5)"
    marker = "at line "
    if marker in message:
        digits = message.split(marker, 1)[1].split(",", 1)[0].strip(") ")
        if digits.isdigit():
            return int(digits)
    return 0

"""Readers of the files that declare entry points (SAM/CloudFormation, serverless.yml, scripts), and their shared helpers."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from lazyaudit.model import Finding

_IDENT = re.compile(r"^[A-Za-z_]\w*$")


def is_dotted(name: str) -> bool:
    """True for "a", "a.b_c": every dot-separated part is an identifier."""
    return bool(name) and all(_IDENT.match(part) for part in name.split("."))


def parse_handler(handler: Any) -> tuple[str, str] | str:
    """A Lambda Python handler -> (module, function), or the reason it is not one.

    "src.handlers.core.main.handler" -> ("src.handlers.core.main", "handler");
    "handlers/api.handler" (a path, as SAM and serverless accept) -> ("handlers.api", "handler").
    """
    if not isinstance(handler, str):
        return f"is not a string ({type(handler).__name__})"
    text = handler.strip()
    if not text:
        return "is empty"
    if "${" in text:
        return f"{text!r} uses a variable that cannot be resolved statically"
    module, dot, attr = text.rpartition(".")
    module = module.strip("/")
    module = module.removeprefix("./")
    module = module.replace("/", ".")
    if not dot or not module or not is_dotted(module) or not _IDENT.match(attr):
        return f"{text!r} is not module.function"
    return module, attr


def parse_object_ref(spec: str) -> tuple[str, str] | None:
    """An entry-point object reference "pkg.mod:obj.attr [extra]" -> (module, attr); None if invalid."""
    text = re.sub(r"\s*\[[^\]]*\]\s*$", "", spec.strip())  # extras do not change what is imported
    module, _, attr = (part.strip() for part in text.partition(":"))
    if not is_dotted(module) or (attr and not is_dotted(attr)):
        return None
    return module, attr


def join_rel(base: str, path: str) -> str:
    """A path written relative to `base` (both relative posix) -> normalised posix, "" for the root itself."""
    joined = posixpath.normpath(posixpath.join(base, path.replace("\\", "/")))
    return "" if joined == "." else joined


def rel_path(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def module_file(root: Path, rel_root: str, module: str) -> Path | None:
    """The file or package folder that `module` would import from under `rel_root`, if it exists."""
    base = root / rel_root / Path(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py", base):
        if candidate.exists():
            return candidate
    return None


def has_non_python_handler(root: Path, rel_root: str, module: str) -> bool:
    """True when the handler's module exists only as JavaScript/TypeScript/... (not a Python function)."""
    if module_file(root, rel_root, module) is not None:
        return False
    base = root / rel_root / Path(*module.split("."))
    return any(base.with_suffix(ext).exists() for ext in (".js", ".mjs", ".cjs", ".ts", ".rb"))


def problem(message: str, path: str, line: int = 0, subject: str = "") -> Finding:
    """A declaration that cannot be turned into an entry: LA900, so the user sees it next to other bad input."""
    return Finding("LA900", message, path, line, subject=subject, severity="error", data={"reason": "invalid entry declaration"})


def note(message: str, path: str, line: int = 0, subject: str = "") -> Finding:
    """Something the user should know about a declaration that still gave (or could not give) an entry."""
    return Finding("LA900", message, path, line, subject=subject, severity="note", data={"reason": "entry note"})


def line_of_key(text: str, sections: tuple[str, ...], key: str) -> int:
    """1-based line of `key = ...` inside one of the INI/TOML `sections` ([a.b] headers); 0 if not found."""
    current = ""
    key_re = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*[=:]""")
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("[") and not key_re.match(line):
            current = re.sub(r"[\s\"']", "", stripped.strip("[]"))
            continue
        if current in sections and key_re.match(line):
            return number
    return 0

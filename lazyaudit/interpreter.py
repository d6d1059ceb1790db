"""Which interpreter `--python` names, and the script that describes it: nothing else, so it loads fast."""

from __future__ import annotations

import os
import shutil
import sys

from lazyaudit.errors import LazyauditError

INTROSPECT_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_introspect.py")


def resolve_interpreter(python: str | None) -> str:
    """The interpreter file `--python` names (a command on PATH, a path, a virtualenv folder)."""
    if python is None:
        if not sys.executable:
            raise LazyauditError("the running Python does not know its own executable; pass --python")
        return sys.executable
    path = os.path.expanduser(python)
    if os.sep not in path and not (os.altsep and os.altsep in path):
        found = shutil.which(path)
        if found is None:
            raise LazyauditError(f"Python interpreter {python!r} was not found on PATH")
        path = found
    path = os.path.abspath(path)  # not realpath: a venv's python is a symlink that must stay one
    if os.path.isdir(path):
        # Accept a virtualenv directory, as uv and pipenv users tend to pass one.
        for candidate in (os.path.join(path, "bin", "python"), os.path.join(path, "Scripts", "python.exe")):
            if os.path.isfile(candidate):
                return candidate
        raise LazyauditError(f"{python} is a directory, not a Python interpreter (nor a virtualenv)")
    if not os.path.exists(path):
        raise LazyauditError(f"Python interpreter {python} does not exist")
    if not os.access(path, os.X_OK):
        raise LazyauditError(f"{python} is not executable, so it cannot be a Python interpreter")
    return path

"""Commands a project's tooling runs (Makefile, Dockerfile, Procfile, CI, tox, task runners): console scripts and `-m` modules."""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class ToolCommand:
    """One program a project file runs: a console script by name, or `python -m module`."""

    name: str  # the script name ("uvicorn") or the module ("pytest")
    kind: str  # "script" or "module"
    path: str  # project-relative posix path of the file that runs it
    line: int
    runtime: bool  # a process launcher of the deployed program (Procfile, Docker CMD/ENTRYPOINT, compose command)


# Words that run the command after them, so the program is the next word.
_WRAPPERS = frozenset({"exec", "env", "sudo", "time", "nohup", "command", "xargs", "npx", "uvx", "pipx", "nice"})
_RUNNERS = frozenset({"poetry", "pdm", "uv", "pipenv", "hatch", "rye", "pixi", "tox"})  # `<runner> run CMD`
_PYTHON = re.compile(r"^(?:.*/)?(?:python(?:\d(?:\.\d+)?)?|pypy\d?|\$\w*PY\w*)$")  # `$PYTHON`, `$(FIXTURE_PY)`
_VARIABLE = re.compile(r"\$[({]([A-Za-z_]\w*)[)}]")
_MAKE_FUNCTION = re.compile(r"\$\([a-z-]+ [^()]*\)")
_SEPARATORS = re.compile(r"&&|\|\||[;|`]|\$\(")
_YAML_KEYS = ("run", "command", "entrypoint", "script", "before_script", "after_script", "cmd", "cmds", "entry")
_YAML_KEY = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_][\w-]*)\s*:\s*(.*)$")
_TOML_TASK_TABLES = ("tool.poe", "tool.pdm.scripts", "tool.taskipy", "tool.rye.scripts", "tool.hatch.envs")
_NAME = re.compile(r"^[A-Za-z0-9][\w.+-]*$")


def scan_tool_commands(root: Path, folders: Sequence[str] = ()) -> tuple[tuple[ToolCommand, ...], tuple[str, ...]]:
    """The commands the project's tooling files run, and the files read (relative posix, sorted).

    Looks in the project root and in `folders` (e.g. SAM CodeUri folders), in `scripts/` and `bin/`,
    and in `.github/workflows/`; never walks the whole tree. Unreadable files are skipped.
    """
    root = Path(root)
    files: dict[str, Path] = {}
    for folder in ("", *folders, "scripts", "bin", ".github/workflows"):
        base = root / folder if folder else root
        try:
            children = sorted(base.iterdir())
        except OSError:
            continue
        for path in children:
            if path.is_file() and _reader(path) is not None:
                files.setdefault(path.relative_to(root).as_posix(), path)
    found: list[ToolCommand] = []
    for rel, path in sorted(files.items()):
        try:
            text = path.read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        reader = _reader(path)
        assert reader is not None
        for line, command, runtime in reader(text):
            found.extend(_programs(command, rel, line, runtime))
    return tuple(dict.fromkeys(found)), tuple(sorted(files))


def _reader(path: Path) -> Any:
    name, parent = path.name, path.parent.name
    lower = name.lower()
    if lower in ("makefile", "gnumakefile") or lower.endswith(".mk") or lower == "justfile":
        return _make_lines
    if lower == "procfile":
        return _procfile_lines
    if lower == "dockerfile" or lower.startswith("dockerfile.") or lower.endswith(".dockerfile"):
        return _dockerfile_lines
    if lower == "tox.ini":
        return _tox_lines
    if lower == "package.json":
        return _package_json_lines
    if lower == "pyproject.toml":
        return _pyproject_lines
    if lower.endswith((".yml", ".yaml")) and (
        parent == "workflows" or lower.startswith(("docker-compose", "compose", ".gitlab-ci", "taskfile"))
        or lower == ".pre-commit-config.yaml"
    ):
        return _yaml_lines
    if lower.endswith((".sh", ".bash")) or (parent in ("scripts", "bin") and "." not in name and _is_shell(path)):
        return _shell_lines
    return None


def _is_shell(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            first = handle.readline(200)
    except OSError:
        return False
    return first.startswith(b"#!") and (b"sh" in first.split(b"/")[-1])


# --- per-format command lines: (line, command text, runtime) ------------------------------------------


def _joined(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """Backslash continuations joined; the first line's number kept."""
    start, parts = 0, list[str]()
    for number, text in lines:
        if not parts:
            start = number
        if text.rstrip().endswith("\\"):
            parts.append(text.rstrip()[:-1])
            continue
        parts.append(text)
        yield start, " ".join(parts)
        parts = []
    if parts:
        yield start, " ".join(parts)


def _strip_comment(text: str) -> str:
    return re.sub(r"(^|\s)#.*$", "", text)


def _make_lines(text: str) -> Iterator[tuple[int, str, bool]]:
    # recipe lines start with a tab (make) or any indentation (just); assignments and targets are not commands
    recipe = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line[:1] in ("\t", " ")]
    for number, command in _joined(recipe):
        yield number, _strip_comment(command.lstrip("@-+ ")), False


def _shell_lines(text: str) -> Iterator[tuple[int, str, bool]]:
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if not line.lstrip().startswith("#")]
    for number, command in _joined(lines):
        yield number, _strip_comment(command), False


def _procfile_lines(text: str) -> Iterator[tuple[int, str, bool]]:
    for number, line in enumerate(text.splitlines(), 1):
        name, sep, command = line.partition(":")
        if sep and _NAME.match(name.strip()):
            yield number, command.strip(), True


def _dockerfile_lines(text: str) -> Iterator[tuple[int, str, bool]]:
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if not line.lstrip().startswith("#")]
    for number, instruction in _joined(lines):
        word, _, rest = instruction.strip().partition(" ")
        word = word.upper()
        if word not in ("RUN", "CMD", "ENTRYPOINT"):
            continue
        rest = rest.strip()
        if rest.startswith("["):
            try:
                args = json.loads(rest)
            except ValueError:
                args = None
            if isinstance(args, list) and all(isinstance(a, str) for a in args):
                rest = " ".join(shlex.quote(a) for a in args)
        yield number, rest, word != "RUN"


def _tox_lines(text: str) -> Iterator[tuple[int, str, bool]]:
    inside = False
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith(("#", ";")):
            continue
        if line[:1] in (" ", "\t"):
            if inside:
                yield number, line.strip(), False
            continue
        key, sep, value = line.partition("=")
        inside = bool(sep) and key.strip() in ("commands", "commands_pre", "commands_post")
        if inside and value.strip():
            yield number, value.strip(), False


def _yaml_lines(text: str) -> Iterator[tuple[int, str, bool]]:
    block_indent: int | None = None
    runtime_block = False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        if block_indent is not None and indent > block_indent:
            item = stripped[2:].strip() if stripped.startswith("- ") else stripped
            yield number, _unquote(item), runtime_block
            continue
        block_indent = None
        match = _YAML_KEY.match(line)
        if not match or match.group(2) not in _YAML_KEYS:
            continue
        runtime = match.group(2) in ("command", "entrypoint")
        value = _strip_comment(match.group(3)).strip()
        if value in ("", "|", ">", "|-", ">-", "|+", ">+"):
            block_indent, runtime_block = len(match.group(1)), runtime
        elif value.startswith("["):
            try:
                items = json.loads(value)
            except ValueError:
                items = [v.strip().strip("'\"") for v in value.strip("[]").split(",")]
            if isinstance(items, list):
                yield number, " ".join(shlex.quote(str(i)) for i in items), runtime
        else:
            yield number, _unquote(value), runtime


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _package_json_lines(text: str) -> Iterator[tuple[int, str, bool]]:
    try:
        data = json.loads(text)
    except ValueError:
        return
    scripts = data.get("scripts") if isinstance(data, dict) else None
    if not isinstance(scripts, dict):
        return
    lines = text.splitlines()
    for key, command in scripts.items():
        if isinstance(command, str):
            yield _line_of(lines, json.dumps(key)), command, False


def _pyproject_lines(text: str) -> Iterator[tuple[int, str, bool]]:
    """String values inside task-runner tables (poe, pdm scripts, taskipy, rye, hatch env scripts)."""
    table = ""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = re.match(r"^\[\[?\s*([^\]]+?)\s*\]\]?", stripped)
        if header:
            table = header.group(1).replace('"', "").replace("'", "")
            continue
        if not table.startswith(_TOML_TASK_TABLES) or (table.startswith("tool.hatch.envs") and ".scripts" not in table):
            continue
        key, sep, value = stripped.partition("=")
        if not sep or key.strip() in ("help", "env", "envs", "cwd", "dependencies", "extra-dependencies"):
            continue
        for literal in re.findall(r"\"((?:[^\"\\]|\\.)*)\"|'([^']*)'", value):
            command = literal[0] or literal[1]
            if command:
                yield number, command, False


def _line_of(lines: Sequence[str], needle: str) -> int:
    for number, line in enumerate(lines, 1):
        if needle in line:
            return number
    return 0


# --- the programs one command line runs -----------------------------------------------------------------


def _programs(command: str, path: str, line: int, runtime: bool) -> Iterator[ToolCommand]:
    # make/shell variables become plain `$NAME` words and make functions one opaque word, so that the
    # `$(` left over is a command substitution, whose command is a program too
    previous = None
    while previous != command:
        previous, command = command, _VARIABLE.sub(r"$\1", command)
    command = _MAKE_FUNCTION.sub("$FN", command)
    for segment in _SEPARATORS.split(command):
        try:
            words = shlex.split(segment, comments=False, posix=True)
        except ValueError:
            words = segment.split()
        program = _program(words)
        if program is not None:
            yield ToolCommand(program[0], program[1], path, line, runtime)


def _program(words: list[str]) -> tuple[str, str] | None:
    i = 0
    while i < len(words):
        word = words[i]
        if "=" in word and not word.startswith(("-", "=")) and re.match(r"^[A-Za-z_]\w*=", word):
            i += 1  # VAR=value before the program
        elif word in _WRAPPERS or word.startswith("-") and i > 0 and words[i - 1] in _WRAPPERS:
            i += 1
        elif word in _RUNNERS and i + 1 < len(words) and words[i + 1] in ("run", "exec", "-e"):
            i += 2
        else:
            break
    if i >= len(words):
        return None
    word = words[i]
    if _PYTHON.match(word):
        rest = words[i + 1:]
        for j, arg in enumerate(rest):
            if arg == "-m" and j + 1 < len(rest):
                return _valid(rest[j + 1], "module")
            if arg.startswith("-m") and len(arg) > 2:
                return _valid(arg[2:], "module")
            if not arg.startswith("-"):
                return None  # `python script.py`: a first-party script, not a distribution's program
        return None
    return _valid(os.path.basename(word), "script")


def _valid(name: str, kind: str) -> tuple[str, str] | None:
    if kind == "module":
        return (name, kind) if re.match(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$", name) else None
    return (name, kind) if _NAME.match(name) else None

"""Measured import times: run `python -X importtime -c "import M"` in a subprocess, N times, keep medians."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lazyaudit.errors import LazyauditError

SCHEMA = 1
_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S+)\s*$")
_MODULE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_MARK = "@@lazyaudit-profile@@"
# Runs in the target interpreter. `os` and `sys` are loaded at start-up, so importing them here
# adds no `import time:` line; os.write(1) still works when the module replaces sys.stdout.
_SCRIPT = """import os, sys
_la_pre = set(sys.modules)
import {module}
_la_new, _la_alias = [], []
for _la_name, _la_mod in list(sys.modules.items()):
    if _la_name not in _la_pre:
        _la_new.append(_la_name)
        if isinstance(_la_mod, type(sys)) and _la_mod.__dict__.get("__name__", _la_name) != _la_name:
            _la_alias.append(_la_name)
os.write(1, ("\\n{mark}\\npre " + " ".join(_la_pre) + "\\nnew " + " ".join(_la_new)
             + "\\nalias " + " ".join(_la_alias) + "\\nversion " + ".".join(map(str, sys.version_info[:3]))
             + "\\n").encode())
"""


@dataclass(frozen=True, slots=True)
class ImportNode:
    """One `import time:` line and the lines nested under it (the imports its body made)."""

    name: str
    self_us: int
    cumulative_us: int
    children: tuple[ImportNode, ...] = ()


@dataclass(frozen=True, slots=True)
class Profile:
    """Per-module medians of N `-X importtime` runs of `import module`, start-up imports left out."""

    module: str
    python: str  # the interpreter that ran it
    runs: int
    total_ms: float  # median over runs of the whole `import module`
    self_ms: Mapping[str, float]
    cumulative_ms: Mapping[str, float]
    order: tuple[str, ...]  # import tree in pre-order (the order imports started)
    parent: Mapping[str, str]  # module -> the module whose body imported it ("" at the top)
    failed: tuple[str, ...] = ()  # attempted, never loaded (ImportError caught): time given to the importer
    # loaded with no line of their own (importlib.import_module): self_ms 0, their time is inside
    # the self time of their importer, named from the static graph ("" when it does not know)
    folded: Mapping[str, str] = field(default_factory=dict)
    python_version: str = ""
    self_scale: float = 1.0  # factor applied to the per-module medians so that they add up to total_ms

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": SCHEMA, "module": self.module, "python": self.python, "python_version": self.python_version,
            "runs": self.runs, "total_ms": round(self.total_ms, 3), "self_scale": round(self.self_scale, 4),
            "self_ms": {m: round(v, 3) for m, v in self.self_ms.items()},
            "cumulative_ms": {m: round(v, 3) for m, v in self.cumulative_ms.items()},
            "order": list(self.order), "parent": dict(self.parent), "failed": list(self.failed),
            "folded": dict(sorted(self.folded.items())),
        }


@dataclass(frozen=True, slots=True)
class _Run:
    roots: tuple[ImportNode, ...]
    pre: frozenset[str]
    new: frozenset[str]
    aliases: frozenset[str]
    version: str = ""


def parse_importtime(text: str) -> tuple[ImportNode, ...]:
    """The import forest of `-X importtime` output (other stderr lines are ignored).

    Lines come in post-order: a module's line follows those of the imports its body made,
    which are indented one level (two spaces) deeper.
    """
    pending: dict[int, list[ImportNode]] = {}
    for raw in text.splitlines():
        m = _LINE.match(raw)
        if not m:
            continue
        depth = (len(m.group(3)) - 1) // 2
        children = tuple(pending.pop(depth + 1, ()))
        pending.setdefault(depth, []).append(ImportNode(m.group(4), int(m.group(1)), int(m.group(2)), children))
    # Deeper leftovers belong to a line that never came (output cut short): keep them at the top.
    return tuple(node for depth in sorted(pending) for node in pending[depth])


def _flatten(run: _Run) -> tuple[list[tuple[str, str]], dict[str, float], dict[str, float], float, set[str]]:
    """Pre-order (module, parent), self and cumulative ms of one run, its total, and failed attempts."""
    order: list[tuple[str, str]] = []
    self_ms: dict[str, float] = {}
    cum_ms: dict[str, float] = {}
    failed: set[str] = set()
    loaded = run.new

    def visit(node: ImportNode, parent: str) -> None:
        name = node.name
        if name in loaded:
            order.append((name, parent))
            self_ms[name] = self_ms.get(name, 0.0) + node.self_us / 1000
            cum_ms[name] = cum_ms.get(name, 0.0) + node.cumulative_us / 1000
            here = name
        else:
            # A failed attempt (the finders' search) is time its importer's body spent.
            failed.add(name)
            if parent:
                self_ms[parent] = self_ms.get(parent, 0.0) + node.self_us / 1000
            here = parent
        for child in node.children:
            visit(child, here)

    tops = [n for n in run.roots if n.name not in run.pre]
    for node in tops:
        visit(node, "")
    return order, self_ms, cum_ms, sum(n.cumulative_us for n in tops) / 1000, failed


def aggregate(module: str, runs: Sequence[_Run], python: str, python_version: str = "") -> Profile:
    """Medians per module over the runs; tree shape from the first run (later-only modules appended)."""
    flat = [_flatten(r) for r in runs]
    order: list[str] = []
    parent: dict[str, str] = {}
    for pairs, *_ in flat:
        for name, up in pairs:
            if name not in parent:
                parent[name] = up
                order.append(name)
    self_ms = {m: statistics.median([f[1][m] for f in flat if m in f[1]]) for m in order}
    cum_ms = {m: statistics.median([f[2][m] for f in flat if m in f[2]]) for m in order}
    total = statistics.median(f[3] for f in flat)
    # Noise is right-skewed (a busy machine stalls one module in one run, another in the next), so
    # per-module medians add up to less than the typical whole import: 15-25% less under load. The
    # cost of a set of modules is a sum, so the medians are scaled to add up to the median total.
    raw = sum(self_ms.values())
    scale = total / raw if raw > 0 and total > 0 else 1.0
    self_ms = {m: v * scale for m, v in self_ms.items()}
    lined = set(order)
    folded = sorted({m for r in runs for m in r.new - r.aliases - lined})
    self_ms.update((m, 0.0) for m in folded)
    failed = sorted(set().union(*(f[4] for f in flat)) - lined - set(folded))
    return Profile(
        module=module, python=python, runs=len(runs), total_ms=total,
        self_ms=self_ms, cumulative_ms=cum_ms, order=tuple(order), parent=parent, failed=tuple(failed),
        folded={m: "" for m in folded}, python_version=python_version, self_scale=scale,
    )


def measure(module: str, *, python: str | None = None, path: str = ".", runs: int = 5,
            timeout: float = 60.0, extra_path: Sequence[str] = ()) -> Profile:
    """Run `import module` `runs` times under `-X importtime` from folder `path` (prepended to PYTHONPATH,
    then `extra_path`, e.g. the folders Lambda layers put on sys.path).

    This executes the module's code. Raises LazyauditError when the interpreter is missing, the
    import fails (with the end of its traceback) or a run outlasts `timeout` seconds.
    """
    from lazyaudit.environment import resolve_interpreter  # the same interpreter rules as every other command

    module = module.split(":", 1)[0]
    if not _MODULE.match(module):
        raise LazyauditError(f"not a module name: {module!r} (expected dotted identifiers, e.g. pkg.handler)")
    if runs < 1:
        raise LazyauditError(f"--runs must be at least 1, not {runs}")
    folder = Path(path)
    if not folder.is_dir():
        raise LazyauditError(f"--path is not a folder: {path}")
    executable = resolve_interpreter(python)
    folder = folder.resolve()
    env = dict(os.environ)
    env.pop("PYTHONINSPECT", None)  # would leave the child waiting at a prompt
    paths = (str(folder), *(str(Path(p).resolve()) for p in extra_path), env.get("PYTHONPATH", ""))
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    argv = [executable, "-X", "importtime", "-c", _SCRIPT.format(module=module, mark=_MARK)]
    done = [_run_once(argv, folder, env, timeout, module, i + 1, runs) for i in range(runs)]
    return aggregate(module, done, executable, done[0].version)


def _run_once(argv: list[str], cwd: Path, env: dict[str, str], timeout: float, module: str,
              number: int, runs: int) -> _Run:
    posix = os.name == "posix"
    try:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, start_new_session=posix)
    except OSError as exc:
        raise LazyauditError(f"cannot run {argv[0]} ({exc.strerror or exc}); is it a Python interpreter?") from exc
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process, posix)
        raise LazyauditError(
            f"`import {module}` did not finish within {timeout:g} s (run {number} of {runs}); "
            "raise --timeout, or look for network calls made at import time"
        ) from None
    except BaseException:
        _kill(process, posix)  # Ctrl-C does not reach a child in its own session
        raise
    stderr = err.decode("utf-8", "replace")
    stdout = out.decode("utf-8", "replace")
    if process.returncode != 0 or _MARK not in stdout:
        rest = [line for line in stderr.splitlines()
                if line.strip() and not _LINE.match(line) and not line.startswith("import time: self")]
        detail = "\n".join("    " + line for line in rest[-8:]) or "    (no message)"
        raise LazyauditError(
            f"`import {module}` failed in {argv[0]} (exit {process.returncode}, run {number} of {runs}), "
            f"run from {cwd}:\n{detail}"
        )
    tail = stdout.rsplit(_MARK, 1)[1].splitlines()
    sets = {line.split(" ", 1)[0]: frozenset(line.split()[1:]) for line in tail if line.strip()}
    return _Run(parse_importtime(stderr), sets.get("pre", frozenset()), sets.get("new", frozenset()),
                sets.get("alias", frozenset()), " ".join(sets.get("version", ())))


def _kill(process: subprocess.Popen[bytes], posix: bool) -> None:
    import signal

    try:
        if posix:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except OSError:
        pass  # already gone
    process.communicate()


def attribute_folded(profile: Profile, importers: Mapping[str, str]) -> Profile:
    """Name the importer of each folded module (from the static graph: module -> importing module)."""
    if not profile.folded:
        return profile
    folded = {m: importers.get(m, "") for m in profile.folded}
    return replace(profile, folded=folded)


def save_profile(profile: Profile, path: str) -> None:
    from lazyaudit.fileio import write_text_atomic

    write_text_atomic(path, json.dumps(profile.as_dict(), indent=1) + "\n")


def load_profile(path: str) -> dict[str, Any]:
    """A saved profile (`profile --save`); a folder of them is merged (per-module median of self times).

    Raises LazyauditError when the file is missing, not JSON, or not a lazyaudit profile.
    """
    target = Path(path)
    if target.is_dir():
        files = sorted(target.glob("*.json"))
        if not files:
            raise LazyauditError(f"no saved profiles (*.json) in {path}")
        return merge_profiles([_load_one(f) for f in files])
    return _load_one(target)


def _load_one(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LazyauditError(
            f"profile file not found: {path} (create it with `lazyaudit profile MODULE --save FILE`)"
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise LazyauditError(f"cannot read profile {path}: {exc}") from exc
    if not isinstance(data, dict) or data.get("version") != SCHEMA or not isinstance(data.get("self_ms"), dict):
        raise LazyauditError(f"{path} is not a lazyaudit profile (version {SCHEMA}, from `lazyaudit profile --save`)")
    bad = [m for m, v in data["self_ms"].items() if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0]
    if bad:
        raise LazyauditError(f"{path}: self_ms of {bad[0]} is not a number of milliseconds")
    return data


def merge_profiles(profiles: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One profile from several (one per entry point): a module's self time is the median of its measures."""
    # Cumulative times are not merged: they depend on what the run had already imported.
    values: dict[str, list[float]] = {}
    for p in profiles:
        for m, v in p.get("self_ms", {}).items():
            values.setdefault(m, []).append(float(v))
    return {
        "version": SCHEMA, "module": ",".join(str(p.get("module", "")) for p in profiles),
        "python": next((p.get("python") for p in profiles if p.get("python")), ""),
        "runs": min(int(p.get("runs", 0)) for p in profiles),
        "self_ms": {m: statistics.median(v) for m, v in values.items()},
        "folded": {m: up for p in profiles for m, up in (p.get("folded") or {}).items()},
        "merged": len(profiles),
    }


def static_importers(module: str, path: str, python: str | None, modules: Sequence[str], *,
                     cache: bool = True) -> dict[str, str]:
    """Importer of each of `modules` in the static closure of `module` (the project at `path`).

    `-X importtime` gives no line to a module loaded by importlib.import_module: its time lands in
    the self time of whatever module body was running, and the static graph names that importer.
    """
    from lazyaudit.analysis import load_project

    try:
        project = load_project(path, python, entries=[], cache=cache)
    except LazyauditError:
        return {}  # not an analysable project: the profile stays valid, the importers unnamed
    loaded = project.resolver().closure([module])
    wanted = set(modules)
    return {m: edge.source for m, edge in loaded.items() if m in wanted and edge is not None}

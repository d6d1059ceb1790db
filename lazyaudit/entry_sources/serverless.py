"""Serverless Framework (serverless.yml): Python functions' handlers as entries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lazyaudit.cfn_yaml import key_line, load_yaml
from lazyaudit.entry_sources import (
    has_non_python_handler,
    join_rel,
    module_file,
    note,
    parse_handler,
    problem,
    rel_path,
)
from lazyaudit.model import Entry, Finding

SERVERLESS_NAMES = ("serverless.yml", "serverless.yaml")


def find_serverless(root: Path) -> list[Path]:
    return [root / name for name in SERVERLESS_NAMES if (root / name).is_file()]


def serverless_entries(path: Path, root: Path) -> tuple[list[Entry], list[Finding]]:
    """One entry per Python function of a serverless.yml; `${...}` variables are not resolved."""
    rel = rel_path(path, root)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [problem(f"cannot read {rel}: {exc.strerror or exc}", rel)]
    data, finding = load_yaml(raw, rel)
    if finding is not None:
        return [], [finding]
    provider = data.get("provider")
    provider = provider if isinstance(provider, dict) else {}
    package = data.get("package")
    individually = isinstance(package, dict) and package.get("individually") is True
    functions = data.get("functions")
    entries: list[Entry] = []
    findings: list[Finding] = []
    if isinstance(functions, str):
        findings.append(note(f"{rel}: functions come from {functions!r}, which lazyaudit does not follow; "
                             "pass --entry module:function", rel, key_line(data, "functions")))
        return entries, findings
    if not isinstance(functions, dict):
        if functions is not None:
            findings.append(problem(f"{rel}: functions is {type(functions).__name__}, expected a mapping of "
                                    "function names: no functions read", rel, key_line(data, "functions")))
        return entries, findings
    for name, spec in functions.items():
        if not isinstance(spec, dict):
            continue
        line = key_line(functions, name)
        runtime = spec.get("runtime", provider.get("runtime"))
        memory = spec.get("memorySize", provider.get("memorySize"))
        memory_mb = int(memory) if isinstance(memory, (int, str)) and str(memory).isdigit() else 0
        fn_package = spec.get("package")
        separate = individually or (isinstance(fn_package, dict) and fn_package.get("individually") is True)
        module_dir = spec.get("module")
        # serverless-python-requirements packages a function's `module` folder as the ZIP root
        rel_root = join_rel("", module_dir) if separate and isinstance(module_dir, str) else ""
        package_type = "Zip"
        handler: Any = spec.get("handler")
        at = key_line(spec, "handler", line)
        image = spec.get("image")
        if image is not None and handler is None:
            package_type = "Image"
            command = image.get("command") if isinstance(image, dict) else None
            if not (isinstance(command, list) and command and isinstance(command[0], str)):
                findings.append(note(f"{rel}: image function {name} takes its handler from the image's CMD; "
                                     "pass --entry module:function", rel, line, str(name)))
                continue
            handler, at = command[0], key_line(image, "command", line)
        elif handler is None:
            findings.append(problem(f"{rel}: function {name} has no handler", rel, line, str(name)))
            continue
        if isinstance(runtime, str) and not runtime.startswith("${") and not runtime.startswith("python"):
            continue  # another language
        parsed = parse_handler(handler)
        if isinstance(parsed, str):
            findings.append(problem(f"{rel}: handler of function {name} {parsed} (expected module.function, "
                                    "e.g. handler.hello)", rel, at, str(name)))
            continue
        module, attr = parsed
        if runtime is None and module_file(root, rel_root, module) is None:
            continue  # the framework's default runtime is Node.js: only a Python file makes it ours
        unknown = not isinstance(runtime, str) or runtime.startswith("${")
        if unknown and has_non_python_handler(root, rel_root, module):
            continue
        entries.append(Entry(module, attr, rel, str(name), rel_root, package_type, memory_mb, rel, line))
    return entries, findings

"""Property tests: rewritten code still parses and resolves, a second run changes nothing, and a lazy
package looks the same from outside (`dir()`, `import *`, every exported value)."""

from __future__ import annotations

import json
import subprocess
import sys

import libcst as cst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from libcst.metadata import MetadataWrapper, ScopeProvider

from lazyaudit.codemods.defer import defer_import
from lazyaudit.codemods.lazy_init import lazy_init
from lazyaudit.codemods.result import FixRequest
from lazyaudit.codemods.safety import ProjectFacts
from lazyaudit.codemods.type_only import type_only

NAMES = ["alpha", "beta", "gamma", "delta"]
CONTEXTS = ["function", "method", "module", "class_body", "decorator", "default", "annotation", "nested", "unused"]


@st.composite
def modules(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A module importing a few names, each read from a random set of places."""
    future = draw(st.booleans())
    lines = ["from __future__ import annotations"] if future else []
    subjects = []
    bodies: list[str] = []
    for i, name in enumerate(draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True))):
        style = draw(st.sampled_from(["import", "import_as", "from", "from_as"]))
        module = f"pkg{i}.mod"
        lines.append({"import": f"import {name}", "import_as": f"import {module} as {name}",
                      "from": f"from {module} import {name}", "from_as": f"from {module} import thing as {name}"}[style])
        subjects.append(name if style == "import" else module)
        for where in draw(st.lists(st.sampled_from(CONTEXTS), min_size=1, max_size=3)):
            bodies.append(_use(name, where, len(bodies)))
    return "\n".join(lines) + "\n\n\n" + "\n\n\n".join(bodies) + "\n", subjects


def _use(name: str, where: str, n: int) -> str:
    return {
        "function": f"def f{n}(v):\n    \"\"\"Doc.\"\"\"\n    return {name}.run(v)",
        "method": f"class K{n}:\n    def m(self):\n        return {name}",
        "module": f"X{n} = {name}.value",
        "class_body": f"class C{n}:\n    attr = {name}",
        "decorator": f"@{name}.wrap\ndef d{n}():\n    pass",
        "default": f"def g{n}(a={name}):\n    return a",
        "annotation": f"def h{n}(a: {name}) -> None:\n    return None",
        "nested": f"def o{n}():\n    def i():\n        return {name}()\n    return i",
        "unused": f"def u{n}():\n    pass",
    }[where]


def _unresolved(code: str) -> set[str]:
    wrapper = MetadataWrapper(cst.parse_module(code))
    missing = set()
    for scope in set(wrapper.resolve(ScopeProvider).values()):
        if scope is None:
            continue
        for access in scope.accesses:
            name = access.node.value if isinstance(access.node, cst.Name) else ""
            if name in NAMES and not access.referents:
                missing.add(name)
    return missing


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modules())
def test_rewritten_modules_parse_resolve_and_are_stable(case: tuple[str, list[str]]) -> None:
    source, subjects = case
    compile(source, "<original>", "exec")
    facts = ProjectFacts()
    codemods = [type_only, defer_import]  # the runner's order: a future import LA104 adds can free LA101
    module = cst.parse_module(source)
    for codemod in codemods:
        for subject in subjects:
            code = "LA104" if codemod is type_only else "LA101"
            module, outcomes = codemod(module, FixRequest(code, "m.py", "m", False, subject, 1), facts)
            assert all(o.status.value != "failed" for o in outcomes), outcomes
    result = module.code
    compile(result, "<rewritten>", "exec")
    assert _unresolved(result) <= _unresolved(source)
    again = cst.parse_module(result)
    for codemod in codemods:
        for subject in subjects:
            code = "LA104" if codemod is type_only else "LA101"
            again, outcomes = codemod(again, FixRequest(code, "m.py", "m", False, subject, 1), facts)
            assert "applied" not in [o.status.value for o in outcomes]
    assert again.code == result


@st.composite
def packages(draw: st.DrawFn) -> dict[str, str]:
    files: dict[str, str] = {}
    init = ['"""A generated package."""']
    exported: list[str] = []
    for i in range(draw(st.integers(1, 3))):
        sub = f"sub{i}"
        names = [f"{sub}_{k}" for k in range(draw(st.integers(1, 3)))]
        if draw(st.booleans()):
            names.append(sub)  # a function named like its submodule
        files[f"{sub}.py"] = "".join(f"def {n}():\n    return {n!r}\n" for n in names) + "CONSTANT = 1\n"
        picked = draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
        init.append(f"from .{sub} import {', '.join(picked)}")
        exported += picked
    if draw(st.booleans()):
        init.append(f"FIRST = {exported[0]}()")  # used by the package itself at import
    if draw(st.booleans()):  # without __all__, `import *` takes every public global
        listed = draw(st.lists(st.sampled_from(exported), min_size=1, unique=True))
        init.append(f"__all__ = {sorted(listed)!r}")
    files["__init__.py"] = "\n".join(init) + "\n"
    return files


PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
out = {}
for pkg in ("original", "rewritten"):
    mod = __import__(pkg)
    listing = [n for n in dir(mod)]
    ns = {}
    exec(f"from {pkg} import *", ns)
    public = sorted(k for k in ns if k != "__builtins__")
    show = lambda v: str(getattr(v, "__name__", repr(v))).replace(pkg + ".", "")
    values = {n: show(getattr(mod, n)) for n in public}
    again = {n: show(getattr(mod, n)) for n in public}
    out[pkg] = {"dir": listing, "star": public, "values": values, "again": again}
print(json.dumps(out))
"""


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(packages())
def test_a_lazy_package_looks_the_same_from_outside(tmp_path_factory, files: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("pkgs")
    for name in ("original", "rewritten"):
        (root / name).mkdir()
        for rel, text in files.items():
            (root / name / rel).write_text(text, encoding="utf-8")
    init = root / "rewritten" / "__init__.py"
    req = FixRequest("LA102", "rewritten/__init__.py", "rewritten", True, "rewritten", 1)
    modules = {f"rewritten.{n[:-3]}" for n in files if n != "__init__.py"} | {"rewritten"}
    new, outcomes = lazy_init(cst.parse_module(init.read_bytes()), req, ProjectFacts(modules=frozenset(modules)))
    assert all(o.status.value != "failed" for o in outcomes), outcomes
    init.write_bytes(new.bytes)
    out = subprocess.run([sys.executable, "-c", PROBE, str(root)], capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout)
    assert seen["rewritten"]["dir"] == seen["original"]["dir"]
    assert seen["rewritten"]["star"] == seen["original"]["star"]
    assert seen["rewritten"]["values"] == seen["original"]["values"] == seen["rewritten"]["again"]

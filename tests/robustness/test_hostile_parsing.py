"""The parser and the codemods on hostile and generated sources: deep nesting, huge and binary files never
raise or exhaust memory, and generated modules round-trip through parsing and fix without surprises."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from _robust import ROOT, write
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from lazyaudit.codemods.result import FixRequest, Status
from lazyaudit.codemods.runner import fix_source
from lazyaudit.codemods.safety import ProjectFacts
from lazyaudit.model import ImportKind, ParsedModule
from lazyaudit.parsing import MAX_FULL_BYTES, MAX_SOURCE_BYTES, parse_file, parse_source

DEEP = {  # a shape nested 3,000 times; none of them may crash the process or raise
    "parens": "x = " + "(" * 3000 + "1" + ")" * 3000 + "\n",
    "lists": "x = " + "[" * 3000 + "]" * 3000 + "\n",
    "calls": "x = f" + "(" * 3000 + ")" * 3000 + "\n",
    "ifs": "".join(" " * i + "if x:\n" for i in range(3000)) + " " * 3000 + "pass\n",
    "not": "x = " + "not " * 3000 + "1\n",
    "unary": "x = " + "-" * 3000 + "1\n",
    "lambdas": "f = " + "lambda: " * 3000 + "1\n",
    "ternary": "x = " + "1 if y else " * 3000 + "2\n",
    "attributes": "x = a" + ".b" * 20000 + "\n",
    "binop": "x = " + "+".join(["a"] * 50000) + "\n",
}


@pytest.mark.parametrize("shape", sorted(DEEP))
@pytest.mark.parametrize("full", [True, False])
def test_deep_nesting_is_an_error_not_a_crash(shape: str, full: bool) -> None:
    parsed = parse_source(DEEP[shape].encode(), "deep", "/x/deep.py", False, full=full)
    try:
        compile(DEEP[shape], "deep", "exec")
    except (SyntaxError, RecursionError, MemoryError):
        assert "too deeply nested" in parsed.error or "syntax error" in parsed.error
    else:  # CPython compiles it: so must we
        assert parsed.error == ""


def test_valid_nesting_just_under_cpython_limits_is_parsed() -> None:
    source = "".join(" " * i + "if x:\n" for i in range(95)) + " " * 95 + "import pkg.inner\n"
    source += "y = " + "(" * 190 + "1" + ")" * 190 + "\n"
    parsed = parse_source(source.encode(), "m", "/x/m.py", False, full=True)
    assert parsed.error == ""
    assert [(r.target, r.kind) for r in parsed.imports] == [("pkg.inner", ImportKind.CONDITIONAL)]


def test_a_module_over_the_size_limit_is_not_parsed() -> None:
    source = b"import os\n" + b"x = 1\n" * (MAX_SOURCE_BYTES // 6 + 1)
    parsed = parse_source(source, "big", "/x/big.py", False, full=True)
    assert "too large to parse" in parsed.error and parsed.imports == ()


def test_a_first_party_module_over_the_full_parse_limit_gets_the_fast_scanner() -> None:
    body = "".join(f"ROW_{i} = {'v' * 90!r}\n" for i in range(MAX_FULL_BYTES // 100 + 10))
    source = f"import os\n\n\ndef f():\n    import json\n    return os, json\n\n{body}".encode()
    assert len(source) > MAX_FULL_BYTES
    parsed = parse_source(source, "big", "/x/big.py", False, full=True)
    assert parsed.error == "" and parsed.uses == ()  # no name uses: the rules that need them stay silent
    assert [(r.target, r.kind) for r in parsed.imports] == [("os", ImportKind.EAGER), ("json", ImportKind.DEFERRED)]
    fix = fix_source(source, [FixRequest("LA101", "big.py", "big", False, "os", 1, ("os",))], ProjectFacts())
    assert fix.after == source and [o.status for o in fix.outcomes] == [Status.SKIPPED]


def test_parse_file_refuses_pipes_and_devices(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    os.symlink("/dev/zero", tmp_path / "zero.py")
    for name in ("pipe.py", "zero.py"):  # reading either would block or never end
        assert parse_file(str(tmp_path / name), name[:-3], False).error == "cannot read: not a regular file"


def test_a_10_mb_project_stays_within_memory(tmp_path: Path) -> None:
    """The 10 MB module costs libcst ~10 GB (measured): it must be refused, and a 1.2 MB one fast-scanned."""
    root = tmp_path / "project"
    dense = "".join(f"def f{i}(a, b=1):\n    return str(a) + 'y{i}' + str(b)\n\n" for i in range(130_000))
    write(root, "huge.py", "import os\n" + dense * (10 * 1024 * 1024 // len(dense) + 1))
    write(root, "mid.py", "import json\n" + dense[: 1_200_000])
    write(root, "app.py", "import mid\n")
    probe = textwrap.dedent("""
        import resource, subprocess, sys
        done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
        print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
        print(done.stdout)
    """)
    argv = [sys.executable, "-c", probe, sys.executable, "-m", "lazyaudit", "audit", str(root), "--no-cache",
            "--format", "json"]
    out = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, check=True, timeout=900,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    code, peak_mb = (int(v) for v in out.split("\n", 1)[0].split())
    assert code == 1 and '"too large to parse' in out and "mid.py" not in out.split('"path"', 1)[0]
    assert peak_mb < 1500, f"peak RSS {peak_mb} MB"


# --- generated modules: parsing and fix round trips -------------------------------------------------------

NAMES = ["alpha", "beta", "heavy", "pkg", "np", "Base"]  # names the imports below bind, and a few they do not
TARGETS = ["heavy", "heavy.sub", "pkg.mod", "numpy", "typing"]
# weights: mostly imports and functions, so that rewrites often apply
KINDS = ["import"] * 4 + ["from"] * 3 + ["def"] * 6 + ["use", "assign", "class", "if", "try", "tc", "all", "main"]


@st.composite
def statements(draw: st.DrawFn, depth: int = 0) -> list[str]:
    kind = draw(st.sampled_from(KINDS if depth < 2 else KINDS[:13]))
    name, target = draw(st.sampled_from(NAMES)), draw(st.sampled_from(TARGETS))
    inner = (lambda: [f"    {line}" for s in draw(st.lists(statements(depth + 1), min_size=1, max_size=3))
                      for line in s])
    if kind == "import":
        alias = draw(st.sampled_from(["", " as np", f" as {name}"]))
        return [f"import {target}{alias}"]
    if kind == "from":
        return [f"from {target} import {name}" + draw(st.sampled_from(["", " as Base"]))]
    if kind == "use":
        return [draw(st.sampled_from([f"{name}.run()", f"print({name})", f"X = {name}"]))]
    if kind == "assign":
        return [f"{name} = {draw(st.integers(0, 9))}"]
    if kind == "def":
        decorator = draw(st.sampled_from([""] * 4 + [f"@{name}.wrap"]))
        params = draw(st.sampled_from(["a", f"a: {name}", "a, b=1", f"a, b={name}", f"a: '{name}'"]))
        returns = draw(st.sampled_from(["", "", f" -> {name}"]))
        body = draw(st.sampled_from([f"return {name}", f"return {name}.run(a)", f"x: {name} = a\n    return x",
                                     f"global {name}\n    {name} = a", "pass"]))
        head = f"def f{draw(st.integers(0, 99))}({params}){returns}:"
        return [*([decorator] if decorator else []), head, *(f"    {b.strip()}" for b in body.split("\n"))]
    if kind == "class":
        return [f"class C{draw(st.integers(0, 99))}({name}):", f"    attr: {name} = None", "    def m(self):",
                f"        return {name}"]
    if kind == "if":
        return [f"if {name}:", *inner()]
    if kind == "try":
        return ["try:", *inner(), f"except {draw(st.sampled_from(['ImportError', 'Exception']))}:",
                f"    {name} = None"]
    if kind == "tc":
        return ["if TYPE_CHECKING:", *inner()]
    if kind == "all":
        return [f"__all__ = {sorted(draw(st.lists(st.sampled_from(NAMES), max_size=3, unique=True)))!r}"]
    return ["if __name__ == '__main__':", *inner()]


@st.composite
def modules(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from(["", "from __future__ import annotations\n", '"""Doc."""\n']))
    body = [line for s in draw(st.lists(statements(), min_size=1, max_size=7)) for line in s]
    source = head + "from typing import TYPE_CHECKING\n" + "\n".join(body) + "\n"
    try:
        compile(source, "<generated>", "exec", dont_inherit=True)
    except SyntaxError:
        assume(False)
    return source


def _requests(parsed: ParsedModule, rel: str) -> list[FixRequest]:
    """What the checks could ask for: every module-level import, as LA101 and LA104 (and LA102 for a package)."""
    reqs = [FixRequest("LA102", rel, parsed.name, True, parsed.name, 1)] if parsed.is_package else []
    for rec in parsed.imports:
        if rec.scope:
            continue
        names = tuple(local for local, _ in rec.bindings)
        reqs += [FixRequest(code, rel, parsed.name, parsed.is_package, rec.target, rec.line, names)
                 for code in ("LA101", "LA104")]
    return reqs


def _fix(source: bytes, is_package: bool, pep810: bool) -> tuple[bytes, ParsedModule]:
    rel = "pkg/__init__.py" if is_package else "pkg/mod.py"
    name = "pkg" if is_package else "pkg.mod"
    parsed = parse_source(source, name, f"/x/{rel}", is_package, full=True)
    assert parsed.error == "", parsed.error
    facts = ProjectFacts.from_parsed([parsed])
    fix = fix_source(source, _requests(parsed, rel), facts, pep810=pep810, rel=rel)
    assert fix.before == source
    return fix.after, parsed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(modules(), st.booleans())
@example("from typing import TYPE_CHECKING\nimport heavy\ndef f0(a: heavy, b=1) -> heavy:\n    return heavy\n", False)
def test_generated_modules_parse_and_fix_to_a_fixpoint(source: str, is_package: bool) -> None:
    data = source.encode()
    parsed = parse_source(data, "pkg.mod", "/x/pkg/mod.py", False, full=True)
    assert parsed.error == "" and parsed == parse_source(data, "pkg.mod", "/x/pkg/mod.py", False, full=True)
    assert all(1 <= r.line <= parsed.line_count for r in parsed.imports)
    once, _ = _fix(data, is_package, pep810=False)
    compile(once, "<fixed>", "exec", dont_inherit=True)  # a rewrite that would not compile is discarded
    twice, _ = _fix(once, is_package, pep810=False)
    assert twice == once


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(modules())
def test_pep810_rewrites_parse_and_are_idempotent(source: str) -> None:
    once, _ = _fix(source.encode(), False, pep810=True)
    twice, _ = _fix(once, False, pep810=True)
    assert twice == once


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(modules(), st.data())
def test_damaged_modules_never_raise_and_are_never_rewritten(source: str, data: st.DataObject) -> None:
    raw = bytearray(source.encode())
    cut = data.draw(st.integers(0, len(raw)))
    damage = data.draw(st.sampled_from([b"\x00", b"\xff\xfe", b"(", b"\n    ", b"'''", b"\\", b"\xe9"]))
    broken = bytes(raw[:cut] + damage + raw[cut:])
    for full in (True, False):
        parsed = parse_source(broken, "pkg.mod", "/x/pkg/mod.py", False, full=full)
        assert isinstance(parsed.error, str)
    parsed = parse_source(broken, "pkg.mod", "/x/pkg/mod.py", False, full=True)
    reqs = [FixRequest("LA101", "pkg/mod.py", "pkg.mod", False, t, 1) for t in TARGETS]
    fix = fix_source(broken, reqs, ProjectFacts(), rel="pkg/mod.py")
    try:
        compile(broken, "<damaged>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        assert fix.after == broken  # never touched (libcst may read what CPython rejects: still untouched)
        return
    compile(fix.after, "<fixed>", "exec", dont_inherit=True)

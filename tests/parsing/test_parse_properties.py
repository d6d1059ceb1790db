"""Property tests: generated import modules are read identically by both parsers, and nothing raises."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lazyaudit.parsing import parse_source

NAMES = st.sampled_from(["os", "json", "a", "pkg", "np", "lazy", "x1", "_m"])
DOTTED = st.lists(NAMES, min_size=1, max_size=3).map(".".join)
ALIAS = st.one_of(st.just(""), NAMES.map(lambda n: f" as {n}"))


@st.composite
def statement(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["import", "from", "relative", "star", "dynamic", "lazy", "call"]))
    if kind == "import":
        return f"import {draw(DOTTED)}{draw(ALIAS)}"
    if kind == "from":
        return f"from {draw(DOTTED)} import {draw(NAMES)}{draw(ALIAS)}"
    if kind == "relative":
        return f"from {'.' * draw(st.integers(1, 4))}{draw(st.one_of(st.just(''), DOTTED))} import {draw(NAMES)}"
    if kind == "star":
        return f"from {draw(DOTTED)} import *"
    if kind == "dynamic":
        return f"mod = importlib.import_module({draw(DOTTED)!r})"
    if kind == "lazy":
        return f"lazy import {draw(DOTTED)}"
    return f"{draw(DOTTED)}({draw(DOTTED)!r}, key={draw(NAMES)!r})"


def indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


@st.composite
def block(draw: st.DrawFn, depth: int = 0) -> list[str]:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        wrapper = draw(st.sampled_from(["plain", "if", "tc", "main", "try", "def", "class"] if depth < 2 else ["plain"]))
        if wrapper == "plain":
            lines.append(draw(statement()))
            continue
        inner = indent(draw(block(depth + 1)))
        inner = [line for line in inner if "lazy import" not in line]  # only valid at module level
        inner = inner or ["    pass"]
        if wrapper == "if":
            lines += ["if sys.version_info >= (3, 11):", *inner, "else:", *inner]
        elif wrapper == "tc":
            lines += ["if TYPE_CHECKING:", *inner]
        elif wrapper == "main":
            lines += ["if __name__ == '__main__':", *inner]
        elif wrapper == "try":
            lines += ["try:", *inner, f"except {draw(st.sampled_from(['ImportError', 'KeyError', 'Exception']))}:",
                      *inner, "else:", *inner]
        elif wrapper == "def":
            lines += [f"def {draw(NAMES)}(x={draw(DOTTED)}()):", *inner]
        else:
            lines += [f"class {draw(NAMES).upper()}({draw(DOTTED)}):", *inner]
    return lines


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(block())
def test_generated_modules_agree(both, lines):
    source = "\n".join(["import importlib", *lines, ""]).encode()
    module = both(source, "pkg.sub.mod", False)
    assert module.error == ""
    assert len(module.imports) >= sum(1 for line in lines if "import " in line and "import_module" not in line)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_arbitrary_bytes_never_raise(source):
    for full in (False, True):
        module = parse_source(source, "m", "m.py", False, full=full)
        assert module.source_bytes == len(source)
        assert not module.error.startswith("internal parser error"), module.error

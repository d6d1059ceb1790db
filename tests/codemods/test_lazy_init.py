"""LA102 fix (lazy __init__): eager re-exports become PEP 562 __getattr__/__dir__, behaviour kept."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from codemod_cases import dedent, facts, reasons, run

from lazyaudit.codemods.lazy_init import lazy_init
from lazyaudit.codemods.result import FixRequest
from lazyaudit.model import ImportKind
from lazyaudit.parsing import parse_source

BEFORE = """
\"\"\"A package.\"\"\"

from .heavy import Model
__all__ = ["Model"]
"""

AFTER = '''
"""A package."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .heavy import Model

__all__ = ["Model"]

# Lazy re-exports (PEP 562), written by `lazyaudit fix`: name -> (module, attribute), "" = the module itself.
_LAZY_EXPORTS = {
    "Model": (".heavy", "Model"),
    "heavy": (".heavy", ""),
}


def __getattr__(name: str) -> object:
    try:
        module_name, _ = _LAZY_EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    import importlib
    import sys

    namespace = sys.modules[__name__].__dict__  # not globals(): a submodule may be called "globals"
    module = importlib.import_module(module_name, __name__)
    # Cache every name this module provides: later reads skip __getattr__, and a submodule named
    # like one of its functions (which the import system just set as an attribute of this package)
    # cannot stand in for the function.
    for key, (source, attribute) in _LAZY_EXPORTS.items():
        if source == module_name:
            namespace[key] = getattr(module, attribute) if attribute else module
    return namespace[name]


def __dir__() -> list[str]:
    import sys

    added = {"TYPE_CHECKING", "_LAZY_EXPORTS", "__dir__", "__getattr__"}  # by lazyaudit fix
    return sorted((set(sys.modules[__name__].__dict__) - added) | set(_LAZY_EXPORTS))
'''

PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import pkg
loaded = sorted(m for m in sys.modules if m.startswith("pkg."))
listing = dir(pkg)
ns = {}
exec("from pkg import *", ns)
star = sorted(k for k in ns if k != "__builtins__")
values = {}
for name in sys.argv[2].split(","):
    if name:
        first = getattr(pkg, name)
        second = getattr(pkg, name)
        values[name] = [type(first).__name__, type(second).__name__, getattr(first, "__name__", repr(first))]
print(json.dumps({"loaded": loaded, "dir": listing, "star": star, "values": values}))
"""


def make_package(root: Path, files: dict[str, str]) -> Path:
    pkg = root / "pkg"
    pkg.mkdir(parents=True)
    for name, text in files.items():
        (pkg / name).write_text(dedent(text), encoding="utf-8")
    return root


def probe(root: Path, names: str = "") -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, str(root), names], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def rewrite(root: Path, project: dict[str, str], **data: object) -> list:
    init = root / "pkg" / "__init__.py"
    modules = {f"pkg.{n.removesuffix('.py')}": t for n, t in project.items() if n != "__init__.py"}
    modules["pkg.__init__"] = project["__init__.py"]
    req = FixRequest("LA102", "pkg/__init__.py", "pkg", True, "pkg", 1, (), dict(data))
    new, outcomes = lazy_init(cst.parse_module(init.read_bytes()), req, facts(modules))
    init.write_bytes(new.bytes)
    return outcomes


def test_before_after() -> None:
    project = facts({"pkg.__init__": BEFORE, "pkg.heavy": "class Model: ...\n"})
    code, outcomes = run("LA102", BEFORE, "pkg", module="pkg", package=True, project=project)
    assert code == dedent(AFTER)
    assert reasons(outcomes) == ["applied"]


def test_idempotent() -> None:
    project = facts({"pkg.__init__": BEFORE, "pkg.heavy": "class Model: ...\n"})
    once, _ = run("LA102", BEFORE, "pkg", module="pkg", package=True, project=project)
    twice, outcomes = run("LA102", once, "pkg", module="pkg", package=True, project=project)
    assert twice == once
    assert reasons(outcomes) == ["not-found"]


def test_the_eager_chain_is_gone_for_the_parser() -> None:
    """LA102 and the closure read the rewritten __init__: no eager import of the submodule, a
    PEP 562 map that says where each name comes from."""
    project = facts({"pkg.__init__": BEFORE, "pkg.heavy": "class Model: ...\n"})
    code, _ = run("LA102", BEFORE, "pkg", module="pkg", package=True, project=project)
    parsed = parse_source(code.encode(), "pkg", "/project/pkg/__init__.py", True)
    assert not [r for r in parsed.imports if r.kind is ImportKind.EAGER and r.target.startswith("pkg.")]
    assert parsed.has_getattr
    assert ("Model", "pkg.heavy") in parsed.getattr_map


PACKAGE = {
    "__init__.py": '''
        """Re-exports."""
        from .models import Model, make
        from .foo import foo, bar
        from . import extras
        __all__ = ["Model", "make", "foo", "bar", "extras"]
        ''',
    "models.py": "import json\nclass Model:\n    pass\ndef make():\n    return Model()\n",
    "foo.py": "def foo():\n    return 'foo'\ndef bar():\n    return 'bar'\n",
    "extras.py": "VALUE = 1\n",
}


def test_behaviour_is_kept_and_submodules_load_on_first_access(tmp_path: Path) -> None:
    original = probe(make_package(tmp_path / "a", PACKAGE), "Model,make,extras")
    root = make_package(tmp_path / "b", PACKAGE)
    outcomes = rewrite(root, PACKAGE, submodules=[])
    assert reasons(outcomes) == ["applied"]
    lazy = probe(root, "Model,make,extras")
    assert original["loaded"] == ["pkg.extras", "pkg.foo", "pkg.models"]
    assert lazy["loaded"] == []
    assert lazy["dir"] == original["dir"]
    assert lazy["star"] == original["star"]
    assert lazy["values"] == original["values"]


@pytest.mark.parametrize("order", ["foo", "bar,foo"])
def test_a_function_named_like_its_submodule_is_never_the_module(tmp_path: Path, order: str) -> None:
    root = make_package(tmp_path, PACKAGE)
    rewrite(root, PACKAGE)
    values = probe(root, order)["values"]
    assert values["foo"] == ["function", "function", "foo"]


SKIPS = {
    "used at import": ('from .a import A\nX = A()\n__all__ = ["A", "X"]\n', "used-by-package"),
    "used in a function of the package": ('from .a import A\ndef f():\n    return A\n__all__ = ["A", "f"]\n',
                                          "used-by-package"),
    "no __all__, a name bound conditionally": ("from .a import A\nif X:\n    B = 1\n", "star"),
    "no __all__, a star re-export": ("from .a import A\nfrom .b import *\n", "star"),
    "star export": ('from .a import *\n__all__ = ["A"]\n', "star"),
    "existing __getattr__": ('from .a import A\n__all__ = ["A"]\ndef __getattr__(name):\n    raise AttributeError\n',
                             "has-getattr"),
    "rebound": ('from .a import A\nif X:\n    A = None\n__all__ = ["A"]\n', "rebound"),
}


@pytest.mark.parametrize("case", sorted(SKIPS))
def test_unsafe_cases_stay_eager(case: str) -> None:
    source, reason = SKIPS[case]
    project = facts({"pkg.__init__": source, "pkg.a": "class A: ...\n"})
    code, outcomes = run("LA102", source, "pkg", module="pkg", package=True, project=project)
    assert code == source
    assert reason in reasons(outcomes)


def test_submodule_imported_elsewhere_keeps_its_homonym_eager() -> None:
    source = 'from .foo import foo\nfrom .bar import Bar\n__all__ = ["foo", "Bar"]\n'
    project = facts({"pkg.__init__": source, "pkg.foo": "def foo(): ...\n", "pkg.bar": "class Bar: ...\n",
                     "app": "import pkg.foo\n"})
    code, outcomes = run("LA102", source, "pkg", module="pkg", package=True, project=project)
    assert code.startswith("from .foo import foo\n")
    assert reasons(outcomes) == ["applied", "shadows-submodule"]
    assert "from .bar import Bar" in code.split("if TYPE_CHECKING:")[1]


def test_registering_submodule_stays_eager() -> None:
    source = 'from .steps import echo\nfrom .models import Model\n__all__ = ["echo", "Model"]\n'
    project = facts({"pkg.__init__": source, "pkg.models": "class Model: ...\n",
                     "pkg.steps": "from registry import register\ndef echo(p):\n    return p\nregister('echo', echo)\n"})
    code, outcomes = run("LA102", source, "pkg", module="pkg", package=True, project=project)
    assert code.startswith("from .steps import echo\n")
    assert reasons(outcomes) == ["applied", "side-effect"]


def test_only_the_submodules_the_finding_names() -> None:
    source = 'from .light import a\nfrom .heavy import B\n__all__ = ["a", "B"]\n'
    project = facts({"pkg.__init__": source, "pkg.light": "a = 1\n", "pkg.heavy": "class B: ...\n"})
    code, _ = run("LA102", source, "pkg", module="pkg", package=True, project=project,
                  data={"submodules": ["pkg.heavy"]})
    assert code.startswith("from .light import a\n")
    assert '"B": (".heavy", "B")' in code


WITHOUT_ALL = {
    "__init__.py": '"""No __all__: `import *` takes every public global."""\nfrom .core import Command, main\n'
                   "from ._compat import WIN\n__version__ = '1.0'\n",
    "core.py": "from . import types\nclass Command:\n    pass\ndef main():\n    return types.STRING\n",
    "types.py": "STRING = 'string'\n",
    "_compat.py": "WIN = False\n",
}


def test_without_all_the_star_names_are_written_down(tmp_path: Path) -> None:
    """`from pkg import *` without __all__ takes the public globals, submodules the import loaded
    included; the rewrite lists exactly those in a generated __all__ (hidden from dir())."""
    original = probe(make_package(tmp_path / "a", WITHOUT_ALL), "Command,main,types")
    root = make_package(tmp_path / "b", WITHOUT_ALL)
    outcomes = rewrite(root, WITHOUT_ALL)
    assert reasons(outcomes) == ["applied"]
    text = (root / "pkg" / "__init__.py").read_text()
    assert '__all__ = [\n    "Command",\n    "WIN",\n    "core",\n    "main",\n    "types",\n]' in text
    lazy = probe(root, "Command,main,types")
    assert original["star"] == ["Command", "WIN", "core", "main", "types"] == lazy["star"]
    assert lazy["dir"] == original["dir"]
    assert lazy["values"] == original["values"]
    assert lazy["loaded"] == []

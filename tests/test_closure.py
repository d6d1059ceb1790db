"""The closure model on small real packages written to a temporary sys.path: parents, guards, conditions, from-imports."""

from __future__ import annotations

import sys
import sysconfig
import textwrap
from importlib import machinery
from pathlib import Path

import pytest

from lazyaudit.closure import ImportResolver, chain_to
from lazyaudit.environment import Environment
from lazyaudit.modindex import ModuleIndex

MARKERS = {"sys_platform": "linux", "os_name": "posix", "platform_system": "Linux",
           "implementation_name": "cpython", "platform_python_implementation": "CPython"}


def make_resolver(root: Path, files: dict[str, str], *, version: tuple[int, int] = (3, 11),
                  platform: str = "linux") -> ImportResolver:
    """Write `files` ({"pkg/__init__.py": source}) under root/site and resolve against that sys.path."""
    site = root / "site"
    for rel, source in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, bytes):
            path.write_bytes(source)
        else:
            path.write_text(textwrap.dedent(source), encoding="utf-8")
    env = site_environment(site, version=version, platform=platform)
    return ImportResolver(ModuleIndex(env, {}, {}, cache=None, jobs=1))


def site_environment(site: Path, *, version: tuple[int, int] = (3, 11), platform: str = "linux") -> Environment:
    """A target interpreter whose sys.path is `site` followed by this interpreter's stdlib."""
    stdlib = sysconfig.get_paths()["stdlib"]
    return Environment.from_dict({
        "executable": "/target/bin/python", "version_info": [*version, 0, "final", 0],
        "markers": {**MARKERS, "sys_platform": platform},
        "stdlib_module_names": sorted(sys.stdlib_module_names), "builtin_module_names": list(sys.builtin_module_names),
        "sys_path": [str(site), stdlib, str(Path(stdlib) / "lib-dynload")],
        "extension_suffixes": list(machinery.EXTENSION_SUFFIXES),
    })


def loads(root: Path, files: dict[str, str], module: str = "app", **kw: object) -> set[str]:
    """Non-stdlib modules `import module` loads."""
    found = make_resolver(root, files, **kw).loaded_modules([module], stdlib=False)  # type: ignore[arg-type]
    return {m for m in found if m.partition(".")[0] not in sys.stdlib_module_names}


def test_import_of_a_dotted_name_runs_every_parent_init(tmp_path):
    files = {"app.py": "import a.b.c\n", "a/__init__.py": "", "a/b/__init__.py": "import helper\n",
             "a/b/c.py": "", "helper.py": ""}
    resolver = make_resolver(tmp_path, files)
    loaded = resolver.closure(["app"], stdlib=False)
    assert {"a", "a.b", "a.b.c", "helper"} <= set(loaded)
    assert [f"{e.source} -> {e.target}" for e in chain_to(loaded, "helper")][-2:] == ["a.b.c -> a.b", "a.b -> helper"]
    assert ("a.b.c", "a.b", "parent") in {(e.source, e.target, e.kind) for e in resolver.edges("a.b.c")}


def test_function_bodies_type_checking_and_main_blocks_do_not_run(tmp_path):
    files = {"app.py": """
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            import typed
        def later():
            import deferred
        if __name__ == "__main__":
            import script
        class C:
            import in_class_body
        """, "typed.py": "", "deferred.py": "", "script.py": "", "in_class_body.py": ""}
    assert loads(tmp_path, files) == {"app", "in_class_body"}


@pytest.mark.parametrize(("present", "expected"), [
    ({"fast_json.py": ""}, {"app", "fast_json"}),
    ({}, {"app", "slow_json"}),
])
def test_try_except_import_error_runs_the_first_branch_that_resolves(tmp_path, present, expected):
    files = {"app.py": """
        try:
            import fast_json as json
        except ImportError:
            import slow_json as json
        """, "slow_json.py": "", **present}
    assert loads(tmp_path, files) == expected


def test_a_try_branch_fails_when_the_module_it_imports_fails(tmp_path):
    # optional.py exists but needs a package that is not installed: importing it raises.
    files = {"app.py": """
        try:
            from plugins.optional import feature
        except ImportError:
            import fallback
        """, "plugins/__init__.py": "", "plugins/optional.py": "import not_installed\nimport never_reached\n",
             "fallback.py": "", "never_reached.py": ""}
    # The failed attempt still leaves the parent package loaded, as the import system does.
    assert loads(tmp_path, files) == {"app", "plugins", "fallback"}


def test_a_handler_that_re_raises_makes_the_module_fail(tmp_path):
    files = {"app.py": """
        try:
            import socks_support
        except ImportError:
            socks_support = None
        """, "socks_support.py": """
        try:
            import socks
        except ImportError:
            import warnings
            warnings.warn("install PySocks")
            raise
        """}
    assert loads(tmp_path, files) == {"app"}


def test_a_raise_in_the_try_body_selects_the_handler(tmp_path):
    files = {"app.py": """
        import sys
        try:
            if sys.platform == "win32":
                import win_console
            else:
                raise ImportError("not windows")
        except ImportError:
            import posix_console
        """, "win_console.py": "", "posix_console.py": ""}
    assert loads(tmp_path, files) == {"app", "posix_console"}
    assert loads(tmp_path / "w", files, platform="win32") == {"app", "win_console"}


def test_a_raise_caught_by_its_own_try_is_not_a_failure(tmp_path):
    # types.py does this to get TracebackType; the module imports fine.
    files = {"app.py": "try:\n    import tb\nexcept ImportError:\n    import other\n", "other.py": "",
             "tb.py": "try:\n    raise TypeError\nexcept TypeError as exc:\n    kind = type(exc)\n"}
    assert loads(tmp_path, files) == {"app", "tb"}


@pytest.mark.parametrize(("version", "expected"), [((3, 8), "backport"), ((3, 12), "modern")])
def test_version_conditions_are_evaluated_for_the_target_interpreter(tmp_path, version, expected):
    files = {"app.py": """
        import sys
        if sys.version_info >= (3, 11):
            import modern
        else:
            import backport
        """, "modern.py": "", "backport.py": ""}
    assert loads(tmp_path, files, version=version) == {"app", expected}


def test_module_level_fact_names_are_evaluated_in_conditions(tmp_path):
    files = {"app.py": """
        import os
        import sys
        WIN = sys.platform.startswith("win")
        POLICY = os.environ.get("APP_BACKEND", "default").strip()
        if WIN:
            import win_only
        if POLICY == "default":
            import default_backend
        else:
            import other_backend
        """, "win_only.py": "", "default_backend.py": "", "other_backend.py": ""}
    assert loads(tmp_path, files) == {"app", "default_backend"}


def test_undecidable_conditions_count_as_running(tmp_path):
    files = {"app.py": "import config\nif config.FLAG:\n    import maybe\n", "config.py": "FLAG = 1\n", "maybe.py": ""}
    assert loads(tmp_path, files) == {"app", "config", "maybe"}


def test_from_package_import_submodule_loads_the_submodule_only_when_it_is_one(tmp_path):
    files = {"app.py": "from pkg import sub, CONSTANT\n", "pkg/__init__.py": "CONSTANT = 1\n",
             "pkg/sub.py": "", "pkg/other.py": ""}
    resolver = make_resolver(tmp_path, files)
    assert resolver.loaded_modules(["app"], stdlib=False) == {"app", "pkg", "pkg.sub"}
    via = {e.target: e.via for e in resolver.edges("app")}
    assert via == {"pkg": "", "pkg.sub": "submodule"}


def test_a_name_the_package_imports_itself_adds_no_edge(tmp_path):
    files = {"app.py": "from pkg import sub\n", "pkg/__init__.py": "from . import sub\n", "pkg/sub.py": ""}
    resolver = make_resolver(tmp_path, files)
    assert [e.target for e in resolver.edges("app")] == ["pkg"]
    assert resolver.loaded_modules(["app"], stdlib=False) == {"app", "pkg", "pkg.sub"}


def test_star_import_loads_the_submodules_listed_in_all(tmp_path):
    files = {"app.py": "from pkg import *\n", "pkg/__init__.py": "__all__ = ['a', 'VALUE']\nVALUE = 1\n",
             "pkg/a.py": "", "pkg/b.py": ""}
    resolver = make_resolver(tmp_path, files)
    assert resolver.loaded_modules(["app"], stdlib=False) == {"app", "pkg", "pkg.a"}
    assert {e.target: e.via for e in resolver.edges("app")}["pkg.a"] == "star"


def test_missing_modules_are_left_out(tmp_path):
    assert loads(tmp_path, {"app.py": "import sys\nif sys.version_info < (4,):\n    import nowhere\n"}) == {"app"}


def test_cython_extensions_register_their_runtime_modules(tmp_path):
    suffix = machinery.EXTENSION_SUFFIXES[0]
    files = {"app.py": "import speedups\n", f"speedups{suffix}": b"\x7fELF...cython_runtime..._cython_3_1_2\x00...",
             f"plain{suffix}": b"\x7fELF no runtime here"}
    resolver = make_resolver(tmp_path, files)
    assert resolver.loaded_modules(["app"], stdlib=False) == {"app", "speedups", "cython_runtime", "_cython_3_1_2"}
    assert resolver.index.registered_by(resolver.index.info("plain")) == ()

"""The closure through import hooks: module-level calls, constructors, PEP 562 __getattr__, dynamic and lazy imports."""

from __future__ import annotations

from test_closure import loads, make_resolver

MIGRATION = {
    "pkg/__init__.py": """
        from ._migration import getattr_migration
        __getattr__ = getattr_migration(__name__)
        """,
    "pkg/_migration.py": """
        def getattr_migration(module):
            from .errors import ImportMoved
            def wrapper(name):
                return ImportMoved(name)
            return wrapper
        """,
    "pkg/errors.py": "class ImportMoved(Exception):\n    pass\n",
}


def test_module_level_call_is_followed_into_the_same_package(tmp_path):
    resolver = make_resolver(tmp_path, MIGRATION)
    assert resolver.loaded_modules(["pkg"], stdlib=False) == {"pkg", "pkg._migration", "pkg.errors"}
    edge = next(e for e in resolver.edges("pkg") if e.target == "pkg.errors")
    assert (edge.kind, edge.via, edge.executed) == ("deferred", "call getattr_migration()", True)


def test_calls_into_other_packages_are_not_followed(tmp_path):
    files = {"app.py": "import tool\ntool.setup()\n", "tool.py": "def setup():\n    import heavy\n", "heavy.py": ""}
    assert loads(tmp_path, files) == {"app", "tool"}


def test_calls_in_a_main_block_are_not_followed(tmp_path):
    # rich.ansi: the demo under `if sys.platform != "win32" and __name__ == "__main__":` builds a Console.
    files = {"pkg/__init__.py": "", "pkg/ansi.py": '''
        import sys
        from pkg.console import make
        if sys.platform != "win32" and __name__ == "__main__":
            import pkg.demo
            make()
        ''', "pkg/console.py": "def make():\n    import pkg.windows\n", "pkg/demo.py": "", "pkg/windows.py": ""}
    assert loads(tmp_path, files, "pkg.ansi") == {"pkg", "pkg.ansi", "pkg.console"}


def test_a_function_that_is_only_defined_does_not_run(tmp_path):
    files = {"app.py": "def main():\n    import heavy\n", "heavy.py": ""}
    assert loads(tmp_path, files) == {"app"}


def test_instantiating_a_class_runs_its_inherited_init(tmp_path):
    files = {
        "xray/__init__.py": "from .core import recorder\n",
        "xray/core.py": """
            from .recorder import Recorder
            class AsyncRecorder(Recorder):
                def trace(self):
                    pass
            recorder = AsyncRecorder()
            """,
        "xray/recorder.py": """
            class Base:
                pass
            class Recorder(Base):
                def __init__(self):
                    from .sampler import Sampler
                    self.sampler = Sampler()
            """,
        "xray/sampler.py": "import botocore_like\nclass Sampler:\n    pass\n",
        "botocore_like.py": "",
    }
    assert loads(tmp_path, files, "xray") == {"xray", "xray.core", "xray.recorder", "xray.sampler", "botocore_like"}


def test_pep562_getattr_with_a_literal_table_loads_only_the_named_module(tmp_path):
    files = {
        "app.py": "from lc import Message\n",
        "lc/__init__.py": """
            from importlib import import_module
            _dynamic_imports = {"Message": "messages", "Runnable": "runnables"}
            def __getattr__(name):
                module = import_module(f".{_dynamic_imports[name]}", package=__spec__.parent)
                return getattr(module, name)
            """,
        "lc/messages.py": "", "lc/runnables.py": "",
    }
    resolver = make_resolver(tmp_path, files)
    assert resolver.loaded_modules(["app"], stdlib=False) - {"importlib"} == {"app", "lc", "lc.messages"}
    assert {e.target: e.via for e in resolver.edges("app")}["lc.messages"] == "__getattr__"


def test_pep562_getattr_with_package_and_module_tuples(tmp_path):
    # pydantic's form: name -> (package, ".module"), imported with import_module(module, package).
    files = {
        "app.py": "from pd import BaseModel\n",
        "pd/__init__.py": """
            from importlib import import_module
            _dynamic_imports = {"BaseModel": (__spec__.parent, ".main"), "Field": (__spec__.parent, ".fields")}
            def __getattr__(attr_name):
                package, module_name = _dynamic_imports[attr_name]
                module = import_module(module_name, package=package)
                return getattr(module, attr_name)
            """,
        "pd/main.py": "", "pd/fields.py": "",
    }
    assert loads(tmp_path, files) == {"app", "pd", "pd.main"}


def test_importing_the_package_alone_does_not_run_its_getattr(tmp_path):
    files = {"app.py": "import lc\n", "lc/__init__.py": "def __getattr__(name):\n    from . import heavy\n",
             "lc/heavy.py": ""}
    assert loads(tmp_path, files) == {"app", "lc"}


def test_import_module_and_dunder_import_with_constant_strings(tmp_path):
    files = {
        "app.py": """
            import importlib
            BACKEND = "backends.json_backend"
            backend = importlib.import_module(BACKEND)
            for name in ("vendored_a", "vendored_b"):
                globals()[name] = __import__(name)
            def later():
                importlib.import_module("backends.lazy_backend")
            """,
        "backends/__init__.py": "", "backends/json_backend.py": "", "backends/lazy_backend.py": "",
        "vendored_a.py": "", "vendored_b.py": "",
    }
    assert loads(tmp_path, files) == {"app", "backends", "backends.json_backend", "vendored_a", "vendored_b"}


def test_type_checking_or_hook_block_is_lazy_and_named_imports_load_their_module(tmp_path):
    # anyio 4.x: the block runs only when the lazy importer cannot be installed.
    files = {
        "app.py": "from aio import CapacityLimiter\n",
        "aio/__init__.py": """
            from typing import TYPE_CHECKING
            from ._lazy import install_lazy_importer
            if TYPE_CHECKING or not install_lazy_importer():
                from ._core._sync import CapacityLimiter as CapacityLimiter
                from ._core._files import open_file as open_file
            """,
        "aio/_lazy.py": "def install_lazy_importer():\n    return True\n",
        "aio/_core/__init__.py": "", "aio/_core/_sync.py": "", "aio/_core/_files.py": "",
    }
    assert loads(tmp_path, files) == {"app", "aio", "aio._lazy", "aio._core", "aio._core._sync"}


def test_type_checking_import_beside_a_getattr_hook_is_what_the_hook_loads(tmp_path):
    # The lazy re-export idiom (what `lazyaudit fix` writes for LA102).
    files = {
        "app.py": "from lib import Client\n",
        "lib/__init__.py": """
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from .client import Client
                from .server import Server
            def __getattr__(name):
                import importlib
                return getattr(importlib.import_module(_where(name), __name__), name)
            """,
        "lib/client.py": "", "lib/server.py": "",
    }
    assert loads(tmp_path, files) == {"app", "lib", "lib.client"}


def test_pep810_lazy_import_loads_on_first_use_only(tmp_path):
    files = {"app.py": "import lib\nfrom lib import Thing\n", "lib/__init__.py": "lazy from .impl import Thing\n",
             "lib/impl.py": "", "other.py": "lazy import other_heavy\n", "other_heavy.py": ""}
    assert loads(tmp_path, files) == {"app", "lib", "lib.impl"}
    assert loads(tmp_path / "b", files, "other") == {"other"}

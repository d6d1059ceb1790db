"""PEP 660 editable installs made by setuptools' finder: located without being on sys.path, never imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lazyaudit.closure import ImportResolver
from lazyaudit.environment import load_environment
from lazyaudit.modindex import ModuleIndex

FINDER = '''from __future__ import annotations
import sys
MAPPING: dict[str, str] = {mapping!r}
NAMESPACES: dict[str, list[str]] = {{}}

def install():
    pass  # the real one appends a finder to sys.meta_path
'''


@pytest.fixture(scope="module")
def editable(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    root = tmp_path_factory.mktemp("editable")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    site = next((root / "venv").glob("lib/python*/site-packages"))
    src = root / "src"
    (src / "mylib" / "sub").mkdir(parents=True)
    (src / "mylib" / "__init__.py").write_text("from mylib.sub import tools\n")
    (src / "mylib" / "sub" / "__init__.py").write_text("")
    (src / "mylib" / "sub" / "tools.py").write_text("import json\n")
    (src / "single.py").write_text("import csv\n")
    (src / "ghost").mkdir()
    (src / "ghost" / "__init__.py").write_text("")
    (site / "__editable__.mylib-1.0.pth").write_text(
        "import __editable___mylib_1_0_finder; __editable___mylib_1_0_finder.install()\n")
    (site / "__editable___mylib_1_0_finder.py").write_text(
        FINDER.format(mapping={"mylib": str(src / "mylib"), "single": str(src / "single.py")}))
    # A finder that no .pth installs is never consulted by the import system.
    (site / "__editable___ghost_1_0_finder.py").write_text(FINDER.format(mapping={"ghost": str(src / "ghost")}))
    info = site / "mylib-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mylib\nVersion: 1.0\n")
    (info / "top_level.txt").write_text("mylib\nsingle\n")
    (info / "RECORD").write_text("__editable__.mylib-1.0.pth,,\n__editable___mylib_1_0_finder.py,,\n")
    return str(root / "venv" / "bin" / "python"), src


def test_the_probe_reads_the_finder_mapping(editable):
    python, src = editable
    env = load_environment(python, cache=False)
    assert env.editable_top_level == {"mylib": str(src / "mylib"), "single": str(src / "single.py")}


def test_editable_modules_are_located_with_their_submodules(editable):
    python, src = editable
    locator = load_environment(python, cache=False).locator()
    package = locator.find("mylib")
    assert package is not None and package.is_package and package.path == str(src / "mylib" / "__init__.py")
    assert locator.find("mylib.sub.tools").path == str(src / "mylib" / "sub" / "tools.py")  # type: ignore[union-attr]
    assert locator.find("single").path == str(src / "single.py")  # type: ignore[union-attr]
    assert locator.find("ghost") is None


def test_their_imports_are_in_the_closure_and_their_distribution_is_known(editable):
    python, _ = editable
    index = ModuleIndex(load_environment(python, cache=False), {}, {}, cache=None, jobs=1)
    assert index.info("mylib").distribution == "mylib"
    loaded = ImportResolver(index).loaded_modules(["mylib"])
    assert {"mylib.sub", "mylib.sub.tools", "json"} <= loaded

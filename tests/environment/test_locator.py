"""ModuleLocator on real trees: PathFinder precedence, namespace packages across roots, kinds, walking."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lazyaudit.locator import ModuleLocation, ModuleLocator

EXT = (".cpython-311-x86_64-linux-gnu.so", ".abi3.so", ".so")


def tree(root: Path, *files: str) -> Path:
    for rel in files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    return root


def locator(*roots: Path, **kwargs) -> ModuleLocator:
    kwargs.setdefault("extension_suffixes", EXT)
    return ModuleLocator([str(r) for r in roots], source_suffixes=(".py",), bytecode_suffixes=(".pyc",), **kwargs)


def where(found: ModuleLocation | None, root: Path) -> tuple[str, str] | None:
    return None if found is None else (found.kind, os.path.relpath(found.path, root) if found.path else "")


@pytest.mark.parametrize("files, expected", [
    (("pkg/__init__.py", "pkg.py"), ("source", "pkg/__init__.py")),  # package beats module
    (("pkg/__init__.pyc", "pkg.py"), ("sourceless", "pkg/__init__.pyc")),  # ...whatever its __init__
    ((f"pkg/__init__{EXT[0]}", "pkg/__init__.py"), ("extension", f"pkg/__init__{EXT[0]}")),
    ((f"pkg{EXT[0]}", "pkg.py"), ("extension", f"pkg{EXT[0]}")),  # extension beats source
    (("pkg.abi3.so", "pkg.py"), ("extension", "pkg.abi3.so")),
    (("pkg.so",), ("extension", "pkg.so")),
    (("pkg.py", "pkg.pyc"), ("source", "pkg.py")),  # source beats a legacy .pyc
    (("pkg.pyc",), ("sourceless", "pkg.pyc")),
    (("pkg/data.txt", "pkg.py"), ("source", "pkg.py")),  # a module beats a namespace portion
    (("pkg/data.txt",), ("namespace", "")),
    (("pkg.cpython-310-x86_64-linux-gnu.so",), None),  # another interpreter's extension
    (("pkg/__pycache__/x.pyc", "__pycache__/pkg.cpython-311.pyc"), ("namespace", "")),  # cache isn't a module
])
def test_precedence_in_one_directory(tmp_path: Path, files: tuple[str, ...], expected) -> None:
    assert where(locator(tree(tmp_path, *files)).find("pkg"), tmp_path) == expected


def test_namespace_package_across_roots(tmp_path: Path) -> None:
    one = tree(tmp_path / "one", "ns/a.py", "ns/sub/x.py")
    two = tree(tmp_path / "two", "ns/b.py", "ns/sub/y.py")
    found = locator(one, two)
    ns = found.find("ns")
    assert (ns.kind, ns.is_package, ns.path) == ("namespace", True, "")
    assert ns.portions == (str(one / "ns"), str(two / "ns")) and ns.search_root == str(one)
    assert found.find("ns.a").search_root == str(one)
    assert found.find("ns.b").search_root == str(two)
    assert found.find("ns.sub").portions == (str(one / "ns" / "sub"), str(two / "ns" / "sub"))
    assert found.find("ns.sub.y").path == str(two / "ns" / "sub" / "y.py")


def test_a_later_regular_package_beats_earlier_namespace_portions(tmp_path: Path) -> None:
    one = tree(tmp_path / "one", "pkg/a.py")
    two = tree(tmp_path / "two", "pkg/__init__.py", "pkg/b.py")
    found = locator(one, two)
    assert found.find("pkg").kind == "source" and found.find("pkg").portions == (str(two / "pkg"),)
    assert found.find("pkg.a") is None and found.find("pkg.b") is not None


def test_a_regular_package_stops_the_scan(tmp_path: Path) -> None:
    one = tree(tmp_path / "one", "pkg/__init__.py")
    two = tree(tmp_path / "two", "pkg/extra.py", "other.py")
    found = locator(one, two)
    assert found.find("pkg").portions == (str(one / "pkg"),)
    assert found.find("pkg.extra") is None
    assert found.find("other").search_root == str(two)


def test_pkgutil_style_namespace_extends_its_path(tmp_path: Path) -> None:
    one = tree(tmp_path / "one", "legacy/__init__.py")
    (one / "legacy" / "__init__.py").write_text("__path__ = __import__('pkgutil').extend_path(__path__, __name__)\n")
    two = tree(tmp_path / "two", "legacy/__init__.py", "legacy/two.py")
    found = locator(one, two)
    assert found.find("legacy").path == str(one / "legacy" / "__init__.py")
    assert found.find("legacy.two").search_root == str(two)


def test_nested_packages_and_missing_names(tmp_path: Path) -> None:
    root = tree(tmp_path, "a/__init__.py", "a/b/__init__.py", "a/b/c/__init__.py", "a/b/c/d.py", "m.py")
    found = locator(root)
    d = found.find("a.b.c.d")
    assert (d.kind, d.is_package, d.search_root) == ("source", False, str(root))
    assert found.find("a.b.c").portions == (str(root / "a" / "b" / "c"),)
    for missing in ("nope", "a.nope", "a.b.c.d.e", "m.sub", "", ".a", "a..b"):
        assert found.find(missing) is None


def test_builtins_and_frozen_names(tmp_path: Path) -> None:
    root = tree(tmp_path, "sys.py", "os.py", "zipimport.py")
    found = locator(root, builtins={"sys"}, frozen={"os.path", "_frozen_importlib", "zipimport", "__phello__",
                                                    "__phello__.spam"}, stdlib={"os", "zipimport"})
    assert where(found.find("sys"), root) == ("builtin", "")  # builtins win over any file
    assert where(found.find("zipimport"), root) == ("source", "zipimport.py")  # frozen: the source is analysed
    assert where(found.find("os.path"), root) == ("frozen", "")
    assert where(found.find("_frozen_importlib"), root) == ("frozen", "")
    assert found.find("__phello__").is_package
    assert found.is_stdlib("os.path") and found.is_stdlib("sys") and not found.is_stdlib("pkg")


def test_answers_and_listings_are_cached(tmp_path: Path) -> None:
    root = tree(tmp_path, "a.py")
    found = locator(root)
    assert found.find("a") is found.find("a")
    assert found.find("late") is None
    (root / "late.py").write_text("")
    assert found.find("late") is None  # one snapshot per locator: make a new one after changes


def test_iter_package_modules(tmp_path: Path) -> None:
    root = tree(
        tmp_path, "pkg/__init__.py", "pkg/a.py", f"pkg/_native{EXT[0]}", "pkg/old.pyc", "pkg/sub/__init__.py",
        "pkg/sub/b.py", "pkg/data/c.py", "pkg/__pycache__/a.cpython-311.pyc", "pkg/README.txt", "pkg/not-a-module.py",
    )
    found = locator(root)
    rel = [(name, os.path.relpath(path, root), is_pkg) for name, path, is_pkg in found.iter_package_modules(
        found.find("pkg"))]
    assert rel == [
        ("pkg", "pkg/__init__.py", True),
        ("pkg._native", f"pkg/_native{EXT[0]}", False),
        ("pkg.a", "pkg/a.py", False),
        ("pkg.old", "pkg/old.pyc", False),
        ("pkg.sub", "pkg/sub/__init__.py", True),
        ("pkg.sub.b", "pkg/sub/b.py", False),
    ]  # pkg/data has no __init__: data, as for pkgutil.walk_packages


def test_iter_namespace_package_modules_across_roots(tmp_path: Path) -> None:
    one = tree(tmp_path / "one", "ns/cloud/storage/__init__.py", "ns/cloud/storage/blob.py")
    two = tree(tmp_path / "two", "ns/protobuf/__init__.py", "ns/top.py")
    found = locator(one, two)
    assert [name for name, _, _ in found.iter_package_modules(found.find("ns"))] == [
        "ns.cloud.storage", "ns.cloud.storage.blob", "ns.protobuf", "ns.top",
    ]
    assert found.iter_package_modules(found.find("ns.top")) == [("ns.top", str(two / "ns" / "top.py"), False)]


def test_walking_survives_a_directory_symlink_loop(tmp_path: Path) -> None:
    root = tree(tmp_path, "pkg/__init__.py", "pkg/a.py")
    try:
        (root / "pkg" / "loop").symlink_to(root / "pkg", target_is_directory=True)
    except OSError:
        pytest.skip("no symlinks here")
    found = locator(root)
    modules = found.iter_package_modules(found.find("pkg"))
    assert ("pkg.a", str(root / "pkg" / "a.py"), False) in modules
    assert found.find("pkg.loop.loop.a") is not None


def test_many_lookups_reuse_directory_listings(tmp_path: Path, monkeypatch) -> None:
    roots = [tree(tmp_path / f"r{i}", f"m{i}.py", f"p{i}/__init__.py", f"p{i}/x.py") for i in range(5)]
    found = locator(*roots)
    calls = []
    real = os.scandir
    monkeypatch.setattr(os, "scandir", lambda path: calls.append(path) or real(path))
    for _ in range(100):
        for i in range(5):
            assert found.find(f"m{i}") and found.find(f"p{i}.x") and found.find(f"missing{i}") is None
    assert len(calls) == len(set(calls)) <= 10  # each directory listed once, whatever the lookups


def test_nested_search_entries_keep_their_own_roots(tmp_path: Path) -> None:
    outer = tree(tmp_path, "inner/__init__.py", "inner/mod.py")
    inner = outer / "inner"
    found = locator(outer, inner)
    assert found.find("inner.mod").search_root == str(outer)
    assert found.find("mod").search_root == str(inner)

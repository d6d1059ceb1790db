"""Discovery across the project, sub-roots and extra files; marker and specifier helpers; never raising."""

from __future__ import annotations

import os
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lazyaudit.requirements import (
    evaluate_marker,
    is_dev_group,
    load_requirements,
    specifier_satisfied,
)
from lazyaudit.requirements.pep621 import TomlLines, read_dependency_groups, read_pep621
from lazyaudit.requirements.poetry import read_poetry


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_discovery_of_every_requirement_file_name(tmp_path: Path) -> None:
    write(tmp_path, {
        "requirements.txt": "a\n", "requirements-dev.txt": "b\n", "test-requirements.txt": "c\n",
        "requirements/base.txt": "d\n", "requirements/docs.in": "e\n", "notes.txt": "not-read\n",
        "sub/requirements.txt": "not-read-without-a-root\n",
    })
    result = load_requirements(tmp_path)
    assert [(r.path, r.name, r.group) for r in result.requirements] == [
        ("requirements-dev.txt", "b", "dev"), ("requirements.txt", "a", "runtime"),
        ("requirements/base.txt", "d", "runtime"), ("requirements/docs.in", "e", "dev"),
        ("test-requirements.txt", "c", "dev"),
    ]
    assert result.sources == ("requirements-dev.txt", "requirements.txt", "requirements/base.txt",
                              "requirements/docs.in", "test-requirements.txt")


def test_sub_roots_keep_their_paths_for_scoping(tmp_path: Path) -> None:
    write(tmp_path, {
        "requirements.txt": "boto3\n",
        "functions/notifier/requirements.txt": "requests\n",
        "functions/notifier/uv.lock": "",
        "layers/shared/pyproject.toml": '[project]\nname = "shared"\ndependencies = ["pydantic>=2"]\n',
    })
    result = load_requirements(tmp_path, roots=["functions/notifier", "layers/shared", ".", "../elsewhere", "nope"])
    assert [(r.path, r.name, r.group) for r in result.requirements] == [
        ("functions/notifier/requirements.txt", "requests", "runtime"),
        ("layers/shared/pyproject.toml", "pydantic", "runtime"),
        ("requirements.txt", "boto3", "runtime"),
    ]
    assert result.lock_files == ("functions/notifier/uv.lock",)
    assert [(f.code, f.path, f.line) for f in result.findings] == [("LA900", "", 0)]
    assert "outside the project: ../elsewhere" in result.findings[0].message


def test_extra_files(tmp_path: Path) -> None:
    write(tmp_path, {"deps/prod.pip": "click\n", "deps/pyproject.toml": '[project]\ndependencies = ["rich"]\n'})
    result = load_requirements(tmp_path, extra_files=["deps/prod.pip", "deps/pyproject.toml", "gone.txt", "../x.txt"])
    assert [(r.path, r.name) for r in result.requirements] == [("deps/prod.pip", "click"), ("deps/pyproject.toml", "rich")]
    assert sorted(f.message for f in result.findings) == [
        "refusing to read a requirement file outside the project: ../x.txt", "requirement file not found: gone.txt"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_leading_out_of_the_project_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret\n")
    project = tmp_path / "proj"
    project.mkdir()
    (project / "requirements.txt").symlink_to(outside)
    (project / "requirements-dev.txt").write_text("-r requirements.txt\npytest\n")
    result = load_requirements(project)
    assert [r.name for r in result.requirements] == ["pytest"]
    assert {(f.path, f.line) for f in result.findings} == {("requirements.txt", 0), ("requirements-dev.txt", 1)}


def test_empty_project(tmp_path: Path) -> None:
    result = load_requirements(tmp_path)
    assert (result.requirements, result.findings, result.sources, result.lock_files) == ((), (), (), ())


@pytest.mark.parametrize(
    ("group", "dev"),
    [("runtime", False), ("optional:server", False), ("optional", False), ("constraint", False), ("dev", True),
     ("test", True), ("docs", True)],
)
def test_is_dev_group(group: str, dev: bool) -> None:
    assert is_dev_group(group) is dev


ENV = {"python_version": "3.11", "python_full_version": "3.11.4", "sys_platform": "linux", "platform_system": "Linux"}


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        ('python_version < "3.12"', True), ('python_version >= "3.12"', False), ("", True),
        ('sys_platform == "win32" or python_full_version > "3.11.3"', True), ("python_version <<< 3", None),
        ("not a marker", None),
    ],
)
def test_evaluate_marker(marker: str, expected: bool | None) -> None:
    assert evaluate_marker(marker, ENV) is expected


@pytest.mark.parametrize(
    ("specifier", "version", "expected"),
    [
        (">=1.2,<2.0", "1.5", True), (">=1.2,<2.0", "2.0", False), ("", "0.1", True), ("==1.2.*", "1.2.9", True),
        (">=1.0", "2.0rc1", False), (">=2.0rc1", "2.0rc2", True), ("~=1.4", "1.4.5+local", True),
        (">=1", "not-a-version", None), (">=>1", "1.0", None), ("", "2.0b1", True),
    ],
)
def test_specifier_satisfied(specifier: str, version: str, expected: bool | None) -> None:
    assert specifier_satisfied(specifier, version) is expected


def test_specifier_satisfied_installed_prerelease() -> None:
    assert specifier_satisfied(">=1.0", "2.0rc1", prereleases=True) is True


LINE_ALPHABET = string.printable + "é€\\#-=;@[]{}'\"${}~^*|"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=LINE_ALPHABET, max_size=400), raw=st.binary(max_size=120))
def test_random_requirement_file_never_raises(tmp_path: Path, text: str, raw: bytes) -> None:
    (tmp_path / "requirements.txt").write_text(text, encoding="utf-8", errors="surrogatepass")
    (tmp_path / "requirements-dev.txt").write_bytes(raw)
    result = load_requirements(tmp_path)
    assert all(f.code == "LA900" for f in result.findings)
    assert all(r.path in ("requirements.txt", "requirements-dev.txt") or not r.path.startswith("/")
               for r in result.requirements)


TOML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
KEYS = st.sampled_from(["dependencies", "optional-dependencies", "dev-dependencies", "group", "extras", "version",
                        "include-group", "python", "markers", "optional", "git", "x"])
TREE = st.dictionaries(KEYS, TOML_VALUES | st.dictionaries(KEYS, TOML_VALUES, max_size=4), max_size=4)


@settings(max_examples=200, deadline=None)
@given(project=TREE, groups=TOML_VALUES, poetry=TREE)
def test_random_pyproject_structures_never_raise(project: dict, groups: object, poetry: dict) -> None:
    data = {"project": project, "dependency-groups": groups, "tool": {"poetry": poetry}}
    toml = TomlLines("[project]\ndependencies = []\n")
    for reader in (read_pep621, read_dependency_groups, read_poetry):
        _, findings = reader(data, toml, "pyproject.toml")
        assert all(f.code == "LA900" for f in findings)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_loop_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    (tmp_path / "requirements.txt").write_text("-r a\nok\n")
    result = load_requirements(tmp_path)
    assert [r.name for r in result.requirements] == ["ok"]
    assert [(f.path, f.line) for f in result.findings] == [("requirements.txt", 1)]

"""pyproject.toml (PEP 621, PEP 735, Poetry, PDM, uv), setup.cfg and Pipfile: groups, lines and findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from lazyaudit.requirements import load_requirements, poetry_specifier
from lazyaudit.requirements.poetry import python_marker


def load(tmp_path: Path, name: str, text: str) -> tuple[list[str], list[tuple[str, str, int]]]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = load_requirements(tmp_path)
    got = [f"{r.name}{r.specifier} {r.group}:{r.line}" for r in result.requirements]
    return got, [(f.code, f.path, f.line) for f in result.findings]


PEP621 = """\
[project]
name = "demo"
dependencies = [
    "requests>=2",
    'PyYAML; python_version < "3.12"',
    "bad dep",
    3,
]
[project.optional-dependencies]
Server = ["uvicorn[standard]>=0.20"]
test = ["pytest", "requests>=2"]
"""


def test_pep621(tmp_path: Path) -> None:
    got, found = load(tmp_path, "pyproject.toml", PEP621)
    assert got == ["requests>=2 runtime:4", "pyyaml runtime:5", "uvicorn>=0.20 optional:server:10",
                   "pytest optional:test:11", "requests>=2 optional:test:11"]
    assert found == [("LA900", "pyproject.toml", 6), ("LA900", "pyproject.toml", 7)]


PEP735 = """\
[dependency-groups]
test = ["pytest>=8", {include-group = "Lint"}]
lint = ["ruff"]
docs = [{include-group = "nope"}, "sphinx"]
typing = [{include-group = "typing"}, "mypy", {what = 1}]
"""


def test_pep735_groups_includes_and_cycles(tmp_path: Path) -> None:
    got, found = load(tmp_path, "pyproject.toml", PEP735)
    assert got == ["pytest>=8 test:2", "ruff lint:3", "sphinx docs:4", "mypy typing:5"]
    assert found == [("LA900", "pyproject.toml", 4), ("LA900", "pyproject.toml", 5), ("LA900", "pyproject.toml", 5)]


def test_pep735_longer_cycle_reported_once(tmp_path: Path) -> None:
    text = '[dependency-groups]\na = [{include-group = "b"}]\nb = [{include-group = "c"}]\nc = [{include-group = "a"}]\n'
    (tmp_path / "pyproject.toml").write_text(text)
    result = load_requirements(tmp_path)
    assert [(f.line, f.message) for f in result.findings] == [(4, "dependency group include cycle: a -> b -> c -> a")]


POETRY = """\
[tool.poetry]
name = "demo"

[tool.poetry.dependencies]
python = "^3.10"
requests = "^2.28"
Django = { version = "~4.2", extras = ["argon2"] }
pendulum = { git = "https://github.com/sdispater/pendulum.git", branch = "develop" }
reportlab = { version = "*", optional = true }
numpy = [
    { version = "^1.24", python = "<3.12" },
    { version = "^2.0", python = ">=3.12" },
]
broken = "^not.a.version"

[tool.poetry.extras]
pdf = ["reportlab"]

[tool.poetry.dev-dependencies]
pytest = "^7.0"

[tool.poetry.group.docs.dependencies]
mkdocs = ">=1.4"

[tool.poetry.group.main.dependencies]
boto3 = "1.34.0"
"""


def test_poetry(tmp_path: Path) -> None:
    got, found = load(tmp_path, "pyproject.toml", POETRY)
    assert got == [
        "requests>=2.28,<3.0 runtime:6", "django>=4.2,<4.3 runtime:7", "pendulum runtime:8", "reportlab optional:pdf:9",
        "numpy>=1.24,<2.0 runtime:10", "numpy>=2.0,<3.0 runtime:10", "pytest>=7.0,<8.0 dev:20",
        "mkdocs>=1.4 docs:23", "boto3==1.34.0 runtime:26",
    ]
    assert found == [("LA900", "pyproject.toml", 14)]
    result = load_requirements(tmp_path)
    numpy = [r for r in result.requirements if r.name == "numpy"]
    assert [r.marker for r in numpy] == ['python_version < "3.12"', 'python_version >= "3.12"']
    django = next(r for r in result.requirements if r.name == "django")
    assert (django.extras, django.raw) == (("argon2",), 'Django = { version = "~4.2", extras = ["argon2"] }')
    pendulum = next(r for r in result.requirements if r.name == "pendulum")
    assert pendulum.url == "git+https://github.com/sdispater/pendulum.git@develop"


def test_poetry2_static_project_dependencies_take_over(tmp_path: Path) -> None:
    text = '[project]\nname="d"\ndependencies=["requests>=2"]\n[tool.poetry.dependencies]\nrequests={source="x"}\n'
    got, found = load(tmp_path, "pyproject.toml", text)
    assert (got, found) == (["requests>=2 runtime:3"], [])


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^1.2", ">=1.2,<2.0"), ("^1.2.3", ">=1.2.3,<2.0.0"), ("^0.2.3", ">=0.2.3,<0.3.0"), ("^0.0.3", ">=0.0.3,<0.0.4"),
        ("^0", ">=0,<1"), ("^0.0", ">=0.0,<0.1"), ("^1", ">=1,<2"), ("~1.2", ">=1.2,<1.3"), ("~1.2.3", ">=1.2.3,<1.3.0"),
        ("~1", ">=1,<2"), ("*", ""), ("", ""), ("1.2.3", "==1.2.3"), ("1.2.*", "==1.2.*"), ("=1.0", "==1.0"),
        (">= 1.2, < 2.0", ">=1.2,<2.0"), (">=1.2 <2.0", ">=1.2,<2.0"), ("~=1.4", "~=1.4"), ("!=1.5", "!=1.5"),
        ("^1.2.0b1", ">=1.2.0b1,<2.0.0"), ("^1.0 || ^2.0", ""),
    ],
)
def test_poetry_specifier(constraint: str, expected: str) -> None:
    assert poetry_specifier(constraint) == expected


@pytest.mark.parametrize("constraint", ["^x", "~", ">>1", "1.2 || ^y", "=="])
def test_poetry_specifier_rejects_invalid(constraint: str) -> None:
    with pytest.raises(ValueError):
        poetry_specifier(constraint)


def test_python_marker() -> None:
    assert python_marker("^3.8") == 'python_version >= "3.8" and python_version < "4.0"'
    assert python_marker(">=3.8.1") == 'python_full_version >= "3.8.1"'
    assert python_marker("~2.7 || ^3.4") == (
        '(python_version >= "2.7" and python_version < "2.8") or (python_version >= "3.4" and python_version < "4.0")'
    )
    assert python_marker("*") == ""


TOOLS = """\
[tool.pdm.dev-dependencies]
Lint = ["ruff>=0.5"]
test = ["pytest", "-e git+https://github.com/o/r.git#egg=rlib", "-e ./sub"]

[tool.uv]
dev-dependencies = ["mypy", "bad bad"]

[tool.hatch.envs.default]
dependencies = ["coverage"]
"""


def test_pdm_and_uv_dev_groups_hatch_envs_ignored(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text('[project]\nname = "sub-lib"\n')
    got, found = load(tmp_path, "pyproject.toml", TOOLS)
    assert got == ["ruff>=0.5 lint:2", "pytest test:3", "rlib test:3", "sub-lib test:3", "mypy dev:6"]
    assert found == [("LA900", "pyproject.toml", 6)]


SETUP_CFG = """\
[metadata]
name = demo

[options]
install_requires =
    requests>=2
    # a comment
    PyYAML; python_version < "3.12"
    bad bad
tests_require = pytest; coverage

[options.extras_require]
server =
    uvicorn
"""


def test_setup_cfg(tmp_path: Path) -> None:
    got, found = load(tmp_path, "setup.cfg", SETUP_CFG)
    assert got == ["requests>=2 runtime:6", "pyyaml runtime:8", "coverage dev:10", "pytest dev:10",
                   "uvicorn optional:server:14"]
    assert found == [("LA900", "setup.cfg", 9)]


def test_setup_cfg_file_directive(tmp_path: Path) -> None:
    (tmp_path / "deps").mkdir()
    (tmp_path / "deps" / "base.txt").write_text("click\n")
    got, found = load(tmp_path, "setup.cfg", "[options]\ninstall_requires = file: deps/base.txt, deps/gone.txt\n")
    assert got == ["click runtime:1"]
    assert found == [("LA900", "setup.cfg", 2)]


def test_setuptools_dynamic_files_take_their_declared_group(tmp_path: Path) -> None:
    (tmp_path / "requirements-test.txt").write_text("pytest\n")
    text = ('[project]\nname = "d"\ndynamic = ["dependencies", "optional-dependencies"]\n'
            '[tool.setuptools.dynamic]\ndependencies = {file = ["requirements-test.txt"]}\n')
    got, found = load(tmp_path, "pyproject.toml", text)
    assert (got, found) == (["pytest runtime:1"], [])


PIPFILE = """\
[[source]]
url = "https://pypi.org/simple"

[packages]
requests = "*"
Django = {version = ">=4.2", extras = ["bcrypt"], sys_platform = "== 'linux'"}
broken = "=>1"

[dev-packages]
pytest = ">=8"
"""


def test_pipfile(tmp_path: Path) -> None:
    got, found = load(tmp_path, "Pipfile", PIPFILE)
    assert got == ["requests runtime:5", "django>=4.2 runtime:6", "pytest>=8 dev:10"]
    assert found == [("LA900", "Pipfile", 7)]


def test_broken_toml_is_one_finding(tmp_path: Path) -> None:
    got, found = load(tmp_path, "pyproject.toml", "[project\nname = 1\n")
    assert got == [] and found == [("LA900", "pyproject.toml", 1)]


def test_lines_of_escaped_and_repeated_strings(tmp_path: Path) -> None:
    text = '[project]\ndependencies = [\n  "a",\n  "attrs; python_version < \\"3.12\\"",\n  "a",\n]\n'
    got, found = load(tmp_path, "pyproject.toml", text)
    assert (got, found) == (["a runtime:3", "attrs runtime:4", "a runtime:5"], [])

"""load_config: defaults < [tool.lazyaudit] < overrides, both key spellings, every problem reported at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lazyaudit import config as config_module
from lazyaudit.config import (
    DEFAULT_DEV_PATHS,
    DEFAULT_EXCLUDE,
    Config,
    ConfigError,
    PathMatcher,
    load_config,
    path_matches,
)
from lazyaudit.errors import LazyauditError
from lazyaudit.rules import RULES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def project(tmp_path: Path, table: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "x"\n\n[tool.lazyaudit]\n{table}\n', encoding="utf-8")
    return tmp_path


def test_defaults_without_pyproject(tmp_path: Path) -> None:
    config, findings = load_config(tmp_path)
    assert (config, findings) == (Config(), [])
    assert config.select == frozenset(RULES) and config.ignore == frozenset()
    assert (config.heavy_modules, config.heavy_bytes, config.heavy_ms, config.bundle_limit_mb) == (50, 1_000_000, 50.0, 250)
    assert ".venv" in config.exclude and "cdk.out" in config.exclude and "tests" in config.dev_paths


def test_every_setting_from_pyproject(tmp_path: Path) -> None:
    root = project(tmp_path, """\
entries = ["app.main:handler"]
select = ["LA1", "LA201"]
ignore = "LA104"
exclude = ["generated"]
source-roots = ["src", "."]
dev_paths = ["qa"]
requirement-files = ["requirements/prod.txt"]
target-version = "py312"
heavy-modules = 80
heavy_bytes = 2_000_000
heavy-ms = 25
bundle-limit-mb = 200
side-effect-calls = ["mylib.connect"]
baseline = ".lazyaudit-baseline.json"
cache = false

[tool.lazyaudit.per-file-ignores]
"tests/*" = ["LA101", "LA103"]

[tool.lazyaudit.module-map]
yaml = "PyYAML"
""")
    config, findings = load_config(root)
    assert findings == []
    assert config == Config(
        entries=("app.main:handler",), select=frozenset({"LA101", "LA102", "LA103", "LA104", "LA105", "LA201"}),
        ignore=frozenset({"LA104"}), per_file_ignores=(("tests/*", frozenset({"LA101", "LA103"})),),
        exclude=("generated",), source_roots=("src", ""), dev_paths=("qa",), module_map={"yaml": "pyyaml"},
        requirement_files=("requirements/prod.txt",), target_version="3.12", heavy_modules=80, heavy_bytes=2_000_000,
        heavy_ms=25.0, bundle_limit_mb=200, side_effect_calls=("mylib.connect",),
        baseline=".lazyaudit-baseline.json", cache=False,
    )
    assert config.enabled == frozenset({"LA101", "LA102", "LA103", "LA105", "LA201"})
    assert config.codes_for("tests/test_a.py") == frozenset({"LA102", "LA105", "LA201"})
    assert config.codes_for("src/a.py") == config.enabled


@pytest.mark.parametrize("key", ["heavy-modules", "heavy_modules"])
def test_kebab_and_snake_case_keys(tmp_path: Path, key: str) -> None:
    config, _ = load_config(project(tmp_path, f"{key} = 7"), {"heavy_ms": 9})
    assert (config.heavy_modules, config.heavy_ms) == (7, 9.0)


def test_precedence_defaults_pyproject_overrides(tmp_path: Path) -> None:
    root = project(tmp_path, 'select = ["LA1"]\nextend-select = ["LA201"]\nignore = ["LA105"]\nheavy-modules = 80\n'
                             'exclude = ["gen"]\nextend-exclude = ["more"]')
    config, _ = load_config(root)
    assert config.select == frozenset({"LA101", "LA102", "LA103", "LA104", "LA105", "LA201"})
    assert config.exclude == ("gen", "more")
    config, _ = load_config(root, {"select": "LA0", "extend_ignore": "LA001", "heavy_modules": None, "cache": False})
    assert config.select == frozenset({"LA001", "LA002", "LA003", "LA004", "LA005"})
    assert config.ignore == frozenset({"LA105", "LA001"})
    assert config.enabled == frozenset({"LA002", "LA003", "LA004", "LA005"})
    assert (config.heavy_modules, config.cache) == (80, False)  # None means "flag not given"
    config, _ = load_config(root, {"extend-select": ["LA900"]})
    assert "LA900" in config.select and "LA101" in config.select


def test_extend_adds_to_defaults(tmp_path: Path) -> None:
    config, _ = load_config(project(tmp_path, 'extend-exclude = ["gen"]\nextend-dev-paths = ["qa"]'))
    assert config.exclude == (*DEFAULT_EXCLUDE, "gen") and config.dev_paths == (*DEFAULT_DEV_PATHS, "qa")


def test_all_problems_reported_once_with_suggestions(tmp_path: Path) -> None:
    root = project(tmp_path, """\
selct = ["LA1"]
heavy-modules = "50"
heavy_ms = -1
exclude = "build"
ignore = ["LA999", "LA1"]
target-version = 3.10
cache = "yes"
entries = ["not a module"]
heavy-bytes = 5
heavy_bytes = 6
per-file-ignores = { "tests/*" = ["LA77"] }
module-map = { yaml = 3 }
""")
    with pytest.raises(ConfigError) as info:
        load_config(root, {"exclud": ["x"], "select": "LA1,XX9", "baseline": 3})
    problems = info.value.problems
    assert isinstance(info.value, LazyauditError)
    assert len(problems) == 14 and str(info.value).startswith("invalid lazyaudit configuration (14 problems):")
    text = "\n".join(problems)
    for expected in [
        "unknown key 'selct' (did you mean 'select'?)",
        "'heavy-modules': expected an integer, got a string '50'",
        "'heavy_ms': must be positive",
        "'exclude': expected a list of strings, got a string 'build'",
        "'ignore': unknown rule code(s): LA999",
        "'target-version': write the version as a string",
        "'cache': expected true or false",
        "invalid entry spec(s) 'not a module'",
        "'heavy_bytes' and 'heavy-bytes' are the same setting",
        "'per-file-ignores': 'tests/*': unknown rule code(s): LA77",
        "'module-map': expected a table",
        "command line: unknown key 'exclud' (did you mean 'exclude'?)",
        "command line: 'select': unknown rule code(s): XX9",
        "command line: 'baseline': expected a path string",
    ]:
        assert expected in text


def test_lazyaudit_table_must_be_a_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool]\nlazyaudit = "on"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a table"):
        load_config(tmp_path)


def test_broken_pyproject_is_a_finding_and_defaults_are_used(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.lazyaudit]\nselect = ["LA1"\n', encoding="utf-8")
    config, findings = load_config(tmp_path, {"heavy-modules": 3})
    assert [(f.code, f.path) for f in findings] == [("LA900", "pyproject.toml")]
    assert config == Config(heavy_modules=3)


@pytest.mark.parametrize(("value", "expected"), [('"3.11"', "3.11"), ('"py310"', "3.10"), ('""', "")])
def test_target_version_forms(tmp_path: Path, value: str, expected: str) -> None:
    assert load_config(project(tmp_path, f"target-version = {value}"))[0].target_version == expected


@pytest.mark.parametrize(
    ("path", "pattern", "matches"),
    [("pkg/tests/test_a.py", "tests", True), ("tests_helpers.py", "tests", False), ("src/a.py", "src/*", True),
     ("src/sub/a.py", "src", True), ("lib/src/a.py", "src/*", False), ("x/test_a.py", "test_*.py", True)],
)
def test_path_matches(path: str, pattern: str, matches: bool) -> None:
    assert path_matches(path, pattern) is matches


def test_config_is_hashable_and_frozen() -> None:
    config = Config()
    hash(config)
    with pytest.raises(AttributeError):
        config.heavy_modules = 1  # type: ignore[misc]


def test_defaults_match_source_discovery() -> None:
    sources = pytest.importorskip("lazyaudit.sources")
    assert DEFAULT_EXCLUDE == sources.DEFAULT_EXCLUDE
    assert DEFAULT_DEV_PATHS == sources.DEFAULT_DEV


def test_docs_describe_every_key() -> None:
    documented = set(re.findall(r"^### `([a-z-]+)`", DOCS.read_text(encoding="utf-8"), re.MULTILINE))
    assert documented == set(config_module._KEYS)


_PARTS = st.sampled_from(["tests", "src", "pkg", "docs", "a.egg-info", "build", "x.py", "conftest.py", "node_modules"])
_PATTERNS = st.sampled_from(["tests", "*.egg-info", "build", "src/pkg", "docs/*", "t?sts", "[bx]uild", "/src/",
                             "conftest.py", "pkg/*.py", "*"])


@given(st.lists(_PARTS, min_size=1, max_size=5), st.lists(_PATTERNS, max_size=6))
def test_path_matcher_agrees_with_path_matches(parts, patterns):
    path = "/".join(parts)
    assert PathMatcher(patterns)(path) == any(path_matches(path, p) for p in patterns)

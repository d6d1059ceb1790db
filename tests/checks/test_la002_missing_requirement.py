"""LA002 missing-requirement: runtime imports of distributions nothing declared brings in."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_la00_usage import context, dist, found, imp

from lazyaudit.checks import la002_missing_requirement as la002

DISTS = [dist("requests", top=["requests"], requires=["urllib3"]), dist("urllib3", top=["urllib3"]),
         dist("PyYAML", top=["yaml"]), dist("pytest", top=["pytest", "_pytest"])]


@pytest.mark.parametrize(("records", "expected"), [
    ([imp("yaml", 4)], {("LA002", "app.py", 4, "pyyaml")}),
    ([imp("yaml", 4, "deferred", scope="f")], {("LA002", "app.py", 4, "pyyaml")}),
    ([imp("yaml", 4, "guarded", guard=1)], set()),  # optional: the code has a fallback
    ([imp("yaml", 4, "deferred", scope="f", guard=2)], set()),
    ([imp("yaml", 4, "type_checking")], set()),
    ([imp("yaml", 4, "conditional", condition="sys.platform == 'win32'")], set()),  # false on the target
    ([imp("ujson", 4)], {("LA002", "app.py", 4, "ujson")}),  # not installed, nothing declares it
    ([imp("requests", 4)], set()),  # declared
    ([imp("urllib3", 4)], set()),  # LA003, not LA002
])
def test_kinds(tmp_path: Path, records: list, expected: set) -> None:
    ctx = context(tmp_path, {"app.py": records}, reqs={"requirements.txt": "requests\n"}, dists=DISTS)
    assert found(la002, ctx) == expected


def test_dev_code_and_first_party_are_not_missing(tmp_path: Path) -> None:
    ctx = context(tmp_path, {
        "tests/test_app.py": [imp("pytest"), imp("yaml")],
        "yaml_tools/__init__.py": [],
        "app.py": [imp("yaml_tools"), imp("app2")],
        "app2.py": [],
    }, reqs={"requirements.txt": "requests\n"}, dists=DISTS)
    assert found(la002, ctx) == set()


def test_one_finding_per_distribution_with_every_import(tmp_path: Path) -> None:
    ctx = context(tmp_path, {"a.py": [imp("yaml", 3)], "b.py": [imp("yaml.constructor", 7)]},
                  reqs={"requirements-dev.txt": "PyYAML\n"}, dists=DISTS)
    (finding,) = la002.check(ctx)
    assert (finding.path, finding.line, finding.subject) == ("a.py", 3, "pyyaml")
    assert finding.data["imports"] == ["a.py:3", "b.py:7"]
    assert finding.data["modules"] == ["yaml", "yaml.constructor"]
    assert finding.data["declared_for_dev"] == "requirements-dev.txt:1"
    assert "declared only for development" in finding.message


def test_optional_extra_declares(tmp_path: Path) -> None:
    pyproject = '[project]\nname = "x"\nversion = "1"\n[project.optional-dependencies]\nyaml = ["PyYAML"]\n'
    ctx = context(tmp_path, {"app.py": [imp("yaml")]}, reqs={"pyproject.toml": pyproject}, dists=DISTS)
    assert found(la002, ctx) == set()


@pytest.mark.parametrize(("target", "expected"), [
    ("trio", set()),  # not installed, needed only when the test holds: optional
    ("yaml", {("LA002", "asgi.py", 5, "pyyaml")}),  # installed and undeclared: the branch does run somewhere
])
def test_undecidable_condition_in_a_function(tmp_path: Path, target: str, expected: set) -> None:
    record = imp(target, 5, "deferred", scope="create_event", condition='sniffio.current_async_library() == "trio"')
    ctx = context(tmp_path, {"asgi.py": [record]}, reqs={"requirements.txt": "requests\n"}, dists=DISTS)
    assert found(la002, ctx) == expected

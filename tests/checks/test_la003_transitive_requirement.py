"""LA003 transitive-requirement: imported distributions installed only as another one's dependency."""

from __future__ import annotations

from pathlib import Path

from test_la00_usage import context, dist, found, imp

from lazyaudit.checks import la002_missing_requirement as la002
from lazyaudit.checks import la003_transitive_requirement as la003

DISTS = [dist("langchain-core", top=["langchain_core"], requires=["jsonpatch<2", "pydantic"]),
         dist("jsonpatch", top=["jsonpatch"], requires=["jsonpointer"]), dist("jsonpointer", top=["jsonpointer"]),
         dist("pydantic", top=["pydantic"]), dist("fastapi", top=["fastapi"], requires=['jinja2; extra == "all"']),
         dist("jinja2", top=["jinja2"]), dist("requests", top=["requests"])]


def test_names_the_distribution_that_brings_it(tmp_path: Path) -> None:
    ctx = context(tmp_path, {"runner.py": [imp("jsonpatch", 3), imp("jsonpointer", 4, "deferred", scope="f")]},
                  reqs={"requirements.txt": "langchain-core>=1\n"}, dists=DISTS)
    assert found(la003, ctx) == {("LA003", "runner.py", 3, "jsonpatch"), ("LA003", "runner.py", 4, "jsonpointer")}
    by = {f.subject: f for f in la003.check(ctx)}
    assert by["jsonpatch"].data["required_by"] == ["langchain-core"]
    assert by["jsonpointer"].data["required_by"] == ["jsonpatch"]
    assert by["jsonpointer"].data["declared_roots"] == ["langchain-core"]
    assert "langchain-core" in by["jsonpatch"].message
    assert found(la002, ctx) == set()


def test_extras_of_the_declaration_count(tmp_path: Path) -> None:
    ctx = context(tmp_path, {"app.py": [imp("jinja2")]}, reqs={"requirements.txt": "fastapi[all]\n"}, dists=DISTS)
    assert found(la003, ctx) == {("LA003", "app.py", 1, "jinja2")}
    ctx = context(tmp_path / "plain", {"app.py": [imp("jinja2")]}, reqs={"requirements.txt": "fastapi\n"}, dists=DISTS)
    assert found(la003, ctx) == set()
    assert found(la002, ctx) == {("LA002", "app.py", 1, "jinja2")}


def test_not_in_any_declared_closure_is_la002(tmp_path: Path) -> None:
    ctx = context(tmp_path, {"remote.py": [imp("requests", 10, "deferred", scope="fetch")]},
                  reqs={"requirements.txt": "langchain-core\n"}, dists=DISTS)
    assert found(la003, ctx) == set()
    assert found(la002, ctx) == {("LA002", "remote.py", 10, "requests")}

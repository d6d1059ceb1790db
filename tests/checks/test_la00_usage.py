"""DependencyUsage: import -> distribution mapping, first-party names, kinds; and the shared test builders of LA001-LA005."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from lazyaudit.checks.context import CheckContext
from lazyaudit.checks.dependency_usage import MISSING, THIRD_PARTY, UNMAPPED, guess_import_names, usage
from lazyaudit.closure import ImportResolver
from lazyaudit.config import Config
from lazyaudit.environment import Environment
from lazyaudit.model import ImportKind, ImportRecord, ParsedModule
from lazyaudit.modindex import ModuleIndex
from lazyaudit.requirements import load_requirements
from lazyaudit.sources import discover_sources
from lazyaudit.tool_commands import ToolCommand

MARKERS = {
    "python_version": "3.11", "python_full_version": "3.11.7", "sys_platform": "linux", "os_name": "posix",
    "platform_system": "Linux", "platform_machine": "x86_64", "platform_release": "6.1",
    "platform_version": "#1", "implementation_name": "cpython", "platform_python_implementation": "CPython",
    "implementation_version": "3.11.7",
}


def dist(name: str, version: str = "1.0", top: Sequence[str] = (), requires: Sequence[str] = (),
         scripts: Sequence[str] = (), groups: Sequence[str] = (), portions: Sequence[str] = ()) -> dict[str, Any]:
    """One distribution as _introspect.py describes it (`portions`: its namespace package portions)."""
    return {"name": name, "version": version, "top_level": list(top), "requires": list(requires),
            "console_scripts": list(scripts), "namespace_portions": list(portions),
            "entry_point_groups": sorted({*groups, *(["console_scripts"] if scripts else [])})}


def environment(dists: Iterable[dict[str, Any]], sys_path: Sequence[str] = ()) -> Environment:
    return Environment.from_dict({
        "executable": "/target/bin/python", "version_info": [3, 11, 7, "final", 0], "markers": MARKERS,
        "stdlib_module_names": sorted(sys.stdlib_module_names), "builtin_module_names": list(sys.builtin_module_names),
        "sys_path": list(sys_path), "distributions": list(dists),
    })


def imp(target: str, line: int = 1, kind: str = "eager", *, names: Sequence[str] = (), scope: str = "",
        condition: str = "", guard: int = 0) -> ImportRecord:
    """An import record as the parser makes it (`importer` is filled in by `context`)."""
    branch = "try" if guard else ""
    return ImportRecord("", target, line, 0, ImportKind(kind), tuple(names), scope=scope, condition=condition,
                        guard=guard, guard_branch=branch, is_from=bool(names))


def context(tmp_path: Path, files: dict[str, Sequence[ImportRecord]], *, reqs: dict[str, str] | None = None,
            dists: Iterable[dict[str, Any]] = (), sys_path: Sequence[str] = (), tools: Sequence[ToolCommand] = (),
            roots: Sequence[str] = (), function_roots: Sequence[str] = (), config: Config | None = None) -> CheckContext:
    """A CheckContext over real files on disk (empty .py files, real requirement files) with hand-made imports."""
    for rel in files:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    for rel, text in (reqs or {}).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    config = config or Config()
    sources = discover_sources(tmp_path, roots=roots, function_roots=function_roots, dev_paths=config.dev_paths)
    by_rel = {f.rel: f for f in sources.files}
    parsed = {}
    for rel, records in files.items():
        f = by_rel[rel]
        recs = tuple(ImportRecord(f.module, r.target, r.line, r.column, r.kind, r.names, scope=r.scope,
                                  condition=r.condition, guard=r.guard, guard_branch=r.guard_branch,
                                  is_from=r.is_from) for r in records)
        parsed[rel] = ParsedModule(f.module, f.path, f.is_package, imports=recs)
    env = environment(dists, sys_path)
    first_party = sources.modules(sources.search_roots(""))
    index = ModuleIndex(env, first_party, {f.module: parsed[f.rel] for f in first_party.values() if f.rel in parsed},
                        module_map=config.module_map)
    return CheckContext(
        root=tmp_path, config=config, env=env, sources=sources, files=by_rel, parsed=parsed, entries=(),
        requirements=load_requirements(tmp_path, roots=function_roots), views=(), project_index=index,
        project_resolver=ImportResolver(index), graph_factory=lambda: None, tool_commands=tuple(tools),
    )


def found(module: Any, ctx: CheckContext) -> set[tuple[str, str, int, str]]:
    """(code, path, line, subject) of a check's findings."""
    return {(f.code, f.path, f.line, f.subject) for f in module.check(ctx)}


# --- tests of the shared usage facts ------------------------------------------------------------------------


def test_first_party_names_come_from_every_root(tmp_path: Path) -> None:
    ctx = context(tmp_path, {
        "functions/notifier/app.py": [imp("formatting"), imp("shared_utils", 2)],
        "functions/notifier/formatting.py": [],
        "layers/shared/python/shared_utils.py": [],
        "langchain/__init__.py": [],  # a project folder named like a real distribution
        "src/handlers.py": [imp("langchain.chains", 3), imp("yaml", 4)],
        "tests/test_app.py": [imp("app")],
    }, dists=[dist("langchain", top=["langchain"]), dist("PyYAML", top=["yaml"])],
        roots=["layers/shared/python"], function_roots=["functions/notifier"])
    facts = usage(ctx)
    assert [(u.module, u.distribution, u.category) for u in facts.uses] == [("yaml", "pyyaml", THIRD_PARTY)]


def test_mapping_kinds_and_guesses(tmp_path: Path) -> None:
    ctx = context(tmp_path, {
        "app.py": [
            imp("dateutil.parser", 1),
            imp("google.cloud", 2, names=["storage"]),
            imp("ujson", 3, "guarded", guard=1),
            imp("mypy_boto3_s3", 4, "type_checking"),
            imp("tomli", 5, "conditional", condition="sys.version_info < (3, 11)"),
            imp("bs4", 6, "deferred", scope="f"),
            imp("nowhere", 7),
            imp("yaml", 8),
        ],
    }, reqs={"requirements.txt": "beautifulsoup4\nPyYAML\n"},
        dists=[dist("python-dateutil", top=["dateutil"]), dist("google-cloud-storage", top=["google"]),
               dist("protobuf", top=["google"])])
    facts = usage(ctx)
    got = {u.module: (u.distribution, u.category, u.mapping, u.optional, u.type_only, u.active) for u in facts.uses}
    assert got["dateutil.parser"] == ("python-dateutil", THIRD_PARTY, "top_level.txt", False, False, True)
    assert got["ujson"][1:] == (MISSING, "", True, False, True)
    assert got["mypy_boto3_s3"][4] is True
    assert got["tomli"][5] is False  # the target is 3.11
    assert got["bs4"][:3] == ("", MISSING, "")  # no guess reaches bs4: LA002 says to map it
    assert got["yaml"][:3] == ("pyyaml", MISSING, "guess")  # declared, not installed: a reported guess
    assert got["nowhere"][:2] == ("", MISSING)
    assert UNMAPPED not in {u.category for u in facts.uses}


def test_guess_import_names() -> None:
    assert "yaml" in guess_import_names("pyyaml")
    assert "dateutil" in guess_import_names("python-dateutil")
    assert "google.cloud.storage" in guess_import_names("google-cloud-storage")
    assert guess_import_names("requests") == ("requests",)


def test_user_module_map_wins(tmp_path: Path) -> None:
    config = Config(module_map={"humps": "pyhumps"})
    ctx = context(tmp_path, {"app.py": [imp("humps")]}, dists=[dist("pyhumps", top=["humps_other"])], config=config)
    (use,) = usage(ctx).uses
    assert (use.distribution, use.mapping, use.category) == ("pyhumps", "user", THIRD_PARTY)


def test_runtime_scope_is_the_installed_package_and_what_entries_reach(tmp_path: Path) -> None:
    from lazyaudit.model import Entry

    ctx = context(tmp_path, {
        "webfw/__init__.py": [imp("yaml")],  # the project, installed in its own environment
        "docs_src/tutorial.py": [imp("sqlalchemy")],  # examples: not shipped
        "handlers/api.py": [imp("helpers")],
        "helpers.py": [imp("requests", 3)],  # reached from the entry
        "manage.py": [imp("django")],  # reached by nothing
    }, dists=[dist("webfw", top=["webfw"]), dist("PyYAML", top=["yaml"])])
    ctx.entries = (Entry("handlers.api", "handler"),)
    facts = usage(ctx)
    assert facts.scope == {"webfw/__init__.py", "handlers/api.py", "helpers.py"}
    assert {u.module: u.dev for u in facts.uses} == {"yaml": False, "sqlalchemy": True, "requests": False,
                                                     "django": True}


def test_without_entries_or_installed_package_every_non_dev_file_is_runtime(tmp_path: Path) -> None:
    ctx = context(tmp_path, {"good.py": [imp("yaml")], "tests/test_good.py": [imp("pytest")]})
    facts = usage(ctx)
    assert facts.scope is None
    assert {u.module: u.dev for u in facts.uses} == {"yaml": False, "pytest": True}


def test_pip_files_beside_package_metadata_are_environments(tmp_path: Path) -> None:
    pyproject = '[project]\nname = "x"\nversion = "1"\ndependencies = ["PyYAML"]\n'
    ctx = context(tmp_path, {"app.py": [], "fn/handler.py": []},
                  reqs={"pyproject.toml": pyproject, "requirements.txt": "pre-commit\n", "fn/requirements.txt": "boto3\n"},
                  function_roots=["fn"])
    facts = usage(ctx)
    assert sorted(r.name for r in facts.runtime_reqs) == ["boto3", "pyyaml"]
    assert "pre-commit" in facts.dev_names

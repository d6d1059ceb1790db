"""The body of each CLI command: load, analyse, render; returns (text, exit code) and never prints."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lazyaudit.errors import LazyauditError
from lazyaudit.rules import DEPS_CODES, RULES

EXIT_CLEAN, EXIT_FINDINGS = 0, 1


def _load(args: Any, entries: list[str] | None = None, *, imports_only: bool = False):  # type: ignore[no-untyped-def]
    from lazyaudit.analysis import load_project

    overrides = {"select": getattr(args, "select", None), "ignore": getattr(args, "ignore", None)}
    project = load_project(
        getattr(args, "path", "."), args.python, entries=entries if entries is not None else getattr(args, "entry", []),
        overrides=overrides, cache=not args.no_cache, imports_only=imports_only,
        progress=getattr(args, "progress", None),  # set by the CLI on a terminal only
    )
    loaded = getattr(args, "loaded", None)
    if loaded is not None:  # set by _cached: which files the project's parse cache was asked about
        loaded.append(project)
    return project


def _cached(command: str, args: Any, color: bool, run: Callable[[Any, bool], tuple[str, int]]) -> tuple[str, int]:
    """`run(args, color)`, or the report it made last time if none of its inputs changed (result_cache)."""
    if args.no_cache:
        return run(args, color)
    from lazyaudit import result_cache

    cache = result_cache.for_command(command, args, color)
    stored = cache.lookup() if cache is not None else None
    if stored is not None:
        return stored
    args.loaded = []
    with result_cache.watching_opens() as opened:
        text, code = run(args, color)
    projects, args.loaded = args.loaded, None
    for project in projects:
        project.save_caches()
    if cache is not None and projects and all(p.config.cache for p in projects):
        touched = [path for p in projects if p.cache is not None for path in p.cache.touched]
        cache.store(text, code, [*opened, *touched])
    return text, code


def _profile_data(args: Any) -> dict[str, Any] | None:
    path = getattr(args, "profile_data", None)
    if not path:
        return None
    from lazyaudit.profiling import load_profile

    return load_profile(path)


def _report(args: Any, color: bool, default_codes: tuple[str, ...]) -> tuple[str, int]:
    from lazyaudit.report import render

    project = _load(args, imports_only=set(default_codes) <= {*DEPS_CODES, "LA900"})
    codes = set(project.config.enabled) & set(default_codes)
    profile = _profile_data(args)
    findings = project.audit(codes, profile=profile, debug=args.debug)
    # the flag is relative to the working directory, the pyproject setting to the project root
    baseline = Path(args.baseline) if args.baseline else project.root / project.config.baseline
    if args.baseline or project.config.baseline:
        from lazyaudit.report.baseline import filter_new, load_baseline

        findings = filter_new(findings, load_baseline(baseline))
    summary = project.summary(findings)
    if set(default_codes) - set(DEPS_CODES) - {"LA900"}:
        from lazyaudit.costs import entry_costs

        summary["cost"] = entry_costs(project, profile)
    return render(args.format, findings, summary, color=color), EXIT_FINDINGS if findings else EXIT_CLEAN


def run_audit(args: Any, color: bool) -> tuple[str, int]:
    return _cached("audit", args, color, lambda a, c: _report(a, c, tuple(RULES)))


def run_deps(args: Any, color: bool) -> tuple[str, int]:
    return _cached("deps", args, color, lambda a, c: _report(a, c, (*DEPS_CODES, "LA900")))


def run_closure(args: Any, color: bool) -> tuple[str, int]:
    return _cached("closure", args, color, _closure)


def _closure(args: Any, color: bool) -> tuple[str, int]:
    project = _load(args, entries=[])
    resolver = project.resolver(args.entry_root)
    index = resolver.index
    if index.info(args.module).category == "missing":
        raise LazyauditError(f"module {args.module} not found in the project or in {project.env.executable}")
    modules = sorted(resolver.loaded_modules([args.module], stdlib=not args.no_stdlib))
    if args.no_stdlib:  # the closure still reaches stdlib modules from installed code: leave them out
        modules = [m for m in modules if index.info(m).category != "stdlib"]
    if args.format == "json":
        return json.dumps({"module": args.module, "modules": modules}, indent=2) + "\n", EXIT_CLEAN
    return _closure_text(args.module, [index.info(m) for m in modules]), EXIT_CLEAN


def _closure_text(module: str, infos: list[Any]) -> str:
    order = ("first_party", "third_party", "stdlib", "missing")
    by_cat = {c: sum(i.category == c for i in infos) for c in order}
    dists: dict[str, int] = {}
    for i in infos:
        if i.distribution:
            dists[i.distribution] = dists.get(i.distribution, 0) + 1
    head = ", ".join(f"{n} {c.replace('_', '-')}" for c, n in by_cat.items() if n)
    lines = [f"import {module} loads {len(infos)} modules ({head})"]
    if dists:
        top = sorted(dists.items(), key=lambda kv: (-kv[1], kv[0]))
        line = f"from {len(dists)} distributions:"
        for k, (d, n) in enumerate(top):
            item = f" {d} {n}" + ("," if k < len(top) - 1 else "")
            if len(line) + len(item) > 100:  # wrap between items, never inside one
                lines.append(line)
                line = " "
            line += item
        lines.append(line)
    width = min(max((len(i.name) for i in infos), default=0), 48)  # a few very long names may overflow it
    lines.append("")
    for i in sorted(infos, key=lambda i: (order.index(i.category) if i.category in order else 9, i.name)):
        where = i.rel if i.category == "first_party" else i.distribution
        lines.append(f"  {i.name:<{width}}  {i.category.replace('_', '-'):<11}  {where}".rstrip())
    return "\n".join(lines) + "\n"


def run_why(args: Any, color: bool) -> tuple[str, int]:
    return _cached("why", args, color, _why)


def _why(args: Any, color: bool) -> tuple[str, int]:
    from lazyaudit.why import explain

    project = _load(args)
    if project.index().info(args.module).category == "missing":
        raise LazyauditError(f"module {args.module} not found in the project or in {project.env.executable}")
    result = explain(project, args.module, cli_only=bool(args.entry))  # --entry narrows to the named entries
    if args.format == "json":
        return json.dumps(result, indent=2, sort_keys=True) + "\n", EXIT_CLEAN
    from lazyaudit.why import format_text

    return format_text(result), EXIT_CLEAN


def run_graph(args: Any, color: bool) -> tuple[str, int]:
    from lazyaudit.report.dot import draw

    project = _load(args)
    message = draw(project, args, _profile_data(args))
    return message, EXIT_CLEAN


def run_profile(args: Any, color: bool) -> tuple[str, int]:
    return _profile_text(args, color), EXIT_CLEAN


def run_fix(args: Any, color: bool) -> tuple[str, int]:
    from lazyaudit.codemods.runner import fix_command

    project = _load(args)
    return fix_command(project, args, color)


def _profile_text(args: Any, color: bool) -> str:
    """The `lazyaudit profile` command: measure, name folded importers, save, render."""
    from lazyaudit.profiling import attribute_folded, measure, save_profile, static_importers

    profile = measure(args.module, python=args.python, path=args.path, runs=args.runs, timeout=args.timeout)
    if profile.folded:
        importers = static_importers(profile.module, args.path, args.python, list(profile.folded),
                                     cache=not getattr(args, "no_cache", False))
        profile = attribute_folded(profile, importers)
    if args.save:
        save_profile(profile, args.save)
    if args.format == "json":
        return json.dumps(profile.as_dict(), indent=2) + "\n"
    from lazyaudit.report.profile_table import render_profile

    lines = [
        (f"note: ran `import {profile.module}` {profile.runs} time{'s' if profile.runs != 1 else ''} in a subprocess "
        f"(this executes its code; timeout {args.timeout:g} s a run), from {Path(args.path).resolve().name}/"),
        "",
        render_profile(profile.as_dict(), color=color).rstrip("\n"),
    ]
    if args.save:
        lines += ["", (f"saved to {args.save}; `lazyaudit audit --profile-data {args.save}` (and `graph`) "
                      "use these measured times instead of the estimate")]
    return "\n".join(lines) + "\n"

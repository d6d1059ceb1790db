"""LA201 bundle-size: each Lambda function's distribution closure against the unzipped ZIP limit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lazyaudit.model import Finding
from lazyaudit.rules import RULES

if TYPE_CHECKING:
    from lazyaudit.checks.context import CheckContext, EntryView

CODE = "LA201"
MIB = 1024 * 1024  # AWS's "250 MB" unzipped limit is 262,144,000 bytes: 250 MiB
# Kinds of first-party imports that may run in the function: the cold start and every later call.
_RUNS_SOMETIME = frozenset({"deferred", "lazy", "dynamic"})
# A virtualenv's installers: present in every environment (and in the Lambda base image), needed by none.
_INSTALLERS = frozenset({"pip", "setuptools", "wheel"})
_SHOWN = 8


@dataclass(frozen=True, slots=True)
class Bundle:
    """What one entry point needs installed, by RECORD size."""

    distributions: tuple[str, ...]  # canonical names, sorted
    direct: tuple[str, ...]  # distributions of modules the entry's code loads or imports
    size: int  # sum of RECORD sizes of `distributions`
    code_bytes: int  # source bytes of the first-party modules it reaches
    unmapped: tuple[str, ...]  # third-party modules no installed distribution claims


def bundle(ctx: CheckContext, view: EntryView) -> Bundle:
    """The entry's distributions: those of every third-party module its reachable first-party code imports
    (eagerly or in functions) or its cold start loads, plus their Requires-Dist closure here."""
    index, resolver = view.index, view.resolver
    first_party, third_party = _reach(view)
    loaded = resolver.closure(sorted(third_party)) if third_party else {}
    modules = {m for m in [*loaded, *view.loaded] if index.info(m).category == "third_party"}
    direct = {index.info(m).distribution for m in modules} - {""}
    unmapped = sorted(m for m in modules if not index.info(m).distribution)
    extras = {r.name: r.extras for r in ctx.requirements.runtime if r.extras}
    roots = [f"{d}[{','.join(extras[d])}]" if d in extras else d for d in sorted(direct)]
    names = set(ctx.env.requires_closure(roots)) | direct
    dists = [d for d in (ctx.env.distribution(n) for n in sorted(names)) if d is not None]
    code = sum(index.info(m).source_bytes for m in first_party)
    return Bundle(tuple(d.name for d in dists), tuple(sorted(direct)), sum(d.size for d in dists), code, tuple(unmapped))


def _reach(view: EntryView) -> tuple[set[str], set[str]]:
    """First-party modules reachable from the entry through any import that can run, and the
    third-party modules they import."""
    index, resolver = view.index, view.resolver
    todo = [view.entry.module]
    seen = {view.entry.module}
    third: set[str] = set()
    while todo:
        module = todo.pop()
        for edge in resolver.edges(module):
            if not (edge.executed or edge.kind in _RUNS_SOMETIME):
                continue
            category = index.info(edge.target).category
            if category == "third_party":
                third.add(edge.target)
            elif category == "first_party" and edge.target not in seen:
                seen.add(edge.target)
                todo.append(edge.target)
    return seen, third


def check(ctx: CheckContext) -> Iterable[Finding]:
    views = [v for v in ctx.views if v.found]
    if not views:
        return
    bundles = {id(v): bundle(ctx, v) for v in views}
    needed = {n for b in bundles.values() for n in b.distributions}
    own = ctx.sources.top_level_names()  # the project itself, when it is installed (editable) here
    unreachable = sorted(
        (d for d in ctx.env.distributions
         if d.name not in needed and d.name not in _INSTALLERS and not own & set(d.top_level)),
        key=lambda d: (-d.size, d.name),
    )
    limit = ctx.config.bundle_limit_mb * MIB
    for view in views:
        entry = view.entry
        if entry.package_type not in ("Zip", "Image"):
            continue  # not a Lambda function: no package limit applies
        b = bundles[id(view)]
        total = b.size + b.code_bytes
        fits = total <= limit
        if entry.package_type == "Zip" and fits:
            continue
        if entry.package_type == "Image" and not fits:
            continue  # an image is the way to ship more than the ZIP limit
        yield _finding(ctx, view, b, total, limit, unreachable)


def _finding(ctx: CheckContext, view: EntryView, b: Bundle, total: int, limit: int, unreachable: list) -> Finding:
    entry = view.entry
    who = f"{entry.name} ({entry.spec})" if entry.name else entry.spec
    need = (f"needs {len(b.distributions)} distributions, {_mb(b.size)} installed (RECORD sizes) "
            f"+ {_mb(b.code_bytes)} of its own code")
    if entry.package_type == "Image":
        head = (f"{who} is PackageType: Image but {need} = {_mb(total)}, within the {_mb(limit)} unzipped ZIP "
                f"limit (layers included): a ZIP package avoids pulling the container image on cold starts.")
    else:
        head = (f"{who} {need} = {_mb(total)}, over the {_mb(limit)} unzipped ZIP limit (layers included): "
                f"the deployment fails; drop or defer dependencies, split the function, or use a container image.")
    tail = ""
    if unreachable:
        shown = ", ".join(f"{d.name} ({_mb(d.size)})" for d in unreachable[:_SHOWN])
        more = f" and {len(unreachable) - _SHOWN} more" if len(unreachable) > _SHOWN else ""
        tail = (f" Installed but unreachable from every entry point ({_mb(sum(d.size for d in unreachable))}, "
                f"drop them from the package or image): {shown}{more}.")
    by_name = {d.name: d for d in ctx.env.distributions}
    dists = [{"name": n, "version": by_name[n].version, "size": by_name[n].size, "direct": n in b.direct}
             for n in b.distributions]
    return Finding(
        CODE, head + tail, entry.path, entry.line, 0, subject=entry.module, severity=RULES[CODE].severity,
        data={"entry": entry.spec, "logical_id": entry.name, "package_type": entry.package_type, "fits": total <= limit,
              "size": b.size, "code_bytes": b.code_bytes, "total": total, "limit": limit, "distributions": dists,
              "unmapped": list(b.unmapped),
              "unreachable": [{"name": d.name, "version": d.version, "size": d.size} for d in unreachable],
              "unreachable_size": sum(d.size for d in unreachable)},
    )


def _mb(size: int) -> str:
    if size >= MIB / 10:
        return f"{size / MIB:.1f} MB"
    return f"{size / 1024:.0f} KB" if size >= 1024 else f"{size} bytes"

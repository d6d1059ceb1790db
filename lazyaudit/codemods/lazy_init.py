"""LA102 fix: turn a package `__init__`'s eager re-exports into PEP 562 `__getattr__`/`__dir__` lazy ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from lazyaudit.codemods._checking import type_checking_expr
from lazyaudit.codemods._edit import ImportSite, code, import_sites, import_text, leading, merge_lines, statement
from lazyaudit.codemods._init_names import literal_all, loaded_submodules, public_star_names
from lazyaudit.codemods._uses import ModuleUses, dotted_name
from lazyaudit.codemods.result import FixRequest, Outcome, SkipReason

if TYPE_CHECKING:
    from lazyaudit.codemods.safety import ProjectFacts

TABLE = "_LAZY_EXPORTS"
_HOOKS = ("__getattr__", "__dir__", TABLE)
_BLANK = cst.EmptyLine()
_MACHINERY = '''
# Lazy re-exports (PEP 562), written by `lazyaudit fix`: name -> (module, attribute), "" = the module itself.
{table} = {{
{entries}}}


def __getattr__(name: str) -> object:
    try:
        module_name, _ = {table}[name]
    except KeyError:
        raise AttributeError(f"module {{__name__!r}} has no attribute {{name!r}}") from None
    import importlib
    import sys

    namespace = sys.modules[__name__].__dict__  # not globals(): a submodule may be called "globals"
    module = importlib.import_module(module_name, __name__)
    # Cache every name this module provides: later reads skip __getattr__, and a submodule named
    # like one of its functions (which the import system just set as an attribute of this package)
    # cannot stand in for the function.
    for key, (source, attribute) in {table}.items():
        if source == module_name:
            namespace[key] = getattr(module, attribute) if attribute else module
    return namespace[name]


def __dir__() -> list[str]:
    import sys

    added = {{{hidden}}}  # by lazyaudit fix
    return sorted((set(sys.modules[__name__].__dict__) - added) | set({table}))
'''


@dataclass(frozen=True)
class _Lazy:
    site: ImportSite
    local: str
    source: str  # module string for importlib.import_module(source, __name__)
    attribute: str  # "" when the name is the module itself


def lazy_init(module: cst.Module, requests: FixRequest | Sequence[FixRequest],
              facts: ProjectFacts) -> tuple[cst.Module, list[Outcome]]:
    """Rewrite a package `__init__` for its LA102 request(s); never raises."""
    outcomes: list[Outcome] = []
    for req in [requests] if isinstance(requests, FixRequest) else requests:
        try:
            module, got = _lazy_init(module, req, facts)
        except Exception as exc:  # noqa: BLE001 - a codemod reports, it does not crash the run
            got = [req.fail(f"internal error while making {req.subject} lazy: {type(exc).__name__}: {exc}")]
        outcomes.extend(got)
    return module, outcomes


def _lazy_init(module: cst.Module, req: FixRequest, facts: ProjectFacts) -> tuple[cst.Module, list[Outcome]]:
    if req.subject and req.subject != req.module:
        return module, [req.skip(SkipReason.NOT_FOUND, f"{req.rel} is {req.module}, not package {req.subject}")]
    if not req.is_package:
        return module, [req.skip(SkipReason.UNSUPPORTED, f"{req.rel} is not a package __init__")]
    uses = ModuleUses(module)
    hooks = [h for h in _HOOKS if uses.bindings(h)]
    if hooks:
        if TABLE in hooks:
            return module, [req.skip(SkipReason.NOT_FOUND, f"already lazy ({TABLE} is defined)")]
        return module, [req.skip(SkipReason.HAS_GETATTR, f"the package already defines {hooks[0]}")]
    exported, dynamic = literal_all(module)
    star_names: list[str] | None = None
    sites = import_sites(module, req.module, True, uses.line)
    if exported is None and not dynamic:
        star_names, why = public_star_names(module, uses, sites, req, facts)
        if star_names is None:
            return module, [req.skip(SkipReason.STAR, f"no __all__, and {why}: `from {req.module} import *` "
                                     "would change")]
    if uses.dynamic:
        return module, [req.skip(SkipReason.DYNAMIC_NAMESPACE, f"the package calls {uses.dynamic}")]
    wanted = set(req.data.get("submodules") or ())
    outcomes: list[Outcome] = []
    lazy: list[_Lazy] = []
    for site in sites:
        if site.future:
            continue
        inside = site.target == req.module or site.target.startswith(req.module + ".")
        if not (site.target in wanted or (inside and not wanted) or (site.target == req.module and wanted)):
            continue
        if site.star:
            outcomes.append(req.skip(SkipReason.STAR, f"line {site.line}: `from {site.target} import *` keeps its "
                                     "eager semantics"))
            continue
        if len(site.line_node.body) != 1 or (isinstance(site.small, cst.Import) and len(site.aliases) != 1):
            outcomes.append(req.skip(SkipReason.UNSUPPORTED, f"line {site.line}: several imports in one statement"))
            continue
        for alias in site.aliases:
            verdict = _check(uses, site, alias.local, alias.name, req, facts)
            if isinstance(verdict, Outcome):
                outcomes.append(verdict)
            else:
                lazy.append(verdict)
    lazy = _guard_submodule_names(lazy, sites, req, facts, outcomes)
    if not lazy:
        return module, outcomes or [req.skip(SkipReason.NOT_FOUND, "no eager re-export left to make lazy")]
    new = _rewrite(module, uses, sites, lazy, req, star_names, loaded_submodules(req.module, facts))
    names = tuple(x.local for x in lazy)
    text = f"{len(names)} re-export{'s' if len(names) != 1 else ''} now load on first access (PEP 562): " + ", ".join(
        names)
    outcomes.insert(0, req.done(text, names, submodules=sorted({x.source for x in lazy})))
    return new, outcomes


def _check(uses: ModuleUses, site: ImportSite, local: str, name: str, req: FixRequest,
           facts: ProjectFacts) -> Outcome | _Lazy:
    skip = req.skip
    if uses.uses(site.small, local):
        return skip(SkipReason.USED_BY_PACKAGE, f"{local} is read by the package's own code; it stays eager", (local,))
    if [b for b in uses.bindings(local) if b is not site.small] or local in uses.globals_declared:
        return skip(SkipReason.REBOUND, f"{local} is bound more than once in the package", (local,))
    if isinstance(site.small, cst.Import):
        if "." in name and local == name.split(".", 1)[0]:
            return skip(SkipReason.UNSUPPORTED, f"`import {name}` binds the top package {local}", (local,))
        return _Lazy(site, local, name, "")
    submodule = f"{site.target}.{name}"
    why = facts.side_effect(site.target) or (facts.side_effect(submodule) if submodule in facts.modules else "")
    if why:
        return skip(SkipReason.SIDE_EFFECT, f"{local} stays eager: {why}", (local,))
    written = "." * len(site.small.relative) + (dotted_name(site.small.module) if site.small.module else "")
    if submodule in facts.modules:  # `from . import sub` / `from .a import b` where b is a module
        if not facts.importers.get(submodule) and not facts.attribute_reads.get(req.module, frozenset()) & {local}:
            return skip(SkipReason.SIDE_EFFECT, f"nothing reads submodule {local} through the package: "
                        "it is imported for its side effects", (local,))
        source = f"{written}.{name}" if written.strip(".") else f"{written}{name}"
        return _Lazy(site, local, source, "")
    if site.target == req.module:
        return skip(SkipReason.UNSUPPORTED, f"`from . import {name}` names no submodule", (local,))
    return _Lazy(site, local, written, name)


def _guard_submodule_names(lazy: list[_Lazy], sites: list[ImportSite], req: FixRequest, facts: ProjectFacts,
                           outcomes: list[Outcome]) -> list[_Lazy]:
    """A re-exported name equal to a submodule's name is only safe lazily when nothing else imports
    that submodule: the import system would set the module as the package attribute first."""
    moving: dict[int, set[str]] = {}
    for x in lazy:
        moving.setdefault(id(x.site), set()).add(x.local)
    loaded = set()  # modules the __init__ still imports eagerly
    for s in sites:
        if moving.get(id(s)) != {a.local for a in s.aliases}:
            loaded.add(s.target)
            loaded.update(f"{s.target}.{a.name}" for a in s.aliases)
    out = []
    for x in lazy:
        sub = f"{req.module}.{x.local}"
        if sub in facts.modules and x.attribute:
            others = sorted(m for m in facts.importers.get(sub, ()) if m != req.module)
            eager = any(t == sub or t.startswith(sub + ".") for t in loaded)
            if others or eager:
                who = others[0] if others else f"a kept import of {req.rel}"
                outcomes.append(req.skip(SkipReason.SHADOWS_SUBMODULE, f"{x.local} is also the name of submodule "
                                         f"{sub}, which {who} imports directly", (x.local,)))
                continue
        out.append(x)
    return out


def _rewrite(module: cst.Module, uses: ModuleUses, sites: list[ImportSite], lazy: list[_Lazy],
             req: FixRequest, star_names: list[str] | None, submodules: set[str]) -> cst.Module:
    moving: dict[int, set[str]] = {}
    for x in lazy:
        moving.setdefault(id(x.site), set()).add(x.local)
    touched = sorted((s for s in sites if id(s) in moving), key=lambda s: s.index)
    first = touched[0].index
    tc_expr, needs_typing = type_checking_expr(module)
    checked: list[cst.SimpleStatementLine] = []
    edits: dict[int, cst.BaseStatement | None] = {}
    for site in touched:
        names = moving[id(site)]
        if names == {a.local for a in site.aliases}:
            comments = [ln for ln in site.line_node.leading_lines if ln.comment is not None]
            checked.append(site.line_node.with_changes(leading_lines=comments))
            edits[site.index] = None
        else:
            keep = [a for a in site.aliases if a.local not in names]
            edits[site.index] = statement(import_text(site, keep)).with_changes(
                leading_lines=site.line_node.leading_lines)
            checked.append(statement(import_text(site, [a for a in site.aliases if a.local in names])))
    hidden = {"__dir__", "__getattr__", TABLE} | ({"TYPE_CHECKING"} if needs_typing else set()) | (
        {"__all__"} if star_names is not None else set())
    bound = {a.name.split(".", 1)[0] for a in uses.scope.assignments} if uses.scope is not None else set()
    table = _machinery(lazy, hidden, bound - {x.local for x in lazy}, submodules)
    head: list[cst.BaseStatement] = [statement("from typing import TYPE_CHECKING")] if needs_typing else []
    block = cst.If(test=cst.parse_expression(tc_expr), body=cst.IndentedBlock(body=checked))
    head.append(block.with_changes(leading_lines=[_BLANK] if head else []))
    if star_names is not None:
        listing = "".join(f'    "{n}",\n' for n in star_names)
        head.extend(cst.parse_module(f"pass\n\n# What `from {req.module} import *` gave before the re-exports became "
                                     f"lazy (written by `lazyaudit fix`).\n__all__ = [\n{listing}]\n").body[1:])
    head[0] = head[0].with_changes(leading_lines=leading(module.body[first]))
    at_end = all(_inert(edits.get(i, s), req.module) for i, s in enumerate(module.body) if i > first)
    body: list[cst.BaseStatement] = []
    carry: list[cst.EmptyLine] = []
    for index, stmt in enumerate(module.body):
        if index == first:
            body.extend(head)
            if not at_end:
                body.extend(table)
        new = edits.get(index, stmt)
        if new is None:
            if index != first:
                carry.extend(stmt.leading_lines)
            continue
        if index == first:
            new = new.with_changes(leading_lines=[_BLANK])
        if carry:
            new = new.with_changes(leading_lines=merge_lines(carry, leading(new)))
            carry = []
        if index > first and body and body[-1] is head[-1] and not _blanks(new):
            new = _with_blanks(new, 1)  # a blank line after the TYPE_CHECKING block
        body.append(new)
    if at_end:
        body.extend(table)
    return module.with_changes(body=_spaced(body, {id(t) for t in table}))


def _machinery(lazy: list[_Lazy], hidden: set[str], bound: set[str], submodules: set[str]) -> list[cst.BaseStatement]:
    entries: dict[str, tuple[str, str]] = {x.local: (x.source, x.attribute) for x in lazy}
    for x in lazy:  # the submodules the eager imports set as package attributes stay reachable
        written = x.source if x.attribute else ""
        if written.startswith(".") and len(written) > 1 and not written.startswith(".."):
            sub = written[1:].split(".", 1)[0]
            if sub not in bound:  # never over a name the package binds itself
                entries.setdefault(sub, ("." + sub, ""))
    for sub in sorted(submodules - bound):  # loaded by the eager imports of those submodules
        entries.setdefault(sub, ("." + sub, ""))
    text = "".join(f"    {k!r}: ({s!r}, {a!r}),\n".replace("'", '"') for k, (s, a) in entries.items())
    hidden_text = ", ".join(f'"{h}"' for h in sorted(hidden))
    # A leading statement keeps the comment attached to the table instead of the module header.
    parsed = cst.parse_module("pass\n" + _MACHINERY.format(table=TABLE, entries=text, hidden=hidden_text))
    return list(parsed.body[1:])


def _spaced(body: list[cst.BaseStatement], table: set[int]) -> list[cst.BaseStatement]:
    """Two blank lines around the generated functions, one around the table (its comment kept)."""
    out = list(body)
    for i, stmt in enumerate(out):
        if id(stmt) not in table:
            continue
        want = 2 if isinstance(stmt, cst.FunctionDef) else 1
        out[i] = _with_blanks(stmt, want)
        if i + 1 < len(out) and id(out[i + 1]) not in table:
            out[i + 1] = _with_blanks(out[i + 1], max(want, _blanks(out[i + 1])))
    return out


def _blanks(stmt: cst.BaseStatement) -> int:
    return len([ln for ln in leading(stmt) if ln.comment is None])


def _with_blanks(stmt: cst.BaseStatement, count: int) -> cst.BaseStatement:
    comments = [ln for ln in leading(stmt) if ln.comment is not None]
    return stmt.with_changes(leading_lines=[_BLANK] * count + comments)


def _inert(stmt: cst.CSTNode | None, package: str) -> bool:
    """A statement that cannot import anything (so __getattr__ may be defined after it)."""
    if stmt is None:
        return True
    if isinstance(stmt, cst.FunctionDef):
        return not stmt.decorators
    if not isinstance(stmt, cst.SimpleStatementLine):
        return False
    for small in stmt.body:
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            target = code(small)
            if isinstance(small, cst.ImportFrom) and (small.relative or target.split()[1].startswith(
                    package.split(".", 1)[0])):
                return False
            continue
        if any(isinstance(n, (cst.Call, cst.Lambda)) for n in _nodes(small)):
            return False
    return True


def _nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    out, stack = [], [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(current.children)
    return out

"""What a module exports: its literal `__all__`, or the names `import *` gives without one, and loaded submodules."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from lazyaudit.codemods._uses import dotted_name

if TYPE_CHECKING:
    from lazyaudit.codemods._edit import ImportSite
    from lazyaudit.codemods._uses import ModuleUses
    from lazyaudit.codemods.result import FixRequest
    from lazyaudit.codemods.safety import ProjectFacts


def loaded_submodules(package: str, facts: ProjectFacts) -> set[str]:
    """Names of the package's submodules its eager import loaded: the import system made them attributes."""
    prefix = package + "."
    return {m[len(prefix):].split(".", 1)[0] for m in facts.first_party_closure(package) if m.startswith(prefix)}


def public_star_names(module: cst.Module, uses: ModuleUses, sites: list[ImportSite], req: FixRequest,
                facts: ProjectFacts) -> tuple[list[str] | None, str]:
    """The names `from package import *` gave when the package had no __all__ (public globals, the
    submodules its import loaded included), or None and why they are not known statically."""
    names: set[str] = set()
    for stmt in module.body:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            names.add(stmt.name.value)
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
                    return None, "a star import re-exports names not known statically"
    conditional = set()
    for a in uses.scope.assignments if uses.scope is not None else ():
        top = a.name.split(".", 1)[0]
        node = getattr(a, "node", None)
        if node is None:
            continue
        parent = uses.parents.get(node)
        while parent is not None and not isinstance(parent, cst.Module) and not isinstance(
                parent, cst.SimpleStatementLine):
            parent = uses.parents.get(parent)
        outer = uses.parents.get(parent) if parent is not None else None
        if isinstance(parent, cst.SimpleStatementLine) and isinstance(outer, cst.Module) or isinstance(
                uses.parents.get(node), cst.Module):
            names.add(top)
        else:
            conditional.add(top)
    prefix = req.module + "."
    direct = {site.target[len(prefix):].split(".", 1)[0] for site in sites if site.target.startswith(prefix)}
    public = {n for n in names | direct | loaded_submodules(req.module, facts) if not n.startswith("_")}
    maybe = sorted(n for n in conditional - public if not n.startswith("_"))
    if maybe:
        return None, f"{maybe[0]} is bound only conditionally"
    return sorted(public), ""


def literal_all(module: cst.Module) -> tuple[tuple[str, ...] | None, bool]:
    """The names of a literal module-level `__all__` (with += / extend / append), and whether some
    other statement also changes it (then the list is not known statically)."""
    names: list[str] | None = None
    dynamic = False
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            target, value = None, None
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target, value = small.targets[0].target, small.value
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                target, value = small.target, small.value
            elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                callee = dotted_name(small.value.func)
                if callee in ("__all__.extend", "__all__.append"):
                    arg = small.value.args[0].value if small.value.args else None
                    if callee.endswith("append") and isinstance(arg, cst.SimpleString):
                        arg = cst.List([cst.Element(arg)])
                    strings = _strings(arg) if arg is not None else None
                    if strings is None or names is None:
                        dynamic = True
                    else:
                        names.extend(strings)
                continue
            if not (isinstance(target, cst.Name) and target.value == "__all__") or value is None:
                continue
            strings = _strings(value)
            if strings is None:
                dynamic = True
            elif isinstance(small, cst.AugAssign) and names is not None:
                names.extend(strings)
            elif isinstance(small, cst.AugAssign):
                dynamic = True
            else:
                names = list(strings)
    return (tuple(names) if names is not None else None), dynamic


def _strings(node: cst.BaseExpression) -> list[str] | None:
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        out = []
        for el in node.elements:
            if isinstance(el.value, cst.SimpleString):
                out.append(str(el.value.evaluated_value))
            else:
                return None
        return out
    return None

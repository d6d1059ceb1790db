"""Concrete-syntax-tree edits shared by the codemods: find imports, split them, move them, keep comments."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import libcst as cst

from lazyaudit.codemods._uses import dotted_name

_CODE = cst.Module(body=[])


@dataclass(frozen=True)
class Alias:
    node: cst.ImportAlias
    local: str  # the name bound: `import a.b` -> "a"; `import a.b as c` -> "c"; `from x import y as z` -> "z"
    origin: str  # what it binds: "a", "a.b", "x.y"
    name: str  # as written after import: "a.b", "y"


@dataclass(frozen=True)
class ImportSite:
    """A module-level import statement (directly in the module body)."""

    index: int  # position in module.body
    line_node: cst.SimpleStatementLine
    small: cst.Import | cst.ImportFrom
    target: str  # absolute module named by the statement
    aliases: tuple[Alias, ...]  # () for a star import
    line: int
    star: bool = False
    future: bool = False


def code(node: cst.CSTNode) -> str:
    return _CODE.code_for_node(node)


def resolve(level: int, name: str, current: str, is_package: bool) -> str:
    """The absolute module of `from <level dots><name> import ...` written in module `current`."""
    if not level:
        return name
    parts = current.split(".")
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    base = ".".join(parts)
    return f"{base}.{name}" if base and name else (base or name)


def import_sites(module: cst.Module, current: str, is_package: bool, line_of: Callable[[cst.CSTNode], int]) -> list[ImportSite]:
    sites = []
    for index, stmt in enumerate(module.body):
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Import):
                aliases = []
                for a in small.names:
                    name = dotted_name(a.name)
                    if a.asname is not None:
                        aliases.append(Alias(a, dotted_name(a.asname.name), name, name))
                    else:
                        top = name.split(".", 1)[0]
                        aliases.append(Alias(a, top, top, name))
                target = aliases[0].name if len(aliases) == 1 else ""
                sites.append(ImportSite(index, stmt, small, target, tuple(aliases), line_of(stmt)))
            elif isinstance(small, cst.ImportFrom):
                written = dotted_name(small.module) if small.module is not None else ""
                target = resolve(len(small.relative), written, current, is_package)
                if isinstance(small.names, cst.ImportStar):
                    sites.append(ImportSite(index, stmt, small, target, (), line_of(stmt), star=True))
                    continue
                aliases = []
                for a in small.names:
                    name = dotted_name(a.name)
                    local = dotted_name(a.asname.name) if a.asname is not None else name
                    aliases.append(Alias(a, local, f"{target}.{name}", name))
                sites.append(ImportSite(index, stmt, small, target, tuple(aliases), line_of(stmt),
                                        future=written == "__future__"))
    return sites


def locate(sites: Sequence[ImportSite], subject: str, names: Sequence[str], line: int) -> ImportSite | None:
    """The module-level import the finding is about: same target, covering its names, nearest its line."""
    wanted = set(names)

    def score(site: ImportSite) -> tuple[int, int]:
        bound = {a.local for a in site.aliases} | {a.name for a in site.aliases}
        return (0 if not wanted or wanted & bound else 1, abs(site.line - line))

    candidates = [s for s in sites if not s.star and (s.target == subject or any(a.name == subject for a in s.aliases))]
    return min(candidates, key=score) if candidates else None


def import_text(site: ImportSite, aliases: Sequence[Alias]) -> str:
    """Source of an import statement binding only `aliases`, written as the original statement was."""
    names = ", ".join(code(a.node.with_changes(comma=cst.MaybeSentinel.DEFAULT)).strip() for a in aliases)
    if isinstance(site.small, cst.Import):
        return f"import {names}"
    dots = "." * len(site.small.relative)
    mod = dotted_name(site.small.module) if site.small.module is not None else ""
    return f"from {dots}{mod} import {names}"


def statement(text: str, comment: cst.Comment | None = None) -> cst.SimpleStatementLine:
    stmt = cst.parse_statement(text + "\n")
    assert isinstance(stmt, cst.SimpleStatementLine)
    if comment is not None:
        stmt = stmt.with_changes(
            trailing_whitespace=cst.TrailingWhitespace(cst.SimpleWhitespace("  "), comment, cst.Newline())
        )
    return stmt


def without_aliases(site: ImportSite, drop: set[str]) -> cst.SimpleStatementLine | None:
    """The statement line with the aliases binding `drop` taken out (None when nothing is left)."""
    keep = [a.node for a in site.aliases if a.local not in drop]
    if not keep:
        others = [s for s in site.line_node.body if s is not site.small]
        if not others:
            return None
        last = others[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return site.line_node.with_changes(body=[*others[:-1], last])
    had_trailing = isinstance(site.aliases[-1].node.comma, cst.Comma)
    if not had_trailing:
        keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    small = site.small.with_changes(names=keep)
    if isinstance(small, cst.ImportFrom) and small.lpar is not None and len(keep) == 1 and not had_trailing:
        small = small.with_changes(lpar=None, rpar=None)
    body = [small if s is site.small else s for s in site.line_node.body]
    return site.line_node.with_changes(body=body)


def replace_top(module: cst.Module,
                edits: Mapping[int, cst.BaseStatement | Sequence[cst.BaseStatement] | None]) -> cst.Module:
    """Replace/remove module body statements by index; a removed statement's comments and blank
    lines go to the statement that follows it, so the layout around it is kept."""
    body: list[cst.BaseStatement] = []
    carry: list[cst.EmptyLine] = []
    removed = False
    for index, stmt in enumerate(module.body):
        if index in edits:
            new = edits[index]
            if new is None:
                carry.extend(stmt.leading_lines)
                removed = True
                continue
            items = [new] if isinstance(new, cst.CSTNode) else list(new)
        else:
            items = [stmt]
        if removed and items:
            lines = merge_lines(carry, leading(items[0]))
            if not body:  # nothing above it any more: no blank lines at the top of the file
                lines = [ln for ln in lines if ln.comment is not None]
            items[0] = items[0].with_changes(leading_lines=lines)
            carry, removed = [], False
        body.extend(items)  # type: ignore[arg-type]
    footer = list(module.footer)
    if carry and any(line.comment is not None for line in carry):
        footer = [*carry, *footer]
    return module.with_changes(body=body, footer=footer)


def leading(stmt: cst.CSTNode) -> list[cst.EmptyLine]:
    """A statement's leading comment and blank lines (every statement node has them)."""
    return list(getattr(stmt, "leading_lines", ()))


def merge_lines(first: Sequence[cst.EmptyLine], second: Sequence[cst.EmptyLine]) -> list[cst.EmptyLine]:
    """Concatenate leading lines, keeping every comment but no more consecutive blank lines than before."""
    def longest(lines: Sequence[cst.EmptyLine]) -> int:
        best = run = 0
        for line in lines:
            run = run + 1 if line.comment is None else 0
            best = max(best, run)
        return best

    limit = max(longest(first), longest(second))
    out: list[cst.EmptyLine] = []
    run = 0
    for line in [*first, *second]:
        if line.comment is None:
            run += 1
            if run > limit:
                continue
        else:
            run = 0
        out.append(line)
    return out


def insert_in_function(func: cst.FunctionDef, stmts: Sequence[cst.SimpleStatementLine]) -> cst.FunctionDef:
    """`stmts` at the top of the function body, after its docstring (a one-line body becomes a block)."""
    body = func.body
    if isinstance(body, cst.SimpleStatementSuite):
        inner = [cst.SimpleStatementLine(body=[s.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)])
                 for s in body.body]
        body = cst.IndentedBlock(body=inner, header=body.trailing_whitespace)
    existing = {code(s).strip() for s in body.body if isinstance(s, cst.SimpleStatementLine)}
    new = [s for s in stmts if code(s).split("#")[0].strip() not in {e.split("#")[0].strip() for e in existing}]
    if not new:
        return func.with_changes(body=body)
    at = 1 if body.body and is_docstring(body.body[0]) else 0
    return func.with_changes(body=body.with_changes(body=[*body.body[:at], *new, *body.body[at:]]))


def is_docstring(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def import_region_end(module: cst.Module) -> int:
    """Index after the leading block of imports (docstring, imports, and if/try blocks of imports)."""
    end = 0
    for index, stmt in enumerate(module.body):
        if index == 0 and is_docstring(stmt):
            end = 1
            continue
        if _only_imports(stmt):
            end = index + 1
            continue
        break
    return end


def _only_imports(stmt: cst.CSTNode) -> bool:
    if isinstance(stmt, cst.SimpleStatementLine):
        return all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)
    if isinstance(stmt, (cst.If, cst.Try)):
        blocks = [stmt.body]
        if isinstance(stmt, cst.Try):
            blocks += [h.body for h in stmt.handlers]
        elif stmt.orelse is not None and isinstance(stmt.orelse, cst.Else):
            blocks.append(stmt.orelse.body)
        return all(isinstance(b, cst.IndentedBlock) and all(_only_imports(s) or isinstance(s, cst.SimpleStatementLine)
                                                                and all(isinstance(x, cst.Pass) for x in s.body)
                                                                for s in b.body) for b in blocks)
    return False


def is_stdlib(module: str) -> bool:
    return module.split(".", 1)[0] in sys.stdlib_module_names or module == "__future__"


class Replacer(cst.CSTTransformer):
    """Replace nodes by identity (ids of nodes of the module being transformed)."""

    def __init__(self, edits: Mapping[int, Callable[[Any], cst.CSTNode]]) -> None:
        super().__init__()
        self.edits = edits

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):  # type: ignore[no-untyped-def]
        fn = self.edits.get(id(original_node))
        return fn(updated_node) if fn is not None else updated_node

"""Edits around typing: the `if TYPE_CHECKING:` block, its import, and `from __future__ import annotations`."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from lazyaudit.codemods._edit import code, import_region_end, is_docstring, is_stdlib, statement
from lazyaudit.codemods._uses import dotted_name

_BLANK = cst.EmptyLine()


def type_checking_expr(module: cst.Module) -> tuple[str, bool]:
    """How the module can spell TYPE_CHECKING, and whether an import must be added for it."""
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
                if dotted_name(small.module) in ("typing", "typing_extensions") and not isinstance(
                    small.names, cst.ImportStar
                ):
                    for a in small.names:
                        if dotted_name(a.name) == "TYPE_CHECKING":
                            return (dotted_name(a.asname.name) if a.asname else "TYPE_CHECKING"), False
            elif isinstance(small, cst.Import):
                for a in small.names:
                    if dotted_name(a.name) == "typing" and a.asname is None:
                        return "typing.TYPE_CHECKING", False
    return "TYPE_CHECKING", True


def type_checking_block(module: cst.Module, expr: str) -> int | None:
    for index, stmt in enumerate(module.body):
        if (isinstance(stmt, cst.If) and stmt.orelse is None and code(stmt.test).strip() == expr
                and isinstance(stmt.body, cst.IndentedBlock)):
            return index
    return None


def add_to_type_checking(module: cst.Module, texts: Sequence[str]) -> cst.Module:
    """Put the import statements `texts` under the module's `if TYPE_CHECKING:` (created when absent)."""
    expr, needs_import = type_checking_expr(module)
    at = type_checking_block(module, expr)
    body = list(module.body)
    if at is not None:
        block = body[at]
        assert isinstance(block, cst.If) and isinstance(block.body, cst.IndentedBlock)
        inner = list(block.body.body)
        have = {code(s).split("#")[0].strip() for s in inner}
        for text in texts:
            if text in have:
                continue
            pos = next((i for i, s in enumerate(inner) if _sort_key(code(s)) > _sort_key(text)), len(inner))
            inner.insert(pos, statement(text))
            have.add(text)
        body[at] = block.with_changes(body=block.body.with_changes(body=inner))
    else:
        end = import_region_end(module)
        block = cst.If(
            test=cst.parse_expression(expr),
            body=cst.IndentedBlock(body=[statement(t) for t in sorted(dict.fromkeys(texts), key=_sort_key)]),
            leading_lines=[_BLANK],
        )
        body.insert(end, block)
        if end + 1 < len(body) and not body[end + 1].leading_lines:
            body[end + 1] = body[end + 1].with_changes(leading_lines=[_BLANK])
    module = module.with_changes(body=body)
    return _add_type_checking_import(module) if needs_import else module


def _sort_key(text: str) -> tuple[str, str]:
    words = text.split()
    return (words[1].lstrip(".") if len(words) > 1 else text, text)


def _add_type_checking_import(module: cst.Module) -> cst.Module:
    body = list(module.body)
    for index, stmt in enumerate(body):
        if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
            continue
        small = stmt.body[0]
        if (isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative
                and dotted_name(small.module) == "typing" and not isinstance(small.names, cst.ImportStar)
                and small.lpar is None):
            names = list(small.names)
            last_comma = names[-1].comma
            names[-1] = names[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            pos = next((i for i, a in enumerate(names) if not _constant(dotted_name(a.name))
                        or dotted_name(a.name) > "TYPE_CHECKING"), len(names))
            new = cst.ImportAlias(name=cst.Name("TYPE_CHECKING"),
                                  comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            names.insert(pos, new)
            names[-1] = names[-1].with_changes(comma=last_comma)
            body[index] = stmt.with_changes(body=[small.with_changes(names=names)])
            return module.with_changes(body=body)
    first = next((i for i, s in enumerate(body) if _is_plain_import(s)), None)
    new_stmt = statement("from typing import TYPE_CHECKING")
    if first is None:
        at = 1 if body and is_docstring(body[0]) else 0
        while at < len(body) and _is_future(body[at]):
            at += 1
        body.insert(at, new_stmt.with_changes(leading_lines=[_BLANK] if at else []))
        return module.with_changes(body=body)
    old = body[first]
    target = _first_module(old)
    body[first] = old.with_changes(leading_lines=[] if is_stdlib(target) else [_BLANK])
    body.insert(first, new_stmt.with_changes(leading_lines=old.leading_lines))
    return module.with_changes(body=body)


def _is_future(stmt: cst.CSTNode) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine):
        return False
    small = stmt.body[0]
    return isinstance(small, cst.ImportFrom) and small.module is not None and dotted_name(small.module) == "__future__"


def _constant(name: str) -> bool:
    return name.isupper()


def _is_plain_import(stmt: cst.CSTNode) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine):
        return False
    small = stmt.body[0]
    if isinstance(small, cst.Import):
        return True
    return isinstance(small, cst.ImportFrom) and not _is_future(stmt)


def _first_module(stmt: cst.CSTNode) -> str:
    assert isinstance(stmt, cst.SimpleStatementLine)
    small = stmt.body[0]
    if isinstance(small, cst.Import):
        return dotted_name(small.names[0].name)
    assert isinstance(small, cst.ImportFrom)
    if small.relative:
        return "."
    return dotted_name(small.module) if small.module is not None else ""


def add_future_annotations(module: cst.Module) -> cst.Module:
    """`from __future__ import annotations` as the first statement after the docstring (or merged)."""
    body = list(module.body)
    for index, stmt in enumerate(body):
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        small = stmt.body[0]
        if isinstance(small, cst.ImportFrom) and small.module is not None and dotted_name(small.module) == "__future__":
            if isinstance(small.names, cst.ImportStar) or small.lpar is not None:
                continue
            if any(dotted_name(a.name) == "annotations" for a in small.names):
                return module
            names = list(small.names)
            names[-1] = names[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            names.append(cst.ImportAlias(name=cst.Name("annotations")))
            body[index] = stmt.with_changes(body=[small.with_changes(names=names), *stmt.body[1:]])
            return module.with_changes(body=body)
    at = 1 if body and is_docstring(body[0]) else 0
    new = statement("from __future__ import annotations")
    if at < len(body):
        following = body[at]
        new = new.with_changes(leading_lines=following.leading_lines)
        if at and not new.leading_lines:
            new = new.with_changes(leading_lines=[_BLANK])
        body[at] = following.with_changes(leading_lines=[_BLANK])
    body.insert(at, new)
    return module.with_changes(body=body)

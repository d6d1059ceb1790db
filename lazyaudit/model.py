"""Frozen value objects shared by every layer: imports, modules, entries, requirements, findings."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class ImportKind(str, Enum):
    """When an import statement runs, relative to importing its module."""

    EAGER = "eager"  # module level or class body: runs at import
    DEFERRED = "deferred"  # inside a function or method body
    TYPE_CHECKING = "type_checking"  # under `if TYPE_CHECKING:`: never at runtime
    GUARDED = "guarded"  # inside try/except ImportError (see guard / guard_branch)
    CONDITIONAL = "conditional"  # under another `if` at module level (see condition)
    LAZY = "lazy"  # PEP 810 `lazy import` / `lazy from ... import`
    DYNAMIC = "dynamic"  # importlib.import_module("literal") / __import__("literal")
    MAIN = "main"  # under `if __name__ == "__main__":`: not run on import


class UseContext(str, Enum):
    """Where a name bound by an import is read."""

    MODULE = "module"  # a module-level statement (call, assignment, expression)
    CLASS_BODY = "class_body"  # a class body statement (runs at import)
    DECORATOR = "decorator"  # decorator expression (runs at import)
    BASE_CLASS = "base_class"  # class bases / keywords (runs at import)
    DEFAULT = "default"  # parameter default (runs at import)
    ANNOTATION = "annotation"  # annotation never evaluated at runtime
    RUNTIME_ANNOTATION = "runtime_annotation"  # annotation evaluated at runtime
    FUNCTION = "function"  # inside a function body (runs when called)
    EXPORT = "export"  # listed in __all__ or re-exported by name
    STRING = "string"  # a string annotation or cast("Name") reference


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """One imported module as written in one statement of one module."""

    importer: str  # dotted name of the module containing the statement
    target: str  # absolute dotted module named by the statement (relative imports resolved)
    line: int
    column: int
    kind: ImportKind
    names: tuple[str, ...] = ()  # `from target import names` ("*" for a star import); () for `import target`
    # (local name, qualified origin): `import numpy as np` -> ("np", "numpy");
    # `import a.b` -> ("a", "a"); `from a import b as c` -> ("c", "a.b")
    bindings: tuple[tuple[str, str], ...] = ()
    scope: str = ""  # "" at module level and class bodies; else the function's qualified name
    condition: str = ""  # CONDITIONAL: Python source of the condition that must hold (nested: joined by " and ")
    guard: int = 0  # GUARDED: id (unique per module) of the try statement; 0 when not guarded
    guard_branch: str = ""  # GUARDED: "try", "except" or "else"
    level: int = 0  # leading dots as written (0 for absolute imports)
    is_from: bool = False


@dataclass(frozen=True, slots=True)
class NameUse:
    """One read of a name bound at module level (first-party modules only)."""

    name: str  # the local name read (first component of an attribute chain)
    line: int
    column: int
    context: UseContext
    scope: str = ""  # "" at module level; else the enclosing function's qualified name
    attr: str = ""  # the attribute chain after the name, when read as `name.a.b` ("a.b")


@dataclass(frozen=True, slots=True)
class Call:
    """A call expression: at import time (module level, class body, decorator, default) or in a function."""

    callee: str  # dotted source text of the called expression: "boto3.client", "Tracer", "app.get"
    line: int
    column: int
    scope: str = ""  # "" when it runs at import; else the enclosing function's qualified name
    args: tuple[str, ...] = ()  # literal string arguments, in order (for import_module, mock.patch, ...)
    target: str = ""  # name the result is assigned to at module level (`s3 = boto3.client(...)` -> "s3")


@dataclass(frozen=True, slots=True)
class ParsedModule:
    """Everything the analysis needs to know about one source file, without judging it."""

    name: str  # dotted module name ("pkg.sub"; a package's __init__ is "pkg")
    path: str  # absolute path of the file
    is_package: bool
    imports: tuple[ImportRecord, ...] = ()
    calls: tuple[Call, ...] = ()
    defined: tuple[str, ...] = ()  # names bound at module level by def / class / assignment (not imports)
    functions: tuple[str, ...] = ()  # qualified names of functions defined in the module ("f", "C.m")
    all_names: tuple[str, ...] | None = None  # literal __all__ when present
    has_getattr: bool = False  # defines a module-level PEP 562 __getattr__
    # PEP 562 __getattr__ name -> module it imports, from literal mappings or branches;
    # ("*", "mod") when the hook imports "mod" for any name
    getattr_map: tuple[tuple[str, str], ...] = ()
    uses: tuple[NameUse, ...] = ()  # first-party only (libcst parser); () from the fast scanner
    future_annotations: bool = False  # `from __future__ import annotations`
    runtime_annotation_classes: tuple[str, ...] = ()  # classes whose annotations are evaluated at runtime
    suppressions: tuple[tuple[int, tuple[str, ...]], ...] = ()  # (line, codes) from `# lazyaudit: ignore[...]`; () codes = all
    source_bytes: int = 0
    line_count: int = 0
    error: str = ""  # why the file could not be read or parsed (becomes LA900); "" when fine
    # For the closure, which must know when importing a module fails and what a class call runs:
    # import-time `raise` statements as (line, kind, condition, guard, guard_branch), with the
    # ImportKind value and context an import at that place would get;
    raises: tuple[tuple[int, str, str, int, str], ...] = ()
    # and every class as (qualified name, dotted text of each base), so `C()` reaches an inherited __init__.
    class_bases: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class Entry:
    """An entry point: a module (and optional attribute) a runtime imports first."""

    module: str
    attr: str = ""
    source: str = ""  # "cli", "config", "template.yaml", "serverless.yml", "pyproject.scripts"
    name: str = ""  # logical id / function name / script name
    root: str = ""  # source root relative to the project root (a SAM CodeUri), "" for the project's roots
    package_type: str = ""  # "Zip" or "Image" for Lambda functions, "" otherwise
    memory_mb: int = 0
    path: str = ""  # file that declared it (relative), for findings
    line: int = 0

    @property
    def spec(self) -> str:
        return f"{self.module}:{self.attr}" if self.attr else self.module


@dataclass(frozen=True, slots=True)
class Requirement:
    """One declared requirement, normalised at the boundary."""

    name: str  # canonical distribution name (PEP 503)
    raw: str  # the requirement as declared
    path: str  # file it came from, relative to the project root
    line: int
    specifier: str = ""
    extras: tuple[str, ...] = ()
    marker: str = ""
    group: str = "runtime"  # "runtime", "dev", "optional:<extra>", or a group name
    is_lock: bool = False  # from a lock-style file (pins of the whole closure, not direct deps)
    url: str = ""
    editable: bool = False


@dataclass(frozen=True, slots=True)
class Distribution:
    """An installed distribution of the target environment."""

    name: str  # canonical name
    version: str
    top_level: tuple[str, ...] = ()  # import names it provides
    top_level_source: str = ""  # "top_level.txt", "RECORD" or "guess"
    size: int = 0  # sum of RECORD file sizes (bytes)
    files: int = 0
    requires: tuple[str, ...] = ()  # raw Requires-Dist strings
    console_scripts: tuple[str, ...] = ()
    entry_point_groups: tuple[str, ...] = ()
    location: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found, located in the project, sortable and fingerprinted."""

    code: str
    message: str
    path: str = ""  # relative (posix) to the project root; "" when not tied to a file
    line: int = 0
    column: int = 0
    subject: str = ""  # the module or distribution the finding is about
    severity: str = "warning"
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.subject)

    @property
    def fingerprint(self) -> str:
        """Stable across edits that move lines: code, path and subject only."""
        raw = "\x1f".join((self.code, self.path, self.subject, self.message if not self.subject else ""))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]

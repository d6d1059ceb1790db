"""Tagged outcomes of a rewrite: applied, skipped (with a reason) or failed; codemods return these, never raise."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Status(str, Enum):
    APPLIED = "applied"
    SKIPPED = "skipped"
    FAILED = "failed"


class SkipReason(str, Enum):
    """Why a rewrite was left out; each one is explained in docs/commands/fix.md."""

    NOT_FOUND = "not-found"  # the import the finding names is no longer at module level (already fixed?)
    NOT_FIXABLE = "not-fixable"  # the check itself marked the finding as not fixable
    UNPARSABLE = "unparsable"  # the file does not parse: never touched
    CHANGED_ON_DISK = "changed-on-disk"  # the file changed between analysis and write
    MODULE_LEVEL_USE = "module-level-use"  # read at import time: module code, class body, decorator, default, base
    RUNTIME_ANNOTATION = "runtime-annotation"  # annotation evaluated at runtime (pydantic, FastAPI, dataclasses...)
    NOT_TYPE_ONLY = "not-type-only"  # also read outside annotations
    REBOUND = "rebound"  # the name has other module-level bindings, or a function declares it global
    EXPORTED = "exported"  # listed in __all__, or imported/patched through this module by other code
    MOCK_PATCH = "mock-patch"  # a test patches the name through this module (mock.patch / monkeypatch.setattr)
    SIDE_EFFECT = "side-effect"  # imported for its side effects, or the target registers things at import
    STAR = "star"  # star import, or a package without __all__ whose `import *` would change
    DYNAMIC_NAMESPACE = "dynamic-namespace"  # globals()/vars()/eval/exec read the module namespace
    CALLED_AT_IMPORT = "called-at-import"  # the function that would receive the import runs at import time
    USED_BY_PACKAGE = "used-by-package"  # a package __init__ reads the name itself
    SHADOWS_SUBMODULE = "shadows-submodule"  # re-exported name equals a submodule loaded by other imports
    HAS_GETATTR = "has-getattr"  # the __init__ already defines __getattr__/__dir__
    PLACEMENT = "placement"  # PEP 810 forbids `lazy` here (function, class, try, star, __future__)
    UNSUPPORTED = "unsupported"  # a statement shape the codemod does not rewrite
    NO_GAIN = "no-gain"  # nothing would load later than before


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one requested rewrite (or one name of it)."""

    status: Status
    code: str  # LA101, LA102, LA104
    path: str  # project-relative posix path
    line: int  # line of the import statement in the analysed file
    subject: str  # the module the import names (LA102: the package)
    message: str  # readable by a person
    reason: SkipReason | None = None
    names: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": self.status.value, "code": self.code, "path": self.path, "line": self.line,
            "subject": self.subject, "message": self.message, "names": list(self.names),
        }
        if self.reason is not None:
            out["reason"] = self.reason.value
        if self.data:
            out["data"] = self.data
        return out


def applied(code: str, path: str, line: int, subject: str, message: str, names: tuple[str, ...] = (),
            **data: Any) -> Outcome:
    return Outcome(Status.APPLIED, code, path, line, subject, message, None, names, data)


def skipped(code: str, path: str, line: int, subject: str, reason: SkipReason, message: str,
            names: tuple[str, ...] = (), **data: Any) -> Outcome:
    return Outcome(Status.SKIPPED, code, path, line, subject, message, reason, names, data)


def failed(code: str, path: str, line: int, subject: str, message: str, **data: Any) -> Outcome:
    return Outcome(Status.FAILED, code, path, line, subject, message, None, (), data)


@dataclass(frozen=True, slots=True)
class FixRequest:
    """One rewrite asked for by a finding: which import of which module, and what the check found."""

    code: str  # LA101, LA102, LA104
    rel: str  # project-relative posix path of the module
    module: str  # its dotted name
    is_package: bool
    subject: str  # the module the import names (LA102: the package)
    line: int = 0
    names: tuple[str, ...] = ()  # local names the finding asks to move (() = every name of the statement)
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def skip(self, reason: SkipReason, message: str, names: tuple[str, ...] = (), **data: Any) -> Outcome:
        return skipped(self.code, self.rel, self.line, self.subject, reason, message, names, **data)

    def done(self, message: str, names: tuple[str, ...] = (), **data: Any) -> Outcome:
        return applied(self.code, self.rel, self.line, self.subject, message, names, **data)

    def fail(self, message: str, **data: Any) -> Outcome:
        return failed(self.code, self.rel, self.line, self.subject, message, **data)


@dataclass(frozen=True, slots=True)
class FileFix:
    """The rewrites of one file: its analysed bytes, the rewritten bytes and every outcome."""

    path: str  # absolute
    rel: str  # project-relative posix
    before: bytes
    after: bytes
    outcomes: tuple[Outcome, ...]

    @property
    def changed(self) -> bool:
        return self.before != self.after

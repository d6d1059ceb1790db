"""Which distribution each first-party import maps to, from which file, line and kind, in runtime or dev code."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lazyaudit.conditions import evaluate
from lazyaudit.model import ImportKind, ImportRecord, Requirement

if TYPE_CHECKING:
    from lazyaudit.checks.context import CheckContext

THIRD_PARTY = "third_party"  # an installed distribution provides it
UNMAPPED = "unmapped"  # importable, but no distribution metadata claims it
MISSING = "missing"  # not importable in the target environment

_TYPE_ONLY = ImportKind.TYPE_CHECKING.value


@dataclass(frozen=True, slots=True)
class ImportUse:
    """One third-party (or unresolvable) import made by first-party code."""

    module: str  # the module the statement names (`from a import b` where b is a portion: "a.b")
    path: str  # project-relative file
    line: int
    column: int
    kind: str  # an ImportKind value
    dev: bool  # made by code that is not shipped (tests, docs, scripts, examples nothing imports)
    category: str  # THIRD_PARTY, UNMAPPED or MISSING
    distribution: str = ""  # canonical name; "" when nothing says
    mapping: str = ""  # what answered: "user", "top_level.txt", "RECORD", "namespace", "guess"
    active: bool = True  # False when a conditional import's test is false on the target interpreter
    guarded: bool = False  # inside try/except ImportError (at module level or in a function)
    conditional: bool = False  # under an `if` whose test cannot be decided statically

    @property
    def top(self) -> str:
        return self.module.partition(".")[0]

    @property
    def type_only(self) -> bool:
        return self.kind == _TYPE_ONLY

    @property
    def optional(self) -> bool:
        """The code runs without it: guarded by try/except ImportError, or behind an undecidable `if`
        while the module is not installed (`if async_library() == "trio": import trio`)."""
        return self.guarded or self.kind == ImportKind.GUARDED.value or (self.conditional and self.category == MISSING)

    @property
    def runtime(self) -> bool:
        """Needed when the shipped program runs: runtime code, not only for type checkers."""
        return not self.dev and not self.type_only

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def usage(ctx: CheckContext) -> DependencyUsage:
    """The DependencyUsage of one context, built once and shared by the LA00x checks."""
    cached = _CACHE.get("usage")
    if cached is None or cached.ctx is not ctx:
        cached = DependencyUsage(ctx)
        _CACHE["usage"] = cached
    return cached


_CACHE: dict[str, DependencyUsage] = {}


def guess_import_names(dist_name: str) -> tuple[str, ...]:
    """Import names a distribution that is not installed probably provides (reported as a guess).

    "pyyaml" -> yaml, "python-dateutil" -> dateutil, "google-cloud-storage" -> google.cloud.storage.
    """
    name = dist_name.lower()
    out = [name.replace("-", "_")]
    for prefix in ("python-", "py-", "py"):
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            out.append(name[len(prefix):].replace("-", "_"))
    for suffix in ("-python", "-py", "-sdk", "-client"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            out.append(name[: -len(suffix)].replace("-", "_"))
    if "-" in name:
        out.append(name.replace("-", "."))
    return tuple(dict.fromkeys(out))


class DependencyUsage:
    """Imports of the project mapped to distributions, and the requirement facts the LA00x rules share."""

    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        self.env = ctx.env
        self.module_map = ctx.config.module_map
        # every root counts: CodeUri folders and layers are first-party for the whole project
        self.first_party = ctx.sources.top_level_names()
        declared = ctx.requirements.declared
        self._metadata_declares = any(_is_metadata(r.path) for r in declared if r.group == "runtime")
        self.runtime_reqs = tuple(r for r in declared if r.group == "runtime" and not self._environment_file(r))
        self.runtime_names = frozenset(r.name for r in self.runtime_reqs)
        self.optional_names = frozenset(r.name for r in declared if r.group.startswith("optional"))
        self.dev_names = frozenset(r.name for r in declared if r not in self.runtime_reqs
                                   and not r.group.startswith("optional"))
        self._guesses = self._uninstalled_guesses(declared)
        self.target = {
            "version_info": tuple(self.env.version_info),
            "sys_platform": self.env.markers.get("sys_platform", ""),
            "os_name": self.env.markers.get("os_name", ""),
            "platform_system": self.env.markers.get("platform_system", ""),
            "implementation": self.env.markers.get("implementation_name", ""),
        }
        self.scope = self._runtime_scope()
        self.uses: tuple[ImportUse, ...] = tuple(self._collect())
        self.by_dist: dict[str, list[ImportUse]] = {}
        for use in self.uses:
            if use.distribution:
                self.by_dist.setdefault(use.distribution, []).append(use)

    # -- what counts as runtime --------------------------------------------------------------------
    def _environment_file(self, req: Requirement) -> bool:
        """A pip file beside package metadata that declares runtime dependencies: a tool environment.

        When pyproject.toml/setup.cfg/Pipfile declares what the package needs, `requirements*.txt` and
        `requirements/*.in` list what some environment installs (docs, CI, builds), as deptry also
        assumes. A function's own folder (a SAM CodeUri) is built from its requirements.txt: runtime.
        """
        if not self._metadata_declares or _is_metadata(req.path):
            return False
        folder = req.path.rpartition("/")[0]
        return folder not in self.ctx.sources.function_roots

    def _runtime_scope(self) -> frozenset[str] | None:
        """Project-relative files of shipped code, None when nothing tells (then: every non-dev file).

        Shipped: the packages of the entry points and every first-party module they import (any kind,
        following `from pkg import sub` and parent packages, each in its entry's view of the roots),
        and the top-level packages an installed distribution provides (the project installed in its
        own environment). Code outside, such as `docs_src/` examples, counts as development code.
        """
        ctx = self.ctx
        tops = {e.module.partition(".")[0] for e in ctx.entries}
        tops |= {top for top in self.first_party if not self.env.is_stdlib(top)
                 and self.env.distributions_for(top, self.module_map)}
        if not tops:
            return None
        files = {rel for rel, f in ctx.files.items() if f.module.partition(".")[0] in tops}
        for entry in ctx.entries:
            modules = ctx.sources.modules(ctx.sources.search_roots(entry.root))
            pending = [entry.module]
            seen: set[str] = set()
            while pending:
                name = pending.pop()
                source = modules.get(name)
                if name in seen or source is None:
                    continue
                seen.add(name)
                files.add(source.rel)
                if "." in name:
                    pending.append(name.rpartition(".")[0])
                parsed = ctx.parsed.get(source.rel)
                for rec in parsed.imports if parsed is not None else ():
                    pending.append(rec.target)
                    pending.extend(f"{rec.target}.{n}" for n in rec.names if n != "*")
        return frozenset(files)

    def is_runtime_file(self, rel: str) -> bool:
        source = self.ctx.files.get(rel)
        if source is None or source.dev:
            return False
        return self.scope is None or rel in self.scope

    # -- imports -----------------------------------------------------------------------------------
    def _collect(self) -> Iterator[ImportUse]:
        for rel, parsed in sorted(self.ctx.parsed.items()):
            if parsed.error:
                continue
            dev = not self.is_runtime_file(rel)
            for rec in parsed.imports:
                yield from self._uses_of(rec, rel, dev)

    def _uses_of(self, rec: ImportRecord, rel: str, dev: bool) -> Iterator[ImportUse]:
        target = rec.target
        if not target or target.startswith(".") or target.partition(".")[0] in self.first_party:
            return
        if self.env.is_stdlib(target):
            return
        decided = evaluate(rec.condition, self.target) if rec.condition else True
        active = decided is not False
        modules = [target]
        if rec.is_from and rec.names and rec.names != ("*",):
            # `from google.cloud import storage`: the portion names the distribution, the package does not
            base = self.env.distributions_for(target, self.module_map)
            deeper = [f"{target}.{n}" for n in rec.names
                      if self.env.mapping_source(f"{target}.{n}", self.module_map) == "namespace"
                      and self.env.distributions_for(f"{target}.{n}", self.module_map) != base]
            modules = deeper or modules
        for module in modules:
            category, dist, mapping = self.classify(module)
            yield ImportUse(module, rel, rec.line, rec.column, rec.kind.value, dev, category, dist, mapping, active,
                            bool(rec.guard), decided is None)

    def classify(self, module: str) -> tuple[str, str, str]:
        """(category, distribution, mapping source) of a non-first-party, non-stdlib module."""
        dists = self.env.distributions_for(module, self.module_map)
        if dists:
            source = self.env.mapping_source(module, self.module_map)
            pick = next((d for d in dists if d.name in self.runtime_names), None)
            pick = pick or next((d for d in dists if d.name in self.declared_names), dists[0])
            installed = self.env.distribution(pick.name) is not None
            return (THIRD_PARTY if installed else MISSING), pick.name, source
        parts = module.split(".")
        for end in range(len(parts), 0, -1):
            guess = self._guesses.get(".".join(parts[:end]))
            if guess:
                return MISSING, guess, "guess"
        locator = self.ctx.project_index.locator
        if locator.find(parts[0]) is not None:
            return UNMAPPED, "", ""
        return MISSING, "", ""

    @property
    def declared_names(self) -> frozenset[str]:
        return self.runtime_names | self.optional_names | self.dev_names

    def _uninstalled_guesses(self, declared: Sequence[Requirement]) -> dict[str, str]:
        out: dict[str, str] = {}
        for req in declared:
            if self.env.distribution(req.name) is None:
                for name in guess_import_names(req.name):
                    out.setdefault(name, req.name)
        return out

    def provided_modules(self, dist_name: str) -> tuple[tuple[str, ...], str]:
        """Import names a distribution provides, and where that came from ("guess" when not installed)."""
        user = sorted(k for k, v in self.module_map.items() if v == dist_name)
        dist = self.env.distribution(dist_name)
        if dist is None:
            return (tuple(user) or guess_import_names(dist_name)), ("user" if user else "guess")
        names = {*dist.top_level, *self.env.record_top_level.get(dist.name, ()),
                 *self.env.namespace_portions.get(dist.name, ()), *user}
        return tuple(sorted(names)), ("user" if user else dist.top_level_source or "RECORD")

    def runtime_uses(self, dist_name: str) -> list[ImportUse]:
        return [u for u in self.by_dist.get(dist_name, ()) if u.runtime]

def _is_metadata(path: str) -> bool:
    return path.rpartition("/")[2] in ("pyproject.toml", "setup.cfg", "Pipfile")


def group_uses(uses: Sequence[ImportUse]) -> dict[str, list[ImportUse]]:
    """Uses by distribution (or by top-level module when no distribution is known), each sorted by place."""
    out: dict[str, list[ImportUse]] = {}
    for use in sorted(uses, key=lambda u: (u.path, u.line, u.column, u.module)):
        out.setdefault(use.distribution or use.top, []).append(use)
    return out


def requirement_data(req: Requirement, dist: str, modules: Sequence[str], extra: Mapping[str, object]) -> dict[str, object]:
    """The JSON fields every requirement finding carries."""
    return {"requirement": req.raw, "distribution": dist, "modules": list(modules),
            "group": req.group, **extra}


def undeclared(facts: DependencyUsage) -> dict[str, list[ImportUse]]:
    """Runtime imports whose distribution no runtime or optional requirement declares, by distribution.

    Left out: imports under TYPE_CHECKING, guarded imports (the code runs without them), conditional
    imports whose test is false on the target, and modules importable without distribution metadata.
    """
    declared = facts.runtime_names | facts.optional_names
    picked = [u for u in facts.uses if u.runtime and u.active and not u.optional and u.category != UNMAPPED
              and (not u.distribution or u.distribution not in declared)]
    return group_uses(picked)

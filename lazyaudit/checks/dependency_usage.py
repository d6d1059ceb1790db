"""Which distribution each first-party import maps to, from which file, line and kind, in runtime or dev code."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lazyaudit.conditions import evaluate
from lazyaudit.model import ImportKind, ImportRecord, Requirement
from lazyaudit.requirements import is_dev_group

if TYPE_CHECKING:
    from lazyaudit.checks.context import CheckContext
    from lazyaudit.environment import Environment
    from lazyaudit.tool_commands import ToolCommand

THIRD_PARTY = "third_party"  # an installed distribution provides it
UNMAPPED = "unmapped"  # importable, but no distribution metadata claims it
MISSING = "missing"  # not importable in the target environment

_EXTRA = re.compile(r"""extra\s*==\s*['"]([^'"]+)['"]""")
_TYPE_ONLY = ImportKind.TYPE_CHECKING.value


@dataclass(frozen=True, slots=True)
class ImportUse:
    """One third-party (or unresolvable) import made by first-party code."""

    module: str  # the module the statement names (`from a import b` where b is a portion: "a.b")
    path: str  # project-relative file
    line: int
    column: int
    kind: str  # an ImportKind value
    dev: bool  # made by development code (tests, docs, scripts...)
    category: str  # THIRD_PARTY, UNMAPPED or MISSING
    distribution: str = ""  # canonical name; "" when nothing says
    mapping: str = ""  # what answered: "user", "top_level.txt", "RECORD", "namespace", "guess"
    active: bool = True  # False when a conditional import's test is false on the target interpreter
    guarded: bool = False  # inside try/except ImportError (at module level or in a function)

    @property
    def top(self) -> str:
        return self.module.partition(".")[0]

    @property
    def type_only(self) -> bool:
        return self.kind == _TYPE_ONLY

    @property
    def optional(self) -> bool:
        """Guarded by try/except ImportError: the code runs without it."""
        return self.guarded or self.kind == ImportKind.GUARDED.value

    @property
    def runtime(self) -> bool:
        """Needed when the shipped program runs: runtime code, not only for type checkers."""
        return not self.dev and not self.type_only

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """How a declared runtime requirement is used (see DependencyUsage.verdict)."""

    status: str  # "used", "indirect", "meta", "local", "launched", "dev", "unused"
    evidence: tuple[str, ...] = ()  # readable facts, "tests/test_x.py:3 imports jsonschema"


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


def extras_of(env: Environment, dist_name: str) -> tuple[str, ...]:
    """Every extra a distribution's Requires-Dist names."""
    dist = env.distribution(dist_name)
    if dist is None:
        return ()
    return tuple(sorted({m.group(1) for raw in dist.requires for m in _EXTRA.finditer(raw)}))


class DependencyUsage:
    """Imports of the project mapped to distributions, and the requirement facts the LA00x rules share."""

    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        self.env = ctx.env
        self.module_map = ctx.config.module_map
        # every root counts: CodeUri folders and layers are first-party for the whole project
        self.first_party = ctx.sources.top_level_names()
        declared = ctx.requirements.declared
        self.runtime_reqs = tuple(r for r in declared if r.group == "runtime")
        self.runtime_names = frozenset(r.name for r in self.runtime_reqs)
        self.optional_names = frozenset(r.name for r in declared if r.group.startswith("optional"))
        self.dev_names = frozenset(r.name for r in declared if is_dev_group(r.group))
        self._guesses = self._uninstalled_guesses(declared)
        self._target = {
            "version_info": tuple(self.env.version_info),
            "sys_platform": self.env.markers.get("sys_platform", ""),
            "os_name": self.env.markers.get("os_name", ""),
            "platform_system": self.env.markers.get("platform_system", ""),
            "implementation": self.env.markers.get("implementation_name", ""),
        }
        self.uses: tuple[ImportUse, ...] = tuple(self._collect())
        self.by_dist: dict[str, list[ImportUse]] = {}
        for use in self.uses:
            if use.distribution:
                self.by_dist.setdefault(use.distribution, []).append(use)
        self._requires_memo: dict[str, tuple[str, ...]] = {}
        self._reach_memo: dict[str, frozenset[str]] = {}
        self._indirect: dict[str, str] | None = None

    # -- imports -----------------------------------------------------------------------------------
    def _collect(self) -> Iterator[ImportUse]:
        ctx = self.ctx
        for rel, parsed in sorted(ctx.parsed.items()):
            if parsed.error:
                continue
            source = ctx.files.get(rel)
            dev = bool(source and source.dev)
            for rec in parsed.imports:
                yield from self._uses_of(rec, rel, dev)

    def _uses_of(self, rec: ImportRecord, rel: str, dev: bool) -> Iterator[ImportUse]:
        target = rec.target
        if not target or target.startswith(".") or target.partition(".")[0] in self.first_party:
            return
        if self.env.is_stdlib(target):
            return
        active = not rec.condition or evaluate(rec.condition, self._target) is not False
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
                            bool(rec.guard))

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

    # -- distribution relations --------------------------------------------------------------------
    def requires_all(self, dist_name: str) -> tuple[str, ...]:
        """What a distribution requires, with every one of its extras switched on."""
        found = self._requires_memo.get(dist_name)
        if found is None:
            found = self._requires_memo[dist_name] = self.env.requires(dist_name, extras_of(self.env, dist_name))
        return found

    def reach(self, dist_name: str) -> frozenset[str]:
        """Distributions `dist_name` can bring in, any extra of any of them switched on."""
        found = self._reach_memo.get(dist_name)
        if found is None:
            seen: set[str] = set()
            pending = [dist_name]
            while pending:
                name = pending.pop()
                if name in seen or self.env.distribution(name) is None:
                    continue
                seen.add(name)
                pending.extend(self.requires_all(name))
            found = self._reach_memo[dist_name] = frozenset(seen)
        return found

    def dist_of(self, module: str) -> str:
        dists = self.env.distributions_for(module, self.module_map)
        return dists[0].name if dists else ""

    def indirect(self) -> dict[str, str]:
        """Declared runtime distributions never imported by runtime code but reached through a used one.

        A distribution X is used indirectly when the import-time closure of the third-party modules
        the runtime code imports loads a module of X, or when a module of that closure imports X
        lazily (inside a function, guarded, conditional) and X is a requirement of that module's
        distribution, extras included: jinja2 through `fastapi.templating`, aws-xray-sdk through
        the Powertools Tracer, python-dotenv through pydantic-settings. Value: the evidence.
        """
        if self._indirect is not None:
            return self._indirect
        used = {u.distribution for u in self.uses if u.runtime and u.distribution}
        candidates = {n for n in self.runtime_names - used if self.env.distribution(n) is not None}
        found: dict[str, str] = {}

        def leads_to_candidate(dist: str) -> bool:
            return bool(dist) and bool(self.reach(dist) & candidates)

        # The closure is walked only through distributions that can bring a candidate in: pydantic's
        # modules are never scanned to decide about uvicorn, which keeps a cold run cheap.
        frontier = sorted({u.module for u in self.uses if u.runtime and u.category == THIRD_PARTY
                           and leads_to_candidate(u.distribution)}) if candidates else []
        seen = set(frontier)
        resolver = self.ctx.project_resolver
        while frontier:
            resolver.index.infos(frontier)  # one batch: parsed together, in parallel when many
            nxt = []
            for module in frontier:
                owner = self.dist_of(module)
                for edge in resolver.edges(module):
                    if edge.kind == _TYPE_ONLY:
                        continue
                    dist = self.dist_of(edge.target)
                    if dist in candidates and dist not in found:
                        if edge.executed:
                            found[dist] = f"{module} ({owner}) imports {edge.target} when it is imported"
                        elif owner and dist in self.requires_all(owner):
                            found[dist] = f"{module} ({owner}) imports {edge.target} ({edge.kind}, line {edge.line})"
                    if edge.executed and edge.target not in seen and leads_to_candidate(dist):
                        seen.add(edge.target)
                        nxt.append(edge.target)
            frontier = nxt
        self._indirect = found
        return found

    def verdict(self, req: Requirement) -> Verdict:
        """How the project uses a declared runtime requirement.

        used: runtime code imports it; indirect: reached through a used distribution (see indirect);
        meta: ships no module but requires a used distribution; local: the project itself;
        launched: its console script is the deployed process (Procfile, Docker CMD); dev: only tests,
        tooling, type checkers or a development tool's plugin group use it; unused: nothing does.
        """
        name = req.name
        uses = self.by_dist.get(name, [])
        runtime = [u for u in uses if u.runtime]
        if runtime:
            return Verdict("used", tuple(u.where for u in runtime[:3]))
        modules, _ = self.provided_modules(name)
        if req.editable or req.url.startswith((".", "file:")) or any(m.partition(".")[0] in self.first_party
                                                                      for m in modules):
            return Verdict("local")
        via = self.indirect().get(name)
        if via:
            return Verdict("indirect", (via,))
        meta = self._meta(req, modules)
        if meta:
            return Verdict("meta", meta)
        scripts = self._commands(name)
        launched = [f"{c.path}:{c.line} runs `{c.name}`" for c in scripts if c.runtime]
        if launched:
            return Verdict("launched", tuple(launched))
        evidence = [f"{u.where} imports {u.module}" for u in uses if u.dev and not u.type_only]
        evidence += [f"{c.path}:{c.line} runs `{c.name}`" + (" (python -m)" if c.kind == "module" else "")
                     for c in scripts]
        evidence += [f"{u.where} imports {u.module} only under TYPE_CHECKING" for u in uses if u.type_only]
        evidence += self._plugin_of_dev_tool(name)
        return Verdict("dev", tuple(evidence)) if evidence else Verdict("unused")

    def _meta(self, req: Requirement, modules: Sequence[str]) -> tuple[str, ...]:
        if modules or self.env.distribution(req.name) is None:
            return ()
        used = {u.distribution for u in self.uses if u.runtime} | set(self.indirect())
        brought = [d for d in self.env.requires(req.name, req.extras) if d in used]
        return tuple(f"requires {d}, which the runtime code uses" for d in brought)

    def _commands(self, name: str) -> list[ToolCommand]:
        dist = self.env.distribution(name)
        scripts = set(dist.console_scripts if dist else ()) | set(self.env.gui_scripts.get(name, ()))
        out = []
        for command in self.ctx.tool_commands:
            kind, program = command.kind, command.name
            if (kind == "script" and program in scripts) or (kind == "module" and self.dist_of(program) == name):
                out.append(command)
        return out

    def _plugin_of_dev_tool(self, name: str) -> list[str]:
        """Entry-point groups of `name` consumed by a development tool (pytest11 -> pytest).

        The consumer of a group is told by its name: the leading word of "pytest11",
        "flake8.extension" or "mkdocs.plugins" is the tool's distribution or import name.
        """
        dist = self.env.distribution(name)
        if dist is None:
            return []
        out = []
        for group in dist.entry_point_groups:
            if group in ("console_scripts", "gui_scripts"):
                continue
            match = re.match(r"[A-Za-z]+", group)
            consumer = match.group(0).lower() if match else ""
            if consumer and consumer != name and self._dev_tool(consumer):
                out.append(f"provides `{group}` entry points for {consumer}")
        return out

    def _dev_tool(self, consumer: str) -> bool:
        dists = {consumer} | {d.name for d in self.env.distributions_for(consumer, self.module_map)}
        if dists & self.dev_names:
            return True
        if any(u.distribution in dists and u.dev for u in self.uses):
            return True
        return any(c.name == consumer for c in self.ctx.tool_commands)

    # -- the declared closure (LA003) --------------------------------------------------------------
    def declared_closure(self) -> dict[str, list[Requirement]]:
        """Installed distribution -> the declared runtime/optional requirements that bring it in."""
        out: dict[str, list[Requirement]] = {}
        for req in self.ctx.requirements.declared:
            if req.group != "runtime" and not req.group.startswith("optional"):
                continue
            spec = f"{req.name}[{','.join(req.extras)}]" if req.extras else req.name
            for name in self.env.requires_closure([spec]):
                if name != req.name:
                    out.setdefault(name, []).append(req)
        return out


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

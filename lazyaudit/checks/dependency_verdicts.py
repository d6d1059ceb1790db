"""How each declared runtime requirement is used: directly, through a used dependency, by tooling only, or not at all."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lazyaudit.checks.dependency_usage import THIRD_PARTY, DependencyUsage
from lazyaudit.conditions import evaluate

if TYPE_CHECKING:
    from lazyaudit.environment import Environment
    from lazyaudit.model import Requirement
    from lazyaudit.tool_commands import ToolCommand

_EXTRA = re.compile(r"""extra\s*==\s*['"]([^'"]+)['"]""")
_TYPE_ONLY = "type_checking"
_AT_IMPORT = ("eager", "guarded", "conditional", "dynamic")


@dataclass(frozen=True, slots=True)
class Verdict:
    """How a declared runtime requirement is used (see DependencyUsage.verdict)."""

    status: str  # "used", "indirect", "meta", "local", "launched", "dev", "unused"
    evidence: tuple[str, ...] = ()  # readable facts, "tests/test_x.py:3 imports jsonschema"


def extras_of(env: Environment, dist_name: str) -> tuple[str, ...]:
    """Every extra a distribution's Requires-Dist names."""
    dist = env.distribution(dist_name)
    if dist is None:
        return ()
    return tuple(sorted({m.group(1) for raw in dist.requires for m in _EXTRA.finditer(raw)}))


def relations(facts: DependencyUsage) -> Relations:
    """The Relations of one DependencyUsage, built once."""
    found = _CACHE.get("relations")
    if found is None or found.facts is not facts:
        found = _CACHE["relations"] = Relations(facts)
    return found


_CACHE: dict[str, Relations] = {}


class Relations:
    """Requirement-level facts over a DependencyUsage: what distributions bring in, and verdicts."""

    def __init__(self, facts: DependencyUsage) -> None:
        self.facts = facts
        self._requires_memo: dict[str, tuple[str, ...]] = {}
        self._reach_memo: dict[str, frozenset[str]] = {}
        self._indirect: dict[str, str] | None = None

    def requires_all(self, dist_name: str) -> tuple[str, ...]:
        """What a distribution requires, with every one of its extras switched on."""
        found = self._requires_memo.get(dist_name)
        if found is None:
            found = self._requires_memo[dist_name] = self.facts.env.requires(dist_name, extras_of(self.facts.env, dist_name))
        return found

    def reach(self, dist_name: str) -> frozenset[str]:
        """Distributions `dist_name` can bring in, any extra of any of them switched on."""
        found = self._reach_memo.get(dist_name)
        if found is None:
            seen: set[str] = set()
            pending = [dist_name]
            while pending:
                name = pending.pop()
                if name in seen or self.facts.env.distribution(name) is None:
                    continue
                seen.add(name)
                pending.extend(self.requires_all(name))
            found = self._reach_memo[dist_name] = frozenset(seen)
        return found

    def dist_of(self, module: str) -> str:
        dists = self.facts.env.distributions_for(module, self.facts.module_map)
        return dists[0].name if dists else ""

    def indirect(self) -> dict[str, str]:
        """Declared runtime distributions never imported by runtime code but reached through a used one.

        A distribution X is used indirectly when the import-time closure of the third-party modules
        the runtime code imports loads a module of X, or when a module of that closure imports X
        lazily (inside a function, or under TYPE_CHECKING-free `if`/`try`) and X is a requirement of
        that module's distribution, extras included: jinja2 through `fastapi.templating`, aws-xray-sdk through
        the Powertools Tracer, python-dotenv through pydantic-settings. Value: the evidence.
        """
        if self._indirect is not None:
            return self._indirect
        used = {u.distribution for u in self.facts.uses if u.runtime and u.distribution}
        candidates = {n for n in self.facts.runtime_names - used if self.facts.env.distribution(n) is not None}
        found: dict[str, str] = {}

        def leads_to_candidate(dist: str) -> bool:
            return bool(dist) and bool(self.reach(dist) & (candidates - found.keys()))

        # The closure is walked only through distributions that can still bring a candidate in
        # (pydantic's modules are never scanned to decide about uvicorn), and the walk stops once
        # every candidate is placed: a cold run stays cheap.
        facts = self.facts
        frontier = sorted({u.module for u in facts.uses if u.runtime and u.category == THIRD_PARTY
                           and leads_to_candidate(u.distribution)}) if candidates else []
        seen = set(frontier)
        index = facts.ctx.project_index
        while frontier and len(found) < len(candidates):
            nxt = []
            # One batch per level: parsed together (in parallel when many) and cached together.
            for info in index.infos(frontier):
                owner = info.distribution
                for rec in info.parsed.imports if info.parsed is not None and not info.parsed.error else ():
                    if rec.kind.value == _TYPE_ONLY or not rec.target or rec.target.startswith("."):
                        continue
                    runs = not rec.scope and rec.kind.value in _AT_IMPORT and (
                        not rec.condition or evaluate(rec.condition, facts.target) is not False)
                    for target in (rec.target, *(f"{rec.target}.{n}" for n in rec.names if n != "*")):
                        dist = self.dist_of(target)
                        if dist in candidates and dist not in found:
                            if runs:
                                found[dist] = f"{info.name} ({owner}) imports {target} when it is imported"
                            elif owner and dist in self.requires_all(owner):
                                where = f"in {rec.scope}()" if rec.scope else rec.kind.value
                                found[dist] = f"{info.name} ({owner}) imports {target} ({where}, line {rec.line})"
                        if (runs and target not in seen and leads_to_candidate(dist)
                                and index.locator.find(target) is not None):
                            seen.add(target)
                            nxt.append(target)
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
        uses = self.facts.by_dist.get(name, [])
        runtime = [u for u in uses if u.runtime]
        if runtime:
            return Verdict("used", tuple(u.where for u in runtime[:3]))
        modules, _ = self.facts.provided_modules(name)
        if req.editable or req.url.startswith((".", "file:")) or any(m.partition(".")[0] in self.facts.first_party
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
        if modules or self.facts.env.distribution(req.name) is None:
            return ()
        used = {u.distribution for u in self.facts.uses if u.runtime} | set(self.indirect())
        brought = [d for d in self.facts.env.requires(req.name, req.extras) if d in used]
        return tuple(f"requires {d}, which the runtime code uses" for d in brought)

    def _commands(self, name: str) -> list[ToolCommand]:
        dist = self.facts.env.distribution(name)
        scripts = set(dist.console_scripts if dist else ()) | set(self.facts.env.gui_scripts.get(name, ()))
        out = []
        for command in self.facts.ctx.tool_commands:
            kind, program = command.kind, command.name
            if (kind == "script" and program in scripts) or (kind == "module" and self.dist_of(program) == name):
                out.append(command)
        return out

    def _plugin_of_dev_tool(self, name: str) -> list[str]:
        """Entry-point groups of `name` consumed by a development tool (pytest11 -> pytest).

        The consumer of a group is told by its name: the leading word of "pytest11",
        "flake8.extension" or "mkdocs.plugins" is the tool's distribution or import name.
        """
        dist = self.facts.env.distribution(name)
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
        dists = {consumer} | {d.name for d in self.facts.env.distributions_for(consumer, self.facts.module_map)}
        if dists & self.facts.dev_names:
            return True
        if any(u.distribution in dists and u.dev for u in self.facts.uses):
            return True
        return any(c.name == consumer for c in self.facts.ctx.tool_commands)

    # -- the declared closure (LA003) --------------------------------------------------------------
    def declared_closure(self) -> dict[str, list[Requirement]]:
        """Installed distribution -> the declared runtime/optional requirements that bring it in."""
        out: dict[str, list[Requirement]] = {}
        for req in self.facts.ctx.requirements.declared:
            if req.group != "runtime" and not req.group.startswith("optional"):
                continue
            spec = f"{req.name}[{','.join(req.extras)}]" if req.extras else req.name
            for name in self.facts.env.requires_closure([spec]):
                if name != req.name:
                    out.setdefault(name, []).append(req)
        return out



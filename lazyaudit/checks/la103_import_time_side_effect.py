"""LA103 import-time-side-effect: clients, tracers, connections and file/network I/O run at module level."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from lazyaudit.checks.heavy import heavy_cost
from lazyaudit.checks.side_effect_catalogue import CATALOGUE, CATEGORIES, SideEffect, configured, io_verb, match
from lazyaudit.hotpath import Names, reach
from lazyaudit.model import Call, Finding, ParsedModule
from lazyaudit.rules import RULES

if TYPE_CHECKING:
    from lazyaudit.checks.context import CheckContext, EntryView
    from lazyaudit.modindex import ModuleIndex

CODE = "LA103"

_ADVICE = {
    "file-io": "read it on first use (cached) or at build time",
    "network-io": "do it on first use, inside the handler's path",
    "tracing": "keep it only if every invocation is traced; otherwise set it up on first use",
    "logging": "keep it only if every invocation logs through it; otherwise build it on first use",
}
_DEFAULT_ADVICE = "create it on first use (a cached getter) unless every invocation needs it"


class _Matcher:
    """Catalogue matching with the aliases of each pattern resolved once per module index."""

    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        self.catalogue = (*CATALOGUE, *configured(ctx.config.side_effect_calls))
        self._names: dict[int, tuple[Names, dict[str, set[str]]]] = {}

    def names(self, index: ModuleIndex) -> tuple[Names, dict[str, set[str]]]:
        found = self._names.get(id(index))
        if found is None:
            names = Names(index)
            canonical = {e.pattern: set(names.aliases(e.pattern)) for e in self.catalogue if not e.is_glob}
            found = self._names[id(index)] = (names, canonical)
        return found

    def effect(self, view: EntryView | None, index: ModuleIndex, qualified: str, *, verbs: bool) -> SideEffect | None:
        names, canonical = self.names(index)
        found = match(names.aliases(qualified), self.catalogue, canonical)
        if found is not None or not verbs:
            return found
        verb = io_verb(qualified)
        module, _ = names.module_of(qualified)
        if not verb or not module or index.info(module).category != "third_party":
            return None
        resolver = view.resolver if view is not None else self.ctx.project_resolver
        cost = heavy_cost(self.ctx, resolver, module)
        if cost is None:
            return None
        return SideEffect(qualified, "io-verb", f"`{verb}` on {module}, a heavy module ({cost.modules} modules, "
                          f"~{cost.ms:.0f} ms to import): the name says it connects, configures, patches or loads")


def check(ctx: CheckContext) -> Iterable[Finding]:
    matcher = _Matcher(ctx)
    for source, parsed in ctx.runtime_files():
        if parsed.error:
            continue
        views = [v for v in ctx.views if _sees(v, parsed.name, source.rel)]
        view = views[0] if views else None
        index = view.index if view is not None else ctx.project_index
        names, _ = matcher.names(index)
        entries = [v.label for v in views if parsed.name in v.loaded]
        for call in sorted((c for c in parsed.calls if not c.scope), key=lambda c: (c.line, c.column)):
            qualified = names.qualify(parsed, call.callee)
            if not qualified:
                continue
            effect = matcher.effect(view, index, qualified, verbs=True)
            if effect is not None:
                yield _finding(source.rel, parsed, call, qualified, effect, entries, ())
                continue
            yield from _through_calls(matcher, view, index, source.rel, parsed, call, qualified, entries)


def _sees(view: EntryView, module: str, rel: str) -> bool:
    src = view.index.first_party.get(module)
    return src is not None and src.rel == rel


def _through_calls(
    matcher: _Matcher, view: EntryView | None, index: ModuleIndex, rel: str, parsed: ParsedModule,
    call: Call, qualified: str, entries: list[str],
) -> Iterable[Finding]:
    """A module-level call of a first-party function whose body (or callees) runs catalogued work."""
    names, _ = matcher.names(index)
    start = names.function(qualified)
    if start is None:
        return
    reached, _ = reach(names, [start], nested=False)  # a nested def's body does not run when it is defined
    seen: set[str] = set()
    for module, function in sorted(reached):
        inner = index.info(module).parsed
        for c in sorted(inner.calls if inner else (), key=lambda c: (c.line, c.column)):
            if c.scope != function:
                continue
            target = names.qualify(inner, c.callee, c.scope)  # type: ignore[arg-type]
            effect = matcher.effect(view, index, target, verbs=False) if target else None
            if effect is None or target in seen:
                continue
            seen.add(target)
            where = f"{index.info(module).rel or module}:{c.line}"
            yield _finding(rel, parsed, call, target, effect, entries, (f"{module}.{function}", where))


def _finding(
    rel: str, parsed: ParsedModule, call: Call, qualified: str, effect: SideEffect, entries: list[str],
    via: tuple[str, ...],
) -> Finding:
    written = f"{call.target} = {call.callee}(...)" if call.target else f"{call.callee}(...)"
    subject = qualified.replace("()", "")
    what = CATEGORIES.get(effect.category, effect.category)
    if via:
        head = f"`{written}` runs at import and calls {subject} (in {via[0]}, {via[1]})"
    else:
        head = f"`{written}` runs at import"
    paid = ""
    if entries:
        more = f" and {len(entries) - 1} more entr{'ies' if len(entries) > 2 else 'y'}" if len(entries) > 1 else ""
        paid = f" Every cold start of {entries[0]}{more} pays it."
    advice = _ADVICE.get(effect.category, _DEFAULT_ADVICE)
    message = f"{head} ({what}): {effect.why}.{paid} Fix: {advice}."
    return Finding(
        CODE, message, rel, call.line, call.column, subject=subject, severity=RULES[CODE].severity,
        data={"category": effect.category, "callee": subject, "written": call.callee, "target": call.target,
              "entry": entries[0] if entries else "", "entries": entries, "why": effect.why,
              "pattern": effect.pattern, "via": list(via)},
    )

"""What each module name is in one project view: first-party file, installed module, stdlib, or missing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lazyaudit.model import ParsedModule

if TYPE_CHECKING:
    from lazyaudit.environment import Environment
    from lazyaudit.locator import ModuleLocator
    from lazyaudit.parsing.cache import ScanCache
    from lazyaudit.sources import SourceFile

FIRST_PARTY = "first_party"
THIRD_PARTY = "third_party"
STDLIB = "stdlib"
MISSING = "missing"
# A Cython-compiled extension adds two modules to sys.modules when it initialises: `cython_runtime`
# and its shared ABI module `_cython_<version>`; both names are written in the binary.
_CYTHON_ABI = re.compile(rb"_cython_\d+_\d+_\d+(?:(?:a|b|rc)\d+)?(?![\w])")


@dataclass(frozen=True, slots=True)
class ModuleInfo:
    """A resolved module: where it lives, what kind of code it is, and its parsed imports."""

    name: str
    category: str  # first_party, third_party, stdlib or missing
    path: str = ""
    is_package: bool = False
    kind: str = "source"  # locator kind: source, extension, sourceless, builtin, frozen, namespace;
    # "registered" for a module that native code creates at init (cython_runtime), with no file of its own
    distribution: str = ""  # canonical distribution name for third-party modules
    parsed: ParsedModule | None = None
    rel: str = ""  # project-relative path for first-party modules

    @property
    def native(self) -> bool:
        return self.kind == "extension"

    @property
    def source_bytes(self) -> int:
        return self.parsed.source_bytes if self.parsed else 0


class ModuleIndex:
    """Resolves and parses modules on demand, memoised; first-party names shadow installed ones."""

    def __init__(
        self,
        env: Environment,
        first_party: Mapping[str, SourceFile],
        parsed_first_party: Mapping[str, ParsedModule],
        *,
        cache: ScanCache | None = None,
        module_map: Mapping[str, str] | None = None,
        jobs: int | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        self.env = env
        self.first_party = dict(first_party)
        # Every dotted prefix of a first-party module: what `a.b` resolves to when only `a/b/c.py` exists.
        self._first_party_packages = {n[:i] for n in self.first_party for i, c in enumerate(n) if c == "."}
        self._parsed_fp = dict(parsed_first_party)
        self._cache = cache
        self._module_map = dict(module_map or {})
        self._jobs = jobs
        self._progress = progress  # (stage, done, total): told how many modules are resolved so far
        self.locator: ModuleLocator = env.locator()
        self._infos: dict[str, ModuleInfo] = {}
        self._fp_top = {n.split(".", 1)[0] for n in self.first_party}
        self._registered: dict[str, tuple[str, ...]] = {}  # extension path -> modules it registers
        self._mentions: dict[tuple[str, tuple[bytes, ...]], bool] = {}
        self._peeked: dict[str, ModuleInfo] = {}
        self.read_paths: set[str] = set()  # installed files read outside the parse cache (edge_cache deps)

    @property
    def scan_cache(self) -> ScanCache | None:
        return self._cache

    def peek(self, name: str) -> ModuleInfo:
        """What `name` is and where it lives, without parsing it (info() parses installed sources)."""
        found = self._infos.get(name) or self._peeked.get(name)
        if found is None:
            found = self._peeked[name] = self._resolve(name)
        return found

    def is_first_party(self, name: str) -> bool:
        return name.split(".", 1)[0] in self._fp_top

    def info(self, name: str) -> ModuleInfo:
        found = self._infos.get(name)
        if found is None:
            found = self._resolve(name)
            if found.parsed is None and found.kind in ("source",) and found.path and found.category != FIRST_PARTY:
                found = self._with_parsed([found])[0]
            self._infos[name] = found
            if self._progress:
                self._progress("scanning imports", len(self._infos), 0)
        return found

    def infos(self, names: Iterable[str]) -> list[ModuleInfo]:
        """Resolve many names, scanning the uncached installed sources of the batch together."""
        names = list(dict.fromkeys(names))
        todo = [self._resolve(n) for n in names if n not in self._infos]
        need = [i for i in todo if i.parsed is None and i.kind == "source" and i.path and i.category != FIRST_PARTY]
        done = {i.name: i for i in self._with_parsed(need)} if need else {}
        for i in todo:
            self._infos[i.name] = done.get(i.name, i)
        if todo and self._progress:
            self._progress("scanning imports", len(self._infos), 0)
        return [self._infos[n] for n in names]

    def registered_by(self, info: ModuleInfo) -> tuple[str, ...]:
        """Modules that the extension module `info` puts in sys.modules when it initialises (Cython's)."""
        if not info.native or not info.path:
            return ()
        names = self._registered.get(info.path)
        if names is None:
            self.read_paths.add(info.path)
            try:
                with open(info.path, "rb") as handle:
                    binary = handle.read()
            except OSError:
                binary = b""
            abi = _CYTHON_ABI.search(binary) if b"cython_runtime" in binary else None
            names = ("cython_runtime", abi.group().decode("ascii")) if abi else ()
            self._registered[info.path] = names
            for name in names:
                if self._infos.get(name, ModuleInfo(name, MISSING)).category == MISSING:
                    self._infos[name] = ModuleInfo(name, info.category, "", False, "registered", info.distribution)
        return names

    def exists(self, name: str) -> bool:
        """Whether `name` can be imported; answered by the locator alone, without parsing the module."""
        return self.peek(name).category != MISSING

    def mentions(self, name: str, needles: tuple[bytes, ...]) -> bool:
        """Whether the source of installed module `name` contains any of `needles` (True when unsure): a
        cheap test that spares parsing a module only looked at for a hook it cannot have."""
        key = (name, needles)
        known = self._mentions.get(key)
        if known is not None:
            return known
        found = self._infos.get(name) or self.peek(name)
        known = True
        if found.parsed is None and found.kind == "source" and found.path:
            self.read_paths.add(found.path)
            try:
                with open(found.path, "rb") as handle:
                    source = handle.read()
                known = any(needle in source for needle in needles)
            except OSError:
                pass
        self._mentions[key] = known
        return known

    def known(self) -> dict[str, ModuleInfo]:
        return dict(self._infos)

    def _resolve(self, name: str) -> ModuleInfo:
        top = name.split(".", 1)[0]
        src = self.first_party.get(name)
        if src is not None:
            return ModuleInfo(name, FIRST_PARTY, src.path, src.is_package, "source", "", self._parsed_fp.get(name), src.rel)
        if top in self._fp_top:
            if name in self._first_party_packages:
                return ModuleInfo(name, FIRST_PARTY, "", True, "namespace")
            return ModuleInfo(name, MISSING)
        loc = self.locator.find(name)
        category = STDLIB if self.env.is_stdlib(name) else THIRD_PARTY
        if loc is None:
            return ModuleInfo(name, MISSING)
        dist = ""
        if category == THIRD_PARTY:
            dists = self.env.distributions_for(name, self._module_map)
            dist = dists[0].name if dists else ""
        return ModuleInfo(name, category, loc.path, loc.is_package, loc.kind, dist)

    def _with_parsed(self, infos: list[ModuleInfo]) -> list[ModuleInfo]:
        from lazyaudit.parsing import scan_many

        parsed = scan_many(
            [(i.path, i.name, i.is_package) for i in infos], full=False, cache=self._cache, jobs=self._jobs
        )
        return [_replace_parsed(i, parsed.get(i.path)) for i in infos]


def _replace_parsed(info: ModuleInfo, parsed: ParsedModule | None) -> ModuleInfo:
    return ModuleInfo(
        info.name, info.category, info.path, info.is_package, info.kind, info.distribution, parsed, info.rel
    )

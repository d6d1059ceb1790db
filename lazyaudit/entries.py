"""Entry points: what a runtime imports first (--entry, config, SAM/CloudFormation, serverless.yml, scripts)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import Protocol

from lazyaudit.entry_sources import is_dotted, line_of_key, parse_object_ref
from lazyaudit.errors import LazyauditError
from lazyaudit.model import Entry, Finding
from lazyaudit.pyproject import read_pyproject

__all__ = ["EntryConfig", "discover_entries", "discover_layer_roots", "parse_entry_spec"]


class EntryConfig(Protocol):
    """What entry discovery reads from the configuration (lazyaudit.config.Config satisfies it).

    A protocol rather than an import: entries and config are independent adapters in the layering contract.
    """

    @property
    def entries(self) -> tuple[str, ...]: ...

    @property
    def exclude(self) -> tuple[str, ...]: ...


def parse_entry_spec(spec: str) -> tuple[str, str] | None:
    """ "pkg.mod", "pkg.mod:attr", or a file path "src/app.py[:attr]" -> (module, attr); None if invalid.

    A path is turned into a dotted name as written ("src/app.py" -> "src.app"); which source root it is
    relative to is for the analysis to resolve.
    """
    text = spec.strip()
    path_part, colon, attr = text.partition(":")
    if "/" in path_part or "\\" in path_part or path_part.endswith(".py"):
        parts = [p for p in PurePosixPath(path_part.replace("\\", "/")).parts if p not in (".", "/")]
        if parts and parts[-1].endswith(".py"):
            parts[-1] = parts[-1][:-3]
        if parts and parts[-1] == "__init__":
            parts.pop()
        path_part = ".".join(parts)
    if colon and not attr:
        return None
    return parse_object_ref(f"{path_part}:{attr}" if attr else path_part)


def discover_entries(
    root: Path, config: EntryConfig, cli_entries: Sequence[str] = ()
) -> tuple[list[Entry], list[Finding]]:
    """Every entry point of the project, in source order, deduplicated by (module, attr, root).

    Order: `--entry` ("cli"), `[tool.lazyaudit] entries` ("config"), SAM/CloudFormation templates at the
    root, serverless.yml, [project.scripts]/[project.gui-scripts], [tool.poetry.scripts], setup.cfg. When
    two sources name the same entry the first one wins. Bad declarations become LA900 findings (a
    broken pyproject.toml is reported by load_config, not again here). Invalid `--entry` values are a
    usage error: LazyauditError naming all of them.
    """
    from lazyaudit.entry_sources.sam import find_templates, read_template, template_entries
    from lazyaudit.entry_sources.scripts import pyproject_entries, setup_cfg_entries
    from lazyaudit.entry_sources.serverless import find_serverless, serverless_entries

    root = Path(root)
    collected: list[Entry] = []
    findings: list[Finding] = []
    bad = [spec for spec in cli_entries if parse_entry_spec(spec) is None]
    if bad:
        raise LazyauditError(
            f"invalid --entry value(s): {', '.join(map(repr, bad))}; expected module[:attr] (e.g. app.handlers:main)"
        )
    for spec in cli_entries:
        module, attr = parse_entry_spec(spec)  # type: ignore[misc]  # validated above
        collected.append(Entry(module, attr, "cli"))
    pyproject, _ = read_pyproject(root)
    pyproject_text = _read_text(root / "pyproject.toml") if config.entries else ""
    line = line_of_key(pyproject_text, ("tool.lazyaudit",), "entries")
    for spec in config.entries:
        parsed = parse_entry_spec(spec)
        if parsed is None:  # load_config validates entries; this guards hand-built configs
            findings.append(Finding("LA900", f"invalid entry {spec!r} in [tool.lazyaudit] entries", "pyproject.toml",
                                    line, severity="error"))
            continue
        collected.append(Entry(parsed[0], parsed[1], "config", path="pyproject.toml" if line else "", line=line))
    for template in find_templates(root, config.exclude):
        data, finding = read_template(template, root)
        if finding is not None:
            findings.append(finding)
            continue
        got, problems = template_entries(data, template, root)
        collected += got
        findings += problems
    for path in find_serverless(root):
        got, problems = serverless_entries(path, root)
        collected += got
        findings += problems
    for got, problems in (pyproject_entries(pyproject, root), setup_cfg_entries(root)):
        collected += got
        findings += problems
    return _dedupe(collected), findings


def discover_layer_roots(root: Path, exclude: Iterable[str] = ()) -> list[str]:
    """Source roots provided by Lambda layers declared in root templates (relative posix, in order).

    For a Python layer the importable folder is `<ContentUri>/python` (what Lambda puts on sys.path
    from /opt/python); when the layer has no python/ subfolder, ContentUri itself (SAM's
    `BuildMethod: python3.x` builds that folder into python/). Unreadable templates are skipped
    silently here: discover_entries reports them.
    """
    from lazyaudit.entry_sources.sam import find_templates, read_template, template_layer_roots

    roots: list[str] = []
    for template in find_templates(Path(root), exclude):
        data, finding = read_template(template, Path(root))
        if finding is None:
            roots += [r for r in template_layer_roots(data, template, Path(root)) if r not in roots]
    return roots


def _dedupe(entries: Iterable[Entry]) -> list[Entry]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for entry in entries:
        key = (entry.module, entry.attr, entry.root)
        if key not in seen and is_dotted(entry.module):
            seen.add(key)
            out.append(entry)
    return out


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""

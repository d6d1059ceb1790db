"""pip requirements files (`requirements*.txt`, `*.in`): includes, options, editables, URLs, `# via` notes."""

from __future__ import annotations

import codecs
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from packaging.markers import InvalidMarker, Marker
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

from lazyaudit.model import Finding, Requirement
from lazyaudit.requirements.lockstyle import group_for_path
from lazyaudit.requirements.pep621 import la900, parse_pep508
from lazyaudit.requirements.setup_cfg import local_project_name

# pip's own comment rule: `#` at the start or after whitespace, so `url#egg=x` is not a comment
_COMMENT = re.compile(r"(^|\s+)#.*$")
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_SCHEME = re.compile(r"^(?:[a-z][a-z0-9+.-]+:|file:)", re.IGNORECASE)
_PEP508_URL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*@")
_EXTRAS_SUFFIX = re.compile(r"^(.*?)\[([^\]]*)\]$")
_ARCHIVES = (".whl", ".tar.gz", ".zip", ".tgz", ".tar.bz2", ".tar.xz", ".tar")
_KIND = {"-r": "requirement", "--requirement": "requirement", "-c": "constraint", "--constraint": "constraint",
         "-e": "editable", "--editable": "editable"}
_WITH_VALUE = {*_KIND, "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host", "--no-binary",
               "--only-binary", "--use-feature", "--allow-external", "--allow-unverified", "-C", "--config-settings",
               "--global-option", "--install-option", "--hash"}
_FLAGS = {"--no-index", "--pre", "--prefer-binary", "--require-hashes", "-Z", "--always-unzip",
          "--process-dependency-links", "--allow-all-external", "--no-use-wheel"}
_PER_REQUIREMENT = {"--hash", "--global-option", "--install-option", "--config-settings", "-C"}


def within(path: Path, root: Path) -> Path | None:
    """The resolved path when it lies inside `root`; None outside, or when the path cannot be resolved at all."""
    try:
        resolved = path.resolve()
    except (OSError, ValueError, RuntimeError):  # NUL bytes, names too long, symlink loops (3.10/3.11)
        return None
    return resolved if resolved.is_relative_to(root) else None


def refusal(path: Path, shown: str) -> str:
    """Why `within` gave None: the path leads out of the project, or cannot be resolved (a symlink loop)."""
    try:
        path.resolve()
    except (OSError, ValueError, RuntimeError):  # the exception text holds an absolute path: not in findings
        return f"cannot resolve requirement file {shown}: a symlink loop or an invalid path"
    return f"refusing to read a requirement file outside the project: {shown}"


@dataclass(frozen=True, slots=True)
class PipLine:
    """One requirement line of a pip file, with what pip-compile/uv wrote about it."""

    requirement: Requirement
    via: tuple[str, ...] = ()  # `# via` items: "-r requirements.in", "httpx", "proj (pyproject.toml)"
    hashed: bool = False
    pinned: bool = False  # a single `==`/`===` version, no wildcard


@dataclass(frozen=True, slots=True)
class PipFile:
    """One pip requirements file as read (its includes are separate PipFiles)."""

    path: str  # relative to the project root
    group: str
    lines: tuple[PipLine, ...] = ()
    header: str = ""  # the leading comment block, lowercased
    annotated: bool = False  # has `# via` notes


class PipReader:
    """Reads pip requirement files once each (by resolved path), following includes inside the project."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.files: dict[Path, PipFile] = {}
        self.findings: list[Finding] = []
        self._stack: list[Path] = []

    def rel(self, path: Path) -> str:
        inside = within(path, self.root)
        return inside.relative_to(self.root).as_posix() if inside is not None else str(path)

    def include(self, target: str, base: Path, origin: str, line: int, group: str | None) -> Path | None:
        """Follow a reference to a requirement file; refusals and misses become findings at (origin, line)."""
        if re.match(r"^(https?|ftp)://", target, re.IGNORECASE):
            self.findings.append(la900(f"not fetching remote requirement file {target}", origin, line,
                                       severity="warning"))
            return None
        path = within(base / target, self.root)
        if path is None:
            self.findings.append(la900(refusal(base / target, target), origin, line))
            return None
        if path in self._stack:
            chain = " -> ".join([self.rel(p) for p in self._stack[self._stack.index(path):]] + [self.rel(path)])
            self.findings.append(la900(f"requirement file include cycle: {chain}", origin, line))
            return None
        if not path.is_file():
            self.findings.append(la900(f"requirement file not found: {target}", origin, line))
            return None
        self.read(path, group)
        return path

    def read(self, path: Path, group: str | None = None) -> None:
        """Read one file (no-op when already read); `group` None means: from the file's name."""
        inside = within(path, self.root)
        if inside is None or inside in self.files or inside in self._stack:
            return
        path = inside
        rel = self.rel(path)
        group = group or group_for_path(rel)
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.findings.append(la900(f"cannot read {rel}: {exc.strerror or exc}", rel))
            return
        self._stack.append(path)
        try:
            self.files[path] = self._parse(decode_text(data, rel, self.findings), path, rel, group)
        finally:
            self._stack.pop()

    def _parse(self, text: str, path: Path, rel: str, group: str) -> PipFile:
        lines: list[PipLine] = []
        vias: list[list[str]] = []
        header: list[str] = []
        via_open, in_header = False, True
        last = -1  # index in `lines` of the requirement that `# via` notes belong to
        for number, content, comment, comment_only in _logical_lines(text):
            note = comment.strip()
            if comment_only:
                if in_header:
                    header.append(note.lower())
                elif last >= 0 and (note == "via" or note.startswith("via ")):
                    via_open = note == "via"
                    vias[last].extend(i.strip() for i in note[4:].split(",") if i.strip())
                elif last >= 0 and via_open and comment.startswith("  ") and note:
                    vias[last].append(note)
                else:
                    via_open = False
                continue
            via_open = False
            if not content:
                continue
            in_header = False
            line = self._line(content, path, rel, number, group)
            last = -1
            if line is None:
                continue
            lines.append(line)
            vias.append([])
            last = len(lines) - 1
            if note.startswith("via "):  # old pip-compile: `pkg==1.0  # via a, b`
                vias[last].extend(i.strip() for i in note[4:].split(",") if i.strip())
        out = tuple(PipLine(ln.requirement, tuple(v), ln.hashed, ln.pinned) for ln, v in zip(lines, vias))
        return PipFile(rel, group, out, "\n".join(header), any(vias))

    def _line(self, content: str, path: Path, rel: str, number: int, group: str) -> PipLine | None:
        if content.startswith("-"):
            return self._option(content, path, rel, number, group)
        args, options = _split_options(content)
        hashed = False
        for token in options:
            name = token.split("=", 1)[0]
            if name == "--hash":
                hashed = True
            elif token.startswith("-") and name not in _PER_REQUIREMENT:
                self.findings.append(la900(f"unknown option {name} on requirement line", rel, number))
        result = self.requirement(args, path.parent, rel, number, group, editable=False)
        if result is None:
            return None
        if isinstance(result, Finding):
            if "${" not in args:  # pip expands ${VAR} at install time; an unexpanded one is not an error
                self.findings.append(result)
            return None
        spec = result.specifier
        pinned = spec.startswith("==") and "," not in spec and not spec.endswith(".*")
        return PipLine(result, hashed=hashed, pinned=pinned)

    def _option(self, content: str, path: Path, rel: str, number: int, group: str) -> PipLine | None:
        try:
            tokens = shlex.split(content)
        except ValueError as exc:
            self.findings.append(la900(f"cannot split option line: {exc}", rel, number))
            return None
        head = tokens[0]
        name, value = head, None
        if "=" in head and head.startswith("--"):
            name, value = head.split("=", 1)
        elif len(head) > 2 and not head.startswith("--") and head[:2] in _WITH_VALUE:
            name, value = head[:2], head[2:]  # `-rbase.txt`, like optparse
        if name in _FLAGS:
            return None
        if name not in _WITH_VALUE:
            self.findings.append(la900(f"unknown pip option {name}", rel, number))
            return None
        if value is None:
            value = tokens[1] if len(tokens) > 1 else ""
        if not value:
            self.findings.append(la900(f"option {name} needs a value", rel, number))
            return None
        kind = _KIND.get(name, "")
        if kind in ("requirement", "constraint"):
            nested = "constraint" if kind == "constraint" or group == "constraint" else None
            self.include(value, path.parent, rel, number, nested)
        elif kind == "editable":
            result = self.requirement(value, path.parent, rel, number, group, editable=True)
            if isinstance(result, Finding):
                self.findings.append(result)
            elif result is not None:
                return PipLine(result)
        return None

    def requirement(self, spec: str, base: Path, rel: str, number: int, group: str,
                     *, editable: bool) -> Requirement | Finding | None:
        spec = spec.strip()
        if not editable and not _SCHEME.match(spec) and (_PEP508_URL.match(spec) or not _looks_like_path(spec)):
            return parse_pep508(spec, rel, number, group)
        return self._url_requirement(spec, base, rel, number, group, editable)

    def _url_requirement(self, spec: str, base: Path, rel: str, number: int, group: str,
                         editable: bool) -> Requirement | Finding | None:
        raw = f"-e {spec}" if editable else spec
        url, _, marker = spec.partition("; ") if "; " in spec else (spec, "", "")
        url, marker = url.strip(), marker.strip()
        if marker:
            try:
                marker = str(Marker(marker))
            except InvalidMarker as exc:
                return la900(f"invalid marker in {raw!r}: {str(exc).splitlines()[0]}", rel, number)
        extras: tuple[str, ...] = ()
        bare = url.split("#", 1)[0]
        suffix = _EXTRAS_SUFFIX.match(bare)
        if suffix and (not _SCHEME.match(url) or url.lower().startswith("file:")):
            url = suffix.group(1) + url[len(bare):]
            extras = tuple(sorted(canonicalize_name(e) for e in suffix.group(2).split(",") if e.strip()))
        name, egg_extras = _egg_name(url)
        extras = extras or egg_extras
        name = name or _archive_name(url.split("#", 1)[0]) or self._local_name(url, base)
        if not name:
            if editable and _SCHEME.match(url) and not url.lower().startswith("file:"):
                return la900(f"cannot tell the name of editable requirement {url!r}: add #egg=<name>", rel, number)
            return None  # a local path with no readable metadata, or a VCS URL pip would build to learn its name
        return Requirement(canonicalize_name(name), raw, rel, number, extras=extras, marker=marker, group=group,
                           url=url, editable=editable)

    def _local_name(self, url: str, base: Path) -> str:
        if _SCHEME.match(url) and not url.lower().startswith("file:"):
            return ""
        target = url.split("#", 1)[0]
        if target.lower().startswith("file:"):
            target = unquote(urlparse(target).path) if target[5:].startswith("//") else target[5:]
        folder = within(base / target, self.root)
        if folder is None or not folder.is_dir():
            return ""  # never read outside the project; the caller keeps going without a name
        return local_project_name(folder)


def _logical_lines(text: str) -> list[tuple[int, str, str, bool]]:
    """(first line number, content without comment, comment text, comment-only) with pip's line joining."""
    out: list[tuple[int, str, str, bool]] = []
    pending: list[str] = []
    start = 0

    def emit(number: int, line: str) -> None:
        match = _COMMENT.search(line)
        comment = match.group().lstrip()[1:] if match else ""
        out.append((number, (line[: match.start()] if match else line).strip(), comment, False))

    for number, line in enumerate(text.splitlines(), 1):
        if _COMMENT.match(line):  # a comment line ends a continuation, as in pip
            if pending:
                emit(start, "".join(pending))
                pending = []
            out.append((number, "", line.lstrip()[1:], True))
        elif line.endswith("\\"):
            start = start if pending else number
            pending.append(line[:-1])
        elif pending:
            pending.append(line)
            emit(start, "".join(pending))
            pending = []
        else:
            emit(number, line)
    if pending:
        emit(start, "".join(pending))
    return out


def decode_text(data: bytes, rel: str, findings: list[Finding]) -> str:
    """Text of a requirement file: BOMs and coding cookies honoured like pip; bad bytes reported, then replaced."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, "replace") if codec == "utf-8" else data.decode(codec, "replace")
    encoding = "utf-8"
    for first in data.split(b"\n")[:2]:
        cookie = _COOKIE.match(first)
        if cookie:
            encoding = cookie.group(1).decode("ascii")
            break
    try:
        return data.decode(encoding)
    except LookupError:
        findings.append(la900(f"{rel} declares an unknown encoding {encoding!r}", rel, 1))
        encoding = "utf-8"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        name = "UTF-8" if encoding == "utf-8" else encoding
        findings.append(la900(f"{rel} is not {name} (byte {data[exc.start]:#04x} at line {line}); "
                              "read with replacement characters", rel, line))
    return data.decode(encoding, "replace")


def _split_options(line: str) -> tuple[str, list[str]]:
    """pip's break_args_options: the requirement is everything before the first token starting with `-`."""
    tokens = line.split(" ")
    for index, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(tokens[:index]).strip(), [t for t in tokens[index:] if t]
    return line.strip(), []


def _looks_like_path(spec: str) -> bool:
    lower = spec.split(";", 1)[0].strip().lower()
    return "/" in lower or "\\" in lower or lower.startswith((".", "~")) or lower.endswith(_ARCHIVES)


def _egg_name(url: str) -> tuple[str, tuple[str, ...]]:
    """Name and extras from a `#egg=name[extra]` fragment."""
    fragment = url.split("#", 1)[1] if "#" in url else ""
    for part in fragment.split("&"):
        key, _, value = part.partition("=")
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[([^\]]*)\])?", value) if key == "egg" else None
        if match:
            extras = (match.group(2) or "").split(",")
            return match.group(1), tuple(sorted(canonicalize_name(e) for e in extras if e.strip()))
    return "", ()


def _archive_name(url: str) -> str:
    filename = unquote(url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0])
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[0])
        if filename.endswith((".tar.gz", ".zip")):
            return str(parse_sdist_filename(filename)[0])
    except (InvalidWheelFilename, InvalidSdistFilename):
        return ""
    return ""

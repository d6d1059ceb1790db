"""Load YAML that may carry CloudFormation short-form tags (`!Ref`, `!Sub`, ...) without ever raising."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from lazyaudit.model import Finding

# The short forms CloudFormation documents; any other `!Tag` is accepted the same way,
# because SAM and third-party macros add their own and a template must still load.
KNOWN_TAGS = frozenset(
    {
        "Ref", "Sub", "GetAtt", "If", "Join", "Select", "ImportValue", "FindInMap", "Equals", "Not",
        "And", "Or", "Condition", "Base64", "Cidr", "GetAZs", "Split", "Transform",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Tagged:
    """A value written with a local YAML tag: `!Ref Memory` is Tagged("Ref", "Memory")."""

    tag: str  # without the "!": "Ref", "GetAtt", ...
    value: Any  # scalar str, list or dict as written; `!GetAtt A.B` becomes ["A", "B"]

    def __hash__(self) -> int:  # value may be a list or dict; identity of the tag is enough for sets
        return hash((self.tag, repr(self.value)))


class LineDict(dict):  # type: ignore[type-arg]
    """A mapping that remembers the 1-based line of each of its keys (for findings and entries)."""

    __slots__ = ("line", "lines")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines: dict[Any, int] = {}
        self.line = 0  # line where the mapping itself starts

    def line_of(self, key: Any, default: int = 0) -> int:
        return self.lines.get(key, default or self.line)


def key_line(mapping: Any, key: Any, default: int = 0) -> int:
    """Line of `key` in a mapping loaded by load_yaml (default when unknown, e.g. JSON fallback)."""
    return mapping.line_of(key, default) if isinstance(mapping, LineDict) else default


def load_yaml(text: str | bytes, path: str, *, expect_mapping: bool = True) -> tuple[Any, Finding | None]:
    """Parse one YAML (or JSON) document; a problem gives (None, an LA900 finding with line/column).

    `path` is the project-relative path used in findings. With `expect_mapping`, a document that
    is empty, a list or a scalar is a finding too, since templates and serverless.yml are mappings.
    """
    if isinstance(text, bytes):
        decoded = _decode(text, path)
        if isinstance(decoded, Finding):
            return None, decoded
        text = decoded
    import yaml  # imported here: only template discovery needs it, and it costs ~10 ms

    try:
        data = yaml.load(text, Loader=_loader_class())
    except yaml.MarkedYAMLError as exc:
        return None, _marked_finding(exc, path)
    except yaml.YAMLError as exc:  # e.g. a reader error on a control character
        return None, _finding(path, f"invalid YAML in {path}: {exc}")
    except RecursionError:  # deeply nested flow collections
        return None, _finding(path, f"invalid YAML in {path}: nesting too deep")
    if expect_mapping and not isinstance(data, dict):
        kind = "empty" if data is None else f"a {_kind(data)}"
        return None, _finding(path, f"{path} is {kind}; expected a mapping at the top level", 1 if data is not None else 0)
    return data, None


def _decode(raw: bytes, path: str) -> str | Finding:
    # YAML streams may be UTF-8 (with or without BOM) or UTF-16/32 with a BOM; nothing else.
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError as exc:
                return _finding(path, f"{path} is not valid {codec}: {exc.reason}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return _finding(path, f"{path} is not UTF-8 (byte 0x{raw[exc.start]:02x}): {exc.reason}", line, column)


def _marked_finding(exc: Any, path: str) -> Finding:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    parts = []
    if exc.context:
        context = str(exc.context)
        ctx = exc.context_mark
        if ctx is not None and mark is not None and ctx.line != mark.line:
            context += f" (line {ctx.line + 1})"
        parts.append(context)
    if exc.problem:
        parts.append(str(exc.problem))
    message = ": ".join(parts) or str(exc)
    if "'\\t'" in message:
        message += " (YAML indentation must use spaces, not tabs)"
    return _finding(path, f"invalid YAML in {path} at line {line}, column {column}: {message}", line, column)


def _finding(path: str, message: str, line: int = 0, column: int = 0) -> Finding:
    return Finding("LA900", message, path, line, column, severity="error")


def _kind(data: Any) -> str:
    return "list" if isinstance(data, list) else type(data).__name__


@functools.cache  # built on first use, so that yaml is imported only when a YAML file is actually read
def _loader_class() -> Any:
    """A SafeLoader subclass that accepts any local tag and records the line of every mapping key."""
    import yaml

    class CfnLoader(yaml.SafeLoader):
        pass

    def construct_map(loader: Any, node: Any) -> Any:
        data = LineDict()
        data.line = node.start_mark.line + 1
        yield data
        data.update(loader.construct_mapping(node))  # also flattens `<<` merge keys
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                data.lines.setdefault(loader.construct_object(key_node), key_node.start_mark.line + 1)

    def construct_tag(loader: Any, suffix: str, node: Any) -> Tagged:
        tag = suffix.lstrip("!")
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if tag == "GetAtt" and isinstance(value, str) and "." in value:
                value = value.split(".", 1)  # `!GetAtt Role.Arn` is ["Role", "Arn"] in the long form
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return Tagged(tag, value)

    CfnLoader.add_constructor("tag:yaml.org,2002:map", construct_map)
    CfnLoader.add_multi_constructor("!", construct_tag)
    return CfnLoader

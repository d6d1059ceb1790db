"""AWS SAM / CloudFormation templates: Python Lambda functions as entries, and layer folders as source roots."""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lazyaudit.cfn_yaml import Tagged, key_line, load_yaml
from lazyaudit.entry_sources import (
    has_non_python_handler,
    join_rel,
    note,
    parse_handler,
    problem,
    rel_path,
)  # fmt: skip
from lazyaudit.model import Entry, Finding

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
LAMBDA_FUNCTION = "AWS::Lambda::Function"
LAYER_TYPES = {"AWS::Serverless::LayerVersion": "ContentUri", "AWS::Lambda::LayerVersion": "Content"}
TEMPLATE_NAMES = ("template.yaml", "template.yml")
_MARKERS = (b"AWSTemplateFormatVersion", b"AWS::Serverless-2016-10-31")
_SNIFF_BYTES = 5_000_000  # CloudFormation caps templates at 1 MB (S3: 1 MB too); larger root files are data
# Lambda base images of other languages: an Image function built FROM one of them is not Python.
_OTHER_BASE = re.compile(r"lambda/(nodejs|java|dotnet|ruby|go)\b|\b(node|openjdk|golang|ruby):", re.IGNORECASE)


def find_templates(root: Path, exclude: Iterable[str] = ()) -> list[Path]:
    """Templates at the project root: template.yaml/.yml, *.template.*, and YAML/JSON files that say they are."""
    patterns = tuple(exclude)
    try:
        files = sorted(p for p in root.iterdir() if p.is_file())
    except OSError:
        return []
    named = [root / n for n in TEMPLATE_NAMES if (root / n).is_file()]
    found = []
    for path in files:
        if path in named or path.suffix.lower() not in (".yaml", ".yml", ".json") or path.name.startswith("serverless."):
            continue
        if re.search(r"\.template\.(ya?ml|json)$", path.name, re.IGNORECASE) or _declares_template(path):
            found.append(path)
    return [p for p in named + found if not any(fnmatch.fnmatch(p.name, pat) for pat in patterns)]


def _declares_template(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return False
    return any(marker in head for marker in _MARKERS)


def read_template(path: Path, root: Path) -> tuple[Any, Finding | None]:
    """The template as a mapping, or (None, an LA900 finding). JSON templates fall back to the json module
    (tab-indented JSON is not valid YAML); they then have no line numbers."""
    rel = rel_path(path, root)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, problem(f"cannot read {rel}: {exc.strerror or exc}", rel)
    data, finding = load_yaml(raw, rel)
    if finding is not None and path.suffix.lower() == ".json":
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            return None, finding
        except json.JSONDecodeError as exc:
            return None, Finding("LA900", f"invalid JSON in {rel} at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                                 rel, exc.lineno, exc.colno, severity="error")
        return (data, None) if isinstance(data, dict) else (None, finding)
    return data, finding


def template_entries(data: Any, path: Path, root: Path) -> tuple[list[Entry], list[Finding]]:
    """Entries for every Python Lambda function a template declares; bad declarations become findings."""
    reader = _Template(data, path, root)
    entries: list[Entry] = []
    for logical_id, resource in reader.resources():
        entry = reader.function(logical_id, resource)
        if entry is not None:
            entries.append(entry)
    return entries, reader.findings


def template_layer_roots(data: Any, path: Path, root: Path) -> list[str]:
    """Importable folders of the template's Python layers (`<ContentUri>/python` when it exists)."""
    reader = _Template(data, path, root)
    roots = []
    for _, resource in reader.resources():
        key = LAYER_TYPES.get(resource.get("Type"))  # type: ignore[arg-type]
        props = resource.get("Properties")
        if key is None or not isinstance(props, dict):
            continue
        uri = reader.resolve(props.get(key))
        runtimes = reader.resolve(props.get("CompatibleRuntimes"))
        if isinstance(runtimes, list) and runtimes and not any(str(r).startswith("python") for r in runtimes):
            continue
        if not isinstance(uri, str) or _is_remote(uri):
            continue
        folder = join_rel(reader.base, uri)
        python_dir = join_rel(folder, "python")
        roots.append(python_dir if (root / python_dir).is_dir() else folder)
    return roots


def _is_remote(uri: str) -> bool:
    return uri.startswith(("s3://", "http://", "https://")) or uri.lower().endswith((".zip", ".jar"))


def describe(value: Any) -> str:
    """How a value that could not be resolved was written, for messages."""
    if isinstance(value, Tagged):
        return f"!{value.tag} {value.value!r}"
    if isinstance(value, dict) and len(value) == 1:
        return f"{next(iter(value))} {next(iter(value.values()))!r}"
    return repr(value)


class _Template:
    """One loaded template and the findings met while reading its functions."""

    def __init__(self, data: Any, path: Path, root: Path) -> None:
        self.data = data if isinstance(data, dict) else {}
        self.root = root
        self.rel = rel_path(path, root)
        self.base = join_rel(self.rel, "..")  # CodeUri and DockerContext are relative to the template's folder
        params = self.data.get("Parameters")
        self.params = params if isinstance(params, dict) else {}
        globals_ = self.data.get("Globals")
        function = globals_.get("Function") if isinstance(globals_, dict) else None
        self.globals = function if isinstance(function, dict) else {}
        resources = self.data.get("Resources")
        self.resource_map: dict[str, Any] = resources if isinstance(resources, dict) else {}
        self.findings: list[Finding] = []
        if resources is not None and not isinstance(resources, dict):
            self.findings.append(problem(f"{self.rel}: Resources is {type(resources).__name__}, expected a mapping "
                                         "of logical ids: no functions read", self.rel, key_line(self.data, "Resources")))

    def resources(self) -> Iterable[tuple[str, dict[str, Any]]]:
        yield from ((str(k), v) for k, v in self.resource_map.items() if isinstance(v, dict))

    def resolve(self, value: Any) -> Any:
        """`!Ref Param` (or {"Ref": Param}) -> the parameter's Default; other values unchanged."""
        name = None
        if isinstance(value, Tagged) and value.tag == "Ref":
            name = value.value
        elif isinstance(value, dict) and list(value) == ["Ref"]:
            name = value["Ref"]
        if not isinstance(name, str):
            return value
        param = self.params.get(name)
        return param.get("Default", value) if isinstance(param, dict) else value

    def function(self, logical_id: str, resource: dict[str, Any]) -> Entry | None:
        rtype = resource.get("Type")
        if rtype not in (SERVERLESS_FUNCTION, LAMBDA_FUNCTION):
            return None
        own = resource.get("Properties")
        own = own if isinstance(own, dict) else {}
        # SAM applies Globals to Serverless functions only; a function's own value wins
        props = {**self.globals, **own} if rtype == SERVERLESS_FUNCTION else dict(own)
        line = key_line(self.resource_map, logical_id)

        def where(key: str) -> int:
            if key in own:
                return key_line(own, key, line)
            return key_line(self.globals, key, line) if key in self.globals else line

        code = self.resolve(props.get("Code")) if rtype == LAMBDA_FUNCTION else None
        package_type = self.resolve(props.get("PackageType"))
        if not isinstance(package_type, str):
            package_type = "Image" if isinstance(code, dict) and "ImageUri" in code else "Zip"
        memory = self.resolve(props.get("MemorySize"))
        memory_mb = int(memory) if isinstance(memory, (int, str)) and str(memory).isdigit() else 0
        if package_type == "Image":
            found = self._image_handler(logical_id, resource, props, line)
            if found is None:
                return None
            handler, rel_root, handler_line = found
        else:
            runtime = self.resolve(props.get("Runtime"))
            if isinstance(runtime, str) and not runtime.strip().lower().startswith("python"):
                return None  # another language; not ours to analyse
            code_root = self._code_root(logical_id, props, code, where)
            if code_root is None:
                return None
            rel_root = code_root
            handler, handler_line = self.resolve(props.get("Handler")), where("Handler")
            if handler is None:
                self.findings.append(problem(f"{self.rel}: function {logical_id} has no Handler", self.rel, line, logical_id))
                return None
            if not isinstance(handler, str):
                self.findings.append(problem(
                    f"{self.rel}: Handler of function {logical_id} is {describe(handler)}, which cannot be resolved "
                    "statically; pass --entry module:function", self.rel, handler_line, logical_id))
                return None
        parsed = parse_handler(handler)
        if isinstance(parsed, str):
            self.findings.append(problem(
                f"{self.rel}: Handler of function {logical_id} {parsed} (expected module.function, "
                "e.g. app.lambda_handler)", self.rel, handler_line, logical_id))
            return None
        module, attr = parsed
        runtime = self.resolve(props.get("Runtime"))
        if not isinstance(runtime, str) and has_non_python_handler(self.root, rel_root, module):
            return None  # runtime unknown (image, unresolved !Ref) and the handler file is not Python
        return Entry(module, attr, self.rel, logical_id, rel_root, package_type, memory_mb, self.rel, line)

    def _code_root(self, logical_id: str, props: dict[str, Any], code: Any, where: Any) -> str | None:
        """Folder the function's code is packaged from (relative to the project root); None to skip it."""
        key = "Code" if code is not None else "CodeUri"
        uri = code if code is not None else self.resolve(props.get("CodeUri"))
        if (isinstance(uri, dict) and "ZipFile" in uri) or "InlineCode" in props:
            at = where("InlineCode") if "InlineCode" in props else where(key)
            self.findings.append(note(
                f"{self.rel}: function {logical_id} has inline code, which is not a project file; not analysed",
                self.rel, at, logical_id))
            return None
        if uri is None:
            return ""
        if isinstance(uri, str) and not _is_remote(uri):
            return join_rel(self.base, uri)
        self.findings.append(note(
            f"{self.rel}: {key} of function {logical_id} is {describe(uri)}, not a local folder; its handler is "
            "looked up in the project's own source roots", self.rel, where(key), logical_id))
        return ""

    def _image_handler(
        self, logical_id: str, resource: dict[str, Any], props: dict[str, Any], line: int
    ) -> tuple[str, str, int] | None:
        """(handler, root, line) of a PackageType: Image function, or None when it is not a Python one."""
        metadata = resource.get("Metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        context = self.resolve(metadata.get("DockerContext"))
        rel_root = join_rel(self.base, context) if isinstance(context, str) else ""
        dockerfile = self._dockerfile(rel_root, metadata)
        if dockerfile and _OTHER_BASE.search(" ".join(_instructions(dockerfile, "FROM")[-1:])):
            return None
        image_config = self.resolve(props.get("ImageConfig"))
        command = self.resolve(image_config.get("Command")) if isinstance(image_config, dict) else None
        if isinstance(command, list) and command and isinstance(command[0], str):
            return command[0], rel_root, key_line(image_config, "Command", line)
        cmd = _instructions(dockerfile, "CMD")[-1:] if dockerfile else []
        handler = _command_head(cmd[0]) if cmd else ""
        if handler:
            return handler, rel_root, line
        self.findings.append(note(
            f"{self.rel}: Image function {logical_id} takes its handler from the image's CMD, which lazyaudit could "
            "not read (no ImageConfig.Command; no Dockerfile under Metadata.DockerContext); pass --entry "
            "module:function", self.rel, line, logical_id))
        return None

    def _dockerfile(self, rel_root: str, metadata: dict[str, Any]) -> str:
        name = metadata.get("Dockerfile")
        if not metadata.get("DockerContext"):
            return ""
        path = self.root / rel_root / (name if isinstance(name, str) else "Dockerfile")
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""


def _instructions(dockerfile: str, keyword: str) -> list[str]:
    """Arguments of every `keyword` instruction, with backslash continuations joined."""
    joined = re.sub(r"\\\r?\n", " ", dockerfile)
    pattern = re.compile(rf"^\s*{keyword}\s+(.*)$", re.IGNORECASE | re.MULTILINE)
    return [m.group(1).strip() for m in pattern.finditer(joined)]


def _command_head(argument: str) -> str:
    """First word of a CMD: exec form `["app.handler"]` or shell form `app.handler`."""
    if argument.startswith("["):
        try:
            words = json.loads(argument)
        except json.JSONDecodeError:
            return ""
        return words[0] if isinstance(words, list) and words and isinstance(words[0], str) else ""
    return argument.split()[0] if argument.split() else ""

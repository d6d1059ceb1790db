"""Hot path of a handler: callee qualification, first-party call following, deferred imports it reaches."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from lazyaudit.hotpath import Names, callee_parts, hot_path, reach
from lazyaudit.model import Call, Entry, ImportKind, ImportRecord, ParsedModule


@dataclass(frozen=True)
class _Info:
    name: str
    category: str
    parsed: ParsedModule | None = None
    rel: str = ""


class FakeIndex:
    """A ModuleIndex built from a dict: first-party parsed modules plus names of installed ones."""

    def __init__(self, first_party: dict[str, ParsedModule], installed: dict[str, ParsedModule | None]) -> None:
        self.first_party = first_party
        self.installed = installed

    def info(self, name: str) -> _Info:
        if name in self.first_party:
            return _Info(name, "first_party", self.first_party[name], name.replace(".", "/") + ".py")
        if name in self.installed:
            return _Info(name, "third_party", self.installed[name])
        return _Info(name, "missing")

    def is_first_party(self, name: str) -> bool:
        return name.split(".")[0] in {n.split(".")[0] for n in self.first_party}


def imp(importer: str, target: str, line: int, bindings: tuple[tuple[str, str], ...], *, scope: str = "",
        kind: ImportKind = ImportKind.EAGER, names: tuple[str, ...] = ()) -> ImportRecord:
    return ImportRecord(importer, target, line, 0, kind, names, bindings, scope, is_from=bool(names))


def mod(name: str, *, imports=(), calls=(), functions=(), defined=()) -> ParsedModule:
    return ParsedModule(name, f"/p/{name}.py", False, tuple(imports), tuple(calls), tuple(defined), tuple(functions))


@pytest.fixture()
def project() -> FakeIndex:
    main = mod(
        "app.main",
        imports=[
            imp("app.main", "app.util", 1, (("helper", "app.util.helper"),), names=("helper",)),
            imp("app.main", "app", 2, (("engine", "app.engine"),), names=("engine",)),
            imp("app.main", "app", 3, (("app", "app"),)),
            imp("app.main", "boto3", 20, (("boto3", "boto3"),), scope="handler", kind=ImportKind.DEFERRED),
            imp("app.main", "pandas", 30, (("pd", "pandas"),), scope="unused", kind=ImportKind.DEFERRED),
            imp("app.main", "mypy_boto3_s3", 4, (("S3Client", "mypy_boto3_s3.S3Client"),),
                kind=ImportKind.TYPE_CHECKING, names=("S3Client",)),
        ],
        calls=[
            Call("helper", 21, 4, "handler"),
            Call("engine.run", 22, 4, "handler"),
            Call("to_messages", 23, 4, "handler"),
            Call("app.shout", 24, 4, "handler"),
            Call("boto3.client", 25, 4, "handler"),
            Call("inner", 26, 4, "handler.inner"),
        ],
        functions=["handler", "handler.inner", "to_messages", "unused"],
    )
    package = mod("app", imports=[imp("app", "app.util", 1, (("shout", "app.util.shout"),), names=("shout",))])
    util = mod(
        "app.util",
        imports=[imp("app.util", "json", 5, (("json", "json"),), scope="helper", kind=ImportKind.DEFERRED)],
        functions=["helper", "shout"],
    )
    engine = mod(
        "app.engine",
        imports=[imp("app.engine", "numpy", 12, (("np", "numpy"),), scope="Runner.go", kind=ImportKind.DEFERRED)],
        calls=[Call("Runner", 3, 4, "run"), Call("self.go", 8, 8, "Runner.__init__")],
        functions=["run", "Runner.__init__", "Runner.go"],
        defined=["Runner"],
    )
    boto3 = mod("boto3", imports=[imp("boto3", "boto3.session", 1, (("Session", "boto3.session.Session"),),
                                      names=("Session",))], functions=["client"])
    return FakeIndex({"app": package, "app.main": main, "app.util": util, "app.engine": engine},
                     {"boto3": boto3, "boto3.session": mod("boto3.session", defined=["Session"]), "json": None})


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("boto3.client", ["boto3", "client"]),
        ("Path(__file__).parent.read_text", ["Path()", "parent", "read_text"]),
        ("open", ["open"]),
        ("f(')').x", ["f()", "x"]),
        ("clients['s3'].get", []),
        ("", []),
        ("(a or b).c", []),
        ("f() + g", []),
    ],
)
def test_callee_parts(text: str, parts: list[str]) -> None:
    assert callee_parts(text) == parts


def test_qualify_resolves_bindings_targets_builtins_and_self() -> None:
    parsed = mod(
        "pkg.clients",
        imports=[
            imp("pkg.clients", "boto3", 1, (("boto3", "boto3"),)),
            imp("pkg.clients", "aws_lambda_powertools", 2, (("Tracer", "aws_lambda_powertools.Tracer"),),
                names=("Tracer",)),
            imp("pkg.clients", "other", 3, (("Tracer", "other.Tracer"),), scope="f", kind=ImportKind.DEFERRED),
            imp("pkg.clients", "typing_only", 4, (("Hidden", "typing_only.Hidden"),), kind=ImportKind.TYPE_CHECKING),
        ],
        calls=[Call("boto3.resource", 5, 0, target="dynamodb")],
        functions=["f", "C.m"],
        defined=["C", "dynamodb"],
    )
    names = Names(FakeIndex({"pkg.clients": parsed}, {}))
    assert names.qualify(parsed, "Tracer") == "aws_lambda_powertools.Tracer"
    assert names.qualify(parsed, "Tracer", "f") == "other.Tracer"  # the function's own import wins
    assert names.qualify(parsed, "Tracer", "f.inner") == "other.Tracer"
    assert names.qualify(parsed, "dynamodb.Table") == "boto3.resource().Table"
    assert names.qualify(parsed, "open") == "builtins.open"
    assert names.qualify(parsed, "self.helper", "C.m") == "pkg.clients.C.helper"
    assert names.qualify(parsed, "f") == "pkg.clients.f"
    assert names.qualify(parsed, "Hidden") == ""  # only bound under TYPE_CHECKING
    assert names.qualify(parsed, "local_var.method") == ""


def test_aliases_follow_reexports(project: FakeIndex) -> None:
    names = Names(project)
    assert names.aliases("boto3.Session") == ("boto3.Session", "boto3.session.Session")
    assert names.aliases("boto3.Session().client") == ("boto3.Session().client", "boto3.session.Session().client")
    assert names.aliases("boto3.client") == ("boto3.client",)
    assert names.function("app.shout") == ("app.util", "shout")
    assert names.function("app.engine.Runner") == ("app.engine", "Runner.__init__")
    assert names.function("boto3.client") is None  # not first-party


def test_hot_path_follows_first_party_calls(project: FakeIndex) -> None:
    view = SimpleNamespace(entry=Entry("app.main", "handler"), found=True, index=project)
    hot = hot_path(view)  # type: ignore[arg-type]
    assert hot is not None and hot.exact and hot.handler == "app.main:handler"
    assert set(hot.functions) == {
        ("app.main", "handler"), ("app.main", "to_messages"), ("app.util", "helper"), ("app.util", "shout"),
        ("app.engine", "run"), ("app.engine", "Runner.__init__"), ("app.engine", "Runner.go"),
    }
    assert [(d.module, d.function, d.target) for d in hot.deferred] == [
        ("app.engine", "Runner.go", "numpy"), ("app.main", "handler", "boto3"), ("app.util", "helper", "json"),
    ]
    assert hot.reaches("app.main", "handler.inner")
    assert not hot.reaches("app.main", "unused")
    assert not hot.reaches("app.main", "")


def test_object_handler_assumes_every_function_of_the_module(project: FakeIndex) -> None:
    view = SimpleNamespace(entry=Entry("app.main", "asgi"), found=True, index=project)
    hot = hot_path(view)  # type: ignore[arg-type]
    assert hot is not None and not hot.exact and hot.handler == ""
    assert ("app.main", "unused") in hot.functions
    assert "pandas" in {d.target for d in hot.deferred}


def test_no_attr_or_missing_entry_has_no_hot_path(project: FakeIndex) -> None:
    assert hot_path(SimpleNamespace(entry=Entry("app.main"), found=True, index=project)) is None  # type: ignore[arg-type]
    assert hot_path(SimpleNamespace(entry=Entry("gone", "h"), found=False, index=project)) is None  # type: ignore[arg-type]


def test_reach_reports_first_party_callees_it_cannot_follow(project: FakeIndex) -> None:
    parsed = project.first_party["app.main"]
    broken = mod("app.main", imports=parsed.imports, calls=[Call("engine.missing", 3, 0, "handler")],
                 functions=["handler"])
    index = FakeIndex({**project.first_party, "app.main": broken}, project.installed)
    reached, unresolved = reach(Names(index), [("app.main", "handler")])
    assert reached == {("app.main", "handler")}
    assert unresolved == {"app.engine.missing"}

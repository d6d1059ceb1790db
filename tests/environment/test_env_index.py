"""Environment built from a dict: module -> distribution order, requirements under its markers, round trip."""

from __future__ import annotations

import pytest

from lazyaudit.environment import Environment
from lazyaudit.errors import LazyauditError

LINUX = {
    "implementation_name": "cpython", "implementation_version": "3.11.7", "os_name": "posix",
    "platform_machine": "x86_64", "platform_release": "6.1", "platform_system": "Linux", "platform_version": "#1",
    "python_full_version": "3.11.7", "platform_python_implementation": "CPython", "python_version": "3.11",
    "sys_platform": "linux",
}
WINDOWS = {**LINUX, "os_name": "nt", "platform_system": "Windows", "sys_platform": "win32"}


def make(*dists: dict, markers: dict | None = None) -> Environment:
    return Environment.from_dict({
        "executable": "/venv/bin/python",
        "version_info": [3, 11, 7, "final", 0],
        "markers": markers or LINUX,
        "stdlib_module_names": ["json", "os", "__future__", "_thread"],
        "builtin_module_names": ["sys", "_imp"],
        "distributions": list(dists),
    })


def names(env: Environment, module: str, module_map: dict | None = None) -> tuple[str, list[str]]:
    return env.mapping_source(module, module_map), [d.name for d in env.distributions_for(module, module_map)]


GOOGLE = [
    {"name": "google-cloud-storage", "version": "2", "top_level": ["google"],
     "namespace_portions": ["google.cloud.storage"]},
    {"name": "protobuf", "version": "4", "top_level": ["google"], "namespace_portions": ["google.protobuf"]},
    {"name": "google-cloud-bigquery", "version": "3", "top_level": ["google"],
     "namespace_portions": ["google.cloud.bigquery"]},
]


@pytest.mark.parametrize("module, expected", [
    ("google.cloud.storage.blob", ("namespace", ["google-cloud-storage"])),
    ("google.protobuf", ("namespace", ["protobuf"])),
    ("google.cloud", ("namespace", ["google-cloud-storage", "google-cloud-bigquery"])),
    ("google", ("top_level.txt", ["google-cloud-storage", "protobuf", "google-cloud-bigquery"])),
    ("google.auth", ("top_level.txt", ["google-cloud-storage", "protobuf", "google-cloud-bigquery"])),
    ("googlex", ("", [])),
])
def test_namespace_portions_longest_prefix_wins(module: str, expected: tuple) -> None:
    assert names(make(*GOOGLE), module) == expected


def test_order_user_map_then_top_level_then_record() -> None:
    env = make(
        {"name": "from-top-level", "version": "1", "top_level": ["foo"], "top_level_source": "top_level.txt",
         "record_top_level": ["foo", "_foo_speedups"]},
        {"name": "from-record", "version": "1", "top_level": ["foo", "bar"], "top_level_source": "RECORD"},
        {"name": "guessed", "version": "1", "top_level": ["guessed"], "top_level_source": "guess"},
    )
    assert names(env, "foo.sub") == ("top_level.txt", ["from-top-level"])
    assert names(env, "bar") == ("RECORD", ["from-record"])
    assert names(env, "_foo_speedups") == ("RECORD", ["from-top-level"])
    assert names(env, "foo", {"foo": "From_Record"}) == ("user", ["from-record"])
    assert names(env, "guessed") == ("", [])  # guesses are the caller's to make, and to report


def test_user_map_longest_dotted_prefix_and_uninstalled_targets() -> None:
    env = make(*GOOGLE)
    module_map = {"google": "protobuf", "google.cloud.storage": "Google.Cloud.Storage", "yaml": "PyYAML"}
    assert names(env, "google.cloud.storage.blob", module_map) == ("user", ["google-cloud-storage"])
    assert names(env, "google.cloud.bigquery", module_map) == ("user", ["protobuf"])
    (dist,) = env.distributions_for("yaml", module_map)
    assert (dist.name, dist.version) == ("pyyaml", "")  # mapped but not installed here


def test_names_are_canonical_and_the_first_duplicate_wins() -> None:
    env = make(
        {"name": "Ruamel.YAML", "version": "0.18", "top_level": ["ruamel"]},
        {"name": "ruamel_yaml", "version": "0.1", "top_level": ["ruamel"]},
    )
    assert [(d.name, d.version) for d in env.distributions] == [("ruamel-yaml", "0.18")]
    assert env.distribution("RUAMEL-yaml").version == "0.18"
    assert env.distribution("nope") is None


def test_requirement_markers_are_the_target_environments() -> None:
    alpha = {"name": "alpha", "version": "1", "requires": [
        "beta>=1", 'colorama; sys_platform == "win32"', 'uvloop; platform_system != "Windows"',
        'rich; extra == "pretty"', 'typing-extensions; python_version < "3.8"', "not a requirement !!",
    ]}
    beta = {"name": "beta", "version": "1", "requires": ["gamma"]}
    assert make(alpha, beta).requires("alpha") == ("beta", "uvloop")
    assert make(alpha, markers=WINDOWS).requires("alpha") == ("beta", "colorama")
    assert make(alpha).requires("ALPHA", extras=("Pretty",)) == ("beta", "uvloop", "rich")
    assert make(alpha).requires("missing") == ()
    env = make(alpha, beta, {"name": "gamma", "version": "1"})
    assert env.dependents("gamma") == ("beta",)
    assert env.requires_closure(["alpha"]) == ("alpha", "beta", "gamma")


def test_is_stdlib() -> None:
    env = make()
    assert env.is_stdlib("os.path") and env.is_stdlib("sys") and env.is_stdlib("_thread")
    assert env.is_stdlib("__future__") and env.is_stdlib("_typeshed") and env.is_stdlib("__main__")
    assert not env.is_stdlib("yaml") and not env.is_stdlib("")


def test_round_trip() -> None:
    env = make(*GOOGLE, {"name": "alpha", "version": "1", "top_level": ["alpha"], "top_level_source": "RECORD",
                         "record_top_level": ["alpha"], "gui_scripts": ["alpha-gui"], "console_scripts": ["alpha"],
                         "files": 3, "size": 1234, "location": "/venv/site"})
    data = env.to_dict()
    again = Environment.from_dict(data)
    assert again == env and again.to_dict() == data
    assert again.gui_scripts == {"alpha": ("alpha-gui",)}
    assert again.version_info == (3, 11, 7, "final", 0)


@pytest.mark.parametrize("data, message", [
    ({}, "lacks 'executable'"),
    ({"executable": "x", "version_info": [3, 11]}, "malformed"),
    ({"executable": "x", "version_info": [3, 11, 0, "final", 0], "distributions": [{"version": "1"}]}, "malformed"),
    ({"executable": "x", "version_info": [3, 11, 0, "final", 0], "schema": 99}, "schema 99"),
])
def test_bad_descriptions(data: dict, message: str) -> None:
    with pytest.raises(LazyauditError, match=message):
        Environment.from_dict(data)

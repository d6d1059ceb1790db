"""load_environment on real venvs: what the introspection script reports about installed distributions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from _envtargets import Target, write_dist

from lazyaudit import _introspect, environment
from lazyaudit.environment import Environment, load_environment
from lazyaudit.errors import LazyauditError


def names(dists) -> list[str]:
    return [dist.name for dist in dists]


def test_interpreter_facts(target: Target) -> None:
    env = target.env
    assert env.executable == target.python
    assert env.is_venv
    assert Path(env.prefix).samefile(target.venv)
    assert env.version_info[:2] == tuple(int(x) for x in env.markers["python_version"].split("."))
    assert env.markers["sys_platform"] == env.sys_platform == sys.platform
    assert env.markers["implementation_name"] == env.implementation
    assert target.ext in env.extension_suffixes
    assert env.source_suffixes[0] == ".py" and ".pyc" in env.bytecode_suffixes
    assert {"json", "_json", "__future__", "os", "sys"} <= env.stdlib | env.builtins
    assert "sys" in env.builtins and "alpha" not in env.stdlib


def test_sys_path_follows_pth_files_and_excludes_the_script_dir(target: Target) -> None:
    sys_path = [os.path.normcase(p) for p in target.env.sys_path]
    assert os.path.normcase(str(target.site)) in sys_path
    assert os.path.normcase(str(target.extra)) in sys_path
    assert sys_path.index(os.path.normcase(str(target.site))) < sys_path.index(os.path.normcase(str(target.extra)))
    assert os.path.normcase(os.path.dirname(environment.INTROSPECT_SCRIPT)) not in sys_path
    assert "" not in target.env.sys_path


def test_distributions_first_on_sys_path_wins(target: Target) -> None:
    env = target.env
    assert sorted(names(env.distributions)) == [
        "alpha-lib", "beta", "gamma", "mystery-pkg", "nsco-cloud-storage", "nsco-protobuf", "oldpkg",
    ]
    assert len(env.errors) == 1 and "broken-1.0.dist-info" in env.errors[0] and "UnicodeDecodeError" in env.errors[0]
    alpha = env.distribution("Alpha_Lib")
    assert alpha is not None and alpha.version == "1.0"
    assert Path(alpha.location).samefile(target.site)


def test_top_level_from_top_level_txt_record_or_guess(target: Target) -> None:
    env = target.env
    alpha, beta, mystery, old = (env.distribution(n) for n in ("alpha-lib", "beta", "mystery-pkg", "oldpkg"))
    assert (alpha.top_level, alpha.top_level_source) == (("alpha",), "top_level.txt")
    assert (beta.top_level, beta.top_level_source) == (("_beta_speedups", "beta"), "RECORD")
    assert (mystery.top_level, mystery.top_level_source) == (("mystery_pkg",), "guess")
    assert (old.top_level, old.top_level_source) == (("oldpkg",), "RECORD")  # from installed-files.txt


def test_files_sizes_and_entry_points(target: Target) -> None:
    env = target.env
    alpha = env.distribution("alpha-lib")
    record = (target.site / "alpha_lib-1.0.dist-info" / "RECORD").stat().st_size
    metadata = (target.site / "alpha_lib-1.0.dist-info" / "METADATA").stat().st_size
    code = len(b"from alpha.core import main\n") + len(b"def main():\n    pass\n")
    # The .pyc and RECORD rows have no size: they are stat'ed.
    assert (alpha.files, alpha.size) == (5, code + 100 + metadata + record)
    assert alpha.console_scripts == ("alpha",)
    assert env.gui_scripts == {"alpha-lib": ("alpha-gui",)}
    assert alpha.entry_point_groups == ("alpha.plugins", "console_scripts", "gui_scripts")
    beta = env.distribution("beta")
    assert beta.files == 6  # including the script outside site-packages and a quoted "one,two.txt"
    assert beta.size == sum(p.stat().st_size for p in (target.site / "beta-2.0.dist-info").iterdir()) + sum(
        len(data) for data in (b"import _beta_speedups\n", b"\x7fELF" + b"\0" * 60, b"#!/bin/sh\n", b"12345"))
    assert env.distribution("mystery-pkg").files == 0


def test_requires_are_raw_and_evaluated_for_this_environment(target: Target) -> None:
    env = target.env
    alpha = env.distribution("alpha-lib")
    assert alpha.requires == ("beta>=1", 'gamma; extra == "fast"', 'delta; sys_platform == "win32"', "Epsilon_Pkg (>=2)")
    assert env.requires("alpha-lib") == ("beta", "epsilon-pkg")
    assert env.requires("alpha-lib", extras=["FAST"]) == ("beta", "gamma", "epsilon-pkg")
    assert env.requires("oldpkg", extras=["fast"]) == ("beta", "gamma")  # egg-info requires.txt
    assert sorted(env.dependents("beta")) == ["alpha-lib", "oldpkg"]
    assert env.requires_closure(["nsco-cloud-storage", "alpha-lib[fast]"]) == (
        "alpha-lib", "beta", "gamma", "nsco-cloud-storage", "nsco-protobuf",
    )


def test_namespace_distributions_are_told_apart(target: Target) -> None:
    env = target.env
    assert env.namespace_portions == {
        "nsco-cloud-storage": ("nsco.cloud.storage",),
        "nsco-protobuf": ("nsco._upb._message", "nsco.protobuf"),
    }
    assert names(env.distributions_for("nsco.cloud.storage.blob")) == ["nsco-cloud-storage"]
    assert env.mapping_source("nsco.cloud.storage.blob") == "namespace"
    assert names(env.distributions_for("nsco.cloud")) == ["nsco-cloud-storage"]
    assert names(env.distributions_for("nsco._upb._message")) == ["nsco-protobuf"]
    assert sorted(names(env.distributions_for("nsco"))) == ["nsco-cloud-storage", "nsco-protobuf"]
    assert env.mapping_source("nsco") == "top_level.txt"


def test_module_mapping_from_metadata(target: Target) -> None:
    env = target.env
    assert names(env.distributions_for("alpha.core")) == ["alpha-lib"]
    assert names(env.distributions_for("_beta_speedups")) == ["beta"]
    assert env.mapping_source("_beta_speedups") == "RECORD"
    assert env.distributions_for("mystery_pkg") == () and env.mapping_source("mystery_pkg") == ""


def test_locator_over_the_environment(target: Target) -> None:
    locator = target.env.locator()
    speedups = locator.find("_beta_speedups")
    assert speedups.kind == "extension" and Path(speedups.search_root).samefile(target.site)
    assert locator.find("gamma").search_root == str(target.extra)
    nsco = locator.find("nsco")
    assert nsco.kind == "namespace" and len(nsco.portions) == 1
    assert locator.find("nsco._upb._message").kind == "extension"
    assert locator.find("sys").kind == "builtin"
    assert locator.find("json").kind == "source"


def test_to_dict_is_the_introspection_output(target: Target) -> None:
    assert target.env.to_dict() == target.raw
    assert Environment.from_dict(target.raw) == target.env
    assert environment.SCHEMA == _introspect.SCHEMA


def test_pythonpath_is_part_of_the_environment(target: Target, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    write_dist(tmp_path, "from-pythonpath", "9.9", {"frompp.py": b""})
    env = load_environment(target.python)
    assert str(tmp_path) in env.sys_path
    assert env.distribution("from-pythonpath").version == "9.9"


def test_a_virtualenv_directory_names_its_interpreter(target: Target) -> None:
    assert load_environment(str(target.venv)).executable == target.python


def test_introspection_leaves_no_bytecode(target: Target) -> None:
    # pthmod is imported by a .pth file at every start of the target interpreter.
    assert target.env.distributions and not list(target.site.glob("__pycache__/pthmod*"))


def test_the_script_cannot_be_shadowed_by_its_neighbours(tmp_path: Path) -> None:
    script = tmp_path / "_introspect.py"
    script.write_text(Path(environment.INTROSPECT_SCRIPT).read_text())
    (tmp_path / "csv.py").write_text("raise SystemExit('shadowed')\n")
    result = subprocess.run([sys.executable, "-B", str(script)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_introspection_imports_only_the_stdlib() -> None:
    code = (
        "import json, runpy, sys\n"
        "before = set(sys.modules)\n"
        "ns = runpy.run_path(sys.argv[1])\n"
        "ns['collect'](ns['environment_path']())\n"
        "new = {name.partition('.')[0] for name in set(sys.modules) - before}\n"
        "new = {name for name in new if not name.startswith('_sysconfigdata_')}  # platform-named stdlib\n"
        "print(json.dumps(sorted(new - set(sys.stdlib_module_names))))\n"
    )
    out = subprocess.run([sys.executable, "-B", "-c", code, environment.INTROSPECT_SCRIPT],
                         capture_output=True, text=True, check=True).stdout.splitlines()[-1]
    assert out == "[]"


@pytest.mark.parametrize("python", ["missing", "directory", "text", "shebangless", "true", "chatter", "failing"])
def test_bad_interpreters_raise_clear_errors(python: str, tmp_path: Path) -> None:
    exe = tmp_path / "python"
    expected = {
        "missing": "does not exist", "directory": "is a directory", "text": "not executable",
        "shebangless": "cannot run", "true": "printed: nothing", "chatter": "printed: hello",
        "failing": r"exit 3\): boom",
    }[python]
    if python == "directory":
        exe.mkdir()
    elif python == "true":
        exe = Path("/bin/true")
        if not exe.exists():
            pytest.skip("no /bin/true")
    elif python != "missing":
        exe.write_text({
            "text": "just some text\n", "shebangless": "just some text\n",
            "chatter": "#!/bin/sh\necho hello\n", "failing": "#!/bin/sh\necho boom >&2\nexit 3\n",
        }[python])
        if python != "text":
            exe.chmod(0o755)
    with pytest.raises(LazyauditError, match=expected):
        load_environment(str(exe))


def test_not_on_path() -> None:
    with pytest.raises(LazyauditError, match="not found on PATH"):
        load_environment("no-such-python-anywhere")


def test_timeout_kills_the_interpreter_and_its_children(tmp_path: Path) -> None:
    exe = tmp_path / "python"
    exe.write_text("#!/bin/sh\nsleep 30\n")
    exe.chmod(0o755)
    with pytest.raises(LazyauditError, match="within 0.2 s"):
        load_environment(str(exe), timeout=0.2)

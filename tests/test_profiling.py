"""profiling: -X importtime parsing, medians over runs, the subprocess adapter's errors, saved profiles."""

from __future__ import annotations

import json
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import pytest

from lazyaudit.commands import _profile_text as profile_command
from lazyaudit.errors import LazyauditError
from lazyaudit.profiling import (
    _Run,
    aggregate,
    attribute_folded,
    load_profile,
    measure,
    merge_profiles,
    parse_importtime,
    save_profile,
)

# Shape of real output: post-order, children indented two spaces deeper, start-up lines first.
SAMPLE = """\
import time: self [us] | cumulative | imported package
import time:       210 |        210 |   posix
import time:       206 |        536 | _frozen_importlib_external
import time:       100 |        100 |     pkg.leaf
import time:       300 |        400 |   pkg.sub
import time:        40 |         40 |   ujson
import time:      1000 |       1440 | pkg
Traceback-looking noise that is not an importtime line
import time:        50 |         50 | other
"""


def _edges(nodes, parent=""):
    out = []
    for n in nodes:
        out.append(f"{parent} -> {n.name}" if parent else n.name)
        out += _edges(n.children, n.name)
    return out


def test_parse_builds_the_tree_from_indentation() -> None:
    roots = parse_importtime(SAMPLE)
    assert [r.name for r in roots] == ["_frozen_importlib_external", "pkg", "other"]
    assert _edges(roots) == [
        "_frozen_importlib_external", "_frozen_importlib_external -> posix",
        "pkg", "pkg -> pkg.sub", "pkg.sub -> pkg.leaf", "pkg -> ujson", "other",
    ]
    pkg = roots[1]
    assert (pkg.self_us, pkg.cumulative_us) == (1000, 1440)


def test_parse_keeps_orphans_of_truncated_output() -> None:
    roots = parse_importtime("import time:       100 |        100 |     deep\n")
    assert [r.name for r in roots] == ["deep"]


def _run(text: str, new: set[str], aliases: set[str] = frozenset(), pre: set[str] = frozenset()) -> _Run:
    pre = set(pre) | {"posix", "_frozen_importlib_external"}
    return _Run(parse_importtime(text), frozenset(pre), frozenset(new), frozenset(aliases))


def test_aggregate_takes_medians_and_drops_startup() -> None:
    loaded = {"pkg", "pkg.sub", "pkg.leaf", "other"}
    slow = SAMPLE.replace("      1000 |       1440 | pkg", "      9000 |       9440 | pkg")
    p = aggregate("pkg", [_run(SAMPLE, loaded), _run(slow, loaded), _run(SAMPLE, loaded)], "py")
    assert p.runs == 3
    assert "posix" not in p.self_ms and "_frozen_importlib_external" not in p.self_ms
    # ujson failed (not in sys.modules afterwards): its search time goes to pkg's self time.
    assert p.failed == ("ujson",)
    assert p.self_ms["pkg"] == pytest.approx(1.04)
    assert p.cumulative_ms["pkg"] == pytest.approx(1.44)
    assert p.total_ms == pytest.approx(1.49)  # pkg + other, the median run
    assert p.order == ("pkg", "pkg.sub", "pkg.leaf", "other")
    assert p.parent["pkg.leaf"] == "pkg.sub" and p.parent["pkg"] == ""


def test_self_medians_are_scaled_to_add_up_to_the_median_total() -> None:
    def text(a: int, b: int) -> str:
        return f"import time: {a:>9} | {a:>10} | a\nimport time: {b:>9} | {b:>10} | b\n"

    # Each run stalls a different module: both medians are 1 ms, the typical import takes 11 ms.
    runs = [_run(text(10000, 1000), {"a", "b"}), _run(text(1000, 10000), {"a", "b"}), _run(text(10000, 1000), {"a", "b"})]
    p = aggregate("a", runs, "py")
    assert p.total_ms == pytest.approx(11.0)
    assert p.self_scale == pytest.approx(11.0 / 11.0)
    runs.append(_run(text(1000, 1000), {"a", "b"}))
    runs.append(_run(text(1000, 1000), {"a", "b"}))
    p = aggregate("a", runs, "py")  # medians a=1, b=1; totals 11, 11, 11, 2, 2 -> 11
    assert p.self_scale == pytest.approx(5.5)
    assert p.self_ms == {"a": pytest.approx(5.5), "b": pytest.approx(5.5)}
    assert p.cumulative_ms["a"] == pytest.approx(1.0)  # cumulative times stay plain medians


def test_modules_without_a_line_are_folded_and_aliases_ignored() -> None:
    loaded = {"pkg", "pkg.sub", "pkg.leaf", "other", "pkg.dynamic", "pkg.alias"}
    p = aggregate("pkg", [_run(SAMPLE, loaded, aliases={"pkg.alias"})], "py")
    assert dict(p.folded) == {"pkg.dynamic": ""}
    assert p.self_ms["pkg.dynamic"] == 0.0 and "pkg.alias" not in p.self_ms
    named = attribute_folded(p, {"pkg.dynamic": "pkg.sub", "unrelated": "x"})
    assert dict(named.folded) == {"pkg.dynamic": "pkg.sub"}


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    pkg = tmp_path / "demo"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        "import importlib\nimport colorsys\nfrom demo import sub\n"
        "try:\n    import lazyaudit_surely_absent_module\nexcept ImportError:\n    pass\n"
        "importlib.import_module('demo.dyn')\n"
    )
    (pkg / "sub.py").write_text("import fractions\n")
    (pkg / "dyn.py").write_text("import wave\n")
    (pkg / "boom.py").write_text("import colorsys\nraise RuntimeError('no credentials at import')\n")
    (pkg / "slow.py").write_text("import time\ntime.sleep(30)\n")
    (pkg / "noisy.py").write_text("import sys\nprint('hello')\nsys.stdout = None\n")
    return tmp_path


def test_measure_runs_the_module_from_the_project_folder(project: Path) -> None:
    p = measure("demo", path=str(project), runs=3)
    assert p.runs == 3 and p.module == "demo"
    assert {"demo", "demo.sub", "colorsys", "fractions", "wave"} <= set(p.self_ms)
    assert p.parent["demo.sub"] == "demo" and p.parent["fractions"] == "demo.sub"
    assert p.parent["wave"] == "demo"  # demo.dyn has no line: its imports nest under demo
    assert dict(p.folded) == {"demo.dyn": ""}
    assert "lazyaudit_surely_absent_module" in p.failed
    assert p.total_ms >= p.cumulative_ms["demo"] > 0
    assert p.python_version == ".".join(map(str, sys.version_info[:3]))


def test_measure_accepts_an_entry_spec_and_survives_stdout_games(project: Path) -> None:
    assert measure("demo.noisy:handler", path=str(project), runs=1).module == "demo.noisy"


def test_failing_import_shows_the_traceback_end(project: Path) -> None:
    with pytest.raises(LazyauditError, match=r"(?s)`import demo.boom` failed.*RuntimeError: no credentials") as err:
        measure("demo.boom", path=str(project), runs=2)
    assert "import time:" not in str(err.value)


def test_extra_path_comes_after_the_project_folder(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    layer = tmp_path_factory.mktemp("layer")
    (layer / "layer_helper.py").write_text("import colorsys\n")
    (project / "uses_layer.py").write_text("import layer_helper\n")
    with pytest.raises(LazyauditError, match="No module named 'layer_helper'"):
        measure("uses_layer", path=str(project), runs=1)
    p = measure("uses_layer", path=str(project), runs=1, extra_path=[str(layer)])
    assert p.parent["layer_helper"] == "uses_layer"


def test_missing_module_is_an_error(project: Path) -> None:
    with pytest.raises(LazyauditError, match="No module named 'nope'"):
        measure("nope", path=str(project), runs=1)


def test_timeout_is_an_error(project: Path) -> None:
    with pytest.raises(LazyauditError, match=r"did not finish within 0.5 s \(run 1 of 3\)"):
        measure("demo.slow", path=str(project), runs=3, timeout=0.5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"python": "/nonexistent/python3"}, "does not exist"),
        ({"module": "os; import shutil"}, "not a module name"),
        ({"runs": 0}, "at least 1"),
        ({"path": "/nonexistent-folder"}, "not a folder"),
    ],
)
def test_bad_arguments(project: Path, kwargs: dict, message: str) -> None:
    args = {"module": "demo", "path": str(project), "runs": 1, **kwargs}
    module = args.pop("module")
    with pytest.raises(LazyauditError, match=message):
        measure(module, **args)


def test_save_then_load_round_trips(project: Path, tmp_path: Path) -> None:
    p = measure("demo", path=str(project), runs=1)
    target = tmp_path / "p.json"
    save_profile(p, str(target))
    data = load_profile(str(target))
    assert data["version"] == 1 and data["module"] == "demo" and data["runs"] == 1
    assert data["self_ms"]["demo.sub"] == pytest.approx(p.self_ms["demo.sub"], abs=1e-3)
    assert data["order"][0] == "demo"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "cannot read profile"),
        ('{"version": 2, "self_ms": {}}', "not a lazyaudit profile"),
        ('{"version": 1, "self_ms": {"a": "slow"}}', "self_ms of a is not a number"),
    ],
)
def test_load_rejects_bad_files(tmp_path: Path, content: str, message: str) -> None:
    target = tmp_path / "bad.json"
    target.write_text(content)
    with pytest.raises(LazyauditError, match=message):
        load_profile(str(target))


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LazyauditError, match="profile file not found"):
        load_profile(str(tmp_path / "none.json"))


def test_a_folder_of_profiles_is_merged(tmp_path: Path) -> None:
    for name, times in (("a", {"x": 1.0, "y": 4.0}), ("b", {"x": 3.0, "z": 2.0})):
        (tmp_path / f"{name}.json").write_text(json.dumps(
            {"version": 1, "module": name, "runs": 5, "self_ms": times, "folded": {f"{name}.dyn": name}}))
    data = load_profile(str(tmp_path))
    assert data["self_ms"] == {"x": 2.0, "y": 4.0, "z": 2.0}
    assert data["folded"] == {"a.dyn": "a", "b.dyn": "b"}
    assert data["merged"] == 2
    assert merge_profiles([{"self_ms": {"q": 1}, "runs": 3}])["runs"] == 3


def test_profile_command_says_it_ran_code_and_saves(project: Path, tmp_path: Path) -> None:
    target = tmp_path / "saved.json"
    args = Namespace(module="demo", python=None, path=str(project), runs=1, timeout=30.0, save=str(target),
                     format="text", no_cache=True)
    text = profile_command(args, False)
    first = text.splitlines()[0]
    assert "ran `import demo` 1 time in a subprocess" in first and "timeout 30 s" in first
    assert "import demo:" in text and f"--profile-data {target}" in text
    assert load_profile(str(target))["module"] == "demo"
    # The static graph names who imported the module -X importtime could not see.
    assert json.loads(profile_command(Namespace(**{**vars(args), "format": "json", "save": None}), False))[
        "folded"] == {"demo.dyn": "demo"}


def _cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lazyaudit", *argv], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent, check=False)


def test_cli_warns_on_stderr_before_running_and_exits_0(project: Path) -> None:
    done = _cli("profile", "demo.sub", "--path", str(project), "--runs", "1", "--no-cache")
    assert done.returncode == 0, done.stderr
    assert "profile runs `import demo.sub` in a subprocess (1 run, timeout 60 s each)" in done.stderr
    assert done.stdout.splitlines()[0].startswith("note: ran `import demo.sub` 1 time in a subprocess")
    assert "fractions" in done.stdout


def test_cli_reports_an_import_error_with_exit_2(project: Path) -> None:
    done = _cli("profile", "demo.boom", "--path", str(project), "--runs", "1", "--format", "json")
    assert done.returncode == 2 and done.stdout == ""
    assert "lazyaudit: error: `import demo.boom` failed" in done.stderr and "no credentials" in done.stderr

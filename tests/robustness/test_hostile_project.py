"""One project full of hostile inputs, run through every CLI command: each bad input is an LA900 with its
reason, the good files are still analysed, nothing hangs, and no command prints a traceback."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
from _robust import lazyaudit, write

PASSWD_LINE = "root:x:0:0"  # what /etc/passwd would leak into a report if a `-r /etc/passwd` were followed
INJECTIONS = """requests>=2
-r /etc/passwd
-r ../../outside.txt
https://example.com/pkg-1.0.tar.gz
--index-url https://evil.invalid/simple
-e git+https://github.com/example/never-cloned.git#egg=never_cloned
-c /etc/shadow
flask @ file:///etc/passwd
"""


def _nested_ifs(depth: int) -> str:
    lines = [" " * i + "if x:\n" for i in range(depth)]
    return "x = 1\n" + "".join(lines) + " " * depth + "import pkg.deep\n"


def _generated(size: int, *, dense: bool) -> str:
    """A generated module of about `size` bytes: functions (dense, expensive to parse) or string rows."""
    parts, total, i = ["import os\nimport pkg.extra\n"], 0, 0
    while total < size:
        part = (f"def f{i}(a, b=1):\n    return os.path.join(str(a), 'y{i}', str(b))\n\n" if dense
                else f"ROW_{i} = {f'r{i:07d}' * 12!r}\n")
        parts.append(part)
        total += len(part)
        i += 1
    return "".join(parts)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "project"
    write(root, "app.py", "import json\n\nimport yaml\n\nfrom pkg import thing\n\n\ndef main():\n    return yaml, thing\n")
    write(root, "pkg/__init__.py", "thing = 1\n")
    write(root, "pkg/extra.py", "EXTRA = 2\n")
    write(root, "pkg/deep.py", "DEEP = 3\n")
    os.symlink("..", root / "pkg" / "loop")  # a directory symlink to its parent: a loop for a naive walker
    os.symlink(".", root / "selfloop")
    os.symlink("/nonexistent/missing.py", root / "dangling.py")
    os.symlink("/dev/zero", root / "zero.py")  # a device that never ends
    os.mkfifo(root / "fifo.py")  # opening it for reading waits for a writer forever
    rng = random.Random(7)
    write(root, "binary.py", bytes(rng.randrange(256) for _ in range(8192)) + b"\x00")
    write(root, "elf.py", b"\x7fELF\x02\x01\x01\x00" + bytes(rng.randrange(256) for _ in range(4096)))
    write(root, "utf16.py", "import os\n".encode("utf-16"))
    write(root, "deep_parens.py", "x = " + "(" * 3000 + "1" + ")" * 3000 + "\n")
    write(root, "deep_ifs.py", _nested_ifs(3000))
    write(root, "deep_not.py", "x = " + "not " * 3000 + "1\n")
    write(root, "deep_ifs_ok.py", _nested_ifs(90))  # CPython allows 100 levels: valid, and parsed
    write(root, "huge.py", _generated(10 * 1024 * 1024, dense=True))
    write(root, "big_ok.py", _generated(1_500_000, dense=False))
    (root / "requirements.txt").mkdir()
    write(root, "requirements-dev.txt", INJECTIONS)
    write(root, "template.yaml", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                                 "      Handler: !Ref\n      CodeUri: [\n")
    write(root, "serverless.yml", "functions:\n  f:\n    handler: app.main\n  g: [1, 2\n")
    write(root, "pyproject.toml", "[project\nname = 'x'\n")
    return root


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {"LAZYAUDIT_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}


# path -> a substring of the LA900 message (case-insensitive)
EXPECTED_LA900 = {
    "binary.py": "null byte",
    "elf.py": "null byte",
    "utf16.py": "null byte",
    "dangling.py": "no such file",
    "zero.py": "not a regular file",
    "fifo.py": "not a regular file",
    "deep_parens.py": "too deeply nested",
    "deep_ifs.py": "too deeply nested",
    "deep_not.py": "too deeply nested",
    "huge.py": "too large to parse",
    "requirements.txt": "is a directory",
    "template.yaml": "invalid yaml",
    "serverless.yml": "invalid yaml",
    "pyproject.toml": "invalid toml",
}


@pytest.fixture(scope="module")
def audit(hostile: Path, env: dict[str, str]) -> dict[str, object]:
    done = lazyaudit("audit", str(hostile), "--format", "json", env=env)
    assert done.returncode == 1, done.stderr
    return json.loads(done.stdout)


def test_every_bad_input_is_an_la900_with_its_reason(audit: dict) -> None:
    got = {f["path"]: f["message"].lower() for f in audit["findings"] if f["code"] == "LA900"
           and f["path"] != "requirements-dev.txt"}
    assert set(got) == set(EXPECTED_LA900)
    wrong = {p: got[p] for p, reason in EXPECTED_LA900.items() if reason not in got[p]}
    assert wrong == {}


def test_good_files_are_still_analysed(audit: dict) -> None:
    files = audit["summary"]["files"]
    # app, pkg/__init__, pkg/extra, pkg/deep, deep_ifs_ok, big_ok + the 10 unparsable .py files
    assert (files["scanned"], files["unparsable"]) == (16, 10)
    paths = {f["path"] for f in audit["findings"]}
    assert not any(p.startswith(("pkg/loop/", "selfloop/")) for p in paths)  # symlinked folders are not walked
    # the rest of the analysis ran: app.py's yaml import is missing from the (unreadable) requirements
    assert {(f["code"], f["subject"]) for f in audit["findings"] if f["path"] == "app.py"} == {("LA002", "pyyaml")}


def test_requirement_injections_are_refused_and_never_followed(audit: dict) -> None:
    lines = {f["line"]: f["message"] for f in audit["findings"] if f["path"] == "requirements-dev.txt"}
    assert sorted(lines) == [2, 3, 7]  # -r /etc/passwd, -r ../../outside.txt, -c /etc/shadow
    assert all("outside the project" in m for m in lines.values())
    # URLs, --index-url and -e git+... are valid pip lines: read as text, never fetched or cloned
    assert PASSWD_LINE not in json.dumps(audit)


def test_closure_reads_imports_of_a_big_module_and_of_deep_valid_nesting(hostile: Path, env: dict[str, str]) -> None:
    big = json.loads(lazyaudit("closure", "big_ok", str(hostile), "--format", "json", env=env).stdout)
    assert "pkg.extra" in big["modules"]  # 1.5 MB: over the full-parse limit, imports still read
    deep = json.loads(lazyaudit("closure", "deep_ifs_ok", str(hostile), "--format", "json", env=env).stdout)
    assert "pkg.deep" in deep["modules"]  # an import under 90 nested ifs
    huge = json.loads(lazyaudit("closure", "huge", str(hostile), "--format", "json", env=env).stdout)
    assert "pkg.extra" not in huge["modules"]  # over 5 MB: not read (and reported as LA900)


# (arguments before the project path, arguments after it)
COMMANDS = {
    "deps": (["deps"], []),
    "closure": (["closure", "app"], []),
    "why": (["why", "yaml"], ["--entry", "app"]),
    "graph": (["graph"], ["--entry", "app", "-o", "{tmp}/g.dot"]),
    "fix-diff": (["fix"], ["--diff"]),
    "fix-check": (["fix"], ["--check"]),
    "audit-sarif": (["audit"], ["--format", "sarif"]),
    "audit-markdown": (["audit"], ["--format", "markdown"]),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_survives_the_hostile_project(command: str, hostile: Path, env: dict[str, str],
                                                    tmp_path: Path) -> None:
    before, after = COMMANDS[command]
    done = lazyaudit(*before, str(hostile), *(a.replace("{tmp}", str(tmp_path)) for a in after), env=env)
    assert done.returncode in (0, 1), done.stderr
    assert PASSWD_LINE not in done.stdout + done.stderr
    if command == "deps":
        assert "huge.py" in done.stdout and "fifo.py" in done.stdout
    if command == "graph":
        assert (tmp_path / "g.dot").read_text(encoding="utf-8").startswith("digraph")


def test_fix_never_touches_unparsable_or_odd_files(hostile: Path, env: dict[str, str]) -> None:
    before = {p.name: p.read_bytes() for p in hostile.iterdir() if p.is_file() and not p.is_symlink()
              and p.suffix == ".py"}
    done = lazyaudit("fix", str(hostile), "--write", env=env)
    assert done.returncode in (0, 1), done.stderr
    after = {p.name: p.read_bytes() for p in hostile.iterdir() if p.is_file() and not p.is_symlink()
             and p.suffix == ".py"}
    assert {n for n in before if before[n] != after[n]} <= {"app.py"}
    assert (hostile / "fifo.py").is_fifo() and os.readlink(hostile / "zero.py") == "/dev/zero"

"""A project with thousands of modules: every command completes, every module is seen, and a warm cache gives
the same report as a cold one (counts only; no timing is asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _robust import lazyaudit, write

PACKAGES, PER_PACKAGE = 30, 100  # 3,000 modules, plus 30 __init__.py and app.py


@pytest.fixture(scope="module")
def monorepo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scale") / "monorepo"
    for p in range(PACKAGES):
        write(root, f"pkg{p}/__init__.py", "")
        for m in range(PER_PACKAGE):
            nxt = f"import pkg{p}.m{m + 1}\n" if m + 1 < PER_PACKAGE else "import json\n"
            write(root, f"pkg{p}/m{m}.py", f"{nxt}\n\ndef f{m}(x):\n    return x + {m}\n")
    write(root, "app.py", "".join(f"import pkg{p}.m0\n" for p in range(PACKAGES)))
    return root


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {"LAZYAUDIT_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}


def test_audit_sees_every_module_cold_and_warm(monorepo: Path, env: dict[str, str]) -> None:
    cold = lazyaudit("audit", str(monorepo), "--entry", "app", "--format", "json", env=env)
    warm = lazyaudit("audit", str(monorepo), "--entry", "app", "--format", "json", env=env)
    assert cold.returncode in (0, 1) and cold.stdout == warm.stdout
    report = json.loads(cold.stdout)
    assert report["summary"]["files"] == {"scanned": PACKAGES * (PER_PACKAGE + 1) + 1,
                                          "runtime": PACKAGES * (PER_PACKAGE + 1) + 1, "dev": 0, "unparsable": 0}
    assert not [f for f in report["findings"] if f["code"] in ("LA900", "LA105")]


def test_closure_of_the_entry_loads_every_module(monorepo: Path, env: dict[str, str]) -> None:
    done = lazyaudit("closure", "app", str(monorepo), "--format", "json", "--no-stdlib", env=env)
    modules = json.loads(done.stdout)["modules"]
    assert len([m for m in modules if m.startswith("pkg")]) == PACKAGES * (PER_PACKAGE + 1)


@pytest.mark.parametrize("command", ["deps", "graph", "fix", "why"])
def test_other_commands_complete(command: str, monorepo: Path, env: dict[str, str], tmp_path: Path) -> None:
    argv = {"deps": ["deps", str(monorepo)], "fix": ["fix", str(monorepo), "--check"],
            "graph": ["graph", str(monorepo), "--all", "-o", str(tmp_path / "all.dot")],
            "why": ["why", f"pkg{PACKAGES - 1}.m{PER_PACKAGE - 1}", str(monorepo), "--entry", "app", "--format", "json"]}
    done = lazyaudit(*argv[command], env=env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    if command == "graph":
        dot = (tmp_path / "all.dot").read_text(encoding="utf-8")
        assert dot.count(" -> ") >= PACKAGES * PER_PACKAGE
    if command == "why":
        chains = json.dumps(json.loads(done.stdout))
        assert f"pkg{PACKAGES - 1}.m{PER_PACKAGE - 2}" in chains  # the chain runs through the whole package

"""scan_many: keyed by path, serial and process-pool results identical, libcst never imported needlessly."""

from __future__ import annotations

import subprocess
import sys

from lazyaudit import parsing
from lazyaudit.parsing import parse_file, scan_many


def make_tree(tmp_path, count: int) -> list[tuple[str, str, bool]]:
    items = []
    for index in range(count):
        path = tmp_path / f"m{index}.py"
        path.write_text(f"import os\nfrom . import sibling{index}\ndef f():\n    import json\nX{index} = os.getcwd()\n")
        items.append((str(path), f"pkg.m{index}", False))
    return items


def test_keyed_by_path_in_input_order(tmp_path):
    items = make_tree(tmp_path, 3)
    result = scan_many(list(reversed(items)) + items[:1])
    assert list(result) == [i[0] for i in reversed(items)]
    assert result[items[0][0]] == parse_file(items[0][0], "pkg.m0", False, full=False)


def test_process_pool_matches_serial(tmp_path, monkeypatch):
    items = make_tree(tmp_path, 12)
    serial = scan_many(items, jobs=1)
    monkeypatch.setattr(parsing, "POOL_THRESHOLD", 4)
    assert scan_many(items, jobs=2) == serial
    assert scan_many(items, jobs=2, full=True) == scan_many(items, jobs=1, full=True)


def test_missing_files_become_errors(tmp_path):
    result = scan_many([(str(tmp_path / "nope.py"), "nope", False)])
    assert result[str(tmp_path / "nope.py")].error == "cannot read: No such file or directory"


def test_fast_scanning_never_imports_libcst(tmp_path):
    items = make_tree(tmp_path, 2)
    code = (f"import sys, lazyaudit.parsing as p\np.scan_many({items!r})\n"
            "p.parse_source(b'import os', 'm', 'm.py', False, full=False)\nprint('libcst' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": ":".join(sys.path)})
    assert out.stdout.strip() == "False"

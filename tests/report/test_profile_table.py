"""The profile table: top modules by cumulative time in import order, indented, with shares and bars."""

from __future__ import annotations

from lazyaudit.report.profile_table import package_rows, render_profile, tree_rows

PROFILE = {
    "version": 1, "module": "app", "runs": 7, "python_version": "3.11.7", "total_ms": 200.0,
    "order": ["app", "boto3", "botocore", "botocore.session", "pydantic", "tiny"],
    "parent": {"app": "", "boto3": "app", "botocore": "boto3", "botocore.session": "botocore",
               "pydantic": "app", "tiny": "app"},
    "self_ms": {"app": 20.0, "boto3": 5.0, "botocore": 90.0, "botocore.session": 30.0, "pydantic": 50.0,
                "tiny": 0.05, "boto3.s3": 0.0},
    "cumulative_ms": {"app": 200.0, "boto3": 125.0, "botocore": 120.0, "botocore.session": 30.0,
                      "pydantic": 50.0, "tiny": 0.05},
    "folded": {"boto3.s3": "boto3"},
    "failed": ["ujson"],
}


def test_tree_rows_keep_import_order_and_indent_by_depth() -> None:
    rows, rest = tree_rows(PROFILE, top=4)
    assert [r[0] for r in rows] == ["app", "  boto3", "    botocore", "  pydantic"]
    assert rest == 2
    app, boto3 = rows[0], rows[1]
    assert app[1:4] == ["20 ms", "200 ms", "100.0%"]
    assert boto3[3] == "62.5%"
    assert len(app[4]) == 20 and len(boto3[4]) < len(app[4])


def test_package_rows_sum_self_time_per_top_level_name() -> None:
    rows, rest = package_rows(PROFILE)
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("botocore", "2", "120 ms"), ("pydantic", "1", "50 ms"), ("app", "1", "20 ms"),
        ("boto3", "2", "5.0 ms"), ("tiny", "1", "0.1 ms"),
    ]
    assert rest == 0


def test_render_has_headline_total_and_footnotes() -> None:
    text = render_profile(PROFILE, top=3)
    lines = text.splitlines()
    assert lines[0] == "import app: 200 ms (6 modules, median of 7 runs, python 3.11.7)"
    assert any(line.startswith("  module") and "cumulative" in line for line in lines)
    assert "  total: 200 ms (interpreter start-up excluded)" in lines
    assert "3 faster modules not shown" in text
    assert "boto3.s3 (in boto3)" in text and "1 module was loaded by importlib.import_module" in text
    assert "tried and not found" in text and "ujson" in text


def test_render_is_deterministic_and_colour_only_adds_escapes() -> None:
    plain = render_profile(PROFILE)
    assert plain == render_profile(dict(reversed(list(PROFILE.items()))))
    coloured = render_profile(PROFILE, color=True)
    assert "\x1b[1m" in coloured and coloured.replace("\x1b[1m", "").replace("\x1b[0m", "") == plain


def test_render_of_a_merged_profile_without_tree() -> None:
    text = render_profile({"version": 1, "module": "a,b", "self_ms": {"x": 1.0}, "cumulative_ms": {"x": 1.0}})
    assert text.startswith("import a,b:") and "x" in text

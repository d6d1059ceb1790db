"""Bad and odd input: every failure becomes `error` with a reason and empty records; odd input parses."""

from __future__ import annotations

import pytest

from lazyaudit.parsing import parse_file, parse_source

MODES = pytest.mark.parametrize("full", [True, False], ids=["libcst", "fast"])


def parse(source: bytes, full: bool):
    return parse_source(source, "pkg.mod", "/p/pkg/mod.py", False, full=full)


def assert_failed(module, reason_start: str) -> None:
    assert module.error.startswith(reason_start), module.error
    assert (module.imports, module.calls, module.uses, module.defined) == ((), (), (), ())


@MODES
def test_syntax_error(full):
    module = parse(b"import os\n\ndef f(:\n    pass\n", full)
    assert_failed(module, "syntax error at line 3, column 7: ")
    assert (module.source_bytes, module.line_count) == (28, 4)


@MODES
def test_latin1_without_cookie(full):
    module = parse(b"import os\n\nx = '\xe9'\n", full)
    assert_failed(module, "cannot decode as utf-8 (no coding cookie): line 3: 'utf-8' codec can't decode byte 0xe9")


@MODES
def test_shift_jis_with_cookie_decodes(full):
    source = "# -*- coding: shift_jis -*-\nx = 'あ'; import os\n".encode("shift_jis")
    module = parse(source, full)
    assert (module.error, [(r.target, r.line, r.column) for r in module.imports]) == ("", [("os", 2, 9)])


@MODES
def test_cookie_that_does_not_match(full):
    module = parse(b"# coding: ascii\nx = '\xc3\xa9'\n", full)
    assert_failed(module, "cannot decode as ascii (coding cookie): line 2: ")


@MODES
def test_unknown_cookie(full):
    assert_failed(parse(b"# coding: klingon\nx = 1\n", full), "unknown encoding in coding cookie: klingon")


@MODES
def test_nul_byte(full):
    assert_failed(parse(b"import os\nx = 1\x00\n", full), "source contains a null byte at line 2")


@MODES
def test_bom(full):
    module = parse(b"\xef\xbb\xbfimport os\n", full)
    assert (module.error, [(r.target, r.line, r.column) for r in module.imports]) == ("", [("os", 1, 0)])


@MODES
def test_crlf(full):
    module = parse(b"import os\r\nif x:\r\n    import sys\r\n", full)
    assert [(r.target, r.line, r.column, r.condition) for r in module.imports] == [
        ("os", 1, 0, ""), ("sys", 3, 4, "x")]
    assert module.line_count == 3


@MODES
def test_non_ascii_columns_are_characters(full):
    module = parse("s = 'ü' + 'é'; import os; f()\n".encode(), full)
    assert [(r.line, r.column) for r in module.imports] == [(1, 15)]
    assert [(c.line, c.column) for c in module.calls] == [(1, 26)]


@MODES
@pytest.mark.parametrize("opener, closer", [(b"(", b")"), (b"[", b"]")], ids=["parens", "lists"])
def test_deep_nesting(full, opener, closer):
    module = parse(b"import os\nx = " + opener * 5000 + b"1" + closer * 5000 + b"\n", full)
    assert_failed(module, "too deeply nested to parse: ")


@MODES
def test_deep_expression_chain(full):
    assert_failed(parse(b"x = " + b"-" * 5000 + b"1\n", full), "too deeply nested to parse: ")


@MODES
def test_moderate_nesting_still_parses(full):
    module = parse(b"import os\nx = " + b"[" * 150 + b"os.f()" + b"]" * 150 + b"\n", full)
    assert (module.error, [c.callee for c in module.calls]) == ("", ["os.f"])


@MODES
def test_newer_syntax_than_this_python(full):
    # PEP 695 (3.12): the fast scanner falls back to libcst when ast cannot read it.
    module = parse(b"type Alias = int\ndef f[T](x: T):\n    import inner\nimport os\n", full)
    assert (module.error, [(r.target, r.kind.value) for r in module.imports]) == (
        "", [("inner", "deferred"), ("os", "eager")])
    assert module.defined == ("Alias", "f")


@MODES
def test_lazy_import_with_a_later_syntax_error_reports_the_real_error(full):
    assert_failed(parse(b"lazy import os\nx = (\n", full), "syntax error at line 2, column 5: ")


def test_syntax_libcst_rejects_is_an_error_only_for_the_full_parse():
    source = b"import os\n(x): int = 1\n"  # valid Python that libcst 1.9 cannot parse
    assert parse(source, False).error == ""
    assert_failed(parse(source, True), "syntax error at line ")


def test_missing_file():
    module = parse_file("/nonexistent/dir/mod.py", "mod", False)
    assert (module.name, module.path, module.error) == ("mod", "/nonexistent/dir/mod.py",
                                                        "cannot read: No such file or directory")


def test_directory_instead_of_file(tmp_path):
    assert parse_file(str(tmp_path), "mod", False).error == "cannot read: Is a directory"


@MODES
def test_parse_file_reads_bytes(tmp_path, full):
    path = tmp_path / "mod.py"
    path.write_bytes("# coding: latin-1\nx = '\xe9'\nimport os\n".encode("latin-1"))
    module = parse_file(str(path), "mod", False, full=full)
    assert (module.error, module.path, [r.target for r in module.imports]) == ("", str(path), ["os"])


@MODES
def test_empty_file(full):
    module = parse(b"", full)
    assert (module.error, module.imports, module.line_count, module.source_bytes) == ("", (), 0, 0)

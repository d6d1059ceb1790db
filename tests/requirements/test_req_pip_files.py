"""pip requirements files: each snippet gives its requirements and its findings, the good lines always kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from lazyaudit.requirements import RequirementSet, group_for_path, load_requirements

OPTIONS = (
    "-i https://pypi.org/simple\n--extra-index-url https://x/simple\n-f ./wheels\n--trusted-host x\n"
    "--pre\n--no-binary :all:\n--only-binary=:none:\n--prefer-binary\n--require-hashes\nok\n"
)


def load(tmp_path: Path, files: dict[str, str | bytes]) -> RequirementSet:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return load_requirements(tmp_path)


def reqs(result: RequirementSet) -> list[str]:
    """`name spec ; marker [extras] @url group line` compacted to what each test cares about."""
    return [f"{r.name}{r.specifier} {r.group}:{r.line}" for r in result.requirements]


def findings(result: RequirementSet) -> list[tuple[str, str, int]]:
    return [(f.code, f.path, f.line) for f in result.findings]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("requests>=2\n# comment\n\nclick  # trailing\n", ["requests>=2 runtime:1", "click runtime:4"]),
        ("boto3==1.2 \\\n    --hash=sha256:abc \\\n    --hash=sha256:def\nx\n", ["boto3==1.2 runtime:1", "x runtime:4"]),
        (OPTIONS, ["ok runtime:10"]),
        ('pyyaml; python_version < "3.11"\n', ["pyyaml runtime:1"]),
        ("Foo_Bar[Extra_1,b]>=1.0\n", ["foo-bar>=1.0 runtime:1"]),
        ("name @ https://example.com/name-1.0.tar.gz\n", ["name runtime:1"]),
        ("https://example.com/wheels/My_Pkg-1.0-py3-none-any.whl\n", ["my-pkg runtime:1"]),
        ("git+https://github.com/o/r.git@v1#egg=rpkg\n", ["rpkg runtime:1"]),
        ("-e git+https://github.com/o/r.git@v1#egg=rpkg\n", ["rpkg runtime:1"]),
        ("--editable=git+ssh://git@github.com/o/r.git#egg=other&subdirectory=sub\n", ["other runtime:1"]),
        ("pkg @ https://${TOKEN}@example.com/pkg-1.0.tar.gz\n", ["pkg runtime:1"]),
        ("#egg=not-a-requirement\n  # indented comment\n", []),
        ("a==1 \\\n# a comment ends the continuation\nb==2\n", ["a==1 runtime:1", "b==2 runtime:3"]),
    ],
)
def test_good_lines(tmp_path: Path, text: str, expected: list[str]) -> None:
    result = load(tmp_path, {"requirements.txt": text})
    assert reqs(result) == expected
    assert findings(result) == []


@pytest.mark.parametrize(
    ("text", "bad_line", "words"),
    [
        ("ok\nrequests>=2.0,<<3\nalso-ok\n", 2, "invalid requirement 'requests>=2.0,<<3': Expected"),
        ("ok\nfoo bar\nalso-ok\n", 2, "invalid requirement 'foo bar': Expected"),
        ("ok\n--no-such-option x\nalso-ok\n", 2, "unknown pip option --no-such-option"),
        ("ok\n-r\nalso-ok\n", 2, "needs a value"),
        ("ok\n-r missing.txt\nalso-ok\n", 2, "not found: missing.txt"),
        ("ok\n-r /etc/passwd\nalso-ok\n", 2, "refusing to read a requirement file outside the project"),
        ("ok\n-r ../../x.txt\nalso-ok\n", 2, "refusing to read a requirement file outside the project"),
        ("ok\n-e git+https://github.com/o/r.git\nalso-ok\n", 2, "add #egg=<name>"),
        ("ok\n-r 'unbalanced\nalso-ok\n", 2, "cannot split option line"),
        ("ok\nhttps://x/p-1.0-py3-none-any.whl ; python_version <<< 3\nalso-ok\n", 2, "invalid marker"),
    ],
)
def test_broken_line_is_a_finding_and_the_rest_is_read(tmp_path: Path, text: str, bad_line: int, words: str) -> None:
    result = load(tmp_path / "proj", {"requirements.txt": text})
    assert findings(result) == [("LA900", "requirements.txt", bad_line)]
    assert words in result.findings[0].message
    assert [r.name for r in result.requirements] == ["ok", "also-ok"]


def test_non_utf8_file_is_a_finding_with_its_line_and_the_rest_is_read(tmp_path: Path) -> None:
    result = load(tmp_path, {"requirements.txt": b"requests\n# caf\xe9\nclick\n"})
    assert findings(result) == [("LA900", "requirements.txt", 2)]
    assert "not UTF-8" in result.findings[0].message
    assert [r.name for r in result.requirements] == ["requests", "click"]


def test_bom_and_coding_cookie_are_honoured(tmp_path: Path) -> None:
    result = load(tmp_path, {"requirements.txt": b"\xef\xbb\xbfrequests\n",
                             "dev-requirements.txt": b"# -*- coding: latin-1 -*-\n# caf\xe9\npytest\n"})
    assert findings(result) == []
    assert sorted(r.name for r in result.requirements) == ["pytest", "requests"]


def test_includes_resolve_from_the_including_file_and_keep_their_own_group(tmp_path: Path) -> None:
    result = load(tmp_path, {
        "requirements.txt": "boto3\n",
        "requirements-dev.txt": "-r requirements.txt\n-r requirements/lint.txt\npytest\n",
        "requirements/lint.txt": "--requirement ../requirements.txt\nruff\n",
    })
    assert reqs(result) == ["pytest dev:3", "boto3 runtime:1", "ruff dev:2"]
    assert [r.path for r in result.requirements] == ["requirements-dev.txt", "requirements.txt", "requirements/lint.txt"]
    assert findings(result) == []


def test_include_cycle_is_a_finding(tmp_path: Path) -> None:
    result = load(tmp_path, {"requirements.txt": "a\n-r base.txt\n", "base.txt": "b\n-r requirements.txt\n"})
    assert findings(result) == [("LA900", "base.txt", 2)]
    assert "cycle: requirements.txt -> base.txt -> requirements.txt" in result.findings[0].message
    assert sorted(r.name for r in result.requirements) == ["a", "b"]


def test_constraints_are_kept_apart(tmp_path: Path) -> None:
    result = load(tmp_path, {"requirements.txt": "-c constraints.txt\nrequests\n", "constraints.txt": "urllib3<2\n"})
    assert reqs(result) == ["urllib3<2 constraint:1", "requests runtime:2"]
    assert [r.name for r in result.declared] == ["requests"]


def test_remote_include_is_not_fetched(tmp_path: Path) -> None:
    result = load(tmp_path, {"requirements.txt": "-r https://example.com/r.txt\nok\n"})
    assert findings(result) == [("LA900", "requirements.txt", 1)]
    assert result.findings[0].severity == "warning"


def test_local_editable_takes_the_project_name_and_extras(tmp_path: Path) -> None:
    result = load(tmp_path, {
        "pyproject.toml": '[project]\nname = "My.Proj"\n',
        "requirements-dev.txt": "-e .[test]\n-e ./unknown\n",
        "unknown/README": "no metadata here\n",
    })
    [req] = result.requirements
    assert (req.name, req.extras, req.editable, req.url, req.group) == ("my-proj", ("test",), True, ".", "dev")
    assert findings(result) == []


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("requirements.txt", "runtime"), ("requirements-prod.txt", "runtime"), ("requirements-lambda.txt", "runtime"),
        ("requirements/runtime.txt", "runtime"), ("requirements/base.in", "runtime"),
        ("functions/ci_notifier/requirements.txt", "runtime"), ("requirements-docker.txt", "runtime"),
        ("requirements-dev.txt", "dev"), ("dev-requirements.txt", "dev"), ("test_requirements.txt", "dev"),
        ("requirements/tests.txt", "dev"), ("requirements-lint.txt", "dev"), ("requirements/docs.txt", "dev"),
        ("requirements-doc.txt", "dev"), ("requirements-ci.txt", "dev"), ("requirements-typing.txt", "dev"),
        ("requirements-mypy.txt", "dev"), ("requirements/local.txt", "dev"), ("docs/requirements.txt", "dev"),
        ("requirements/constraints.txt", "constraint"),
    ],
)
def test_group_from_file_name(name: str, group: str) -> None:
    assert group_for_path(name) == group

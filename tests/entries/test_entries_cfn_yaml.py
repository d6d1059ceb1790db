"""cfn_yaml.load_yaml: CloudFormation short-form tags load; malformed input becomes one LA900 finding with a line."""

from __future__ import annotations

import pytest

from lazyaudit.cfn_yaml import LineDict, Tagged, key_line, load_yaml


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("!Ref Memory", Tagged("Ref", "Memory")),
        ("!Sub '${AWS::StackName}-x'", Tagged("Sub", "${AWS::StackName}-x")),
        ("!Sub ['x${y}', {y: 1}]", Tagged("Sub", ["x${y}", {"y": 1}])),
        ("!GetAtt Role.Arn", Tagged("GetAtt", ["Role", "Arn"])),
        ("!GetAtt Bucket.DomainName.x", Tagged("GetAtt", ["Bucket", "DomainName.x"])),
        ("!GetAtt [Role, Arn]", Tagged("GetAtt", ["Role", "Arn"])),
        ("!If [IsProd, 900, !Ref 'AWS::NoValue']", Tagged("If", ["IsProd", 900, Tagged("Ref", "AWS::NoValue")])),
        ("!Join ['', [a, !Ref B]]", Tagged("Join", ["", ["a", Tagged("Ref", "B")]])),
        ("!Select [0, !GetAZs '']", Tagged("Select", [0, Tagged("GetAZs", "")])),
        ("!ImportValue shared-vpc", Tagged("ImportValue", "shared-vpc")),
        ("!FindInMap [Map, !Ref 'AWS::Region', Ami]", Tagged("FindInMap", ["Map", Tagged("Ref", "AWS::Region"), "Ami"])),
        ("!Equals [!Ref Stage, prod]", Tagged("Equals", [Tagged("Ref", "Stage"), "prod"])),
        ("!Not [!Condition IsProd]", Tagged("Not", [Tagged("Condition", "IsProd")])),
        ("!And [!Condition A, !Or [!Condition B, !Condition C]]",
         Tagged("And", [Tagged("Condition", "A"), Tagged("Or", [Tagged("Condition", "B"), Tagged("Condition", "C")])])),
        ("!Base64 hello", Tagged("Base64", "hello")),
        ("!Cidr [10.0.0.0/16, 4, 8]", Tagged("Cidr", ["10.0.0.0/16", 4, 8])),
        ("!Split [',', 'a,b']", Tagged("Split", [",", "a,b"])),
        ("!Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}",
         Tagged("Transform", {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}})),
        ("!SomeMacroTag {a: 1}", Tagged("SomeMacroTag", {"a": 1})),
    ],
)
def test_tags_load_as_tagged_values(source: str, expected: Tagged) -> None:
    data, finding = load_yaml(f"value: {source}\n", "t.yaml")
    assert finding is None
    assert data["value"] == expected


def test_mappings_remember_key_lines() -> None:
    data, _ = load_yaml("A: 1\nResources:\n  Fn:\n    Type: x\n  Other:\n    Type: y\n", "t.yaml")
    assert isinstance(data["Resources"], LineDict)
    assert (key_line(data, "Resources"), key_line(data["Resources"], "Other")) == (2, 5)
    assert key_line({"plain": 1}, "plain", 7) == 7


@pytest.mark.parametrize(
    ("source", "line", "words"),
    [
        ("a:\n  b: 1\n c: 2\n", 3, "expected <block end>"),  # bad indentation
        ("a:\n\tb: 1\n", 2, "not tabs"),  # a tab in indentation
        ("a: &x 1\nb: &x 2\nc: *x\n", 2, "duplicate anchor"),
        ("a: [1,\n", 2, "expected the node content"),
        ("a: 1\n---\nb: 2\n", 2, "expected a single document"),
        ("- 1\n- 2\n", 1, "a list"),
        ("just a string\n", 1, "a str"),
        ("", 0, "empty"),
        ("# only a comment\n", 0, "empty"),
    ],
)
def test_malformed_documents_become_one_finding(source: str, line: int, words: str) -> None:
    data, finding = load_yaml(source, "template.yaml")
    assert data is None and finding is not None
    assert (finding.code, finding.path, finding.line) == ("LA900", "template.yaml", line)
    assert words in finding.message


def test_non_mapping_allowed_when_asked() -> None:
    assert load_yaml("- 1\n", "x.yaml", expect_mapping=False) == ([1], None)


@pytest.mark.parametrize(
    ("raw", "line", "column"),
    [(b"a: 1\nb: caf\xe9\n", 2, 7), (b"\x89PNG\r\n\x1a\n\x00\x00", 1, 1)],
)
def test_non_utf8_bytes_become_a_finding(raw: bytes, line: int, column: int) -> None:
    data, finding = load_yaml(raw, "template.yaml")
    assert data is None and finding is not None
    assert (finding.code, finding.line, finding.column) == ("LA900", line, column)
    assert "not UTF-8" in finding.message


@pytest.mark.parametrize("raw", ["a: é\n".encode("utf-8-sig"), "a: é\n".encode("utf-16")])
def test_bom_encodings_are_read(raw: bytes) -> None:
    assert load_yaml(raw, "t.yaml") == ({"a": "é"}, None)


def test_control_characters_do_not_raise() -> None:
    data, finding = load_yaml("a: \x07\n", "t.yaml")
    assert data is None and finding is not None and finding.code == "LA900"


def test_merge_keys_still_work() -> None:
    data, finding = load_yaml("base: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\n", "t.yaml")
    assert finding is None and data["use"] == {"x": 1, "y": 2}

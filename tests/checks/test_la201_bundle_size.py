"""LA201 bundle-size over a SAM project and hand-built distributions (dist-info with RECORD) on PYTHONPATH."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from lazyaudit.analysis import load_project

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  ImageFn:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageConfig:
        Command: ["app.handler"]
  BigZipFn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Runtime: python3.11
      Handler: bigapp.handler
  SmallZipFn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Runtime: python3.11
      Handler: small.handler
"""


def write_dist(site: Path, name: str, files: dict[str, bytes], requires: tuple[str, ...] = ()) -> int:
    """Install `name` 1.0 by hand; returns its size on disk (every file, RECORD included)."""
    info = f"{name}-1.0.dist-info"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires)
    files = {**files, f"{info}/METADATA": meta.encode(), f"{info}/top_level.txt": f"{name}\n".encode()}
    for rel, data in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(data)
    record = "".join(f"{rel},,{len(data)}\n" for rel, data in files.items()) + f"{info}/RECORD,,\n"
    (site / info / "RECORD").write_text(record)
    return sum(len(d) for d in files.values()) + len(record)


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    site = tmp_path / "site"
    sizes = {
        "zzalpha": write_dist(site, "zzalpha", {"zzalpha/__init__.py": b"X = 1\n" * 500},
                              ("zzbeta>=1", "zzepsilon; extra == 'fast'", "zznever; python_version < '3'")),
        "zzbeta": write_dist(site, "zzbeta", {"zzbeta.py": b"Y = 2\n"}),
        "zzgamma": write_dist(site, "zzgamma", {"zzgamma.py": b"#" * 200_000}),
        "zzdelta": write_dist(site, "zzdelta", {"zzdelta.py": b"Z = 3\n"}),
        "zzepsilon": write_dist(site, "zzepsilon", {"zzepsilon.py": b""}),
        "zzbig": write_dist(site, "zzbig", {"zzbig/__init__.py": b"", "zzbig/data.bin": b"\0" * 1_200_000}),
    }
    monkeypatch.setenv("PYTHONPATH", str(site))
    root = tmp_path / "proj"
    root.mkdir()
    files = {
        "template.yaml": TEMPLATE,
        "requirements.txt": "zzalpha[fast]\nzzbig\n",
        "pyproject.toml": "[tool.lazyaudit]\nbundle-limit-mb = 1\n",
        "app.py": "import zzalpha\n\ndef handler(event, context):\n    import zzdelta\n    return zzdelta.Z\n",
        "bigapp.py": "import zzbig\n\ndef handler(event, context):\n    return 1\n",
        "small.py": "def handler(event, context):\n    from helpers import util\n    return util()\n",
        "helpers.py": "def util():\n    import zzbeta\n    return zzbeta.Y\n",
    }
    for rel, text in files.items():
        (root / rel).write_text(textwrap.dedent(text), encoding="utf-8")
    loaded = load_project(root, sys.executable, cache=False)
    return loaded, sizes


def test_image_that_fits_and_zip_over_the_limit(project) -> None:
    loaded, sizes = project
    found = {f.subject: f for f in loaded.audit({"LA201"})}
    assert sorted((f.path, f.line, s) for s, f in found.items()) == [
        ("template.yaml", 3, "app"), ("template.yaml", 9, "bigapp")]
    image, big = found["app"].data, found["bigapp"].data
    # eager zzalpha, its requirement zzbeta, its declared extra's zzepsilon, the deferred zzdelta
    assert [d["name"] for d in image["distributions"]] == ["zzalpha", "zzbeta", "zzdelta", "zzepsilon"]
    assert {d["name"]: d["direct"] for d in image["distributions"]}["zzbeta"] is False
    assert image["size"] == sum(sizes[n] for n in ("zzalpha", "zzbeta", "zzdelta", "zzepsilon"))
    assert all(d["size"] == sizes[d["name"]] for d in image["distributions"])
    assert image["fits"] is True and image["limit"] == 1024 * 1024
    assert image["total"] == image["size"] + image["code_bytes"]
    unreachable = [d["name"] for d in image["unreachable"]]
    assert "zzgamma" in unreachable and "zzalpha" not in unreachable and "zzbig" not in unreachable
    assert "pip" not in unreachable
    assert "is PackageType: Image but needs 4 distributions" in found["app"].message
    assert "Installed but unreachable from every entry point" in found["app"].message
    assert big["fits"] is False and big["size"] == sizes["zzbig"]
    assert "over the 1.0 MB unzipped ZIP limit" in found["bigapp"].message


def test_deferred_imports_of_reachable_first_party_code_count(project) -> None:
    loaded, _ = project
    from lazyaudit.checks.la201_bundle_size import bundle

    view = next(v for v in loaded.views() if v.entry.module == "small")
    b = bundle(loaded.context(), view)
    assert b.distributions == ("zzbeta",) and b.direct == ("zzbeta",)


def test_sizes_are_record_sums(project) -> None:
    loaded, sizes = project
    for name, size in sizes.items():
        dist = loaded.env.distribution(name)
        assert dist is not None and dist.size == size, name

"""Baselines: the fingerprints of a previous JSON (or SARIF) report, so that only new findings are reported."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lazyaudit.errors import LazyauditError

if TYPE_CHECKING:
    from lazyaudit.model import Finding

_HINT = "write one with `lazyaudit audit --format json -o FILE`"


def load_baseline(path: Path) -> frozenset[str]:
    """Fingerprints listed in a lazyaudit JSON report (schema version 1) or SARIF log it wrote.

    Raises LazyauditError, naming the file and what is wrong, for anything else.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise LazyauditError(f"baseline {path}: cannot read it ({exc.strerror or exc})") from None
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise LazyauditError(f"baseline {path}: not a JSON report ({exc}); {_HINT}") from None
    if isinstance(doc, dict) and "runs" in doc and doc.get("version") == "2.1.0":
        return frozenset(_sarif_fingerprints(path, doc))
    if not isinstance(doc, dict) or "findings" not in doc:
        raise LazyauditError(f'baseline {path}: not a lazyaudit JSON report (no "findings"); {_HINT}')
    if doc.get("version") != 1:
        raise LazyauditError(f"baseline {path}: unsupported report version {doc.get('version')!r} (expected 1)")
    findings = doc["findings"]
    if not isinstance(findings, list):
        raise LazyauditError(f'baseline {path}: "findings" must be a list')
    out = set()
    for i, item in enumerate(findings):
        fingerprint = item.get("fingerprint") if isinstance(item, dict) else None
        if not isinstance(fingerprint, str) or not fingerprint:
            raise LazyauditError(f'baseline {path}: finding #{i + 1} has no "fingerprint"')
        out.add(fingerprint)
    return frozenset(out)


def _sarif_fingerprints(path: Path, doc: dict[str, Any]) -> Iterable[str]:
    from lazyaudit.report.sarif import FINGERPRINT_KEY

    runs = doc.get("runs")
    if not isinstance(runs, list):
        raise LazyauditError(f'baseline {path}: SARIF "runs" must be a list')
    for run in runs:
        for result in (run.get("results") or []) if isinstance(run, dict) else []:
            prints = result.get("partialFingerprints") if isinstance(result, dict) else None
            fingerprint = prints.get(FINGERPRINT_KEY) if isinstance(prints, dict) else None
            if not isinstance(fingerprint, str):
                raise LazyauditError(f"baseline {path}: a SARIF result has no {FINGERPRINT_KEY!r} fingerprint")
            yield fingerprint


def filter_new(findings: Sequence[Finding], fingerprints: frozenset[str] | set[str]) -> list[Finding]:
    """The findings whose fingerprint is not in the baseline, in their given order."""
    return [f for f in findings if f.fingerprint not in fingerprints]

"""Baselines: the fingerprints of a previous JSON (or SARIF) report, so that only new findings are reported."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lazyaudit.errors import LazyauditError

if TYPE_CHECKING:
    from lazyaudit.model import Finding

_HINT = "write one with `lazyaudit audit --format json -o FILE`"


def load_baseline(path: Path) -> Counter[str]:
    """Fingerprints listed in a lazyaudit JSON report (schema version 1) or SARIF log it wrote, each
    with how many findings had it (two findings of one rule about one subject in one file share it).

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
        return Counter(_sarif_fingerprints(path, doc))
    if not isinstance(doc, dict) or "findings" not in doc:
        raise LazyauditError(f'baseline {path}: not a lazyaudit JSON report (no "findings"); {_HINT}')
    if doc.get("version") != 1:
        raise LazyauditError(f"baseline {path}: unsupported report version {doc.get('version')!r} (expected 1)")
    findings = doc["findings"]
    if not isinstance(findings, list):
        raise LazyauditError(f'baseline {path}: "findings" must be a list')
    out: Counter[str] = Counter()
    for i, item in enumerate(findings):
        fingerprint = item.get("fingerprint") if isinstance(item, dict) else None
        if not isinstance(fingerprint, str) or not fingerprint:
            raise LazyauditError(f'baseline {path}: finding #{i + 1} has no "fingerprint"')
        out[fingerprint] += 1
    return out


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


def filter_new(findings: Sequence[Finding], baseline: Mapping[str, int] | AbstractSet[str]) -> list[Finding]:
    """The findings the baseline does not account for, in their given order.

    A fingerprint ignores the line, so that a finding survives edits that move it; it is counted, so
    that a second finding of the same rule about the same subject in the same file is still new: the
    first ones (in the given order) use up the baseline's count, the rest are reported."""
    left = Counter(baseline) if isinstance(baseline, Mapping) else Counter(set(baseline))
    out = []
    for finding in findings:
        if left[finding.fingerprint] > 0:
            left[finding.fingerprint] -= 1
        else:
            out.append(finding)
    return out

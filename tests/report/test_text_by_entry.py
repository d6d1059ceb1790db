"""The text report inside one entry: biggest saving first, and findings of other entries that affect it."""

from __future__ import annotations

from lazyaudit.model import Finding
from lazyaudit.report import render

CORE, API = "core.main:handler", "api.app:handler"
SUMMARY = {"entries": [{"module": "core.main", "attr": "handler"}, {"module": "api.app", "attr": "handler"}]}


def _saving(ms: float, entry: str, measured: bool = False) -> dict:
    return {"ms": ms, "modules": 10, "measured": measured, "entry": entry}


def findings() -> list[Finding]:
    return [
        Finding("LA104", "type only", "core/main.py", 3, 0, "typing_mod", data={"entry": CORE, "saving": _saving(1.0, CORE)}),
        Finding("LA101", "defer it", "core/main.py", 9, 0, "heavy", data={"entry": CORE, "saving": _saving(120.0, CORE)}),
        Finding("LA105", "cycle", "core/a.py", 1, 0, "core.a -> core.b", data={"entry": CORE}),
        Finding("LA102", "eager init", "common/__init__.py", 3, 0, "common", data={
            "entry": CORE, "saving": _saving(70.0, CORE),
            "entries": [{"entry": CORE, "saving": _saving(70.0, CORE)},
                        {"entry": API, "saving": _saving(45.5, API, measured=True)}]}),
        *(Finding("LA103", "side effect", "common/clients.py", line, 0, subject,
                  data={"entry": CORE, "entries": [CORE, API]})
          for line, subject in ((10, "boto3.client"), (11, "boto3.resource"))),
    ]


def _section(out: str, spec: str) -> str:
    start = out.index(f"── {spec} ")
    ends = [i for i in (out.find("── ", start + 3), out.find("\nsummary\n", start)) if i > 0]
    return out[start:min(ends)]


def test_findings_of_an_entry_come_biggest_saving_first() -> None:
    core = _section(render("text", findings(), SUMMARY), CORE)
    order = [core.index(s) for s in ("core/main.py:9:1: LA101", "common/__init__.py:3:1: LA102",
                                     "core/main.py:3:1: LA104", "common/clients.py:10:1: LA103",
                                     "core/a.py:1:1: LA105")]
    assert order == sorted(order)
    assert "also affects" not in core


def test_other_entries_list_what_also_affects_them() -> None:
    api = _section(render("text", findings(), SUMMARY), API)
    assert "no findings for this entry" not in api
    assert "also affects this entry (listed under another one):" in api
    assert f"  common/__init__.py:3:1: LA102 [eager-init-chain] common: saves 46 ms here (under {CORE})" in api
    assert (f"  common/clients.py:10,11: LA103 [import-time-side-effect] boto3.client, boto3.resource (under {CORE})"
            in api)
    assert "LA105" not in api and "LA101" not in api


def test_an_entry_with_nothing_says_so() -> None:
    out = render("text", findings()[:2], SUMMARY)
    assert "no findings for this entry" in _section(out, API)

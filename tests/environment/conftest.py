"""Fixtures for the environment tests: one real venv per available target interpreter."""

from __future__ import annotations

import os
import sys

import pytest
from _envtargets import Target, build_target, interpreters


def _interpreter_id(exe: str) -> str:
    return "current" if exe == sys.executable else os.path.basename(exe)


@pytest.fixture(scope="session", params=interpreters(), ids=_interpreter_id)
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Target:
    return build_target(tmp_path_factory.mktemp("target"), request.param)

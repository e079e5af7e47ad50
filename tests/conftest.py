"""Shared fixtures: every test gets its own sessions folder and a fixed clock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from roundtable.scenarios import resolve_scenario
from roundtable.service import SessionService, create_session

ROOT = Path(__file__).resolve().parent.parent


class Clock:
    """A controllable wall clock (seconds since the epoch)."""

    def __init__(self, start: float = 1_780_000_000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def sessions_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "sessions"
    monkeypatch.setenv("ROUNDTABLE_SESSIONS", str(d))
    return d


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def svc(sessions_dir, clock) -> SessionService:
    """A fresh session on the bundled English Gothenburg scenario (full-day variant)."""
    s = create_session(
        resolve_scenario("gothenburg-en"), variant="full", title="Test round table", date="2026-04-29",
        venue="Test venue", facilitator="Test Facilitator", sessions_dir=sessions_dir, clock=clock,
    )
    yield s
    s.close()


def run_cli(*args: str, env_extra: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real `roundtable` command line in a subprocess."""
    env = dict(os.environ)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "roundtable.cli", *args],
        capture_output=True, text=True, env=env, cwd=cwd or ROOT, timeout=60,
    )

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


# -- added for the core and CLI tests ------------------------------------------------

MINI = ROOT / "tests" / "data" / "mini.toml"


@pytest.fixture
def mini_svc(sessions_dir, clock) -> SessionService:
    """A fresh session on the small test scenario tests/data/mini.toml (variant 'short')."""
    from roundtable.scenarios import load_scenario_file

    s = create_session(
        load_scenario_file(MINI), variant="short", title="Mini", date="2026-05-11",
        sessions_dir=sessions_dir, clock=clock,
    )
    yield s
    s.close()


class CliResult:
    def __init__(self, rc: int, out: str, err: str):
        self.returncode, self.stdout, self.stderr = rc, out, err

    def json(self):
        import json

        return json.loads(self.stdout)


@pytest.fixture
def cli(capsys, sessions_dir):
    """Run `roundtable.cli.main(args)` in this process; returns rc, stdout, stderr."""
    from roundtable.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            rc = main([str(a) for a in args])
        except SystemExit as exc:  # --help
            rc = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return CliResult(rc, out, err)

    return run

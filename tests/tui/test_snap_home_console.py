"""Snapshots of the home screen and the session console at 100x30.

Deterministic: a fixed clock, local time in UTC, a library of one bundled scenario
and one invalid file, and sessions with fixed ids and modification times.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

import roundtable.scenarios as scenarios_mod
import roundtable.service as service_mod
from roundtable.scenarios import load_scenario_file
from roundtable.service import create_session
from roundtable.tui.app import RoundtableApp

ROOT = Path(__file__).resolve().parents[2]
SIZE = (100, 30)


@pytest.fixture
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def fixed_library(tmp_path, monkeypatch) -> Path:
    """The bundled English scenario and an invalid file, nothing else."""
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    shutil.copy(ROOT / "scenarios" / "gothenburg-en.toml", bundled / "gothenburg-en.toml")
    (bundled / "half-written.toml").write_text('schema = "roundtable.scenario/1"\nid = "half"\n')
    monkeypatch.setattr(scenarios_mod, "bundled_dir", lambda: bundled)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return bundled


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_home_snapshot(snap_compare, sessions_dir, clock, fixed_library, utc, monkeypatch):
    tokens = iter(["a1b2", "c3d4"])
    monkeypatch.setattr(service_mod, "secrets",
                        SimpleNamespace(token_hex=lambda n: next(tokens), choice=lambda seq: seq[0]))
    loaded = load_scenario_file(fixed_library / "gothenburg-en.toml", bundled=True)
    made = [
        create_session(loaded, title="Gothenburg round table", date="2026-04-29", sessions_dir=sessions_dir, clock=clock),
        create_session(loaded, variant="short", title="Stockholm [bold]rehearsal[/]", date="2026-05-11",
                       sessions_dir=sessions_dir, clock=clock),
    ]
    for n, s in enumerate(made):
        s.close()
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(s.path) + suffix)
            if p.exists():
                os.utime(p, (1_780_000_000 + n * 60, 1_780_000_000 + n * 60))

    async def run_before(pilot) -> None:
        await pilot.pause()
        await settle(pilot)

    assert snap_compare(RoundtableApp(sessions_dir=sessions_dir), terminal_size=SIZE, run_before=run_before)


@pytest.fixture
def fixed_join_code(svc, monkeypatch):
    """The console shows the join code: make it the same on every run."""
    monkeypatch.setattr(service_mod, "_random_code", lambda n: "JQ7K2MHT"[:n])
    svc.reissue_join_code()


def test_console_snapshot(snap_compare, svc, clock, utc, fixed_join_code):
    async def run_before(pilot) -> None:
        await pilot.pause()
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        clock.advance(125)
        await pilot.press("x")  # block 2 begins
        await settle(pilot)
        clock.advance(95)
        await pilot.press("i")
        await pilot.press("r")  # reveal the first inject of the phase
        await settle(pilot)
        clock.advance(30)
        await pilot.press("ctrl+r")
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(RoundtableApp(session=svc), terminal_size=SIZE, run_before=run_before)


def test_console_snapshot_small_overtime(snap_compare, svc, clock, utc, fixed_join_code):
    async def run_before(pilot) -> None:
        await pilot.pause()
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        clock.advance(svc.agenda()[0].planned_minutes * 60 + 42)
        await pilot.press("ctrl+r")
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(RoundtableApp(session=svc), terminal_size=(80, 24), run_before=run_before)


def test_console_join_panel_snapshot(snap_compare, svc, clock, utc, fixed_join_code):
    """The Join tab once `roundtable serve` announced its address: code, address, QR code."""
    svc.set_join_url("http://192.168.1.23:8765/")

    async def run_before(pilot) -> None:
        await pilot.pause()
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(RoundtableApp(session=svc), terminal_size=(100, 36), run_before=run_before)

"""Snapshots of the participant app at phone-like widths: join refusal, the room, the ballot.

Deterministic: a fixed clock (the timer is paused), local time in UTC, fixed names.
"""

from __future__ import annotations

import time

import pytest

from roundtable.participant import Gate
from roundtable.service import open_session
from roundtable.tui.participant.app import ParticipantApp

from ._board_helpers import settle


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def seeded(svc):
    blue = svc.add_group("Blue")
    red = svc.add_group("Red")
    anna = svc.add_participant("Anna Lind", organisation="Hotel A", group=blue.id)
    svc.set_scribe(anna.id)
    svc.add_participant("Cy Holm", group=red.id)
    svc.add_proposal(blue.id, "Indicator card at every reception", text="Night staff too.", step=1,
                     timeframe="before")
    svc.add_proposal(blue.id, "Brief [bold]x[/bold] staff", step=2, timeframe="during")
    svc.add_proposal(red.id, "Taxi drivers learn the signs")
    svc.start_timer()
    svc.pause_timer()
    svc.reveal_inject(svc.scenario.phases[0].injects[1].id)
    return svc, anna


@pytest.fixture
def app_for(svc, clock):
    opened = []

    def make() -> ParticipantApp:
        other = open_session(str(svc.path), clock=clock)
        opened.append(other)
        return ParticipantApp(Gate(other, "snapshot-device"))

    yield make
    for s in opened:
        s.close()


async def _enter(pilot, code: str) -> None:
    await pilot.press(*code, "enter")
    await settle(pilot)


def test_snapshot_join_refused(seeded, app_for, snap_compare):
    async def run_before(pilot) -> None:
        await pilot.pause()
        await settle(pilot)
        await _enter(pilot, "NOPE42")

    assert snap_compare(app_for(), terminal_size=(48, 24), run_before=run_before)


def test_snapshot_scribe_room(seeded, app_for, snap_compare):
    svc, anna = seeded

    async def run_before(pilot) -> None:
        await pilot.pause()
        await settle(pilot)
        await _enter(pilot, svc.join_code())
        await _enter(pilot, anna.code)
        await settle(pilot)

    assert snap_compare(app_for(), terminal_size=(60, 30), run_before=run_before)


def test_snapshot_ballot(seeded, app_for, snap_compare):
    svc, anna = seeded
    svc.open_round(dots=3, max_per_proposal=2, title="Which first?")
    svc.cast_ballot(anna.code, {"P1": 2})

    async def run_before(pilot) -> None:
        await pilot.pause()
        await settle(pilot)
        await _enter(pilot, svc.join_code())
        await _enter(pilot, anna.code)
        await settle(pilot)

    assert snap_compare(app_for(), terminal_size=(48, 30), run_before=run_before)


def test_snapshot_consent_ballot_on_a_phone(seeded, app_for, snap_compare):
    svc, anna = seeded
    svc.open_round(method="consent", proposals=["P1"], per_group=True, title="Go ahead?")

    async def run_before(pilot) -> None:
        await pilot.pause()
        await settle(pilot)
        await _enter(pilot, svc.join_code())
        await _enter(pilot, anna.code)
        await settle(pilot)
        await pilot.click("#consent-block")
        await pilot.press(*"Ask night staff first")
        await pilot.pause()

    assert snap_compare(app_for(), terminal_size=(44, 40), run_before=run_before)

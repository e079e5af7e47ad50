"""Snapshot tests of the projector: joining with the QR code, group work with an inject,
revealed results.

Deterministic: fixed store clock, a local countdown clock that stands still, UTC, a
fixed join address; the join code (random per session) is pinned on the view.
"""

from __future__ import annotations

import time

import pytest

from roundtable.participant import ProjectorView
from roundtable.tui.projector.app import ProjectorApp

from .test_projector import URL, advance_to, seed


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def projector_app(svc) -> ProjectorApp:
    view = ProjectorView(svc)
    view.join_code = lambda: "K7PX3M"  # the real one is random per session
    return ProjectorApp(view, clock=lambda: 0.0)


def until(mode: str):
    async def run_before(pilot) -> None:
        await pilot.pause()
        for _ in range(200):
            if pilot.app.mode == mode:
                break
            await pilot.pause(0.02)
        assert pilot.app.mode == mode
        await pilot.pause()

    return run_before


def test_snapshot_projector_joining(svc, snap_compare):
    seed(svc)
    svc.set_join_url(URL)
    assert snap_compare(projector_app(svc), terminal_size=(100, 30), run_before=until("join"))


def test_snapshot_projector_group_work_inject(svc, clock, snap_compare):
    advance_to(svc, "group_work")
    clock.advance(7 * 60 + 12)
    svc.reveal_inject("b-hotellavtal")
    clock.advance(5 * 60)
    svc.reveal_inject("b-tolv-rum")
    assert snap_compare(projector_app(svc), terminal_size=(100, 30), run_before=until("group"))


def test_snapshot_projector_results(svc, clock, snap_compare):
    ids, voters = seed(svc)
    advance_to(svc, "vote")
    svc.open_round(dots=3)
    svc.cast_ballot(voters[0].code, {ids[0]: 2, ids[1]: 1})
    svc.cast_ballot(voters[1].code, {ids[1]: 2, ids[2]: 1})
    svc.cast_ballot(voters[2].code, {ids[2]: 1, ids[0]: 1})  # P1 and P2 tie for first
    clock.advance(4 * 60)
    svc.close_round()
    svc.reveal_results()
    assert snap_compare(projector_app(svc), terminal_size=(100, 30), run_before=until("results"))


def test_snapshot_projector_consent_result(svc, clock, snap_compare):
    ids, voters = seed(svc)
    advance_to(svc, "vote")
    svc.open_round(method="consent", proposals=[ids[0]], title="Cards at every reception?")
    svc.cast_ballot(voters[0].code, "agree")
    svc.cast_ballot(voters[1].code, "abstain")
    svc.cast_ballot(voters[2].code, "block", reason="Night staff were not asked")
    clock.advance(3 * 60)
    svc.close_round()
    assert snap_compare(projector_app(svc), terminal_size=(100, 30), run_before=until("results"))

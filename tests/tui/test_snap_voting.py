"""Snapshot tests: the voting pane with results, the open-round form, the booth's ballot step,
the export preview.

Deterministic: fixed clock, fixed local time zone, fixed names; voting codes are typed
into the booth but never stay on screen.
"""

from __future__ import annotations

import time

import pytest

from roundtable.tui.app import RoundtableApp

from ._voting_helpers import seed_proposals, seed_voters, settle


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _voted(svc, close: bool = True):
    ids = seed_proposals(svc, [
        "Indicator card at every reception",
        "Taxi drivers learn the signs",
        "Buying sex is illegal: tell visitors in five languages",
        "[bold red]x[/]",
    ])
    voters = seed_voters(svc, 4)
    svc.open_round(dots=5, max_per_proposal=3)
    svc.cast_ballot(voters[0].code, {ids[0]: 3, ids[1]: 2})
    svc.cast_ballot(voters[1].code, {ids[1]: 3, ids[0]: 2})
    svc.cast_ballot(voters[2].code, {ids[2]: 3, ids[3]: 1})
    svc.enter_paper_tally({ids[2]: 1})
    if close:
        svc.close_round()
    return ids, voters


def test_snapshot_voting_results(svc, snap_compare):
    _voted(svc)

    async def run_before(pilot) -> None:
        await pilot.pause()
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)

    assert snap_compare(RoundtableApp(session=svc), terminal_size=(100, 30), run_before=run_before)


def test_snapshot_booth_ballot_step(svc, snap_compare):
    ids, voters = _voted(svc, close=False)
    code = voters[0].code

    async def run_before(pilot) -> None:
        await pilot.pause()
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press(*code, "enter")
        await settle(pilot)
        await pilot.press("down")  # Anna's own earlier ballot is preloaded; P2 has the focus
        await pilot.pause()

    assert snap_compare(RoundtableApp(session=svc), terminal_size=(80, 24), run_before=run_before)


def test_snapshot_open_round_form_fits_100x30(svc, snap_compare):
    _voted(svc)  # a closed round, so a runoff can be offered

    async def run_before(pilot) -> None:
        await pilot.pause()
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)

    assert snap_compare(RoundtableApp(session=svc), terminal_size=(100, 30), run_before=run_before)


def test_snapshot_export_preview(svc, snap_compare):
    _voted(svc)
    svc.add_decision("Every hotel briefs its night staff before the cup")

    async def run_before(pilot) -> None:
        await pilot.pause()
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)

    assert snap_compare(RoundtableApp(session=svc), terminal_size=(100, 30), run_before=run_before)


def test_snapshot_consent_results(svc, snap_compare):
    ids, voters = _voted(svc)
    svc.open_round(method="consent", proposals=[ids[0]], title="Final plan")
    svc.cast_ballot(voters[0].code, "agree")
    svc.cast_ballot(voters[1].code, "agree")
    svc.cast_ballot(voters[2].code, "disagree")
    svc.cast_ballot(voters[3].code, "block", reason="Night staff were never asked")
    svc.close_round()

    async def run_before(pilot) -> None:
        await pilot.pause()
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)

    assert snap_compare(RoundtableApp(session=svc), terminal_size=(100, 30), run_before=run_before)


def test_snapshot_tie_not_settled(svc, snap_compare):
    ids = seed_proposals(svc)
    voters = seed_voters(svc, 3)
    svc.open_round(method="borda", shortlist=2, anonymous=True)
    svc.cast_ballot(voters[0].code, [ids[0], ids[1], ids[2]])
    svc.cast_ballot(voters[1].code, [ids[0], ids[2], ids[1]])
    svc.close_round()  # P1 4, P2 1, P3 1: tie at the cut-off for 2 places

    async def run_before(pilot) -> None:
        await pilot.pause()
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)

    assert snap_compare(RoundtableApp(session=svc), terminal_size=(100, 30), run_before=run_before)

"""Snapshots of the People tab and the Proposals board at 100x30 (and the proposal form at 80x24).

Deterministic: voting codes come from a fixed sequence instead of the random
generator, the clock is fixed, and notifications are cleared before the shot.
"""

from __future__ import annotations

import itertools

import pytest

import roundtable.service as service_mod
from roundtable.tui.app import RoundtableApp

SIZE = (100, 30)


@pytest.fixture
def fixed_codes(monkeypatch):
    # Eight characters from the code alphabet, shown as ABCD-EFGH.
    numbers = itertools.count(2)
    monkeypatch.setattr(service_mod, "_new_code", lambda tx: f"KQXR{next(numbers):02d}HT".replace("0", "Z").replace("1", "Y"))


async def settle(pilot) -> None:
    for _ in range(2):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def seed_people(svc) -> None:
    svc.add_group("Table 1 – hotels")
    svc.add_group("Table 2 – transport")
    svc.add_group("Authorities")
    svc.add_participant("Anna Berg", organisation="Nordkust Hotels", sector="hotel", group="Table 1 – hotels")
    svc.add_participant("Bo Ek", organisation="Taxi Måsen", sector="taxi", group="Table 2 – transport")
    svc.add_participant("Cecilia Holm", organisation="Kölvatten Restaurants", sector="restaurant",
                        group="Table 1 – hotels")
    svc.add_participant("[b]Eve[/b]", organisation="Nordlänken Rail", sector="transport", group="Table 2 – transport")
    svc.add_participant("Olle Observer", organisation="County Administrative Board", sector="county_board",
                        group="Authorities", role="observer")
    svc.add_participant("Fia Facilitator", organisation="Fair Travel Association", sector="ngo", role="facilitator")


def seed_board(svc) -> None:
    hotels = svc.add_group("Hotels")
    transport = svc.add_group("Transport")
    svc.add_proposal(hotels.id, "Indicator card at every reception", step=1, timeframe="before",
                     text="A pocket card with the indicators and the numbers 114 14 and 112.",
                     actors=["Nordkust Hotels", "Swedish Police"])
    svc.add_proposal(transport.id, "Taxi drivers learn the signs", step=2, timeframe="before",
                     text="A short module in every driver's induction before the cup.", actors=["Taxi Måsen"])
    svc.add_proposal(hotels.id, "Night receptionist never alone", step=2, timeframe="during",
                     text="A second person on call for the night shift during the event.")
    svc.add_proposal(transport.id, "[bold red]x[/]", step=1, timeframe="during", text="[i]not italic[/i]")
    svc.add_proposal(hotels.id, "Evaluate the tips after the cup", step=3, timeframe="after",
                     actors=["County Administrative Board"])
    svc.add_proposal(transport.id, "Debrief with the police", step=3, timeframe="after")
    svc.merge_proposal("P6", "P5")
    svc.update_proposal("P1", status="adopted")


def test_people_snapshot(snap_compare, fixed_codes, svc):
    seed_people(svc)
    svc.set_scribe("M1")  # Anna types Table 1's proposals
    svc.revoke_code("M2")  # Bo lost his badge

    async def run_before(pilot) -> None:
        await pilot.pause()
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(RoundtableApp(session=svc), terminal_size=SIZE, run_before=run_before)


def test_proposals_board_snapshot(snap_compare, svc):
    seed_board(svc)

    async def run_before(pilot) -> None:
        await pilot.pause()
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("down")  # P2: its description shows in the detail panel
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(RoundtableApp(session=svc), terminal_size=SIZE, run_before=run_before)


def test_proposal_form_small_snapshot(snap_compare, svc):
    seed_board(svc)

    async def run_before(pilot) -> None:
        await pilot.pause()
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("e")  # edit P1 at 80x24
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(RoundtableApp(session=svc), terminal_size=(80, 24), run_before=run_before)

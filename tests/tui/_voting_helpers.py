"""Helpers shared by the voting, booth, outcomes and export TUI tests."""

from __future__ import annotations

from textual.widgets import Input

from roundtable.service import SessionService
from roundtable.tui.widgets.voting import VotingPane

from ._board_helpers import screen_text, settle  # noqa: F401  (re-exported for the voting tests)


async def to_voting(pilot) -> VotingPane:
    await settle(pilot)
    await pilot.press("5")
    await settle(pilot)
    return pilot.app.screen.query_one(VotingPane)


async def replace_text(pilot, selector: str, text: str) -> None:
    """Click an input, empty it and type new text."""
    await pilot.click(selector)
    inp = pilot.app.screen.query_one(selector, Input)
    inp.action_end()
    for _ in range(len(inp.value)):
        await pilot.press("backspace")
    await pilot.press(*text)


def seed_proposals(svc: SessionService, titles: list[str] | None = None) -> list[str]:
    """Two groups with a few proposals; returns the proposal ids."""
    a = svc.add_group("Hotels")
    b = svc.add_group("Transport")
    titles = titles or [
        "Indicator card at every reception",
        "Taxi drivers learn the signs",
        "Buying sex is illegal: tell visitors",
    ]
    ids = []
    for n, title in enumerate(titles):
        p = svc.add_proposal(a.id if n % 2 == 0 else b.id, title, step=1 + n % 3, timeframe="before")
        ids.append(p.id)
    return ids


def seed_voters(svc: SessionService, n: int = 3) -> list:
    """n voting participants plus one observer; returns the voters (with codes)."""
    names = ["Anna Lind", "Bo Ek", "Cecilia Holm", "David Berg", "Eva Ström"]
    voters = [svc.add_participant(names[i], organisation=f"Org {i + 1}", group="Hotels") for i in range(n)]
    svc.add_participant("Olle Observer", organisation="County board", role="observer")
    return voters

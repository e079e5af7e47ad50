"""Pilot tests of the voting booth: participants vote one after another on one machine."""

from __future__ import annotations

import pytest
from textual.widgets import ContentSwitcher, Input

from roundtable.tui.app import RoundtableApp
from roundtable.tui.screens import booth as booth_module
from roundtable.tui.screens.booth import BoothScreen
from roundtable.tui.widgets.ballot_rows import DotRow
from roundtable.tui.screens.dialogs import ConfirmDialog

from ._voting_helpers import screen_text, seed_proposals, seed_voters, settle

SIZE = (100, 30)


async def _open_booth(pilot) -> BoothScreen:
    await settle(pilot)
    await pilot.press("5")
    await settle(pilot)
    await pilot.press("b")
    await settle(pilot)
    booth = pilot.app.screen
    assert isinstance(booth, BoothScreen)
    return booth


async def _enter_code(pilot, code: str) -> None:
    await pilot.press(*code)
    await pilot.press("enter")
    await settle(pilot)


def _step(booth: BoothScreen) -> str:
    return booth.query_one("#booth-steps", ContentSwitcher).current


async def test_booth_flow_end_to_end(svc):
    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(dots=5, max_per_proposal=3)
    anna, bo = voters[0], voters[1]
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        booth = await _open_booth(pilot)
        assert _step(booth) == "step-code"
        assert "Enter your voting code" in screen_text(pilot.app)
        # Codes are typed from badges: lower case and a dash are fine.
        await _enter_code(pilot, anna.code[:3].lower() + "-" + anna.code[3:].lower())
        assert _step(booth) == "step-ballot"
        assert booth.query_one("#booth-code", Input).value == "", "the code does not linger"
        text = screen_text(pilot.app)
        assert "Hello, Anna Lind (Org 1)" in text
        assert "already voted" not in text
        # P1 has focus: three dots with the right arrow / plus; the cap (3) stops a fourth.
        await pilot.press("right", "plus", "equals_sign")
        await pilot.press("plus")
        await pilot.pause()
        assert "At most 3 dots may go to one proposal." in screen_text(pilot.app)
        await pilot.press("down", "2")  # P2: 2 dots with a digit key; budget now spent
        await pilot.press("down", "plus")
        await pilot.pause()
        assert "no dots left" in screen_text(pilot.app)
        # By mouse: take one back from P2 and give it to P3.
        await pilot.click(f"#dots-{ids[1]} .dot-less")
        await pilot.click(f"#dots-{ids[2]} .dot-more")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert svc.own_ballot(anna.code) == {ids[0]: 3, ids[1]: 1, ids[2]: 1}
        assert svc.round_status().ballots_cast == 1
        ballot = [b for b in svc.store.query("SELECT source FROM ballots")]
        assert ballot[0][0] == "booth"
        # Thank you, then nothing of Anna remains anywhere.
        assert _step(booth) == "step-thanks"
        assert "Thank you, your ballot is counted." in screen_text(pilot.app)
        assert booth.query_one("#booth-code", Input).value == ""
        assert list(booth.query(DotRow)) == []
        text = screen_text(pilot.app)
        assert "Anna" not in text and "●" not in text
        await pilot.press("space")  # any key: next voter
        await settle(pilot)
        assert _step(booth) == "step-code"
        assert pilot.app.focused is booth.query_one("#booth-code", Input)
        # Bo votes next and sees none of Anna's dots.
        await _enter_code(pilot, bo.code)
        text = screen_text(pilot.app)
        assert "Hello, Bo Ek" in text and "Anna" not in text
        assert [row.count for row in booth.query(DotRow)] == [0, 0, 0]
        await pilot.press("plus")
        await pilot.click("#booth-confirm")
        await settle(pilot)
        assert svc.round_status().ballots_cast == 2
        assert svc.own_ballot(bo.code) == {ids[0]: 1}


async def test_thank_you_clears_by_itself(svc, monkeypatch):
    monkeypatch.setattr(booth_module, "THANKS_SECONDS", 0.2)
    seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(dots=5, max_per_proposal=3)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        booth = await _open_booth(pilot)
        await _enter_code(pilot, voters[0].code)
        await pilot.press("plus", "ctrl+s")
        await pilot.pause()
        assert svc.round_status().ballots_cast == 1
        await pilot.pause(0.5)
        await settle(pilot)
        assert _step(booth) == "step-code"


async def test_wrong_code_is_one_sentence_and_casts_nothing(svc):
    seed_proposals(svc)
    seed_voters(svc)
    svc.open_round(dots=5, max_per_proposal=3)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        booth = await _open_booth(pilot)
        await _enter_code(pilot, "ZZZZZZ")
        assert _step(booth) == "step-code"
        assert "That voting code is not known in this session; check it and try again." in screen_text(pilot.app)
        assert booth.query_one("#booth-code", Input).value == ""
        assert "Traceback" not in screen_text(pilot.app)
        await pilot.press("enter")  # empty
        await settle(pilot)
        assert "Type the voting code printed on your badge." in screen_text(pilot.app)
    assert svc.round_status().ballots_cast == 0


async def test_observer_code_is_refused(svc):
    seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(dots=5, max_per_proposal=3)
    # Cecilia was made an observer after her badge was printed: her old code no longer votes.
    old_code = voters[2].code
    svc.update_participant(voters[2].id, role="observer")
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        booth = await _open_booth(pilot)
        await _enter_code(pilot, old_code)
        assert _step(booth) == "step-code"
        assert "not known" in screen_text(pilot.app)
        assert "Cecilia" not in screen_text(pilot.app)
    assert svc.round_status().ballots_cast == 0


async def test_recast_preloads_own_ballot_and_replaces_it(svc):
    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(dots=5, max_per_proposal=3)
    svc.cast_ballot(voters[0].code, {ids[0]: 2, ids[2]: 3}, source="cli")
    svc.cast_ballot(voters[1].code, {ids[1]: 3}, source="cli")
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        booth = await _open_booth(pilot)
        await _enter_code(pilot, voters[0].code)
        text = screen_text(pilot.app)
        assert "You have already voted in this round" in text and "replaces it" in text
        assert [row.count for row in booth.query(DotRow)] == [2, 0, 3], "own ballot, never Bo's"
        await pilot.press("left", "left")  # P1 back to 0
        await pilot.press("down", "plus", "plus")  # P2 2
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert svc.own_ballot(voters[0].code) == {ids[1]: 2, ids[2]: 3}
    assert svc.own_ballot(voters[1].code) == {ids[1]: 3}
    assert svc.round_status().ballots_cast == 2


async def test_refusal_from_the_service_is_shown_and_a_closed_round_sends_the_voter_back(svc):
    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(dots=5, max_per_proposal=3)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        booth = await _open_booth(pilot)
        await _enter_code(pilot, voters[0].code)
        await pilot.press("ctrl+s")  # no dots spent
        await settle(pilot)
        assert "The ballot spends no dots; give at least one dot to a proposal." in screen_text(pilot.app)
        assert _step(booth) == "step-ballot"
        await pilot.press("plus")
        svc.close_round()  # the facilitator closed the round meanwhile (another process)
        await pilot.press("ctrl+s")
        await settle(pilot)
        # nothing can be cast any more: back to the code, saying why
        text = " ".join(screen_text(pilot.app).split())
        assert ("Round 1 closed before the ballot was cast; nothing was counted. "
                "No voting round is open; ask the facilitator.") in text
        assert _step(booth) == "step-code" and list(booth.query(DotRow)) == []
    assert svc.results().ballots_cast == 0


async def test_leaving_needs_the_facilitators_confirmation(svc):
    seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(dots=5, max_per_proposal=3)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        booth = await _open_booth(pilot)
        await _enter_code(pilot, voters[0].code)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("enter")  # Cancel has the focus
        await settle(pilot)
        assert pilot.app.screen is booth
        # Quit and the command palette are locked inside the booth.
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert pilot.app.screen is booth, "no command palette in the booth"
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert pilot.app.is_running
        assert isinstance(pilot.app.screen, ConfirmDialog), "ctrl+q asks, like Escape"
        await pilot.click("#confirm")
        await settle(pilot)
        assert pilot.app.screen.__class__.__name__ == "SessionScreen"
        assert "Anna" not in screen_text(pilot.app)
    assert svc.round_status().ballots_cast == 0


async def test_typed_title_is_literal_in_the_booth(svc):
    seed_proposals(svc, ["[bold red]x[/]", "[link=http://e.invalid]y[/link]"])
    voters = seed_voters(svc)
    svc.open_round(dots=5, max_per_proposal=3)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await _open_booth(pilot)
        await _enter_code(pilot, voters[0].code)
        text = screen_text(pilot.app)
        assert "P1  [bold red]x[/]" in text
        assert "P2  [link=http://e.invalid]y[/link]" in text


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_booth_fits_small_and_large_screens(svc, size):
    seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(dots=5, max_per_proposal=3)
    async with RoundtableApp(session=svc).run_test(size=size) as pilot:
        await _open_booth(pilot)
        assert "Enter your voting code" in screen_text(pilot.app)
        await _enter_code(pilot, voters[0].code)
        text = screen_text(pilot.app)
        assert "Confirm ballot" in text and "P3" in text and "Hello, Anna Lind" in text

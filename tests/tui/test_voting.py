"""Pilot tests of the voting pane: open a round, paper tallies, sealed results, close, ranking."""

from __future__ import annotations

from textual.widgets import DataTable, Input, SelectionList

from roundtable.tui.app import RoundtableApp
from roundtable.tui.screens.dialogs import ConfirmDialog
from roundtable.tui.screens.vote_forms import OpenRoundDialog, PaperTallyDialog
from roundtable.tui.widgets.voting import VotingPane, text_bar

from ._board_helpers import notices, shown
from ._voting_helpers import replace_text, screen_text, seed_proposals, seed_voters, settle, to_voting

SIZE = (100, 30)


async def test_open_round_through_the_modal(svc):
    ids = seed_proposals(svc)
    seed_voters(svc)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await to_voting(pilot)
        assert "No voting round yet" in screen_text(pilot.app)
        await pilot.press("o")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, OpenRoundDialog)
        chosen = dialog.query_one(SelectionList)
        assert sorted(chosen.selected) == sorted(ids), "all proposals start chosen"
        # Leave the second proposal out: highlight it and toggle with space.
        await pilot.press("down")
        if chosen.highlighted != 1:
            chosen.highlighted = 1
        await pilot.press("space")
        assert ids[1] not in chosen.selected
        # A budget of 2 pulls the (untouched) cap down to 2 as well; then back to 4 → cap 3.
        await replace_text(pilot, "#round-dots", "2")
        assert dialog.query_one("#round-cap", Input).value == "2"
        await replace_text(pilot, "#round-dots", "4")
        assert dialog.query_one("#round-cap", Input).value == "3"
        await pilot.press("enter")
        await settle(pilot)
        r = svc.open_round_now()
        assert r is not None
        assert r.proposals == [ids[0], ids[2]]
        assert (r.dots, r.max_per_proposal) == (4, 3)
        text = screen_text(pilot.app)
        assert "OPEN" in text and "0 of 3 eligible voters have voted" in text
        assert ids[1] not in [row.value for row in pilot.app.screen.query_one("#round-table", DataTable).rows]


async def test_open_round_refused_shows_one_sentence_and_keeps_the_form(svc):
    seed_proposals(svc)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await to_voting(pilot)
        await pilot.click("#vote-open")  # by mouse this time
        await settle(pilot)
        await replace_text(pilot, "#round-cap", "9")
        await pilot.press("enter")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, OpenRoundDialog), "a refused form stays open"
        assert "The cap per proposal (9) cannot exceed the dot budget (5)." in screen_text(pilot.app)
        assert svc.open_round_now() is None
        # Not a number: one sentence too.
        await replace_text(pilot, "#round-dots", "")
        await pilot.press("enter")
        await settle(pilot)
        assert "The dot budget must be a whole number." in screen_text(pilot.app)
        assert svc.rounds() == []
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen.query_one(VotingPane), VotingPane)


async def test_results_are_sealed_while_the_round_is_open(svc):
    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    # Three-digit counts: they cannot be mistaken for a clock time or an id on screen.
    svc.open_round(dots=900, max_per_proposal=900)
    svc.cast_ballot(voters[0].code, {ids[0]: 371, ids[1]: 119})
    svc.enter_paper_tally({ids[2]: 293})
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        pane = await to_voting(pilot)
        text = screen_text(pilot.app)
        assert "1 of 3 eligible voters has voted" in text
        assert "paper tally entered" in text
        assert "sealed" in text
        for points in ("371", "119", "293", "490"):
            assert points not in text, f"points {points} leaked while the round is open"
        assert pane.data.results is None
        # Closing reveals them.
        await pilot.press("c")
        await settle(pilot)
        await pilot.click("#confirm")
        await settle(pilot)
        text = screen_text(pilot.app)
        assert "371" in text and "293" in text and "119" in text


async def test_close_round_asks_first_then_shows_ranking_with_ties(svc):
    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(dots=5, max_per_proposal=3)
    svc.cast_ballot(voters[0].code, {ids[0]: 3, ids[1]: 2})
    svc.cast_ballot(voters[1].code, {ids[0]: 1, ids[1]: 2, ids[2]: 2})
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await to_voting(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        assert "2 of 3 eligible voters have voted" in screen_text(pilot.app)
        await pilot.press("escape")  # cancel: nothing happens
        await settle(pilot)
        assert svc.open_round_now() is not None
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert svc.open_round_now() is None
        table = pilot.app.screen.query_one("#round-table", DataTable)
        rows = {key.value: [str(c) for c in table.get_row(key)] for key in table.rows}
        assert rows[ids[0]][0] == "1" and rows[ids[1]][0] == "1" and rows[ids[2]][0] == "3"
        assert rows[ids[0]][2] == "4" and rows[ids[2]][2] == "2"
        assert rows[ids[0]][1] == rows[ids[1]][1] == "TIE for 1st" and rows[ids[2]][1] == ""
        assert rows[ids[0]][4].startswith("P1")
        text = screen_text(pilot.app)
        assert "Tie for first place between P1, P2." in text
        assert "2 of 3 eligible voters voted" in text
        assert "█" in text  # the bars


async def test_tie_below_first_is_flagged_but_no_banner(svc):
    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(dots=5, max_per_proposal=3)
    svc.cast_ballot(voters[0].code, {ids[0]: 3, ids[1]: 1, ids[2]: 1})
    svc.close_round()
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await to_voting(pilot)
        table = pilot.app.screen.query_one("#round-table", DataTable)
        rows = {key.value: [str(c) for c in table.get_row(key)] for key in table.rows}
        assert rows[ids[1]][0] == rows[ids[2]][0] == "2"
        assert rows[ids[1]][1] == rows[ids[2]][1] == "tie"
        assert rows[ids[0]][1] == ""
        assert "TIE FOR FIRST PLACE" not in screen_text(pilot.app)


async def test_paper_tally_entered_through_the_form(svc):
    ids = seed_proposals(svc)
    seed_voters(svc)
    svc.open_round(dots=5, max_per_proposal=3)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await to_voting(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PaperTallyDialog)
        await pilot.press("x")  # an integer field ignores letters
        await pilot.press("1", "2", "tab", "tab", "7")  # second proposal left empty = 0
        await pilot.press("enter")
        await settle(pilot)
        assert svc.round_status().paper_entered
        assert "paper tally entered" in screen_text(pilot.app)
        res = svc.close_round()
    points = {r.proposal: r.points for r in res.results}
    assert points == {ids[0]: 12, ids[1]: 0, ids[2]: 7}
    assert res.paper_points == 19


async def test_previous_rounds_can_be_viewed(svc):
    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(dots=3, max_per_proposal=3)
    svc.cast_ballot(voters[0].code, {ids[2]: 3})
    svc.close_round()
    svc.open_round(dots=2, max_per_proposal=2, proposals=[ids[0], ids[1]])
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        pane = await to_voting(pilot)
        assert pane.data.round.id == 2 and "Round 2" in screen_text(pilot.app)
        await pilot.click("#round-select")
        await pilot.pause()
        await pilot.press("down", "enter")
        await settle(pilot)
        assert pane.data.round.id == 1
        table = pilot.app.screen.query_one("#round-table", DataTable)
        first = table.get_row_at(0)
        assert str(first[4]).startswith(ids[2]) and str(first[2]) == "3"


async def test_booth_refused_without_an_open_round(svc):
    seed_proposals(svc)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        pane = await to_voting(pilot)
        pane.action_open_booth()  # what the command palette calls
        await settle(pilot)
        assert pilot.app.screen.__class__.__name__ == "SessionScreen"


async def test_typed_title_is_literal_in_the_results(svc):
    ids = seed_proposals(svc, ["[bold red]x[/]", "Plain"])
    voters = seed_voters(svc)
    svc.open_round(dots=3, max_per_proposal=3)
    svc.cast_ballot(voters[0].code, {ids[0]: 2})
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await to_voting(pilot)
        assert "[bold red]x[/]" in screen_text(pilot.app)  # open round list
        svc.close_round()
        await pilot.press("ctrl+r")
        await settle(pilot)
        await shown(pilot, "P1  [bold red]x[/]")


def test_text_bar():
    assert text_bar(0, 10) == ""
    assert text_bar(10, 10, width=4) == "████"
    assert text_bar(5, 10, width=4) == "██"
    assert 0 < len(text_bar(1, 100, width=4)) <= 1


async def test_reveal_results_by_key_after_close(svc, clock):
    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(dots=5, max_per_proposal=3, reveal="manual")
    svc.cast_ballot(voters[0].code, {ids[0]: 3})
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await to_voting(pilot)
        # While the round is open the key refuses, in one clear sentence; nothing is revealed.
        assert pilot.app.screen.query_one("#vote-reveal").disabled
        await pilot.press("r")
        await settle(pilot)
        assert pilot.app.screen.__class__.__name__ == "SessionScreen"
        assert "Round 1 is still open; close it (c) before revealing its results." in notices(pilot.app)
        assert svc.round(1).revealed_at is None

        await pilot.press("c")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        text = screen_text(pilot.app)
        assert "Sealed for participants" in text
        assert pilot.app.screen.query_one(VotingPane).data.results is not None  # the facilitator sees the ranking
        assert svc.round(1).revealed_at is None  # closing does not reveal

        clock.advance(60)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("escape")  # cancel: still sealed
        await settle(pilot)
        assert svc.round(1).revealed_at is None
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        revealed = svc.round(1).revealed_at
        assert revealed is not None
        text = screen_text(pilot.app)
        assert f"Shown to participants since {revealed.astimezone().strftime('%H:%M')}" in text
        assert "Sealed for participants" not in text
        assert pilot.app.screen.query_one("#vote-reveal").disabled
        # The ranking is still there for the facilitator.
        table = pilot.app.screen.query_one("#round-table", DataTable)
        assert str(table.get_row(ids[0])[2]) == "3"


async def test_reveal_results_by_button_and_from_another_connection(svc):
    from roundtable.service import open_session

    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(dots=5, max_per_proposal=3, reveal="manual")
    svc.cast_ballot(voters[0].code, {ids[1]: 2})
    svc.close_round()
    svc.open_round(dots=3, max_per_proposal=3, reveal="manual")
    svc.close_round()
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        pane = await to_voting(pilot)
        assert pane.data.round.id == 2
        await pilot.click("#vote-reveal")
        await settle(pilot)
        await pilot.click("#confirm")
        await settle(pilot)
        assert svc.round(2).revealed_at is not None
        assert svc.round(1).revealed_at is None  # only the round on screen
        assert "Shown to participants since" in screen_text(pilot.app)
        # Round 1, revealed by someone else (e.g. the CLI): the pane follows within a poll.
        await pilot.click("#round-select")
        await pilot.pause()
        await pilot.press("down", "enter")
        await settle(pilot)
        assert pane.data.round.id == 1
        assert "Sealed for participants" in screen_text(pilot.app)
        other = open_session(str(svc.path))
        try:
            other.reveal_results(1)
        finally:
            other.close()
        for _ in range(50):
            await pilot.pause(0.05)
            if "Shown to participants since" in screen_text(pilot.app):
                break
        await settle(pilot)
        assert "Shown to participants since" in screen_text(pilot.app)


async def test_round_that_reveals_on_close_says_so(svc):
    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(dots=5, max_per_proposal=3)  # the default: results shown when the round closes
    svc.cast_ballot(voters[0].code, {ids[0]: 3})
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await to_voting(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert "on participants' devices and on the projector" in screen_text(pilot.app)
        await pilot.press("y")
        await settle(pilot)
        assert svc.round(1).revealed_at is not None
        assert "Shown to participants since" in screen_text(pilot.app)
        assert pilot.app.screen.query_one("#vote-reveal").disabled

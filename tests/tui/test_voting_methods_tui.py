"""Pilot tests of the other voting methods in the facilitator TUI.

The open-round form for every method, the booth's ballot for approval, score, Borda
and consent, the results of score and consent rounds, ties settled by draw, decision
and runoff, and a closed round's ballots.
"""

from __future__ import annotations

import time

from textual.widgets import ContentSwitcher, DataTable, Input, RadioSet, SelectionList

from roundtable import voting
from roundtable.models import ConsentVote
from roundtable.tui.app import RoundtableApp
from roundtable.tui.screens import booth as booth_module
from roundtable.tui.screens.booth import BoothScreen
from roundtable.tui.widgets.ballot_rows import ApprovalRow, BordaRow, ScoreRow
from roundtable.tui.screens.vote_forms import BallotsDialog, OpenRoundDialog, SettleTieDialog
from roundtable.tui.widgets.voting import VotingPane

from ._board_helpers import choose
from ._voting_helpers import replace_text, screen_text, seed_proposals, seed_voters, settle, to_voting

SIZE = (110, 40)


async def _open_form(pilot) -> OpenRoundDialog:
    await pilot.press("o")
    await settle(pilot)
    assert isinstance(pilot.app.screen, OpenRoundDialog)
    return pilot.app.screen


async def _submit(pilot) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


def _table(app) -> dict[str, list[str]]:
    table = app.screen.query_one("#round-table", DataTable)
    return {key.value: [str(c) for c in table.get_row(key)] for key in table.rows}


# -- the open-round form ------------------------------------------------------


async def test_form_opens_a_round_of_each_method(svc):
    ids = seed_proposals(svc)
    seed_voters(svc)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await to_voting(pilot)

        # approval: min/max only; per group, anonymous, live results
        form = await _open_form(pilot)
        assert not form.query_one("#settings-approval").display
        await choose(pilot, "#round-method", "Approval")
        assert form.query_one("#settings-approval").display and not form.query_one("#settings-dot").display
        await replace_text(pilot, "#round-min", "1")
        await replace_text(pilot, "#round-max", "2")
        await pilot.click("#round-per-group")
        await pilot.click("#round-anonymous")
        await choose(pilot, "#round-reveal", "live")
        await _submit(pilot)
        r = svc.round()
        assert (r.method, r.min_approvals, r.max_approvals) == ("approval", 1, 2)
        assert r.per_group and r.anonymous and r.reveal == "live" and r.proposals == ids
        assert (r.dots, r.max_score) == (0, None)
        text = screen_text(pilot.app)
        assert "approval vote · approve at least 1 and at most 2" in text
        assert "one ballot per group" in text and "anonymous" in text
        assert "0 of 1 eligible group has voted" in text
        svc.close_round()

        # score: top score and a shortlist of 2, a title
        form = await _open_form(pilot)
        await choose(pilot, "#round-method", "Score")
        assert form.query_one("#round-max-score", Input).value == "5"
        await replace_text(pilot, "#round-max-score", "7")
        await replace_text(pilot, "#round-shortlist", "2")
        await replace_text(pilot, "#round-title", "Feasibility")
        await _submit(pilot)
        r = svc.round()
        assert (r.method, r.max_score, r.shortlist, r.title) == ("score", 7, 2, "Feasibility")
        assert not r.per_group and r.reveal == "after-close"
        svc.close_round()

        # borda over a selection of proposals
        form = await _open_form(pilot)
        await choose(pilot, "#round-method", "Ranked")
        chosen = form.query_one("#round-proposals", SelectionList)
        chosen.focus()
        chosen.highlighted = 0
        await pilot.press("space")
        await _submit(pilot)
        r = svc.round()
        assert (r.method, r.proposals) == ("borda", ids[1:])
        svc.close_round()

        # consent: exactly one proposal, picked from a list; no shortlist
        form = await _open_form(pilot)
        await choose(pilot, "#round-method", "Consent")
        assert form.query_one("#round-plan").display and not form.query_one("#round-proposals").display
        assert not form.query_one("#round-shortlist").display
        await _submit(pilot)
        assert isinstance(pilot.app.screen, OpenRoundDialog)
        assert "choose which proposal" in screen_text(pilot.app)
        await choose(pilot, "#round-plan", ids[1])
        await _submit(pilot)
        r = svc.round()
        assert (r.method, r.proposals) == ("consent", [ids[1]])
        assert "consent check on one plan" in screen_text(pilot.app)


async def test_form_shows_a_refusal_from_the_service_as_one_sentence(svc):
    seed_proposals(svc)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await to_voting(pilot)
        form = await _open_form(pilot)
        assert "fixed once the round is open" in screen_text(pilot.app)
        await choose(pilot, "#round-method", "Approval")
        await replace_text(pilot, "#round-min", "3")
        await replace_text(pilot, "#round-max", "2")
        await _submit(pilot)
        assert pilot.app.screen is form
        assert "The minimum (3) cannot exceed the maximum (2) approvals." in screen_text(pilot.app)
        assert svc.rounds() == []


async def test_runoff_of_the_top_n_from_the_form_flags_ties_at_the_cut_off(svc):
    ids = seed_proposals(svc, ["One", "Two", "Three", "Four"])
    voters = seed_voters(svc)
    svc.open_round(dots=5, max_per_proposal=3)
    svc.cast_ballot(voters[0].code, {ids[0]: 3, ids[1]: 1, ids[2]: 1})
    svc.cast_ballot(voters[1].code, {ids[0]: 2, ids[1]: 1, ids[2]: 1, ids[3]: 1})
    svc.close_round()  # P1 5, P2 2, P3 2, P4 1
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await to_voting(pilot)
        form = await _open_form(pilot)
        await choose(pilot, "#round-method", "Ranked")
        await choose(pilot, "#round-source", "runoff")
        assert form.query_one("#runoff-row").display and not form.query_one("#round-proposals").display
        await replace_text(pilot, "#round-top", "2")
        await pilot.pause()
        text = screen_text(pilot.app)
        assert "→ P1, P2, P3  (P2, P3 tied at the cut-off)" in text
        await _submit(pilot)
        r = svc.round()
        assert (r.method, r.runoff_of, r.proposals, r.tied_at_cutoff) == ("borda", 1, ids[:3], ids[1:3])
        text = screen_text(pilot.app)
        assert "Runoff of round 1" in text and "P2, P3 tied at the cut-off and came along" in text
        assert _table(pilot.app)[ids[1]][3] == "tied at the cut-off"


# -- the booth ------------------------------------------------------------------


async def _booth_code(pilot, code: str) -> BoothScreen:
    await to_voting(pilot)
    await pilot.press("b")
    await settle(pilot)
    booth = pilot.app.screen
    assert isinstance(booth, BoothScreen)
    await pilot.press(*code, "enter")
    await settle(pilot)
    assert booth.query_one("#booth-steps", ContentSwitcher).current == "step-ballot"
    return booth


async def test_booth_approval_per_group_with_limits(svc):
    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(method="approval", min_approvals=2, max_approvals=2, per_group=True)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        booth = await _booth_code(pilot, voters[0].code)
        text = screen_text(pilot.app)
        assert "One ballot for your group Hotels; it replaces your group's earlier ballot." in text
        assert "approve at least 2 and at most 2" in text
        await pilot.press("space")  # P1 approved
        await pilot.press("ctrl+s")  # one is too few: refused whole
        await settle(pilot)
        assert "at least 2 must be approved; the ballot was not counted." in screen_text(pilot.app)
        assert svc.round_status().ballots_cast == 0
        await pilot.press("down", "down", "x")  # P3
        await pilot.click(f"#approve-{ids[1]} .approve-button")  # a third: stopped at once
        await pilot.pause()
        assert "At most 2 proposals may be approved; take one back first." in screen_text(pilot.app)
        assert [row.approved for row in booth.query(ApprovalRow)] == [True, False, True]
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert svc.own_ballot(voters[0].code) == [ids[0], ids[2]]
    assert svc.own_ballot(voters[1].code) == [ids[0], ids[2]], "the group's ballot"


async def test_booth_score_every_proposal(svc):
    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(method="score", max_score=3)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        booth = await _booth_code(pilot, voters[0].code)
        await pilot.press("2", "down", "7")
        await pilot.pause()
        assert "Scores go from 0 to 3." in screen_text(pilot.app)
        await pilot.press("3", "ctrl+s")
        await settle(pilot)
        assert f"Every proposal needs a score; {ids[2]} has none" in screen_text(pilot.app)
        assert svc.round_status().ballots_cast == 0
        await pilot.press("down", "minus")  # unscored: − gives 0 (+ would give 1)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert svc.own_ballot(voters[0].code) == {ids[0]: 2, ids[1]: 3, ids[2]: 0}
        # Re-cast: the earlier scores are shown.
        await pilot.press("space")
        await settle(pilot)
        await pilot.press(*voters[0].code, "enter")
        await settle(pilot)
        assert [row.count for row in booth.query(ScoreRow)] == [2, 3, 0]
        assert "already voted" in screen_text(pilot.app)


async def test_booth_score_keys_two_digits_and_rows_do_not_wrap(svc):
    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(method="score", max_score=10)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        booth = await _booth_code(pilot, voters[0].code)
        await pilot.press("up")  # the first row stays focused; no wrap to the buttons
        assert pilot.app.focused.proposal.id == ids[0]
        await pilot.press("1", "0")  # 10 on a 0–10 scale
        await pilot.press("down", "7", "down", "1", "1")  # 11 is off the scale: the second 1
        await pilot.pause()
        assert [row.count for row in booth.query(ScoreRow)] == [10, 7, 1]
        await pilot.press("down")  # from the last row on to the buttons
        assert pilot.app.focused is booth.query_one("#booth-confirm")


async def test_booth_borda_ranking_in_order_and_moved(svc):
    ids = seed_proposals(svc, ["One", "Two", "Three", "Four"])
    voters = seed_voters(svc)
    svc.open_round(method="borda")
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        booth = await _booth_code(pilot, voters[0].code)
        # Pick P3 first, then P1: ranked rows move to the top in order.
        await pilot.press("down", "down", "space")
        assert [row.proposal.id for row in booth.query(BordaRow)][:1] == [ids[2]]
        assert pilot.app.focused.proposal.id == ids[2]
        await pilot.press("down", "space")  # the row below P3 is now P1
        await pilot.pause()
        order = [(row.proposal.id, row.place) for row in booth.query(BordaRow)]
        assert order == [(ids[2], 1), (ids[0], 2), (ids[1], None), (ids[3], None)]
        await pilot.press("shift+up")  # P1 above P3
        await pilot.click(f"#rank-{ids[3]} .rank-toggle")  # P4 third, by mouse
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert svc.own_ballot(voters[0].code) == [ids[0], ids[2], ids[3]]
        await pilot.press("space")
        await settle(pilot)
        await pilot.press(*voters[0].code, "enter")
        await settle(pilot)
        assert [(row.proposal.id, row.place) for row in booth.query(BordaRow)][:3] == [
            (ids[0], 1), (ids[2], 2), (ids[3], 3)
        ]


async def test_booth_consent_block_needs_a_reason(svc):
    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(method="consent", proposals=[ids[0]])
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        booth = await _booth_code(pilot, voters[0].code)
        assert "The plan: P1  Indicator card at every reception" in screen_text(pilot.app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Choose agree, abstain, disagree or block." in screen_text(pilot.app)
        await pilot.click("#consent-block")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "A block needs a reason" in screen_text(pilot.app)
        assert svc.round_status().ballots_cast == 0
        await pilot.click("#consent-reason")
        await pilot.press(*"Night staff were never asked")
        assert "A block needs a reason" not in screen_text(pilot.app)  # typing answers it
        await pilot.press("enter")  # Enter in the reason confirms, as on phones
        await settle(pilot)
        assert svc.own_ballot(voters[0].code) == ConsentVote(option="block", reason="Night staff were never asked")
        await pilot.press("space")
        await settle(pilot)
        await pilot.press(*voters[0].code, "enter")
        await settle(pilot)
        assert booth.query_one(RadioSet).pressed_button.id == "consent-block"
        assert booth.query_one("#consent-reason", Input).value == "Night staff were never asked"


def _flat(app) -> str:
    return " ".join(screen_text(app).split())


async def test_booth_refuses_a_ballot_for_a_round_that_closed_meanwhile(svc, monkeypatch):
    """Confirming a ballot shown for round 1 after round 2 opened counts nothing anywhere."""
    monkeypatch.setattr(booth_module, "ROUND_CHECK_SECONDS", 60)  # only the confirm can notice
    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(method="consent", proposals=[ids[1]])
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        booth = await _booth_code(pilot, voters[0].code)
        await pilot.click("#consent-agree")
        svc.close_round()
        svc.open_round(method="consent", proposals=[ids[2]])  # the plan changes under the voter
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert svc.round_status().ballots_cast == 0
        text = _flat(pilot.app)
        assert ("Round 1 closed before the ballot was cast and round 2 is open now; nothing was counted. "
                "This is the ballot of round 2.") in text
        assert f"The plan: {ids[2]}" in text and booth.query_one(RadioSet).pressed_button is None


async def test_booth_shows_the_new_round_when_the_round_changes(svc, monkeypatch):
    monkeypatch.setattr(booth_module, "ROUND_CHECK_SECONDS", 0.1)
    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(dots=3, max_per_proposal=3)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await _booth_code(pilot, voters[0].code)
        await pilot.press("plus")
        svc.close_round()
        await pilot.pause(0.5)
        await settle(pilot)
        # no round open: back to the code, saying why
        assert "Round 1 was closed before you confirmed; nothing was counted." in _flat(pilot.app)
        assert pilot.app.screen.query_one("#booth-steps", ContentSwitcher).current == "step-code"
        svc.open_round(method="approval", proposals=ids[:2])
        await pilot.pause(0.5)
        await settle(pilot)
        assert "Round 2 · approval vote" in _flat(pilot.app)  # the header follows the rounds
        assert svc.round_status().ballots_cast == 0


async def test_booth_cancel_while_the_new_round_is_read_brings_no_voter_back(svc, monkeypatch):
    """Cancel ballot during the re-read after a round change: the next person sees no one's ballot."""
    monkeypatch.setattr(booth_module, "ROUND_CHECK_SECONDS", 60)  # the test says when the change is seen
    seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(dots=3, max_per_proposal=3)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        booth = await _booth_code(pilot, voters[0].code)
        read = svc.own_ballot

        def slow_read(code):
            time.sleep(0.6)  # a slow disk: the voter acts while the booth reads
            return read(code)

        monkeypatch.setattr(svc, "own_ballot", slow_read)
        svc.close_round()
        svc.open_round(dots=3, max_per_proposal=3)
        booth._round_seen(svc.open_round_now(), booth._shown)  # what the round check reports
        await pilot.pause(0.1)
        await pilot.click("#booth-restart")  # while the new round's ballot is being read
        await pilot.pause(1.0)
        await settle(pilot)
        assert booth.query_one("#booth-steps", ContentSwitcher).current == "step-code"
        assert booth._code is None and "Anna" not in screen_text(pilot.app)


# -- results ----------------------------------------------------------------------


async def test_live_results_flag_no_tie_before_any_points_are_in(svc):
    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(method="approval", reveal="live")
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await to_voting(pilot)
        assert "Live results" in screen_text(pilot.app)
        assert all(row[1] == "" for row in _table(pilot.app).values())  # all at 0: no "TIE for 1st"
        svc.cast_ballot(voters[0].code, [ids[0], ids[1]])
        await pilot.press("ctrl+r")
        await settle(pilot)
        rows = _table(pilot.app)
        assert rows[ids[0]][1] == rows[ids[1]][1] == "TIE for 1st" and rows[ids[2]][1] == ""


async def test_score_results_show_mean_and_count(svc):
    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(method="score", max_score=5, reveal="live")
    svc.cast_ballot(voters[0].code, {ids[0]: 5, ids[1]: 2, ids[2]: 0})
    svc.cast_ballot(voters[1].code, {ids[0]: 4, ids[1]: 2, ids[2]: 1})
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await to_voting(pilot)
        # live: shown while the round is open
        assert "Live results" in screen_text(pilot.app)
        rows = _table(pilot.app)
        assert rows[ids[0]][:5] == ["1", "", "9", "4.50", "2"]
        svc.close_round()
        await pilot.press("ctrl+r")
        await settle(pilot)
        rows = _table(pilot.app)
        assert rows[ids[1]][2:5] == ["4", "2.00", "2"]
        assert "score vote · every proposal scored 0 to 5" in screen_text(pilot.app)


async def test_consent_results_outcome_and_block_reasons_and_ballots(svc):
    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(method="consent", proposals=[ids[1]])
    svc.cast_ballot(voters[0].code, "agree")
    svc.cast_ballot(voters[1].code, "agree")
    svc.cast_ballot(voters[2].code, "block", reason="No budget for the cards")
    svc.close_round()
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await to_voting(pilot)
        text = screen_text(pilot.app)
        assert "outcome: NOT PASSED (1 block)" in text
        assert "No budget for the cards" in text
        rows = _table(pilot.app)
        assert rows["agree"][1] == "2" and rows["block"][1] == "1" and rows["disagree"][1] == "0"
        # The ballots of a named round, with voter names.
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(pilot.app.screen, BallotsDialog)
        text = screen_text(pilot.app)
        assert "Anna Lind" in text and "block — No budget for the cards" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen.query_one(VotingPane), VotingPane)


async def test_anonymous_ballots_show_no_names(svc):
    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(method="approval", anonymous=True)
    svc.cast_ballot(voters[0].code, [ids[0]])
    svc.cast_ballot(voters[1].code, [ids[0], ids[2]])
    svc.close_round()
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await to_voting(pilot)
        await pilot.click("#vote-ballots")
        await settle(pilot)
        text = screen_text(pilot.app)
        assert "anonymous" in text and f"{ids[0]}, {ids[2]}" in text
        assert "Anna" not in text and "Bo Ek" not in text


# -- ties ---------------------------------------------------------------------------


def _tied_round(svc, **kw):
    ids = seed_proposals(svc)
    voters = seed_voters(svc)
    svc.open_round(dots=3, max_per_proposal=3, **kw)
    svc.cast_ballot(voters[0].code, {ids[0]: 2, ids[1]: 1})
    svc.cast_ballot(voters[1].code, {ids[1]: 1, ids[2]: 2})
    svc.close_round()  # P1 2, P2 2, P3 2
    return ids


async def test_tie_flagged_and_settled_by_a_draw(svc):
    ids = _tied_round(svc)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await to_voting(pilot)
        text = screen_text(pilot.app)
        assert "Tie for first place between P1, P2, P3." in text and "Not settled yet" in text
        await pilot.press("s")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, SettleTieDialog)
        await choose(pilot, "#settle-how", "Draw")
        await pilot.click("#settle-seed")
        await pilot.press(*"cup2027")
        await _submit(pilot)
        s = svc.results(1).tie.settlement
        assert (s.kind, s.seed) == ("draw", "cup2027")
        assert s.chosen == voting.draw(ids, "cup2027")[:1]
        text = screen_text(pilot.app)
        assert f"Settled by a draw (seed cup2027): {s.chosen[0]} goes through." in text
        assert not pilot.app.screen.query_one("#vote-settle").display
        await pilot.press("s")  # once settled, it stays settled
        await settle(pilot)
        assert not isinstance(pilot.app.screen, SettleTieDialog)


async def test_tie_settled_by_decision_needs_a_reason(svc):
    ids = _tied_round(svc)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await to_voting(pilot)
        await pilot.click("#vote-settle")
        await settle(pilot)
        dialog = pilot.app.screen
        await choose(pilot, "#settle-how", "Decision")
        chosen = dialog.query_one("#settle-chosen", SelectionList)
        chosen.focus()
        chosen.highlighted = 1
        await pilot.press("space")
        await _submit(pilot)
        assert pilot.app.screen is dialog
        assert "A decision needs a written reason" in screen_text(pilot.app)
        assert svc.results(1).tie.settlement is None
        await pilot.click("#settle-reason")
        await pilot.press(*"Police can start at once")
        await _submit(pilot)
        s = svc.results(1).tie.settlement
        assert (s.kind, s.chosen, s.reason) == ("decision", [ids[1]], "Police can start at once")
        assert "Settled by decision: P2 goes through. Reason: Police" in screen_text(pilot.app)
        assert pilot.app.focused is pilot.app.screen.query_one("#round-table")


async def test_tie_settled_by_a_runoff_opens_it(svc):
    ids = _tied_round(svc, shortlist=2)  # two of the three go through
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        pane = await to_voting(pilot)
        assert "Tie at the cut-off for 2 places between P1, P2, P3." in screen_text(pilot.app)
        await pilot.press("s")
        await settle(pilot)
        await choose(pilot, "#settle-how", "Runoff")
        await choose(pilot, "#settle-method", "Approval")
        await _submit(pilot)
        r = svc.round()
        assert (r.id, r.method, r.proposals, r.shortlist) == (2, "approval", ids, 2)
        assert svc.results(1).tie.settlement.runoff_round == 2
        assert pane.data.round.id == 2
        assert "OPEN" in screen_text(pilot.app)

"""Pilot tests of the participant app's ballots for every voting method, and of what
its Results tab shows under each reveal setting.

As in test_participant_app.py, the app has its own connection to the session (as a
phone served by another process would); the test drives the facilitator's side with
the `SessionService`.
"""

from __future__ import annotations

from textual.widgets import Input

from roundtable.models import ConsentVote, Result, RoundResults, Tie, TieSettlement
from roundtable.tui.participant.ballots import ConsentPanel, results_text
from roundtable.tui.widgets.ballot_rows import ApprovalRow, BordaRow, ScoreRow
from roundtable.tui.participant.main import MainScreen

from ._board_helpers import screen_text, settle
from .test_participant_app import LIVE, active_tab, make_app, room, sign_in, wait_for  # noqa: F401  (fixtures)

SIZE = (50, 40)  # a phone held upright, give or take


def flat(app) -> str:
    return " ".join(screen_text(app).split())


async def cast(pilot) -> None:
    await pilot.click("#ballot-cast")
    await settle(pilot)


async def on_ballot(pilot, svc, code: str, kind) -> MainScreen:
    screen = await sign_in(pilot, svc, code)
    await wait_for(pilot, lambda: bool(screen.query(kind)))
    assert active_tab(pilot.app) == "tab-vote"
    return screen


# -- casting every method -------------------------------------------------------------


def in_view(widget, scroll) -> bool:
    return widget.region.height > 0 and scroll.region.contains_region(widget.region)


async def test_a_new_round_opens_at_its_heading_and_a_ranked_row_stays_in_view(room, make_app):
    svc, bo = room["svc"], room["bo"]
    for i in range(10):
        svc.add_proposal(room["blue"].id, f"Proposal number {i + 3}")
    svc.open_round(method="approval")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await on_ballot(pilot, svc, bo.code, ApprovalRow)
        scroll = screen.query_one("#vote-scroll")
        scroll.scroll_end(animate=False)
        await pilot.pause()
        assert scroll.scroll_y > 0
        svc.close_round()
        svc.open_round(method="borda")
        await wait_for(pilot, lambda: bool(screen.query(BordaRow)))
        await settle(pilot)
        assert scroll.scroll_y == 0 and in_view(screen.query_one("#vote-status"), scroll)
        last = list(screen.query(BordaRow))[-1]
        last.focus()  # scrolls to the bottom of the ballot
        await settle(pilot)
        assert scroll.scroll_y > 0
        await pilot.press("space")  # ranked first: the row moves to the top
        await settle(pilot)
        assert last.place == 1 and list(screen.query(BordaRow))[0] is last
        assert in_view(last, scroll) and app.focused is last



async def test_approval_cast_recast_and_over_the_maximum_refused_whole(room, make_app):
    svc, bo = room["svc"], room["bo"]
    p1, p2 = room["p_blue"].id, room["p_red"].id
    svc.open_round(method="approval", max_approvals=1)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await on_ballot(pilot, svc, bo.code, ApprovalRow)
        text = flat(app)
        assert "Approval vote: approve each proposal you could support (at most 1)." in text
        assert "0 approved · at most 1" in text
        await pilot.click(f"#approve-{p1} .approve-button")
        await pilot.pause()
        assert "1 approved · at most 1" in flat(app) and "✓ Approved" in screen_text(app)
        await pilot.click(f"#approve-{p2} .approve-button")  # one too many: not taken
        await pilot.pause()
        assert "At most 1 proposal may be approved; take one back first." in flat(app)
        assert screen.draft.approved == [p1]
        await cast(pilot)
        assert svc.own_ballot(bo.code) == [p1]
        assert f"Ballot counted: approved {p1}" in flat(app)

        # re-cast with the keyboard: take P1 back, approve P2
        screen.query_one(f"#approve-{p1}", ApprovalRow).focus()
        await pilot.press("space", "down", "space")
        await cast(pilot)
        assert svc.own_ballot(bo.code) == [p2] and svc.round_status().ballots_cast == 1
        assert f"Ballot counted: approved {p2}" in flat(app)

        # whatever reaches the core over the limit is refused whole; the ballot stays
        screen.draft.approved = [p1, p2]
        await cast(pilot)
        assert "at most 1 may be approved; the ballot was not counted" in flat(app)
        assert svc.own_ballot(bo.code) == [p2]


async def test_score_every_proposal_with_digits_and_buttons(room, make_app):
    svc, bo = room["svc"], room["bo"]
    p1, p2 = room["p_blue"].id, room["p_red"].id
    svc.open_round(method="score", max_score=4)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await on_ballot(pilot, svc, bo.code, ScoreRow)
        assert "score from 0 (not at all) to 4 (fully)" in flat(app)
        assert "0 of 2 scored" in flat(app) and "not scored" in screen_text(app)
        screen.query_one(f"#score-{p1}", ScoreRow).focus()
        await pilot.press("3")
        await cast(pilot)  # P2 has no score yet: refused whole
        assert f"Every proposal needs a score; {p2} has none, so the ballot was not counted." in flat(app)
        assert svc.own_ballot(bo.code) == {}
        screen.query_one(f"#score-{p2}", ScoreRow).focus()
        await pilot.press("right", "right")  # P2: – → 1 → 2
        await pilot.press("9")  # over the top: not taken
        await pilot.pause()
        assert "Scores go from 0 to 4." in flat(app)
        await cast(pilot)
        assert svc.own_ballot(bo.code) == {p1: 3, p2: 2}
        assert f"Ballot counted: {p1} 3, {p2} 2" in flat(app)
        await pilot.click(f"#score-{p1} .dot-less")
        await cast(pilot)
        assert svc.own_ballot(bo.code) == {p1: 2, p2: 2} and svc.round_status().ballots_cast == 1


async def test_borda_rank_in_order_move_and_leave_some_unranked(room, make_app):
    svc, bo = room["svc"], room["bo"]
    p1, p2 = room["p_blue"].id, room["p_red"].id
    p3 = svc.add_proposal(room["red"].id, "Hotel staff briefing").id
    svc.open_round(method="borda")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await on_ballot(pilot, svc, bo.code, BordaRow)
        text = flat(app)
        assert "rank the proposals, most preferred first" in text and "place i gets 3 − i points" in text
        assert "points: 1st 2 · 2nd 1 · 3rd 0" in text
        await pilot.click(f"#rank-{p3} .rank-toggle")  # first pick
        await pilot.click(f"#rank-{p1} .rank-toggle")  # second pick
        await pilot.pause()
        assert screen.draft.ranking == [p3, p1]
        assert "1st · 2 points" in screen_text(app) and "2nd · 1 point" in screen_text(app)
        # the ranked rows stand first, in order
        assert [r.proposal.id for r in screen.query(BordaRow)] == [p3, p1, p2]
        await pilot.click(f"#rank-{p1} .rank-up")
        await cast(pilot)
        assert svc.own_ballot(bo.code) == [p1, p3]
        assert f"Ballot counted: 1. {p1}, 2. {p3}" in flat(app)

        # keys: a digit puts a row in that place; space takes it out
        screen.query_one(f"#rank-{p2}", BordaRow).focus()
        await pilot.press("1")
        screen.query_one(f"#rank-{p3}", BordaRow).focus()
        await pilot.press("space")
        await cast(pilot)
        assert svc.own_ballot(bo.code) == [p2, p1] and svc.round_status().ballots_cast == 1


async def test_consent_choices_and_a_block_needs_a_reason(room, make_app):
    svc, bo = room["svc"], room["bo"]
    plan = room["p_blue"]
    svc.open_round(method="consent", proposals=[plan.id])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await on_ballot(pilot, svc, bo.code, ConsentPanel)
        text = flat(app)
        assert "Consent check on one plan" in text and plan.title in text
        await pilot.click("#consent-agree")
        await cast(pilot)
        assert svc.own_ballot(bo.code) == ConsentVote(option="agree", reason="")
        assert "Ballot counted: agree" in flat(app)

        await pilot.click("#consent-block")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#consent-reason", Input)  # asks for the reason
        await cast(pilot)
        assert "A block needs a reason (what would have to change); the ballot was not counted." in flat(app)
        assert svc.own_ballot(bo.code).option == "agree"

        await pilot.press(*"Needs a budget", "enter")  # enter in the reason casts
        await settle(pilot)
        assert svc.own_ballot(bo.code) == ConsentVote(option="block", reason="Needs a budget")
        assert "Ballot counted: block (Needs a budget)" in flat(app)
        assert svc.round_status().ballots_cast == 1


# -- round settings -------------------------------------------------------------------


async def test_one_ballot_per_group_the_last_cast_counts_for_every_member(room, make_app):
    svc, anna, bo = room["svc"], room["anna"], room["bo"]
    p1, p2 = room["p_blue"].id, room["p_red"].id
    svc.open_round(method="approval", per_group=True, anonymous=True)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await on_ballot(pilot, svc, anna.code, ApprovalRow)
        text = flat(app)
        assert "One ballot for your group Blue: any member may cast it; the last one counts." in text
        assert "Anonymous: your ballot is stored without your name." in text
        assert "0 of 2 groups cast so far" in text
        await pilot.click(f"#approve-{p1} .approve-button")
        await cast(pilot)
        assert svc.own_ballot(anna.code) == [p1] == svc.own_ballot(bo.code)

        svc.cast_ballot(bo.code, [p2])  # another member of Blue, on their own phone
        took = await wait_for(pilot, lambda: f"Ballot counted: approved {p2}" in flat(app))
        assert took < LIVE
        assert screen.draft.approved == [p2]  # Anna's ballot shows the table's ballot
        assert "This is the ballot of Blue" in flat(app)
        assert svc.round_status().ballots_cast == 1


async def test_after_vote_results_appear_once_the_ballot_is_in(room, make_app):
    svc, bo, cy = room["svc"], room["bo"], room["cy"]
    p1, p2 = room["p_blue"].id, room["p_red"].id
    svc.open_round(method="approval", reveal="after-vote")
    svc.cast_ballot(cy.code, [p2])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await on_ballot(pilot, svc, bo.code, ApprovalRow)
        await pilot.press("f5")
        await settle(pilot)
        text = flat(app)
        assert "its results appear here once you have cast your ballot" in text
        assert "approval" not in text.replace("Approval", "")  # no counts at all
        await pilot.press("f4")
        await pilot.click(f"#approve-{p1} .approve-button")
        await cast(pilot)
        assert "The results so far are on the Results tab." in flat(app)
        await pilot.press("f5")
        await wait_for(pilot, lambda: "Results so far in round 1" in flat(app))
        text = flat(app)
        assert "2 of 3 participants have voted · voting is still open" in text
        assert "1= 1 approval (tie)" in text and "Tie for first place so far." in text


async def test_live_results_while_open_follow_each_ballot(room, make_app):
    svc, bo, cy = room["svc"], room["bo"], room["cy"]
    p1, p2 = room["p_blue"].id, room["p_red"].id
    svc.open_round(method="borda", reveal="live")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await on_ballot(pilot, svc, bo.code, BordaRow)
        await pilot.press("f5")
        await wait_for(pilot, lambda: "Results so far in round 1" in flat(app))
        assert "0 of 3 participants have voted" in flat(app)
        svc.cast_ballot(cy.code, [p2, p1])
        took = await wait_for(pilot, lambda: "1 of 3 participants has voted" in flat(app))
        assert took < LIVE
        text = flat(app)
        assert f"1. 1 point {p2}" in text and f"2. 0 points {p1}" in text
        assert active_tab(app) == "tab-results"  # nothing pulls the voter away


async def test_consent_results_show_the_outcome_counts_and_block_reasons(room, make_app):
    svc, anna, bo, cy = room["svc"], room["anna"], room["bo"], room["cy"]
    plan = room["p_blue"]
    svc.open_round(method="consent", proposals=[plan.id])
    svc.cast_ballot(anna.code, "agree")
    svc.cast_ballot(cy.code, "block", reason="Reception staff were not asked")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await on_ballot(pilot, svc, bo.code, ConsentPanel)
        await pilot.click("#consent-agree")
        await cast(pilot)
        svc.close_round()  # after-close (the default): shown to everyone at once
        await wait_for(pilot, lambda: active_tab(app) == "tab-results")
        text = flat(app)
        assert "Results of round 1" in text and "Consent check · 3 of 3 participants voted" in text
        assert "NOT PASSED" in text
        assert "agree 2 · abstain 0 · disagree 0 · block 1" in text
        assert "Blocked because: • Reception staff were not asked" in text
        assert plan.title in text


def test_results_text_names_the_tie_and_how_it_was_settled(svc):
    g = svc.add_group("Blue")
    svc.add_proposal(g.id, "One")
    svc.add_proposal(g.id, "Two")
    r = svc.open_round(method="score", max_score=5, title="Feasibility")
    svc.close_round()
    base = svc.results(r.id)
    settled = TieSettlement(kind="decision", chosen=["P2"], reason="the county board can fund it",
                            settled_at=base.round.opened_at)
    res = RoundResults(
        round=base.round, eligible=3, ballots_cast=2, paper_points=0,
        results=[Result(proposal="P1", points=7, rank=1, tied=True, mean=3.5, count=2),
                 Result(proposal="P2", points=7, rank=1, tied=True, mean=3.5, count=2)],
        tie=Tie(at="first", places=1, tied=["P1", "P2"], settlement=settled),
    )
    text = " ".join(results_text(res, {}, {}).plain.split())
    assert "Results of round 1: Feasibility" in text
    assert "1= 7 points · mean 3.5 of 5 (tie)" in text
    assert "Tie for first place. P1, P2 share it." in text
    assert "Settled by decision: P2 goes through. Reason: the county board can fund it" in text

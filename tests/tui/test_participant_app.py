"""Pilot tests of the participant app (`roundtable join`): codes, live room, proposals, ballot.

The app gets its own connection to the session (as another process would) through a
`Gate`; the test changes the session through the facilitator's `SessionService`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, Input, TabbedContent

from roundtable.participant import Gate
from roundtable.service import format_code, open_session
from roundtable.tui.participant.app import ParticipantApp
from roundtable.tui.participant.entry import CodeScreen, JoinScreen
from roundtable.tui.participant.main import MainScreen, timer_line
from roundtable.tui.widgets.ballot_rows import DotRow
from roundtable.models import TimerState

from ._board_helpers import choose, notices, screen_text, settle, wait_for

SIZE = (60, 30)
LIVE = 0.5  # seconds within which another process's change must show


@pytest.fixture
def room(svc):
    """Two groups; Anna is Blue's scribe, Bo is in Blue, Cy in Red; one proposal each."""
    blue = svc.add_group("Blue")
    red = svc.add_group("Red")
    anna = svc.add_participant("Anna Lind", organisation="Hotel A", group=blue.id)
    svc.set_scribe(anna.id)
    bo = svc.add_participant("Bo Ek", organisation="Taxi B", group=blue.id)
    cy = svc.add_participant("Cy Holm", group=red.id)
    p_blue = svc.add_proposal(blue.id, "Indicator card at reception", step=1, timeframe="before")
    p_red = svc.add_proposal(red.id, "Taxi drivers learn the signs")
    return {"svc": svc, "blue": blue, "red": red, "anna": svc.participant(anna.id), "bo": bo, "cy": cy,
            "p_blue": p_blue, "p_red": p_red}


@pytest.fixture
def make_app(svc, clock):
    opened = []

    def make(client: str = "test-device") -> ParticipantApp:
        other = open_session(str(svc.path), clock=clock)  # a connection of its own, like another process
        opened.append(other)
        return ParticipantApp(Gate(other, client))

    yield make
    for s in opened:
        s.close()


async def enter(pilot, code: str) -> None:
    entry = pilot.app.screen.query_one("#entry-code", Input)
    entry.value = ""
    entry.focus()
    await pilot.press(*code, "enter")
    await settle(pilot)


async def sign_in(pilot, svc, code: str) -> MainScreen:
    await settle(pilot)
    await enter(pilot, svc.join_code())
    await enter(pilot, code)
    await settle(pilot)
    assert isinstance(pilot.app.screen, MainScreen), screen_text(pilot.app)
    return pilot.app.screen


def active_tab(app) -> str:
    return app.screen.query_one("#tabs", TabbedContent).active


# -- getting in ---------------------------------------------------------------------


async def test_wrong_codes_are_refused_and_nothing_is_shown(room, make_app):
    svc = room["svc"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Test round table" in screen_text(app)
        await enter(pilot, "WRONG1")
        text = screen_text(app)
        assert isinstance(app.screen, JoinScreen)
        assert "not this session's join code" in text
        assert "Traceback" not in text and "Indicator card" not in text and "Anna" not in text

        await enter(pilot, svc.join_code().lower())
        assert isinstance(app.screen, CodeScreen)
        await enter(pilot, "ZZZZ-ZZZZ")
        text = screen_text(app)
        assert isinstance(app.screen, CodeScreen)
        assert "not known in this session" in text
        assert app.screen.query_one("#entry-code", Input).value == ""


async def test_repeated_wrong_codes_are_throttled_with_a_countdown(room, make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for attempt in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD"):
            await enter(pilot, attempt)
        text = " ".join(screen_text(app).split())
        assert "Too many wrong codes from this device; try again in 2 seconds." in text
        entry = app.screen.query_one("#entry-code", Input)
        assert entry.disabled and app.screen.query_one("#entry-go", Button).disabled
        await wait_for(pilot, lambda: not entry.disabled, limit=4.0)
        assert "Too many wrong codes" not in screen_text(app)
        # the next wrong code after the wait is throttled again at once (the core keeps count)
        await enter(pilot, "EEEEEE")
        assert app.screen.query_one("#entry-code", Input).disabled


async def test_right_codes_open_the_main_screen_without_any_codes_on_it(room, make_app):
    svc, bo = room["svc"], room["bo"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, svc, format_code(bo.code).lower().replace("-", " - "))
        text = screen_text(app)
        assert "Bo Ek · Blue" in text
        assert "Before the event" in text  # the phase narrative's title
        for p in (room["anna"], room["bo"], room["cy"]):
            assert p.code not in text and format_code(p.code) not in text
        assert app.ENABLE_COMMAND_PALETTE is False
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


def test_the_app_never_imports_the_service():
    src = Path(__file__).resolve().parents[2] / "roundtable" / "tui" / "participant"
    for f in src.glob("*.py"):
        code = f.read_text()
        assert "from ...service" not in code and "roundtable.service" not in code, f.name


# -- proposals ------------------------------------------------------------------------


async def test_scribe_adds_a_proposal_shown_literally(room, make_app):
    svc, anna = room["svc"], room["anna"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await sign_in(pilot, svc, anna.code)
        await pilot.press("f3")
        await settle(pilot)
        assert active_tab(app) == "tab-group"
        assert screen.focused is screen.query_one("#form-title", Input)
        # an empty title is refused in one sentence
        await pilot.click("#form-save")
        await settle(pilot)
        assert "Give the proposal a title." in screen_text(app)
        await pilot.click("#form-title")
        await pilot.press(*"Brief [bold]x[/bold] staff")
        await pilot.click("#form-text")
        await pilot.press(*"Every shift, before the cup.")
        await choose(pilot, "#form-step", "step 2")
        await choose(pilot, "#form-timeframe", "during")
        await pilot.click("#form-save")
        await settle(pilot)
        mine = [p for p in svc.proposals(group=room["blue"].id) if p.id != room["p_blue"].id]
        assert len(mine) == 1
        p = mine[0]
        assert (p.title, p.text, p.step, p.timeframe) == ("Brief [bold]x[/bold] staff",
                                                        "Every shift, before the cup.", 2, "during")
        await wait_for(pilot, lambda: "Brief [bold]x[/bold] staff" in screen_text(app))
        assert screen.query_one("#form-title", Input).value == ""


async def test_scribe_edits_own_proposal_but_never_another_groups(room, make_app):
    svc, anna = room["svc"], room["anna"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await sign_in(pilot, svc, anna.code)
        await pilot.press("f3")
        await settle(pilot)
        # only the group's own proposals are listed, each with its Edit button
        assert "Taxi drivers" not in screen_text(app)
        assert len(screen.query(".card-edit")) == 1
        await pilot.click(f"#card-{room['p_blue'].id} .card-edit")
        await settle(pilot)
        title = screen.query_one("#form-title", Input)
        assert title.value == "Indicator card at reception"
        title.value = ""
        await pilot.press(*"Indicator card at every reception")
        await pilot.click("#form-save")
        await settle(pilot)
        assert svc.proposal(room["p_blue"].id).title == "Indicator card at every reception"
        assert svc.proposal(room["p_blue"].id).step == 1  # kept

        # even if the form were pointed at another group's proposal, the save is refused
        p_red = room["p_red"]
        screen.start_edit(p_red)
        await pilot.pause()
        screen.query_one("#form-title", Input).value = "Hijacked"
        await pilot.click("#form-save")
        await settle(pilot)
        assert "belongs to another group" in " ".join(screen_text(app).split())
        assert svc.proposal(p_red.id).title == "Taxi drivers learn the signs"


async def test_non_scribe_sees_no_form_until_made_scribe(room, make_app):
    svc, bo = room["svc"], room["bo"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await sign_in(pilot, svc, bo.code)
        await pilot.press("f3")
        await settle(pilot)
        text = screen_text(app)
        assert "Indicator card at reception" in text
        assert "Add a proposal" not in text and "Edit" not in text
        assert not screen.query_one("#proposal-form").display
        assert not screen.query(".card-edit")
        # the facilitator makes Bo the scribe: the form appears live
        svc.set_scribe(bo.id)
        await wait_for(pilot, lambda: screen.query_one("#proposal-form").display and bool(screen.query(".card-edit")))
        assert "Bo Ek · Blue · scribe" in screen_text(app)


# -- live updates ---------------------------------------------------------------------


async def test_changes_by_another_process_show_within_half_a_second(room, make_app):
    svc, bo = room["svc"], room["bo"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, svc, bo.code)
        assert "Waiting for the first block" in screen_text(app)

        svc.start_timer()
        took = await wait_for(pilot, lambda: "▶ Welcome and purpose of the day" in screen_text(app))
        assert took < LIVE
        assert "15:00 left" in screen_text(app) or "14:59 left" in screen_text(app)

        inject = svc.scenario.phases[0].injects[0]
        svc.reveal_inject(inject.id)
        took = await wait_for(pilot, lambda: inject.title in screen_text(app))
        assert took < LIVE
        assert any(inject.title in n for n in notices(app))

        await pilot.press("f3")
        await settle(pilot)
        svc.add_proposal(room["blue"].id, "Night staff briefing")
        took = await wait_for(pilot, lambda: "Night staff briefing" in screen_text(app))
        assert took < LIVE


def test_timer_line_counts_down_and_shows_overtime_and_pause():
    from roundtable.participant import Situation
    from roundtable.models import AgendaItem

    block = AgendaItem(position=0, title="Group work", kind="group_work", planned_minutes=10, phase_id=None,
                       talk_id=None, started_at=None, ended_at=None, extra_seconds=0)

    def sit(timer):
        return Situation(title="t", block=block, next_block=None, timer=timer, phase=None, injects=[], ended=False)

    running = TimerState(block=0, running=True, elapsed_seconds=60, planned_seconds=600)
    assert "▶ Group work (group work) · 09:00 left" == timer_line(sit(running), running, 0).plain
    assert "08:58 left" in timer_line(sit(running), running, 2.0).plain
    over = TimerState(block=0, running=True, elapsed_seconds=590, planned_seconds=600)
    assert "+00:05 overtime" in timer_line(sit(over), over, 15.0).plain
    paused = TimerState(block=0, running=False, elapsed_seconds=60, planned_seconds=600)
    line = timer_line(sit(paused), paused, 30.0).plain
    assert line.startswith("‖") and "09:00 left" in line and "paused" in line


# -- voting ------------------------------------------------------------------------------


async def press_dots(pilot, pid: str, n: int) -> None:
    button = ".dot-more" if n > 0 else ".dot-less"
    for _ in range(abs(n)):
        await pilot.click(f"#dots-{pid} {button}")
    await pilot.pause()


async def test_round_opening_brings_the_ballot_and_cast_recast_replaces(room, make_app):
    svc, bo = room["svc"], room["bo"]
    p1, p2 = room["p_blue"].id, room["p_red"].id
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await sign_in(pilot, svc, bo.code)
        assert "Vote" in screen_text(app)
        svc.open_round(dots=3, max_per_proposal=2)
        took = await wait_for(pilot, lambda: active_tab(app) == "tab-vote" and bool(screen.query(DotRow)))
        assert took < LIVE
        assert any("Voting is open" in n for n in notices(app))
        text = screen_text(app)
        assert "3 dots left of 3" in text and "Cast ballot" in text

        await press_dots(pilot, p1, 2)
        await press_dots(pilot, p2, 1)
        assert "0 dots left of 3" in screen_text(app)
        await pilot.click("#ballot-cast")
        await settle(pilot)
        assert svc.own_ballot(bo.code) == {p1: 2, p2: 1}
        assert "Ballot counted: P1 ×2, P2 ×1".replace("P1", p1).replace("P2", p2) in screen_text(app)

        # re-cast: one ballot, the new allocation
        await press_dots(pilot, p1, -2)
        await press_dots(pilot, p2, 1)
        await pilot.click("#ballot-cast")
        await settle(pilot)
        assert svc.own_ballot(bo.code) == {p2: 2}
        assert svc.round_status().ballots_cast == 1
        assert f"Ballot counted: {p2} ×2" in screen_text(app)


async def test_earlier_ballot_is_prefilled_and_over_budget_is_refused_whole(room, make_app):
    svc, bo = room["svc"], room["bo"]
    p1, p2 = room["p_blue"].id, room["p_red"].id
    svc.open_round(dots=3, max_per_proposal=2)
    svc.cast_ballot(bo.code, {p1: 1})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await sign_in(pilot, svc, bo.code)
        assert active_tab(app) == "tab-vote"  # a round is open: the ballot comes first
        assert screen.query_one(f"#dots-{p1}", DotRow).count == 1
        assert "2 dots left of 3" in screen_text(app)
        assert f"Ballot counted: {p1} ×1" in screen_text(app)

        await press_dots(pilot, p1, 2)  # the cap is 2
        assert "At most 2 dots may go to one proposal." in screen_text(app)
        await press_dots(pilot, p2, 2)
        assert "You have no dots left" in " ".join(screen_text(app).split())
        assert screen.draft.counts == {p1: 2, p2: 1}

        # whatever reaches the core over budget is refused whole; the earlier ballot stays
        screen.draft.counts = {p1: 2, p2: 2}
        await pilot.click("#ballot-cast")
        await settle(pilot)
        assert "the budget is 3; the ballot was not counted" in " ".join(screen_text(app).split())
        assert svc.own_ballot(bo.code) == {p1: 1}
        assert svc.round_status().ballots_cast == 1


async def test_a_ballot_shown_for_a_closed_round_is_not_counted_in_the_next(room, clock, svc):
    """Cast before the app has seen the new round: refused, then the new round is shown."""
    bo = room["bo"]
    p1, p2 = room["p_blue"].id, room["p_red"].id
    svc.open_round(dots=3, max_per_proposal=2, proposals=[p1])
    other = open_session(str(svc.path), clock=clock)
    app = ParticipantApp(Gate(other, "test-device"), poll_seconds=3600)  # it reads only when told
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await sign_in(pilot, svc, bo.code)
            await press_dots(pilot, p1, 1)
            svc.close_round()
            svc.open_round(dots=3, max_per_proposal=2, proposals=[p2])
            await pilot.click("#ballot-cast")
            await settle(pilot)
            assert svc.round_status().ballots_cast == 0
            assert any("round 2 is open now; nothing was counted" in n for n in notices(app))
            await wait_for(pilot, lambda: bool(screen.query(f"#dots-{p2}")))  # the cast asked for a fresh read
            assert "Round 2 is open" in screen_text(app)
    finally:
        other.close()


async def test_results_only_after_the_facilitator_reveals_them(room, make_app):
    svc, bo, cy = room["svc"], room["bo"], room["cy"]
    p1, p2 = room["p_blue"].id, room["p_red"].id
    svc.open_round(dots=2, reveal="manual")
    svc.cast_ballot(cy.code, {p1: 1, p2: 1})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, svc, bo.code)
        await press_dots(pilot, p1, 1)
        await press_dots(pilot, p2, 1)
        await pilot.click("#ballot-cast")
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        text = screen_text(app)
        assert "results stay sealed" in " ".join(text.split()) and "points" not in text

        svc.close_round()
        await wait_for(pilot, lambda: "results appear here when" in " ".join(screen_text(app).split()))
        assert "points" not in screen_text(app)
        await pilot.press("f4")
        await settle(pilot)
        assert "Round 1 is closed" in screen_text(app)

        svc.reveal_results()
        took = await wait_for(pilot, lambda: "Results of round 1" in screen_text(app))
        assert took < LIVE
        assert active_tab(app) == "tab-results"
        text = screen_text(app)
        assert "Tie for first place." in text
        assert text.count("1= 2 points (tie)") == 2
        assert "Indicator card at reception" in text and "Taxi drivers learn the signs" in text


async def test_revoked_code_goes_back_to_the_code_screen(room, make_app):
    svc, bo = room["svc"], room["bo"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, svc, bo.code)
        svc.revoke_code(bo.id)
        await wait_for(pilot, lambda: isinstance(app.screen, CodeScreen))
        await settle(pilot)
        text = " ".join(screen_text(app).split())
        assert "Your voting code was withdrawn" in text and "Bo Ek" not in text
        # the old code no longer opens anything; the new one does
        await enter(pilot, bo.code)
        assert isinstance(app.screen, CodeScreen)
        fresh = svc.reissue_code(bo.id)
        await enter(pilot, fresh.code)
        assert isinstance(app.screen, MainScreen)

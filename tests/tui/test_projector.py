"""The projector view: what the room sees on the big screen, and when.

The app holds only a `ProjectorView`. Writes happen through a second connection to
the session (as another process would), so the projector sees them the way it does
in the room: by polling the store.
"""

from __future__ import annotations


import pytest
from textual.widgets import Digits

from roundtable.participant import ProjectorView
from roundtable.qr import qr_lines
from roundtable.service import open_session
from roundtable.tui.projector.app import ProjectorApp
from roundtable.tui.projector.bigtext import big_lines
from roundtable.tui.projector.room import Room, load_room
from roundtable.tui.projector.widgets import QRCode

from ._board_helpers import screen_text
from ._board_helpers import wait_for as board_wait_for

URL = "http://192.0.2.10:8000/"


async def wait_for(pilot, predicate, timeout: float = 2.0) -> float:
    """Pause until predicate() holds; returns the seconds it took (fails after timeout)."""
    took = await board_wait_for(pilot, predicate, timeout, poll=0.02)
    await pilot.pause()  # let the screen catch up before it is read
    return took


async def shows(pilot, text: str, timeout: float = 2.0) -> float:
    return await wait_for(pilot, lambda: text in screen_text(pilot.app), timeout)


def advance_to(svc, kind: str) -> None:
    """Start the agenda if needed and move on to the first block of `kind`."""
    if svc.timer().block is None:
        svc.start_timer()
    while svc.current_block().kind != kind:
        svc.next_block()


def seed(svc) -> tuple[list[str], list]:
    """Two groups, three proposals (one titled with markup), three voters and an observer."""
    hotels = svc.add_group("Hotels")
    transport = svc.add_group("Transport")
    ids = [
        svc.add_proposal(hotels.id, "Indicator card at every reception").id,
        svc.add_proposal(transport.id, "[bold]x[/bold]").id,
        svc.add_proposal(hotels.id, "Taxi drivers learn the signs").id,
    ]
    voters = [svc.add_participant(n, group="Hotels") for n in ("Anna Lind", "Bo Ek", "Cecilia Holm")]
    svc.add_participant("Olle Observer", role="observer")
    return ids, voters


@pytest.fixture
def other(svc, sessions_dir):
    """A second connection to the same session, standing in for the facilitator's process."""
    s = open_session(svc.id, sessions_dir, clock=svc.clock)
    yield s
    s.close()


def app_for(svc, **kwargs) -> ProjectorApp:
    return ProjectorApp(ProjectorView(svc), **kwargs)


async def test_joining_panel_shows_url_code_qr_and_counts(svc):
    seed(svc)
    svc.set_join_url(URL)
    app = app_for(svc)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.mode == "join")
        text = screen_text(app)
        assert URL in text
        for line in big_lines(svc.join_code()):
            assert line.rstrip() in text
        qr = app.query_one(QRCode)
        assert qr.lines == qr_lines(URL)
        screen_lines = text.splitlines()
        for line in qr_lines(URL):
            assert any(line in s for s in screen_lines)
        # the QR code is drawn with explicit colours: light modules white on black
        strip = qr.render_line(0)
        styles = {seg.style for seg in strip if seg.text.strip()}
        assert styles and all(s.color.triplet == (255, 255, 255) and s.bgcolor.triplet == (0, 0, 0)
                              for s in styles)
        assert "3 participants · 2 groups" in text  # the observer does not vote
        assert "not started" in text and app.query_one("#timer", Digits).value == "--:--"


async def test_not_served_yet(svc):
    app = app_for(svc)
    async with app.run_test(size=(100, 30)) as pilot:
        await shows(pilot, "Not served yet — start `roundtable serve`")
        assert not app.query_one(QRCode).display
        svc.set_join_url(URL)
        await shows(pilot, URL)
        assert app.query_one(QRCode).display and app.query_one(QRCode).lines == qr_lines(URL)


async def test_changes_from_another_connection_show_within_half_a_second(svc, other):
    app = app_for(svc, clock=lambda: 0.0)  # the countdown stands still: its digits are checked
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.mode == "join")
        other.start_timer()  # welcome block: still the joining panel, but the timer runs
        took = await shows(pilot, "WELCOME · 15 min")
        assert took < 0.5
        assert app.mode == "join"
        assert app.query_one("#timer", Digits).value == "15:00"
        other.next_block()  # a talk
        took = await wait_for(pilot, lambda: app.mode == "block")
        assert took < 0.5
        text = screen_text(app)
        assert "It is everyone's responsibility" in text and "Next: How to tip the police" in text


async def test_timer_counts_down_locally_pauses_and_runs_over(svc, other):
    now = [1000.0]
    app = app_for(svc, clock=lambda: now[0])
    advance_to(svc, "talk")  # 30 minutes
    async with app.run_test(size=(100, 30)) as pilot:
        digits = app.query_one("#timer", Digits)
        await wait_for(pilot, lambda: digits.value == "30:00")
        assert "remaining" in screen_text(app)
        now[0] += 3.2  # no read from the store: the countdown runs on its own
        await wait_for(pilot, lambda: digits.value == "29:56")
        now[0] += 1800
        await wait_for(pilot, lambda: digits.value == "-00:04")
        assert digits.has_class("overtime") and "OVERTIME" in screen_text(app)
        svc.clock.advance(1800 + 60)
        other.pause_timer()
        await wait_for(pilot, lambda: digits.value == "-01:00")
        assert "PAUSED" in screen_text(app) and "OVERTIME" in screen_text(app)
        assert digits.has_class("overtime") and not digits.has_class("paused")
        now[0] += 100  # paused: the countdown stands still
        await pilot.pause(0.3)
        assert digits.value == "-01:00"


async def test_j_toggles_the_join_panel(svc):
    svc.set_join_url(URL)
    app = app_for(svc)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.mode == "join")
        await pilot.press("j")
        assert app.mode == "block" and URL not in screen_text(app)
        await pilot.press("j")
        assert app.mode == "join"
        advance_to(svc, "group_work")
        await wait_for(pilot, lambda: app.mode == "group")
        await pilot.press("j")
        assert app.mode == "join" and URL in screen_text(app)
        svc.next_block()  # the override ends with the block
        await wait_for(pilot, lambda: app.mode == "block")


async def test_group_work_shows_the_latest_inject(svc, other):
    app = app_for(svc)
    advance_to(svc, "group_work")
    async with app.run_test(size=(100, 30)) as pilot:
        await shows(pilot, "Before the event: preparations")
        assert "NEW" not in screen_text(app)
        other.reveal_inject("b-hotellavtal")
        await shows(pilot, "The organiser's hotel agreement")
        svc.clock.advance(120)
        other.reveal_inject("b-tolv-rum")
        await shows(pilot, "Twelve rooms, cash payment")
        text = screen_text(app)
        assert "The organiser's hotel agreement" not in text  # only the newest
        assert "twelve single rooms" in text
        revealed = svc.injects()[1].revealed_at.astimezone().strftime("%H:%M")
        assert f"revealed {revealed}" in text


async def test_report_back_gallery_shows_titles_literally(svc):
    seed(svc)
    app = app_for(svc)
    advance_to(svc, "report_back")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.mode == "gallery")
        text = screen_text(app)
        assert "[bold]x[/bold]" in text
        assert "Hotels" in text and "Transport" in text
        assert "Indicator card at every reception" in text and "Taxi drivers learn the signs" in text
        hotels = svc.groups()[0].id
        svc.add_proposal(hotels, "Night staff briefing")
        await shows(pilot, "Night staff briefing")


async def test_votes_show_counts_only_until_the_results_are_revealed(svc, other):
    ids, voters = seed(svc)
    app = app_for(svc)
    advance_to(svc, "vote")
    async with app.run_test(size=(100, 30)) as pilot:
        await shows(pilot, "Voting opens shortly")
        other.open_round(dots=3, reveal="manual")
        await shows(pilot, "VOTING OPEN")
        assert "0 of 3 participants have voted" in screen_text(app)
        other.cast_ballot(voters[0].code, {ids[0]: 2, ids[1]: 1})
        other.cast_ballot(voters[1].code, {ids[1]: 3})
        await shows(pilot, "2 of 3 participants have voted")
        text = screen_text(app)
        assert "[bold]x[/bold]" in text  # on the ballot
        assert "pts" not in text and "RESULTS" not in text
        other.close_round()
        await shows(pilot, "Voting closed")
        await pilot.pause(0.3)
        text = screen_text(app)
        assert "pts" not in text and "RESULTS" not in text and app.room.results is None
        other.reveal_results()
        await shows(pilot, "RESULTS")
        text = screen_text(app)
        assert "4 pts" in text and "2 pts" in text and "0 pts" in text
        lines = [ln for ln in text.splitlines() if "pts" in ln]
        assert "[bold]x[/bold]" in lines[0] and "1." in lines[0]


async def test_results_revealed_in_another_block_show_there_and_then_give_way(svc, other):
    ids, voters = seed(svc)
    app = app_for(svc)
    advance_to(svc, "report_back")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.mode == "gallery")
        other.open_round(dots=2, reveal="manual")
        await wait_for(pilot, lambda: app.mode == "voting")
        other.cast_ballot(voters[0].code, {ids[0]: 1, ids[2]: 1})
        svc.clock.advance(60)
        other.close_round()
        await wait_for(pilot, lambda: app.mode == "gallery")  # closed, sealed: back to the gallery
        other.reveal_results()
        await wait_for(pilot, lambda: app.mode == "results")
        text = screen_text(app)
        assert "Tie for first place: P1, P3" in text and text.count("tie") >= 2
        other.next_block()  # a talk: the results give way
        await wait_for(pilot, lambda: app.mode == "block")


async def test_ended_session_and_no_facilitator_keys(svc, other):
    app = app_for(svc)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.mode == "join")
        assert app.ENABLE_COMMAND_PALETTE is False
        await pilot.press("ctrl+p", "s", "n", "p", "r", "x")
        await pilot.pause(0.3)
        assert svc.timer().block is None  # nothing on the projector starts or moves the agenda
        assert len(app.screen_stack) == 1
        other.end_session()
        await shows(pilot, "The session has ended. Thank you!")
        assert app.mode == "ended"


def test_load_room_rereads_only_the_areas_that_changed(svc):
    ids, voters = seed(svc)
    svc.open_round(dots=3)

    class Counting(ProjectorView):
        def __init__(self, s):
            super().__init__(s)
            self.calls: list[str] = []

        def __getattribute__(self, name):
            attr = super().__getattribute__(name)
            if callable(attr) and not name.startswith("_") and name != "calls":
                self.calls.append(name)
            return attr

    view = Counting(svc)
    room = load_room(view, Room())
    assert room.ballots == (0, 3) and room.results is None
    view.calls.clear()
    svc.cast_ballot(voters[0].code, {ids[0]: 1})
    room = load_room(view, room, {"ballots"})
    assert view.calls == ["ballots_cast"] and room.ballots == (1, 3)
    view.calls.clear()
    svc.clock.advance(30)
    room = load_room(view, room, {"injects"})
    assert view.calls == ["situation"]


async def test_a_long_gallery_column_moves_on_by_itself(svc):
    hotels = svc.add_group("Hotels")
    for n in range(12):
        svc.add_proposal(hotels.id, f"Proposal number {n + 1} from the hotels")
    app = app_for(svc)
    advance_to(svc, "report_back")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.mode == "gallery")
        from roundtable.tui.projector.widgets import GalleryPanel

        panel = app.query_one(GalleryPanel)
        col = panel.query_one(".gallery-col")
        assert col.max_scroll_y > 0 and col.scroll_y == 0
        assert "Proposal number 12 " not in screen_text(app)
        for _ in range(10):
            panel._drift()
            await pilot.pause()
            if col.scroll_y >= col.max_scroll_y:
                break
        assert "Proposal number 12 " in screen_text(app)
        panel._drift()  # at the end: back to the top
        await pilot.pause()
        assert col.scroll_y == 0 and "Proposal number 1 " in screen_text(app)


async def test_consent_outcome_with_block_reasons_and_score_means(svc, other):
    ids, voters = seed(svc)
    app = app_for(svc)
    advance_to(svc, "vote")
    async with app.run_test(size=(100, 30)) as pilot:
        other.open_round(method="consent", proposals=[ids[2]], per_group=True)
        await shows(pilot, "VOTING OPEN")
        text = screen_text(app)
        assert "Consent check · agree, abstain, disagree or block" in text and "one ballot per group" in text
        assert "The plan" in text and "Taxi drivers learn the signs" in text
        assert "0 of 1 group has voted" in text
        other.cast_ballot(voters[0].code, "block", reason="Drivers were not asked")
        await shows(pilot, "1 of 1 group has voted")
        assert "Drivers were not asked" not in screen_text(app)
        other.close_round()
        await wait_for(pilot, lambda: app.mode == "results")
        text = screen_text(app)
        assert app.query_one("#results-outcome").text == "NOT PASSED"
        assert "AGREE 0    ABSTAIN 0    DISAGREE 0    BLOCK 1" in text
        assert "Blocked because" in text and "• Drivers were not asked" in text

        other.open_round(method="score", max_score=5)
        await shows(pilot, "Score vote · score every proposal from 0 to 5")
        other.cast_ballot(voters[0].code, {ids[0]: 5, ids[1]: 2, ids[2]: 0})
        other.cast_ballot(voters[1].code, {ids[0]: 4, ids[1]: 3, ids[2]: 0})
        await shows(pilot, "2 of 3 participants have voted")
        assert "mean" not in screen_text(app)
        other.close_round()
        await shows(pilot, "mean 4.5 · 9 pts")
        text = screen_text(app)
        assert "mean 2.5 · 5 pts" in text and "mean 0.0 · 0 pts" in text
        assert not app.query_one("#results-outcome").display


async def test_after_vote_rounds_show_no_points_while_open_but_live_rounds_do(svc, other):
    ids, voters = seed(svc)
    app = app_for(svc)
    advance_to(svc, "vote")
    async with app.run_test(size=(100, 30)) as pilot:
        other.open_round(method="approval", reveal="after-vote")
        await shows(pilot, "Approval vote · approve every proposal you support")
        other.cast_ballot(voters[0].code, [ids[0], ids[1]])
        other.cast_ballot(voters[1].code, [ids[1]])
        await shows(pilot, "2 of 3 participants have voted")
        await pilot.pause(0.3)
        text = screen_text(app)
        assert "approval" not in text.replace("Approval", "") and "RESULTS" not in text
        assert app.room.results is None and app.mode == "voting"
        other.close_round()
        await shows(pilot, "2 approvals")

        other.open_round(method="dot", dots=2, reveal="live")
        await shows(pilot, "LIVE RESULTS")
        assert "0 of 3 participants have voted" in screen_text(app)
        other.cast_ballot(voters[2].code, {ids[2]: 2})
        took = await shows(pilot, "2 pts")
        assert took < 0.5 + 0.25
        assert "1 of 3 participants has voted" in screen_text(app) and app.mode == "results"

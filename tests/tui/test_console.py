"""The session console: timer controls with a fixed clock, injects, phases, palette."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, Digits, Select, Static, TabbedContent

from roundtable.tui.app import RoundtableApp
from roundtable.tui.screens.dialogs import ConfirmDialog
from roundtable.tui.widgets.console import ConsolePane

from ._board_helpers import screen_text, settle




async def on_console(pilot) -> None:
    """Settle, then make sure the console tab is shown (keys 1-7 switch tabs)."""
    await settle(pilot)
    await pilot.press("1")
    await settle(pilot)


def at(clock) -> dt.datetime:
    return dt.datetime.fromtimestamp(clock(), dt.timezone.utc).replace(microsecond=0)


def countdown(app) -> str:
    return app.screen.query_one("#countdown", Digits).value


async def test_start_pause_extend_next_record_times(svc, clock):
    app = RoundtableApp(session=svc)
    async with app.run_test(size=(100, 30)) as pilot:
        await on_console(pilot)
        first, second = svc.agenda()[:2]
        assert "Not started" in screen_text(app)
        assert countdown(app) == f"{first.planned_minutes:02d}:00"

        started = at(clock)
        await pilot.press("s")
        await settle(pilot)
        t = svc.timer()
        assert t.running and t.block == first.position
        assert svc.agenda()[0].started_at == started

        clock.advance(125)
        await pilot.press("p")
        await settle(pilot)
        assert not svc.timer().running
        assert countdown(app) == f"{first.planned_minutes - 3:02d}:55"
        assert "paused" in screen_text(app)

        await pilot.press("e")
        await settle(pilot)
        assert svc.agenda()[0].extra_seconds == 300
        assert countdown(app) == f"{first.planned_minutes + 2:02d}:55"
        await pilot.press("plus")
        await settle(pilot)
        assert svc.agenda()[0].extra_seconds == 600

        await pilot.click("#btn-start")  # resume by mouse
        await settle(pilot)
        assert svc.timer().running

        clock.advance(60)
        ended = at(clock)
        await pilot.press("x")
        await settle(pilot)
        agenda = svc.agenda()
        assert agenda[0].ended_at == ended
        assert agenda[1].started_at == ended and agenda[1].ended_at is None
        assert svc.timer().block == second.position
        table = app.screen.query_one("#agenda", DataTable)
        assert table.cursor_row == 1  # the current block is highlighted
        assert f"Block 2 of {len(agenda)}" in screen_text(app)

        await pilot.click("#btn-next")
        await settle(pilot)
        assert svc.timer().block == agenda[2].position
        assert svc.agenda()[1].ended_at is not None


async def test_overtime_is_shown_in_the_error_colour(svc, clock):
    app = RoundtableApp(session=svc)
    async with app.run_test(size=(100, 30)) as pilot:
        await on_console(pilot)
        await pilot.press("s")
        await settle(pilot)
        first = svc.agenda()[0]
        clock.advance(first.planned_minutes * 60 + 70)
        await pilot.press("ctrl+r")
        await settle(pilot)
        digits = app.screen.query_one("#countdown", Digits)
        assert digits.value == "-01:10"
        assert digits.has_class("overtime")
        assert "OVERTIME 01:10" in screen_text(app)


async def test_last_block_asks_before_ending_the_session(svc, clock):
    for _ in svc.agenda():  # the first call starts block 1; after all of them the last block runs
        svc.next_block()
    assert svc.timer().block == svc.agenda()[-1].position
    app = RoundtableApp(session=svc)
    async with app.run_test(size=(100, 30)) as pilot:
        await on_console(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert svc.info().ended_at is None
        await pilot.press("n")
        await pilot.pause()
        await pilot.click("#confirm")
        await settle(pilot)
        assert svc.info().ended_at is not None
        assert svc.agenda()[-1].ended_at is not None
        assert "The session has ended" in screen_text(app)


async def test_reveal_inject_records_time_and_shows_text(svc, clock):
    app = RoundtableApp(session=svc)
    async with app.run_test(size=(100, 30)) as pilot:
        await on_console(pilot)
        phase = svc.scenario.phases[0]
        first = phase.injects[0]
        words = " ".join(first.text.split()[:6])

        def detail() -> str:
            return " ".join(str(app.screen.query_one("#inject-detail", Static).render()).split())

        assert words not in detail()
        await pilot.press("r")  # first r shows the injects
        await pilot.pause()
        assert app.screen.query_one("#phase-tabs", TabbedContent).active == "ph-injects"
        assert all(s.revealed_at is None for s in svc.injects())
        clock.advance(30)
        when = at(clock)
        await pilot.press("r")
        await settle(pilot)
        state = next(s for s in svc.injects() if s.id == first.id)
        assert state.revealed_at == when
        assert words in detail()
        assert "revealed" in detail()
        # revealing again is refused: nothing changes, no traceback
        await pilot.press("r")
        await settle(pilot)
        assert next(s for s in svc.injects() if s.id == first.id).revealed_at == when

        # the second one by mouse
        table = app.screen.query_one("#injects", DataTable)
        table.move_cursor(row=1)
        await pilot.pause()
        await pilot.click("#btn-reveal")
        await settle(pilot)
        assert next(s for s in svc.injects() if s.id == phase.injects[1].id).revealed_at is not None


async def test_due_injects_are_flagged(svc, clock):
    agenda = svc.agenda()
    work = next(a for a in agenda if a.kind == "group_work")
    for _ in range(work.position + 1):
        svc.next_block()
    assert svc.current_block().position == work.position
    phase = svc.scenario.phase(work.phase_id)
    timed = [j for j in phase.injects if j.at_minute is not None]
    assert timed
    clock.advance(timed[0].at_minute * 60 + 1)
    app = RoundtableApp(session=svc)
    async with app.run_test(size=(100, 30)) as pilot:
        await on_console(pilot)
        pane = app.screen.query_one(ConsolePane)
        assert timed[0].id in pane._due
        assert pane.browsed_phase == work.phase_id
        await pilot.press("i")
        await pilot.pause()
        text = screen_text(app)
        assert "DUE" in text and "due" in text
        assert any("Inject due" in (n.title or "") for n in app._notifications)


async def test_browse_phases_and_back(svc, clock):
    app = RoundtableApp(session=svc)
    async with app.run_test(size=(100, 30)) as pilot:
        await on_console(pilot)
        phases = svc.scenario.phases
        select = app.screen.query_one("#phase-select", Select)
        assert select.value == phases[0].id
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert select.value == phases[1].id
        assert phases[1].title in str(app.screen.query_one("#phase-text", Static).render())
        assert phases[1].questions[0].text.split()[0] in str(app.screen.query_one("#phase-text", Static).render())
        await pilot.click("#phase-next")
        await pilot.pause()
        assert select.value == phases[2 % len(phases)].id
        await pilot.press("c")
        await pilot.pause()
        assert select.value == phases[0].id
        await pilot.press("f")
        await pilot.pause()
        assert svc.scenario.facts[0].statement.split()[0] in screen_text(app)


async def test_palette_runs_console_actions(svc, clock):
    app = RoundtableApp(session=svc)
    async with app.run_test(size=(100, 30)) as pilot:
        await on_console(pilot)
        await pilot.press("2")  # away from the console: the palette brings it back
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Start or resume")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert svc.timer().running
        assert app.screen.query_one("#tabs", TabbedContent).active == "tab-console"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Go to the Voting")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#tabs", TabbedContent).active == "tab-voting"


async def test_a_session_opens_on_the_console_with_keys_live(svc, clock):
    app = RoundtableApp(session=svc)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#tabs", TabbedContent).active == "tab-console"
        focused = app.screen.focused
        assert focused is not None and app.screen.query_one(ConsolePane) in focused.ancestors
        await pilot.press("s")
        await settle(pilot)
        assert svc.timer().running


async def test_end_session_from_the_console_marks_minutes_final(svc):
    from roundtable.tui.app import RoundtableApp
    from roundtable.tui.screens.dialogs import ConfirmDialog
    from roundtable.tui.widgets.console import ConsolePane

    svc.start_timer()
    async with RoundtableApp(session=svc).run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        pilot.app.screen.query_one(ConsolePane).action_end_session()
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.click("#confirm")
        await pilot.pause()
    info = svc.info()
    assert info.ended_at is not None
    assert svc.minutes().session.status == "final"
    assert svc.timer().block is None

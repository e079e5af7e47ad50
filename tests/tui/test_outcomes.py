"""Pilot tests of the outcomes pane: decisions, actions, evaluation notes."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, Input

from roundtable.tui.app import RoundtableApp
from roundtable.tui.screens.dialogs import ConfirmDialog
from roundtable.tui.screens.vote_forms import ActionDialog, DecisionDialog, NoteDialog
from roundtable.tui.widgets.outcomes import OutcomesPane

from ._board_helpers import shown
from ._voting_helpers import screen_text, seed_proposals, settle

SIZE = (100, 30)


async def _to_outcomes(pilot) -> OutcomesPane:
    await settle(pilot)
    await pilot.press("6")
    await settle(pilot)
    return pilot.app.screen.query_one(OutcomesPane)


async def test_add_and_remove_a_decision_linked_to_a_proposal(svc):
    ids = seed_proposals(svc)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await _to_outcomes(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DecisionDialog)
        await pilot.press(*"Brief night staff")
        # Link the second proposal: open the select and pick it.
        await pilot.click("#decision-proposal")
        await pilot.pause()
        await pilot.press("P", "2", "enter")  # type to search
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        [d] = svc.decisions()
        assert d.text == "Brief night staff"
        assert d.proposal_id == ids[1]
        text = screen_text(pilot.app)
        assert "Brief night staff" in text and "Decisions (1)" in text
        # Remove asks first.
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert len(svc.decisions()) == 1
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert svc.decisions() == []


async def test_empty_decision_is_refused_in_the_form(svc):
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await _to_outcomes(pilot)
        await pilot.click("#add-decision")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DecisionDialog)
        assert "The decision cannot be empty." in screen_text(pilot.app)
    assert svc.decisions() == []


async def test_action_with_bad_date_is_refused_then_saved(svc):
    svc.add_participant("Anna Lind", organisation="Hotel Skeppet")
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await _to_outcomes(pilot)
        await pilot.press("a")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ActionDialog)
        await pilot.press(*"Send indicator card", "tab")
        await pilot.press(*"Hotel Skeppet", "tab")
        await pilot.press(*"2026-02-30", "enter")
        await settle(pilot)
        assert pilot.app.screen is dialog
        assert "The due date '2026-02-30' is not a date of the form YYYY-MM-DD." in screen_text(pilot.app)
        assert svc.actions() == []
        # Fix the date: everything else typed is still there.
        due = dialog.query_one("#action-due", Input)
        assert dialog.query_one("#action-owner", Input).value == "Hotel Skeppet"
        for _ in range(5):
            await pilot.press("backspace")
        await pilot.press(*"05-15", "enter")
        await settle(pilot)
        assert due.value == "2026-05-15"
        [a] = svc.actions()
        assert (a.text, a.owner, a.due, a.status.value) == (
            "Send indicator card", "Hotel Skeppet", dt.date(2026, 5, 15), "open",
        )
        assert "Hotel Skeppet" in screen_text(pilot.app) and "2026-05-15" in screen_text(pilot.app)


async def test_edit_action_status_and_remove(svc):
    svc.add_action("Brief taxi drivers", owner="Taxi Väst", due="2026-06-01")
    svc.add_action("Put 114 14 on every staff room wall", owner="Hotel Skeppet")
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        pane = await _to_outcomes(pilot)
        await pilot.click("#outcomes-tabs Tab#--content-tab-out-actions")
        await settle(pilot)
        table = pane.query_one("#actions-table", DataTable)
        assert pilot.app.focused is table
        # Status cycles open → in progress → done on the first action.
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert svc.actions()[0].status.value == "done"
        # Edit the second one: new owner, clear the due date.
        await pilot.press("down", "e")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ActionDialog)
        assert dialog.query_one("#action-text", Input).value == "Put 114 14 on every staff room wall"
        await pilot.click("#action-owner")
        owner = dialog.query_one("#action-owner", Input)
        owner.action_end()
        for _ in range(len(owner.value)):
            await pilot.press("backspace")
        await pilot.press(*"Hotel Nordstjärnan", "ctrl+s")
        await settle(pilot)
        a2 = svc.actions()[1]
        assert a2.owner == "Hotel Nordstjärnan" and a2.due is None
        assert "in progress" not in screen_text(pilot.app) and "done" in screen_text(pilot.app)
        # Remove it (with confirmation).
        await pilot.press("x")
        await settle(pilot)
        await pilot.click("#confirm")
        await settle(pilot)
        assert [a.id for a in svc.actions()] == ["A1"]


async def test_evaluation_notes_and_questions(svc):
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await _to_outcomes(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(pilot.app.screen, NoteDialog)
        await pilot.press(*"Mixed tables", "enter")
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        await pilot.press(*"Invite the port", "enter")
        await settle(pilot)
        await pilot.click("#add-worked")
        await settle(pilot)
        await pilot.press(*"[bold red]x[/]", "enter")
        await settle(pilot)
        notes = [(n.kind, n.text) for n in svc.evaluation_notes()]
        assert notes == [
            ("worked", "Mixed tables"),
            ("improve", "Invite the port"),
            ("worked", "[bold red]x[/]"),
        ]
        text = await shown(pilot, "Invite the port", "[bold red]x[/]")
        assert "What worked" in text and "What to improve for the next event" in text
        assert "Questions to ask" in text
        first_question = svc.scenario.evaluation_questions[0]
        assert first_question.split()[0] in text
        # Remove the "improve" note: focus its list, then x.
        pane = pilot.app.screen.query_one(OutcomesPane)
        pane.query_one("#improve-table", DataTable).focus()
        await pilot.press("x")
        await settle(pilot)
        assert "Invite the port" in screen_text(pilot.app)  # named in the question
        await pilot.press("y")
        await settle(pilot)
        assert [n.kind for n in svc.evaluation_notes()] == ["worked", "worked"]


async def test_outcomes_fit_at_80x24(svc):
    svc.add_decision("Tell visitors that buying sex is illegal in Sweden")
    async with RoundtableApp(session=svc).run_test(size=(80, 24)) as pilot:
        await _to_outcomes(pilot)
        text = screen_text(pilot.app)
        assert "Add decision (d)" in text and "Tell visitors" in text
        await pilot.press("a")
        await settle(pilot)
        text = screen_text(pilot.app)
        assert "Add action" in text and "Cancel" in text and "Due (YYYY-MM-DD)" in text


async def test_a_read_finishing_after_a_newer_one_is_not_shown(svc, monkeypatch):
    """Reloads run in threads and may finish out of order; the screen keeps the newest."""
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        pane = await _to_outcomes(pilot)
        shown = []
        monkeypatch.setattr(pane, "show", shown.append)
        start = pane._reloads
        pane._show_if_newest(start + 2, "newer")
        pane._show_if_newest(start + 1, "older, finished late")
        pane._show_if_newest(start + 3, "newest")
        assert shown == ["newer", "newest"]

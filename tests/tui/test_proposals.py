"""Proposals board: add, edit, delete, filter, merge, status, live updates."""

from __future__ import annotations


from textual.widgets import DataTable, Input, Select

from roundtable.models import ProposalStatus
from roundtable.service import open_session
from roundtable.tui.app import RoundtableApp
from roundtable.tui.screens.dialogs import ConfirmDialog
from roundtable.tui.screens.forms import FormScreen
from roundtable.tui.widgets.proposals import ProposalsPane

from ._board_helpers import (
    choose, cursor_key, notices, open_tab, put_cursor, row_keys, screen_text, settle, type_text,
)

SIZE = (100, 30)
TABLE = "#proposals-table"


def seed(svc) -> dict[str, str]:
    """Two groups and six proposals across steps and timeframes; returns title → id."""
    hotels = svc.add_group("Hotels")
    transport = svc.add_group("Transport")
    rows = [
        (hotels, "Indicator card at every reception", 1, "before"),
        (transport, "Taxi drivers learn the signs", 2, "before"),
        (hotels, "Night receptionist never alone", 2, "during"),
        (transport, "Posters at the central station", 1, "during"),
        (hotels, "Evaluate tips after the cup", 3, "after"),
        (transport, "Debrief with the police", 3, "after"),
    ]
    return {
        title: svc.add_proposal(g.id, title, text=f"Why: {title.lower()}.", step=step, timeframe=tf).id
        for g, title, step, tf in rows
    }


async def test_add_proposal_through_form(svc):
    svc.add_group("Hotels")
    transport = svc.add_group("Transport")
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "4")
        await pilot.press("a")
        assert isinstance(pilot.app.screen, FormScreen)
        await choose(pilot, "#field-group", "Transport")
        await pilot.press("tab")
        await type_text(pilot, "Taxi drivers learn the signs")
        await pilot.press("tab")
        await type_text(pilot, "A short module in the drivers' induction.")
        await pilot.press("tab")
        await choose(pilot, "#field-step", "2")
        await choose(pilot, "#field-timeframe", "during")
        await pilot.press("tab")
        assert pilot.app.focused.id == "field-actors"
        await type_text(pilot, "Taxi Måsen")
        await choose(pilot, "#field-pick", "Nordkust")
        assert pilot.app.screen.query_one("#field-actors", Input).value == "Taxi Måsen, Nordkust Hotels"
        await pilot.press("ctrl+s")
        await settle(pilot)
        [p] = svc.proposals()
        assert p.group_id == transport.id
        assert p.title == "Taxi drivers learn the signs"
        assert p.text == "A short module in the drivers' induction."
        assert (p.step, p.timeframe) == (2, "during")
        assert p.actors == ["Taxi Måsen", "Nordkust Hotels"]
        assert row_keys(pilot.app, TABLE) == [p.id]
        assert cursor_key(pilot.app, TABLE) == p.id
        assert "A short module in the drivers' induction." in screen_text(pilot.app)  # detail panel


async def test_add_needs_a_title_and_keeps_the_form(svc):
    svc.add_group("Hotels")
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "4")
        await pilot.click("#proposal-add")
        await pilot.press("tab", "tab")
        await type_text(pilot, "Some text without a title")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(pilot.app.screen, FormScreen)
        assert "The proposal title cannot be empty." in screen_text(pilot.app)
        assert svc.proposals() == []


async def test_edit_proposal(svc):
    ids = seed(svc)
    pid = ids["Taxi drivers learn the signs"]
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "4")
        await put_cursor(pilot, TABLE, pid)
        await pilot.press("e")
        form = pilot.app.screen
        assert form.query_one("#field-title", Input).value == "Taxi drivers learn the signs"
        assert form.query_one("#field-step", Select).value == 2
        await pilot.press("tab")
        await pilot.press("ctrl+u")
        await type_text(pilot, "Every taxi driver learns the signs")
        await choose(pilot, "#field-timeframe", "during")
        await pilot.press("ctrl+s")
        await settle(pilot)
        p = svc.proposal(pid)
        assert (p.title, p.step, p.timeframe, p.group_id) == (
            "Every taxi driver learns the signs", 2, "during", svc.resolve_group("Transport").id)
        assert cursor_key(pilot.app, TABLE) == pid
        assert "Every taxi driver learns the signs" in screen_text(pilot.app)


async def test_delete_with_confirmation(svc):
    ids = seed(svc)
    pid = ids["Posters at the central station"]
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "4")
        await put_cursor(pilot, TABLE, pid)
        await pilot.press("d")
        assert isinstance(pilot.app.screen, ConfirmDialog)
        assert f"Delete {pid} 'Posters at the central station'?" in screen_text(pilot.app)
        await pilot.press("escape")
        await settle(pilot)
        assert pid in [p.id for p in svc.proposals()]
        await pilot.press("d")
        await pilot.click("#confirm")
        await settle(pilot)
        assert pid not in [p.id for p in svc.proposals()]
        assert pid not in row_keys(pilot.app, TABLE)
        assert len(row_keys(pilot.app, TABLE)) == 5


async def test_delete_refused_for_proposal_in_a_round(svc):
    ids = seed(svc)
    pid = ids["Indicator card at every reception"]
    svc.open_round(dots=3, proposals=[pid])
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "4")
        await put_cursor(pilot, TABLE, pid)
        await pilot.press("d")
        await pilot.press("y")
        await settle(pilot)
        assert pid in [p.id for p in svc.proposals()]
        assert notices(pilot.app) == [f"{pid} is part of voting round 1; it cannot be deleted."]


async def test_filters_by_group_step_and_timeframe(svc):
    ids = seed(svc)
    by_title = {v: k for k, v in ids.items()}
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "4")
        assert len(row_keys(pilot.app, TABLE)) == 6

        await choose(pilot, "#filter-group", "Hotels")
        shown = row_keys(pilot.app, TABLE)
        assert [by_title[i] for i in shown] == [
            "Indicator card at every reception", "Night receptionist never alone", "Evaluate tips after the cup"]
        assert "3 of 6 shown" in screen_text(pilot.app)

        await choose(pilot, "#filter-step", "Step 2")
        assert [by_title[i] for i in row_keys(pilot.app, TABLE)] == ["Night receptionist never alone"]

        await pilot.press("x")  # clear filters
        await pilot.pause()
        assert len(row_keys(pilot.app, TABLE)) == 6

        await choose(pilot, "#filter-timeframe", "after")
        assert [by_title[i] for i in row_keys(pilot.app, TABLE)] == [
            "Evaluate tips after the cup", "Debrief with the police"]

        # A filter showing nothing says so instead of an empty screen.
        await choose(pilot, "#filter-step", "Step 1")
        assert row_keys(pilot.app, TABLE) == []
        assert "No proposal matches the filters" in screen_text(pilot.app)


async def test_filter_and_cursor_survive_a_proposal_from_another_process(svc):
    ids = seed(svc)
    other = open_session(str(svc.path))
    try:
        async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
            await open_tab(pilot, "4")
            await choose(pilot, "#filter-group", "Transport")
            keep = ids["Posters at the central station"]
            await put_cursor(pilot, TABLE, keep)
            new_t = other.add_proposal("Transport", "Ferry crew briefing", step=1, timeframe="before")
            new_h = other.add_proposal("Hotels", "Hotel staff briefing", step=1, timeframe="before")
            await pilot.pause(0.7)
            await settle(pilot)
            shown = row_keys(pilot.app, TABLE)
            assert new_t.id in shown
            assert new_h.id not in shown  # the Transport filter is still on
            assert pilot.app.screen.query_one("#filter-group", Select).value == svc.resolve_group("Transport").id
            assert cursor_key(pilot.app, TABLE) == keep
            assert "Ferry crew briefing" in screen_text(pilot.app)
    finally:
        other.close()


async def test_merge_and_unmerge(svc):
    ids = seed(svc)
    src, dst = ids["Debrief with the police"], ids["Evaluate tips after the cup"]
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "4")
        await put_cursor(pilot, TABLE, src)
        await pilot.press("m")
        assert isinstance(pilot.app.screen, FormScreen)
        await choose(pilot, "#field-into", dst)
        await pilot.press("ctrl+s")
        await settle(pilot)
        p = svc.proposal(src)
        assert (p.status, p.merged_into) == (ProposalStatus.merged, dst)
        table = pilot.app.screen.query_one(TABLE, DataTable)
        assert table.get_row(src)[-1].plain == f"→ {dst}"
        assert f"Merged into {dst}: Evaluate tips after the cup" in screen_text(pilot.app)

        await pilot.press("u")
        await settle(pilot)
        p = svc.proposal(src)
        assert (p.status, p.merged_into) == (ProposalStatus.proposed, None)


async def test_set_status(svc):
    ids = seed(svc)
    pid = ids["Night receptionist never alone"]
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "4")
        await put_cursor(pilot, TABLE, pid)
        await pilot.press("s")
        await choose(pilot, "#field-status", "adopted")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert svc.proposal(pid).status is ProposalStatus.adopted
        table = pilot.app.screen.query_one(TABLE, DataTable)
        assert table.get_row(pid)[-1].plain == "adopted"


async def test_typed_markup_is_shown_literally(svc):
    g = svc.add_group("Hotels")
    svc.add_proposal(g.id, "[bold red]x[/]", text="[link=http://x]click[/link]", actors=["[i]Police"])
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "4")
        text = screen_text(pilot.app)
        assert "[bold red]x[/]" in text
        assert "[link=http://x]click[/link]" in text
        assert "[i]Police" in text
        await pilot.press("d")
        assert "Delete P1 '[bold red]x[/]'?" in screen_text(pilot.app)


async def test_board_with_a_thousand_proposals(svc):
    groups = [svc.add_group(f"Table {n}").id for n in range(1, 41)]
    for n in range(1, 1001):
        svc.add_proposal(groups[n % 40], f"Proposal number {n}", step=1 + n % 3,
                         timeframe=("before", "during", "after")[n % 3])
    other = open_session(str(svc.path))
    try:
        async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
            await open_tab(pilot, "4")
            assert len(row_keys(pilot.app, TABLE)) == 1000
            await put_cursor(pilot, TABLE, "P3")

            # Another process adds one: it shows up after the poll, the cursor stays put.
            p = other.add_proposal(groups[0], "The newest proposal")
            await pilot.pause(0.7)
            await settle(pilot)
            keys = row_keys(pilot.app, TABLE)
            assert len(keys) == 1001 and keys[-1] == p.id
            assert cursor_key(pilot.app, TABLE) == "P3"

            # A reload of the pane itself picks up the change (speed is in bench/, not here).
            pane = pilot.app.screen.query_one(ProposalsPane)
            q = other.add_proposal(groups[1], "One more")
            await pilot.app.workers.wait_for_complete()
            pane.show(pane.load())
            assert row_keys(pilot.app, TABLE)[-1] == q.id

            await choose(pilot, "#filter-group", "Table 2")
            assert len(row_keys(pilot.app, TABLE)) == 26  # 25 seeded + "One more"
            await pilot.press("x")
            await pilot.pause()
            assert len(row_keys(pilot.app, TABLE)) == 1002
    finally:
        other.close()

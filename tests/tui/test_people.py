"""People tab: groups and participants driven through keys and clicks."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from roundtable.models import Role
from roundtable.service import format_code
from roundtable.tui.app import RoundtableApp
from roundtable.tui.screens.dialogs import ConfirmDialog
from roundtable.tui.screens.forms import FormScreen, ReportDialog

from ._board_helpers import choose, cursor_key, notices, open_tab, put_cursor, row_keys, screen_text, settle, type_text

SIZE = (100, 30)


async def test_group_add_rename_remove(svc):
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "2")
        await pilot.press("g", "a")
        assert isinstance(pilot.app.screen, FormScreen)
        await type_text(pilot, "Table 9")
        await pilot.press("enter")
        await settle(pilot)
        assert [g.name for g in svc.groups()] == ["Table 9"]
        assert row_keys(pilot.app, "#groups-table") == [svc.groups()[0].id]

        # Rename: the form starts with the current name.
        await pilot.press("e")
        field = pilot.app.screen.query_one("#field-name", Input)
        assert field.value == "Table 9"
        await pilot.press("ctrl+u")
        await type_text(pilot, "Hotels & taxis")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [g.name for g in svc.groups()] == ["Hotels & taxis"]
        assert "Hotels & taxis" in screen_text(pilot.app)

        # Remove asks first; Cancel keeps the group.
        await pilot.press("d")
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.click("#cancel")
        await settle(pilot)
        assert len(svc.groups()) == 1
        await pilot.press("d")
        await pilot.click("#confirm")
        await settle(pilot)
        assert svc.groups() == []


async def test_duplicate_group_refused_in_form_keeps_typing(svc):
    svc.add_group("Table 1")
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "2")
        await pilot.click("#group-add")  # the toolbar button does what key a does
        await type_text(pilot, "Table 1")
        await pilot.press("enter")
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, FormScreen), "a refused form must stay open"
        assert "already a group called 'Table 1'" in screen_text(pilot.app)
        assert form.query_one("#field-name", Input).value == "Table 1"
        await pilot.press("escape")
        assert len(svc.groups()) == 1


async def test_add_voting_participant_and_observer(svc):
    svc.add_group("Table 1")
    svc.add_group("Table 2")
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "2")
        await pilot.press("p", "a")
        await type_text(pilot, "Anna Berg")
        await pilot.press("tab")
        await type_text(pilot, "Nordkust Hotels")
        await pilot.press("tab")
        await type_text(pilot, "hotel")
        await choose(pilot, "#field-group", "Table 2")
        await pilot.press("ctrl+s")
        await settle(pilot)
        [anna] = svc.participants()
        assert (anna.name, anna.organisation, anna.sector, anna.role) == (
            "Anna Berg", "Nordkust Hotels", "hotel", Role.participant)
        assert anna.group_id == svc.resolve_group("Table 2").id
        assert len(anna.code) == 8
        assert format_code(anna.code) in screen_text(pilot.app)  # codes are shown on the console, as ABCD-EFGH

        await pilot.press("a")
        await type_text(pilot, "Olle Observer")
        await choose(pilot, "#field-role", "observer")
        await pilot.press("ctrl+s")
        await settle(pilot)
        olle = next(p for p in svc.participants() if p.name == "Olle Observer")
        assert olle.role is Role.observer
        assert olle.code is None
        assert "observer" in screen_text(pilot.app)
        assert "2, 1 voting" in screen_text(pilot.app)


async def test_edit_remove_and_reissue_participant(svc):
    svc.add_group("Table 1")
    anna = svc.add_participant("Anna Berg", organisation="Nordkust Hotels", group="Table 1")
    bo = svc.add_participant("Bo Ek", organisation="Taxi Måsen")
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "2")
        await put_cursor(pilot, "#participants-table", bo.id)
        await pilot.press("e")
        form = pilot.app.screen
        assert form.query_one("#field-name", Input).value == "Bo Ek"
        await pilot.press("tab")
        await pilot.press("ctrl+u")
        await type_text(pilot, "Taxi Väst")
        await choose(pilot, "#field-role", "facilitator")
        await pilot.press("ctrl+s")
        await settle(pilot)
        bo2 = svc.participant(bo.id)
        assert (bo2.organisation, bo2.role, bo2.code) == ("Taxi Väst", Role.facilitator, None)
        assert cursor_key(pilot.app, "#participants-table") == bo.id  # the cursor stayed on Bo

        # A new code for Anna: confirmation first, then the old code is gone.
        await put_cursor(pilot, "#participants-table", anna.id)
        await pilot.press("c")
        assert isinstance(pilot.app.screen, ConfirmDialog)
        assert format_code(anna.code) in screen_text(pilot.app)
        await pilot.click("#confirm")
        await settle(pilot)
        new_code = svc.participant(anna.id).code
        assert new_code and new_code != anna.code
        assert format_code(new_code) in screen_text(pilot.app)

        # Remove: cancel keeps Anna, confirm removes her.
        await pilot.press("d")
        await pilot.press("escape")
        await settle(pilot)
        assert len(svc.participants()) == 2
        await pilot.press("d")
        await pilot.click("#confirm")
        await settle(pilot)
        assert [p.id for p in svc.participants()] == [bo.id]


async def test_refusal_is_one_sentence_and_keeps_data(svc):
    g = svc.add_group("Table 1")
    svc.add_proposal(g.id, "Indicator card at every reception")
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "2")
        await pilot.press("g", "d")
        await pilot.click("#confirm")
        await settle(pilot)
        assert [x.id for x in svc.groups()] == [g.id]
        assert notices(pilot.app) == [
            "Group 'Table 1' has 1 proposal(s); delete or move them before removing the group."
        ]
        assert "Traceback" not in screen_text(pilot.app)


async def test_csv_import_report_lists_bad_rows(svc, tmp_path):
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "name,organisation,sector,group\n"
        "Anna Berg,Nordkust Hotels,hotel,Table 1\n"
        ",Nobody Inc,hotel,Table 1\n"
        "Bo Ek,Taxi Måsen,taxi,Table 2\n"
        "Cecilia Holm,Police,police,Table 1,extra\n",
        encoding="utf-8",
    )
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "2")
        # A path that does not exist: one sentence in the form, which stays open.
        await pilot.press("i")
        await type_text(pilot, str(tmp_path / "missing.csv"))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, FormScreen)
        assert "Cannot read" in screen_text(pilot.app)
        await pilot.press("ctrl+u")
        await type_text(pilot, str(csv_file))
        await pilot.press("enter")
        await settle(pilot)
        report = pilot.app.screen
        assert isinstance(report, ReportDialog)
        text = screen_text(pilot.app)
        assert "Added 2 participants" in text
        assert "Created 2 group(s)" in text
        assert "row 3: no name" in text
        assert "row 5 (Cecilia Holm): has 5 columns" in text
        await pilot.press("escape")
        await settle(pilot)
        assert sorted(p.name for p in svc.participants()) == ["Anna Berg", "Bo Ek"]
        assert sorted(g.name for g in svc.groups()) == ["Table 1", "Table 2"]
        assert "Bo Ek" in screen_text(pilot.app)


async def test_typed_text_is_shown_literally(svc):
    svc.add_group("[red]Table[/red]")
    svc.add_participant("[b]Eve[/b]", organisation="[i]Org", group="[red]Table[/red]")
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "2")
        text = screen_text(pilot.app)
        assert "[b]Eve[/b]" in text
        assert "[i]Org" in text
        assert "[red]Table[/red]" in text
        # ...and in the form and its confirmation too.
        await pilot.press("d")
        assert "Remove [b]Eve[/b] ([i]Org) from the session?" in screen_text(pilot.app)


def scribe_cell(app, pid: str) -> str:
    return str(app.screen.query_one("#participants-table", DataTable).get_row(pid)[1])


async def test_toggle_scribe_with_key_and_button(svc):
    svc.add_group("Table 1")
    anna = svc.add_participant("Anna Berg", organisation="Nordkust Hotels", group="Table 1")
    bo = svc.add_participant("Bo Ek", organisation="Taxi Måsen")  # in no group
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "2")
        await put_cursor(pilot, "#participants-table", anna.id)
        assert scribe_cell(pilot.app, anna.id) == ""
        await pilot.press("s")
        await settle(pilot)
        assert svc.participant(anna.id).scribe
        assert scribe_cell(pilot.app, anna.id) == "✎"
        assert "1 scribe ✎" in screen_text(pilot.app)
        assert cursor_key(pilot.app, "#participants-table") == anna.id
        # The toolbar button toggles it back.
        await pilot.click("#participant-scribe")
        await settle(pilot)
        assert not svc.participant(anna.id).scribe
        assert scribe_cell(pilot.app, anna.id) == ""
        # Someone outside every group cannot be a scribe: one sentence, nothing changes.
        await put_cursor(pilot, "#participants-table", bo.id)
        await pilot.press("s")
        await settle(pilot)
        assert not svc.participant(bo.id).scribe
        assert any("not in a group" in n for n in notices(pilot.app))


async def test_revoke_code_asks_first_and_shows_revoked(svc):
    svc.add_group("Table 1")
    anna = svc.add_participant("Anna Berg", organisation="Nordkust Hotels", group="Table 1")
    olle = svc.add_participant("Olle Observer", role="observer")
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "2")
        await put_cursor(pilot, "#participants-table", anna.id)
        await pilot.press("r")
        assert isinstance(pilot.app.screen, ConfirmDialog)
        assert format_code(anna.code) in screen_text(pilot.app)
        await pilot.press("escape")  # cancel keeps the code
        await settle(pilot)
        assert svc.participant(anna.id).code == anna.code
        await pilot.press("r")
        await pilot.click("#confirm")
        await settle(pilot)
        assert svc.participant(anna.id).code is None
        text = screen_text(pilot.app)
        assert "revoked" in text
        assert format_code(anna.code) not in text
        assert "1 code revoked" in text
        # Revoking again is refused with a hint; an observer has no code to revoke.
        await pilot.press("r")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, ConfirmDialog)
        assert any("already revoked" in n for n in notices(pilot.app))
        await put_cursor(pilot, "#participants-table", olle.id)
        await pilot.click("#participant-revoke")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, ConfirmDialog)
        assert any("Olle Observer is an observer and has no voting code." == n for n in notices(pilot.app))
        # A new code for Anna ends the revocation.
        await put_cursor(pilot, "#participants-table", anna.id)
        await pilot.press("c")
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        new = svc.participant(anna.id).code
        assert new and new != anna.code
        assert format_code(new) in screen_text(pilot.app)
        assert "revoked" not in screen_text(pilot.app)

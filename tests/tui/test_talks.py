"""Talks tab: speaker, organisation and key points through the form."""

from __future__ import annotations

from textual.widgets import Input, TextArea

from roundtable.tui.app import RoundtableApp
from roundtable.tui.screens.forms import FormScreen

from ._board_helpers import cursor_key, open_tab, put_cursor, row_keys, screen_text, settle, type_text

SIZE = (100, 30)


async def test_talks_listed_from_scenario(svc):
    talks = svc.talks()
    assert talks, "the bundled scenario plans talks"
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "3")
        assert row_keys(pilot.app, "#talks-table") == [t.id for t in talks]
        text = screen_text(pilot.app)
        assert talks[0].organisation[:20] in text
        assert f"Talks ({len(talks)})" in text


async def test_edit_speaker_and_key_points(svc):
    talk = svc.talks()[1]
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "3")
        await put_cursor(pilot, "#talks-table", talk.id)
        await pilot.press("enter")  # Enter on a talk edits it
        form = pilot.app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-title", Input).value == talk.title
        # The form opens on the key points, what it is mostly opened for.
        assert isinstance(pilot.app.focused, TextArea)
        await type_text(pilot, "Tip 114 14, or 112 when someone is in danger")
        await pilot.press("enter")
        await type_text(pilot, "- Note what you saw")
        await pilot.press("enter", "enter")
        await type_text(pilot, "Do not confront")
        await pilot.click("#field-speaker")
        await pilot.press("end", "ctrl+u")
        await type_text(pilot, "Inspector Lena Ek")
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = next(t for t in svc.talks() if t.id == talk.id)
        assert saved.speaker == "Inspector Lena Ek"
        assert saved.organisation == talk.organisation
        assert saved.key_points == [
            "Tip 114 14, or 112 when someone is in danger", "Note what you saw", "Do not confront",
        ]
        assert cursor_key(pilot.app, "#talks-table") == talk.id
        text = screen_text(pilot.app)
        assert "• Note what you saw" in text

        # Editing again shows the points one per line.
        await pilot.press("e")
        area = pilot.app.screen.query_one("#field-key_points", TextArea)
        assert area.text.splitlines() == saved.key_points


async def test_add_talk_and_refusal(svc):
    before = len(svc.talks())
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "3")
        await pilot.click("#talk-add")
        # No title: refused in one sentence, the form stays open with what was typed.
        await pilot.press("tab")
        await type_text(pilot, "Hotel security manager")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(pilot.app.screen, FormScreen)
        assert "talk title" in screen_text(pilot.app).lower()
        assert len(svc.talks()) == before
        await pilot.press("shift+tab")
        await type_text(pilot, "[b]Our hotel policy[/b]")
        await pilot.press("tab", "tab", "tab")
        await type_text(pilot, "Guests are told about the policy at check-in")
        await pilot.press("ctrl+s")
        await settle(pilot)
        talks = svc.talks()
        assert len(talks) == before + 1
        new = talks[-1]
        assert (new.title, new.speaker, new.key_points) == (
            "[b]Our hotel policy[/b]", "Hotel security manager", ["Guests are told about the policy at check-in"]
        )
        assert "[b]Our hotel policy[/b]" in screen_text(pilot.app)

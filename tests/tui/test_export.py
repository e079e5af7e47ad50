"""Pilot tests of the export pane: preview and write the minutes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.widgets import ContentSwitcher, Input, TextArea

from roundtable.minutes import load_minutes_file
from roundtable.tui.app import RoundtableApp
from roundtable.tui.widgets.export import ExportPane, output_path

from ._voting_helpers import screen_text, seed_proposals, seed_voters, settle

SIZE = (100, 30)


async def _to_export(pilot) -> ExportPane:
    await settle(pilot)
    await pilot.press("7")
    await settle(pilot)
    return pilot.app.screen.query_one(ExportPane)


def _full_session(svc):
    ids = seed_proposals(svc, ["[bold red]x[/]", "Taxi drivers learn the signs", "Tell visitors the law"])
    voters = seed_voters(svc)
    svc.open_round(dots=5, max_per_proposal=3)
    svc.cast_ballot(voters[0].code, {ids[0]: 3, ids[1]: 2})
    svc.cast_ballot(voters[1].code, {ids[1]: 3, ids[2]: 2})
    svc.close_round()
    svc.add_decision("Every hotel briefs its night staff", proposal=ids[0])
    svc.add_action("Send the indicator card", owner="Hotel Skeppet", due="2026-05-15")
    svc.add_evaluation_note("worked", "Mixed tables")
    svc.add_evaluation_note("improve", "Invite the port earlier")
    return ids


async def test_write_toml_and_markdown_into_a_folder(svc, tmp_path):
    ids = _full_session(svc)
    out = tmp_path / "minutes-out"
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await _to_export(pilot)
        await pilot.click("#export-output")
        await pilot.press(*f"{out}/")
        await pilot.press("tab")  # leave the field so t/m reach the pane
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        toml_file = out / f"{svc.id}.minutes.toml"
        md_file = out / f"{svc.id}.minutes.md"
        assert toml_file.is_file() and md_file.is_file()
        assert "Markdown minutes written to" in screen_text(pilot.app)
    minutes = load_minutes_file(toml_file)
    assert [p.id for p in minutes.proposals] == ids
    assert [(r.proposal, r.points, r.rank) for r in minutes.rounds[0].results] == [
        (ids[1], 5, 1), (ids[0], 3, 2), (ids[2], 2, 3),
    ]
    assert minutes.decisions[0].text == "Every hotel briefs its night staff"
    assert minutes.actions[0].owner == "Hotel Skeppet"
    md = md_file.read_text(encoding="utf-8")
    assert "## Vote: round 1" in md and "Invite the port earlier" in md


async def test_default_output_is_beside_the_session_file(svc):
    _full_session(svc)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await _to_export(pilot)
        await pilot.click("#export-toml")  # by mouse
        await settle(pilot)
    written = svc.path.with_name(f"{svc.id}.minutes.toml")
    assert written.is_file()
    assert load_minutes_file(written).session.id == svc.id


async def test_unwritable_folder_is_one_sentence(svc, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        pane = await _to_export(pilot)
        await pilot.click("#export-output")
        await pilot.press(*f"{blocker}/sub/")
        await pilot.press("enter")  # Enter writes the previewed format (Markdown)
        await settle(pilot)
        text = screen_text(pilot.app)
        assert "Cannot write to" in text
        assert "Traceback" not in text
        assert pane.query_one("#export-output", Input).value == f"{blocker}/sub/", "nothing typed is lost"
    assert not (blocker.parent / "sub").exists()


async def test_preview_shows_minutes_and_toggles_to_toml(svc):
    _full_session(svc)
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        pane = await _to_export(pilot)
        text = screen_text(pilot.app)
        assert "Test round table" in text and "Preview of the minutes (Markdown)" in text
        await pilot.press("v")
        await settle(pilot)
        assert pane.query_one("#export-preview", ContentSwitcher).current == "preview-toml"
        toml_text = pane.query_one("#preview-toml", TextArea).text
        assert 'schema = "roundtable.minutes/1"' in toml_text
        assert 'schema = "roundtable.minutes/1"' in screen_text(pilot.app)
        # Changes made elsewhere show up in the preview.
        svc.add_decision("Decided after the preview opened")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "Decided after the preview opened" in pane.query_one("#preview-toml", TextArea).text


async def test_typed_title_is_literal_in_the_preview(svc):
    seed_proposals(svc, ["[bold red]x[/]"])
    async with RoundtableApp(session=svc).run_test(size=(120, 60)) as pilot:
        pane = await _to_export(pilot)
        scroll = pane.query_one("#preview-md-scroll")
        scroll.scroll_end(animate=False)
        await settle(pilot)
        text = screen_text(pilot.app)
        assert "[bold red]x[/]" in text


@pytest.mark.parametrize(
    "typed, fmt, expected",
    [
        ("", "toml", None),
        ("out/", "toml", "out/S.minutes.toml"),
        ("out", "md", "out/S.minutes.md"),
        ("m.toml", "md", "m.md"),
        ("m.md", "toml", "m.toml"),
        ("m.txt", "md", "m.txt"),
    ],
)
def test_output_path(typed, fmt, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    got = output_path(typed, fmt, "S")
    assert (None if got is None else str(got)) == (None if expected is None else str(Path(expected)))

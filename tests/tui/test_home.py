"""Home screen, new-session form, open-scenario-file and help: driven through Pilot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Select, Static

from roundtable.scenarios import resolve_scenario, validate_files
from roundtable.service import create_session, list_sessions
from roundtable.tui.app import RoundtableApp
from roundtable.tui.screens.dialogs import ProblemsDialog
from roundtable.tui.screens.help import HelpScreen
from roundtable.tui.screens.home import HomeScreen
from roundtable.tui.screens.new_session import NewSessionForm
from roundtable.tui.screens.session import TABS, SessionScreen
from roundtable.tui.widgets.console import ConsolePane

from ._board_helpers import screen_text, settle

ROOT = Path(__file__).resolve().parents[2]
BAD_SCENARIO = 'schema = "roundtable.scenario/1"\nid = "broken"\ntitle = "Broken"\n'




def option_texts(app, selector: str) -> list[str]:
    ol = app.screen.query_one(selector, OptionList)
    return [str(ol.get_option_at_index(i).prompt) for i in range(ol.option_count)]


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    """An empty current folder, so ./scenarios holds only what a test puts there."""
    d = tmp_path / "work"
    d.mkdir()
    monkeypatch.chdir(d)
    return d


def make_sessions(sessions_dir: Path) -> list:
    loaded = resolve_scenario("gothenburg-en")
    older = create_session(loaded, title="Older session", date="2026-04-01", sessions_dir=sessions_dir)
    newer = create_session(loaded, variant="short", title="[bold red]x[/]", date="2026-05-11", sessions_dir=sessions_dir)
    for n, s in enumerate((older, newer)):
        s.close()
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(s.path) + suffix)
            if p.exists():
                os.utime(p, (1_700_000_000 + n * 1000, 1_700_000_000 + n * 1000))
    (sessions_dir / "garbage.sqlite").write_bytes(b"this is not a database at all" * 10)
    os.utime(sessions_dir / "garbage.sqlite", (1_600_000_000, 1_600_000_000))
    return [older, newer]


async def test_recent_sessions_most_recent_first_and_unreadable_listed(sessions_dir, workdir):
    older, newer = make_sessions(sessions_dir)
    app = RoundtableApp(sessions_dir=sessions_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        texts = option_texts(app, "#sessions")
        assert len(texts) == 3
        assert "[bold red]x[/]" in texts[0]  # newest first, title shown literally
        assert "Older session" in texts[1]
        assert "garbage" in texts[2] and "unreadable" in texts[2]
        assert "[bold red]x[/]" in screen_text(app)

        # Enter on the unreadable one: an error, still on the home screen.
        sessions = app.screen.query_one("#sessions", OptionList)
        sessions.focus()
        sessions.highlighted = 2
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)

        # Enter on the newest opens it.
        sessions.highlighted = 0
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.svc.id == newer.id
        assert "[bold red]x[/]" in screen_text(app)


async def test_click_opens_a_session(sessions_dir, workdir):
    older, _ = make_sessions(sessions_dir)
    app = RoundtableApp(sessions_dir=sessions_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        ol = app.screen.query_one("#sessions", OptionList)
        # second line of the list is the older session (one line each at this width)
        await pilot.click(ol, offset=(4, 2))
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.svc.id == older.id


async def test_new_session_through_the_form(sessions_dir, workdir):
    app = RoundtableApp(sessions_dir=sessions_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "No sessions yet" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, NewSessionForm)
        assert form.query_one("#new-scenario", Select).value.endswith("gothenburg-en.toml")
        form.query_one("#new-variant", Select).value = "short"
        await pilot.pause()
        await pilot.press(*"[bold]Workshop[/]")
        form.query_one("#new-date", Input).value = "2026-05-11"
        form.query_one("#new-venue", Input).value = "Hotel Nordkust"
        form.query_one("#new-facilitator", Input).value = "Anna"
        await pilot.click("#create")
        await settle(pilot)
        assert isinstance(app.screen, SessionScreen)
        listed = list_sessions(sessions_dir)
        assert len(listed) == 1 and listed[0].title == "[bold]Workshop[/]"
        info = app.screen.svc.info()
        assert (info.variant, str(info.date), info.venue, info.facilitator) == ("short", "2026-05-11", "Hotel Nordkust", "Anna")
        assert len(app.screen.svc.agenda()) == len(app.screen.svc.scenario.variant("short").blocks)


async def test_new_session_bad_date_is_one_sentence_and_creates_nothing(sessions_dir, workdir):
    app = RoundtableApp(sessions_dir=sessions_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.click("#btn-new")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, NewSessionForm)
        form.query_one("#new-date", Input).value = "2026-13-45"
        form.query_one("#new-date", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NewSessionForm)
        error = str(form.query_one("#new-error", Static).render())
        assert "2026-13-45" in error and "YYYY-MM-DD" in error
        assert "Traceback" not in screen_text(app)
        assert list_sessions(sessions_dir) == []
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert list_sessions(sessions_dir) == []


async def test_variant_choices_follow_the_scenario(sessions_dir, workdir):
    (workdir / "scenarios").mkdir()
    (workdir / "scenarios" / "mini.toml").write_text((ROOT / "tests" / "data" / "mini.toml").read_text())
    mini = resolve_scenario(str(workdir / "scenarios" / "mini.toml")).scenario
    app = RoundtableApp(sessions_dir=sessions_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        texts = option_texts(app, "#scenarios")
        assert any(t.startswith("mini") and "scenarios/" in t for t in texts)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        variant = form.query_one("#new-variant", Select)
        assert variant.value == "full"
        form.query_one("#new-scenario", Select).value = str(workdir / "scenarios" / "mini.toml")
        await pilot.pause()
        assert variant.value == mini.variants[0].id
        shown = [str(p) for p, _ in variant._options if p is not None]
        h, m = divmod(mini.variants[0].total_minutes, 60)
        assert any(f"{h} h {m:02d} min" in s for s in shown)
        await pilot.click("#create")
        await settle(pilot)
        assert app.screen.svc.scenario.id == "mini"


async def test_invalid_library_scenario_shows_every_problem(sessions_dir, workdir):
    (workdir / "scenarios").mkdir()
    bad = workdir / "scenarios" / "broken.toml"
    bad.write_text(BAD_SCENARIO)
    expected = [str(p) for p in validate_files([str(bad)])]
    assert len(expected) > 1
    app = RoundtableApp(sessions_dir=sessions_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        texts = option_texts(app, "#scenarios")
        index = next(i for i, t in enumerate(texts) if "broken.toml" in t)
        assert "INVALID" in texts[index]
        lib = app.screen.query_one("#scenarios", OptionList)
        lib.focus()
        lib.highlighted = index
        await pilot.pause()
        assert "not a valid scenario" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ProblemsDialog)
        shown = [str(s.render()) for s in dialog.query(".problem")]
        assert shown == [str(p) for p in validate_files([str(bad)])]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_open_scenario_file_validates_then_adds_it(sessions_dir, workdir):
    bad = workdir / "bad.toml"
    bad.write_text("this is = = not toml")
    good = workdir / "elsewhere" / "mini.toml"
    good.parent.mkdir()
    good.write_text((ROOT / "tests" / "data" / "mini.toml").read_text())
    app = RoundtableApp(sessions_dir=sessions_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        await pilot.press(*"bad.toml", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsDialog)
        shown = [str(s.render()) for s in app.screen.query(".problem")]
        assert shown == [str(p) for p in validate_files(["bad.toml"])] and "TOML syntax error" in shown[0]
        await pilot.press("escape")
        await pilot.pause()

        await pilot.click("#btn-open-file")
        await pilot.pause()
        await pilot.press(*"elsewhere/mini.toml", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        texts = option_texts(app, "#scenarios")
        lib = app.screen.query_one("#scenarios", OptionList)
        assert texts[lib.highlighted].startswith("mini") and "file" in texts[lib.highlighted]
        assert "Testfest 2030" in screen_text(app)  # the preview of the file
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NewSessionForm)
        assert app.screen.query_one("#new-scenario", Select).value == str(Path("elsewhere/mini.toml"))


async def test_preview_follows_the_highlighted_scenario(sessions_dir, workdir):
    app = RoundtableApp(sessions_dir=sessions_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        lib = app.screen.query_one("#scenarios", OptionList)
        lib.focus()
        texts = option_texts(app, "#scenarios")
        for target in ("gothenburg-sv", "gothenburg-en"):
            lib.highlighted = next(i for i, t in enumerate(texts) if t.startswith(target))
            await pilot.pause()
            await pilot.pause()
            title = resolve_scenario(target).scenario.title
            assert title.split(" – ")[0] in screen_text(app)
            assert f"`{target}`" in app.screen.query_one("#scenario-preview")._markdown


async def test_help_lists_the_keys_of_every_screen(sessions_dir, workdir, svc):
    app = RoundtableApp(sessions_dir=sessions_dir, session=svc)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(str(s.render()) for s in app.screen.query(".help-section"))
        for needle in ("f1", "Help", "^q", "Quit", "^p", "Command palette", "New session"):
            assert needle in text
        for _tab, label, pane, key in TABS:
            assert f"Tab {key} · {label}" in text
        for b in ConsolePane.BINDINGS:
            assert b.description in text
        assert "x / n" in text and "e / +" in text
        # sections read as words, not class names
        assert "Tab 2 · People · Groups table" in text and "GroupsTable" not in text
        assert "Home · Open scenario dialog: asks for the path" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)

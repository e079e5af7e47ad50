"""Helpers for the people, talks and proposals TUI tests: drive forms like a person."""

from __future__ import annotations

import time

from textual.widgets import DataTable, Select

from roundtable.tui.app import RoundtableApp


def screen_text(app: RoundtableApp) -> str:
    """Everything visible on the current screen, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def settle(pilot) -> None:
    """Let loads in thread workers finish and their results reach the screen."""
    for _ in range(2):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    # a short real wait lets timers and idle-time repaints run on a busy machine
    await pilot.pause(0.02)


async def wait_for(pilot, predicate, limit: float = 2.0, poll: float = 0.05) -> float:
    """Seconds until predicate() held (checked every `poll` s); fails after `limit` s."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > limit:
            raise AssertionError(f"not shown within {limit} s:\n{screen_text(pilot.app)}")
        await pilot.pause(poll)
    return time.monotonic() - start


async def shown(pilot, *needles: str, limit: float = 2.0) -> str:
    """The screen once every needle is on it (panes reload in workers); fails after `limit` s."""
    await wait_for(pilot, lambda: all(n in screen_text(pilot.app) for n in needles), limit)
    return screen_text(pilot.app)


async def open_tab(pilot, key: str) -> None:
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)


async def type_text(pilot, text: str) -> None:
    """Type text key by key into whatever has focus."""
    await pilot.press(*text)


async def choose(pilot, selector: str, label: str) -> None:
    """Open a Select by clicking it, type to search for `label`, press Enter."""
    select = pilot.app.screen.query_one(selector, Select)
    await pilot.click(selector)
    await pilot.pause()
    assert select.expanded, f"{selector} did not open"
    await pilot.press(*label)
    await pilot.press("enter")
    await pilot.pause()


def row_keys(app: RoundtableApp, selector: str) -> list[str]:
    table = app.screen.query_one(selector, DataTable)
    return [key.value for key in table.rows]


def cursor_key(app: RoundtableApp, selector: str) -> str | None:
    table = app.screen.query_one(selector, DataTable)
    if not table.row_count:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value


async def put_cursor(pilot, selector: str, key: str) -> None:
    """Move a table's cursor to a row with the arrow keys (the table gets focus first)."""
    table = pilot.app.screen.query_one(selector, DataTable)
    table.focus()
    await pilot.pause()
    target = row_keys(pilot.app, selector).index(key)
    while table.cursor_row < target:
        await pilot.press("down")
    while table.cursor_row > target:
        await pilot.press("up")
    await pilot.pause()
    assert cursor_key(pilot.app, selector) == key


def notices(app: RoundtableApp) -> list[str]:
    """Messages of the notifications currently shown (toasts wrap, so read them here)."""
    return [n.message for n in app._notifications]

"""The facilitator's screen while participants work from their own devices.

Changes committed by another connection to the session file (the participant server,
the CLI) reach the facilitator's board quickly, and only the panes that show a changed
area re-read the store. The console's joining panel shows the join code, the address
`roundtable serve` announced and its QR code.
"""

from __future__ import annotations

import time

from textual.widgets import Static, TabbedContent

from roundtable.qr import qr_lines
from roundtable.service import open_session
from roundtable.tui.app import RoundtableApp
from roundtable.tui.screens.dialogs import ConfirmDialog
from roundtable.tui.screens.session import POLL_SECONDS, SessionScreen, panes_for
from roundtable.tui.widgets.base import SessionPane

from ._board_helpers import notices, open_tab, row_keys, screen_text, settle, wait_for

SIZE = (100, 30)


def _static_text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def _wait_for(pilot, condition, timeout: float = 3.0) -> float:
    """Seconds until `condition()` holds (polling every 10 ms); fails after `timeout`."""
    return await wait_for(pilot, condition, timeout, poll=0.01)


async def test_proposal_from_another_connection_reaches_the_board_within_half_a_second(svc):
    table = svc.add_group("Table 1")
    other = open_session(str(svc.path))  # e.g. the participant server, in another process
    try:
        async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
            await open_tab(pilot, "4")
            delays = []
            for n in range(3):
                await pilot.pause(0.1 * n)  # land at different points of the poll cycle
                start = time.perf_counter()
                p = other.add_proposal(table.id, f"Scribe's proposal {n + 1}", step=1, timeframe="before")
                await _wait_for(pilot, lambda: p.id in row_keys(pilot.app, "#proposals-table"))
                delays.append(time.perf_counter() - start)
            assert POLL_SECONDS <= 0.25
            assert max(delays) < 0.5, f"board updated after {[round(d, 3) for d in delays]} s"
            assert "Scribe's proposal 3" in screen_text(pilot.app)
    finally:
        other.close()


async def test_only_panes_showing_a_changed_area_reload(svc, monkeypatch):
    g = svc.add_group("Table 1")
    other = open_session(str(svc.path))
    reloads: list[str] = []
    original = SessionPane.reload

    def counting(self) -> None:
        reloads.append((self.id or "").removeprefix("pane-"))
        original(self)

    monkeypatch.setattr(SessionPane, "reload", counting)
    try:
        async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
            await open_tab(pilot, "4")  # the proposals board is showing
            await pilot.pause(2 * POLL_SECONDS)
            reloads.clear()
            other.add_proposal(g.id, "From a table", step=1, timeframe="before")
            await _wait_for(pilot, lambda: "proposals" in reloads)
            await pilot.pause(2 * POLL_SECONDS)
            await settle(pilot)
            # The console (agenda, timer) did not re-read anything for a proposal.
            assert "console" not in reloads
            assert set(reloads) == {"proposals"}
            screen = pilot.app.screen
            assert isinstance(screen, SessionScreen)
            # Hidden panes that show proposals are stale; People is not.
            assert {"voting", "outcomes", "export"} <= screen._stale
            reloads.clear()
            other.add_participant("Dana Diaz", group=g.id)
            await _wait_for(pilot, lambda: "proposals" in reloads)  # group sizes and names show here too
            await pilot.pause(2 * POLL_SECONDS)
            assert "console" not in reloads
            assert "people" in screen._stale
            # Starting the timer elsewhere is a session change: the console reloads at once.
            reloads.clear()
            other.start_timer()
            await _wait_for(pilot, lambda: "console" in reloads)
            assert "proposals" not in reloads
    finally:
        other.close()


def test_area_map():
    assert panes_for(set()) == []
    assert panes_for({"proposals"}) == ["proposals", "voting", "outcomes", "export"]
    assert panes_for({"people"}) == ["people", "proposals", "export"]
    assert panes_for({"ballots"}) == ["voting", "export"]
    assert panes_for({"session"}) == ["console", "export"]
    assert panes_for({"injects", "rounds"}) == ["console", "voting", "export"]
    assert panes_for({"talks"}) == ["talks", "export"]
    assert panes_for({"outcomes"}) == ["outcomes", "export"]


async def test_joining_panel_shows_code_then_address_and_qr_once_served(svc):
    other = open_session(str(svc.path))
    try:
        async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
            await open_tab(pilot, "1")
            app = pilot.app
            code = svc.join_code()
            assert f"Join code {code}" in screen_text(app)  # always on the console
            assert "not served yet" in screen_text(app)
            # j opens the Join tab: not served yet, so it says how to serve the session.
            await pilot.press("j")
            await settle(pilot)
            tabs = app.screen.query_one("#phase-tabs", TabbedContent)
            assert tabs.active == "ph-join"
            text = screen_text(app)
            assert code in text
            assert f"roundtable serve {svc.id}" in text
            assert not app.screen.query_one("#join-qr", Static).display

            # `roundtable serve` (another connection) announces its address.
            url = "http://192.168.1.23:8765/"
            other.set_join_url(url)
            await _wait_for(pilot, lambda: url in screen_text(app))
            await settle(pilot)
            text = screen_text(app)
            assert "roundtable serve" not in text
            qr = app.screen.query_one("#join-qr", Static)
            assert qr.display
            assert _static_text(app, "#join-qr").splitlines() == qr_lines(url)
            assert qr_lines(url)[1] in text  # the QR code is really on screen

            # j again: back to the phase; the code stays on the console line.
            await pilot.press("j")
            await settle(pilot)
            assert tabs.active == "ph-phase"
            assert f"Join code {code}" in screen_text(app)
            assert "j: address and QR" in screen_text(app)
    finally:
        other.close()


async def test_new_join_code_asks_first(svc):
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await open_tab(pilot, "1")
        app = pilot.app
        old = svc.join_code()
        await pilot.press("J")
        assert isinstance(app.screen, ConfirmDialog)
        assert old in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert svc.join_code() == old
        # The button in the Join tab does the same.
        await pilot.press("j")
        await settle(pilot)
        await pilot.click("#btn-join-code")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        new = svc.join_code()
        assert new != old
        assert any(new in n for n in notices(app))
        assert f"Join code {new}" in _static_text(app, "#join-line")
        assert old not in _static_text(app, "#join-info")


async def test_palette_offers_the_new_commands(svc):
    async with RoundtableApp(session=svc).run_test(size=SIZE) as pilot:
        await settle(pilot)
        from roundtable.tui.commands import RoundtableCommands

        titles = [title for title, *_ in RoundtableCommands(pilot.app.screen).commands()]
        for wanted in (
            "Scribe: toggle for the selected participant",
            "Revoke the selected participant's voting code",
            "New voting code for the selected participant",
            "Reveal the round's results",
            "Joining: show the join code, address and QR code",
            "Issue a new join code",
        ):
            assert wanted in titles


async def test_help_lists_the_new_keys(svc):
    async with RoundtableApp(session=svc).run_test(size=(100, 60)) as pilot:
        await settle(pilot)
        from roundtable.tui.screens.help import help_sections

        described = {
            (b.key, b.description) for _title, bindings in help_sections(pilot.app) for b in bindings
        }
        for wanted in (("s", "Scribe"), ("r", "Revoke code"), ("r", "Reveal results"), ("j", "Join/QR"),
                       ("J", "New join code")):
            assert wanted in described

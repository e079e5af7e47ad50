"""The projector's Textual app (`roundtable present SESSION`, or served to a browser)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import ContentSwitcher, Digits, Static

from ...participant import ProjectorView, RevealedInject
from .room import Room, auto_mode, load_room
from .widgets import (
    KIND_LABELS, BlockPanel, GalleryPanel, GroupWorkPanel, JoinPanel, ResultsPanel, VotingPanel, mmss,
)

CSS = Path(__file__).parent / "projector.tcss"
POLL_SECONDS = 0.25

PANELS = {
    "loading": "panel-block",
    "ended": "panel-block",
    "block": "panel-block",
    "join": "panel-join",
    "voting": "panel-voting",
    "results": "panel-results",
    "group": "panel-group",
    "gallery": "panel-gallery",
}


class ProjectorApp(App):
    """Read-only big-screen view of one session; holds only a `ProjectorView`."""

    TITLE = "roundtable projector"
    CSS_PATH = CSS
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("j", "toggle_join", "Join panel"),
        Binding("q", "quit", "Quit"),
        Binding("ctrl+q", "quit", "Quit", priority=True, show=False),
    ]

    def __init__(
        self, view: ProjectorView, *, poll_seconds: float = POLL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.view = view
        self.poll_seconds = poll_seconds
        self.clock = clock  # local clock for the countdown between reads (tests fix it)
        self.room = Room()
        self.mode = "loading"
        self.join_forced: bool | None = None  # set by `j` until the agenda moves on
        self._token: tuple[int, int] | None = None
        self._revisions: dict[str, int] = {}
        self._polling = False
        self._problem = ""
        self._block_pos: int | None | str = "unset"

    # -- layout ----------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            with Vertical(id="top-left"):
                yield Static("", id="session-title")
                yield Static("", id="block-line")
                yield Static("", id="block-title")
                yield Static("", id="next-line")
            with Vertical(id="top-right"):
                yield Digits("--:--", id="timer")
                yield Static("", id="timer-status")
        with ContentSwitcher(id="panels", initial="panel-block"):
            yield BlockPanel(id="panel-block")
            yield JoinPanel(id="panel-join")
            yield GroupWorkPanel(id="panel-group")
            yield GalleryPanel(id="panel-gallery")
            yield VotingPanel(id="panel-voting")
            yield ResultsPanel(id="panel-results")

    def on_mount(self) -> None:
        self.query_one(BlockPanel).show("", "Loading…")
        self.set_interval(self.poll_seconds, self._heartbeat)
        self._start_poll()

    # -- polling -----------------------------------------------------------------
    def _live(self) -> bool:
        """False once the app is closing (its widgets may already be gone)."""
        return self.is_running and not self._exit and not self._closing

    def _heartbeat(self) -> None:
        if not self._live():
            return
        self._show_timer()
        self._start_poll()

    def _start_poll(self) -> None:
        if not self._polling:
            self._polling = True  # set here, on the UI thread, so polls never overlap
            self._poll()

    @work(thread=True, group="projector-poll", exit_on_error=False)
    def _poll(self) -> None:
        """Re-read the areas that changed since the last look (worker thread)."""
        try:
            token = self.view.change_token()
            if token == self._token:
                return
            revisions = self.view.revisions()
            if self._token is None:
                areas = None
            else:
                areas = {a for a, rev in revisions.items() if self._revisions.get(a) != rev}
                if not areas:
                    self._token = token
                    return
            room = load_room(self.view, self.room, areas, clock=self.clock)
            self._token, self._revisions = token, revisions
            if self._live():
                self.call_from_thread(self._apply, room)
        except Exception as exc:  # keep projecting what we have: the next poll tries again
            if self._live():
                self.call_from_thread(self._show_problem, str(exc) or type(exc).__name__)
        finally:
            self._polling = False

    def _show_problem(self, message: str) -> None:
        if message != self._problem:
            self._problem = message
            self.notify(f"Cannot read the session: {message}", severity="error", markup=False, timeout=10)

    # -- showing -------------------------------------------------------------------
    def _apply(self, room: Room) -> None:
        if not self._live():
            return
        self._problem = ""
        self.room = room
        s = room.situation
        pos = s.block.position if s and s.block else None
        if pos != self._block_pos:
            self._block_pos = pos
            self.join_forced = None
        self._show_top()
        self._show_timer()
        self._show_panel()

    def current_mode(self) -> str:
        auto = auto_mode(self.room)
        if auto == "loading":
            return auto
        if self.join_forced is True:
            return "join"
        if self.join_forced is False and auto == "join":
            return "block"
        return auto

    def action_toggle_join(self) -> None:
        showing = self.current_mode() == "join"
        self.join_forced = not showing
        self._show_panel()

    def _show_top(self) -> None:
        s = self.room.situation
        if s is None:
            return
        self.query_one("#session-title", Static).update(Text(s.title, style="bold"))
        block_line = Text()
        title = Text()
        nxt = Text()
        if s.ended:
            block_line.append("The session has ended")
        elif s.block is None:
            block_line.append("Not started yet")
            title.append("Welcome", style="bold")
        else:
            b = s.block
            minutes = b.planned_minutes + b.extra_seconds // 60
            block_line.append(f"{KIND_LABELS.get(b.kind, b.kind).upper()} · {minutes} min")
            title.append(b.title, style="bold")
        if not s.ended and s.next_block is not None:
            n = s.next_block
            nxt.append("First: " if s.block is None else "Next: ", style="bold")
            nxt.append(f"{n.title} · {n.planned_minutes} min")
        elif not s.ended:
            nxt.append("Last block of the day")
        self.query_one("#block-line", Static).update(block_line)
        self.query_one("#block-title", Static).update(title)
        self.query_one("#next-line", Static).update(nxt)

    def remaining(self) -> float | None:
        """Seconds left in the running block, counted down locally since the last read."""
        s = self.room.situation
        if s is None or s.block is None:
            return None
        t = s.timer
        rem = t.remaining_seconds
        if t.running:
            rem -= max(0.0, self.clock() - self.room.read_at)
        return rem

    def _show_timer(self) -> None:
        s = self.room.situation
        digits = self.query_one("#timer", Digits)
        status = self.query_one("#timer-status", Static)
        rem = self.remaining()
        if s is None or rem is None:
            text = "00:00" if s is not None and s.ended else "--:--"
            if digits.value != text:
                digits.update(text)
            digits.set_class(False, "overtime", "paused")
            status.update(Text("ended" if s is not None and s.ended else "not started", style="bold"))
            return
        text = mmss(rem)
        if digits.value != text:
            digits.update(text)
        overtime = rem < 0
        paused = not s.timer.running
        digits.set_class(overtime, "overtime")
        digits.set_class(paused and not overtime, "paused")
        line = Text(justify="center")
        if overtime:
            line.append(" OVERTIME ", style="bold #ffffff on #d70000")
            if paused:
                line.append(" ")
        if paused:
            line.append(" PAUSED ", style="bold #000000 on #ffd700")
        elif not overtime:
            line.append("remaining", style="bold")
        status.update(line)

    def _show_panel(self) -> None:
        mode = self.current_mode()
        self.mode = mode
        room = self.room
        s = room.situation
        if mode == "join":
            self.query_one(JoinPanel).show(room.join_url, room.join_code, room.counts)
        elif mode == "group":
            self.query_one(GroupWorkPanel).show(s.phase, self._latest_inject())
        elif mode == "gallery":
            self.query_one(GalleryPanel).show(room.groups, room.proposals)
        elif mode == "voting":
            rnd = room.open_round or room.latest_round
            self.query_one(VotingPanel).show(rnd, room.ballots, room.round_proposals)
        elif mode == "results" and room.results is not None:
            self.query_one(ResultsPanel).show(room.results, room.round_proposals)
        elif mode == "ended":
            self.query_one(BlockPanel).show("", "The session has ended. Thank you!")
        elif mode == "block" and s is not None:
            self._show_block_panel()
        switcher = self.query_one(ContentSwitcher)
        if switcher.current != PANELS[mode]:
            switcher.current = PANELS[mode]

    def _show_block_panel(self) -> None:
        s = self.room.situation
        panel = self.query_one(BlockPanel)
        if s.block is None:
            panel.show("", s.title, "Starting soon")
            return
        b = s.block
        sub = ""
        if b.talk_id and (talk := self.view.scenario.talk(b.talk_id)):
            sub = f"{talk.speaker_role}, {talk.organisation}"
        elif b.phase_id and (phase := self.view.scenario.phase(b.phase_id)):
            sub = phase.title
        panel.show(KIND_LABELS.get(b.kind, b.kind), b.title, sub)

    def _latest_inject(self) -> RevealedInject | None:
        s = self.room.situation
        if s is None or not s.injects:
            return None
        if s.phase is not None:
            return next((j for j in s.injects if j.phase_id == s.phase.id), None)
        return s.injects[0]


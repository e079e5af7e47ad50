"""Getting in: the session's join code, then the participant's own voting code.

Both steps check the code in a thread worker and show a refusal as one sentence.
A device that keeps guessing is throttled by the core: the screen then counts the
wait down and keeps the input disabled until it has passed.
"""

from __future__ import annotations

import math
import time
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Center, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Input, Static

from ...errors import RoundtableError
from ...participant import Gate, ParticipantClient, Throttled


def throttle_message(seconds: int) -> str:
    unit = "second" if seconds == 1 else "seconds"
    return f"Too many wrong codes from this device; try again in {seconds} {unit}."


class EntryScreen(Screen[None]):
    """One code to type, a button, and a line for what went wrong."""

    HEADING = ""
    PROMPT = ""
    PLACEHOLDER = ""
    BUTTON = "Continue"
    EMPTY = "Type the code first."

    def __init__(self, gate: Gate, message: str = "") -> None:
        super().__init__(classes="entry-screen")
        self.gate = gate
        self._message = message
        self._deadline: float | None = None
        self._countdown: Timer | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="entry"):
            yield Static(Text(self._session_title(), style="bold"), id="entry-session")
            yield Static(self.HEADING, id="entry-heading", markup=False)
            yield Static(self.PROMPT, id="entry-prompt", markup=False)
            with Center():
                yield Input(placeholder=self.PLACEHOLDER, id="entry-code", max_length=16)
            with Center():
                yield Button(self.BUTTON, id="entry-go", variant="primary")
            yield Static("", id="entry-error", markup=False)

    def _session_title(self) -> str:
        try:
            return self.gate.session_title
        except RoundtableError:
            return "Round table"

    def on_mount(self) -> None:
        self.show_error(self._message)
        self.query_one("#entry-code", Input).focus()
        self._check_wait()

    # -- messages -------------------------------------------------------------
    def show_error(self, message: str) -> None:
        error = self.query_one("#entry-error", Static)
        error.update(message)
        error.display = bool(message)

    def _set_enabled(self, enabled: bool) -> None:
        self.query_one("#entry-code", Input).disabled = not enabled
        self.query_one("#entry-go", Button).disabled = not enabled
        if enabled:
            self.query_one("#entry-code", Input).focus()

    # -- throttling -----------------------------------------------------------
    @work(thread=True, group="entry-wait")
    def _check_wait(self) -> None:
        try:
            wait = self.gate.wait()
        except RoundtableError:
            return
        if wait > 0:
            self.app.call_from_thread(self.start_countdown, wait)

    def start_countdown(self, wait: float) -> None:
        self._deadline = time.monotonic() + math.ceil(wait)
        self._set_enabled(False)
        if self._countdown is None:
            self._countdown = self.set_interval(0.5, self._tick)
        self._tick()

    def _tick(self) -> None:
        if self._deadline is None:
            return
        left = math.ceil(self._deadline - time.monotonic())
        if left > 0:
            self.show_error(throttle_message(left))
            return
        self._deadline = None
        if self._countdown is not None:
            self._countdown.stop()
            self._countdown = None
        self.show_error("")
        self._set_enabled(True)

    # -- trying a code --------------------------------------------------------------
    @on(Input.Submitted, "#entry-code")
    @on(Button.Pressed, "#entry-go")
    def _submitted(self, event: events.Event) -> None:
        event.stop()
        if self._deadline is not None:
            return
        code = self.query_one("#entry-code", Input).value
        if not code.strip():
            self.show_error(self.EMPTY)
            self.query_one("#entry-code", Input).focus()
            return
        self.query_one("#entry-go", Button).disabled = True
        self._attempt(code)

    @work(thread=True, exclusive=True, group="entry-attempt")
    def _attempt(self, code: str) -> None:
        try:
            result = self.attempt(code)
        except Throttled as exc:
            self.app.call_from_thread(self._throttled, exc.wait)
            return
        except RoundtableError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        self.app.call_from_thread(self.succeeded, result)

    def _throttled(self, wait: float) -> None:
        self.query_one("#entry-code", Input).value = ""
        self.start_countdown(wait)

    def _refused(self, message: str) -> None:
        self.query_one("#entry-go", Button).disabled = False
        code = self.query_one("#entry-code", Input)
        code.value = ""
        code.focus()
        self.show_error(message)

    def attempt(self, code: str) -> Any:
        """Check the code (worker thread); raise RoundtableError when refused."""
        raise NotImplementedError

    def succeeded(self, result: Any) -> None:
        """Go on (UI thread)."""
        raise NotImplementedError


class JoinScreen(EntryScreen):
    HEADING = "Join the round table"
    PROMPT = "Type the join code shown on the screen at the front of the room."
    PLACEHOLDER = "join code"
    BUTTON = "Join"
    EMPTY = "Type the join code shown on the screen at the front of the room."

    def attempt(self, code: str) -> None:
        self.gate.check_join_code(code)

    def succeeded(self, result: Any) -> None:
        self.app.switch_screen(CodeScreen(self.gate))


class CodeScreen(EntryScreen):
    HEADING = "Your voting code"
    PROMPT = "Type the personal code printed on your badge (like ABCD-EFGH)."
    PLACEHOLDER = "ABCD-EFGH"
    BUTTON = "Sign in"
    EMPTY = "Type the voting code printed on your badge."

    def attempt(self, code: str) -> ParticipantClient:
        return self.gate.login(code)

    def succeeded(self, result: Any) -> None:
        from .main import MainScreen

        self.app.switch_screen(MainScreen(result, self.gate))

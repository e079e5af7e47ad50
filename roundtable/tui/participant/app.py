"""The participant's Textual app (`roundtable join SESSION`, or served to browsers)."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding

from ...participant import Gate
from .entry import JoinScreen

# A poll is one PRAGMA data_version read; 0.15 s keeps a change (a round opening, a
# proposal from another table) on screen well within half a second, mounting included.
POLL_SECONDS = 0.15

CSS = Path(__file__).parent / "participant.tcss"


class ParticipantApp(App):
    TITLE = "roundtable"
    CSS_PATH = CSS
    # No command palette: it would list app-wide commands a participant has no use for.
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Leave", priority=True, show=False)]

    def __init__(self, gate: Gate, *, poll_seconds: float = POLL_SECONDS) -> None:
        super().__init__()
        self.gate = gate
        self.poll_seconds = poll_seconds

    def on_mount(self) -> None:
        self.push_screen(JoinScreen(self.gate))

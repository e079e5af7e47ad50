"""PLACEHOLDER help screen."""

from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen):
    BINDINGS = [("escape", "app.pop_screen", "Close")]

    def compose(self):
        yield Static("help")

"""PLACEHOLDER home screen: replaced by the engineer who owns it."""

from textual.screen import Screen
from textual.widgets import Footer, Static


class HomeScreen(Screen):
    def __init__(self, sessions_dir=None) -> None:
        super().__init__()
        self.sessions_dir = sessions_dir

    def compose(self):
        yield Static("home")
        yield Footer()

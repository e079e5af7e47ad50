"""The facilitator's Textual app."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding

from ..service import SessionService
from .commands import RoundtableCommands

STYLES = Path(__file__).parent / "styles"


class RoundtableApp(App):
    TITLE = "roundtable"
    CSS_PATH = [STYLES / f"{name}.tcss" for name in ("app", "home", "console", "people", "proposals", "voting", "outcomes")]
    COMMANDS = App.COMMANDS | {RoundtableCommands}
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, sessions_dir: str | Path | None = None, session: SessionService | None = None) -> None:
        super().__init__()
        self.sessions_dir = sessions_dir
        self.session = session

    def on_mount(self) -> None:
        # Opening a session directly skips building the home screen: it is built
        # only if the facilitator goes back to it.
        if self.session is not None:
            self.open_session(self.session)
        else:
            self.go_home()

    def go_home(self) -> None:
        """Leave the session screen (its data stays saved) for the home screen."""
        from .screens.home import HomeScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()
        if not isinstance(self.screen, HomeScreen):
            self.push_screen(HomeScreen(self.sessions_dir))

    def open_session(self, svc: SessionService) -> None:
        from .screens.session import SessionScreen

        self.session = svc
        self.push_screen(SessionScreen(svc))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A screen may keep app-wide actions away from its users: the voting booth locks
        # quit and the command palette so a participant cannot wander into the console.
        if any(action in getattr(s, "LOCKED_APP_ACTIONS", ()) for s in self.screen_stack):
            return False
        return super().check_action(action, parameters)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        self.push_screen(HelpScreen())

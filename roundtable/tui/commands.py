"""The command palette (ctrl+p): the main actions of whatever screen is showing."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

Command = tuple[str, str, Callable[[], object]]


class RoundtableCommands(Provider):
    """Go to a tab, run the timer, open the booth, export, start a session, get help."""

    def commands(self) -> list[Command]:
        from .screens.home import HomeScreen
        from .screens.session import TABS, SessionScreen

        screen = self.screen
        app = self.app
        out: list[Command] = []
        if isinstance(screen, SessionScreen):
            for tab, label, _pane, key in TABS:
                out.append((f"Go to the {label} tab", f"Key {key}", partial(screen.action_show_tab, tab)))
            out += self._console_commands(screen)
            out += self._pane_command(screen, "people", "toggle_scribe", "Scribe: toggle for the selected participant",
                                      "Key s on People: the scribe types the group's proposals on their device")
            out += self._pane_command(screen, "people", "revoke_code", "Revoke the selected participant's voting code",
                                      "Key r on People: a lost badge; asks first, then the code stops working")
            out += self._pane_command(screen, "people", "reissue_code", "New voting code for the selected participant",
                                      "Key c on People: asks first; the old code stops working")
            out += self._pane_command(screen, "voting", "action_open_round", "Open a voting round",
                                      "Key o on Voting: dot, approval, score, ranked (Borda) or consent; or a runoff")
            out += self._pane_command(screen, "voting", "action_open_booth", "Open the voting booth",
                                      "A participant enters their code and casts their ballot")
            out += self._pane_command(screen, "voting", "action_reveal_results", "Reveal the round's results",
                                      "Key r on Voting: show a closed round's ranking to participants and the projector")
            out += self._pane_command(screen, "voting", "action_settle_tie", "Settle the round's tie",
                                      "Key s on Voting: a runoff among the tied, a draw with a recorded seed, or a decision")
            out += self._pane_command(screen, "voting", "action_view_ballots", "Show the round's ballots",
                                      "Key v on Voting: each ballot of a closed round (no names in anonymous rounds)")
            out += self._pane_command(screen, "export", "action_export_toml", "Export the minutes as TOML",
                                      "Write the minutes file (a draft while the session runs)")
            out += self._pane_command(screen, "export", "action_export_md", "Export the minutes as Markdown",
                                      "Write a readable Markdown copy of the minutes")
            # the home screen is built on demand when it is not already beneath
            out.append(("Back to the home screen", "Leave this session (it stays saved)", self._back_home))
        if isinstance(screen, HomeScreen):
            out += [
                ("New session", "Key n: scenario, agenda, title, date, venue, facilitator", screen.action_new_session),
                ("Open scenario file…", "Key o: validate a TOML scenario and add it to the library", screen.action_open_file),
                ("Refresh the lists", "Re-read the sessions folder and the scenario library", screen.action_refresh),
            ]
        out.append(("Help: all keys", "Key F1", app.action_help))
        return out

    def _console_commands(self, screen) -> list[Command]:
        from .widgets.console import ConsolePane

        try:
            console = screen.query_one(ConsolePane)
        except Exception:
            return []

        def run(action: Callable[[], object]) -> Callable[[], object]:
            def go() -> None:
                screen.action_show_tab("console")
                action()

            return go

        return [
            ("Start or resume the timer", "Key s on the console", run(console.action_start)),
            ("Pause the timer", "Key p on the console", run(console.action_pause)),
            ("Add 5 minutes to this block", "Key e or + on the console", run(console.action_extend)),
            ("Next agenda block", "Key x or n on the console: end this block, start the next", run(console.action_next_block)),
            ("Reveal an inject", "Key r on the console: shows the injects of the phase", run(console.action_reveal)),
            ("Joining: show the join code, address and QR code", "Key j on the console (j again hides it)",
             run(console.show_join)),
            ("Issue a new join code", "Key J on the console: asks first; the old code stops letting devices in",
             run(console.action_new_join_code)),
            ("End the session", "End the running block and mark the minutes final", run(console.action_end_session)),
        ]

    @staticmethod
    def _pane_command(screen, tab: str, action: str, title: str, help_text: str) -> list[Command]:
        try:
            pane = screen.query_one(f"#pane-{tab}")
        except Exception:
            return []
        method = getattr(pane, action, None)
        if method is None:
            return []

        def go() -> None:
            screen.action_show_tab(tab)
            method()

        return [(title, help_text, go)]

    def _back_home(self) -> None:
        self.app.go_home()

    async def discover(self) -> Hits:
        for title, help_text, command in self.commands():
            yield DiscoveryHit(Text(title), command, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self.commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, text=title, help=help_text)

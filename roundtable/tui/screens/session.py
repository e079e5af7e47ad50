"""The session screen: one tab per part of the workshop.

It polls the session store for commits from any process (PRAGMA data_version via
`change_token`, cheap enough to ask four times a second). When something was
committed it reads the per-area revision counters (`revisions()`) and reloads only
the panes that show a changed area: a proposal typed at a table reloads the
Proposals board, not the agenda. Hidden panes are marked stale and reload when
their tab is shown.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from ...service import SessionService
from ..messages import SessionChanged
from ..widgets.base import SessionPane
from ..widgets.console import ConsolePane
from ..widgets.export import ExportPane
from ..widgets.outcomes import OutcomesPane
from ..widgets.people import PeoplePane
from ..widgets.proposals import ProposalsPane
from ..widgets.talks import TalksPane
from ..widgets.voting import VotingPane

# A proposal committed by another process is on the board within about half a second:
# at most one poll interval to notice it, then one read in a worker thread.
POLL_SECONDS = 0.25

# (tab id, label, pane class, key)
TABS = [
    ("console", "Console", ConsolePane, "1"),
    ("people", "People", PeoplePane, "2"),
    ("talks", "Talks", TalksPane, "3"),
    ("proposals", "Proposals", ProposalsPane, "4"),
    ("voting", "Voting", VotingPane, "5"),
    ("outcomes", "Outcomes", OutcomesPane, "6"),
    ("export", "Export", ExportPane, "7"),
]

ALL = "*"  # the pane shows every area (the minutes preview)

# Which store areas (see store.AREAS) each pane shows.
PANE_AREAS: dict[str, frozenset[str] | str] = {
    "console": frozenset({"session", "injects", "rounds"}),
    "people": frozenset({"people"}),
    "talks": frozenset({"talks"}),
    "proposals": frozenset({"proposals", "people"}),
    "voting": frozenset({"rounds", "ballots", "proposals"}),
    "outcomes": frozenset({"outcomes", "proposals"}),
    "export": ALL,
}


def panes_for(changed: set[str]) -> list[str]:
    """The tabs whose panes show at least one of the `changed` areas."""
    if not changed:
        return []
    return [
        tab for tab, *_ in TABS
        if (areas := PANE_AREAS.get(tab, ALL)) == ALL or changed & areas  # type: ignore[operator]
    ]


class SessionScreen(Screen):
    BINDINGS = [
        *[Binding(key, f"show_tab('{tab}')", label, show=False) for tab, label, _, key in TABS],
        Binding("ctrl+r", "reload", "Reload", show=False),
    ]

    def __init__(self, svc: SessionService) -> None:
        super().__init__()
        self.svc = svc
        self._token = svc.change_token()
        self._revisions = self._read_revisions()
        # Panes not yet shown, or changed while hidden: reloaded when their tab opens.
        self._stale: set[str] = {tab for tab, *_ in TABS if tab != "console"}

    def compose(self) -> ComposeResult:
        info = self.svc.info()
        yield Static(f"{info.title} · {self.svc.scenario.title} · {info.variant}", id="session-header", markup=False)
        with TabbedContent(id="tabs"):
            for tab, label, pane, key in TABS:
                with TabPane(f"{key} {label}", id=f"tab-{tab}"):
                    yield pane(self.svc, id=f"pane-{tab}", lazy=tab != "console")
        yield Footer()

    def on_mount(self) -> None:
        self.title = info_title = self.svc.info().title
        self.sub_title = self.svc.scenario.title
        self.app.sub_title = info_title
        self.set_interval(POLL_SECONDS, self._poll)

    def panes(self) -> list[SessionPane]:
        return list(self.query(SessionPane))

    def active_tab(self) -> str:
        active = self.query_one("#tabs", TabbedContent).active
        return active.removeprefix("tab-")

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = f"tab-{tab}"

    def action_reload(self) -> None:
        self._revisions = self._read_revisions()
        self._reload([tab for tab, *_ in TABS])

    # -- noticing changes ---------------------------------------------------------
    def _read_revisions(self) -> dict[str, int] | None:
        try:
            return self.svc.revisions()
        except Exception:  # a store without counters: every change reloads every pane
            return None

    def _changed_tabs(self) -> list[str]:
        """Tabs whose areas changed since the last look (all of them if unknown)."""
        before, after = self._revisions, self._read_revisions()
        self._revisions = after
        if before is None or after is None:
            return [tab for tab, *_ in TABS]
        changed = {area for area in before.keys() | after.keys() if before.get(area) != after.get(area)}
        return panes_for(changed)

    def _poll(self) -> None:
        try:
            token = self.svc.change_token()
        except Exception:  # a vanished file is reported by the next action, not here
            return
        if token != self._token:
            self._token = token
            self._reload(self._changed_tabs())

    def _reload(self, tabs: list[str]) -> None:
        """Reload the shown pane (and the console, which keeps the clock) now; the rest on activation."""
        active = self.active_tab()
        for tab in tabs:
            if tab == active or tab == "console":
                self.query_one(f"#pane-{tab}", SessionPane).reload()
            else:
                self._stale.add(tab)

    def on_session_changed(self, message: SessionChanged) -> None:
        message.stop()
        self._token = self.svc.change_token()
        tabs = self._changed_tabs()
        # The pane that wrote always refreshes, even when nothing it shows changed.
        active = self.active_tab()
        if active not in tabs:
            tabs.append(active)
        self._reload(tabs)

    @on(TabbedContent.TabActivated, "#tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tab = (event.pane.id or "").removeprefix("tab-")
        if tab in self._stale:
            self._stale.discard(tab)
            self.query_one(f"#pane-{tab}", SessionPane).reload()

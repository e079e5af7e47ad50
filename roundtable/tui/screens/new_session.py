"""The new-session form: scenario, agenda variant, title, date, venue, facilitator.

Create calls `service.create_session`; a refusal (a bad date, a title too long…)
is shown as one sentence in the form and nothing is created.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from ...errors import RoundtableError
from ...scenario import Scenario
from ...service import SessionService, create_session
from .home import LibraryItem


def variant_options(scenario: Scenario) -> list[tuple[Text, str]]:
    out = []
    for v in scenario.variants:
        h, m = divmod(v.total_minutes, 60)
        out.append((Text(f"{v.title} · {len(v.blocks)} blocks · {h} h {m:02d} min"), v.id))
    return out


class NewSessionForm(ModalScreen[SessionService | None]):
    """Dismisses with the new session, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "create", "Create"),
    ]

    def __init__(self, items: list[LibraryItem], chosen: LibraryItem, sessions_dir: str | Path | None = None) -> None:
        super().__init__()
        self.items = [i for i in items if i.loaded is not None]
        self.chosen = chosen
        self.sessions_dir = sessions_dir
        self._variants_for = self._key(chosen)

    def _key(self, item: LibraryItem) -> str:
        return str(item.entry.path)

    def _item(self) -> LibraryItem:
        value = self.query_one("#new-scenario", Select).value
        return next((i for i in self.items if self._key(i) == value), self.chosen)

    def compose(self) -> ComposeResult:
        scenario_opts = [(Text(f"{i.entry.title}  ({i.entry.id})"), self._key(i)) for i in self.items]
        scenario = self.chosen.loaded.scenario
        with Vertical(classes="dialog dialog-wide", id="new-session"):
            yield Label("New session", classes="dialog-title")
            with Grid(id="new-grid"):
                yield Label("Scenario")
                yield Select(scenario_opts, value=self._key(self.chosen), allow_blank=False, id="new-scenario", compact=True)
                yield Label("Agenda")
                yield Select(variant_options(scenario), value=scenario.variants[0].id, allow_blank=False, id="new-variant", compact=True)
                yield Label("Title")
                yield Input(placeholder=self._default_title(), id="new-title", compact=True)
                yield Label("Date")
                yield Input(dt.date.today().isoformat(), placeholder="YYYY-MM-DD", id="new-date", compact=True)
                yield Label("Venue")
                yield Input(placeholder="e.g. the conference room of a hotel", id="new-venue", compact=True)
                yield Label("Facilitator")
                yield Input(placeholder="who leads the round table", id="new-facilitator", compact=True)
            yield Static("", id="new-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Create", variant="primary", id="create")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#new-title", Input).focus()

    def _default_title(self) -> str:
        try:
            item = self._item()
            variant_id = self.query_one("#new-variant", Select).value
        except Exception:  # before the form is mounted
            item, variant_id = self.chosen, None
        scenario = item.loaded.scenario
        try:
            variant = scenario.variant(variant_id if isinstance(variant_id, str) else None)
        except KeyError:
            variant = scenario.variants[0]
        return f"{scenario.title} ({variant.title})"

    @on(Select.Changed, "#new-scenario")
    def _scenario_changed(self, event: Select.Changed) -> None:
        item = self._item()
        if self._key(item) != self._variants_for:
            self._variants_for = self._key(item)
            scenario = item.loaded.scenario
            variant = self.query_one("#new-variant", Select)
            variant.set_options(variant_options(scenario))
            variant.value = scenario.variants[0].id
        self.query_one("#new-title", Input).placeholder = self._default_title()

    @on(Select.Changed, "#new-variant")
    def _variant_changed(self, event: Select.Changed) -> None:
        self.query_one("#new-title", Input).placeholder = self._default_title()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_create()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "create":
            self.action_create()
        else:
            self.dismiss(None)

    def action_create(self) -> None:
        item = self._item()
        variant = self.query_one("#new-variant", Select).value
        error = self.query_one("#new-error", Static)
        try:
            svc = create_session(
                item.loaded,
                variant=variant if isinstance(variant, str) else None,
                title=self.query_one("#new-title", Input).value,
                date=self.query_one("#new-date", Input).value.strip() or None,
                venue=self.query_one("#new-venue", Input).value,
                facilitator=self.query_one("#new-facilitator", Input).value,
                sessions_dir=self.sessions_dir,
            )
        except RoundtableError as exc:
            error.update(Text(str(exc)))
            error.add_class("visible")
            return
        self.notify(f"Created session {svc.id} in {svc.path.parent}.", markup=False)
        self.dismiss(svc)

    def action_cancel(self) -> None:
        self.dismiss(None)

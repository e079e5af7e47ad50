"""Talks tab: the planned talks with speaker, organisation and key points.

Key points are noted during or after a talk, one per line, and go into the minutes.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, DataTable, Label, Static

from ...errors import RoundtableError
from ...models import TalkRecord
from ..messages import SessionChanged
from ..screens.forms import FormField, FormScreen, refill_table, table_key
from .base import SessionPane


def clip(text: str, width: int) -> str:
    """Shorten to `width` characters for a table cell; the detail panel shows it all."""
    return text if len(text) <= width else text[: width - 1] + "…"


def points_text(text: str) -> list[str]:
    """One key point per non-empty line; a leading bullet is dropped."""
    points = []
    for line in text.splitlines():
        line = line.strip()
        if line[:2] in ("- ", "* ", "• "):
            line = line[2:].strip()
        if line:
            points.append(line)
    return points


class TalksPane(SessionPane):
    BINDINGS = [
        Binding("a", "add", "Add talk"),
        Binding("e", "edit", "Edit talk"),
    ]

    talks: list[TalkRecord] | None = None

    def compose(self) -> ComposeResult:
        yield Label("Talks", id="talks-title", classes="box-title")
        with Horizontal(classes="toolbar"):
            yield Button("Add talk", id="talk-add", compact=True)
            yield Button("Edit", id="talk-edit", compact=True)
        table = DataTable(id="talks-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("Title", "Min", "Points", "Speaker", "Organisation")
        yield table
        with VerticalScroll(id="talk-detail"):
            yield Static("", id="talk-detail-text", markup=False)

    def main_widget(self):
        return self.query_one("#talks-table")

    def load(self) -> list[TalkRecord]:
        return self.svc.talks()

    def show(self, talks: list[TalkRecord]) -> None:
        if talks == self.talks:
            return
        self.talks = talks
        refill_table(
            self.query_one("#talks-table", DataTable),
            [
                (
                    t.id,
                    (
                        Text(clip(t.title, 40)),
                        Text("" if t.planned_minutes is None else str(t.planned_minutes), justify="right"),
                        Text(str(len(t.key_points)), justify="right"),
                        Text(clip(t.speaker, 26)), Text(clip(t.organisation, 26)),
                    ),
                )
                for t in talks
            ],
        )
        self.query_one("#talks-title", Label).update(f"Talks ({len(talks)})")
        self._show_detail()

    def selected(self) -> TalkRecord | None:
        key = table_key(self.query_one("#talks-table", DataTable))
        return next((t for t in self.talks or [] if t.id == key), None)

    def _show_detail(self) -> None:
        t = self.selected()
        detail = Text()
        if t is None:
            detail.append("No talks yet: press a to add one.", style="dim")
        else:
            detail.append(t.title, style="bold")
            who = ", ".join(x for x in (t.speaker, t.organisation) if x)
            if who:
                detail.append(f"\n{who}")
            if t.planned_minutes:
                detail.append(f" · {t.planned_minutes} min", style="dim")
            if t.key_points:
                detail.append("\nKey points:", style="bold")
                for point in t.key_points:
                    detail.append(f"\n • {point}")
            else:
                detail.append("\nNo key points yet: press e to note them, one per line.", style="dim")
        self.query_one("#talk-detail-text", Static).update(detail)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "talk-add":
            self.action_add()
        elif event.button.id == "talk-edit":
            self.action_edit()

    def _fields(self, t: TalkRecord | None) -> list[FormField]:
        return [
            FormField("title", "Title", value=t.title if t else "", max_length=200),
            FormField("speaker", "Speaker", value=t.speaker if t else "", max_length=120,
                      placeholder="role or name, e.g. Inspector, trafficking unit"),
            FormField("organisation", "Organisation", value=t.organisation if t else "", max_length=120),
            FormField("key_points", "Key points", kind="text", value="\n".join(t.key_points) if t else "",
                      help="One key point per line."),
        ]

    def _save(self, talk_id: str, v: dict[str, Any], done: str = "Talk saved.") -> str | None:
        try:
            self.svc.update_talk(
                talk_id, title=v["title"], speaker=v["speaker"], organisation=v["organisation"],
                key_points=points_text(v["key_points"]),
            )
        except RoundtableError as exc:
            return str(exc)
        self.notify(done, markup=False)
        self.post_message(SessionChanged())
        return None

    def action_add(self) -> None:
        state: dict[str, str | None] = {"id": None}

        def submit(v: dict[str, Any]) -> str | None:
            # A second Save after a refusal of the key points must not add the talk twice.
            if state["id"] is None:
                try:
                    state["id"] = self.svc.add_talk(v["title"], speaker=v["speaker"], organisation=v["organisation"]).id
                except RoundtableError as exc:
                    return str(exc)
                self.post_message(SessionChanged())
            return self._save(state["id"], v, done="Talk added.")

        self.app.push_screen(FormScreen("Add talk", self._fields(None), submit, submit_label="Add"))

    def action_edit(self) -> None:
        t = self.selected()
        if t is None:
            self.notify("Select a talk to edit first.", severity="warning")
            return
        self.app.push_screen(
            FormScreen("Edit talk", self._fields(t), lambda v: self._save(t.id, v), focus="key_points")
        )

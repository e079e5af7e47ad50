"""Modal forms for the session console.

`FormScreen` is one generic form: a title, a list of `FormField`s (one-line input,
multi-line text, select, or a "pick" select that appends its choice to another
input), and a `submit` callback. The callback runs the service operation and
returns None when it succeeded or the refusal as one sentence; on a refusal the
form stays open with everything typed kept and the sentence shown under the
fields. `ReportDialog` shows a short report (e.g. what a CSV import did).

Everything people typed is displayed literally (no markup).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from ...errors import RoundtableError
from ..messages import SessionChanged


@dataclass
class FormField:
    """One row of a form.

    kind: "input" (one line), "text" (multi-line; value is the whole text),
    "select" (value is the option's value, None when nothing is chosen), or
    "pick" (a select whose choice is appended, comma-separated, to the input
    named by `target`; it has no value of its own).
    """

    name: str
    label: str
    kind: str = "input"
    value: Any = ""
    options: Sequence[tuple[str, Any]] = ()
    placeholder: str = ""
    allow_blank: bool = True
    suggestions: Sequence[str] = ()
    target: str = ""
    help: str = ""
    max_length: int = 0
    extra: dict = field(default_factory=dict)


# A submit callback gets the form's values and returns None (done) or a refusal.
Submit = Callable[[dict[str, Any]], "str | None"]


def attempt(pane: Widget, operation: Callable[..., Any], *args: Any, done: str | None = None, **kwargs: Any) -> str | None:
    """Run a service write for a form: None when it worked, else the refusal sentence.

    On success it notifies `done` and posts SessionChanged from `pane` (which must
    sit on the session screen) so every view reloads.
    """
    try:
        operation(*args, **kwargs)
    except RoundtableError as exc:
        return str(exc)
    if done:
        pane.notify(done, markup=False)
    pane.post_message(SessionChanged())
    return None


class FormScreen(ModalScreen[dict | None]):
    """A modal form; dismisses with the values dict when saved, None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def __init__(
        self, title: str, fields: Sequence[FormField], submit: Submit | None = None, *,
        submit_label: str = "Save", hint: str = "", id: str | None = None, focus: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.focus_field = focus  # the field the form is mostly opened for
        self.form_title = title
        self.fields = list(fields)
        self.submit = submit
        self.submit_label = submit_label
        self.hint = hint

    # -- building ------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog fs-form"):
            yield Label(self.form_title, markup=False, classes="dialog-title")
            with VerticalScroll(classes="fs-fields"):
                for i, f in enumerate(self.fields):
                    tight = f.help or (i + 1 < len(self.fields) and self.fields[i + 1].kind == "pick")
                    with Horizontal(classes=f"fs-row fs-row-{f.kind}" + (" fs-tight" if tight else "")):
                        yield Label(f.label, markup=False, classes="fs-label")
                        yield self._widget(f)
                    if f.help:
                        yield Static(f.help, markup=False, classes="fs-help")
            yield Static("", markup=False, id="form-error", classes="fs-error")
            hint = self.hint or (
                "Ctrl+S saves · Esc cancels" if any(f.kind == "text" for f in self.fields)
                else "Enter or Ctrl+S saves · Esc cancels"
            )
            with Horizontal(classes="dialog-buttons fs-buttons"):
                yield Static(hint, markup=False, classes="fs-hint")
                yield Button(self.submit_label, variant="primary", id="form-save", compact=True)
                yield Button("Cancel", id="form-cancel", compact=True)

    def _widget(self, f: FormField) -> Widget:
        wid = f"field-{f.name}"
        if f.kind == "input":
            return Input(
                value=str(f.value or ""), placeholder=f.placeholder, id=wid, compact=True,
                max_length=f.max_length, select_on_focus=False,
                suggester=SuggestFromList(f.suggestions, case_sensitive=False) if f.suggestions else None,
            )
        if f.kind == "text":
            area = TextArea(str(f.value or ""), id=wid, soft_wrap=True, tab_behavior="focus", compact=True)
            area.placeholder = f.placeholder
            return area
        if f.kind in ("select", "pick"):
            options = [(Text(label), value) for label, value in f.options]
            legal = {value for _, value in f.options}
            value = f.value if f.kind == "select" and f.value in legal else Select.NULL
            allow_blank = True if f.kind == "pick" else (f.allow_blank or value is Select.NULL)
            return Select(
                options, value=value, allow_blank=allow_blank, prompt=f.placeholder or "Select", id=wid,
                compact=True,
            )
        raise ValueError(f"unknown form field kind {f.kind!r}")

    def on_mount(self) -> None:
        if self.focus_field:
            self.query_one(f"#field-{self.focus_field}").focus()
            return
        for f in self.fields:
            if f.kind != "pick":
                self.query_one(f"#field-{f.name}").focus()
                break

    # -- values --------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.fields:
            w = self.query_one(f"#field-{f.name}")
            if isinstance(w, Input):
                out[f.name] = w.value
            elif isinstance(w, TextArea):
                out[f.name] = w.text
            elif isinstance(w, Select) and f.kind == "select":
                out[f.name] = None if w.value is Select.NULL else w.value
        return out

    def show_error(self, message: str) -> None:
        error = self.query_one("#form-error", Static)
        error.update(Text(message))
        error.display = bool(message)

    # -- events --------------------------------------------------------------
    def on_select_changed(self, event: Select.Changed) -> None:
        name = (event.select.id or "").removeprefix("field-")
        f = next((f for f in self.fields if f.name == name), None)
        if f is None or f.kind != "pick" or event.value is Select.NULL:
            return
        event.stop()
        target = self.query_one(f"#field-{f.target}", Input)
        current = [p.strip() for p in target.value.split(",") if p.strip()]
        if str(event.value) not in current:
            current.append(str(event.value))
        target.value = ", ".join(current)
        event.select.clear()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "form-save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        values = self.values()
        if self.submit is not None:
            problem = self.submit(values)
            if problem:
                self.show_error(problem)
                return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReportDialog(ModalScreen[None]):
    """A summary line and sections of literal lines (e.g. rows a CSV import skipped)."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("enter", "close", "Close", show=False)]

    def __init__(self, title: str, summary: str, sections: Sequence[tuple[str, Sequence[str], str]] = ()) -> None:
        """sections: (heading, lines, css class such as "rd-bad" or "rd-ok")."""
        super().__init__()
        self.report_title = title
        self.summary = summary
        self.sections = [(h, list(lines), cls) for h, lines, cls in sections if lines]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide rd-report"):
            yield Label(self.report_title, markup=False, classes="dialog-title")
            yield Static(self.summary, markup=False, classes="rd-summary")
            with VerticalScroll(classes="rd-lines"):
                for heading, lines, cls in self.sections:
                    yield Label(heading, markup=False, classes="rd-heading")
                    for line in lines:
                        yield Static(line, markup=False, classes=f"rd-line {cls}")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", variant="primary", id="report-close", compact=True)

    def on_mount(self) -> None:
        self.query_one("#report-close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


def table_key(table: Any) -> str | None:
    """The key of the row under a DataTable's cursor, or None when it is empty."""
    if not table.row_count:
        return None
    try:
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    except Exception:  # cursor outside the table while it is being rebuilt
        return None


def refill_table(table: Any, rows: Sequence[tuple[str, Sequence[Any]]]) -> None:
    """Show `rows` (key, cells) in a DataTable, keeping the cursor on the same row key
    (or at the same position when that row is gone) and the scroll position.

    When the change is the common one (rows edited, removed, or added at the end)
    only those rows are touched, so a board of a thousand proposals takes a new
    one in a blink; otherwise the table is rebuilt in one go.
    """
    old_key = table_key(table)
    old_row = table.cursor_row
    cache: dict[str, tuple] = getattr(table, "_rt_cells", {})
    old_keys = [k.value for k in table.rows] if cache else []
    new_keys = [key for key, _ in rows]
    new_set = set(new_keys)
    kept = [k for k in old_keys if k in new_set]
    small = (len(old_keys) - len(kept)) + (len(new_keys) - len(kept)) <= 100
    if cache and small and len(table.rows) == len(cache) and new_keys[: len(kept)] == kept:
        columns = [c.key for c in table.ordered_columns]
        for k in old_keys:
            if k not in new_set:
                table.remove_row(k)
        for key, cells in rows[: len(kept)]:
            old = cache.get(key)
            for column, (before, after) in zip(columns, zip(old or (), cells)):
                if before != after:
                    table.update_cell(key, column, after, update_width=True)
        for key, cells in rows[len(kept):]:
            table.add_row(*cells, key=key)
        table._rt_cells = {key: tuple(cells) for key, cells in rows}
        if rows and old_key is not None and table_key(table) != old_key:
            index = new_keys.index(old_key) if old_key in new_set else min(old_row, len(rows) - 1)
            table.move_cursor(row=index)
        return
    old_x, old_y = table.scroll_x, table.scroll_y
    table.clear()
    for key, cells in rows:
        table.add_row(*cells, key=key)
    table._rt_cells = {key: tuple(cells) for key, cells in rows}
    if not rows:
        return
    index_of = {key: i for i, key in enumerate(new_keys)}
    target = index_of.get(old_key, min(max(old_row, 0), len(rows) - 1)) if old_key is not None else 0
    table.move_cursor(row=target, scroll=False)

    def restore() -> None:
        table.scroll_to(x=old_x, y=old_y, animate=False, immediate=True)
        visible = max(1, table.scrollable_content_region.height - (1 if table.show_header else 0))
        if not (table.scroll_y <= target < table.scroll_y + visible):
            table.move_cursor(row=target, scroll=True)

    table.call_after_refresh(restore)

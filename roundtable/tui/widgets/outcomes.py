"""The outcomes pane: decisions, actions (what, owner, due, status) and evaluation notes.

Everything goes through the service; a refused form (a bad due date, an empty text)
shows one sentence inside the form and saves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Label, Static, TabbedContent, TabPane

from ...models import Action, ActionStatus, Decision, EvaluationNote, Proposal
from ..messages import SessionChanged
from ..screens.dialogs import ConfirmDialog
from ..screens.vote_forms import ActionDialog, DecisionDialog, Done, NoteDialog
from .base import SessionPane

STATUS_CYCLE = [ActionStatus.open, ActionStatus.in_progress, ActionStatus.done, ActionStatus.dropped]
STATUS_STYLE = {"open": "bold", "in_progress": "bold yellow", "done": "green", "dropped": "dim strike"}


@dataclass
class OutcomesView:
    decisions: list[Decision] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    notes: list[EvaluationNote] = field(default_factory=list)
    proposals: dict[str, Proposal] = field(default_factory=dict)


def _table(table_id: str) -> DataTable:
    return DataTable(id=table_id, cursor_type="row", zebra_stripes=True, classes="outcome-table")


class OutcomesPane(SessionPane):
    BINDINGS = [
        Binding("d", "add_decision", "Decision", show=True),
        Binding("a", "add_action", "Action", show=True),
        Binding("e", "edit_action", "Edit action", show=True),
        Binding("s", "cycle_status", "Status", show=True),
        Binding("w", "add_note('worked')", "Worked", show=True),
        Binding("i", "add_note('improve')", "Improve", show=True),
        Binding("delete,x", "remove", "Remove", show=True),
    ]

    def __init__(self, svc, **kwargs) -> None:
        super().__init__(svc, **kwargs)
        self.data = OutcomesView()
        self._note_table = "worked-table"

    def compose(self) -> ComposeResult:
        with TabbedContent(id="outcomes-tabs"):
            with TabPane("Decisions", id="out-decisions"):
                with Horizontal(classes="outcome-buttons"):
                    yield Button("Add decision (d)", id="add-decision", variant="primary", compact=True)
                    yield Button("Remove (x)", id="remove-decision", compact=True)
                yield _table("decisions-table")
            with TabPane("Actions", id="out-actions"):
                with Horizontal(classes="outcome-buttons"):
                    yield Button("Add action (a)", id="add-action", variant="primary", compact=True)
                    yield Button("Edit (e)", id="edit-action", compact=True)
                    yield Button("Next status (s)", id="status-action", compact=True)
                    yield Button("Remove (x)", id="remove-action", compact=True)
                yield _table("actions-table")
            with TabPane("Evaluation", id="out-evaluation"):
                with Horizontal(id="evaluation-split"):
                    with Vertical(id="evaluation-notes"):
                        with Horizontal(classes="outcome-buttons"):
                            yield Button("What worked (w)", id="add-worked", variant="primary", compact=True)
                            yield Button("To improve (i)", id="add-improve", variant="primary", compact=True)
                            yield Button("Remove (x)", id="remove-note", compact=True)
                        yield Label("What worked", classes="outcome-heading")
                        yield _table("worked-table")
                        yield Label("What to improve for the next event", classes="outcome-heading")
                        yield _table("improve-table")
                    with VerticalScroll(id="evaluation-questions", can_focus=False):
                        yield Label("Questions to ask", classes="outcome-heading")
                        for n, q in enumerate(self.svc.scenario.evaluation_questions, 1):
                            yield Static(f"{n}. {q}", markup=False, classes="evaluation-question")

    def on_mount(self) -> None:
        for table_id, columns in (
            ("decisions-table", ("Id", "Decision", "Proposal")),
            ("actions-table", ("Id", "What", "Owner", "Due", "Status")),
            ("worked-table", ("Id", "Note")),
            ("improve-table", ("Id", "Note")),
        ):
            table = self.query_one(f"#{table_id}", DataTable)
            for c in columns:
                table.add_column(c, key=c.lower())
        super().on_mount()

    def main_widget(self) -> DataTable:
        return self._current_table()

    def on_descendant_focus(self, event) -> None:
        if isinstance(event.widget, DataTable) and event.widget.id in ("worked-table", "improve-table"):
            self._note_table = event.widget.id

    @on(TabbedContent.TabActivated, "#outcomes-tabs")
    def _inner_tab(self, event: TabbedContent.TabActivated) -> None:
        # Our own tabs: not the session screen's business.
        event.stop()
        focused = self.screen.focused
        if focused is None or self not in focused.ancestors:
            return  # e.g. on mount, while another tab of the session is shown
        pane_id = event.pane.id or ""
        table_id = {"out-decisions": "decisions-table", "out-actions": "actions-table"}.get(pane_id, self._note_table)
        table = self.query_one(f"#{table_id}", DataTable)
        if self.screen.focused is not table:
            table.focus()

    def _current_table(self) -> DataTable:
        focused = self.screen.focused
        if isinstance(focused, DataTable) and self in focused.ancestors:
            return focused
        active = self.query_one("#outcomes-tabs", TabbedContent).active
        table_id = {"out-decisions": "decisions-table", "out-actions": "actions-table"}.get(active, self._note_table)
        return self.query_one(f"#{table_id}", DataTable)

    def _show_tab(self, tab: str, table_id: str) -> DataTable:
        if tab == "out-evaluation":
            self._note_table = table_id
        self.query_one("#outcomes-tabs", TabbedContent).active = tab
        table = self.query_one(f"#{table_id}", DataTable)
        table.focus()
        return table

    # -- loading ------------------------------------------------------------------
    def load(self) -> OutcomesView:
        return OutcomesView(
            decisions=self.svc.decisions(),
            actions=self.svc.actions(),
            notes=self.svc.evaluation_notes(),
            proposals={p.id: p for p in self.svc.proposals()},
        )

    def show(self, data: OutcomesView) -> None:
        self.data = data
        tabs = self.query_one("#outcomes-tabs", TabbedContent)
        tabs.get_tab("out-decisions").label = f"Decisions ({len(data.decisions)})"
        tabs.get_tab("out-actions").label = f"Actions ({len(data.actions)})"
        tabs.get_tab("out-evaluation").label = f"Evaluation ({len(data.notes)})"

        def proposal_cell(pid: str | None) -> Text:
            if not pid:
                return Text("–", style="dim")
            p = data.proposals.get(pid)
            cell = Text(pid, style="bold")
            if p is not None:
                cell.append(f" {p.title}")
            return cell

        self._fill("decisions-table", [
            (d.id, (Text(d.id), Text(d.text), proposal_cell(d.proposal_id))) for d in data.decisions
        ])
        self._fill("actions-table", [
            (a.id, (
                Text(a.id), Text(a.text), Text(a.owner), Text(a.due.isoformat() if a.due else "–"),
                Text(a.status.value.replace("_", " "), style=STATUS_STYLE.get(a.status.value, "")),
            ))
            for a in data.actions
        ])
        for kind in ("worked", "improve"):
            self._fill(f"{kind}-table", [
                (n.id, (Text(n.id), Text(n.text))) for n in data.notes if n.kind == kind
            ])

    def _fill(self, table_id: str, rows: list[tuple[str, tuple]]) -> None:
        table = self.query_one(f"#{table_id}", DataTable)
        keep = self._selected_key(table)
        table.clear()
        for key, cells in rows:
            table.add_row(*cells, key=key)
        keys = [k for k, _ in rows]
        if keep in keys:
            table.move_cursor(row=keys.index(keep), animate=False)

    @staticmethod
    def _selected_key(table: DataTable) -> str | None:
        if table.row_count == 0:
            return None
        try:
            return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:  # cursor outside the (just changed) table
            return None

    def _written(self, message: str) -> None:
        self.notify(message, markup=False)
        self.post_message(SessionChanged())

    # -- decisions -------------------------------------------------------------------
    def action_add_decision(self) -> None:
        self._show_tab("out-decisions", "decisions-table")
        proposals = self.svc.proposals(include_merged=False)

        def submit(v: dict) -> Decision:
            return self.svc.add_decision(v["text"], proposal=v["proposal"])

        def done(result: Done | None) -> None:
            if result is not None:
                self._written(f"Decision {result.result.id} added.")

        self.app.push_screen(DecisionDialog(proposals, submit), done)

    # -- actions ---------------------------------------------------------------------
    def _organisations(self) -> list[str]:
        orgs = {p.organisation for p in self.svc.participants()}
        orgs.update(a.name for a in self.svc.scenario.actors)
        return sorted(o for o in orgs if o)

    def action_add_action(self) -> None:
        self._show_tab("out-actions", "actions-table")

        def submit(v: dict) -> Action:
            return self.svc.add_action(v["text"], owner=v["owner"], due=v["due"], status=v["status"])

        def done(result: Done | None) -> None:
            if result is not None:
                self._written(f"Action {result.result.id} added.")

        self.app.push_screen(ActionDialog(submit, organisations=self._organisations()), done)

    def _selected_action(self) -> Action | None:
        table = self.query_one("#actions-table", DataTable)
        key = self._selected_key(table)
        action = next((a for a in self.data.actions if a.id == key), None)
        if action is None:
            self._show_tab("out-actions", "actions-table")
            self.notify("Choose an action in the list first (or add one with a).", severity="warning")
        return action

    def action_edit_action(self) -> None:
        action = self._selected_action()
        if action is None:
            return

        def submit(v: dict) -> Action:
            return self.svc.update_action(action.id, text=v["text"], owner=v["owner"], due=v["due"], status=v["status"])

        def done(result: Done | None) -> None:
            if result is not None:
                self._written(f"Action {action.id} saved.")

        self.app.push_screen(ActionDialog(submit, action=action, organisations=self._organisations()), done)

    def action_cycle_status(self) -> None:
        action = self._selected_action()
        if action is None:
            return
        nxt = STATUS_CYCLE[(STATUS_CYCLE.index(action.status) + 1) % len(STATUS_CYCLE)]
        self.act(self.svc.update_action, action.id, status=nxt.value,
                 done=f"Action {action.id} is now {nxt.value.replace('_', ' ')}.")

    # -- evaluation ------------------------------------------------------------------
    def action_add_note(self, kind: str) -> None:
        self._show_tab("out-evaluation", f"{kind}-table")

        def submit(v: dict) -> EvaluationNote:
            return self.svc.add_evaluation_note(v["kind"], v["text"])

        def done(result: Done | None) -> None:
            if result is not None:
                self._written(f"Evaluation note {result.result.id} added.")

        self.app.push_screen(NoteDialog(kind, submit), done)

    # -- removing --------------------------------------------------------------------
    def action_remove(self) -> None:
        table = self._current_table()
        key = self._selected_key(table)
        if key is None:
            self.notify("Nothing is selected to remove.", severity="warning")
            return
        if table.id == "decisions-table":
            item = next((d.text for d in self.data.decisions if d.id == key), "")
            what, op = "decision", self.svc.remove_decision
        elif table.id == "actions-table":
            item = next((a.text for a in self.data.actions if a.id == key), "")
            what, op = "action", self.svc.remove_action
        else:
            item = next((n.text for n in self.data.notes if n.id == key), "")
            what, op = "evaluation note", self.svc.remove_evaluation_note
        short = item if len(item) <= 80 else item[:77] + "…"

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.act(op, key, done=f"Removed {what} {key}.")

        self.app.push_screen(ConfirmDialog(f"Remove {what} {key} “{short}”?", confirm_label="Remove"), confirmed)

    # -- buttons -----------------------------------------------------------------------
    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        bid = event.button.id or ""
        if bid == "add-decision":
            self.action_add_decision()
        elif bid == "add-action":
            self.action_add_action()
        elif bid == "edit-action":
            self.action_edit_action()
        elif bid == "status-action":
            self.action_cycle_status()
        elif bid in ("add-worked", "add-improve"):
            self.action_add_note(bid.removeprefix("add-"))
        elif bid.startswith("remove-"):
            table_id = {"remove-decision": "decisions-table", "remove-action": "actions-table"}.get(
                bid, self._note_table
            )
            self.query_one(f"#{table_id}", DataTable).focus()
            self.call_after_refresh(self.action_remove)

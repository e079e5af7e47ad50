"""People tab: groups (tables) and participants, with their voting codes and scribes.

Voting codes are shown only here, on the facilitator's console, formatted ABCD-EFGH.
A lost badge's code can be revoked (the participant shows "revoked" until a new code
is issued). Each group's scribe types its proposals from the participant app.
Participants are added one by one or imported from a CSV file; the import report
names every row that could not be taken and why.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Label

from ...errors import RoundtableError
from ...models import Group, ImportReport, Participant, Role
from ...scenario import Sector
from ...service import format_code
from ..messages import SessionChanged
from ..screens.dialogs import ConfirmDialog
from ..screens.forms import FormField, FormScreen, ReportDialog, attempt, refill_table, table_key
from .base import SessionPane

ROLE_HELP = "Observers and facilitators do not vote and get no voting code."
NO_CODE = "—"
REVOKED = "revoked"
SCRIBE_MARK = "✎"


def article(noun: str) -> str:
    """'an observer', 'a facilitator'."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def code_cell(p: Participant) -> Text:
    """The voting code as shown on the console: ABCD-EFGH, 'revoked', or a dash for non-voters."""
    if p.code:
        return Text(format_code(p.code), style="bold")
    if p.role.votes:
        return Text(REVOKED, style="bold red")
    return Text(NO_CODE, style="dim")


def clip(text: str, width: int) -> str:
    """Shorten to `width` characters for a table cell; the full text is in the form."""
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass(frozen=True)
class PeopleData:
    groups: list[Group]
    participants: list[Participant]


class GroupsTable(DataTable):
    BINDINGS = [
        Binding("a", "add", "Add group"),
        Binding("e", "edit", "Rename"),
        Binding("d,delete", "remove", "Remove group"),
    ]

    def _pane(self) -> "PeoplePane":
        return self.query_ancestor(PeoplePane)

    def action_add(self) -> None:
        self._pane().add_group()

    def action_edit(self) -> None:
        self._pane().rename_group()

    def action_remove(self) -> None:
        self._pane().remove_group()


class ParticipantsTable(DataTable):
    BINDINGS = [
        Binding("a", "add", "Add"),
        Binding("e", "edit", "Edit"),
        Binding("d,delete", "remove", "Remove"),
        Binding("c", "reissue", "New code"),
        Binding("r", "revoke", "Revoke code", tooltip="Withdraw the code (a lost badge); c issues a new one"),
        Binding("s", "scribe", "Scribe", tooltip="Make the participant their group's scribe, or stop it"),
    ]

    def _pane(self) -> "PeoplePane":
        return self.query_ancestor(PeoplePane)

    def action_add(self) -> None:
        self._pane().add_participant()

    def action_edit(self) -> None:
        self._pane().edit_participant()

    def action_remove(self) -> None:
        self._pane().remove_participant()

    def action_reissue(self) -> None:
        self._pane().reissue_code()

    def action_revoke(self) -> None:
        self._pane().revoke_code()

    def action_scribe(self) -> None:
        self._pane().toggle_scribe()


class PeoplePane(SessionPane):
    BINDINGS = [
        Binding("i", "import_csv", "Import CSV"),
        Binding("g", "focus_groups", "Groups", show=False),
        Binding("p", "focus_participants", "Participants", show=False),
    ]

    data: PeopleData | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="people-body"):
            with Vertical(id="groups-box", classes="people-box"):
                yield Label("Groups", id="groups-title", classes="box-title")
                with Horizontal(classes="toolbar"):
                    yield Button("Add", id="group-add", compact=True)
                    yield Button("Rename", id="group-rename", compact=True)
                    yield Button("Remove", id="group-remove", compact=True)
                table = GroupsTable(id="groups-table", cursor_type="row", zebra_stripes=True)
                # Fixed widths (names are clipped to 20): the box is narrow and its columns
                # must not depend on when the table last measured its rows.
                table.add_column("Group", key="group", width=20)
                table.add_column("People", key="people", width=6)
                yield table
            with Vertical(id="participants-box", classes="people-box"):
                yield Label("Participants", id="participants-title", classes="box-title")
                with Horizontal(classes="toolbar"):
                    yield Button("Add", id="participant-add", compact=True)
                    yield Button("Edit", id="participant-edit", compact=True)
                    yield Button("Remove", id="participant-remove", compact=True)
                    yield Button("New code", id="participant-reissue", compact=True)
                    yield Button("Revoke", id="participant-revoke", compact=True)
                    yield Button("Scribe", id="participant-scribe", compact=True)
                    yield Button("Import CSV", id="participant-import", compact=True)
                table = ParticipantsTable(id="participants-table", cursor_type="row", zebra_stripes=True)
                # The scribe column is one cell wide: its header is the mark, and the title explains it.
                table.add_columns("Name", SCRIBE_MARK, "Code", "Role", "Group", "Organisation", "Sector")
                yield table

    def main_widget(self):
        return self.query_one("#participants-table")

    # -- loading -----------------------------------------------------------
    def load(self) -> PeopleData:
        return PeopleData(self.svc.groups(), self.svc.participants())

    def show(self, data: PeopleData) -> None:
        if data == self.data:
            return
        self.data = data
        names = {g.id: g.name for g in data.groups}
        counts: dict[str | None, int] = {}
        for p in data.participants:
            counts[p.group_id] = counts.get(p.group_id, 0) + 1
        refill_table(
            self.query_one("#groups-table", GroupsTable),
            [(g.id, (Text(clip(g.name, 20)), Text(str(counts.get(g.id, 0)), justify="right"))) for g in data.groups],
        )
        refill_table(
            self.query_one("#participants-table", ParticipantsTable),
            [
                (
                    p.id,
                    (
                        Text(clip(p.name, 24)),
                        Text(SCRIBE_MARK if p.scribe else "", style="bold cyan"),
                        code_cell(p),
                        Text(p.role.value, style="" if p.role.votes else "italic"),
                        Text(clip(names.get(p.group_id, "") if p.group_id else "", 16)),
                        Text(clip(p.organisation, 28)), Text(clip(p.sector, 16)),
                    ),
                )
                for p in data.participants
            ],
        )
        voters = sum(1 for p in data.participants if p.role.votes)
        revoked = sum(1 for p in data.participants if p.role.votes and not p.code)
        scribes = sum(1 for p in data.participants if p.scribe)
        title = f"Participants ({len(data.participants)}, {voters} voting"
        if scribes:
            title += f", {scribes} scribe{'s' if scribes != 1 else ''} {SCRIBE_MARK}"
        if revoked:
            title += f", {revoked} code{'s' if revoked != 1 else ''} revoked"
        self.query_one("#groups-title", Label).update(f"Groups ({len(data.groups)})")
        self.query_one("#participants-title", Label).update(title + ")")

    # -- selection helpers ---------------------------------------------------
    def selected_group(self) -> Group | None:
        key = table_key(self.query_one("#groups-table", GroupsTable))
        if self.data is None or key is None:
            return None
        return next((g for g in self.data.groups if g.id == key), None)

    def selected_participant(self) -> Participant | None:
        key = table_key(self.query_one("#participants-table", ParticipantsTable))
        if self.data is None or key is None:
            return None
        return next((p for p in self.data.participants if p.id == key), None)

    def _group_options(self) -> list[tuple[str, str]]:
        return [(g.name, g.id) for g in (self.data.groups if self.data else [])]

    def _sector_suggestions(self) -> list[str]:
        seen = [s.value for s in Sector]
        for p in self.data.participants if self.data else []:
            if p.sector and p.sector not in seen:
                seen.append(p.sector)
        return seen

    # -- groups ----------------------------------------------------------------
    def add_group(self) -> None:
        def submit(v: dict[str, Any]) -> str | None:
            return attempt(self, self.svc.add_group, v["name"], done=f"Group '{v['name'].strip()}' added.")

        self.app.push_screen(
            FormScreen("Add group", [FormField("name", "Name", placeholder="e.g. Table 1")], submit, submit_label="Add")
        )

    def rename_group(self) -> None:
        group = self.selected_group()
        if group is None:
            self.notify("Select a group to rename first.", severity="warning")
            return

        def submit(v: dict[str, Any]) -> str | None:
            return attempt(self, self.svc.rename_group, group.id, v["name"], done="Group renamed.")

        self.app.push_screen(FormScreen(f"Rename group {group.name}", [FormField("name", "Name", value=group.name)], submit))

    def remove_group(self) -> None:
        group = self.selected_group()
        if group is None:
            self.notify("Select a group to remove first.", severity="warning")
            return
        members = sum(1 for p in self.data.participants if p.group_id == group.id) if self.data else 0
        question = f"Remove group '{group.name}'?"
        if members:
            question += f" Its {members} participant(s) stay in the session without a group."

        def done(ok: bool | None) -> None:
            if ok:
                self.act(self.svc.remove_group, group.id, done=f"Group '{group.name}' removed.")

        self.app.push_screen(ConfirmDialog(question, confirm_label="Remove"), done)

    # -- participants ----------------------------------------------------------
    def _participant_fields(self, p: Participant | None) -> list[FormField]:
        default_group = p.group_id if p else (g.id if (g := self.selected_group()) else None)
        return [
            FormField("name", "Name", value=p.name if p else "", max_length=120),
            FormField("organisation", "Organisation", value=p.organisation if p else "", max_length=120),
            FormField(
                "sector", "Sector", value=p.sector if p else "", suggestions=self._sector_suggestions(),
                placeholder="hotel, taxi, police…", max_length=60,
            ),
            FormField("group", "Group", kind="select", value=default_group, options=self._group_options(),
                      placeholder="No group"),
            FormField(
                "role", "Role", kind="select", value=(p.role.value if p else Role.participant.value),
                options=[(r.value, r.value) for r in Role], allow_blank=False, help=ROLE_HELP,
            ),
        ]

    def add_participant(self) -> None:
        def submit(v: dict[str, Any]) -> str | None:
            return attempt(
                self, self.svc.add_participant, v["name"], organisation=v["organisation"], sector=v["sector"],
                group=v["group"] or None, role=v["role"], done=f"{v['name'].strip()} added.",
            )

        self.app.push_screen(FormScreen("Add participant", self._participant_fields(None), submit, submit_label="Add"))

    def edit_participant(self) -> None:
        p = self.selected_participant()
        if p is None:
            self.notify("Select a participant to edit first.", severity="warning")
            return

        def submit(v: dict[str, Any]) -> str | None:
            return attempt(
                self, self.svc.update_participant, p.id, name=v["name"], organisation=v["organisation"],
                sector=v["sector"], group=v["group"] or "", role=v["role"], done=f"{v['name'].strip()} saved.",
            )

        self.app.push_screen(FormScreen(f"Edit participant {p.name}", self._participant_fields(p), submit))

    def remove_participant(self) -> None:
        p = self.selected_participant()
        if p is None:
            self.notify("Select a participant to remove first.", severity="warning")
            return

        def done(ok: bool | None) -> None:
            if ok:
                self.act(self.svc.remove_participant, p.id, done=f"{p.name} removed.")

        question = f"Remove {p.name}" + (f" ({p.organisation})" if p.organisation else "") + " from the session?"
        self.app.push_screen(ConfirmDialog(question, confirm_label="Remove"), done)

    def reissue_code(self) -> None:
        p = self.selected_participant()
        if p is None:
            self.notify("Select a participant first.", severity="warning")
            return
        if not p.role.votes:
            self.notify(f"{p.name} is {article(p.role.value)} and has no voting code.", severity="warning", markup=False)
            return

        def done(ok: bool | None) -> None:
            if ok:
                new = self.act(self.svc.reissue_code, p.id)
                if new is not None:
                    self.notify(f"{p.name}'s new voting code is {format_code(new.code)}"
                                + ("; the old one no longer works." if p.code else "."),
                                markup=False, timeout=10)

        if p.code:
            question = f"Revoke {p.name}'s voting code {format_code(p.code)} and issue a new one?"
        else:
            question = f"Issue a new voting code for {p.name}? Their old code was revoked."
        self.app.push_screen(ConfirmDialog(question, confirm_label="New code"), done)

    def revoke_code(self) -> None:
        p = self.selected_participant()
        if p is None:
            self.notify("Select a participant first.", severity="warning")
            return
        if not p.role.votes:
            self.notify(f"{p.name} is {article(p.role.value)} and has no voting code.", severity="warning", markup=False)
            return
        if not p.code:
            self.notify(f"{p.name}'s voting code is already revoked; press c to issue a new one.",
                        severity="warning", markup=False)
            return

        def done(ok: bool | None) -> None:
            if ok:
                self.act(self.svc.revoke_code, p.id,
                         done=f"{p.name}'s voting code {format_code(p.code)} is revoked; c issues a new one.")

        self.app.push_screen(
            ConfirmDialog(
                f"Revoke {p.name}'s voting code {format_code(p.code)}? It stops working at once, in the booth "
                "and on their device, until you issue a new one (c).",
                confirm_label="Revoke",
            ),
            done,
        )

    def toggle_scribe(self) -> None:
        p = self.selected_participant()
        if p is None:
            self.notify("Select a participant first.", severity="warning")
            return
        group = next((g.name for g in self.data.groups if g.id == p.group_id), "") if self.data else ""
        if p.scribe:
            done = f"{p.name} is no longer a scribe" + (f" for {group}." if group else ".")
        else:
            done = f"{p.name} is now a scribe for {group}: they can type its proposals." if group else None
        self.act(self.svc.set_scribe, p.id, not p.scribe, done=done)

    # -- CSV import ------------------------------------------------------------
    def action_import_csv(self) -> None:
        reports: list[ImportReport] = []

        def submit(v: dict[str, Any]) -> str | None:
            path = os.path.expanduser(v["path"].strip().strip("'\""))
            if not path:
                return "Type the path of a CSV file."
            try:
                report = self.svc.import_participants_csv(path)
            except RoundtableError as exc:
                return str(exc)
            reports.append(report)
            self.post_message(SessionChanged())
            return None

        def closed(values: dict | None) -> None:
            if values is not None and reports:
                self.app.push_screen(import_report_dialog(values["path"].strip(), reports[0]))

        self.app.push_screen(
            FormScreen(
                "Import participants from CSV",
                [FormField("path", "CSV file", placeholder="/path/to/participants.csv",
                           help="Columns: name, organisation, sector, group (header row optional). "
                                "Unknown groups are created; everyone imported is a voting participant.")],
                submit, submit_label="Import",
            ),
            closed,
        )

    # -- focus and buttons -------------------------------------------------------
    def action_focus_groups(self) -> None:
        self.query_one("#groups-table").focus()

    def action_focus_participants(self) -> None:
        self.query_one("#participants-table").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        handlers = {
            "group-add": self.add_group,
            "group-rename": self.rename_group,
            "group-remove": self.remove_group,
            "participant-add": self.add_participant,
            "participant-edit": self.edit_participant,
            "participant-remove": self.remove_participant,
            "participant-reissue": self.reissue_code,
            "participant-revoke": self.revoke_code,
            "participant-scribe": self.toggle_scribe,
            "participant-import": self.action_import_csv,
        }
        handler = handlers.get(event.button.id or "")
        if handler:
            handler()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        # Enter (or a click on the highlighted row) edits it.
        event.stop()
        if event.data_table.id == "groups-table":
            self.rename_group()
        else:
            self.edit_participant()


def import_report_dialog(path: str, report: ImportReport) -> ReportDialog:
    added = len(report.added)
    summary = f"Added {added} participant{'s' if added != 1 else ''}."
    if report.groups_created:
        summary += f" Created {len(report.groups_created)} group(s)."
    if report.skipped:
        summary += f" Could not take {len(report.skipped)} row(s); fix them and import those rows again."
    else:
        summary += " Every row was taken."
    summary += f"\nFile: {path}"
    return ReportDialog(
        "CSV import report",
        summary,
        [
            ("Rows not taken", report.skipped, "rd-bad"),
            ("Groups created", report.groups_created, "rd-ok"),
        ],
    )

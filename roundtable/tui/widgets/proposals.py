"""Proposals tab: the board of every group's proposals.

One DataTable (no widget per proposal) so a board of a thousand proposals stays
quick: a reload builds the rows once in the worker thread, and the filters (group,
step, timeframe) are applied on the UI thread without touching the store. Filters
and the cursor survive reloads, so a proposal added by another process simply
appears. The highlighted proposal's full text is shown below the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, DataTable, Label, Select, Static

from ...errors import RoundtableError
from ...models import Group, Proposal, ProposalStatus
from ...scenario import Timeframe
from ..messages import SessionChanged
from ..screens.dialogs import ConfirmDialog
from ..screens.forms import FormField, FormScreen, attempt, refill_table, table_key
from .base import SessionPane

GROUP_MAX = 14
# Columns besides title and actors: ID, group, step, when, status, plus cell padding
# and the scrollbar. Title and actors share what is left of the table's width.
FIXED_COLUMNS = 5 + 4 + 6 + 9
PADDING = 7 * 2 + 2
SETTABLE_STATUSES = [s.value for s in ProposalStatus if s is not ProposalStatus.merged]


def clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def split_actors(text: str) -> list[str]:
    return [a.strip() for a in text.replace(";", ",").replace("\n", ",").split(",") if a.strip()]


class RawRow(NamedTuple):
    """A proposal's cells before title, group and actors are clipped to the table width."""

    id: Text
    group: str
    title: str
    step: Text
    timeframe: Text
    actors: str
    status: Text
    style: str


@dataclass
class Board:
    groups: list[Group]
    proposals: list[Proposal]
    rows: dict[str, RawRow] = field(default_factory=dict)

    def same(self, other: Board | None) -> bool:
        return other is not None and other.groups == self.groups and other.proposals == self.proposals


class ProposalsPane(SessionPane):
    BINDINGS = [
        Binding("a", "add", "Add"),
        Binding("e", "edit", "Edit"),
        Binding("d,delete", "delete", "Delete"),
        Binding("m", "merge", "Merge"),
        Binding("u", "unmerge", "Unmerge"),
        Binding("s", "status", "Status"),
        Binding("f", "focus_filters", "Filter"),
        Binding("x", "clear_filters", "Clear filters", show=False),
    ]

    board: Board | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._want: str | None = None  # proposal to put the cursor on after the next reload
        self._cell_cache: dict[str, tuple[RawRow, tuple[int, int, int], tuple[Text, ...]]] = {}
        steps = {s.number: s.name for s in self.svc.scenario.steps}
        self.step_names = {n: steps.get(n, "") for n in (1, 2, 3)}

    def compose(self) -> ComposeResult:
        with Horizontal(id="proposal-filters"):
            yield Select([], prompt="All groups", id="filter-group", compact=True)
            yield Select(
                [(Text(f"Step {n} {name}".strip()), n) for n, name in self.step_names.items()],
                prompt="All steps", id="filter-step", compact=True,
            )
            yield Select([(t.value, t.value) for t in Timeframe], prompt="All timeframes", id="filter-timeframe",
                         compact=True)
            yield Label("", id="proposal-count")
        with Horizontal(classes="toolbar"):
            for bid, label in (
                ("add", "Add"), ("edit", "Edit"), ("delete", "Delete"), ("merge", "Merge"),
                ("unmerge", "Unmerge"), ("status", "Status"), ("clear_filters", "Clear filters"),
            ):
                yield Button(label, id=f"proposal-{bid.replace('_', '-')}", name=bid, compact=True)
        table = DataTable(id="proposals-table", cursor_type="row", zebra_stripes=True)
        table.add_column("ID", key="id")
        table.add_column("Group", key="group")
        table.add_column("Title", key="title")
        table.add_column("Step", key="step")
        table.add_column("When", key="timeframe")
        table.add_column("Actors", key="actors")
        table.add_column("Status", key="status")
        yield table
        with VerticalScroll(id="proposal-detail"):
            yield Static("", id="proposal-detail-text", markup=False)

    def main_widget(self):
        return self.query_one("#proposals-table")

    # -- loading (worker thread) -------------------------------------------------
    def load(self) -> Board:
        board = Board(self.svc.groups(), self.svc.proposals())
        previous = self.board
        if board.same(previous):
            board.rows = previous.rows
            return board
        names = {g.id: g.name for g in board.groups}
        # Rows of unchanged proposals are reused: only what changed is rebuilt.
        reuse = previous is not None and previous.groups == board.groups
        before = {p.id: p for p in previous.proposals} if reuse else {}
        for p in board.proposals:
            if reuse and before.get(p.id) == p:
                board.rows[p.id] = previous.rows[p.id]
                continue
            merged = p.status is ProposalStatus.merged
            style = "dim" if merged else ""
            status = Text(f"→ {p.merged_into}" if merged else p.status.value, style={
                "adopted": "bold green", "rejected": "red", "deferred": "yellow",
            }.get(p.status.value, style))
            board.rows[p.id] = RawRow(
                Text(p.id, style=style), names.get(p.group_id, p.group_id), p.title,
                Text(str(p.step) if p.step else "", justify="center", style=style),
                Text(p.timeframe or "", style=style), ", ".join(p.actors), status, style,
            )
        return board

    def show(self, board: Board) -> None:
        if board.same(self.board):
            return
        self.board = board
        self._cell_cache = {k: v for k, v in self._cell_cache.items() if k in board.rows}
        self._update_group_filter(board.groups)
        self._refill()

    # -- filtering ---------------------------------------------------------------
    def _update_group_filter(self, groups: list[Group]) -> None:
        select = self.query_one("#filter-group", Select)
        options = [(g.name, g.id) for g in groups]
        if getattr(select, "_rt_options", None) == options:
            return
        value = select.value
        select._rt_options = options  # type: ignore[attr-defined]
        select.set_options([(Text(name), gid) for name, gid in options])
        if value is not Select.NULL and any(gid == value for _, gid in options):
            select.value = value

    def filters(self) -> tuple[str | None, int | None, str | None]:
        def val(sel_id: str) -> Any:
            v = self.query_one(sel_id, Select).value
            return None if v is Select.NULL else v

        return val("#filter-group"), val("#filter-step"), val("#filter-timeframe")

    def visible(self) -> list[Proposal]:
        if self.board is None:
            return []
        group, step, timeframe = self.filters()
        return [
            p for p in self.board.proposals
            if (group is None or p.group_id == group)
            and (step is None or p.step == step)
            and (timeframe is None or p.timeframe == timeframe)
        ]

    def _refill(self) -> None:
        if self.board is None:
            return
        shown = self.visible()
        table = self.query_one("#proposals-table", DataTable)
        widths = self._widths()
        refill_table(table, [(p.id, self._cells(p.id, widths)) for p in shown])
        if self._want is not None:
            keys = [p.id for p in shown]
            if self._want in keys:
                table.move_cursor(row=keys.index(self._want))
                self._want = None
        total = len(self.board.proposals)
        merged = sum(1 for p in self.board.proposals if p.status is ProposalStatus.merged)
        count = f"{len(shown)} of {total} shown" if len(shown) != total else f"{total} proposal{'' if total == 1 else 's'}"
        if merged:
            count += f" · {merged} merged"
        self.query_one("#proposal-count", Label).update(count)
        self._show_detail()

    def _widths(self) -> tuple[int, int, int]:
        """Widths for the group, title and actors columns so the row fits the table."""
        table = self.query_one("#proposals-table", DataTable)
        width = table.size.width or self.size.width or 100
        groups = self.board.groups if self.board else []
        group_w = max(5, min(GROUP_MAX, max((len(g.name) for g in groups), default=5)))
        rest = max(24, width - PADDING - FIXED_COLUMNS - group_w)
        actors_w = max(8, min(30, rest * 35 // 100))
        return group_w, max(16, rest - actors_w), actors_w

    def _cells(self, pid: str, widths: tuple[int, int, int]) -> tuple[Text, ...]:
        raw = self.board.rows[pid]  # type: ignore[union-attr]
        hit = self._cell_cache.get(pid)
        if hit is not None and hit[0] is raw and hit[1] == widths:
            return hit[2]
        group_w, title_w, actors_w = widths
        cells = (
            raw.id, Text(clip(raw.group, group_w), style=raw.style), Text(clip(raw.title, title_w), style=raw.style),
            raw.step, raw.timeframe, Text(clip(raw.actors, actors_w), style=raw.style), raw.status,
        )
        self._cell_cache[pid] = (raw, widths, cells)
        return cells

    def on_resize(self) -> None:
        if self.board is not None:
            self._refill()

    def on_select_changed(self, event: Select.Changed) -> None:
        if (event.select.id or "").startswith("filter-"):
            event.stop()
            self._refill()

    def action_clear_filters(self) -> None:
        for sel in ("#filter-group", "#filter-step", "#filter-timeframe"):
            self.query_one(sel, Select).clear()

    def action_focus_filters(self) -> None:
        self.query_one("#filter-group", Select).focus()

    # -- selection and detail ------------------------------------------------------
    def selected(self) -> Proposal | None:
        key = table_key(self.query_one("#proposals-table", DataTable))
        if key is None or self.board is None:
            return None
        return next((p for p in self.board.proposals if p.id == key), None)

    def _group_name(self, gid: str | None) -> str:
        if self.board is None or gid is None:
            return ""
        return next((g.name for g in self.board.groups if g.id == gid), gid)

    def _show_detail(self) -> None:
        p = self.selected()
        out = Text()
        if p is None:
            if self.board is not None and self.board.proposals:
                out.append("No proposal matches the filters (x clears them).", style="dim")
            else:
                out.append("No proposals yet: press a to add a group's proposal.", style="dim")
        else:
            meta = [p.id, self._group_name(p.group_id)]
            if p.step:
                meta.append(f"step {p.step} {self.step_names.get(p.step, '')}".strip())
            if p.timeframe:
                meta.append(p.timeframe)
            meta.append(p.status.value)
            out.append(" · ".join(meta), style="dim")
            out.append("\n")
            out.append(p.title, style="bold")
            if p.text:
                out.append("\n")
                out.append(p.text)
            if p.actors:
                out.append("\nResponsible: ", style="bold")
                out.append(", ".join(p.actors))
            if p.merged_into:
                target = next((q for q in self.board.proposals if q.id == p.merged_into), None) if self.board else None
                out.append(f"\nMerged into {p.merged_into}", style="italic")
                if target:
                    out.append(f": {target.title}", style="italic")
            dupes = [q.id for q in self.board.proposals if q.merged_into == p.id] if self.board else []
            if dupes:
                out.append(f"\nMerged into this one: {', '.join(dupes)}", style="italic")
        self.query_one("#proposal-detail-text", Static).update(out)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        action = getattr(self, f"action_{event.button.name}", None)
        if action:
            action()

    def _need(self, what: str) -> Proposal | None:
        p = self.selected()
        if p is None:
            self.notify(f"Select a proposal to {what} first.", severity="warning")
        return p

    # -- forms -----------------------------------------------------------------
    def _fields(self, p: Proposal | None) -> list[FormField]:
        group, step, timeframe = self.filters()
        if p is None:
            current = self.selected()
            group = group or (current.group_id if current else None)
            if timeframe is None:
                timeframe = self._current_timeframe()
        groups = self.board.groups if self.board else []
        actors = [a.name for a in self.svc.scenario.actors]
        return [
            FormField("group", "Group", kind="select", value=p.group_id if p else (group or groups[0].id),
                      options=[(g.name, g.id) for g in groups], allow_blank=False),
            FormField("title", "Title", value=p.title if p else "", max_length=200),
            FormField("text", "Description", kind="text", value=p.text if p else ""),
            FormField("step", "Step", kind="select", value=p.step if p else step, placeholder="No step",
                      options=[(f"{n} {name}".strip(), n) for n, name in self.step_names.items()]),
            FormField("timeframe", "Timeframe", kind="select", value=p.timeframe if p else timeframe,
                      placeholder="No timeframe", options=[(t.value, t.value) for t in Timeframe]),
            FormField("actors", "Responsible", value=", ".join(p.actors) if p else "",
                      placeholder="actors, separated by commas"),
            FormField("pick", "", kind="pick", target="actors", placeholder="Add an actor from the scenario…",
                      options=[(a, a) for a in actors]),
        ]

    def _current_timeframe(self) -> str | None:
        phase_id = self.svc.current_phase_id()
        phase = next((ph for ph in self.svc.scenario.phases if ph.id == phase_id), None)
        return phase.timeframe.value if phase else None

    def action_add(self) -> None:
        if self.board is None:
            return
        if not self.board.groups:
            self.notify("Add a group first (People tab, key 2): every proposal belongs to a group.",
                        severity="warning")
            return

        def submit(v: dict[str, Any]) -> str | None:
            try:
                p = self.svc.add_proposal(
                    v["group"] or "", v["title"], text=v["text"], step=v["step"], timeframe=v["timeframe"],
                    actors=split_actors(v["actors"]),
                )
            except RoundtableError as exc:
                return str(exc)
            self._want = p.id
            g, s, t = self.filters()
            hidden = (g and g != p.group_id) or (s and s != p.step) or (t and t != p.timeframe)
            self.notify(f"{p.id} added" + (" (hidden by the current filter)." if hidden else "."), markup=False)
            self.post_message(SessionChanged())
            return None

        self.app.push_screen(FormScreen("Add proposal", self._fields(None), submit, submit_label="Add"))

    def action_edit(self) -> None:
        p = self._need("edit")
        if p is None:
            return

        def submit(v: dict[str, Any]) -> str | None:
            return attempt(
                self, self.svc.update_proposal, p.id, group=v["group"], title=v["title"], text=v["text"],
                step=v["step"], timeframe=v["timeframe"], actors=split_actors(v["actors"]), done=f"{p.id} saved.",
            )

        self.app.push_screen(FormScreen(f"Edit proposal {p.id}", self._fields(p), submit))

    def action_delete(self) -> None:
        p = self._need("delete")
        if p is None:
            return

        def done(ok: bool | None) -> None:
            if ok:
                self.act(self.svc.delete_proposal, p.id, done=f"{p.id} deleted.")

        self.app.push_screen(ConfirmDialog(f"Delete {p.id} '{p.title}'? This cannot be undone.", confirm_label="Delete"),
                             done)

    def action_merge(self) -> None:
        p = self._need("merge")
        if p is None or self.board is None:
            return
        if p.status is ProposalStatus.merged:
            self.notify(f"{p.id} is already merged into {p.merged_into}; press u to unmerge it.", severity="warning")
            return
        targets = [
            (f"{q.id} · {self._group_name(q.group_id)} · {clip(q.title, 60)}", q.id)
            for q in self.board.proposals if q.id != p.id and q.status is not ProposalStatus.merged
        ]
        if not targets:
            self.notify("There is no other proposal to merge into.", severity="warning")
            return

        def submit(v: dict[str, Any]) -> str | None:
            if not v["into"]:
                return "Choose the proposal it duplicates."
            return attempt(self, self.svc.merge_proposal, p.id, v["into"], done=f"{p.id} merged into {v['into']}.")

        self.app.push_screen(FormScreen(
            f"Merge {p.id} '{clip(p.title, 50)}' into…",
            [FormField("into", "Merge into", kind="select", options=targets, placeholder="Choose a proposal",
                       help="The merged proposal stays in the minutes and points to the one it was merged into. "
                            "Type a proposal id (e.g. P3) in the open list to jump to it.")],
            submit, submit_label="Merge",
        ))

    def action_unmerge(self) -> None:
        p = self._need("unmerge")
        if p is None:
            return
        self.act(self.svc.unmerge_proposal, p.id, done=f"{p.id} is a proposal of its own again.")

    def action_status(self) -> None:
        p = self._need("set the status of")
        if p is None:
            return
        if p.status is ProposalStatus.merged:
            self.notify(f"{p.id} is merged into {p.merged_into}; unmerge it (u) before setting its status.",
                        severity="warning")
            return

        def submit(v: dict[str, Any]) -> str | None:
            return attempt(self, self.svc.update_proposal, p.id, status=v["status"],
                           done=f"{p.id} is now {v['status']}.")

        self.app.push_screen(FormScreen(
            f"Status of {p.id}",
            [FormField("status", "Status", kind="select", value=p.status.value, allow_blank=False,
                       options=[(s, s) for s in SETTABLE_STATUSES])],
            submit,
        ))

"""The voting pane: open a dot-voting round, follow it (counts only), close it, see the ranking.

While a round is open its results are sealed: the pane shows how many eligible voters
have voted and whether a paper tally was entered, never points.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Select, Static

from ...models import Proposal, Round, RoundResults, RoundStatus
from ..messages import SessionChanged
from ..screens.dialogs import ConfirmDialog
from ..screens.vote_forms import Done, OpenRoundDialog, PaperTallyDialog
from .base import SessionPane

BAR_WIDTH = 16
_EIGHTHS = " ▏▎▍▌▋▊▉█"


def text_bar(points: int, top: int, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of `width` cells for points out of top (eighth-cell resolution)."""
    if top <= 0 or points <= 0:
        return ""
    eighths = round(points / top * width * 8)
    full, part = divmod(max(eighths, 1), 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def _hhmm(t) -> str:
    return t.astimezone().strftime("%H:%M") if t else "–"


@dataclass
class VotingView:
    rounds: list[Round] = field(default_factory=list)
    round: Round | None = None
    status: RoundStatus | None = None
    results: RoundResults | None = None
    proposals: dict[str, Proposal] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)

    @property
    def open_round(self) -> Round | None:
        return next((r for r in self.rounds if r.is_open), None)


class VotingPane(SessionPane):
    BINDINGS = [
        Binding("o", "open_round", "Open round", show=True),
        Binding("b", "open_booth", "Voting booth", show=True),
        Binding("t", "paper_tally", "Paper tally", show=True),
        Binding("c", "close_round", "Close round", show=True),
    ]

    def __init__(self, svc, **kwargs) -> None:
        super().__init__(svc, **kwargs)
        self.view_round: int | None = None  # None: follow the latest round
        self.data = VotingView()
        self._table_mode = ""

    def compose(self) -> ComposeResult:
        with Horizontal(id="vote-top"):
            yield Select([], prompt="No rounds yet", id="round-select", compact=True)
            yield Button("Open round", id="vote-open", compact=True)
            yield Button("Booth", id="vote-booth", variant="primary", compact=True)
            yield Button("Paper tally", id="vote-tally", compact=True)
            yield Button("Close round", id="vote-close", variant="error", compact=True)
        yield Static("", id="round-summary")
        yield Static("", id="round-progress")
        yield Static("", id="tie-banner")
        yield DataTable(id="round-table", cursor_type="row", zebra_stripes=True)

    def main_widget(self) -> DataTable:
        # Keys o/b/t/c belong to the pane.
        return self.query_one("#round-table", DataTable)

    # -- loading ----------------------------------------------------------------
    def load(self) -> VotingView:
        svc = self.svc
        view = VotingView(
            rounds=svc.rounds(),
            proposals={p.id: p for p in svc.proposals()},
            groups={g.id: g.name for g in svc.groups()},
        )
        if not view.rounds:
            return view
        wanted = self.view_round
        by_id = {r.id: r for r in view.rounds}
        view.round = by_id.get(wanted) if wanted in by_id else view.rounds[-1]
        if view.round.is_open:
            view.status = svc.round_status(view.round.id)
        else:
            view.results = svc.results(view.round.id)
        return view

    def show(self, data: VotingView) -> None:
        self.data = data
        self._show_round_select(data)
        self._show_buttons(data)
        summary = self.query_one("#round-summary", Static)
        progress = self.query_one("#round-progress", Static)
        banner = self.query_one("#tie-banner", Static)
        banner.display = False
        table = self.query_one("#round-table", DataTable)
        r = data.round
        if r is None:
            summary.update(Text("No voting round yet. Press o (Open round) to vote on the proposals with dots."))
            ready = [p for p in data.proposals.values() if p.status.value != "merged"]
            progress.update(Text(f"{len(ready)} proposal{'s' if len(ready) != 1 else ''} can go into a round."))
            self._set_mode(table, "none")
            for n, p in enumerate(ready, 1):
                table.add_row(str(n), self._proposal_cell(data, p.id), Text(data.groups.get(p.group_id, p.group_id)),
                              key=p.id)
            return
        head = Text(f"Round {r.id}", style="bold")
        if r.title:
            head.append(f" · {r.title}")
        head.append(f" · {r.dots} dots per participant, at most {r.max_per_proposal} per proposal · ")
        if r.is_open:
            head.append("OPEN", style="bold green")
            head.append(f" since {_hhmm(r.opened_at)}")
            summary.update(head)
            self._show_open(data, progress, table)
        else:
            head.append("closed", style="bold")
            head.append(f" at {_hhmm(r.closed_at)}")
            summary.update(head)
            self._show_results(data, progress, banner, table)

    def _show_round_select(self, data: VotingView) -> None:
        select = self.query_one("#round-select", Select)
        options = []
        for r in reversed(data.rounds):
            state = "open" if r.is_open else f"closed {_hhmm(r.closed_at)}"
            options.append((Text(f"Round {r.id} · {state}"), r.id))
        with select.prevent(Select.Changed):
            select.set_options(options)
            if data.round is not None:
                select.value = data.round.id

    def _show_buttons(self, data: VotingView) -> None:
        is_open = data.open_round is not None
        viewing_open = data.round is not None and data.round.is_open
        self.query_one("#vote-open", Button).disabled = is_open
        self.query_one("#vote-booth", Button).disabled = not is_open
        self.query_one("#vote-tally", Button).disabled = not viewing_open
        self.query_one("#vote-close", Button).disabled = not is_open

    def _set_mode(self, table: DataTable, mode: str) -> None:
        if mode != self._table_mode:
            table.clear(columns=True)
            if mode in ("open", "none"):
                table.add_column("#", key="n")
                table.add_column("Proposal in this round" if mode == "open" else "Proposal", key="proposal")
                table.add_column("Group", key="group")
            elif mode == "results":
                # Proposal last: a long title may run off the right edge, never the tie flag.
                # Fixed widths: the ranking must not shift as rows arrive.
                table.add_column("Rank", key="rank", width=4)
                table.add_column("Tie", key="tie", width=len("TIE for 1st"))
                table.add_column("Points", key="points", width=6)
                table.add_column("", key="bar", width=BAR_WIDTH)
                table.add_column("Proposal", key="proposal")
            self._table_mode = mode
        else:
            table.clear()

    def _proposal_cell(self, data: VotingView, pid: str) -> Text:
        p = data.proposals.get(pid)
        cell = Text(pid, style="bold")
        if p is not None:
            cell.append("  ")
            cell.append(p.title)
        return cell

    def _show_open(self, data: VotingView, progress: Static, table: DataTable) -> None:
        st = data.status
        assert st is not None
        line = Text(f"{st.ballots_cast} of {st.eligible} eligible voters have voted", style="bold")
        line.append(" · paper tally entered" if st.paper_entered else " · no paper tally")
        line.append("\nResults are sealed until you close the round.", style="italic")
        progress.update(line)
        self._set_mode(table, "open")
        for n, pid in enumerate(st.round.proposals, 1):
            p = data.proposals.get(pid)
            group = data.groups.get(p.group_id, p.group_id) if p else ""
            table.add_row(str(n), self._proposal_cell(data, pid), Text(group), key=pid)

    def _show_results(self, data: VotingView, progress: Static, banner: Static, table: DataTable) -> None:
        res = data.results
        assert res is not None
        line = Text(f"{res.ballots_cast} of {res.eligible} eligible voters voted", style="bold")
        if res.paper_points:
            line.append(f" · {res.paper_points} point{'s' if res.paper_points != 1 else ''} from a paper or wall tally")
        else:
            line.append(" · no paper tally")
        progress.update(line)
        if res.tie_for_first:
            first = [x.proposal for x in res.results if x.rank == 1]
            banner.update(Text(f"TIE FOR FIRST PLACE: {', '.join(first)} share rank 1.", style="bold"))
            banner.display = True
        self._set_mode(table, "results")
        top = max((x.points for x in res.results), default=0)
        for x in res.results:
            first_tie = x.tied and x.rank == 1
            rank = Text(str(x.rank), style="bold reverse" if first_tie else "bold")
            table.add_row(
                rank,
                Text("TIE for 1st" if first_tie else ("tie" if x.tied else ""), style="bold yellow" if x.tied else ""),
                Text(str(x.points), justify="right"),
                Text(text_bar(x.points, top), style="green"),
                self._proposal_cell(data, x.proposal),
                key=x.proposal,
            )

    # -- choosing a round -----------------------------------------------------------
    @on(Select.Changed, "#round-select")
    def _round_chosen(self, event: Select.Changed) -> None:
        if event.value is Select.NULL:
            return
        latest = self.data.rounds[-1].id if self.data.rounds else None
        self.view_round = None if event.value == latest else int(event.value)
        self.reload()

    # -- actions ------------------------------------------------------------------
    def action_open_round(self) -> None:
        current = self.svc.open_round_now()
        if current is not None:
            self.notify(f"Round {current.id} is still open; close it before opening another.", severity="warning")
            return
        proposals = self.svc.proposals(include_merged=False)
        if not proposals:
            self.notify("There are no proposals to vote on; add proposals first.", severity="warning")
            return
        groups = {g.id: g.name for g in self.svc.groups()}

        def submit(v: dict) -> Round:
            return self.svc.open_round(dots=v["dots"], max_per_proposal=v["max_per_proposal"], proposals=v["proposals"])

        def opened(result: Done | None) -> None:
            if result is not None:
                r: Round = result.result
                self.view_round = None
                self._written(f"Round {r.id} is open: {len(r.proposals)} proposals, {r.dots} dots each.")

        self.app.push_screen(OpenRoundDialog(proposals, groups, submit), opened)

    def action_open_booth(self) -> None:
        if self.svc.open_round_now() is None:
            self.notify("No voting round is open; open one first (o).", severity="warning")
            return
        from ..screens.booth import BoothScreen

        self.app.push_screen(BoothScreen(self.svc), lambda _=None: self.post_message(SessionChanged()))

    def action_paper_tally(self) -> None:
        r = self.data.round if self.data.round is not None and self.data.round.is_open else self.svc.open_round_now()
        if r is None or not r.is_open:
            self.notify("No voting round is open; paper tallies go into an open round.", severity="warning")
            return
        status = self.svc.round_status(r.id)
        props = {p.id: p for p in self.svc.proposals()}
        groups = {g.id: g.name for g in self.svc.groups()}
        ordered = [props[pid] for pid in r.proposals if pid in props]

        def submit(v: dict) -> dict:
            return self.svc.enter_paper_tally(v["tallies"], round_id=r.id)

        def saved(result: Done | None) -> None:
            if result is not None:
                total = sum(result.result.values())
                self._written(f"Paper tally saved for round {r.id} ({total} points, sealed until close).")

        self.app.push_screen(PaperTallyDialog(r.id, ordered, groups, submit, status.paper_entered), saved)

    def action_close_round(self) -> None:
        r = self.svc.open_round_now()
        if r is None:
            self.notify("No voting round is open.", severity="warning")
            return
        status = self.svc.round_status(r.id)
        question = (
            f"Close round {r.id}? {status.ballots_cast} of {status.eligible} eligible voters have voted"
            f"{' and a paper tally was entered' if status.paper_entered else ''}. "
            "No ballot can be cast or changed afterwards, and the results will be shown."
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.view_round = None
                self.act(self.svc.close_round, done=f"Round {r.id} closed; the ranking is shown.")

        self.app.push_screen(ConfirmDialog(question, confirm_label="Close round"), confirmed)

    def _written(self, message: str) -> None:
        self.notify(message, markup=False)
        self.post_message(SessionChanged())

    @on(Button.Pressed, "#vote-open")
    def _open_pressed(self) -> None:
        self.action_open_round()

    @on(Button.Pressed, "#vote-booth")
    def _booth_pressed(self) -> None:
        self.action_open_booth()

    @on(Button.Pressed, "#vote-tally")
    def _tally_pressed(self) -> None:
        self.action_paper_tally()

    @on(Button.Pressed, "#vote-close")
    def _close_pressed(self) -> None:
        self.action_close_round()

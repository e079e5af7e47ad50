"""The voting pane: open a round (dot, approval, score, Borda, consent), follow it, close it, see the results.

While a round is open its results are sealed (unless it was opened with live results):
the pane shows how many eligible voters (or groups) have voted and whether a paper
tally was entered, never points. Once closed, the facilitator sees the ranking (or the
consent outcome) at once; when it is shown to participants depends on the round's
reveal setting, and the pane says which is the case. A tie for first place or at the
shortlist's cut-off is flagged with a way to settle it (s): runoff, draw or decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Select, Static

from ...errors import RoundtableError
from ...models import Proposal, Round, RoundResults, RoundStatus
from ...render import settlement_sentence, turnout_sentence
from ..messages import SessionChanged
from ..screens.dialogs import ConfirmDialog
from ..screens.vote_forms import (
    BallotsDialog, Done, OpenRoundDialog, PaperTallyDialog, SettleTieDialog, method_rules,
    round_settings, tie_words,
)
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
    names: dict[str, str] = field(default_factory=dict)  # participant id -> name

    @property
    def open_round(self) -> Round | None:
        return next((r for r in self.rounds if r.is_open), None)


class VotingPane(SessionPane):
    BINDINGS = [
        Binding("o", "open_round", "Open round", show=True),
        Binding("b", "open_booth", "Voting booth", show=True),
        Binding("t", "paper_tally", "Paper tally", show=True),
        Binding("c", "close_round", "Close round", show=True),
        Binding("r", "reveal_results", "Reveal results", show=True,
                tooltip="Show the closed round's results on participants' devices and the projector"),
        Binding("s", "settle_tie", "Settle tie", show=True,
                tooltip="Settle the round's tie by a runoff, a draw or a decision"),
        Binding("v", "view_ballots", "Ballots", show=True, tooltip="The closed round's ballots"),
    ]

    def __init__(self, svc, **kwargs) -> None:
        super().__init__(svc, **kwargs)
        self.view_round: int | None = None  # None: follow the latest round
        self.data = VotingView()
        self._table_mode = ""

    def compose(self) -> ComposeResult:
        with Horizontal(id="vote-top"):
            yield Select([], prompt="No rounds yet", id="round-select", compact=True)
            yield Button("Ballots", id="vote-ballots", compact=True)
        with Horizontal(id="vote-actions"):
            yield Button("Open round", id="vote-open", compact=True)
            yield Button("Booth", id="vote-booth", variant="primary", compact=True)
            yield Button("Paper tally", id="vote-tally", compact=True)
            yield Button("Close round", id="vote-close", variant="error", compact=True)
            yield Button("Reveal results", id="vote-reveal", variant="warning", compact=True)
        yield Static("", id="round-summary")
        yield Static("", id="reveal-state")
        yield Static("", id="round-progress")
        with Horizontal(id="tie-box"):
            yield Static("", id="tie-banner")
            yield Button("Settle tie", id="vote-settle", variant="warning", compact=True)
        yield Static("", id="consent-outcome")
        yield DataTable(id="round-table", cursor_type="row", zebra_stripes=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Keys that only make sense for some rounds stay out of the footer otherwise.
        res, r = self.data.results, self.data.round
        if action == "settle_tie":
            return r is not None and not r.is_open and res is not None and res.tie is not None \
                and res.tie.settlement is None
        if action == "view_ballots":
            return r is not None and not r.is_open
        if action == "paper_tally":
            return r is None or not r.is_open or r.method in ("dot", "approval")
        return True

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
            names={p.id: p.name for p in svc.participants()},
        )
        if not view.rounds:
            return view
        wanted = self.view_round
        by_id = {r.id: r for r in view.rounds}
        view.round = by_id.get(wanted) if wanted in by_id else view.rounds[-1]
        if view.round.is_open:
            view.status = svc.round_status(view.round.id)
            if view.round.reveal == "live":
                view.results = svc.results(view.round.id)
        else:
            view.results = svc.results(view.round.id)
        return view

    def show(self, data: VotingView) -> None:
        self.data = data
        self.refresh_bindings()
        self._show_round_select(data)
        self._show_buttons(data)
        summary = self.query_one("#round-summary", Static)
        progress = self.query_one("#round-progress", Static)
        self.query_one("#tie-box").display = False
        self.query_one("#consent-outcome").display = False
        table = self.query_one("#round-table", DataTable)
        r = data.round
        self._show_reveal_state(r)
        if r is None:
            summary.update(Text("No voting round yet. Press o (Open round) to vote on the proposals: dots, approval, "
                                "scores, a ranking or a consent check."))
            ready = [p for p in data.proposals.values() if p.status.value != "merged"]
            progress.update(Text(f"{len(ready)} proposal{'s' if len(ready) != 1 else ''} can go into a round."))
            self._set_mode(table, "none")
            for n, p in enumerate(ready, 1):
                table.add_row(str(n), self._proposal_cell(data, p.id), Text(data.groups.get(p.group_id, p.group_id)),
                              key=p.id)
            return
        head = Text(f"Round {r.id}", style="bold")
        if r.title:
            head.append(" · ")
            head.append(r.title)
        head.append(" · ")
        if r.is_open:
            head.append("OPEN", style="bold green")
            head.append(f" since {_hhmm(r.opened_at)}")
        else:
            head.append("closed", style="bold")
            head.append(f" at {_hhmm(r.closed_at)}")
        head.append("\n")
        head.append(method_rules(r), style="bold")
        head.append(" · " + round_settings(r), style="dim")
        if r.runoff_of is not None and (r.title != f"Runoff of round {r.runoff_of}" or r.tied_at_cutoff):
            head.append(f"\nRunoff of round {r.runoff_of}")
            if r.tied_at_cutoff:
                head.append(f" · {', '.join(r.tied_at_cutoff)} tied at the cut-off and came along", style="yellow")
        summary.update(head)
        if r.is_open:
            self._show_open(data, progress, table)
        else:
            self._show_results(data, progress, table)

    def _show_reveal_state(self, r: Round | None) -> None:
        state = self.query_one("#reveal-state", Static)
        mode = getattr(r, "reveal", "manual") if r is not None else "manual"
        line = Text()
        if r is None:
            pass
        elif r.is_open:
            # Sealed for everyone unless the round was opened to show results while it runs;
            # the progress line says so.
            if mode == "live":
                line.append("Shown to participants live", style="bold green")
                line.append(" while the round is open (their devices and the projector).", style="dim")
            elif mode == "after-vote":
                line.append("Shown to each participant after they vote", style="bold green")
                line.append(" · the projector waits until the round closes.", style="dim")
        elif r.revealed_at is None:
            line.append("Sealed for participants", style="bold yellow")
            line.append(" and the projector · press r to reveal the results", style="dim")
        else:
            line.append(f"Shown to participants since {_hhmm(r.revealed_at)}", style="bold green")
            line.append(" (their devices and the projector).", style="dim")
        state.display = bool(line.plain)
        state.update(line)

    def _show_round_select(self, data: VotingView) -> None:
        select = self.query_one("#round-select", Select)
        options = []
        for r in reversed(data.rounds):
            state = "open" if r.is_open else f"closed {_hhmm(r.closed_at)}"
            method = "Borda" if r.method == "borda" else r.method
            options.append((Text(f"Round {r.id} · {method} · {state}"), r.id))
        with select.prevent(Select.Changed):
            select.set_options(options)
            if data.round is not None:
                select.value = data.round.id

    def _show_buttons(self, data: VotingView) -> None:
        is_open = data.open_round is not None
        viewing_open = data.round is not None and data.round.is_open
        self.query_one("#vote-open", Button).disabled = is_open
        self.query_one("#vote-booth", Button).disabled = not is_open
        self.query_one("#vote-tally", Button).disabled = not viewing_open or data.round.method not in ("dot", "approval")
        self.query_one("#vote-ballots", Button).disabled = data.round is None or data.round.is_open
        self.query_one("#vote-close", Button).disabled = not is_open
        viewed = data.round
        self.query_one("#vote-reveal", Button).disabled = (
            viewed is None or viewed.is_open or viewed.revealed_at is not None
        )

    def _set_mode(self, table: DataTable, mode: str) -> None:
        if mode != self._table_mode:
            table.clear(columns=True)
            if mode in ("open", "none"):
                table.add_column("#", key="n")
                table.add_column("Proposal in this round" if mode == "open" else "Proposal", key="proposal")
                table.add_column("Group", key="group")
                if mode == "open":
                    table.add_column("", key="note")
            elif mode.startswith("results"):
                # Proposal last: a long title may run off the right edge, never the tie flag.
                # Fixed widths: the ranking must not shift as rows arrive.
                method = mode.partition(":")[2]
                table.add_column("Rank", key="rank", width=4)
                table.add_column("Tie", key="tie", width=len("TIE for 1st"))
                table.add_column({"approval": "Approvals", "score": "Total"}.get(method, "Points"), key="points",
                                 width=9 if method == "approval" else 6)
                if method == "score":
                    table.add_column("Mean", key="mean", width=5)
                    table.add_column("Count", key="count", width=5)
                table.add_column("", key="bar", width=BAR_WIDTH)
                table.add_column("Proposal", key="proposal")
            elif mode == "consent":
                table.add_column("Answer", key="option", width=9)
                table.add_column("Count", key="count", width=5)
                table.add_column("", key="bar", width=BAR_WIDTH)
                table.add_column("Block reasons", key="reasons")
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

    def _who(self, r: Round) -> str:
        return "eligible group" if r.per_group else "eligible voter"

    def _show_open(self, data: VotingView, progress: Static, table: DataTable) -> None:
        st = data.status
        assert st is not None
        r = st.round
        line = Text(turnout_sentence(st.ballots_cast, st.eligible, self._who(r), True), style="bold")
        if r.method in ("dot", "approval"):
            line.append(" · paper tally entered" if st.paper_entered else " · no paper tally")
        if r.reveal == "live" and data.results is not None:
            line.append("\nLive results: participants and the projector see them too.", style="italic")
            progress.update(line)
            self._show_ranking(data, table)
            return
        line.append("\nResults are sealed until you close the round.", style="italic")
        progress.update(line)
        self._set_mode(table, "open")
        for n, pid in enumerate(r.proposals, 1):
            p = data.proposals.get(pid)
            group = data.groups.get(p.group_id, p.group_id) if p else ""
            note = Text("tied at the cut-off", style="yellow") if pid in r.tied_at_cutoff else Text("")
            table.add_row(str(n), self._proposal_cell(data, pid), Text(group), note, key=pid)

    def _show_results(self, data: VotingView, progress: Static, table: DataTable) -> None:
        res = data.results
        assert res is not None
        r = res.round
        line = Text(turnout_sentence(res.ballots_cast, res.eligible, self._who(r), r.is_open), style="bold")
        if r.method in ("dot", "approval"):
            if res.paper_points:
                line.append(f" · {res.paper_points} point{'s' if res.paper_points != 1 else ''} from a paper or "
                            "wall tally")
            else:
                line.append(" · no paper tally")
        progress.update(line)
        self._show_tie(res)
        self._show_ranking(data, table)

    def _show_tie(self, res: RoundResults) -> None:
        box = self.query_one("#tie-box")
        banner = self.query_one("#tie-banner", Static)
        tie = res.tie
        if tie is None:
            box.display = False
            return
        words = Text(tie_words(tie, res.round.shortlist), style="bold")
        if tie.settlement is None:
            words.append(f" {tie.places} of them go{'es' if tie.places == 1 else ''} through. Not settled yet: "
                         "press s to settle it by a runoff, a draw or a decision.")
        else:
            words.append(" " + settlement_sentence(tie.settlement))
        banner.update(words)
        box.set_class(tie.settlement is not None, "-settled")
        self.query_one("#vote-settle", Button).display = tie.settlement is None
        box.display = True

    def _show_ranking(self, data: VotingView, table: DataTable) -> None:
        res = data.results
        assert res is not None
        r = res.round
        if res.consent is not None:
            self._show_consent(data, table)
            return
        self._set_mode(table, f"results:{r.method}")
        top = max((x.points for x in res.results), default=0)
        first_tie = res.tie is not None and res.tie.at == "first"
        settled = set(res.tie.settlement.chosen) if res.tie is not None and res.tie.settlement else set()
        for x in res.results:
            # live results before any points are in: every proposal "ties" at 0, which says nothing
            tied = x.tied and (top > 0 or not r.is_open)
            is_first_tie = tied and x.rank == 1 and (first_tie or r.is_open)
            rank = Text(str(x.rank), style="bold reverse" if is_first_tie else "bold")
            flag = "TIE for 1st" if is_first_tie else ("tie" if tied else "")
            if x.proposal in settled:
                flag = "tie → in"
            cells = [rank, Text(flag, style="bold yellow" if tied else ""), Text(str(x.points), justify="right")]
            if r.method == "score":
                cells.append(Text("–" if x.mean is None else f"{x.mean:.2f}", justify="right"))
                cells.append(Text(str(x.count or 0), justify="right"))
            cells.append(Text(text_bar(x.points, top), style="green"))
            cells.append(self._proposal_cell(data, x.proposal))
            table.add_row(*cells, key=x.proposal)

    def _show_consent(self, data: VotingView, table: DataTable) -> None:
        c = data.results.consent
        outcome = self.query_one("#consent-outcome", Static)
        line = Text("Consent check on ")
        line.append_text(self._proposal_cell(data, c.proposal))
        line.append(" · outcome: ")
        if data.round.is_open:
            line.append("so far " + c.outcome.upper(), style="bold")
        else:
            line.append(c.outcome.upper(), style="bold green" if c.passed else "bold red")
        if c.counts.get("block"):
            line.append(f" ({c.counts['block']} block{'s' if c.counts['block'] != 1 else ''})", style="red")
        elif not c.passed:
            line.append(" (agree does not outnumber disagree)", style="dim")
        outcome.update(line)
        outcome.display = True
        self._set_mode(table, "consent")
        top = max(c.counts.values(), default=0)
        numbered = len(c.blocks) > 1
        for option, n in c.counts.items():
            reasons = Text("")
            if option == "block" and c.blocks:
                reasons = Text(("1. " if numbered else "") + c.blocks[0])
            table.add_row(Text(option, style="bold red" if option == "block" and n else "bold"),
                          Text(str(n), justify="right"),
                          Text(text_bar(n, top), style="red" if option in ("block", "disagree") else "green"),
                          reasons, key=option)
        for n, reason in enumerate(c.blocks[1:], 2):
            table.add_row(Text(""), Text(""), Text(""), Text(f"{n}. {reason}"), key=f"block-{n}")

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
        sources = []
        for r in reversed(self.svc.rounds()):
            if not r.is_open and r.ranked:
                try:
                    sources.append(self.svc.results(r.id))
                except RoundtableError:
                    pass

        def submit(v: dict) -> Round:
            return self.svc.open_round(**v)

        def opened(result: Done | None) -> None:
            if result is not None:
                r: Round = result.result
                self.view_round = None
                tied = f" ({', '.join(r.tied_at_cutoff)} tied at the cut-off)" if r.tied_at_cutoff else ""
                self._written(f"Round {r.id} is open: {method_rules(r)}, over {', '.join(r.proposals)}{tied}.")

        self.app.push_screen(OpenRoundDialog(proposals, groups, submit, runoff_sources=sources), opened)

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
        manual = getattr(r, "reveal", "manual") == "manual" and r.revealed_at is None
        question = (
            f"Close round {r.id}? {status.ballots_cast} of {status.eligible} eligible voters have voted"
            f"{' and a paper tally was entered' if status.paper_entered else ''}. "
            "No ballot can be cast or changed afterwards. "
            + ("The ranking is shown here; participants and the projector see it only when you reveal it (r)."
               if manual else "The ranking is then shown here, on participants' devices and on the projector.")
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.view_round = None
                self.act(self.svc.close_round,
                         done=(f"Round {r.id} closed; the ranking is shown here, sealed for participants until you "
                               "reveal it (r)." if manual else
                               f"Round {r.id} closed; the ranking is shown here and to participants."))

        self.app.push_screen(ConfirmDialog(question, confirm_label="Close round"), confirmed)

    def action_reveal_results(self) -> None:
        r = self.data.round
        if r is None:
            rounds = self.svc.rounds()
            r = rounds[-1] if rounds else None
        if r is None:
            self.notify("There is no voting round yet; open one (o), close it (c), then reveal its results.",
                        severity="warning", markup=False)
            return
        r = self.svc.round(r.id)  # the latest state, not the last one shown
        if r.is_open:
            self.notify(f"Round {r.id} is still open; close it (c) before revealing its results.",
                        severity="error", markup=False, timeout=8)
            return
        if r.revealed_at is not None:
            self.notify(f"Round {r.id}'s results have been shown to participants since {_hhmm(r.revealed_at)}.",
                        markup=False)
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.act(self.svc.reveal_results, r.id,
                         done=f"Round {r.id}'s results are now shown to participants and on the projector.")

        self.app.push_screen(
            ConfirmDialog(
                f"Reveal the results of round {r.id}? Participants' devices and the projector will show the "
                "ranking; this cannot be taken back.",
                confirm_label="Reveal results", danger=False,
            ),
            confirmed,
        )

    def action_settle_tie(self) -> None:
        r = self.data.round
        if r is None or r.is_open:
            self.notify("Ties are settled once a round is closed; choose a closed round with a tie.",
                        severity="warning", markup=False)
            return
        try:
            res = self.svc.results(r.id)
        except RoundtableError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        if res.tie is None:
            self.notify(f"Round {r.id} has no tie to settle.", markup=False)
            return
        if res.tie.settlement is not None:
            self.notify(f"The tie in round {r.id} is already settled. {settlement_sentence(res.tie.settlement)}",
                        markup=False)
            return
        proposals = {p.id: p for p in self.svc.proposals()}

        def submit(v: dict) -> RoundResults:
            return self.svc.settle_tie(r.id, **v)

        def settled(result: Done | None) -> None:
            if result is None:
                return
            s = result.result.tie.settlement
            self.main_widget().focus()  # the Settle button goes away
            if s.kind == "runoff":
                self.view_round = None  # follow the new runoff round
            self._written(f"Round {r.id}: {settlement_sentence(s)}")

        self.app.push_screen(SettleTieDialog(res, proposals, submit), settled)

    def action_view_ballots(self) -> None:
        r = self.data.round
        if r is None:
            self.notify("There is no voting round yet.", severity="warning", markup=False)
            return
        try:
            items = self.svc.ballots(r.id)
        except RoundtableError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        names = dict(self.data.names)
        names.update(self.data.groups)
        self.app.push_screen(BallotsDialog(r, items, names))

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

    @on(Button.Pressed, "#vote-reveal")
    def _reveal_pressed(self) -> None:
        self.action_reveal_results()

    @on(Button.Pressed, "#vote-settle")
    def _settle_pressed(self) -> None:
        self.action_settle_tie()

    @on(Button.Pressed, "#vote-ballots")
    def _ballots_pressed(self) -> None:
        self.action_view_ballots()

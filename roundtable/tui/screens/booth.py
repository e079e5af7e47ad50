"""The voting booth: participants vote one after another on the facilitator's machine.

Step 1 asks for a personal voting code. Step 2 greets the voter and shows the ballot
for the round's method: spend dots, approve proposals, score every proposal, rank
them (Borda), or agree / abstain / disagree / block a plan (a block needs a reason).
Their own earlier ballot in this round (or their group's, in a one-ballot-per-group
round) is preloaded, never anyone else's.
Confirming casts the ballot; the screen then thanks them and clears back to step 1
with every widget emptied, so the next person sees nothing of the previous ballot.
Leaving the booth (Escape) needs the facilitator's confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.containers import Center, Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, ContentSwitcher, Digits, Footer, Input, Label, RadioButton, RadioSet, Static

from ...errors import Refused, RoundtableError
from ...models import ConsentVote, Participant, Proposal, Round
from ...service import SessionService
from .dialogs import ConfirmDialog
from .vote_forms import method_rules
from ..widgets.tap_button import TapButton

THANKS_SECONDS = 4.0


@dataclass(frozen=True)
class BallotForm:
    """Everything step 2 shows for one voter."""

    voter: Participant
    round: Round
    proposals: list[Proposal]
    groups: dict[str, str]
    earlier: Any  # own_ballot(): {P: n}, [P, ...], a ConsentVote, or empty/None


def _title(proposal: Proposal, group: str) -> Text:
    label = Text(proposal.id, style="bold")
    label.append("  ")
    label.append(proposal.title)
    if group:
        label.append(f"  ({group})", style="dim")
    return label


class DotRow(Horizontal, can_focus=True):
    """One proposal with its dot counter: - / + (or ←/→, or a digit) change the count."""

    BINDINGS = [
        Binding("plus,equals_sign,right", "more", "+1 dot", show=True),
        Binding("minus,left", "less", "−1 dot", show=True),
        Binding("up", "app.focus_previous", "Up", show=False),
        Binding("down", "app.focus_next", "Down", show=False),
    ]

    def __init__(self, proposal: Proposal, group: str, count: int) -> None:
        super().__init__(classes="dot-row", id=f"row-{proposal.id}")
        self.proposal = proposal
        self.group = group
        self.count = count

    def compose(self) -> ComposeResult:
        label = Text(self.proposal.id, style="bold")
        label.append("  ")
        label.append(self.proposal.title)
        if self.group:
            label.append(f"  ({self.group})", style="dim")
        yield Static(label, classes="dot-title")
        less = TapButton("−", classes="dot-less")
        more = TapButton("+", classes="dot-more")
        yield less
        yield Static("", classes="dot-count")
        yield more

    def on_mount(self) -> None:
        self.render_count()

    def render_count(self) -> None:
        booth = self.screen
        cap = booth.round.max_per_proposal if isinstance(booth, BoothScreen) and booth.round else self.count
        dots = Text("●" * self.count, style="bold")
        dots.append("○" * max(cap - self.count, 0), style="dim")
        dots.append(f" {self.count}")
        self.query_one(".dot-count", Static).update(dots)

    def action_more(self) -> None:
        self.post_message(DotRow.Change(self, +1))

    def action_less(self) -> None:
        self.post_message(DotRow.Change(self, -1))

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit():
            event.stop()
            self.post_message(DotRow.Change(self, int(event.character) - self.count))

    @on(Button.Pressed, ".dot-more")
    def _more(self, event: Button.Pressed) -> None:
        event.stop()
        self.focus()
        self.action_more()

    @on(Button.Pressed, ".dot-less")
    def _less(self, event: Button.Pressed) -> None:
        event.stop()
        self.focus()
        self.action_less()

    class Change(Message):
        def __init__(self, row: "DotRow", delta: int) -> None:
            super().__init__()
            self.row = row
            self.delta = delta


class ApproveRow(Horizontal, can_focus=True):
    """One proposal to approve or not: space, enter or x (or a click) toggles."""

    BINDINGS = [
        Binding("space,enter,x", "toggle", "Approve / take back", show=True),
        Binding("up", "app.focus_previous", "Up", show=False),
        Binding("down", "app.focus_next", "Down", show=False),
    ]

    def __init__(self, proposal: Proposal, group: str, approved: bool) -> None:
        super().__init__(classes="dot-row approve-row", id=f"row-{proposal.id}")
        self.proposal = proposal
        self.group = group
        self.approved = approved

    def compose(self) -> ComposeResult:
        yield Static("", classes="approve-box")
        yield Static(_title(self.proposal, self.group), classes="dot-title")

    def on_mount(self) -> None:
        self.render_state()

    def render_state(self) -> None:
        box = Text("[✓] approve " if self.approved else "[ ]         ",
                   style="bold green" if self.approved else "dim")
        self.query_one(".approve-box", Static).update(box)

    def action_toggle(self) -> None:
        self.post_message(ApproveRow.Toggle(self))

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.focus()
        self.action_toggle()

    class Toggle(Message):
        def __init__(self, row: "ApproveRow") -> None:
            super().__init__()
            self.row = row


class ScoreRow(Horizontal, can_focus=True):
    """One proposal's score: a digit sets it, -/+ (or ←/→) change it; unscored shows –."""

    BINDINGS = [
        Binding("plus,equals_sign,right", "more", "+1", show=True),
        Binding("minus,left", "less", "−1", show=True),
        Binding("up", "app.focus_previous", "Up", show=False),
        Binding("down", "app.focus_next", "Down", show=False),
    ]

    def __init__(self, proposal: Proposal, group: str, score: int | None, top: int) -> None:
        super().__init__(classes="dot-row score-row", id=f"row-{proposal.id}")
        self.proposal = proposal
        self.group = group
        self.score = score
        self.top = top

    def compose(self) -> ComposeResult:
        yield Static(_title(self.proposal, self.group), classes="dot-title")
        less = TapButton("−", classes="dot-less")
        more = TapButton("+", classes="dot-more")
        yield less
        yield Static("", classes="score-scale")
        yield more

    def on_mount(self) -> None:
        self.render_state()

    def render_state(self) -> None:
        scale = Text()
        if self.top <= 10:
            for n in range(self.top + 1):
                scale.append(f" {n} ", style="bold reverse green" if n == self.score else "dim")
        else:
            scale.append(f" {'–' if self.score is None else self.score} of {self.top} ", style="bold")
        if self.top <= 10:
            mark = "–" if self.score is None else str(self.score)
            scale.append(f" = {mark:>2}", style="bold yellow" if self.score is None else "bold")
        self.query_one(".score-scale", Static).update(scale)

    def action_more(self) -> None:
        self.post_message(ScoreRow.Set(self, 0 if self.score is None else self.score + 1))

    def action_less(self) -> None:
        self.post_message(ScoreRow.Set(self, 0 if self.score is None else self.score - 1))

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit():
            event.stop()
            self.post_message(ScoreRow.Set(self, int(event.character)))

    @on(Button.Pressed, ".dot-more")
    def _more(self, event: Button.Pressed) -> None:
        event.stop()
        self.focus()
        self.action_more()

    @on(Button.Pressed, ".dot-less")
    def _less(self, event: Button.Pressed) -> None:
        event.stop()
        self.focus()
        self.action_less()

    class Set(Message):
        def __init__(self, row: "ScoreRow", value: int) -> None:
            super().__init__()
            self.row = row
            self.value = value


class RankRow(Horizontal, can_focus=True):
    """One proposal in a ranking: space picks it for the next place (or takes it out);
    shift+↑/↓ (or [ and ]) move it; a digit puts it at that place."""

    BINDINGS = [
        Binding("space,enter", "pick", "Rank next / take out", show=True),
        Binding("shift+up,left_square_bracket", "move(-1)", "Move up", show=True),
        Binding("shift+down,right_square_bracket", "move(1)", "Move down", show=True),
        Binding("up", "app.focus_previous", "Up", show=False),
        Binding("down", "app.focus_next", "Down", show=False),
    ]

    def __init__(self, proposal: Proposal, group: str) -> None:
        super().__init__(classes="dot-row rank-row", id=f"row-{proposal.id}")
        self.proposal = proposal
        self.group = group
        self.position: int | None = None

    def compose(self) -> ComposeResult:
        yield Static("", classes="rank-pos")
        yield Static(_title(self.proposal, self.group), classes="dot-title")
        up = TapButton("▲", classes="rank-up")
        down = TapButton("▼", classes="rank-down")
        pick = Button("rank", classes="rank-pick", compact=True)
        pick.can_focus = False
        yield pick
        yield up
        yield down

    def render_state(self) -> None:
        self.query_one(".rank-pos", Static).update(
            Text(f"{self.position:>2}." if self.position else " –  ", style="bold green" if self.position else "dim")
        )
        self.query_one(".rank-pick", Button).label = "out" if self.position else "rank"

    def action_pick(self) -> None:
        self.post_message(RankRow.Rank(self, "pick"))

    def action_move(self, delta: int) -> None:
        self.post_message(RankRow.Rank(self, "move", delta))

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit() and event.character != "0":
            event.stop()
            self.post_message(RankRow.Rank(self, "place", int(event.character)))

    @on(Button.Pressed, ".rank-pick")
    def _pick(self, event: Button.Pressed) -> None:
        event.stop()
        self.focus()
        self.action_pick()

    @on(Button.Pressed, ".rank-up")
    def _up(self, event: Button.Pressed) -> None:
        event.stop()
        self.focus()
        self.action_move(-1)

    @on(Button.Pressed, ".rank-down")
    def _down(self, event: Button.Pressed) -> None:
        event.stop()
        self.focus()
        self.action_move(1)

    class Rank(Message):
        def __init__(self, row: "RankRow", what: str, n: int = 0) -> None:
            super().__init__()
            self.row = row
            self.what = what
            self.n = n


CONSENT_OPTIONS = [
    ("agree", "Agree: I support this plan"),
    ("abstain", "Abstain: I can live with it, I stand aside"),
    ("disagree", "Disagree: I would rather not, but I do not block it"),
    ("block", "Block: this must not go ahead as it is (give a reason)"),
]

INSTRUCTIONS = {
    "dot": "spend your dots on the proposals you believe in most.",
    "approval": "approve every proposal you can support (space or a click toggles).",
    "score": "give every proposal a score (type a digit, or −/+).",
    "borda": "rank the proposals, most preferred first: press space on each in your order "
             "(shift+↑/↓ or [ ] move one; unranked ones get no points).",
    "consent": "can you consent to this plan? Choose one answer; a block needs a reason.",
}


class BoothScreen(Screen[None]):
    """Full screen pushed over the session; only the facilitator leaves it."""

    # App-wide keys a participant must not reach from the booth (see RoundtableApp.check_action).
    LOCKED_APP_ACTIONS = frozenset({"quit", "command_palette", "help"})

    BINDINGS = [
        Binding("escape", "leave", "Leave booth (facilitator)", show=True),
        Binding("ctrl+q", "leave", "Leave booth", show=False, priority=True),
        Binding("ctrl+s", "confirm", "Confirm ballot", show=True),
    ]

    def __init__(self, svc: SessionService) -> None:
        super().__init__(classes="booth")
        self.svc = svc
        self.round: Round | None = None
        self._code: str | None = None
        self._form: BallotForm | None = None
        self._counts: dict[str, int] = {}
        self._approved: set[str] = set()
        self._scores: dict[str, int | None] = {}
        self._order: list[str] = []
        self._thanks_timer: Timer | None = None

    # -- layout -------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("", id="booth-round")
        with ContentSwitcher(initial="step-code", id="booth-steps"):
            with Vertical(id="step-code"):
                with Center():
                    yield Label("Voting booth", id="booth-title")
                with Center():
                    yield Label("Enter your voting code", classes="booth-big")
                with Center():
                    yield Input(placeholder="code from your badge", id="booth-code", max_length=20)
                with Center():
                    yield Button("Continue", id="booth-continue", variant="primary")
                yield Static("", id="code-error", markup=False)
            with Vertical(id="step-ballot"):
                yield Static("", id="booth-greeting")
                yield Static("", id="booth-note")
                with Horizontal(id="booth-budget"):
                    yield Digits("0", id="dots-left")
                    yield Static("", id="dots-left-label")
                yield VerticalScroll(id="dot-rows", can_focus=False)
                yield Static("", id="ballot-error", markup=False)
                with Horizontal(id="ballot-buttons"):
                    yield Button("Confirm ballot", id="booth-confirm", variant="success")
                    yield Button("Start over", id="booth-restart")
            with Vertical(id="step-thanks"):
                with Center():
                    yield Label("Thank you, your ballot is counted.", classes="booth-big", id="thanks-text")
                with Center():
                    yield Label("Press any key for the next voter.", id="thanks-next")
        yield Footer()

    async def on_mount(self) -> None:
        await self.reset()

    # -- step 1 ---------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="booth-round")
    def _load_round(self) -> None:
        try:
            r = self.svc.open_round_now()
        except RoundtableError as exc:
            self.app.call_from_thread(self._show_code_error, str(exc))
            return
        self.app.call_from_thread(self._show_round, r)

    def _show_round(self, r: Round | None) -> None:
        self.round = r
        line = self.query_one("#booth-round", Static)
        if r is None:
            line.update(Text("No voting round is open: ballots cannot be cast now.", style="bold"))
        else:
            text = f"Round {r.id} · {method_rules(r)}"
            if r.per_group:
                text += " · one ballot per group"
            line.update(Text(text, style="bold"))

    def _show_code_error(self, message: str) -> None:
        error = self.query_one("#code-error", Static)
        error.update(message)
        error.display = bool(message)

    @on(Input.Submitted, "#booth-code")
    @on(Button.Pressed, "#booth-continue")
    def _code_entered(self, event: events.Event) -> None:
        event.stop()
        code_input = self.query_one("#booth-code", Input)
        code = code_input.value
        code_input.value = ""  # the code never lingers on screen
        if not code.strip():
            self._show_code_error("Type the voting code printed on your badge.")
            code_input.focus()
            return
        self._check_code(code)

    @work(thread=True, exclusive=True, group="booth-code")
    def _check_code(self, code: str) -> None:
        svc = self.svc
        try:
            voter = svc.voter(code)
            r = svc.open_round_now()
            if r is None:
                raise RoundtableError("No voting round is open; ask the facilitator.")
            if r.per_group and not voter.group_id:
                raise Refused(f"{voter.name} is not in a group, and this round takes one ballot per group; "
                              "ask the facilitator.")
            props = {p.id: p for p in svc.proposals()}
            form = BallotForm(
                voter=voter, round=r, proposals=[props[pid] for pid in r.proposals if pid in props],
                groups={g.id: g.name for g in svc.groups()}, earlier=svc.own_ballot(code),
            )
        except RoundtableError as exc:
            self.app.call_from_thread(self._code_refused, str(exc))
            return
        self.app.call_from_thread(self._show_ballot, code, form)

    def _code_refused(self, message: str) -> None:
        self._show_code_error(message)
        self.query_one("#booth-code", Input).focus()

    # -- step 2 ---------------------------------------------------------------------
    async def _show_ballot(self, code: str, form: BallotForm) -> None:
        self._code = code
        self._form = form
        r = form.round
        self._show_round(r)
        earlier = form.earlier
        self._counts = {p.id: (earlier or {}).get(p.id, 0) if r.method == "dot" else 0 for p in form.proposals}
        self._approved = set(earlier or []) if r.method == "approval" else set()
        self._scores = ({p.id: (earlier or {}).get(p.id) for p in form.proposals} if r.method == "score" else {})
        self._order = list(earlier or []) if r.method == "borda" else []
        v = form.voter
        greeting = Text("Hello, ", style="bold")
        greeting.append(v.name, style="bold")
        if v.organisation:
            greeting.append(f" ({v.organisation})")
        greeting.append(" — " + INSTRUCTIONS.get(r.method, ""))
        self.query_one("#booth-greeting", Static).update(greeting)
        note = self.query_one("#booth-note", Static)
        lines = []
        group = form.groups.get(v.group_id or "", "")
        if r.per_group:
            lines.append(f"One ballot for your group {group}; it replaces your group's earlier ballot.")
            if earlier:
                lines.append("Your group has already voted in this round: its ballot is shown. "
                             "Confirming again replaces it.")
        elif earlier:
            lines.append("You have already voted in this round: your ballot is shown. Confirming again replaces it.")
        note.update(Text("\n".join(lines), style="italic"))
        note.display = bool(lines)
        rows = self.query_one("#dot-rows", VerticalScroll)
        await rows.remove_children()
        groups = form.groups
        if r.method == "dot":
            await rows.mount_all(
                DotRow(p, groups.get(p.group_id, ""), self._counts[p.id]) for p in form.proposals
            )
        elif r.method == "approval":
            await rows.mount_all(
                ApproveRow(p, groups.get(p.group_id, ""), p.id in self._approved) for p in form.proposals
            )
        elif r.method == "score":
            await rows.mount_all(
                ScoreRow(p, groups.get(p.group_id, ""), self._scores[p.id], r.max_score or 5) for p in form.proposals
            )
        elif r.method == "borda":
            await rows.mount_all(RankRow(p, groups.get(p.group_id, "")) for p in form.proposals)
            self._arrange_ranks()
        else:
            await self._mount_consent(rows, form)
        self._show_ballot_error("")
        self._update_budget()
        self.query_one("#booth-steps", ContentSwitcher).current = "step-ballot"
        if r.method == "consent":
            first = rows.query(RadioSet).first()
        else:
            first = rows.children[0] if rows.children else None
        (first or self.query_one("#booth-confirm", Button)).focus()

    async def _mount_consent(self, rows: VerticalScroll, form: BallotForm) -> None:
        earlier: ConsentVote | None = form.earlier or None
        plan = form.proposals[0] if form.proposals else None
        widgets = []
        if plan is not None:
            head = Text("The plan: ", style="bold")
            head.append_text(_title(plan, form.groups.get(plan.group_id, "")))
            if plan.text:
                head.append("\n")
                head.append(plan.text)
            widgets.append(Static(head, id="consent-plan"))
        widgets.append(RadioSet(
            *[RadioButton(label, value=earlier is not None and earlier.option == option, id=f"consent-{option}")
              for option, label in CONSENT_OPTIONS],
            id="consent-options",
        ))
        widgets.append(Label("Reason (required for a block: what would have to change?)", id="consent-reason-label"))
        widgets.append(Input(earlier.reason if earlier else "", placeholder="your reason", id="consent-reason",
                             max_length=600))
        await rows.mount_all(widgets)

    def _show_ballot_error(self, message: str) -> None:
        error = self.query_one("#ballot-error", Static)
        error.update(message)
        error.display = bool(message)

    def _update_budget(self) -> None:
        budget = self.query_one("#booth-budget")
        digits = self.query_one("#dots-left", Digits)
        label = self.query_one("#dots-left-label", Static)
        if self._form is None:
            budget.display = True
            digits.update("0")
            label.update("")
            return
        r = self._form.round
        n = len(self._form.proposals)
        budget.display = r.method != "consent"
        if r.method == "dot":
            left = r.dots - sum(self._counts.values())
            digits.update(str(left))
            label.update(Text(
                f"dot{'s' if left != 1 else ''} left of {r.dots}\nat most {r.max_per_proposal} on one proposal"
            ))
        elif r.method == "approval":
            digits.update(str(len(self._approved)))
            limits = []
            if r.min_approvals is not None:
                limits.append(f"at least {r.min_approvals}")
            if r.max_approvals is not None:
                limits.append(f"at most {r.max_approvals}")
            label.update(Text(f"approved of {n}\napprove " + (" and ".join(limits) if limits else "as many as you like")))
        elif r.method == "score":
            done = sum(1 for v in self._scores.values() if v is not None)
            digits.update(str(done))
            label.update(Text(f"of {n} scored\nscores from 0 (not at all) to {r.max_score or 5} (fully); "
                              "every proposal needs one"))
        elif r.method == "borda":
            digits.update(str(len(self._order)))
            label.update(Text(f"of {n} ranked\n1st place gets {max(n - 1, 0)} points, each place below one less; "
                              "unranked get 0"))

    def on_approve_row_toggle(self, message: ApproveRow.Toggle) -> None:
        if self._form is None:
            return
        r = self._form.round
        pid = message.row.proposal.id
        if pid in self._approved:
            self._approved.discard(pid)
        else:
            if r.max_approvals is not None and len(self._approved) >= r.max_approvals:
                self._show_ballot_error(
                    f"At most {r.max_approvals} proposal{'s' if r.max_approvals != 1 else ''} may be approved; "
                    "take one back first."
                )
                self.app.bell()
                return
            self._approved.add(pid)
        self._show_ballot_error("")
        message.row.approved = pid in self._approved
        message.row.render_state()
        self._update_budget()

    def on_score_row_set(self, message: ScoreRow.Set) -> None:
        if self._form is None:
            return
        top = self._form.round.max_score or 5
        pid = message.row.proposal.id
        if not 0 <= message.value <= top:
            self._show_ballot_error(f"Scores go from 0 to {top}.")
            self.app.bell()
            return
        self._show_ballot_error("")
        self._scores[pid] = message.value
        message.row.score = message.value
        message.row.render_state()
        self._update_budget()

    def on_rank_row_rank(self, message: RankRow.Rank) -> None:
        if self._form is None:
            return
        pid = message.row.proposal.id
        order = self._order
        if message.what == "pick":
            if pid in order:
                order.remove(pid)
            else:
                order.append(pid)
        elif message.what == "place":
            place = min(message.n, len(order) + (0 if pid in order else 1))
            if pid in order:
                order.remove(pid)
            order.insert(place - 1, pid)
        else:
            if pid not in order:
                self._show_ballot_error(f"{pid} is not ranked yet; press space to give it the next place.")
                self.app.bell()
                return
            i = order.index(pid)
            j = i + message.n
            if not 0 <= j < len(order):
                self.app.bell()
                return
            order[i], order[j] = order[j], order[i]
        self._show_ballot_error("")
        self._arrange_ranks()
        self._update_budget()
        message.row.focus()

    def _arrange_ranks(self) -> None:
        """Ranked proposals first in the voter's order, then the unranked in the round's order."""
        rows = self.query_one("#dot-rows", VerticalScroll)
        by_id = {row.proposal.id: row for row in rows.query(RankRow)}
        wanted = [p for p in self._order if p in by_id] + [
            p.id for p in self._form.proposals if p.id not in self._order and p.id in by_id
        ]
        for n, pid in enumerate(wanted):
            row = by_id[pid]
            row.position = self._order.index(pid) + 1 if pid in self._order else None
            if row.is_mounted:
                row.render_state()
            if list(rows.children).index(row) != n:
                rows.move_child(row, before=n)

    def on_dot_row_change(self, message: DotRow.Change) -> None:
        if self._form is None:
            return
        r = self._form.round
        pid = message.row.proposal.id
        new = self._counts.get(pid, 0) + message.delta
        spent_elsewhere = sum(self._counts.values()) - self._counts.get(pid, 0)
        if new < 0:
            self._show_ballot_error(f"{pid} has no dots to take back.")
            self.app.bell()
            return
        if new > r.max_per_proposal:
            self._show_ballot_error(f"At most {r.max_per_proposal} dots may go to one proposal.")
            self.app.bell()
            return
        if spent_elsewhere + new > r.dots:
            self._show_ballot_error("You have no dots left; take one back from another proposal first.")
            self.app.bell()
            return
        self._show_ballot_error("")
        self._counts[pid] = new
        message.row.count = new
        message.row.render_count()
        self._update_budget()

    def action_confirm(self) -> None:
        if self._form is None or self._code is None:
            return
        r = self._form.round
        reason = ""
        ballot: Any
        if r.method == "dot":
            ballot = {pid: n for pid, n in self._counts.items() if n > 0}
        elif r.method == "approval":
            ballot = [p.id for p in self._form.proposals if p.id in self._approved]
        elif r.method == "score":
            ballot = {pid: n for pid, n in self._scores.items() if n is not None}
        elif r.method == "borda":
            ballot = list(self._order)
        else:
            pressed = self.query_one("#consent-options", RadioSet).pressed_button
            if pressed is None:
                self._show_ballot_error("Choose agree, abstain, disagree or block.")
                return
            ballot = (pressed.id or "").removeprefix("consent-")
            reason = self.query_one("#consent-reason", Input).value
        try:
            self.svc.cast_ballot(self._code, ballot, reason=reason, source="booth")
        except RoundtableError as exc:
            self._show_ballot_error(str(exc))
            return
        self.call_next(self._thank)

    async def _thank(self) -> None:
        await self._clear_ballot()
        self.query_one("#booth-steps", ContentSwitcher).current = "step-thanks"
        self.set_focus(None)
        self._thanks_timer = self.set_timer(THANKS_SECONDS, self.reset)

    @on(Button.Pressed, "#booth-confirm")
    def _confirm_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_confirm()

    @on(Button.Pressed, "#booth-restart")
    def _restart_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.call_next(self.reset)

    # -- clearing -------------------------------------------------------------------
    async def _clear_ballot(self) -> None:
        """Forget the voter: code, name, counts and every row widget."""
        self._code = None
        self._form = None
        self._counts = {}
        self._approved = set()
        self._scores = {}
        self._order = []
        self.query_one("#booth-code", Input).value = ""
        self.query_one("#booth-greeting", Static).update("")
        self.query_one("#booth-note", Static).update("")
        await self.query_one("#dot-rows", VerticalScroll).remove_children()
        self._show_ballot_error("")
        self._update_budget()

    async def reset(self) -> None:
        """Back to step 1, nothing of the previous voter left anywhere."""
        if self._thanks_timer is not None:
            self._thanks_timer.stop()
            self._thanks_timer = None
        await self._clear_ballot()
        self._show_code_error("")
        self.query_one("#booth-steps", ContentSwitcher).current = "step-code"
        self.query_one("#booth-code", Input).focus()
        self._load_round()

    def on_key(self, event: events.Key) -> None:
        if self.query_one("#booth-steps", ContentSwitcher).current == "step-thanks" and event.key != "escape":
            event.stop()
            self.call_next(self.reset)

    def on_click(self, event: events.Click) -> None:
        if self.query_one("#booth-steps", ContentSwitcher).current == "step-thanks":
            self.call_next(self.reset)

    # -- leaving ----------------------------------------------------------------------
    def action_leave(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.call_next(self._leave)

        self.app.push_screen(
            ConfirmDialog(
                "Leave the voting booth and go back to the facilitator's console? "
                "(Participants: press Cancel and carry on voting.)",
                confirm_label="Leave booth",
            ),
            answered,
        )

    async def _leave(self) -> None:
        await self._clear_ballot()
        self.dismiss(None)

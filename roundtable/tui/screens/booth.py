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
from textual.containers import Center, Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, ContentSwitcher, Digits, Footer, Input, Label, RadioButton, RadioSet, Static

from ...ballot_draft import BallotDraft
from ...errors import Refused, RoundChanged, RoundtableError
from ...models import ConsentVote, Participant, Proposal, Round
from ...service import SessionService
from .dialogs import ConfirmDialog
from .vote_forms import method_rules
from ..widgets.ballot_rows import BallotRow, BallotRows, proposal_text

THANKS_SECONDS = 4.0
ROUND_CHECK_SECONDS = 1.0


@dataclass(frozen=True)
class BallotForm:
    """Everything step 2 shows for one voter."""

    voter: Participant
    round: Round
    proposals: list[Proposal]
    groups: dict[str, str]
    earlier: Any  # own_ballot(): {P: n}, [P, ...], a ConsentVote, or empty/None


CONSENT_OPTIONS = [
    ("agree", "Agree: I support this plan"),
    ("abstain", "Abstain: I can live with it, I stand aside"),
    ("disagree", "Disagree: I would rather not, but I do not block it"),
    ("block", "Block: this must not go ahead as it is (give a reason)"),
]

INSTRUCTIONS = {
    "dot": "spend your dots on the proposals you believe in most (+/− or ←/→, or type the number).",
    "approval": "approve the proposals you can support (space or a click toggles).",
    "score": "give every proposal a score (type it, or +/− and ←/→).",
    "borda": "rank the proposals, most preferred first: press space on each in your order "
             "(shift+↑/↓ or [ ] move one, a digit puts it in that place; unranked ones get no points).",
    "consent": "can you consent to this plan? Choose one answer; a block needs a reason.",
}


class BoothScreen(Screen[None]):
    """Full screen pushed over the session; only the facilitator leaves it."""

    # App-wide keys a participant must not reach from the booth (see RoundtableApp.check_action).
    LOCKED_APP_ACTIONS = frozenset({"quit", "command_palette", "help"})

    BINDINGS = [
        Binding("escape", "leave", "Leave (facilitator)", show=True),
        Binding("ctrl+q", "leave", "Leave booth", show=False, priority=True),
        Binding("ctrl+s", "confirm", "Confirm ballot", show=True),
    ]

    def __init__(self, svc: SessionService) -> None:
        super().__init__(classes="booth")
        self.svc = svc
        self.round: Round | None = None
        self._code: str | None = None
        self._form: BallotForm | None = None
        self._draft: BallotDraft | None = None
        self._shown = 0  # ballots shown so far: a round check read before the latest is stale
        self._voter_at = 0  # voters cleared away so far: a ballot read for an earlier one is dropped
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
                    yield Button("Cancel ballot", id="booth-restart", tooltip="Nothing is counted; back to the code")
            with Vertical(id="step-thanks"):
                with Center():
                    yield Label("Thank you, your ballot is counted.", classes="booth-big", id="thanks-text")
                with Center():
                    yield Label("Press any key for the next voter.", id="thanks-next")
        yield Footer()

    async def on_mount(self) -> None:
        await self.reset()
        # the facilitator may close or open a round from another window or the CLI
        self.set_interval(ROUND_CHECK_SECONDS, self._watch_round)

    @work(thread=True, exclusive=True, group="booth-watch")
    def _watch_round(self) -> None:
        shown = self._shown
        try:
            r = self.svc.open_round_now()
        except RoundtableError:
            return
        self.app.call_from_thread(self._round_seen, r, shown)

    def _round_seen(self, r: Round | None, shown: int) -> None:
        if shown != self._shown:
            return  # read before the ballot now on screen was loaded
        seen = r.id if r is not None else None
        if self._form is not None and self._code is not None:
            if seen != self._form.round.id:
                self._round_changed(f"Round {self._form.round.id} was closed before you confirmed; "
                                    "nothing was counted.")
        elif seen != (self.round.id if self.round is not None else None):
            self._show_round(r)

    def _round_changed(self, message: str) -> None:
        """The ballot on screen is for a round that is no longer open: never cast it."""
        self.app.bell()
        code, self._form, self._draft = self._code, None, None
        if code is not None:
            self._check_code(code, notice=message)

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
    def _check_code(self, code: str, notice: str = "") -> None:
        """Load the voter's ballot in the open round; `notice` says why it is shown again."""
        svc = self.svc
        voter_at = self._voter_at  # a voter who leaves meanwhile must not come back on screen
        try:
            voter = svc.voter(code)
            for _ in range(3):
                r = svc.open_round_now()
                if r is None:
                    raise RoundtableError("No voting round is open; ask the facilitator.")
                earlier = svc.own_ballot(code)
                if svc.open_round_now() == r:  # the earlier ballot is from this very round
                    break
            if r.per_group and not voter.group_id:
                raise Refused(f"{voter.name} is not in a group, and this round takes one ballot per group; "
                              "ask the facilitator.")
            props = {p.id: p for p in svc.proposals()}
            form = BallotForm(
                voter=voter, round=r, proposals=[props[pid] for pid in r.proposals if pid in props],
                groups={g.id: g.name for g in svc.groups()}, earlier=earlier,
            )
        except RoundtableError as exc:
            self.app.call_from_thread(self._code_refused, f"{notice} {exc}".strip(), voter_at)
            return
        self.app.call_from_thread(self._show_ballot, code, form, notice, voter_at)

    async def _code_refused(self, message: str, voter_at: int) -> None:
        if voter_at != self._voter_at:
            return
        if self.query_one("#booth-steps", ContentSwitcher).current != "step-code":
            await self.reset()
        self._show_code_error(message)
        self.query_one("#booth-code", Input).focus()

    # -- step 2 ---------------------------------------------------------------------
    async def _show_ballot(self, code: str, form: BallotForm, notice: str, voter_at: int) -> None:
        if voter_at != self._voter_at:
            return  # cancelled, or the booth was left, while the ballot was read
        self._shown += 1
        self._code = code
        self._form = form
        r = form.round
        self._show_round(r)
        earlier = form.earlier
        self._draft = BallotDraft(r, [p.id for p in form.proposals], earlier)
        v = form.voter
        greeting = Text("Hello, ", style="bold")
        greeting.append(v.name, style="bold")
        if v.organisation:
            greeting.append(f" ({v.organisation})")
        greeting.append(" — " + INSTRUCTIONS.get(r.method, ""))
        self.query_one("#booth-greeting", Static).update(greeting)
        note = self.query_one("#booth-note", Static)
        lines = [f"{notice} This is the ballot of round {r.id}."] if notice else []
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
        if r.method == "consent":
            await self._mount_consent(rows, form)
        else:
            await rows.mount(BallotRows(self._draft, form.proposals, form.groups))
        self._show_ballot_error("")
        self._update_budget()
        self.query_one("#booth-steps", ContentSwitcher).current = "step-ballot"
        if r.method == "consent":
            first = rows.query(RadioSet).first()
        else:
            first = rows.query(BallotRow).first() if rows.query(BallotRow) else None
        (first or self.query_one("#booth-confirm", Button)).focus()

    async def _mount_consent(self, rows: VerticalScroll, form: BallotForm) -> None:
        earlier: ConsentVote | None = form.earlier or None
        plan = form.proposals[0] if form.proposals else None
        widgets = []
        if plan is not None:
            head = Text("The plan: ", style="bold")
            head.append_text(proposal_text(plan, form.groups.get(plan.group_id, "")))
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
        d = self._draft
        if self._form is None or d is None:
            budget.display = True
            digits.update("0")
            label.update("")
            return
        r = self._form.round
        n = len(self._form.proposals)
        budget.display = r.method != "consent"
        if r.method == "dot":
            left = d.dots_left
            digits.update(str(left))
            label.update(Text(
                f"dot{'s' if left != 1 else ''} left of {r.dots}\nat most {r.max_per_proposal} on one proposal"
            ))
        elif r.method == "approval":
            digits.update(str(len(d.approved)))
            limits = []
            if r.min_approvals is not None:
                limits.append(f"at least {r.min_approvals}")
            if r.max_approvals is not None:
                limits.append(f"at most {r.max_approvals}")
            label.update(Text(f"approved of {n}\napprove " + (" and ".join(limits) if limits else "as many as you like")))
        elif r.method == "score":
            digits.update(str(d.scored))
            label.update(Text(f"of {n} scored\nscores from 0 (not at all) to {r.max_score or 5} (fully); "
                              "every proposal needs one"))
        elif r.method == "borda":
            digits.update(str(len(d.ranking)))
            label.update(Text(f"of {n} ranked\n1st place gets {max(n - 1, 0)} points, each place below one less; "
                              "unranked get 0"))

    def on_ballot_rows_edited(self, message: BallotRows.Edited) -> None:
        if message.refused is not None:
            self._show_ballot_error(message.refused)
            self.app.bell()
            return
        self._show_ballot_error("")
        self._update_budget()

    def action_confirm(self) -> None:
        if self._form is None or self._code is None or self._draft is None:
            return
        r = self._form.round
        reason = ""
        ballot: Any
        if r.method != "consent":
            ballot = self._draft.ballot()
        else:
            pressed = self.query_one("#consent-options", RadioSet).pressed_button
            if pressed is None:
                self._show_ballot_error("Choose agree, abstain, disagree or block.")
                return
            ballot = (pressed.id or "").removeprefix("consent-")
            reason = self.query_one("#consent-reason", Input).value
        try:
            self.svc.cast_ballot(self._code, ballot, reason=reason, source="booth", round_id=r.id)
        except RoundChanged as exc:
            self._round_changed(str(exc))
            return
        except RoundtableError as exc:
            self._show_ballot_error(str(exc))
            return
        self.call_next(self._thank)

    async def _thank(self) -> None:
        await self._clear_ballot()
        self.query_one("#booth-steps", ContentSwitcher).current = "step-thanks"
        self.set_focus(None)
        self._thanks_timer = self.set_timer(THANKS_SECONDS, self.reset)

    @on(Input.Submitted, "#consent-reason")
    def _reason_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    @on(Input.Changed, "#consent-reason")
    @on(RadioSet.Changed, "#consent-options")
    def _consent_edited(self, event: events.Event) -> None:
        # the complaint was about the answer as it stood; it is being changed now
        self._show_ballot_error("")

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
        self._voter_at += 1
        self._code = None
        self._form = None
        self._draft = None
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

"""The voting booth: participants vote one after another on the facilitator's machine.

Step 1 asks for a personal voting code. Step 2 greets the voter and lets them spend
their dots (their own earlier ballot in this round is preloaded, never anyone else's).
Confirming casts the ballot; the screen then thanks them and clears back to step 1
with every widget emptied, so the next person sees nothing of the previous ballot.
Leaving the booth (Escape) needs the facilitator's confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.containers import Center, Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, ContentSwitcher, Digits, Footer, Input, Label, Static

from ...errors import RoundtableError
from ...models import Participant, Proposal, Round
from ...service import SessionService
from .dialogs import ConfirmDialog

THANKS_SECONDS = 4.0


@dataclass(frozen=True)
class BallotForm:
    """Everything step 2 shows for one voter."""

    voter: Participant
    round: Round
    proposals: list[Proposal]
    groups: dict[str, str]
    earlier: dict[str, int]


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
        less = Button("−", classes="dot-less", compact=True)
        more = Button("+", classes="dot-more", compact=True)
        less.can_focus = more.can_focus = False
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
            line.update(Text(
                f"Round {r.id} · {r.dots} dots each · at most {r.max_per_proposal} on one proposal", style="bold"
            ))

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
        self._show_round(form.round)
        self._counts = {p.id: form.earlier.get(p.id, 0) for p in form.proposals}
        v = form.voter
        greeting = Text("Hello, ", style="bold")
        greeting.append(v.name, style="bold")
        if v.organisation:
            greeting.append(f" ({v.organisation})")
        greeting.append(" — spend your dots on the proposals you believe in most.")
        self.query_one("#booth-greeting", Static).update(greeting)
        note = self.query_one("#booth-note", Static)
        if form.earlier:
            note.update(Text("You have already voted in this round: your ballot is shown. "
                             "Confirming again replaces it.", style="italic"))
            note.display = True
        else:
            note.display = False
        rows = self.query_one("#dot-rows", VerticalScroll)
        await rows.remove_children()
        await rows.mount_all(
            DotRow(p, form.groups.get(p.group_id, ""), self._counts[p.id]) for p in form.proposals
        )
        self._show_ballot_error("")
        self._update_budget()
        self.query_one("#booth-steps", ContentSwitcher).current = "step-ballot"
        first = rows.query(DotRow).first() if form.proposals else None
        (first or self.query_one("#booth-confirm", Button)).focus()

    def _show_ballot_error(self, message: str) -> None:
        error = self.query_one("#ballot-error", Static)
        error.update(message)
        error.display = bool(message)

    def _update_budget(self) -> None:
        if self._form is None:
            self.query_one("#dots-left", Digits).update("0")
            self.query_one("#dots-left-label", Static).update("")
            return
        r = self._form.round
        left = r.dots - sum(self._counts.values())
        self.query_one("#dots-left", Digits).update(str(left))
        self.query_one("#dots-left-label", Static).update(Text(
            f"dot{'s' if left != 1 else ''} left of {r.dots}\nat most {r.max_per_proposal} on one proposal"
        ))

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
        allocation = {pid: n for pid, n in self._counts.items() if n > 0}
        try:
            self.svc.cast_ballot(self._code, allocation, source="booth")
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

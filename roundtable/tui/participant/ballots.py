"""The ballot rows of the participant app, one kind per voting method, and the texts
that explain a round and its results on a phone.

- dot: `DotRow` (− ●●○ +), as before;
- score: `ScoreRow` (− ■■■□□ 3 of 5 +; "–" until scored);
- approval: `ApprovalRow` (a ☐/✓ button per proposal);
- borda: `BordaRow` (Rank / ▲ / ▼; ranked rows stand in order at the top);
- consent: `ConsentPanel` (the plan, four choices, a reason).

Rows only report what was pressed (a message); the main screen keeps the draft
ballot, checks it against the round's limits and redraws the rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Static

from ...models import ConsentVote, Proposal, Round, RoundResults
from ...render import settlement_sentence
from ..widgets.tap_button import TapButton

CONSENT_OPTIONS = ("agree", "abstain", "disagree", "block")
CONSENT_HELP = {
    "agree": "Agree: you support the plan.",
    "abstain": "Abstain: you stand aside; the plan may go ahead without you.",
    "disagree": "Disagree: you would rather not, but you do not stop the plan.",
    "block": "Block: the plan must not go ahead as it stands. Say what would have to change.",
}
METHOD_NAMES = {
    "dot": "Dot vote",
    "approval": "Approval vote",
    "score": "Score vote",
    "borda": "Ranked vote (Borda)",
    "consent": "Consent check",
}


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def proposal_text(p: Proposal, group: str = "") -> Text:
    out = Text()
    out.append(p.id, style="bold")
    out.append("  ")
    out.append(p.title, style="bold")
    tags = []
    if p.step:
        tags.append(f"step {p.step}")
    if p.timeframe:
        tags.append(p.timeframe)
    if p.status.value != "proposed":
        tags.append(p.status.value if not p.merged_into else f"merged into {p.merged_into}")
    if group:
        tags.insert(0, group)
    if tags:
        out.append(f"  ({', '.join(tags)})", style="dim")
    if p.text:
        out.append("\n")
        out.append(p.text)
    return out


# -- texts -----------------------------------------------------------------------------

def approval_limits(r: Round) -> str:
    lo, hi = r.min_approvals, r.max_approvals
    if lo and hi:
        return f"at least {lo}, at most {hi}"
    if hi:
        return f"at most {hi}"
    if lo:
        return f"at least {lo}"
    return "as many as you like"


def rules_text(r: Round, n: int) -> str:
    """The method and its rules in one or two lines."""
    m = r.method
    if m == "dot":
        return (f"{METHOD_NAMES[m]}: spend {plural(r.dots, 'dot')} on the proposals you believe in most; "
                f"at most {r.max_per_proposal} on one.")
    if m == "approval":
        return f"{METHOD_NAMES[m]}: approve each proposal you could support ({approval_limits(r)})."
    if m == "score":
        return f"{METHOD_NAMES[m]}: give every proposal a score from 0 (not at all) to {r.max_score or 5} (fully)."
    if m == "borda":
        return (f"{METHOD_NAMES[m]}: rank the proposals, most preferred first. With {n} on the ballot, "
                f"place i gets {n} − i points; unranked ones get 0.")
    return (f"{METHOD_NAMES[m]} on one plan: agree, abstain, disagree or block. "
            "A block stops the plan and needs a reason.")


def opening_note(r: Round) -> str:
    m = r.method
    if m == "dot":
        return f"Voting is open: you have {r.dots} dots to spend."
    if m == "approval":
        return "Voting is open: approve the proposals you support."
    if m == "score":
        return f"Voting is open: score every proposal from 0 to {r.max_score or 5}."
    if m == "borda":
        return "Voting is open: rank the proposals, most preferred first."
    return "Voting is open: agree, abstain, disagree or block the plan."


def ballot_text(method: str, ballot: Any) -> str:
    """A cast ballot in a few words, e.g. 'P1 ×2, P3 ×1' or '1. P3, 2. P1'."""
    if method == "consent":
        if not isinstance(ballot, ConsentVote):
            return "no answer"
        return ballot.option + (f" ({ballot.reason})" if ballot.reason else "")
    if method == "dot":
        return ", ".join(f"{pid} ×{n}" for pid, n in dict(ballot or {}).items() if n > 0) or "no dots"
    if method == "score":
        return ", ".join(f"{pid} {n}" for pid, n in dict(ballot or {}).items()) or "no scores"
    if method == "approval":
        return ("approved " + ", ".join(ballot)) if ballot else "nothing approved"
    if method == "borda":
        return ", ".join(f"{i}. {pid}" for i, pid in enumerate(ballot or [], 1)) or "nothing ranked"
    return str(ballot)


def settlement_text(res: RoundResults) -> str:
    tie = res.tie
    if tie is None:
        return ""
    s = tie.settlement
    if s is None:
        return "Not settled yet: the facilitator settles it."
    return settlement_sentence(s)


def tie_text(res: RoundResults) -> Text:
    out = Text()
    tie = res.tie
    if tie is not None:
        if tie.at == "first":
            out.append("Tie for first place.", style="bold yellow")
        else:
            out.append(f"Tie at the cut-off ({plural(tie.places, 'place')} left).", style="bold yellow")
        out.append(f" {', '.join(tie.tied)} share it.", style="yellow")
        out.append("\n")
        out.append(settlement_text(res), style="italic")
    elif res.tie_for_first:
        out.append("Tie for first place" + (" so far." if res.round.is_open else "."), style="bold yellow")
    return out


def results_text(res: RoundResults, props: Mapping[str, Proposal], groups: Mapping[str, str]) -> Text:
    """A round's visible results for a phone: a ranking, or a consent check's outcome."""
    r = res.round
    out = Text()
    if r.is_open:
        out.append(f"Results so far in round {r.id}", style="bold underline")
    else:
        out.append(f"Results of round {r.id}", style="bold underline")
    if r.title:
        out.append(": ")
        out.append(r.title, style="bold")
    out.append(f"\n{METHOD_NAMES.get(r.method, r.method)} · {res.ballots_cast} of "
               f"{plural(res.eligible, 'group' if r.per_group else 'participant')} voted", style="dim")
    if r.is_open:
        out.append(" · voting is still open", style="dim")
    if res.paper_points:
        out.append(f" · {res.paper_points} points from paper", style="dim")
    if res.consent is not None:
        c = res.consent
        p = props.get(c.proposal)
        out.append("\n\n")
        out.append(c.proposal, style="bold")
        out.append("  ")
        out.append(p.title if p else "", style="bold")
        out.append("\n\n")
        so_far = "So far: " if r.is_open else ""
        out.append(so_far + c.outcome.upper(), style="bold reverse green" if c.passed else "bold reverse red")
        out.append("\n")
        out.append(" · ".join(f"{o} {c.counts.get(o, 0)}" for o in CONSENT_OPTIONS))
        if c.blocks:
            out.append("\n\nBlocked because:", style="bold")
            for reason in c.blocks:
                out.append("\n• ")
                out.append(reason)
        elif not c.passed:
            out.append("\nNo block, but agree does not outnumber disagree.", style="dim")
        return out
    tie = tie_text(res)
    if tie:
        out.append("\n")
        out.append_text(tie)
    for x in res.results:
        p = props.get(x.proposal)
        out.append("\n\n")
        out.append(f"{x.rank}{'=' if x.tied else '.'} ", style="bold")
        if r.method == "approval":
            out.append(plural(x.points, "approval"), style="bold green")
        else:
            out.append(plural(x.points, "point"), style="bold green")
        if r.method == "score" and x.mean is not None:
            out.append(f" · mean {x.mean:.1f} of {r.max_score or 5}", style="bold")
        if x.tied:
            out.append(" (tie)", style="yellow")
        out.append("\n")
        out.append(x.proposal, style="bold")
        out.append("  ")
        out.append(p.title if p else "")
        if p is not None and p.group_id in groups:
            out.append(f"  ({groups[p.group_id]})", style="dim")
    return out


def waiting_text(r: Round) -> str:
    """Why a round's results are not shown (yet)."""
    if r.is_open:
        if r.reveal == "after-vote":
            return f"Round {r.id} is open: its results appear here once you have cast your ballot."
        if r.reveal == "manual":
            return (f"Round {r.id} is open: results stay sealed until the facilitator closes the round "
                    "and shows them.")
        return f"Round {r.id} is open: results stay sealed until the facilitator closes the round."
    return f"Round {r.id} is closed: results appear here when the facilitator shows them."


# -- rows ------------------------------------------------------------------------------

class BallotRow(Vertical, can_focus=True):
    """One proposal on the ballot; ↑/↓ move between rows."""

    BINDINGS = [
        Binding("up", "app.focus_previous", "Up", show=False),
        Binding("down", "app.focus_next", "Down", show=False),
    ]

    PREFIX = "row"

    def __init__(self, proposal: Proposal, group: str) -> None:
        super().__init__(classes=f"ballot-row {self.PREFIX}-row", id=f"{self.PREFIX}-{proposal.id}")
        self.proposal = proposal
        self.group = group

    def set_proposal(self, proposal: Proposal, group: str) -> None:
        self.proposal = proposal
        self.group = group
        self.query_one(".row-title", Static).update(self.title_text())

    def title_text(self) -> Text:
        return proposal_text(self.proposal, self.group)

    def render_state(self) -> None:
        """Redraw from the row's own state (set by the screen)."""


class DotRow(BallotRow):
    """One proposal on a dot ballot: its title, then − dots +. Keys: ←/→, +/−, a digit."""

    BINDINGS = [
        Binding("plus,equals_sign,right", "more", "+1", show=False),
        Binding("minus,left", "less", "−1", show=False),
    ]
    PREFIX = "dots"

    class Change(Message):
        """The row asks for `value` (dots, or a score) instead of what it shows."""

        def __init__(self, row: "DotRow", value: int) -> None:
            super().__init__()
            self.row = row
            self.value = value

    def __init__(self, proposal: Proposal, group: str, count: int | None, cap: int) -> None:
        super().__init__(proposal, group)
        self.count = count
        self.cap = cap

    def compose(self) -> ComposeResult:
        yield Static(self.title_text(), classes="row-title dot-title")
        with Horizontal(classes="dot-controls"):
            less = TapButton("−", classes="dot-less")
            more = TapButton("+", classes="dot-more")
            yield less
            yield Static("", classes="dot-count")
            yield more

    def on_mount(self) -> None:
        self.render_count()

    def render_state(self) -> None:
        self.render_count()

    def render_count(self) -> None:
        n = self.count or 0
        dots = Text()
        dots.append("●" * n, style="bold green")
        dots.append("○" * max(self.cap - n, 0), style="dim")
        dots.append(f" {n}")
        self.query_one(".dot-count", Static).update(dots)

    def action_more(self) -> None:
        self.post_message(DotRow.Change(self, (self.count or 0) + 1))

    def action_less(self) -> None:
        self.post_message(DotRow.Change(self, (self.count or 0) - 1))

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit():
            event.stop()
            self.post_message(DotRow.Change(self, int(event.character)))

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


class ScoreRow(DotRow):
    """One proposal on a score ballot: − ■■■□□ 3 of 5 +, or "–" while not scored."""

    PREFIX = "score"

    def action_more(self) -> None:
        self.post_message(DotRow.Change(self, 1 if self.count is None else self.count + 1))

    def action_less(self) -> None:
        self.post_message(DotRow.Change(self, 0 if self.count is None else self.count - 1))

    def render_count(self) -> None:
        out = Text()
        if self.count is None:
            out.append("□" * min(self.cap, 10), style="dim")
            out.append("  – not scored", style="italic")
        else:
            shown = min(self.cap, 10)
            full = round(self.count / self.cap * shown) if self.cap else 0
            out.append("■" * full, style="bold green")
            out.append("□" * (shown - full), style="dim")
            out.append(f" {self.count} of {self.cap}", style="bold")
        self.query_one(".dot-count", Static).update(out)


class ApprovalRow(BallotRow):
    """One proposal on an approval ballot and a ☐/✓ button. Keys: space, enter."""

    BINDINGS = [Binding("space,enter,x", "toggle", "Approve", show=False)]
    PREFIX = "approve"

    class Toggle(Message):
        def __init__(self, row: "ApprovalRow") -> None:
            super().__init__()
            self.row = row

    def __init__(self, proposal: Proposal, group: str, approved: bool) -> None:
        super().__init__(proposal, group)
        self.approved = approved

    def compose(self) -> ComposeResult:
        yield Static(self.title_text(), classes="row-title")
        button = Button("", classes="approve-button", compact=True)
        button.can_focus = False
        yield button

    def on_mount(self) -> None:
        self.render_state()

    def render_state(self) -> None:
        button = self.query_one(".approve-button", Button)
        button.label = "✓ Approved" if self.approved else "☐ Approve"
        button.variant = "success" if self.approved else "default"
        self.set_class(self.approved, "chosen")

    def action_toggle(self) -> None:
        self.post_message(ApprovalRow.Toggle(self))

    @on(Button.Pressed, ".approve-button")
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.focus()
        self.action_toggle()


class BordaRow(BallotRow):
    """One proposal on a ranked ballot: its place and points, Rank/Unrank, ▲, ▼.

    Keys: space or enter ranks it next (or takes it out), shift+↑/↓ move it, a digit
    puts it in that place (0 takes it out).
    """

    BINDINGS = [
        Binding("space,enter", "toggle", "Rank", show=False),
        Binding("shift+up,ctrl+up", "move(-1)", "Move up", show=False),
        Binding("shift+down,ctrl+down", "move(1)", "Move down", show=False),
    ]
    PREFIX = "rank"

    class Move(Message):
        """`how`: "toggle", -1 / +1 (a place up / down), or ("place", n)."""

        def __init__(self, row: "BordaRow", how: Any) -> None:
            super().__init__()
            self.row = row
            self.how = how

    def __init__(self, proposal: Proposal, group: str, place: int | None, n: int) -> None:
        super().__init__(proposal, group)
        self.place = place  # 1-based, None when not ranked
        self.n = n

    def compose(self) -> ComposeResult:
        yield Static("", classes="rank-place")
        yield Static(self.title_text(), classes="row-title")
        with Horizontal(classes="rank-controls"):
            toggle = Button("Rank", classes="rank-toggle", compact=True)
            toggle.can_focus = False
            yield toggle
            yield TapButton("▲", classes="rank-up")
            yield TapButton("▼", classes="rank-down")

    def on_mount(self) -> None:
        self.render_state()

    def render_state(self) -> None:
        line = Text()
        if self.place is None:
            line.append("not ranked", style="dim italic")
            line.append(" · 0 points", style="dim")
        else:
            line.append(ordinal(self.place), style="bold green")
            line.append(f" · {plural(self.n - self.place, 'point')}", style="bold")
        self.query_one(".rank-place", Static).update(line)
        self.query_one(".rank-toggle", Button).label = "Unrank" if self.place else "Rank"
        self.query_one(".rank-up", Button).display = self.place is not None
        self.query_one(".rank-down", Button).display = self.place is not None
        self.set_class(self.place is not None, "chosen")

    def action_toggle(self) -> None:
        self.post_message(BordaRow.Move(self, "toggle"))

    def action_move(self, step: int) -> None:
        self.post_message(BordaRow.Move(self, step))

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit():
            event.stop()
            self.post_message(BordaRow.Move(self, ("place", int(event.character))))

    @on(Button.Pressed, ".rank-toggle")
    def _toggle(self, event: Button.Pressed) -> None:
        event.stop()
        self.focus()
        self.action_toggle()

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


class ConsentPanel(Vertical):
    """The plan of a consent round, four choices and a reason (required for block)."""

    class Choose(Message):
        def __init__(self, option: str) -> None:
            super().__init__()
            self.option = option

    def __init__(self, proposal: Proposal | None, group: str) -> None:
        super().__init__(id="consent-panel")
        self.proposal = proposal
        self.group = group
        self.option: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(self._plan(), id="consent-plan")
        with Grid(id="consent-options"):
            for option in CONSENT_OPTIONS:
                yield Button(option.capitalize(), id=f"consent-{option}", classes="consent-option")
        yield Static("", id="consent-help")
        yield Input(placeholder="reason (needed for block)", id="consent-reason", max_length=1000)

    def _plan(self) -> Text:
        out = Text()
        out.append("The plan\n", style="bold underline")
        if self.proposal is not None:
            out.append_text(proposal_text(self.proposal, self.group))
        return out

    def set_proposal(self, proposal: Proposal | None, group: str) -> None:
        self.proposal = proposal
        self.group = group
        self.query_one("#consent-plan", Static).update(self._plan())

    def on_mount(self) -> None:
        self.render_state()

    def render_state(self) -> None:
        for option in CONSENT_OPTIONS:
            b = self.query_one(f"#consent-{option}", Button)
            chosen = option == self.option
            b.label = ("● " if chosen else "") + option.capitalize()
            b.variant = ("error" if option == "block" else "success") if chosen else "default"
        help_text = Text()
        if self.option is None:
            help_text.append("Choose one answer.", style="dim")
        else:
            help_text.append(CONSENT_HELP[self.option], style="bold red" if self.option == "block" else "")
        self.query_one("#consent-help", Static).update(help_text)
        reason = self.query_one("#consent-reason", Input)
        reason.placeholder = ("what would have to change? (required)" if self.option == "block"
                              else "reason (needed for block)")

    @property
    def reason(self) -> str:
        return self.query_one("#consent-reason", Input).value

    def set_reason(self, text: str) -> None:
        self.query_one("#consent-reason", Input).value = text

    @on(Button.Pressed, ".consent-option")
    def _chosen(self, event: Button.Pressed) -> None:
        event.stop()
        option = (event.button.id or "").removeprefix("consent-")
        self.post_message(ConsentPanel.Choose(option))


def draft_of(method: str, stored: Any, ids: Sequence[str]) -> Any:
    """A stored ballot in the form the screen keeps a draft, for comparing the two."""
    if method == "dot":
        return {p: n for p, n in dict(stored or {}).items() if n > 0}
    if method == "score":
        return dict(stored or {})
    if method == "approval":
        chosen = set(stored or [])
        return [p for p in ids if p in chosen]
    if method == "borda":
        return list(stored or [])
    if isinstance(stored, ConsentVote):
        return (stored.option, stored.reason)
    return (None, "")

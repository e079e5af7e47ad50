"""The participant app's consent panel and the texts that explain a round and its
results on a phone.

The rows of the other ballots (dot, score, approval, Borda) are shared with the voting
booth: `..widgets.ballot_rows`. The consent panel is the plan, four large choices and a
reason; the main screen keeps the choice in its `BallotDraft`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Static

from ...voting import CONSENT_OPTIONS
from ...models import ConsentVote, Proposal, Round, RoundResults
from ...render import plural, settlement_sentence, turnout_sentence
from ..widgets.ballot_rows import proposal_text

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
    who = "group" if r.per_group else "participant"
    out.append(f"\n{METHOD_NAMES.get(r.method, r.method)} · "
               + turnout_sentence(res.ballots_cast, res.eligible, who, r.is_open), style="dim")
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


# -- consent ---------------------------------------------------------------------------

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



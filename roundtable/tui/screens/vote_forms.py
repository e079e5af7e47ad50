"""Modal forms for voting rounds and outcomes.

A form runs its service operation itself when submitted: a refusal is shown inside
the form as one sentence and everything typed stays in place; only a success closes
the form (dismissing with `Done(result)`; Escape/Cancel dismisses with None).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Checkbox, DataTable, Input, Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from ...errors import Refused, RoundtableError
from ...models import Action, Proposal

ACTION_STATUSES = [("open", "open"), ("in progress", "in_progress"), ("done", "done"), ("dropped", "dropped")]


@dataclass(frozen=True)
class Done:
    """What a form dismisses with after its operation succeeded."""

    result: Any


def whole_number(text: str, what: str, *, minimum: int = 0, empty: int | None = None) -> int:
    """Parse a typed whole number or refuse with one sentence."""
    text = (text or "").strip()
    if not text and empty is not None:
        return empty
    try:
        n = int(text)
    except ValueError:
        raise Refused(f"The {what} must be a whole number.") from None
    if n < minimum:
        raise Refused(f"The {what} must be {minimum} or more.")
    return n


def proposal_label(p: Proposal, groups: dict[str, str] | None = None) -> Text:
    """A proposal as literal text: typed titles never become markup."""
    label = Text(f"{p.id}  ", style="bold")
    label.append(p.title)
    if groups is not None and p.group_id in groups:
        label.append(f"  ({groups[p.group_id]})", style="dim")
    return label


class FormDialog(ModalScreen[Done | None]):
    """Base form: subclasses compose their fields and turn them into `values()`."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Save", show=True),
    ]

    submit_label = "Save"

    def __init__(self, title: str, submit: Callable[[dict[str, Any]], Any]) -> None:
        super().__init__(classes="form-screen")
        self.form_title = title
        self.submit = submit

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog form-dialog"):
            yield Label(self.form_title, markup=False, classes="dialog-title")
            yield from self.compose_fields()
            yield Static("", id="form-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.submit_label, variant="primary", id="form-submit")
                yield Button("Cancel", id="form-cancel")

    def compose_fields(self) -> ComposeResult:
        yield from ()

    def values(self) -> dict[str, Any]:
        return {}

    def show_error(self, message: str) -> None:
        error = self.query_one("#form-error", Static)
        error.update(message)
        error.display = bool(message)
        if message:
            # a long form scrolls: the sentence must be seen
            self.call_after_refresh(error.scroll_visible, animate=False)

    def on_mount(self) -> None:
        self.show_error("")

    def action_submit(self) -> None:
        try:
            result = self.submit(self.values())
        except RoundtableError as exc:
            self.show_error(str(exc))
            return
        self.dismiss(Done(result))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#form-submit")
    def _submit_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()


# -- voting -------------------------------------------------------------------

METHODS = [
    ("Dot vote: spend a budget of dots", "dot"),
    ("Approval: approve any number", "approval"),
    ("Score: 0 to a top score for every proposal", "score"),
    ("Ranked (Borda): order the proposals", "borda"),
    ("Consent check on one plan", "consent"),
]
METHOD_NAMES = {
    "dot": "dot vote", "approval": "approval vote", "score": "score vote", "borda": "ranked vote (Borda)",
    "consent": "consent check",
}
REVEALS = [
    ("when the round closes", "after-close"),
    ("to each voter once they have voted", "after-vote"),
    ("live, while the round is open", "live"),
    ("only when I reveal them (r)", "manual"),
]
REVEAL_WORDS = {
    "after-close": "results shown when the round closes",
    "after-vote": "results shown to each voter once they have voted",
    "live": "results shown live",
    "manual": "results shown when revealed",
}
CONSENT_WORDS = {"agree": "agree", "abstain": "abstain", "disagree": "disagree", "block": "block"}


def method_rules(r) -> str:
    """A round's method and its own settings, in words."""
    m = r.method
    if m == "dot":
        return f"dot vote · {r.dots} dots per ballot, at most {r.max_per_proposal} per proposal"
    if m == "approval":
        limits = []
        if r.min_approvals is not None:
            limits.append(f"at least {r.min_approvals}")
        if r.max_approvals is not None:
            limits.append(f"at most {r.max_approvals}")
        return "approval vote · approve " + (" and ".join(limits) if limits else "any number")
    if m == "score":
        return f"score vote · every proposal scored 0 to {r.max_score or 5}"
    if m == "borda":
        n = len(r.proposals)
        return f"ranked vote (Borda) · 1st place gets {max(n - 1, 0)} points, unranked 0"
    return "consent check on one plan"


def round_settings(r) -> str:
    """Everything else that is fixed for the round, in words."""
    parts = []
    if r.ranked:
        parts.append("picks 1" if r.shortlist == 1 else f"shortlist of {r.shortlist}")
    parts.append("one ballot per group" if r.per_group else "one ballot per participant")
    parts.append("anonymous" if r.anonymous else "named ballots")
    parts.append(REVEAL_WORDS.get(r.reveal, r.reveal))
    return " · ".join(parts)


def ballot_text(ballot, method: str) -> str:
    """One ballot as a line of text (the ballots dialog, the booth)."""
    if ballot is None:
        return "–"
    if hasattr(ballot, "option"):
        return ballot.option + (f" — {ballot.reason}" if ballot.reason else "")
    if isinstance(ballot, dict):
        return ", ".join(f"{k}={v}" for k, v in ballot.items()) or "–"
    if method == "borda":
        return "  ".join(f"{n}. {p}" for n, p in enumerate(ballot, 1)) or "–"
    return ", ".join(ballot) or "–"


def optional_number(text: str, what: str, *, minimum: int = 0) -> int | None:
    text = (text or "").strip()
    return None if not text else whole_number(text, what, minimum=minimum)


class OpenRoundDialog(FormDialog):
    """Choose the method and only the settings that method takes, then the common settings."""

    submit_label = "Open round"

    def __init__(
        self, proposals: Sequence[Proposal], groups: dict[str, str], submit: Callable[[dict[str, Any]], Any],
        dots: int = 5, runoff_sources: Sequence[Any] = (), method: str = "dot",
    ) -> None:
        super().__init__("Open a voting round", submit)
        self.proposals = list(proposals)
        self.groups = groups
        self.default_dots = dots
        self.default_method = method
        # closed ranked rounds (RoundResults), newest first: a runoff takes the top N of one
        self.runoff_sources = {res.round.id: res for res in runoff_sources}
        self._cap_touched = False
        self._setting_cap = False

    def compose_fields(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label("Method", classes="form-label-inline")
            yield Select(METHODS, allow_blank=False, value=self.default_method, id="round-method", compact=True)
        with Horizontal(classes="form-row method-settings", id="settings-dot"):
            yield Label("Dots per ballot", classes="form-label-inline")
            yield Input(str(self.default_dots), type="integer", id="round-dots", compact=True, classes="number")
            yield Label("Cap per proposal", classes="form-label-inline")
            yield Input(str(min(3, self.default_dots)), type="integer", id="round-cap", compact=True, classes="number")
        with Horizontal(classes="form-row method-settings", id="settings-approval"):
            yield Label("Approve at least", classes="form-label-inline")
            yield Input("", placeholder="–", type="integer", id="round-min", compact=True, classes="number")
            yield Label("at most", classes="form-label-inline")
            yield Input("", placeholder="any", type="integer", id="round-max", compact=True, classes="number")
        with Horizontal(classes="form-row method-settings", id="settings-score"):
            yield Label("Scores from 0 to", classes="form-label-inline")
            yield Input("5", type="integer", id="round-max-score", compact=True, classes="number")
        sources = [("the proposals chosen below", 0)] + [
            (f"runoff: the top of round {rid} ({METHOD_NAMES.get(res.round.method, res.round.method)})", rid)
            for rid, res in self.runoff_sources.items()
        ]
        with Horizontal(classes="form-row"):
            yield Label("Vote on", classes="form-label-inline")
            yield Select(sources, allow_blank=False, value=0, id="round-source", compact=True)
        with Horizontal(classes="form-row", id="runoff-row"):
            yield Label("Take the top", classes="form-label-inline")
            yield Input("3", type="integer", id="round-top", compact=True, classes="number")
            yield Static("", id="runoff-preview")
        yield Label("Proposals in the round (space toggles; Ctrl+S opens the round):", classes="form-label",
                    id="proposals-label")
        yield SelectionList[str](
            *[Selection(Content.from_rich_text(proposal_label(p, self.groups)), p.id, True) for p in self.proposals],
            id="round-proposals",
        )
        yield Label("The plan to check (one proposal):", classes="form-label", id="plan-label")
        yield Select(
            [(proposal_label(p, self.groups), p.id) for p in self.proposals], prompt="(choose the plan)",
            id="round-plan", compact=True,
        )
        with Horizontal(classes="form-row"):
            yield Label("Title", classes="form-label-inline")
            yield Input("", placeholder="optional, e.g. Shortlist", id="round-title", compact=True)
            yield Label("Shortlist", classes="form-label-inline", id="shortlist-label")
            yield Input("1", type="integer", id="round-shortlist", compact=True, classes="number",
                        tooltip="How many proposals the round picks; a tie at that cut-off is flagged")
        with Horizontal(classes="form-row"):
            yield Label("Results", classes="form-label-inline")
            yield Select(REVEALS, allow_blank=False, value="after-close", id="round-reveal", compact=True)
        with Horizontal(classes="form-row"):
            yield Checkbox("One ballot per group", id="round-per-group", compact=True)
            yield Checkbox("Anonymous ballots", id="round-anonymous", compact=True)
        yield Static("The method and settings are fixed once the round is open.", classes="form-note")

    def on_mount(self) -> None:
        super().on_mount()
        self._show_method()
        self.query_one("#round-proposals", SelectionList).focus()

    # -- showing only what the method takes ---------------------------------------
    @property
    def method(self) -> str:
        return str(self.query_one("#round-method", Select).value)

    @property
    def runoff_of(self) -> int | None:
        value = self.query_one("#round-source", Select).value
        return int(value) if value not in (0, Select.NULL) else None

    @on(Select.Changed, "#round-method")
    @on(Select.Changed, "#round-source")
    def _method_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._show_method()

    def _show_method(self) -> None:
        m = self.method
        runoff = self.runoff_of is not None
        for name in ("dot", "approval", "score"):
            self.query_one(f"#settings-{name}").display = m == name
        self.query_one("#runoff-row").display = runoff
        self.query_one("#proposals-label").display = not runoff and m != "consent"
        self.query_one("#round-proposals").display = not runoff and m != "consent"
        self.query_one("#plan-label").display = not runoff and m == "consent"
        self.query_one("#round-plan").display = not runoff and m == "consent"
        self.query_one("#shortlist-label").display = m != "consent"
        self.query_one("#round-shortlist").display = m != "consent"
        if runoff:
            self._show_runoff_preview()

    @on(Input.Changed, "#round-top")
    def _top_changed(self, event: Input.Changed) -> None:
        self._show_runoff_preview()

    def _show_runoff_preview(self) -> None:
        from ...voting import top_with_ties

        preview = self.query_one("#runoff-preview", Static)
        res = self.runoff_sources.get(self.runoff_of or -1)
        if res is None:
            preview.update("")
            return
        try:
            top = int(self.query_one("#round-top", Input).value)
        except ValueError:
            preview.update(Text("type how many go in", style="dim"))
            return
        if top < 1:
            preview.update(Text("at least 1", style="dim"))
            return
        chosen, tied = top_with_ties(res.results, top)
        line = Text("→ ")
        for n, pid in enumerate(chosen):
            if n:
                line.append(", ")
            line.append(pid, style="bold yellow" if pid in tied else "bold")
        if len(chosen) > top:
            line.append(f"  ({', '.join(tied)} tied at the cut-off)", style="yellow")
        preview.update(line)

    # -- the dot cap follows the budget --------------------------------------------
    @on(Input.Changed, "#round-dots")
    def _dots_changed(self, event: Input.Changed) -> None:
        # The cap follows the budget (3, or the budget when smaller) until edited by hand.
        if self._cap_touched:
            return
        try:
            dots = int(event.value)
        except ValueError:
            return
        if dots >= 1:
            self._setting_cap = True
            self.query_one("#round-cap", Input).value = str(min(3, dots))

    @on(Input.Changed, "#round-cap")
    def _cap_changed(self, event: Input.Changed) -> None:
        if self._setting_cap:
            self._setting_cap = False
        else:
            self._cap_touched = True

    def values(self) -> dict[str, Any]:
        m = self.method
        v: dict[str, Any] = {
            "method": m,
            "title": self.query_one("#round-title", Input).value,
            "per_group": self.query_one("#round-per-group", Checkbox).value,
            "anonymous": self.query_one("#round-anonymous", Checkbox).value,
            "reveal": str(self.query_one("#round-reveal", Select).value),
        }
        if m == "dot":
            v["dots"] = whole_number(self.query_one("#round-dots", Input).value, "dot budget", minimum=1)
            v["max_per_proposal"] = whole_number(self.query_one("#round-cap", Input).value, "cap per proposal",
                                                 minimum=1)
        elif m == "approval":
            v["min_approvals"] = optional_number(self.query_one("#round-min", Input).value,
                                                 "minimum number of approvals")
            v["max_approvals"] = optional_number(self.query_one("#round-max", Input).value,
                                                 "maximum number of approvals", minimum=1)
        elif m == "score":
            v["max_score"] = whole_number(self.query_one("#round-max-score", Input).value, "top score",
                                          minimum=1, empty=5)
        if m != "consent":
            v["shortlist"] = whole_number(self.query_one("#round-shortlist", Input).value, "shortlist size",
                                          minimum=1, empty=1)
        if self.runoff_of is not None:
            v["runoff_of"] = self.runoff_of
            v["top"] = whole_number(self.query_one("#round-top", Input).value,
                                    "number of proposals to take from the earlier round", minimum=1)
        elif m == "consent":
            plan = self.query_one("#round-plan", Select).value
            if plan is Select.NULL:
                raise Refused("A consent round checks one plan; choose which proposal.")
            v["proposals"] = [plan]
        else:
            chosen = list(self.query_one("#round-proposals", SelectionList).selected)
            if not chosen:
                raise Refused("Choose at least one proposal for the round.")
            order = {p.id: n for n, p in enumerate(self.proposals)}
            v["proposals"] = sorted(chosen, key=order.__getitem__)
        return v


class SettleTieDialog(FormDialog):
    """Settle a closed round's tie: a runoff among the tied, a draw with a recorded seed, or a decision."""

    submit_label = "Settle the tie"
    HOWS = [
        ("Runoff: a new round among the tied proposals", "runoff"),
        ("Draw: a recorded seed anyone can re-run", "draw"),
        ("Decision: choose, with a written reason", "decision"),
    ]

    def __init__(self, res, proposals: dict[str, Proposal], submit: Callable[[dict[str, Any]], Any],
                 how: str = "draw") -> None:
        super().__init__(f"Settle the tie in round {res.round.id}", submit)
        self.res = res
        self.tie = res.tie
        self.props = proposals
        self.default_how = how

    def compose_fields(self) -> ComposeResult:
        tie, r = self.tie, self.res.round
        tied = sorted(tie.tied, key=lambda p: int(p[1:]) if p[1:].isdigit() else 0)
        yield Static(Text(tie_words(tie, r.shortlist) + f" {tie.places} of them "
                          f"go{'es' if tie.places == 1 else ''} through."), classes="form-label")
        with Horizontal(classes="form-row"):
            yield Label("Settle by", classes="form-label-inline")
            yield Select(self.HOWS, allow_blank=False, value=self.default_how, id="settle-how", compact=True)
        with Vertical(id="settle-runoff", classes="settle-part"):
            with Horizontal(classes="form-row"):
                yield Label("Runoff method", classes="form-label-inline")
                yield Select([(label, m) for label, m in METHODS if m != "consent"], allow_blank=False,
                             value=r.method if r.method != "consent" else "dot", id="settle-method", compact=True)
                yield Label("dots", classes="form-label-inline", id="settle-dots-label")
                yield Input(str(max(1, min(r.dots or tie.places, tie.places))), type="integer",
                            id="settle-dots", compact=True, classes="number")
            yield Static(f"Opens a new round over {', '.join(tied)} now; its other settings follow round {r.id}.",
                         classes="form-note")
        with Vertical(id="settle-draw", classes="settle-part"):
            with Horizontal(classes="form-row"):
                yield Label("Seed", classes="form-label-inline")
                yield Input("", placeholder="blank = a random seed, recorded", id="settle-seed", compact=True)
            yield Static("The tied proposals, in id order, are shuffled with Python's random.Random(seed); "
                         "the seed goes into the minutes so anyone can re-run the draw.", classes="form-note")
        with Vertical(id="settle-decision", classes="settle-part"):
            yield Label(f"Which {tie.places} go{'es' if tie.places == 1 else ''} through:", classes="form-label")
            yield SelectionList[str](
                *[Selection(Content.from_rich_text(proposal_label(self.props[p]) if p in self.props else Text(p)),
                            p, False) for p in tied],
                id="settle-chosen",
            )
        yield Label("Reason (required for a decision)", classes="form-label")
        yield Input("", placeholder="why, for the minutes", id="settle-reason", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self._show_how()
        self.query_one("#settle-how", Select).focus()

    @on(Select.Changed, "#settle-how")
    @on(Select.Changed, "#settle-method")
    def _how_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._show_how()

    def _show_how(self) -> None:
        how = self.query_one("#settle-how", Select).value
        for part in ("runoff", "draw", "decision"):
            self.query_one(f"#settle-{part}").display = how == part
        dot = self.query_one("#settle-method", Select).value == "dot"
        self.query_one("#settle-dots").display = dot
        self.query_one("#settle-dots-label").display = dot

    def values(self) -> dict[str, Any]:
        how = str(self.query_one("#settle-how", Select).value)
        reason = self.query_one("#settle-reason", Input).value
        v: dict[str, Any] = {"how": how, "reason": reason}
        if how == "draw":
            v["seed"] = self.query_one("#settle-seed", Input).value.strip() or None
        elif how == "decision":
            chosen = list(self.query_one("#settle-chosen", SelectionList).selected)
            if len(chosen) != self.tie.places:
                raise Refused(f"Choose {self.tie.places} of the tied proposals to go through "
                              f"(you chose {len(chosen)}).")
            if not reason.strip():
                raise Refused("A decision needs a written reason: why these proposals go through.")
            v["chosen"] = chosen
        else:
            method = str(self.query_one("#settle-method", Select).value)
            runoff: dict[str, Any] = {"method": method}
            if method == "dot":
                runoff["dots"] = whole_number(self.query_one("#settle-dots", Input).value, "dot budget", minimum=1)
            v["runoff"] = runoff
        return v


def tie_words(tie, shortlist: int) -> str:
    tied = ", ".join(tie.tied)
    if tie.at == "first":
        return f"Tie for first place between {tied}."
    return f"Tie at the cut-off for {shortlist} places between {tied}."


class BallotsDialog(ModalScreen[None]):
    """A closed round's ballots: with voter names for named rounds, without for anonymous ones."""

    BINDINGS = [Binding("escape", "close", "Close")]

    def __init__(self, r, ballots: Sequence[Any], names: dict[str, str]) -> None:
        super().__init__(classes="form-screen")
        self.r = r
        self.items = list(ballots)
        self.names = names

    def compose(self) -> ComposeResult:
        r = self.r
        kind = "anonymous: no ballot is linked to a person" if r.anonymous else "named"
        with Vertical(classes="dialog form-dialog ballots-dialog"):
            yield Label(f"Ballots of round {r.id} ({METHOD_NAMES.get(r.method, r.method)}, {kind})",
                        markup=False, classes="dialog-title")
            table = DataTable(id="ballots-table", cursor_type="row", zebra_stripes=True)
            yield table
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", variant="primary", id="ballots-close")

    def on_mount(self) -> None:
        table = self.query_one("#ballots-table", DataTable)
        table.add_column("Voter" if not self.r.per_group else "Group", key="voter")
        table.add_column("Ballot", key="ballot")
        for n, b in enumerate(self.items, 1):
            if self.r.anonymous or b.voter is None:
                who = Text(f"ballot {n}", style="dim")
            else:
                who = Text(self.names.get(b.voter, b.voter))
                if self.r.per_group and b.cast_by:
                    who.append(f" (cast by {self.names.get(b.cast_by, b.cast_by)})", style="dim")
            table.add_row(who, Text(ballot_text(b.ballot, self.r.method)))
        if not self.items:
            table.add_row(Text("No ballots were cast.", style="dim"), Text(""))
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#ballots-close")
    def _closed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)


class PaperTallyDialog(FormDialog):
    """One whole number per proposal, counted from a paper or wall vote."""

    submit_label = "Save tally"

    def __init__(
        self, round_id: int, proposals: Sequence[Proposal], groups: dict[str, str],
        submit: Callable[[dict[str, Any]], Any], already_entered: bool = False,
    ) -> None:
        super().__init__(f"Paper or wall tally for round {round_id}", submit)
        self.proposals = list(proposals)
        self.groups = groups
        self.already_entered = already_entered

    def compose_fields(self) -> ComposeResult:
        note = "Points counted on paper or on the wall, per proposal (empty = 0)."
        if self.already_entered:
            note += " A paper tally was already entered: saving replaces it."
        yield Static(note, classes="form-label", markup=False)
        with VerticalScroll(id="tally-rows"):
            for p in self.proposals:
                with Horizontal(classes="tally-row"):
                    yield Static(proposal_label(p, self.groups), classes="tally-label")
                    yield Input(
                        placeholder="0", type="integer", id=f"tally-{p.id}", compact=True, classes="number"
                    )

    def on_mount(self) -> None:
        super().on_mount()
        if self.proposals:
            self.query_one(f"#tally-{self.proposals[0].id}", Input).focus()

    def values(self) -> dict[str, Any]:
        tallies = {}
        for p in self.proposals:
            text = self.query_one(f"#tally-{p.id}", Input).value
            tallies[p.id] = whole_number(text, f"paper count for {p.id}", minimum=0, empty=0)
        return {"tallies": tallies}


# -- outcomes -----------------------------------------------------------------


class DecisionDialog(FormDialog):
    submit_label = "Add decision"

    def __init__(self, proposals: Sequence[Proposal], submit: Callable[[dict[str, Any]], Any]) -> None:
        super().__init__("Add a decision", submit)
        self.proposals = list(proposals)

    def compose_fields(self) -> ComposeResult:
        yield Label("What was decided", classes="form-label")
        yield Input(placeholder="e.g. Every hotel briefs its night staff before the event", id="decision-text", compact=True)
        yield Label("Linked proposal (optional)", classes="form-label")
        yield Select(
            [(proposal_label(p), p.id) for p in self.proposals], prompt="(no proposal)", id="decision-proposal", compact=True
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#decision-text", Input).focus()

    def values(self) -> dict[str, Any]:
        proposal = self.query_one("#decision-proposal", Select).value
        return {
            "text": self.query_one("#decision-text", Input).value,
            "proposal": None if proposal is Select.NULL else proposal,
        }


class ActionDialog(FormDialog):
    """Add or edit an action: what, owner organisation, due date, status."""

    def __init__(
        self, submit: Callable[[dict[str, Any]], Any], *, action: Action | None = None,
        organisations: Sequence[str] = (),
    ) -> None:
        super().__init__(f"Edit action {action.id}" if action else "Add an action", submit)
        self.action_item = action
        self.organisations = sorted({o for o in organisations if o})
        self.submit_label = "Save action" if action else "Add action"

    def compose_fields(self) -> ComposeResult:
        a = self.action_item
        yield Label("What will be done", classes="form-label")
        yield Input(a.text if a else "", placeholder="e.g. Send the indicator card to all member hotels", id="action-text", compact=True)
        with Horizontal(classes="form-row"):
            with Vertical(classes="form-col"):
                yield Label("Owner organisation", classes="form-label")
                yield Input(
                    a.owner if a else "", placeholder="organisation", id="action-owner", compact=True,
                    suggester=SuggestFromList(self.organisations, case_sensitive=False) if self.organisations else None,
                )
            with Vertical(classes="form-col form-col-narrow"):
                yield Label("Due (YYYY-MM-DD)", classes="form-label")
                yield Input(a.due.isoformat() if a and a.due else "", placeholder="optional", id="action-due", compact=True)
        yield Label("Status", classes="form-label")
        yield Select(
            ACTION_STATUSES, allow_blank=False, value=a.status.value if a else "open", id="action-status", compact=True
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#action-text", Input).focus()

    def values(self) -> dict[str, Any]:
        due = self.query_one("#action-due", Input).value.strip()
        return {
            "text": self.query_one("#action-text", Input).value,
            "owner": self.query_one("#action-owner", Input).value,
            "due": due or None,
            "status": self.query_one("#action-status", Select).value,
        }


class NoteDialog(FormDialog):
    """An evaluation note: what worked, or what to improve for the next event."""

    submit_label = "Add note"
    KINDS = {"worked": "What worked", "improve": "What to improve for the next event"}

    def __init__(self, kind: str, submit: Callable[[dict[str, Any]], Any]) -> None:
        super().__init__(f"Evaluation: {self.KINDS[kind].lower()}", submit)
        self.kind = kind

    def compose_fields(self) -> ComposeResult:
        yield Label(self.KINDS[self.kind], classes="form-label")
        yield Input(placeholder="one point per note", id="note-text", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#note-text", Input).focus()

    def values(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.query_one("#note-text", Input).value}


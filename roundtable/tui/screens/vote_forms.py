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
from textual.widgets import Button, Input, Label, Select, SelectionList, Static
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


class OpenRoundDialog(FormDialog):
    """Choose proposals, the dot budget and the cap per proposal."""

    submit_label = "Open round"

    def __init__(
        self, proposals: Sequence[Proposal], groups: dict[str, str], submit: Callable[[dict[str, Any]], Any],
        dots: int = 5,
    ) -> None:
        super().__init__("Open a dot-voting round", submit)
        self.proposals = list(proposals)
        self.groups = groups
        self.default_dots = dots
        self._cap_touched = False
        self._setting_cap = False

    def compose_fields(self) -> ComposeResult:
        yield Label("Proposals in the round (space toggles; Ctrl+S opens the round):", classes="form-label")
        yield SelectionList[str](
            *[Selection(Content.from_rich_text(proposal_label(p, self.groups)), p.id, True) for p in self.proposals],
            id="round-proposals",
        )
        with Horizontal(classes="form-row"):
            yield Label("Dots per participant", classes="form-label-inline")
            yield Input(str(self.default_dots), type="integer", id="round-dots", compact=True, classes="number")
            yield Label("Cap per proposal", classes="form-label-inline")
            yield Input(str(min(3, self.default_dots)), type="integer", id="round-cap", compact=True, classes="number")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#round-proposals", SelectionList).focus()

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
        chosen = list(self.query_one("#round-proposals", SelectionList).selected)
        if not chosen:
            raise Refused("Choose at least one proposal for the round.")
        order = {p.id: n for n, p in enumerate(self.proposals)}
        dots = whole_number(self.query_one("#round-dots", Input).value, "dot budget", minimum=1)
        cap = whole_number(self.query_one("#round-cap", Input).value, "cap per proposal", minimum=1)
        return {"proposals": sorted(chosen, key=order.__getitem__), "dots": dots, "max_per_proposal": cap}


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


"""Ballot rows for the ranked methods, shared by the voting booth and the participant app.

- dot: `DotRow` (− ●●○ 2 +);
- score: `ScoreRow` (− ■■■□□ 3 of 5 +; "– not scored" until scored);
- approval: `ApprovalRow` (a ☐/✓ button);
- borda: `BordaRow` (its place and points; Rank / ▲ / ▼; ranked rows stand first, in order).

`BallotRows` holds the rows and the voter's `BallotDraft`. Rows only report what was
pressed; `BallotRows` applies it to the draft, redraws and posts `BallotRows.Edited`
(with the sentence saying why, when an edit was refused). The rows are two lines,
touch-first, by default; the booth lays each on one line in its own stylesheet.
Consent is not a row: each front end asks it its own way (see booth and participant).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Static

from ...ballot_draft import BallotDraft
from ...models import Proposal
from ...render import plural
from .tap_button import TapButton


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def proposal_text(p: Proposal, group: str = "") -> Text:
    """Id and title in bold, then group, step, timeframe and status; the text below."""
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


class BallotRow(Vertical, can_focus=True):
    """One proposal on the ballot; ↑/↓ move between rows (↓ from the last leaves the rows)."""

    DEFAULT_CSS = """
    BallotRow { height: auto; padding: 0 1; margin-bottom: 1; border-left: thick $panel; }
    BallotRow.chosen { border-left: thick $success; }
    BallotRow:focus { border-left: thick $accent; background: $boost; }
    BallotRow .row-title { height: auto; }
    BallotRow .row-controls { height: 1; width: auto; }
    BallotRow TapButton { min-width: 5; width: 5; }
    BallotRow .dot-count { width: auto; min-width: 10; height: 1; padding: 0 1; }
    BallotRow .approve-button { min-width: 14; width: auto; }
    BallotRow .rank-place { height: 1; width: auto; }
    BallotRow .rank-toggle { min-width: 8; width: 8; margin-right: 1; }
    BallotRow .rank-up { margin-right: 1; }
    """

    BINDINGS = [
        Binding("up", "neighbour(-1)", "Up", show=False),
        Binding("down", "neighbour(1)", "Down", show=False),
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

    def show(self, draft: BallotDraft) -> None:
        """Take this proposal's state from the draft and redraw."""

    def action_neighbour(self, step: int) -> None:
        # ↑ on the first row stays put rather than wrapping round to the buttons below
        rows = [w for w in self.parent.children if isinstance(w, BallotRow)] if self.parent else [self]
        j = rows.index(self) + step
        if 0 <= j < len(rows):
            rows[j].focus(scroll_visible=True)
        elif step > 0:
            self.screen.focus_next()

    @on(Button.Pressed)
    async def _pressed(self, event: Button.Pressed) -> None:
        # every button on a row names the row action it stands for in its `name`
        event.stop()
        self.focus()
        if event.button.name:
            await self.run_action(event.button.name)


class DotRow(BallotRow):
    """One proposal on a dot ballot: its title, then − dots +. Keys: ←/→, +/−, a digit."""

    BINDINGS = [
        Binding("plus,equals_sign,right", "step(1)", "+1", show=True),
        Binding("minus,left", "step(-1)", "−1", show=True),
    ]
    PREFIX = "dots"

    class Step(Message):
        """− or + on the row (delta −1 or +1)."""

        def __init__(self, row: "DotRow", delta: int) -> None:
            super().__init__()
            self.row = row
            self.delta = delta

    class Set(Message):
        """A digit typed on the row: that many dots, or that score."""

        def __init__(self, row: "DotRow", value: int) -> None:
            super().__init__()
            self.row = row
            self.value = value

    def __init__(self, proposal: Proposal, group: str, cap: int) -> None:
        super().__init__(proposal, group)
        self.count: int | None = None
        self.cap = cap
        self._typed: tuple[int, float] | None = None  # the last digit value and when

    def compose(self) -> ComposeResult:
        yield Static(self.title_text(), classes="row-title")
        with Horizontal(classes="row-controls"):
            yield TapButton("−", classes="dot-less", name="step(-1)")
            yield Static("", classes="dot-count")
            yield TapButton("+", classes="dot-more", name="step(1)")

    def on_mount(self) -> None:
        self.render_count()

    def show(self, draft: BallotDraft) -> None:
        self.count = draft.counts.get(self.proposal.id, 0 if draft.method == "dot" else None)
        self.set_class(bool(self.count), "chosen")
        self.render_count()

    def render_count(self) -> None:
        n = self.count or 0
        dots = Text()
        dots.append("●" * n, style="bold green")
        dots.append("○" * max(self.cap - n, 0), style="dim")
        dots.append(f" {n}")
        self.query_one(".dot-count", Static).update(dots)

    def action_step(self, delta: int) -> None:
        self.post_message(DotRow.Step(self, delta))

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit():
            event.stop()
            value, now = int(event.character), time.monotonic()
            # on a score row two digits typed within a second make one number (10 on a
            # 0–10 scale); dots are counted one by one, so there a digit is a digit
            if (isinstance(self, ScoreRow) and self._typed is not None and now - self._typed[1] < 1.0
                    and 0 < self._typed[0] * 10 + value <= self.cap):
                value = self._typed[0] * 10 + value
            self._typed = (value, now)
            self.post_message(DotRow.Set(self, value))


class ScoreRow(DotRow):
    """One proposal on a score ballot: − ■■■□□ 3 of 5 +, or "– not scored"."""

    PREFIX = "score"

    def show(self, draft: BallotDraft) -> None:
        super().show(draft)
        self.set_class(self.count is not None, "chosen")

    def render_count(self) -> None:
        out = Text()
        shown = min(self.cap, 10)
        if self.count is None:
            out.append("□" * shown, style="dim")
            out.append("  – not scored", style="italic")
        else:
            full = round(self.count / self.cap * shown) if self.cap else 0
            out.append("■" * full, style="bold green")
            out.append("□" * (shown - full), style="dim")
            out.append(f" {self.count} of {self.cap}", style="bold")
        self.query_one(".dot-count", Static).update(out)


class ApprovalRow(BallotRow):
    """One proposal on an approval ballot and a ☐/✓ button. Keys: space, enter, x."""

    BINDINGS = [Binding("space,enter,x", "toggle", "Approve / take back", show=True)]
    PREFIX = "approve"

    class Toggle(Message):
        def __init__(self, row: "ApprovalRow") -> None:
            super().__init__()
            self.row = row

    def __init__(self, proposal: Proposal, group: str) -> None:
        super().__init__(proposal, group)
        self.approved = False

    def compose(self) -> ComposeResult:
        yield Static(self.title_text(), classes="row-title")
        with Horizontal(classes="row-controls"):
            button = Button("", classes="approve-button", compact=True, name="toggle")
            button.can_focus = False
            yield button

    def on_mount(self) -> None:
        self.render_state()

    def show(self, draft: BallotDraft) -> None:
        self.approved = self.proposal.id in draft.approved
        self.render_state()

    def render_state(self) -> None:
        button = self.query_one(".approve-button", Button)
        button.label = "✓ Approved" if self.approved else "☐ Approve"
        button.variant = "success" if self.approved else "default"
        self.set_class(self.approved, "chosen")

    def action_toggle(self) -> None:
        self.post_message(ApprovalRow.Toggle(self))

    def on_click(self, event: events.Click) -> None:
        # a click anywhere on the row toggles it (the button stops its own clicks)
        event.stop()
        self.focus()
        self.action_toggle()


class BordaRow(BallotRow):
    """One proposal on a ranked ballot: its place and points, Rank/Unrank, ▲, ▼.

    Keys: space or enter ranks it next (or takes it out), shift+↑/↓ move it, a digit
    puts it in that place (0 takes it out).
    """

    BINDINGS = [
        Binding("space,enter", "toggle", "Rank/unrank", show=True),
        Binding("shift+up,ctrl+up,left_square_bracket", "move(-1)", "Move up", show=True),
        Binding("shift+down,ctrl+down,right_square_bracket", "move(1)", "Move down", show=True),
    ]
    PREFIX = "rank"

    class Move(Message):
        """`how`: "toggle", -1 / +1 (a place up / down), or ("place", n)."""

        def __init__(self, row: "BordaRow", how: Any) -> None:
            super().__init__()
            self.row = row
            self.how = how

    def __init__(self, proposal: Proposal, group: str, n: int) -> None:
        super().__init__(proposal, group)
        self.place: int | None = None  # 1-based, None when not ranked
        self.n = n

    def compose(self) -> ComposeResult:
        yield Static("", classes="rank-place")
        yield Static(self.title_text(), classes="row-title")
        with Horizontal(classes="row-controls"):
            toggle = Button("Rank", classes="rank-toggle", compact=True, name="toggle")
            toggle.can_focus = False
            yield toggle
            yield TapButton("▲", classes="rank-up", name="move(-1)")
            yield TapButton("▼", classes="rank-down", name="move(1)")

    def on_mount(self) -> None:
        self.render_state()

    def show(self, draft: BallotDraft) -> None:
        self.place = draft.place(self.proposal.id)
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


class BallotRows(Vertical):
    """The rows of a dot, score, approval or Borda ballot, and the draft they edit."""

    DEFAULT_CSS = "BallotRows { height: auto; }"

    class Edited(Message):
        """The draft changed (refused is None) or an edit was refused (one sentence why)."""

        def __init__(self, rows: "BallotRows", refused: str | None) -> None:
            super().__init__()
            self.rows = rows
            self.refused = refused

    def __init__(self, draft: BallotDraft, proposals: Sequence[Proposal], groups: Mapping[str, str],
                 *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.draft = draft
        self.proposals = list(proposals)
        self.groups = groups

    def compose(self) -> ComposeResult:
        r = self.draft.round
        for p in self.proposals:
            group = self.groups.get(p.group_id, "")
            if r.method == "dot":
                yield DotRow(p, group, r.max_per_proposal)
            elif r.method == "score":
                yield ScoreRow(p, group, r.max_score or 5)
            elif r.method == "borda":
                yield BordaRow(p, group, len(self.proposals))
            else:
                yield ApprovalRow(p, group)

    def on_mount(self) -> None:
        self.redraw()

    def rows(self) -> list[BallotRow]:
        return list(self.query_children(BallotRow))

    def redraw(self) -> None:
        """Put the draft on the rows; on a ranked ballot the ranked rows come first, in order."""
        rows = self.rows()
        for row in rows:
            row.show(self.draft)
        if self.draft.method == "borda" and rows:
            by_id = {row.proposal.id: row for row in rows}
            wanted = [by_id[p] for p in self.draft.display_order() if p in by_id]
            for n, row in enumerate(wanted):
                if self.children[n] is not row:
                    self.move_child(row, before=n)

    def load(self, stored: Any) -> None:
        self.draft.load(stored)
        self.redraw()

    def set_proposals(self, proposals: Sequence[Proposal], groups: Mapping[str, str]) -> None:
        """Same proposals, newer wording (a title edited while the round is open)."""
        self.proposals, self.groups = list(proposals), groups
        by_id = {p.id: p for p in proposals}
        for row in self.rows():
            if row.proposal.id in by_id:
                p = by_id[row.proposal.id]
                row.set_proposal(p, groups.get(p.group_id, ""))

    def _edited(self, refused: str | None, row: BallotRow) -> None:
        if refused is None:
            self.redraw()
            row.focus(scroll_visible=False)
            # a ranked row may have moved: scroll to where it is once laid out
            self.call_after_refresh(row.scroll_visible, animate=False)
        self.post_message(BallotRows.Edited(self, refused))

    def on_dot_row_step(self, message: DotRow.Step) -> None:
        message.stop()
        self._edited(self.draft.step(message.row.proposal.id, message.delta), message.row)

    def on_dot_row_set(self, message: DotRow.Set) -> None:
        message.stop()
        self._edited(self.draft.set_value(message.row.proposal.id, message.value), message.row)

    def on_approval_row_toggle(self, message: ApprovalRow.Toggle) -> None:
        message.stop()
        self._edited(self.draft.toggle_approval(message.row.proposal.id), message.row)

    def on_borda_row_move(self, message: BordaRow.Move) -> None:
        message.stop()
        pid, how = message.row.proposal.id, message.how
        if how == "toggle":
            refused = self.draft.toggle_rank(pid)
        elif isinstance(how, tuple):
            refused = self.draft.put_at(pid, how[1])
        else:
            refused = self.draft.move_rank(pid, how)
        self._edited(refused, message.row)

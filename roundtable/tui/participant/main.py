"""The participant's main screen: the room, the group's proposals, the vote, results.

Live updates: every `poll_seconds` (0.15 s) the screen asks the client for its change
token (PRAGMA data_version, cheap). When it moved, a thread worker reads the per-area
revision counters and re-reads only the parts whose areas changed; the UI thread then
updates the widgets. The timer counts down locally every second between reads.

Everything a person typed (titles, texts, names) is shown as plain `Text`, never parsed
as markup.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Select, Static, TabbedContent, TabPane, TextArea

from ...errors import Refused, RoundChanged, RoundtableError
from ...models import Participant, Proposal, Round, RoundResults, TimerState
from ...participant import Gate, ParticipantClient, Situation
from ...ballot_draft import BallotDraft
from ..widgets.ballot_rows import BallotRow, BallotRows, ordinal, proposal_text
from .ballots import (
    ConsentPanel, approval_limits, ballot_text, opening_note, results_text, rules_text, waiting_text,
)

TIMEFRAMES = ("before", "during", "after")
ALL_AREAS = frozenset({"session", "people", "talks", "injects", "proposals", "rounds", "ballots", "outcomes"})


def clock_text(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 60:02d}:{s % 60:02d}"


def timer_line(sit: Situation | None, timer: TimerState | None, since: float) -> Text:
    """The block and its countdown, e.g. '▶ Group work · 12:34 left'."""
    if sit is None or timer is None:
        return Text("Loading…", style="dim")
    if sit.ended:
        return Text("The session has ended. Thank you for taking part.", style="bold")
    block = sit.block
    if block is None or timer.block is None:
        line = Text()
        line.append("Waiting for the first block to start", style="bold")
        if sit.next_block is not None:
            line.append(" · first: ")
            line.append(sit.next_block.title)
        return line
    remaining = timer.remaining_seconds - (since if timer.running else 0.0)
    line = Text()
    line.append("▶ " if timer.running else "‖ ", style="bold")
    line.append(block.title, style="bold")
    line.append(f" ({block.kind.replace('_', ' ')})", style="dim")
    line.append(" · ")
    if remaining >= 0:
        line.append(f"{clock_text(math.ceil(remaining))} left", style="bold")
    else:
        line.append(f"+{clock_text(-remaining)} overtime", style="bold red")
    if not timer.running:
        line.append(" · paused", style="yellow")
    return line


@dataclass
class Update:
    """What one read brought back; a part left as None was not re-read."""

    revs: dict[str, int]
    token: Any
    first: bool
    epoch: int = 0  # MainScreen._epoch when the read started
    me: Participant | None = None
    groups: dict[str, str] | None = None
    situation: Situation | None = None
    group_props: list[Proposal] | None = None
    voting: "VoteState | None" = None
    results: "tuple[RoundResults | None, Round | None, dict[str, Proposal]] | None" = None


@dataclass
class VoteState:
    round: Round | None
    proposals: list[Proposal] = field(default_factory=list)
    own: Any = None  # the (group's) stored ballot, shaped by the round's method
    cast: tuple[int, int] | None = None


class ProposalCard(Vertical):
    """One of the group's proposals; scribes get an Edit button on those still open."""

    def __init__(self, proposal: Proposal, editable: bool) -> None:
        super().__init__(classes="proposal-card", id=f"card-{proposal.id}")
        self.proposal = proposal
        self.editable = editable

    def compose(self) -> ComposeResult:
        yield Static(proposal_text(self.proposal), classes="card-text")
        if self.editable:
            yield Button("Edit", classes="card-edit", compact=True)


class MainScreen(Screen[None]):
    BINDINGS = [
        Binding("f2", "tab('tab-now')", "Now", show=False),
        Binding("f3", "tab('tab-group')", "Proposals", show=False),
        Binding("f4", "tab('tab-vote')", "Vote", show=False),
        Binding("f5", "tab('tab-results')", "Results", show=False),
    ]

    def __init__(self, client: ParticipantClient, gate: Gate | None = None) -> None:
        super().__init__(classes="main-screen")
        self.client = client
        self.gate = gate
        self._token: Any = None
        self._revs: dict[str, int] = {}
        self._loading = False
        self._left = False
        self._epoch = 0  # moves with each cast: a read begun before it is stale
        # what is on screen
        self.me: Participant | None = None
        self.groups: dict[str, str] = {}
        self.scribe = False
        self.situation: Situation | None = None
        self._timer_read_at = time.monotonic()
        self._seen_injects: set[str] | None = None
        self.group_props: list[Proposal] = []
        self._cards_key: tuple | None = None
        self.round: Round | None = None
        self.ballot_props: list[Proposal] = []
        self.draft: BallotDraft | None = None  # the ballot the voter is filling in
        self.stored: Any = None  # the ballot as stored (this participant's or their group's)
        self.results: RoundResults | None = None
        self.editing: str | None = None

    # -- layout -------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="top"):
            yield Static(Text("Signed in", style="bold"), id="who")
            yield Static(Text("Loading…", style="dim"), id="clock")
        with TabbedContent(initial="tab-now", id="tabs"):
            with TabPane("Now", id="tab-now"):
                with VerticalScroll(id="now-scroll"):
                    yield Static("", id="phase")
                    yield Static("", id="injects")
            with TabPane("Proposals", id="tab-group"):
                with VerticalScroll(id="group-scroll"):
                    yield Static("", id="group-note")
                    with Vertical(id="proposal-form"):
                        yield Static("Add a proposal", id="form-heading", markup=False)
                        yield Input(placeholder="title (required)", id="form-title", max_length=200)
                        yield TextArea(id="form-text", placeholder="what should be done, by whom")
                        with Horizontal(id="form-selects"):
                            yield Select(
                                [("step 1 information", 1), ("step 2 knowledge", 2), ("step 3 evaluation", 3)],
                                prompt="step", id="form-step", compact=True,
                            )
                            yield Select([(t, t) for t in TIMEFRAMES], prompt="when", id="form-timeframe",
                                         compact=True)
                        yield Static("", id="form-error", markup=False)
                        with Horizontal(id="form-buttons"):
                            yield Button("Add proposal", id="form-save", variant="primary")
                            yield Button("Cancel", id="form-cancel")
                    yield Vertical(id="proposal-list")
            with TabPane("Vote", id="tab-vote"):
                with VerticalScroll(id="vote-scroll"):
                    yield Static(Text("No voting round is open.", style="bold"), id="vote-status")
                    yield Static("", id="dots-left")
                    yield Vertical(id="ballot-rows")
                    yield Static("", id="ballot-error", markup=False)
                    with Horizontal(id="ballot-buttons"):
                        yield Button("Cast ballot", id="ballot-cast", variant="success")
                        yield Button("Undo changes", id="ballot-reset")
                    yield Static("", id="ballot-receipt")
            with TabPane("Results", id="tab-results"):
                with VerticalScroll(id="results-scroll"):
                    yield Static(Text("No results yet.", style="dim"), id="results")

    def on_mount(self) -> None:
        self.query_one("#proposal-form").display = False
        self.query_one("#form-cancel").display = False
        self._show_form_error("")
        self._show_ballot_error("")
        self._show_ballot_controls(False)
        poll = getattr(self.app, "poll_seconds", 0.15)
        self.set_interval(poll, self._poll)
        self.set_interval(1.0, self._tick)
        self._poll()

    def action_tab(self, tab: str) -> None:
        self.switch_to(tab)

    def switch_to(self, tab: str) -> None:
        """Show a tab and put the keyboard in it (focus left in a hidden tab would pull it back)."""
        tabs = self.query_one("#tabs", TabbedContent)
        if tabs.active == tab:
            return
        self.set_focus(None)
        tabs.active = tab
        self.call_after_refresh(self._focus_tab, tab)

    def _focus_tab(self, tab: str) -> None:
        target: Any = None
        if tab == "tab-vote":
            rows = self.query(BallotRow)
            if rows:
                target = rows.first()
            elif self.query("#consent-options Button"):
                target = self.query("#consent-options Button").first()
        elif tab == "tab-group" and self.scribe:
            target = self.query_one("#form-title", Input)
        if target is not None:
            target.focus(scroll_visible=False)

    # -- live updates ---------------------------------------------------------------
    def _poll(self) -> None:
        if self._loading or self._left:
            return
        try:
            token = self.client.change_token()
        except RoundtableError:
            return
        if token == self._token:
            return
        self._loading = True
        self._load(token, self._token is None, self._epoch)

    @work(thread=True, group="participant-load")
    def _load(self, token: Any, first: bool, epoch: int) -> None:
        try:
            update = self._read(token, first)
            update.epoch = epoch
        except RoundtableError as exc:
            self.app.call_from_thread(self._load_failed, token, str(exc))
            return
        self.app.call_from_thread(self._apply, update)

    def _read(self, token: Any, first: bool) -> Update:
        c = self.client
        revs = c.revisions()
        changed = set(ALL_AREAS) if first else {a for a, n in revs.items() if self._revs.get(a) != n}
        up = Update(revs=revs, token=token, first=first)
        if changed & {"people"}:
            up.me = c.me()
            up.groups = {g.id: g.name for g in c.groups()}
        if changed & {"session", "injects"}:
            up.situation = c.situation()
        if changed & {"people", "proposals"}:
            up.group_props = c.group_proposals()
        if changed & {"rounds", "proposals", "ballots", "people"}:
            r = c.open_round()
            if r is None:
                up.voting = VoteState(round=None)
            else:
                try:
                    own = c.own_ballot()
                except Refused:
                    c.me()  # a withdrawn code signs out; anything else (say, made an observer) shows no ballot
                    own = None
                up.voting = VoteState(round=r, proposals=c.proposals(r.id), own=own, cast=c.ballots_cast(r.id))
        if changed & {"rounds", "ballots", "proposals"}:
            res = c.revealed_results()
            titles = {p.id: p for p in c.proposals(res.round.id)} if res else {}
            up.results = (res, c.latest_round(), titles)
        return up

    def _load_failed(self, token: Any, message: str) -> None:
        self._loading = False
        if self._left:
            return
        self._token = token  # retried on the next change
        if not self._still_signed_in():
            return
        self.notify(message, severity="error", markup=False)

    def _still_signed_in(self) -> bool:
        """False (and back to the code screen) once this participant's code was withdrawn."""
        try:
            self.client.me()
        except Refused as exc:
            self.signed_out(str(exc))
            return False
        except RoundtableError:
            return True
        return True

    def signed_out(self, message: str) -> None:
        if self._left:
            return
        self._left = True
        from .entry import CodeScreen

        if self.gate is not None:
            self.app.switch_screen(CodeScreen(self.gate, message))
        else:
            self.notify(message, severity="error", markup=False)

    async def _apply(self, up: Update) -> None:
        self._loading = False
        if up.epoch != self._epoch:
            # read before this device cast a ballot: it would put the old ballot back
            self._poll()
            return
        if self._left or not self.is_attached:
            return
        self._token = up.token
        self._revs = up.revs
        if up.me is not None:
            self._show_me(up.me, up.groups or {})
        if up.situation is not None:
            self._show_situation(up.situation, up.first)
        if up.group_props is not None:
            await self._show_group_props(up.group_props)
        if up.voting is not None:
            await self._show_voting(up.voting, up.first)
        if up.results is not None:
            self._show_results(*up.results, first=up.first)

    def _tick(self) -> None:
        if self.situation is not None:
            self.query_one("#clock", Static).update(
                timer_line(self.situation, self.situation.timer, time.monotonic() - self._timer_read_at)
            )

    # -- header and the room ------------------------------------------------------
    def _show_me(self, me: Participant, groups: dict[str, str]) -> None:
        self.me = me
        self.groups = groups
        line = Text()
        line.append(me.name, style="bold")
        group = groups.get(me.group_id or "")
        line.append(" · ")
        line.append(group if group else "no group", style="" if group else "dim")
        if me.scribe and me.group_id:
            line.append(" · scribe", style="italic")
        self.query_one("#who", Static).update(line)
        scribe = bool(me.scribe and me.group_id)
        if self.scribe and not scribe:
            self._reset_form()
        changed = scribe != self.scribe
        self.scribe = scribe
        self.query_one("#proposal-form").display = scribe
        if changed and self._cards_key is not None:
            self.call_later(self._show_group_props, self.group_props)
        self._show_group_note()

    def _show_situation(self, sit: Situation, first: bool) -> None:
        self.situation = sit
        self._timer_read_at = time.monotonic()
        self._tick()
        phase = Text()
        if sit.phase is not None:
            phase.append(sit.phase.title, style="bold")
            phase.append("\n")
            phase.append(sit.phase.narrative)
        else:
            phase.append("The case will appear here when group work starts.", style="dim")
        self.query_one("#phase", Static).update(phase)
        injects = Text()
        if sit.injects:
            injects.append("News in the case", style="bold underline")
            for j in sit.injects:
                injects.append("\n\n")
                injects.append(j.title, style="bold")
                injects.append(f"  {j.revealed_at.astimezone().strftime('%H:%M')}", style="dim")
                injects.append("\n")
                injects.append(j.text)
        self.query_one("#injects", Static).update(injects)
        ids = {j.id for j in sit.injects}
        if self._seen_injects is not None:
            fresh = [j for j in sit.injects if j.id not in self._seen_injects]
            for j in fresh:
                self.notify(f"New in the case: {j.title}", markup=False, timeout=6)
        self._seen_injects = ids

    # -- the group's proposals ------------------------------------------------------
    def _show_group_note(self) -> None:
        note = self.query_one("#group-note", Static)
        if self.me is None:
            return
        if not self.me.group_id:
            note.update(Text("You are not in a group, so there are no group proposals to show.", style="dim"))
        elif self.scribe:
            note.update(Text("You are your group's scribe: add the group's proposals here.", style="italic"))
        else:
            note.update(Text("Your group's scribe types the proposals; they appear here.", style="dim"))

    async def _show_group_props(self, props: list[Proposal]) -> None:
        key = (tuple(props), self.scribe)
        if key == self._cards_key:
            return
        self._cards_key = key
        self.group_props = props
        box = self.query_one("#proposal-list", Vertical)
        await box.remove_children()
        if not props:
            await box.mount(Static(Text("No proposals from your group yet.", style="dim"), classes="proposal-card"))
            return
        await box.mount_all(
            ProposalCard(p, editable=self.scribe and p.status.value == "proposed") for p in props
        )

    def _show_form_error(self, message: str) -> None:
        error = self.query_one("#form-error", Static)
        error.update(message)
        error.display = bool(message)

    def _reset_form(self) -> None:
        self.editing = None
        self.query_one("#form-heading", Static).update("Add a proposal")
        self.query_one("#form-title", Input).value = ""
        self.query_one("#form-text", TextArea).text = ""
        self.query_one("#form-step", Select).clear()
        self.query_one("#form-timeframe", Select).clear()
        self.query_one("#form-save", Button).label = "Add proposal"
        self.query_one("#form-cancel").display = False
        self._show_form_error("")

    @on(Button.Pressed, ".card-edit")
    def _edit_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        card = next(a for a in event.button.ancestors if isinstance(a, ProposalCard))
        self.start_edit(card.proposal)

    def start_edit(self, p: Proposal) -> None:
        self.editing = p.id
        self.query_one("#form-heading", Static).update(f"Edit {p.id}")
        self.query_one("#form-title", Input).value = p.title
        self.query_one("#form-text", TextArea).text = p.text
        step = self.query_one("#form-step", Select)
        step.value = p.step if p.step in (1, 2, 3) else Select.NULL
        when = self.query_one("#form-timeframe", Select)
        when.value = p.timeframe if p.timeframe in TIMEFRAMES else Select.NULL
        self.query_one("#form-save", Button).label = "Save changes"
        self.query_one("#form-cancel").display = True
        self._show_form_error("")
        form = self.query_one("#proposal-form")
        self.query_one("#group-scroll", VerticalScroll).scroll_to_widget(form, top=True, animate=False)
        self.query_one("#form-title", Input).focus()

    @on(Button.Pressed, "#form-cancel")
    def _cancel_edit(self, event: Button.Pressed) -> None:
        event.stop()
        self._reset_form()

    @on(Input.Submitted, "#form-title")
    @on(Button.Pressed, "#form-save")
    def _save_pressed(self, event: events.Event) -> None:
        event.stop()
        self.save_proposal()

    def save_proposal(self) -> None:
        title = self.query_one("#form-title", Input).value
        text = self.query_one("#form-text", TextArea).text
        step_value = self.query_one("#form-step", Select).value
        when_value = self.query_one("#form-timeframe", Select).value
        step = step_value if isinstance(step_value, int) else None
        when = when_value if isinstance(when_value, str) else None
        if not title.strip():
            self._show_form_error("Give the proposal a title.")
            self.query_one("#form-title", Input).focus()
            return
        try:
            if self.editing:
                saved = self.client.update_proposal(self.editing, title=title, text=text, step=step, timeframe=when)
                done = f"Saved {saved.id}."
            else:
                saved = self.client.add_proposal(title, text=text, step=step, timeframe=when)
                done = f"Added {saved.id}."
        except RoundtableError as exc:
            self._show_form_error(str(exc))
            self._still_signed_in()
            return
        self._reset_form()
        self.notify(done, markup=False)
        self._poll()

    # -- voting ---------------------------------------------------------------------
    def _show_ballot_error(self, message: str) -> None:
        error = self.query_one("#ballot-error", Static)
        error.update(message)
        error.display = bool(message)

    def _show_ballot_controls(self, show: bool) -> None:
        self.query_one("#ballot-buttons").display = show
        self.query_one("#dots-left").display = show

    def _can_switch(self) -> bool:
        """Switch tabs for the room only when the scribe is not in the middle of typing."""
        focused = self.focused
        return not (
            focused is not None
            and isinstance(focused, (Input, TextArea))
            and focused.id in ("form-title", "form-text")
            and (self.query_one("#form-title", Input).value or self.query_one("#form-text", TextArea).text)
        )

    @property
    def method(self) -> str:
        return self.round.method if self.round is not None else "dot"

    def _ids(self) -> list[str]:
        return [p.id for p in self.ballot_props]

    def current_ballot(self) -> Any:
        """The ballot as it would be cast now (consent: (option, reason))."""
        if self.draft is None:
            return None
        if self.draft.method == "consent":
            panel = self.query(ConsentPanel)
            self.draft.reason = panel.first().reason if panel else ""
        return self.draft.ballot()

    def _draft_is_stored(self) -> bool:
        """The voter has changed nothing since the ballot was last stored (or loaded)."""
        self.current_ballot()  # takes the consent reason from its field
        return self.draft is not None and self.draft.same_as(self.stored)

    def _load_draft(self, stored: Any) -> None:
        """Put a stored ballot (or none) back into the draft and onto the rows."""
        if self.draft is None:
            return
        self.draft.load(stored)
        for panel in self.query(ConsentPanel):
            panel.set_reason(self.draft.reason)

    def _group_name(self) -> str:
        me = self.me
        return self.groups.get(me.group_id or "", "") if me is not None else ""

    def _status_text(self, r: Round, vs: VoteState) -> Text:
        line = Text()
        line.append(f"Round {r.id} is open", style="bold green")
        if r.title:
            line.append(": ")
            line.append(r.title, style="bold")
        line.append("\n")
        line.append(rules_text(r, len(vs.proposals)))
        if r.per_group:
            group = self._group_name()
            line.append("\n")
            if group:
                line.append("One ballot for your group ", style="bold")
                line.append(group, style="bold")
                line.append(": any member may cast it; the last one counts.", style="bold")
            else:
                line.append("This round takes one ballot per group, and you are not in a group.", style="bold")
        if r.anonymous:
            line.append("\nAnonymous: your ballot is stored without your name.", style="italic")
        if vs.cast is not None:
            what = "groups" if r.per_group else "ballots"
            line.append(f"\n{vs.cast[0]} of {vs.cast[1]} {what} cast so far.", style="dim")
        return line

    async def _show_voting(self, vs: VoteState, first: bool) -> None:
        r = vs.round
        was = self.round
        tab = self.query_one("#tabs", TabbedContent).get_tab("tab-vote")
        status = self.query_one("#vote-status", Static)
        rows = self.query_one("#ballot-rows", Vertical)
        if r is None:
            self.round = None
            tab.label = "Vote"
            voted = bool(self.stored)
            self.ballot_props = []
            self.draft = None
            self.stored = None
            await rows.remove_children()
            self._show_ballot_controls(False)
            self._show_ballot_error("")
            if was is not None:
                closed = f"Round {was.id} is closed." + (" Thank you, your ballot was counted." if voted else "")
                status.update(Text(closed, style="bold"))
                self.query_one("#ballot-receipt", Static).update("")
            else:
                status.update(Text("No voting round is open. When one opens, you vote here.", style="bold"))
            return
        new_round = was is None or was.id != r.id
        ids = [p.id for p in vs.proposals]
        same_rows = not new_round and ids == self._ids()
        # keep what the voter is changing; otherwise show the ballot as stored (a group
        # member's re-cast included)
        untouched = not same_rows or self.draft is None or self._draft_is_stored()
        self.round = r
        self.ballot_props = vs.proposals
        self.stored = vs.own
        status.update(self._status_text(r, vs))
        if same_rows:
            if untouched:
                self._load_draft(vs.own)
            for ballot_rows in self.query(BallotRows):
                ballot_rows.set_proposals(vs.proposals, self.groups)
            for panel in self.query(ConsentPanel):
                p = vs.proposals[0] if vs.proposals else None
                panel.set_proposal(p, self.groups.get(p.group_id, "") if p else "")
        else:
            self.draft = BallotDraft(r, ids)
            await rows.remove_children()
            await rows.mount(self._make_ballot(r, vs.proposals))
            self._load_draft(vs.own)
        self._redraw_rows()
        self._show_ballot_controls(True)
        self._update_budget()
        self._show_receipt()
        tab.label = "Vote ✓" if self.stored else "Vote ●"
        if new_round:
            self._show_ballot_error("")
            # start a new round at its heading, not where the last one was left scrolled
            self.query_one("#vote-scroll", VerticalScroll).scroll_home(animate=False)
            self.notify(opening_note(r), title="Vote now", markup=False, timeout=5)
            if self._can_switch():
                self.switch_to("tab-vote")

    def _make_ballot(self, r: Round, props: list[Proposal]):
        assert self.draft is not None
        if r.method == "consent":
            p = props[0] if props else None
            return ConsentPanel(p, self.groups.get(p.group_id, "") if p else "")
        return BallotRows(self.draft, props, self.groups)

    def _redraw_rows(self) -> None:
        """Put the draft on the rows or the consent panel."""
        for ballot_rows in self.query(BallotRows):
            ballot_rows.redraw()
        for panel in self.query(ConsentPanel):
            panel.option = self.draft.option if self.draft is not None else None
            panel.render_state()

    def _show_receipt(self) -> None:
        receipt = self.query_one("#ballot-receipt", Static)
        r = self.round
        if self.stored and r is not None:
            text = Text()
            text.append("Ballot counted: ", style="bold green")
            text.append(ballot_text(r.method, self.stored))
            if r.per_group and self._group_name():
                text.append(f"\nThis is the ballot of {self._group_name()}; any member may change it.",
                            style="dim")
            text.append("\nYou may change it and cast again while the round is open.", style="dim")
            if r.reveal in ("after-vote", "live"):
                text.append("\nThe results so far are on the Results tab.", style="dim")
            receipt.update(text)
            self.query_one("#ballot-cast", Button).label = "Cast again"
        else:
            receipt.update(Text("You have not voted in this round yet.", style="dim"))
            self.query_one("#ballot-cast", Button).label = "Cast ballot"

    def _update_budget(self) -> None:
        r, d = self.round, self.draft
        if r is None or d is None:
            return
        m = r.method
        n = len(self.ballot_props)
        text = Text()
        if m == "dot":
            left = d.dots_left
            text.append(f"{left} dot{'s' if left != 1 else ''} left", style="bold green" if left > 0 else "bold")
            text.append(f" of {r.dots}")
            text.append("\nTap + or − (keys: + − ← → or a digit on a row).", style="dim")
        elif m == "score":
            k = d.scored
            text.append(f"{k} of {n} scored", style="bold green" if k == n else "bold")
            text.append(f" · 0 to {r.max_score or 5}")
            text.append("\nTap + or − (keys: + − ← → or a digit on a row).", style="dim")
        elif m == "approval":
            k = len(d.approved)
            text.append(f"{k} approved", style="bold green" if k else "bold")
            text.append(f" · {approval_limits(r)}")
            text.append("\nTap Approve on each you support (keys: space or enter).", style="dim")
        elif m == "borda":
            k = len(d.ranking)
            text.append(f"{k} of {n} ranked", style="bold green" if k else "bold")
            places = " · ".join(f"{ordinal(i)} {n - i}" for i in range(1, min(n, 4) + 1))
            text.append(f"\npoints: {places}{' · …' if n > 4 else ''}")
            text.append("\nTap Rank in order of preference; ▲ ▼ move (keys: space, shift+↑ ↓, a digit).",
                        style="dim")
        self.query_one("#dots-left", Static).update(text)
        self.query_one("#dots-left").display = m != "consent"

    def _edited(self) -> None:
        self._show_ballot_error("")
        self._redraw_rows()
        self._update_budget()

    def on_ballot_rows_edited(self, message: BallotRows.Edited) -> None:
        if message.refused is not None:
            self._show_ballot_error(message.refused)
        else:
            self._show_ballot_error("")
            self._update_budget()

    def on_consent_panel_choose(self, message: ConsentPanel.Choose) -> None:
        if self.draft is None:
            return
        refused = self.draft.choose(message.option)
        if refused is not None:
            self._show_ballot_error(refused)
            return
        self._edited()
        if message.option == "block":
            panel = self.query_one(ConsentPanel)
            if not panel.reason.strip():
                self.query_one("#consent-reason", Input).focus()

    @on(Input.Submitted, "#consent-reason")
    def _reason_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.cast()

    @on(Button.Pressed, "#ballot-reset")
    def _reset_ballot(self, event: Button.Pressed) -> None:
        event.stop()
        self._load_draft(self.stored)
        self._edited()

    @on(Button.Pressed, "#ballot-cast")
    def _cast_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.cast()

    def cast(self) -> None:
        r = self.round
        if r is None:
            self._show_ballot_error("No voting round is open; the ballot was not counted.")
            return
        draft = self.current_ballot()
        reason = ""
        if r.method == "consent":
            option, reason = draft
            if option is None:
                self._show_ballot_error("Choose agree, abstain, disagree or block first; nothing was counted.")
                return
            ballot: Any = option
        else:
            ballot = draft
        try:
            stored = self.client.cast_ballot(ballot, reason=reason, round_id=r.id)
        except RoundChanged as exc:
            # another round opened since this screen last looked: show it, say so
            self.notify(str(exc), title="Not counted", severity="warning", markup=False, timeout=8)
            self._show_ballot_error(str(exc))
            self._poll()
            return
        except RoundtableError as exc:
            self._show_ballot_error(str(exc))
            if r.method == "consent" and ballot == "block" and not reason.strip():
                self.query_one("#consent-reason", Input).focus()
            self._still_signed_in()
            return
        self._epoch += 1
        self.stored = stored
        self._load_draft(stored)
        self._edited()
        self._show_receipt()
        self.query_one("#tabs", TabbedContent).get_tab("tab-vote").label = "Vote ✓"
        self.notify(f"Ballot counted: {ballot_text(r.method, stored)}.", markup=False, timeout=3)
        receipt = self.query_one("#ballot-receipt", Static)
        self.query_one("#vote-scroll", VerticalScroll).scroll_to_widget(receipt, animate=False)
        self._poll()

    # -- results --------------------------------------------------------------------
    def _show_results(
        self, res: RoundResults | None, latest: Round | None, props: dict[str, Proposal], *, first: bool
    ) -> None:
        was = self.results
        self.results = res
        box = self.query_one("#results", Static)
        out = Text()
        if latest is not None and (res is None or latest.id != res.round.id):
            out.append(waiting_text(latest), style="italic")
            if res is not None:
                out.append("\n\n")
        tabs = self.query_one("#tabs", TabbedContent)
        if res is None:
            if not out:
                out.append("No results yet: they appear here when the facilitator shows them.", style="dim")
            box.update(out)
            tabs.get_tab("tab-results").label = "Results"
            return
        out.append_text(results_text(res, props, self.groups))
        box.update(out)
        tabs.get_tab("tab-results").label = "Results ●"
        fresh = was is None or was.round.id != res.round.id or (was.round.is_open and not res.round.is_open)
        if not first and fresh and not res.round.is_open:
            self.notify(f"Results of round {res.round.id} are in.", title="Results", markup=False, timeout=5)
            if self._can_switch() and self.round is None:
                self.switch_to("tab-results")

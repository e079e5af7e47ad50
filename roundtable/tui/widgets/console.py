"""The session console: agenda, countdown and the current phase of the case.

Left: the countdown for the running block with its controls, and the agenda with
planned minutes and the recorded start and end of every block. Right: the phase of
the fictional case (the current one, or any other the facilitator browses to): its
narrative and discussion questions, the injects (hidden ones by title only, revealed
ones in full with their reveal time, due ones flagged), and the scenario's key facts
and indicators.

Joining: one line under the timer always shows the session's join code; key j opens
the Join tab on the right with the join address and its QR code (or, before
`roundtable serve` runs, the command that starts it), and J issues a new join code.
The join panel is on the console because that is where the facilitator is while
people arrive and join: the welcome block's timer runs here, and the code can be read
out without leaving it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Digits, Select, Static, TabbedContent, TabPane

from ...models import AgendaItem, InjectState, SessionInfo, TimerState
from ...qr import qr_lines
from ..screens.dialogs import ConfirmDialog
from .base import SessionPane

TICK_SECONDS = 1.0
KIND_LABELS = {
    "welcome": "welcome",
    "talk": "talk",
    "briefing": "briefing",
    "group_work": "group work",
    "report_back": "report back",
    "proposals": "proposals",
    "voting": "voting",
    "break": "break",
    "closing": "closing",
}
TITLE_WIDTH = 30


def clock_time(t: dt.datetime | None) -> str:
    """Wall-clock time of day in the local time zone, e.g. '14:05'."""
    return t.astimezone().strftime("%H:%M") if t else ""


def mmss(seconds: float) -> str:
    s = int(abs(seconds) + (0 if seconds >= 0 else 0.999))  # overtime counts up from 00:00 at once
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    text = f"{h}:{m:02d}:{sec:02d}" if h else f"{m:02d}:{sec:02d}"
    return ("-" if seconds < 0 else "") + text


def shorten(text: str, width: int = TITLE_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass
class ConsoleData:
    info: SessionInfo
    agenda: list[AgendaItem]
    timer: TimerState
    injects: list[InjectState]
    current_phase: str | None
    due: list[str] = field(default_factory=list)
    join_code: str = ""
    join_url: str = ""


class ConsolePane(SessionPane):
    """Agenda and countdown beside the current phase of the case."""

    BINDINGS = [
        Binding("s", "start", "Start", tooltip="Start the agenda or resume the paused block"),
        Binding("p", "pause", "Pause", tooltip="Pause the countdown"),
        Binding("e,plus", "extend", "+5 min", tooltip="Give the running block five more minutes (e or +)"),
        Binding("x,n", "next_block", "Next", tooltip="End this block and start the next (x or n)"),
        Binding("r", "reveal", "Reveal", tooltip="Reveal the highlighted inject to the groups"),
        Binding("left_square_bracket", "browse_phase(-1)", "Previous phase", show=False),
        Binding("right_square_bracket", "browse_phase(1)", "Next phase", show=False),
        Binding("c", "current_phase", "Back to the current phase", show=False),
        Binding("i", "show_section('injects')", "Injects", show=False),
        Binding("f", "show_section('facts')", "Key facts", show=False),
        Binding("d", "show_section('indicators')", "Indicators", show=False),
        Binding("q", "show_section('phase')", "Phase and questions", show=False),
        Binding("j", "toggle_join", "Join/QR", tooltip="Show or hide the join code, address and QR code"),
        Binding("J", "new_join_code", "New join code", show=False,
                tooltip="Issue a new join code; the old one stops working for new devices"),
    ]

    def __init__(self, svc, **kwargs: Any) -> None:
        super().__init__(svc, **kwargs)
        self.data: ConsoleData | None = None
        self.browsed_phase: str | None = None
        self.follow_current = True
        self._shown_block: int | None | str = "unset"
        self._due: set[str] = set()
        self._notified_due: set[str] = set()
        self._timer: TimerState | None = None
        self._agenda_width = -1
        self._qr_for: str | None = None  # the URL the QR code on screen encodes
        self._before_join = "ph-phase"  # the inner tab j goes back to

    # -- layout ----------------------------------------------------------------
    def compose(self) -> ComposeResult:
        phases = [(Text(p.title), p.id) for p in self.svc.scenario.phases]
        with Horizontal(id="console"):
            with Vertical(id="console-left"):
                yield Static("", id="block-title")
                yield Digits("--:--", id="countdown")
                yield Static("", id="timer-status")
                with Horizontal(id="timer-buttons"):
                    yield Button("Start", id="btn-start", variant="success", compact=True, tooltip="Start or resume (s)")
                    yield Button("Pause", id="btn-pause", compact=True, tooltip="Pause (p)")
                    yield Button("+5 min", id="btn-extend", compact=True, tooltip="Give the block 5 more minutes (+ or e)")
                    yield Button("Next", id="btn-next", variant="primary", compact=True, tooltip="End this block, start the next (x or n)")
                yield Static("", id="join-line")
                yield DataTable(id="agenda", cursor_type="row", zebra_stripes=True)
            with Vertical(id="console-right"):
                with Horizontal(id="phase-bar"):
                    yield Button("◀", id="phase-prev", compact=True, tooltip="Previous phase ([)")
                    yield Select(phases, id="phase-select", allow_blank=False, compact=True)
                    yield Button("▶", id="phase-next", compact=True, tooltip="Next phase (])")
                    yield Static("", id="phase-current")
                with TabbedContent(id="phase-tabs"):
                    with TabPane("Phase", id="ph-phase"):
                        with VerticalScroll(classes="phase-scroll"):
                            yield Static("", id="phase-text")
                    with TabPane("Injects", id="ph-injects"):
                        yield DataTable(id="injects", cursor_type="row")
                        with VerticalScroll(id="inject-detail-scroll"):
                            yield Static("", id="inject-detail")
                        with Horizontal(id="inject-buttons"):
                            yield Button("Reveal", id="btn-reveal", variant="warning", compact=True,
                                         tooltip="Reveal the highlighted inject to the groups (r)")
                    with TabPane("Facts", id="ph-facts"):
                        with VerticalScroll(classes="phase-scroll"):
                            yield Static(self._facts_text(), id="facts-text")
                    with TabPane("Indicators", id="ph-indicators"):
                        with VerticalScroll(classes="phase-scroll"):
                            yield Static(self._indicators_text(), id="indicators-text")
                    with TabPane("Join", id="ph-join"):
                        with VerticalScroll(id="join-scroll"):
                            yield Static("", id="join-info")
                            yield Static("", id="join-qr")
                        with Horizontal(id="join-buttons"):
                            yield Button("New join code", id="btn-join-code", compact=True,
                                         tooltip="Issue a new join code (J)")

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(TICK_SECONDS, self._tick)

    def on_resize(self) -> None:
        self.call_after_refresh(self._refit_agenda)

    def _refit_agenda(self) -> None:
        """Re-render the agenda when its width changed since it was last drawn."""
        if self.data is not None and self.query_one("#agenda", DataTable).size.width != self._agenda_width:
            self._show_agenda(self.data)

    def main_widget(self) -> DataTable:
        return self.query_one("#agenda", DataTable)

    # -- data --------------------------------------------------------------------
    def load(self) -> ConsoleData:
        return ConsoleData(
            info=self.svc.info(),
            agenda=self.svc.agenda(),
            timer=self.svc.timer(),
            injects=self.svc.injects(),
            current_phase=self.svc.current_phase_id(),
            due=self.svc.due_injects(),
            join_code=self.svc.join_code(),
            join_url=self.svc.join_url(),
        )

    def show(self, data: ConsoleData) -> None:
        self.data = data
        self._timer = data.timer
        self._due = set(data.due)
        self._show_agenda(data)
        self._show_timer(data.timer)
        self._show_phase_bar(data)
        if self.follow_current and data.current_phase and data.current_phase != self.browsed_phase:
            self._browse(data.current_phase)
        else:
            self._show_phase(self.browsed_phase or (data.current_phase or self.svc.scenario.phases[0].id))
        self._show_join(data)
        self._notify_due(data.due)
        self.call_after_refresh(self._refit_agenda)

    def _show_agenda(self, data: ConsoleData) -> None:
        table = self.query_one("#agenda", DataTable)
        current = data.timer.block
        keep = table.cursor_row
        # Fit the title column to the pane: the time columns and the scrollbar take ~26
        # cells; the kind column (13) is shown only when the title still gets 16.
        self._agenda_width = table.size.width
        available = (table.size.width or 64) - 26
        show_kind = available - 13 >= 16
        width = max(10, min(48, available - (13 if show_kind else 0)))
        table.clear(columns=True)
        table.add_column("", key="mark", width=1)
        table.add_column("Block", key="title")
        table.add_column("Min", key="min")
        table.add_column("Start", key="start")
        table.add_column("End", key="end")
        if show_kind:
            table.add_column("Kind", key="kind")
        for item in data.agenda:
            is_current = item.position == current
            done = item.ended_at is not None
            style = "bold reverse" if is_current else ("dim" if done else "")
            minutes = f"{item.planned_minutes}"
            if item.extra_seconds:
                extra = item.extra_seconds // 60
                minutes += f"{extra:+d}"
            cells = [
                Text("▶" if is_current else ("✓" if done else " "), style=style),
                Text(shorten(item.title, width), style=style),
                Text(minutes, style=style, justify="right"),
                Text(clock_time(item.started_at), style=style),
                Text(clock_time(item.ended_at), style=style),
            ]
            if show_kind:
                cells.append(Text(KIND_LABELS.get(item.kind, item.kind), style=style))
            table.add_row(*cells, key=str(item.position))
        if current != self._shown_block and current is not None:
            # Follow the running block; otherwise leave the facilitator's cursor alone.
            table.move_cursor(row=table.get_row_index(str(current)), animate=False)
        elif keep is not None and table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1), animate=False)
        self._shown_block = current

    # -- joining ----------------------------------------------------------------
    def serve_command(self) -> str:
        return f"roundtable serve {self.svc.id}"

    def _show_join(self, data: ConsoleData) -> None:
        line = Text()
        line.append("Join code ", style="dim")
        line.append(data.join_code, style="bold")
        if data.join_url:
            line.append(" · j: address and QR", style="dim")
        else:
            line.append(" · not served yet (j)", style="dim")
        self.query_one("#join-line", Static).update(line)

        info = Text()
        info.append("Participants join from their phones or laptops\n\n", style="bold")
        info.append("Join code  ", style="dim")
        info.append(f" {data.join_code} ", style="bold reverse")
        info.append("\n")
        if data.join_url:
            info.append("Address    ", style="dim")
            info.append(data.join_url, style="bold underline")
            info.append("\n\nScan the code, or open the address and type the join code; then each person "
                        "enters the voting code on their badge.", style="dim")
        else:
            info.append("\nNo join address yet: the participant server is not running. Start it with\n\n")
            info.append(f"  {self.serve_command()}\n\n", style="bold")
            info.append("The address and its QR code appear here as soon as it runs.", style="dim")
        self.query_one("#join-info", Static).update(info)

        qr = self.query_one("#join-qr", Static)
        qr.display = bool(data.join_url)
        if data.join_url and data.join_url != self._qr_for:
            try:
                lines = qr_lines(data.join_url)
            except Exception:  # an address too long for a QR code: the text above still says it
                lines = []
            # Light modules are the drawn blocks: bright on black, whatever the terminal theme.
            qr.update(Text("\n".join(lines), style="#ffffff on #000000", no_wrap=True))
            self._qr_for = data.join_url

    def action_toggle_join(self) -> None:
        tabs = self.query_one("#phase-tabs", TabbedContent)
        if tabs.active == "ph-join":
            tabs.active = self._before_join
        else:
            self._before_join = tabs.active or "ph-phase"
            tabs.active = "ph-join"

    def show_join(self) -> None:
        """Open the Join tab (the command palette's way in; j toggles)."""
        tabs = self.query_one("#phase-tabs", TabbedContent)
        if tabs.active != "ph-join":
            self.action_toggle_join()

    def action_new_join_code(self) -> None:
        old = self.data.join_code if self.data else self.svc.join_code()

        def confirmed(yes: bool | None) -> None:
            if yes:
                new = self.act(self.svc.reissue_join_code)
                if new is not None:
                    self.notify(f"The new join code is {new}; {old} no longer lets new devices in.",
                                markup=False, timeout=10)

        self.app.push_screen(
            ConfirmDialog(
                f"Issue a new join code? The code {old} stops working for devices that have not joined yet; "
                "people already in stay in.",
                confirm_label="New join code",
            ),
            confirmed,
        )

    def _current_item(self) -> AgendaItem | None:
        if self.data is None or self._timer is None or self._timer.block is None:
            return None
        return next((a for a in self.data.agenda if a.position == self._timer.block), None)

    def _show_timer(self, timer: TimerState) -> None:
        title = self.query_one("#block-title", Static)
        digits = self.query_one("#countdown", Digits)
        status = self.query_one("#timer-status", Static)
        item = self._current_item()
        total = len(self.data.agenda) if self.data else 0
        ended = self.data is not None and self.data.info.ended_at is not None
        if item is None:
            if ended:
                title.update(Text("The session has ended.", style="bold"))
                digits.update("00:00")
                status.update(Text(f"Ended at {clock_time(self.data.info.ended_at)}.", style="dim"))
            else:
                first = self.data.agenda[0] if self.data and self.data.agenda else None
                title.update(Text(f"Not started · {total} blocks on the agenda", style="bold"))
                digits.update(mmss(first.planned_minutes * 60) if first else "--:--")
                status.update(Text("Press s (Start) to begin the first block.", style="dim"))
            digits.set_class(False, "overtime", "paused")
            self._set_buttons(started=False, running=False, ended=ended)
            return
        head = Text()
        head.append(f"Block {item.position + 1} of {total} · ", style="dim")
        head.append(item.title, style="bold")
        title.update(head)
        remaining = timer.remaining_seconds
        digits.update(mmss(remaining))
        digits.set_class(timer.overtime, "overtime")
        digits.set_class(not timer.running and not timer.overtime, "paused")
        line = Text()
        if timer.overtime:
            line.append(f" OVERTIME {mmss(-remaining)} ", style="bold reverse red")
            line.append(" ")
        line.append("● running" if timer.running else "❚❚ paused", style="green" if timer.running else "yellow")
        planned = f" · {item.planned_minutes}"
        if item.extra_seconds:
            planned += f"{item.extra_seconds // 60:+d}"
        line.append(planned + " min", style="dim")
        if item.started_at:
            line.append(f" · from {clock_time(item.started_at)}", style="dim")
        status.update(line)
        self._set_buttons(started=True, running=timer.running, ended=False)

    def _set_buttons(self, *, started: bool, running: bool, ended: bool) -> None:
        start = self.query_one("#btn-start", Button)
        start.label = "Resume" if started and not running else "Start"
        start.disabled = running or ended
        self.query_one("#btn-pause", Button).disabled = not running
        self.query_one("#btn-extend", Button).disabled = not started
        self.query_one("#btn-next", Button).disabled = ended

    def _show_phase_bar(self, data: ConsoleData) -> None:
        marker = self.query_one("#phase-current", Static)
        if self.browsed_phase and data.current_phase and self.browsed_phase != data.current_phase:
            marker.update(Text("○ c: now", style="yellow"))
        else:
            marker.update(Text("● now", style="green"))

    # -- phase panel ---------------------------------------------------------------
    def _browse(self, phase_id: str) -> None:
        self.browsed_phase = phase_id
        select = self.query_one("#phase-select", Select)
        if select.value != phase_id:
            select.value = phase_id  # Select.Changed then renders the phase
        self._show_phase(phase_id)

    @on(Select.Changed, "#phase-select")
    def _phase_selected(self, event: Select.Changed) -> None:
        if event.value is Select.NULL or event.value == self.browsed_phase:
            return
        self.browsed_phase = str(event.value)
        current = self.data.current_phase if self.data else None
        self.follow_current = self.browsed_phase == current
        self._show_phase(self.browsed_phase)
        if self.data:
            self._show_phase_bar(self.data)

    def _show_phase(self, phase_id: str) -> None:
        sc = self.svc.scenario
        phase = sc.phase(phase_id) or sc.phases[0]
        text = Text()
        text.append(phase.title, style="bold")
        text.append(f"  ({phase.timeframe.value} the event)\n\n", style="dim")
        text.append(phase.narrative.strip() + "\n")
        if phase.questions:
            text.append("\nDiscussion questions\n", style="bold underline")
            for n, q in enumerate(phase.questions, 1):
                text.append(f"\n{n}. ", style="bold")
                if q.step:
                    text.append(f"[Step {q.step} · {sc.step_name(q.step)}] ", style="cyan")
                text.append(q.text.strip() + "\n")
        self.query_one("#phase-text", Static).update(text)
        self._show_injects(phase_id)

    def _states(self) -> dict[str, InjectState]:
        return {s.id: s for s in (self.data.injects if self.data else [])}

    def _show_injects(self, phase_id: str) -> None:
        phase = self.svc.scenario.phase(phase_id) or self.svc.scenario.phases[0]
        table = self.query_one("#injects", DataTable)
        states = self._states()
        keep = table.cursor_row
        table.clear(columns=True)
        table.add_column("State", key="state", width=7)
        table.add_column("Inject", key="title")
        table.add_column("When", key="when")
        for j in phase.injects:
            st = states.get(j.id)
            if st and st.revealed_at:
                state = Text(f"✓{clock_time(st.revealed_at)}", style="green")
            elif j.id in self._due:
                state = Text(" DUE ", style="bold reverse yellow")
            else:
                state = Text("hidden", style="dim")
            table.add_row(state, Text(j.title), Text(j.sim_time or "", style="dim"), key=j.id)
        if table.row_count:
            table.move_cursor(row=min(keep or 0, table.row_count - 1), animate=False)
        due_here = sum(1 for j in phase.injects if j.id in self._due)
        revealed = sum(1 for j in phase.injects if (s := states.get(j.id)) and s.revealed_at)
        label = f"Injects {revealed}/{len(phase.injects)}" + (f" · {due_here} due" if due_here else "")
        try:
            self.query_one("#phase-tabs", TabbedContent).get_tab("ph-injects").label = label
        except Exception:
            pass
        self._show_inject_detail()

    def _highlighted_inject(self) -> str | None:
        table = self.query_one("#injects", DataTable)
        if not table.row_count or table.cursor_row is None:
            return None
        try:
            row_key, _ = table.coordinate_to_cell_key((table.cursor_row, 0))
        except Exception:
            return None
        return row_key.value

    def _show_inject_detail(self) -> None:
        detail = self.query_one("#inject-detail", Static)
        jid = self._highlighted_inject()
        found = self.svc.scenario.inject(jid) if jid else None
        if found is None:
            detail.update(Text("This phase has no injects.", style="dim"))
            self.query_one("#btn-reveal", Button).disabled = True
            return
        _, j = found
        st = self._states().get(j.id)
        text = Text()
        text.append(j.title + "\n", style="bold")
        meta = [m for m in (j.sim_time, f"planned at minute {j.at_minute} of group work" if j.at_minute is not None else "") if m]
        revealed = st is not None and st.revealed_at is not None
        if revealed:
            meta.append(f"revealed {clock_time(st.revealed_at)}")
        if meta:
            text.append(" · ".join(meta) + "\n", style="dim")
        if revealed:
            text.append("\n" + j.text.strip() + "\n")
            if j.to:
                names = [a.name for a in self.svc.scenario.actors if a.id in j.to]
                text.append("\nAddressed to: ", style="bold")
                text.append(", ".join(names) + "\n")
            if j.expected_actions:
                text.append("\nExpected actions\n", style="bold")
                for a in j.expected_actions:
                    text.append(f"• {a}\n")
            if j.facilitator_notes:
                text.append("\nFacilitator notes: ", style="bold")
                text.append(j.facilitator_notes.strip() + "\n", style="italic")
        else:
            if j.id in self._due:
                text.append("\nDUE NOW. ", style="bold yellow")
            text.append("\nHidden from the groups. Press r (or Reveal) to reveal it; the time is recorded.", style="dim")
        detail.update(text)
        self.query_one("#btn-reveal", Button).disabled = revealed

    @on(DataTable.RowHighlighted, "#injects")
    def _inject_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_inject_detail()

    @on(TabbedContent.TabActivated, "#phase-tabs")
    def _inner_tab(self, event: TabbedContent.TabActivated) -> None:
        event.stop()  # the session screen listens for its own tabs only

    def _facts_text(self) -> Text:
        text = Text()
        for f in self.svc.scenario.facts:
            text.append("• " + f.statement.strip() + "\n", style="bold")
            src = f"  Source: {f.source}"
            if f.valid_as_of:
                src += f" · valid as of {f.valid_as_of.isoformat()}"
            text.append(src + "\n\n", style="dim")
        return text if text else Text("This scenario has no key facts.", style="dim")

    def _indicators_text(self) -> Text:
        text = Text()
        for i in self.svc.scenario.indicators:
            text.append("• " + i.what.strip() + "\n", style="bold")
            line = f"  Where: {i.where}"
            if i.seen_by:
                line += f" · seen by: {', '.join(i.seen_by)}"
            text.append(line + "\n\n", style="dim")
        return text if text else Text("This scenario has no indicators.", style="dim")

    # -- clock -------------------------------------------------------------------
    def _tick(self) -> None:
        if self.data is None:
            return
        try:
            timer = self.svc.timer()
            item = self._current_item()
            due = self.svc.due_injects() if timer.running and item is not None and item.kind == "group_work" else sorted(self._due)
        except Exception:  # a vanished or locked file: the next action reports it
            return
        if self._timer is None or timer.block != self._timer.block:
            self.reload()
            return
        self._timer = timer
        self._show_timer(timer)
        if set(due) != self._due:
            self.reload()

    def _notify_due(self, due: list[str]) -> None:
        for jid in due:
            if jid in self._notified_due:
                continue
            self._notified_due.add(jid)
            found = self.svc.scenario.inject(jid)
            if found:
                self.notify(
                    f"Inject due: {found[1].title}. Reveal it with r in the Injects tab.",
                    title="Inject due", severity="warning", markup=False, timeout=10,
                )

    # -- actions -----------------------------------------------------------------
    def action_start(self) -> None:
        self.act(self.svc.start_timer)

    def action_pause(self) -> None:
        self.act(self.svc.pause_timer, done="Timer paused.")

    def action_extend(self) -> None:
        self.act(self.svc.extend_block, 5, done="5 minutes added to this block.")

    def action_next_block(self) -> None:
        data = self.data
        is_last = (
            data is not None and data.agenda and data.timer.block is not None
            and data.timer.block == data.agenda[-1].position
        )
        if is_last:
            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.act(self.svc.next_block, done="The last block is done; the session has ended.")

            self.app.push_screen(
                ConfirmDialog("This is the last block. End it and end the session?", "End session", danger=True),
                confirmed,
            )
            return
        self.act(self.svc.next_block)

    def action_end_session(self) -> None:
        """End the session now (e.g. the day ran short): the minutes become final."""

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.act(self.svc.end_session, done="The session has ended; the minutes are final.")

        self.app.push_screen(
            ConfirmDialog("End the session now? The running block ends and the minutes become final.",
                          "End session", danger=True),
            confirmed,
        )

    def action_reveal(self) -> None:
        tabs = self.query_one("#phase-tabs", TabbedContent)
        if tabs.active != "ph-injects":
            tabs.active = "ph-injects"
            self._cursor_to_due()
            self.query_one("#injects", DataTable).focus()
            self.notify("Highlight an inject and press r to reveal it.", markup=False)
            return
        jid = self._highlighted_inject()
        if jid is None:
            self.notify("This phase has no injects to reveal.", severity="warning", markup=False)
            return
        found = self.svc.scenario.inject(jid)
        title = found[1].title if found else jid
        self.act(self.svc.reveal_inject, jid, done=f"Revealed: {title}")

    def _cursor_to_due(self) -> None:
        table = self.query_one("#injects", DataTable)
        for n, row in enumerate(table.ordered_rows):
            if row.key.value in self._due:
                table.move_cursor(row=n, animate=False)
                return

    def action_browse_phase(self, step: int) -> None:
        ids = [p.id for p in self.svc.scenario.phases]
        now = self.browsed_phase if self.browsed_phase in ids else ids[0]
        target = ids[(ids.index(now) + step) % len(ids)]
        self.query_one("#phase-select", Select).value = target

    def action_current_phase(self) -> None:
        if self.data and self.data.current_phase:
            self.follow_current = True
            self._browse(self.data.current_phase)
            self._show_phase_bar(self.data)

    def action_show_section(self, section: str) -> None:
        self.query_one("#phase-tabs", TabbedContent).active = f"ph-{section}"

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {
            "btn-start": self.action_start,
            "btn-pause": self.action_pause,
            "btn-extend": self.action_extend,
            "btn-next": self.action_next_block,
            "btn-reveal": self.action_reveal,
            "btn-join-code": self.action_new_join_code,
            "phase-prev": lambda: self.action_browse_phase(-1),
            "phase-next": lambda: self.action_browse_phase(1),
        }
        action = actions.get(event.button.id or "")
        if action:
            event.stop()
            action()

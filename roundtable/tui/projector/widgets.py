"""The projector's widgets: big letters, the QR code, and one panel per kind of moment.

Everything typed by people (proposal titles, group names, session title) is put on
screen as `rich.text.Text`, never parsed as markup, so `[bold]x[/bold]` shows as typed.
"""

from __future__ import annotations

import datetime as dt

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from ...models import Group, Proposal, Round, RoundResults
from ...qr import qr_lines
from ...render import plural, settlement_sentence, turnout_sentence
from ...scenario import Phase
from ...participant import RevealedInject
from .bigtext import big_lines

KIND_LABELS = {
    "welcome": "Welcome",
    "talk": "Talk",
    "briefing": "Briefing",
    "group_work": "Group work",
    "report_back": "Report back",
    "proposals": "Proposals",
    "vote": "Voting",
    "break": "Break",
    "evaluation": "Evaluation",
    "closing": "Closing",
}

# Explicit colours: the QR code must not follow the terminal's or the theme's palette.
QR_STYLE = "#ffffff on #000000"
_EIGHTHS = " ▏▎▍▌▋▊▉█"


def clock_time(t: dt.datetime | None) -> str:
    return t.astimezone().strftime("%H:%M") if t else ""


def mmss(seconds: float) -> str:
    """mm:ss (h:mm:ss past an hour); overtime is negative and counts up from -00:01."""
    s = int(abs(seconds) + (0 if seconds >= 0 else 0.999))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    text = f"{h}:{m:02d}:{sec:02d}" if h else f"{m:02d}:{sec:02d}"
    return ("-" if seconds < 0 else "") + text


def bar(points: int, top: int, width: int) -> str:
    if top <= 0 or points <= 0 or width <= 0:
        return ""
    eighths = round(points / top * width * 8)
    full, part = divmod(max(eighths, 1), 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


class BigText(Static):
    """A short text (the join code) in 5×7 pixel letters."""

    def __init__(self, text: str = "", **kwargs) -> None:
        super().__init__("", **kwargs)
        self.text = ""
        self.set_text(text)

    def set_text(self, text: str) -> None:
        self.text = text
        self.update(Text("\n".join(big_lines(text)) if text else ""))


class QRCode(Static):
    """A QR code as half blocks: light modules drawn white on black, whatever the theme."""

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.url: str | None = None
        self.lines: list[str] = []

    def set_url(self, url: str) -> None:
        if url == self.url:
            return
        self.url = url
        self.lines = qr_lines(url) if url else []
        self.update(Text("\n".join(self.lines), style=QR_STYLE, no_wrap=True, overflow="crop"))
        self.display = bool(url)


class JoinPanel(Horizontal):
    """QR code, address, join code in big letters, and how many have joined."""

    def compose(self) -> ComposeResult:
        yield QRCode(id="join-qr")
        with Vertical(id="join-info"):
            yield Static(Text("Join on your phone or laptop", style="bold"), id="join-heading")
            yield Static("", id="join-url")
            yield Static(Text("Join code"), id="join-code-label")
            yield BigText("", id="join-code")
            yield Static("", id="join-counts")

    def show(self, url: str, code: str, counts: tuple[int, int]) -> None:
        self.query_one(QRCode).set_url(url)
        line = Text()
        if url:
            line.append("Scan the code or open\n")
            line.append(url, style="bold underline")
        else:
            line.append("Not served yet — start `roundtable serve`", style="bold")
        self.query_one("#join-url", Static).update(line)
        big = self.query_one("#join-code", BigText)
        if big.text != code:
            big.set_text(code)
        voters, groups = counts
        self.query_one("#join-counts", Static).update(
            Text(f"{plural(voters, 'participant')} · {plural(groups, 'group')}")
        )


class GroupWorkPanel(VerticalScroll):
    """The current phase of the case and the most recently revealed inject."""

    def compose(self) -> ComposeResult:
        yield Static("", id="group-phase")
        yield Static("", id="group-inject")
        yield Static("", id="group-narrative")

    def show(self, phase: Phase | None, inject: RevealedInject | None) -> None:
        head = Text()
        if phase is not None:
            head.append(phase.title, style="bold")
            head.append(f"  ({phase.timeframe.value} the event)", style="#c0c0c0")
        self.query_one("#group-phase", Static).update(head)
        box = self.query_one("#group-inject", Static)
        box.display = inject is not None
        if inject is not None:
            body = Text()
            body.append(inject.title + "\n", style="bold #ffd75f")
            body.append(inject.text.strip())
            box.update(body)
            box.border_title = "NEW"
            box.border_subtitle = f"revealed {clock_time(inject.revealed_at)}"
        story = Text()
        if phase is not None:
            story.append(phase.narrative.strip() + "\n")
            if phase.questions:
                story.append("\nQuestions for the groups\n", style="bold #ffffff")
                for n, q in enumerate(phase.questions, 1):
                    story.append(f"{n}. ", style="bold #ffffff")
                    story.append(q.text.strip() + "\n")
        self.query_one("#group-narrative", Static).update(story)


class GalleryPanel(Container):
    """Every group's proposals as cards, one column per group.

    Nobody scrolls a projector: a column longer than the screen moves on by itself,
    a screenful every few seconds, and starts again from the top.
    """

    DRIFT_SECONDS = 6.0

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown: tuple | None = None

    def on_mount(self) -> None:
        self.set_interval(self.DRIFT_SECONDS, self._drift)

    def _drift(self) -> None:
        if not self.display or not self.is_on_screen:
            return
        for col in self.query(".gallery-col"):
            if not isinstance(col, VerticalScroll) or col.max_scroll_y <= 0:
                continue
            if col.scroll_y >= col.max_scroll_y:
                col.scroll_home(animate=False)
            else:
                col.scroll_relative(y=max(1, col.size.height - 3), animate=False)

    def show(self, groups: list[Group], proposals: list[Proposal]) -> None:
        key = (tuple((g.id, g.name) for g in groups), tuple((p.id, p.group_id, p.title) for p in proposals))
        if key == self._shown:
            return
        self._shown = key
        self.remove_children()
        by_group: dict[str, list[Proposal]] = {}
        for p in proposals:
            by_group.setdefault(p.group_id, []).append(p)
        named = [g for g in groups if g.id in by_group]
        known = {g.id for g in groups}
        columns: list[tuple[str, list[Proposal]]] = [(g.name, by_group[g.id]) for g in named]
        columns += [(gid, ps) for gid, ps in by_group.items() if gid not in known]
        if not columns:
            self.mount(Static(Text("No proposals yet.", style="bold"), classes="gallery-empty"))
            return
        self.styles.grid_size_columns = min(len(columns), 4)
        for name, ps in columns:
            col = VerticalScroll(classes="gallery-col")
            self.mount(col)
            col.mount(Static(Text(f" {name} ", no_wrap=True, overflow="ellipsis"), classes="gallery-group"))
            col.mount(Static(Text(plural(len(ps), "proposal")), classes="gallery-count"))
            for p in ps:
                card = Text()
                card.append(p.id + "  ", style="bold #87d7ff")
                card.append(p.title)
                col.mount(Static(card, classes="gallery-card"))


METHOD_NAMES = {
    "dot": "Dot vote",
    "approval": "Approval vote",
    "score": "Score vote",
    "borda": "Ranked vote (Borda)",
    "consent": "Consent check",
}
CONSENT_OPTIONS = ("agree", "abstain", "disagree", "block")


def method_line(rnd: Round, n: int) -> str:
    """The round's method and its rules in one line."""
    m = rnd.method
    name = METHOD_NAMES.get(m, m)
    if m == "dot":
        rule = f"{plural(rnd.dots, 'dot')} each, at most {rnd.max_per_proposal} on one proposal"
    elif m == "approval":
        lo, hi = rnd.min_approvals, rnd.max_approvals
        limits = (f"at least {lo}, at most {hi}" if lo and hi else f"at most {hi}" if hi
                  else f"at least {lo}" if lo else "")
        rule = "approve every proposal you support" + (f" ({limits})" if limits else "")
    elif m == "score":
        rule = f"score every proposal from 0 to {rnd.max_score or 5}"
    elif m == "borda":
        rule = f"rank them, most preferred first: 1st gets {plural(max(n - 1, 0), 'point')}, each place one less"
    else:
        rule = "agree, abstain, disagree or block; a block needs a reason"
    extras = []
    if rnd.per_group:
        extras.append("one ballot per group")
    if rnd.anonymous:
        extras.append("anonymous")
    return f"{name} · {rule}" + (f" · {', '.join(extras)}" if extras else "")


def round_name(rnd: Round) -> str:
    return f"Round {rnd.id}" + (f" · {rnd.title}" if rnd.title else "")


def settlement_line(results: RoundResults) -> str:
    tie = results.tie
    if tie is None:
        return ""
    st = tie.settlement
    if st is None:
        return "to be settled by the facilitator"
    sentence = settlement_sentence(st)
    return sentence[0].lower() + sentence[1:].rstrip(".")


class VotingPanel(Vertical):
    """While a round is open: the method, how many have voted and what is on the ballot, never points."""

    def compose(self) -> ComposeResult:
        yield Static("", id="vote-head")
        yield Static("", id="vote-progress")
        yield Static("", id="vote-ballot")

    def show(self, rnd: Round | None, ballots: tuple[int, int] | None, ballot: list[Proposal]) -> None:
        head = Text()
        progress = Text()
        listing = Text()
        if rnd is None:
            head.append(" Voting opens shortly ", style="bold reverse")
        elif rnd.is_open:
            head.append(" VOTING OPEN ", style="bold #000000 on #5fd75f")
            head.append(f"  {round_name(rnd)}", style="bold")
            head.append("\n" + method_line(rnd, len(ballot)))
        else:
            head.append(" Voting closed ", style="bold reverse")
            head.append(f"  {round_name(rnd)}", style="bold")
            head.append("\nThe results will be shown shortly.")
        if rnd is not None and ballots is not None:
            progress.append_text(turnout(rnd, ballots))
        if rnd is not None and rnd.is_open and ballot:
            if rnd.method == "consent":
                p = ballot[0]
                listing.append("The plan\n", style="bold underline")
                listing.append(f"{p.id}  ", style="bold #87d7ff")
                listing.append(p.title + "\n", style="bold")
                if p.text:
                    listing.append(p.text.strip() + "\n")
            else:
                listing.append("On the ballot\n", style="bold underline")
                for p in ballot:
                    listing.append(f"{p.id}  ", style="bold #87d7ff")
                    listing.append(p.title + "\n")
        self.query_one("#vote-head", Static).update(head)
        self.query_one("#vote-progress", Static).update(progress)
        self.query_one("#vote-ballot", Static).update(listing)


def turnout(rnd: Round, ballots: tuple[int, int], width: int = 40) -> Text:
    """A bar of ballots cast of eligible voters (groups in one-ballot-per-group rounds)."""
    out = Text()
    cast, eligible = ballots
    filled = bar(cast, max(eligible, 1), width)
    out.append(filled, style="#5fd75f")
    out.append("░" * (width - len(filled)), style="#5f5f5f")
    who = "group" if rnd.per_group else "participant"
    out.append("\n" + turnout_sentence(cast, eligible, who, rnd.is_open), style="bold")
    return out


class ResultsPanel(Vertical):
    """A round's visible results: a ranking as a bar chart (ties flagged), or a consent outcome."""

    def compose(self) -> ComposeResult:
        yield Static("", id="results-head")
        yield Static("", id="results-tie")
        yield BigText("", id="results-outcome")
        yield Static("", id="results-chart")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._data: tuple[RoundResults, list[Proposal]] | None = None
        self._drawn_width = -1

    def show(self, results: RoundResults, proposals: list[Proposal]) -> None:
        self._data = (results, proposals)
        self._draw()

    def on_resize(self) -> None:
        if self._data is not None and self.content_size.width != self._drawn_width:
            self._draw()

    def _draw(self) -> None:
        assert self._data is not None
        results, proposals = self._data
        width = self._drawn_width = self.content_size.width
        r = results.round
        who = "group" if r.per_group else "participant"
        head = Text()
        if r.is_open:
            head.append(" LIVE RESULTS ", style="bold #000000 on #5fd75f")
            head.append("  voting is open", style="bold #5fd75f")
        else:
            head.append(" RESULTS ", style="bold #000000 on #ffd75f")
        head.append(f"  {round_name(r)}", style="bold")
        head.append("  ·  " + turnout_sentence(results.ballots_cast, results.eligible, who, r.is_open))
        if results.paper_points:
            head.append(f" · {plural(results.paper_points, 'point')} from paper")
        if r.is_open:
            head.append("\n" + method_line(r, len(results.results) or len(proposals)), style="#d0d0d0")
        else:
            head.append(f"\n{METHOD_NAMES.get(r.method, r.method)}", style="#d0d0d0")
        if r.method == "score":
            head.append(f" · ranked by total score; bars show the mean (0 to {r.max_score or 5})", style="#d0d0d0")
        self.query_one("#results-head", Static).update(head)
        tie = self.query_one("#results-tie", Static)
        outcome = self.query_one("#results-outcome", BigText)
        if results.consent is not None:
            tie.display = False
            outcome.display = True
            self._draw_consent(results, proposals, outcome)
            return
        outcome.display = False
        banner = self._tie_banner(results)
        tie.display = bool(banner)
        if banner:
            tie.update(Text(banner, style="bold"))
        self._draw_ranking(results, proposals, width)

    @staticmethod
    def _tie_banner(results: RoundResults) -> str:
        t = results.tie
        if t is not None:
            where = "Tie for first place" if t.at == "first" else f"Tie at the cut-off ({plural(t.places, 'place')})"
            return f"{where}: {', '.join(t.tied)} · {settlement_line(results)}"
        if results.tie_for_first:
            tied = [x.proposal for x in results.results if x.rank == 1]
            return f"Tie for first place{' so far' if results.round.is_open else ''}: {', '.join(tied)}"
        return ""

    def _draw_consent(self, results: RoundResults, proposals: list[Proposal], outcome: BigText) -> None:
        c = results.consent
        assert c is not None
        word = "PASSED" if c.passed else "NOT PASSED"
        if outcome.text != word:
            outcome.set_text(word)
        outcome.set_class(c.passed, "passed")
        outcome.set_class(not c.passed, "not-passed")
        titles = {p.id: p.title for p in proposals}
        body = Text()
        if results.round.is_open:
            body.append("So far: ", style="bold #5fd75f")
        body.append(f"{c.proposal}  ", style="bold #87d7ff")
        body.append(titles.get(c.proposal, "") + "\n\n", style="bold")
        colours = {"agree": "#5fd75f", "abstain": "#d0d0d0", "disagree": "#ffd75f", "block": "#ff5f5f"}
        for n, option in enumerate(CONSENT_OPTIONS):
            if n:
                body.append("    ")
            body.append(f"{option.upper()} ", style=f"bold {colours[option]}")
            body.append(str(c.counts.get(option, 0)), style="bold")
        if c.blocks:
            body.append("\n\nBlocked because\n", style="bold #ff5f5f")
            for reason in c.blocks:
                body.append("• ", style="bold #ff5f5f")
                body.append(reason + "\n")
        elif not c.passed:
            body.append("\n\nNo block, but agree does not outnumber disagree.", style="#d0d0d0")
        self.query_one("#results-chart", Static).update(body)

    def _draw_ranking(self, results: RoundResults, proposals: list[Proposal], width: int) -> None:
        r = results.round
        score = r.method == "score"
        titles = {p.id: p.title for p in proposals}
        top = max((x.points for x in results.results), default=0)
        bar_width = max(10, min(40, (width or 90) // 3))
        table = Table.grid(padding=(0, 1), expand=True)
        air = len(results.results) <= 8  # a blank line between bars while they fit
        table.add_column("rank", justify="right", width=3, no_wrap=True)
        table.add_column("id", no_wrap=True, style="bold #87d7ff")
        table.add_column("title", ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column("bar", width=bar_width, no_wrap=True)
        table.add_column("points", justify="right", no_wrap=True)
        table.add_column("tie", width=3, no_wrap=True)
        unit = ("approval", "approvals") if r.method == "approval" else ("pt", "pts")
        for n, x in enumerate(results.results):
            if air and n:
                table.add_row()
            first = x.rank == 1
            if score:
                mean = x.mean or 0.0
                drawn = bar(round(mean * 100), (r.max_score or 5) * 100, bar_width)
                figure = Text(f"mean {mean:.1f}", style="bold")
                figure.append(f" · {plural(x.points, 'pt', 'pts')}", style="#d0d0d0")
            else:
                drawn = bar(x.points, top, bar_width)
                figure = Text(plural(x.points, *unit), style="bold")
            table.add_row(
                Text(f"{x.rank}.", style="bold" if first else ""),
                Text(x.proposal),
                Text(titles.get(x.proposal, ""), style="bold" if first else ""),
                Text(drawn, style="#ffd75f" if first else "#5fd75f"),
                figure,
                Text("tie", style="bold #000000 on #ffd75f") if x.tied else Text(""),
            )
        self.query_one("#results-chart", Static).update(table)


class BlockPanel(Vertical):
    """Any other block: its title in the middle of the screen, and what comes next."""

    def compose(self) -> ComposeResult:
        yield Static("", id="block-kind")
        yield Static("", id="block-main")
        yield Static("", id="block-sub")

    def show(self, kind: str, title: str, sub: str = "") -> None:
        self.query_one("#block-kind", Static).update(Text(kind.upper()))
        self.query_one("#block-main", Static).update(Text(title, style="bold"))
        self.query_one("#block-sub", Static).update(Text(sub))

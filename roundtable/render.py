"""Readable text views of domain objects, shared by the CLI and the TUI."""

from __future__ import annotations

from .scenario import Scenario


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def turnout_sentence(cast: int, eligible: int, who: str, is_open: bool) -> str:
    """'2 of 5 groups have voted', '1 of 1 participant has voted'; 'voted' once closed."""
    verb = ("has voted" if 1 in (cast, eligible) else "have voted") if is_open else "voted"
    return f"{cast} of {plural(eligible, who)} {verb}"


def scenario_overview(s: Scenario) -> str:
    """A Markdown overview of a scenario: event, phases, agenda variants."""
    e = s.event
    when = f"{e.start_date.isoformat()}, " if e.start_date else ""
    lines = [
        f"# {s.title}",
        "",
        f"`{s.id}` · language {s.language} · version {s.version}",
        "",
        s.summary,
        "",
        f"## {e.name}",
        "",
        f"{e.kind} in {e.city}{' — ' + e.venue if e.venue else ''}. {when}{e.duration_days} day(s), "
        f"about {e.expected_visitors:,} visitors.".replace(f"{e.expected_visitors:,}", f"{e.expected_visitors:,}".replace(",", " ")),
        "",
        e.narrative,
        "",
        "## Phases",
        "",
    ]
    for p in s.phases:
        lines.append(f"- **{p.title}** ({p.timeframe.value}): {len(p.questions)} questions, {len(p.injects)} injects")
    lines += ["", "## Agenda variants", ""]
    for v in s.variants:
        h, m = divmod(v.total_minutes, 60)
        lines.append(f"- **{v.title}** (`{v.id}`): {len(v.blocks)} blocks, {h} h {m:02d} min")
    lines += ["", "## The three steps", ""]
    for st in sorted(s.steps, key=lambda x: x.number):
        lines.append(f"{st.number}. **{st.name}**: {st.description}")
    lines += ["", f"{len(s.actors)} actors · {len(s.facts)} key facts · {len(s.indicators)} indicators · "
              f"{len(s.talks)} talks"]
    return "\n".join(lines)


def settlement_sentence(st, escape=lambda text: text) -> str:
    """How a tie was settled, as one sentence (a models.TieSettlement or a minutes SettlementPart)."""
    goes = "goes" if len(st.chosen) == 1 else "go"
    if st.kind == "runoff":
        return f"Settled by a runoff: round {st.runoff_round}."
    if st.kind == "draw":
        return (f"Settled by a draw (seed {escape(st.seed or '')}): {', '.join(st.chosen)} {goes} through."
                + (f" Reason: {escape(st.reason)}" if st.reason else ""))
    return f"Settled by decision: {', '.join(st.chosen)} {goes} through. Reason: {escape(st.reason)}"


def tie_lines(tie, shortlist: int, escape=lambda text: text) -> list[str]:
    """How a round's tie stands, in sentences (a models.Tie or a minutes TiePart)."""
    where = "for first place" if tie.at == "first" else f"at the cut-off ({shortlist} to pick)"
    lines = [f"Tie {where} between {', '.join(tie.tied)}; {tie.places} of them go through."]
    st = tie.settlement
    if st is None:
        lines.append("Not settled yet: settle it by a runoff, a draw or a decision.")
    else:
        lines.append(settlement_sentence(st, escape))
        if st.kind == "draw":
            lines.append("Re-run the draw with Python's random.Random(seed).shuffle over the tied proposals in id order.")
    return lines

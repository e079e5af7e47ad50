"""Structured minutes: model, building from a session, TOML/Markdown export, validation.

The TOML keys are a stable contract (docs/minutes-format.md). Files are written with
tomli-w, read back with tomllib and validated by the same models.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from . import __version__
from .errors import RoundtableError
from .render import tie_lines
from .scenarios import Problem, ScenarioError, _pydantic_problems, parse_toml, read_text_file

if TYPE_CHECKING:
    from .service import SessionService

MINUTES_SCHEMA = "roundtable.minutes/1"


class M(BaseModel):
    # Other tools may add keys; we keep them out of the way rather than refuse them.
    model_config = ConfigDict(extra="allow", defer_build=True)


class SessionPart(M):
    id: str
    title: str
    scenario: str
    scenario_title: str = ""
    variant: str
    date: dt.date | None = None
    venue: str = ""
    facilitator: str = ""
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    status: Literal["draft", "final"] = "draft"


class GroupPart(M):
    id: str
    name: str


class ParticipantPart(M):
    id: str
    name: str
    organisation: str = ""
    sector: str = ""
    group: str | None = None
    role: Literal["participant", "observer", "facilitator"]
    scribe: bool = False


class AgendaPart(M):
    title: str
    kind: str
    planned_minutes: int
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    phase: str | None = None
    talk: str | None = None


class TalkPart(M):
    id: str
    title: str
    speaker: str = ""
    organisation: str = ""
    key_points: list[str] = Field(default_factory=list)


class InjectPart(M):
    id: str
    phase: str = ""
    title: str = ""
    revealed_at: dt.datetime | None = None


class ProposalPart(M):
    id: str
    group: str
    title: str
    text: str = ""
    step: Literal[1, 2, 3] | None = None
    timeframe: Literal["before", "during", "after"] | None = None
    actors: list[str] = Field(default_factory=list)
    status: Literal["proposed", "merged", "adopted", "rejected", "deferred"]
    merged_into: str | None = None

    @model_validator(mode="after")
    def _merged_has_target(self) -> ProposalPart:
        if (self.status == "merged") != (self.merged_into is not None):
            raise ValueError("merged_into is given exactly when status is 'merged'")
        return self


class ResultPart(M):
    proposal: str
    points: int = Field(ge=0)
    rank: int = Field(ge=1)
    tied: bool = False
    mean: float | None = None  # score rounds
    count: int | None = Field(None, ge=0)  # score rounds: ballots that scored it


class ConsentPart(M):
    proposal: str
    counts: dict[Literal["agree", "abstain", "disagree", "block"], int]
    blocks: list[str] = Field(default_factory=list)
    outcome: Literal["passed", "not passed"]

    @model_validator(mode="after")
    def _outcome_follows(self) -> ConsentPart:
        c = {k: self.counts.get(k, 0) for k in ("agree", "abstain", "disagree", "block")}
        passed = c["block"] == 0 and c["agree"] > c["disagree"]
        if self.outcome != ("passed" if passed else "not passed"):
            raise ValueError("consent outcome does not follow from the counts (passed: no block and agree > disagree)")
        if len(self.blocks) != c["block"]:
            raise ValueError("every block needs its reason in 'blocks'")
        return self


class SettlementPart(M):
    kind: Literal["runoff", "draw", "decision"]
    seed: str | None = None
    chosen: list[str] = Field(default_factory=list)
    reason: str = ""
    runoff_round: int | None = None
    settled_at: dt.datetime


class TiePart(M):
    at: Literal["first", "cutoff"]
    places: int = Field(ge=1)
    tied: list[str]
    settlement: SettlementPart | None = None


class BallotPart(M):
    """One ballot. Named rounds give the voter; anonymous rounds never do."""

    voter: str | None = None
    cast_by: str | None = None
    points: dict[str, int] | None = None  # dot: dots; score: every proposal's score
    order: list[str] | None = None  # approval: the approved; borda: most preferred first
    option: Literal["agree", "abstain", "disagree", "block"] | None = None  # consent
    reason: str | None = None


class RoundPart(M):
    id: int
    method: Literal["dot", "approval", "score", "borda", "consent"]
    title: str = ""
    dots: int | None = Field(None, ge=1)
    max_per_proposal: int | None = Field(None, ge=1)
    min_approvals: int | None = Field(None, ge=0)
    max_approvals: int | None = Field(None, ge=1)
    max_score: int | None = Field(None, ge=1)
    shortlist: int = Field(1, ge=1)
    per_group: bool = False
    reveal: Literal["manual", "after-close", "after-vote", "live"] | None = None
    anonymous: bool = False
    runoff_of: int | None = None
    tied_at_cutoff: list[str] = Field(default_factory=list)
    proposals: list[str]
    eligible: int = Field(ge=0)
    ballots_cast: int = Field(ge=0)
    opened_at: dt.datetime
    closed_at: dt.datetime | None = None
    revealed_at: dt.datetime | None = None
    paper_points: int = 0
    tie_for_first: bool = False
    results: list[ResultPart] = Field(default_factory=list)
    consent: ConsentPart | None = None
    tie: TiePart | None = None
    ballots: list[BallotPart] = Field(default_factory=list)

    @model_validator(mode="after")
    def _sealed_while_open(self) -> RoundPart:
        if self.closed_at is None and (self.results or self.consent or self.ballots):
            raise ValueError("an open round must not carry results or ballots (they are sealed until it closes)")
        if self.method == "dot" and (self.dots is None or self.max_per_proposal is None):
            raise ValueError("a dot round gives its dots and max_per_proposal")
        if self.closed_at is not None and self.method == "consent":
            if self.consent is None or self.results:
                raise ValueError("a closed consent round carries 'consent' and no ranked results")
        elif self.closed_at is not None:
            self._check_ranking()
        if self.anonymous and any(b.voter or b.cast_by for b in self.ballots):
            raise ValueError("an anonymous round must not name any voter")
        if self.ballots:
            self._check_ballots_give_results()
        return self

    def _check_ranking(self) -> None:
        listed = sorted(r.proposal for r in self.results)
        if listed != sorted(self.proposals):
            raise ValueError("results must list every proposal in the round exactly once")
        # Ranks must follow from the points: standard competition ranking, ties flagged.
        points = [r.points for r in self.results]
        if points != sorted(points, reverse=True):
            raise ValueError("results must be ordered by rank (highest points first)")
        counts = Counter(points)
        rank_of, above = {}, 0
        for p in sorted(counts, reverse=True):
            rank_of[p], above = above + 1, above + counts[p]
        for r in self.results:
            expected = rank_of[r.points]
            if r.rank != expected:
                raise ValueError(f"result for {r.proposal} has rank {r.rank} but its points give rank {expected}")
            if r.tied != (counts[r.points] > 1):
                raise ValueError(f"result for {r.proposal}: 'tied' does not match the points")

    def _check_ballots_give_results(self) -> None:
        """Listed ballots must add up to the results: anyone can recount from the minutes."""
        if len(self.ballots) != self.ballots_cast:
            raise ValueError(f"{len(self.ballots)} ballots listed but ballots_cast is {self.ballots_cast}")
        if self.method == "consent":
            counts = Counter(b.option for b in self.ballots)
            if self.consent and any(self.consent.counts.get(k, 0) != counts.get(k, 0) for k in self.consent.counts):
                raise ValueError("consent counts do not match the listed ballots")
            return
        totals = Counter()
        n = len(self.proposals)
        for b in self.ballots:
            if self.method in ("dot", "score"):
                totals.update(b.points or {})
            elif self.method == "approval":
                totals.update(b.order or [])
            else:
                for i, p in enumerate(b.order or [], start=1):
                    totals[p] += n - i
        if self.paper_points:
            return  # paper points are in the totals but not in any listed ballot
        for r in self.results:
            if r.points != totals.get(r.proposal, 0):
                raise ValueError(
                    f"result for {r.proposal} has {r.points} points but the listed ballots give {totals.get(r.proposal, 0)}"
                )


class DecisionPart(M):
    id: str
    text: str
    proposal: str | None = None


class ActionPart(M):
    id: str
    text: str
    owner: str
    due: dt.date | None = None
    status: Literal["open", "in_progress", "done", "dropped"]


class EvaluationPart(M):
    worked: list[str] = Field(default_factory=list)
    improve: list[str] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list)


class ProvenancePart(M):
    tool: str = "roundtable"
    tool_version: str
    scenario_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    generated_at: dt.datetime


class Minutes(M):
    schema_: Literal["roundtable.minutes/1"] = Field(MINUTES_SCHEMA, alias="schema")
    session: SessionPart
    groups: list[GroupPart] = Field(default_factory=list)
    participants: list[ParticipantPart] = Field(default_factory=list)
    agenda: list[AgendaPart] = Field(default_factory=list)
    talks: list[TalkPart] = Field(default_factory=list)
    injects: list[InjectPart] = Field(default_factory=list)
    proposals: list[ProposalPart] = Field(default_factory=list)
    rounds: list[RoundPart] = Field(default_factory=list)
    decisions: list[DecisionPart] = Field(default_factory=list)
    actions: list[ActionPart] = Field(default_factory=list)
    evaluation: EvaluationPart = Field(default_factory=EvaluationPart)
    provenance: ProvenancePart

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    @model_validator(mode="after")
    def _references(self) -> Minutes:
        groups = {g.id for g in self.groups}
        proposals = {p.id for p in self.proposals}
        problems = []
        for p in self.participants:
            if p.group is not None and p.group not in groups:
                problems.append(f"participant {p.id} names unknown group {p.group}")
        for p in self.proposals:
            if p.group not in groups:
                problems.append(f"proposal {p.id} names unknown group {p.group}")
            if p.merged_into is not None and p.merged_into not in proposals:
                problems.append(f"proposal {p.id} is merged into unknown proposal {p.merged_into}")
        for r in self.rounds:
            for pid in r.proposals:
                if pid not in proposals:
                    problems.append(f"round {r.id} names unknown proposal {pid}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def build_minutes(svc: SessionService) -> Minutes:
    info = svc.info()
    scenario = svc.scenario
    inject_titles = {j.id: (p.id, j.title) for p in scenario.phases for j in p.injects}
    rounds = [_round_part(svc, r) for r in svc.rounds()]
    notes = svc.evaluation_notes()
    return Minutes(
        session=SessionPart(
            id=info.id, title=info.title, scenario=info.scenario_id, scenario_title=info.scenario_title,
            variant=info.variant, date=info.date, venue=info.venue, facilitator=info.facilitator,
            started_at=info.started_at, ended_at=info.ended_at, status="final" if info.ended_at else "draft",
        ),
        groups=[GroupPart(id=g.id, name=g.name) for g in svc.groups()],
        participants=[
            ParticipantPart(id=p.id, name=p.name, organisation=p.organisation, sector=p.sector, group=p.group_id,
                            role=p.role.value, scribe=p.scribe)
            for p in svc.participants()
        ],
        agenda=[
            AgendaPart(title=a.title, kind=a.kind, planned_minutes=a.planned_minutes, started_at=a.started_at,
                       ended_at=a.ended_at, phase=a.phase_id, talk=a.talk_id)
            for a in svc.agenda()
        ],
        talks=[
            TalkPart(id=t.id, title=t.title, speaker=t.speaker, organisation=t.organisation, key_points=t.key_points)
            for t in svc.talks()
        ],
        injects=[
            InjectPart(id=s.id, phase=s.phase_id, title=inject_titles.get(s.id, ("", ""))[1], revealed_at=s.revealed_at)
            for s in svc.injects()
        ],
        proposals=[
            ProposalPart(id=p.id, group=p.group_id, title=p.title, text=p.text, step=p.step, timeframe=p.timeframe,
                         actors=p.actors, status=p.status.value, merged_into=p.merged_into)
            for p in svc.proposals()
        ],
        rounds=rounds,
        decisions=[DecisionPart(id=d.id, text=d.text, proposal=d.proposal_id) for d in svc.decisions()],
        actions=[
            ActionPart(id=a.id, text=a.text, owner=a.owner, due=a.due, status=a.status.value) for a in svc.actions()
        ],
        evaluation=EvaluationPart(
            worked=[n.text for n in notes if n.kind == "worked"],
            improve=[n.text for n in notes if n.kind == "improve"],
            questions=list(scenario.evaluation_questions),
        ),
        provenance=ProvenancePart(
            tool_version=__version__, scenario_sha256=info.scenario_sha256, generated_at=svc.now(),
        ),
    )


def _round_part(svc: "SessionService", r) -> RoundPart:
    settings = dict(
        id=r.id, method=r.method, title=r.title, proposals=r.proposals, opened_at=r.opened_at,
        dots=r.dots or None, max_per_proposal=r.max_per_proposal or None, min_approvals=r.min_approvals,
        max_approvals=r.max_approvals, max_score=r.max_score, shortlist=r.shortlist, per_group=r.per_group,
        reveal=r.reveal, anonymous=r.anonymous, runoff_of=r.runoff_of, tied_at_cutoff=r.tied_at_cutoff,
    )
    if r.is_open:
        status = svc.round_status(r.id)
        return RoundPart(**settings, eligible=status.eligible, ballots_cast=status.ballots_cast)
    res = svc.results(r.id)
    tie = None
    if res.tie is not None:
        st = res.tie.settlement
        tie = TiePart(at=res.tie.at, places=res.tie.places, tied=res.tie.tied,
                      settlement=SettlementPart(**st.model_dump()) if st else None)
    consent = None
    if res.consent is not None:
        c = res.consent
        consent = ConsentPart(proposal=c.proposal, counts=c.counts, blocks=c.blocks, outcome=c.outcome)
    return RoundPart(
        **settings, eligible=res.eligible, ballots_cast=res.ballots_cast, closed_at=r.closed_at,
        revealed_at=r.revealed_at, paper_points=res.paper_points, tie_for_first=res.tie_for_first,
        results=[ResultPart(proposal=x.proposal, points=x.points, rank=x.rank, tied=x.tied, mean=x.mean, count=x.count)
                 for x in res.results],
        consent=consent, tie=tie, ballots=[_ballot_part(r.method, b) for b in svc.ballots(r.id)],
    )


def _ballot_part(method: str, b) -> BallotPart:
    who = dict(voter=b.voter, cast_by=b.cast_by if b.cast_by != b.voter else None)
    if method == "consent":
        return BallotPart(**who, option=b.ballot.option, reason=b.ballot.reason or None)
    if method in ("dot", "score"):
        return BallotPart(**who, points=dict(b.ballot))
    return BallotPart(**who, order=list(b.ballot))


def to_toml(minutes: Minutes) -> str:
    # TOML has no null: absent values are left out, which the models read back as None.
    data = minutes.model_dump(by_alias=True, exclude_none=True, mode="python")
    head = "# Minutes written by roundtable. Format: docs/minutes-format.md\n"
    return head + tomli_w.dumps(data)


def _fmt_time(t: dt.datetime | None) -> str:
    return t.astimezone().strftime("%H:%M") if t else "–"


def _md_escape(text: str) -> str:
    # Participant text goes into tables and lists literally.
    text = text.replace("\n", " ").replace("&", "&amp;").replace("<", "&lt;")
    return re.sub(r"([\\`*_\[\]|#!~>])", r"\\\1", text)


def to_markdown(minutes: Minutes) -> str:
    s = minutes.session
    e = _md_escape
    groups = {g.id: g.name for g in minutes.groups}
    titles = {p.id: p.title for p in minutes.proposals}
    out = [f"# {e(s.title)}", ""]
    if s.status == "draft":
        out += ["*Draft: the session is still running.*", ""]
    out += [
        f"- **Scenario:** {e(s.scenario_title or s.scenario)} ({e(s.scenario)}, variant {e(s.variant)})",
        f"- **Date:** {s.date or '–'}  ",
        f"- **Venue:** {e(s.venue) or '–'}",
        f"- **Facilitator:** {e(s.facilitator) or '–'}",
        f"- **Started / ended:** {_fmt_time(s.started_at)} / {_fmt_time(s.ended_at)}",
        "",
    ]
    if minutes.participants:
        orgs: dict[str, int] = {}
        for p in minutes.participants:
            orgs[p.organisation or "(no organisation)"] = orgs.get(p.organisation or "(no organisation)", 0) + 1
        out += [f"## Attendance ({len(minutes.participants)})", ""]
        out += [f"- {e(o)}: {n}" for o, n in sorted(orgs.items())] + [""]
    if minutes.groups:
        out += ["## Groups", ""]
        for g in minutes.groups:
            members = [p.name for p in minutes.participants if p.group == g.id]
            out.append(f"- **{e(g.name)}** ({g.id}): {e(', '.join(members)) or '–'}")
        out.append("")
    out += ["## Agenda", "", "| # | Block | Kind | Planned | Started | Ended |", "|---|---|---|---|---|---|"]
    for n, a in enumerate(minutes.agenda, 1):
        out.append(f"| {n} | {e(a.title)} | {a.kind} | {a.planned_minutes} min | {_fmt_time(a.started_at)} | {_fmt_time(a.ended_at)} |")
    out.append("")
    talks = [t for t in minutes.talks if t.key_points or t.speaker]
    if talks:
        out += ["## Talks", ""]
        for t in talks:
            out.append(f"### {e(t.title)}")
            out.append(f"{e(t.speaker)}{', ' + e(t.organisation) if t.organisation else ''}")
            out += [""] + [f"- {e(k)}" for k in t.key_points] + [""]
    revealed = [i for i in minutes.injects if i.revealed_at]
    if revealed:
        out += ["## Injects revealed", ""]
        out += [f"- {_fmt_time(i.revealed_at)} — {e(i.title or i.id)} ({i.phase})" for i in revealed] + [""]
    out += [f"## Proposals ({len(minutes.proposals)})", ""]
    if minutes.proposals:
        out += ["| Id | Group | Title | Step | When | Actors | Status |", "|---|---|---|---|---|---|---|"]
        for p in minutes.proposals:
            status = f"merged into {p.merged_into}" if p.merged_into else p.status
            out.append(
                f"| {p.id} | {e(groups.get(p.group, p.group))} | {e(p.title)} | {p.step or '–'} | {p.timeframe or '–'}"
                f" | {e(', '.join(p.actors)) or '–'} | {status} |"
            )
        out.append("")
        for p in minutes.proposals:
            if p.text:
                out += [f"**{p.id} {e(p.title)}.** {e(p.text)}", ""]
    for r in minutes.rounds:
        out += _round_markdown(r, titles, e)
    if minutes.decisions:
        out += ["## Decisions", ""]
        out += [f"- {e(d.text)}" + (f" (proposal {d.proposal})" if d.proposal else "") for d in minutes.decisions] + [""]
    if minutes.actions:
        out += ["## Actions", "", "| What | Owner | Due | Status |", "|---|---|---|---|"]
        out += [f"| {e(a.text)} | {e(a.owner)} | {a.due or '–'} | {a.status} |" for a in minutes.actions] + [""]
    ev = minutes.evaluation
    if ev.worked or ev.improve:
        out += ["## Evaluation", ""]
        if ev.worked:
            out += ["**What worked**", ""] + [f"- {e(t)}" for t in ev.worked] + [""]
        if ev.improve:
            out += ["**To improve for the next event**", ""] + [f"- {e(t)}" for t in ev.improve] + [""]
    pv = minutes.provenance
    out += ["---", "", f"*Generated by roundtable {pv.tool_version} at {pv.generated_at.isoformat()}; "
            f"scenario sha256 {pv.scenario_sha256[:12]}….*", ""]
    return "\n".join(out)


METHOD_NAMES = {
    "dot": "dot voting", "approval": "approval voting", "score": "score voting",
    "borda": "ranked voting (Borda count)", "consent": "consent check",
}


def _round_markdown(r: RoundPart, titles: dict[str, str], e) -> list[str]:
    head = f"## Vote: round {r.id} ({METHOD_NAMES[r.method]})" + (f" – {e(r.title)}" if r.title else "")
    rules = {
        "dot": f"{r.dots} dots per ballot, at most {r.max_per_proposal} per proposal",
        "approval": "approve any number of the proposals"
        + (f", at least {r.min_approvals}" if r.min_approvals is not None else "")
        + (f", at most {r.max_approvals}" if r.max_approvals is not None else ""),
        "score": f"every proposal scored from 0 to {r.max_score}; ranked by total",
        "borda": f"rank the proposals, most preferred first; with {len(r.proposals)} proposals the i-th gets "
                 f"{len(r.proposals)} − i points, unranked 0",
        "consent": "agree, abstain, disagree or block (with a reason); passed when no one blocks and agree "
                   "outnumbers disagree",
    }[r.method]
    who = "one ballot per group (the last cast counts)" if r.per_group else "one ballot per participant"
    secrecy = "anonymous: ballots are kept without voters" if r.anonymous else "named ballots"
    reveal = {"manual": "results shown when the facilitator revealed them", "after-close": "results shown at close",
              "after-vote": "each voter saw results once they had voted", "live": "results shown live",
              None: ""}[r.reveal]
    settings = "; ".join(x for x in (rules, who, secrecy, reveal) if x) + "."
    out = [head, "", settings[0].upper() + settings[1:]]
    if r.runoff_of is not None:
        out.append(f"Runoff over the top of round {r.runoff_of}"
                   + (f"; {', '.join(r.tied_at_cutoff)} tied at the cut-off and came along." if r.tied_at_cutoff else "."))
    out.append(f"{r.ballots_cast} of {r.eligible} eligible {'groups' if r.per_group else 'voters'} cast a ballot"
               + (f"; {r.paper_points} points from a paper vote" if r.paper_points else "") + ".")
    out.append("")
    if r.closed_at is None:
        return out + ["*Round still open: results are sealed.*", ""]
    if r.consent is not None:
        c = r.consent
        out += [f"{c.proposal} {e(titles.get(c.proposal, ''))}: " + ", ".join(f"{k} {v}" for k, v in c.counts.items())
                + f". **Outcome: {c.outcome}.**", ""]
        out += [f"- Block: {e(reason)}" for reason in c.blocks] + ([""] if c.blocks else [])
    else:
        score = r.method == "score"
        out += ["| Rank | Proposal | Points |" + (" Mean | Ballots |" if score else ""),
                "|---|---|---|" + ("---|---|" if score else "")]
        for x in r.results:
            tie = " (tie)" if x.tied else ""
            extra = f" {x.mean if x.mean is not None else '–'} | {x.count} |" if score else ""
            out.append(f"| {x.rank}{tie} | {x.proposal} {e(titles.get(x.proposal, ''))} | {x.points} |{extra}")
        out.append("")
    if r.tie is not None:
        first, *rest = tie_lines(r.tie, r.shortlist, e)
        out += [f"**{first}**", *rest, ""]
    if r.ballots:
        out += ["<details><summary>Ballots</summary>", ""]
        for b in r.ballots:
            voter = "" if r.anonymous else f"{b.voter}" + (f" (cast by {b.cast_by})" if b.cast_by else "") + ": "
            if b.option:
                body = b.option + (f" – {e(b.reason)}" if b.reason else "")
            elif b.points is not None:
                body = ", ".join(f"{k}={v}" for k, v in b.points.items())
            else:
                body = " > ".join(b.order or []) if r.method == "borda" else " ".join(b.order or [])
            out.append(f"- {voter}{body}")
        out += ["", "</details>", ""]
    return out


def render(minutes: Minutes, fmt: str) -> str:
    if fmt == "toml":
        return to_toml(minutes)
    if fmt in ("md", "markdown"):
        return to_markdown(minutes)
    raise RoundtableError(f"Unknown minutes format '{fmt}'; use toml or md.")


def atomic_write(path: Path, text: str) -> None:
    """Write the whole file or nothing: a full disk leaves any earlier file intact."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise RoundtableError(f"Cannot write to {directory}: {exc.strerror or exc}.") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise RoundtableError(f"Could not write {path}: {exc.strerror or exc}; nothing was written.") from None


def write_minutes(svc: SessionService, fmt: str = "toml", output: str | Path | None = None) -> Path:
    text = render(build_minutes(svc), fmt)
    suffix = "md" if fmt in ("md", "markdown") else "toml"
    path = Path(output) if output else svc.path.with_name(f"{svc.id}.minutes.{suffix}")
    atomic_write(path, text)
    return path


def load_minutes_file(path: str | Path) -> Minutes:
    path = Path(path)
    return parse_minutes_text(read_text_file(path, "minutes file"), str(path))


def parse_minutes_text(text: str, where: str) -> Minutes:
    data = parse_toml(text, where)
    try:
        return Minutes.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_pydantic_problems(where, exc)) from None


def validate_minutes_files(paths: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    for p in paths:
        try:
            load_minutes_file(p)
        except ScenarioError as exc:
            problems.extend(exc.problems)
    return problems


def json_schema() -> str:
    schema = Minutes.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = MINUTES_SCHEMA
    return json.dumps(schema, indent=2, ensure_ascii=False)

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


class RoundPart(M):
    id: int
    method: Literal["dot"]
    dots: int = Field(ge=1)
    max_per_proposal: int = Field(ge=1)
    proposals: list[str]
    eligible: int = Field(ge=0)
    ballots_cast: int = Field(ge=0)
    opened_at: dt.datetime
    closed_at: dt.datetime | None = None
    revealed_at: dt.datetime | None = None
    paper_points: int = 0
    tie_for_first: bool = False
    results: list[ResultPart] = Field(default_factory=list)

    @model_validator(mode="after")
    def _sealed_while_open(self) -> RoundPart:
        if self.closed_at is None and self.results:
            raise ValueError("an open round must not carry results (they are sealed until it closes)")
        if self.closed_at is not None:
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
        return self


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
    rounds = []
    for r in svc.rounds():
        if r.is_open:
            status = svc.round_status(r.id)
            rounds.append(RoundPart(
                id=r.id, method="dot", dots=r.dots, max_per_proposal=r.max_per_proposal, proposals=r.proposals,
                eligible=status.eligible, ballots_cast=status.ballots_cast, opened_at=r.opened_at,
            ))
        else:
            res = svc.results(r.id)
            rounds.append(RoundPart(
                id=r.id, method="dot", dots=r.dots, max_per_proposal=r.max_per_proposal, proposals=r.proposals,
                eligible=res.eligible, ballots_cast=res.ballots_cast, opened_at=r.opened_at,
                closed_at=r.closed_at, revealed_at=r.revealed_at, paper_points=res.paper_points, tie_for_first=res.tie_for_first,
                results=[ResultPart(proposal=x.proposal, points=x.points, rank=x.rank, tied=x.tied) for x in res.results],
            ))
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
        out += [f"## Vote: round {r.id} (dot voting)", ""]
        out.append(
            f"{r.dots} dots per participant, at most {r.max_per_proposal} per proposal; "
            f"{r.ballots_cast} of {r.eligible} eligible voters cast a ballot"
            + (f"; {r.paper_points} points from a paper vote" if r.paper_points else "") + "."
        )
        out.append("")
        if r.closed_at is None:
            out += ["*Round still open: results are sealed.*", ""]
            continue
        out += ["| Rank | Proposal | Points |", "|---|---|---|"]
        for x in r.results:
            tie = " (tie)" if x.tied else ""
            out.append(f"| {x.rank}{tie} | {x.proposal} {e(titles.get(x.proposal, ''))} | {x.points} |")
        if r.tie_for_first:
            out += ["", "**Tie for first place.**"]
        out.append("")
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
    text = read_text_file(path, "minutes file")
    data = parse_toml(text, str(path))
    try:
        return Minutes.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_pydantic_problems(str(path), exc)) from None


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

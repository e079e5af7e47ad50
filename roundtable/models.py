"""Session-side models returned by the service layer (read views of the store)."""

from __future__ import annotations

import datetime as dt
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class Role(str, Enum):
    participant = "participant"
    observer = "observer"
    facilitator = "facilitator"

    @property
    def votes(self) -> bool:
        # Observers watch; the facilitator runs the vote. Neither casts a ballot.
        return self is Role.participant


class ProposalStatus(str, Enum):
    proposed = "proposed"
    merged = "merged"
    adopted = "adopted"
    rejected = "rejected"
    deferred = "deferred"


class ActionStatus(str, Enum):
    open = "open"
    in_progress = "in_progress"
    done = "done"
    dropped = "dropped"


class View(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


class SessionInfo(View):
    id: str
    title: str
    scenario_id: str
    scenario_title: str
    scenario_sha256: str
    variant: str
    language: str
    date: dt.date | None
    venue: str
    facilitator: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    ended_at: dt.datetime | None


class Group(View):
    id: str
    name: str


class Participant(View):
    id: str
    name: str
    organisation: str
    sector: str
    group_id: str | None
    role: Role
    code: str | None  # only voting participants have one; None also once revoked
    scribe: bool = False  # types the group's proposals from the participant app


class TalkRecord(View):
    id: str
    title: str
    speaker: str
    organisation: str
    key_points: list[str]
    planned_minutes: int | None


class AgendaItem(View):
    position: int
    title: str
    kind: str
    planned_minutes: int
    phase_id: str | None
    talk_id: str | None
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    extra_seconds: int


class TimerState(View):
    """Where the agenda stands. Times are wall-clock so a restart resumes."""

    block: int | None  # agenda position, None before the first block starts
    running: bool
    elapsed_seconds: float
    planned_seconds: int

    @property
    def remaining_seconds(self) -> float:
        return self.planned_seconds - self.elapsed_seconds

    @property
    def overtime(self) -> bool:
        return self.block is not None and self.remaining_seconds < 0


class InjectState(View):
    id: str
    phase_id: str
    revealed_at: dt.datetime | None


class Proposal(View):
    id: str
    group_id: str
    title: str
    text: str
    step: int | None
    timeframe: str | None
    actors: list[str]
    status: ProposalStatus
    merged_into: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class Round(View):
    id: int
    method: str  # dot | approval | score | borda | consent
    dots: int  # dot rounds: budget per ballot (0 for other methods)
    max_per_proposal: int  # dot rounds: cap per proposal (0 for other methods)
    proposals: list[str]
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    title: str = ""
    revealed_at: dt.datetime | None = None  # participants and the projector see results from then
    min_approvals: int | None = None
    max_approvals: int | None = None
    max_score: int | None = None  # score rounds: scores go from 0 to this
    shortlist: int = 1  # how many proposals the round picks; a tie at that cut-off is flagged
    per_group: bool = False  # one ballot per group, cast by any member (the last cast counts)
    reveal: str = "after-close"  # manual | after-close | after-vote | live
    anonymous: bool = False
    runoff_of: int | None = None
    tied_at_cutoff: list[str] = Field(default_factory=list)  # runoffs: let in by a tie at the cut-off

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def ranked(self) -> bool:
        return self.method != "consent"


class RoundStatus(View):
    """What may be shown while a round is open: counts, never points."""

    round: Round
    eligible: int
    ballots_cast: int
    paper_entered: bool


class Result(View):
    proposal: str
    points: int
    rank: int
    tied: bool = False
    # score rounds only: mean score and how many ballots scored the proposal
    mean: float | None = None
    count: int | None = None


class ConsentVote(View):
    option: str  # agree | abstain | disagree | block
    reason: str = ""


class ConsentResult(View):
    """A consent check on one plan: counts per option, block reasons, outcome."""

    proposal: str
    counts: dict[str, int]
    blocks: list[str]  # the reasons given with each block
    passed: bool

    @property
    def outcome(self) -> str:
        return "passed" if self.passed else "not passed"


class TieSettlement(View):
    kind: str  # runoff | draw | decision
    seed: str | None = None  # draws: re-run with random.Random(seed).shuffle(tied in id order)
    chosen: list[str] = Field(default_factory=list)  # the tied proposals that go through
    reason: str = ""
    runoff_round: int | None = None
    settled_at: dt.datetime


class Tie(View):
    """Proposals sharing the points at the round's cut-off (first place when it picks one)."""

    at: str  # first | cutoff
    places: int  # how many of the tied proposals go through
    tied: list[str]
    settlement: TieSettlement | None = None


class BallotRecord(View):
    """One ballot as cast; `voter` is None in anonymous rounds."""

    voter: str | None  # participant id, or group id in one-ballot-per-group rounds
    cast_by: str | None = None  # per-group rounds: the member who cast it
    cast_at: dt.datetime | None = None
    ballot: dict[str, int] | list[str] | ConsentVote


class RoundResults(View):
    round: Round
    eligible: int
    ballots_cast: int
    paper_points: int
    results: list[Result]  # empty for consent rounds
    consent: ConsentResult | None = None
    tie: Tie | None = None

    @property
    def tie_for_first(self) -> bool:
        return sum(1 for r in self.results if r.rank == 1) > 1


class Decision(View):
    id: str
    text: str
    proposal_id: str | None
    created_at: dt.datetime


class Action(View):
    id: str
    text: str
    owner: str
    due: dt.date | None
    status: ActionStatus
    created_at: dt.datetime


class EvaluationNote(View):
    id: str
    kind: str  # worked | improve
    text: str
    created_at: dt.datetime


class ImportReport(View):
    added: list[Participant] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list)  # "row 4: reason"
    groups_created: list[str] = Field(default_factory=list)

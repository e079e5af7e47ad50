"""What participant devices and the projector may do: a narrow face of the service.

A participant client holds a `ParticipantClient`, never the `SessionService` itself,
so the participant app has no way to open or close rounds, reveal injects or results,
edit another group's proposals, export or see anyone's voting code. The projector
holds a `ProjectorView`, which only reads what the whole room may see.

Entering: `Gate.check_join_code()` then `Gate.login()`. Wrong codes are recorded in
the session store per client (the browser's address when served), and a client that
keeps guessing has to wait longer and longer (see `SessionService.throttle_wait`).
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import NotFound, Refused, RoundtableError
from .models import AgendaItem, Group, InjectState, Participant, Proposal, Round, RoundResults, TimerState
from .scenario import Inject, Phase, Scenario
from .service import SessionService, normalise_code, open_session


class Throttled(Refused):
    """Too many wrong codes from this client; `wait` seconds remain."""

    def __init__(self, wait: float):
        self.wait = math.ceil(wait)
        unit = "second" if self.wait == 1 else "seconds"
        super().__init__(f"Too many wrong codes from this device; try again in {self.wait} {unit}.")


@dataclass(frozen=True)
class RevealedInject:
    id: str
    phase_id: str
    title: str
    text: str
    revealed_at: dt.datetime


@dataclass(frozen=True)
class Situation:
    """What the whole room may see at a moment: block, timer, phase, revealed injects."""

    title: str
    block: AgendaItem | None
    next_block: AgendaItem | None
    timer: TimerState
    phase: Phase | None
    injects: list[RevealedInject]  # revealed so far, newest first
    ended: bool


class _RoomView:
    """Reads shared by the participant client and the projector."""

    def __init__(self, svc: SessionService):
        self._svc = svc

    @property
    def scenario(self) -> Scenario:
        return self._svc.scenario

    def change_token(self) -> tuple[int, int]:
        return self._svc.change_token()

    def revisions(self) -> dict[str, int]:
        return self._svc.revisions()

    def close(self) -> None:
        self._svc.close()

    def situation(self) -> Situation:
        svc = self._svc
        info = svc.info()
        agenda = svc.agenda()
        timer = svc.timer()
        block = agenda[timer.block] if timer.block is not None and timer.block < len(agenda) else None
        after = (timer.block + 1) if timer.block is not None else 0
        next_block = agenda[after] if after < len(agenda) else None
        phase_id = svc.current_phase_id()
        phase = self.scenario.phase(phase_id) if phase_id else None
        return Situation(
            title=info.title, block=block, next_block=next_block, timer=timer, phase=phase,
            injects=self._revealed_injects(svc.injects()), ended=info.ended_at is not None,
        )

    def _revealed_injects(self, states: Sequence[InjectState]) -> list[RevealedInject]:
        by_id: dict[str, Inject] = {j.id: j for ph in self.scenario.phases for j in ph.injects}
        shown = [s for s in states if s.revealed_at and s.id in by_id]
        shown.sort(key=lambda s: s.revealed_at, reverse=True)
        return [
            RevealedInject(id=s.id, phase_id=s.phase_id, title=by_id[s.id].title, text=by_id[s.id].text,
                           revealed_at=s.revealed_at)
            for s in shown
        ]

    def groups(self) -> list[Group]:
        return self._svc.groups()

    def proposals(self, round_id: int | None = None) -> list[Proposal]:
        """Live proposals (merged duplicates left out), or those of one round in ballot order."""
        if round_id is None:
            return self._svc.proposals(include_merged=False)
        r = self._svc.round(round_id)
        by_id = {p.id: p for p in self._svc.proposals()}
        return [by_id[p] for p in r.proposals if p in by_id]

    def open_round(self) -> Round | None:
        return self._svc.open_round_now()

    def latest_round(self) -> Round | None:
        try:
            return self._svc.round()
        except NotFound:
            return None

    def ballots_cast(self, round_id: int) -> tuple[int, int]:
        """(ballots cast, eligible voters): counts only, never points."""
        st = self._svc.round_status(round_id)
        return st.ballots_cast, st.eligible

    def _viewer_code(self) -> str | None:
        return None

    def revealed_results(self, round_id: int | None = None) -> RoundResults | None:
        """Results of the given round, or of the latest round whose results this view may see.

        What may be seen follows the round's reveal setting (see
        `SessionService.visible_results`): never sealed results.
        """
        rounds = self._svc.rounds()
        if round_id is not None:
            rounds = [r for r in rounds if r.id == round_id]
        for r in reversed(rounds):
            res = self._svc.visible_results(r.id, voter_code=self._viewer_code())
            if res is not None:
                return res
        return None


class ProjectorView(_RoomView):
    """Read-only view for the big screen."""

    def join_code(self) -> str:
        return self._svc.join_code()

    def join_url(self) -> str:
        return self._svc.join_url()

    def counts(self) -> tuple[int, int]:
        """(voting participants, groups) for the joining screen."""
        voters = [p for p in self._svc.participants() if p.role.votes]
        return len(voters), len(self._svc.groups())


class ParticipantClient(_RoomView):
    """One participant, logged in with their voting code."""

    def __init__(self, svc: SessionService, participant_id: str, code: str):
        super().__init__(svc)
        self._pid = participant_id
        self._code = code

    def _viewer_code(self) -> str | None:
        return self._code

    def me(self) -> Participant:
        """The participant as now stored; refused once their code was revoked or reissued."""
        row = self._svc.participant(self._pid)
        if row.code is None or not hmac.compare_digest(row.code, self._code):
            raise Refused("Your voting code was withdrawn; ask the facilitator for your new code.")
        return row

    def group(self) -> Group | None:
        me = self.me()
        return next((g for g in self._svc.groups() if g.id == me.group_id), None)

    def is_scribe(self) -> bool:
        me = self.me()
        return me.scribe and me.group_id is not None

    def group_proposals(self) -> list[Proposal]:
        me = self.me()
        if not me.group_id:
            return []
        return self._svc.proposals(group=me.group_id)

    def _own_group(self) -> str:
        me = self.me()
        if not (me.scribe and me.group_id):
            raise Refused("Only your group's scribe can add or edit its proposals.")
        return me.group_id

    def add_proposal(
        self, title: str, *, text: str = "", step: int | None = None, timeframe: str | None = None,
        actors: Sequence[str] = (),
    ) -> Proposal:
        return self._svc.add_proposal(
            self._own_group(), title, text=text, step=step, timeframe=timeframe, actors=actors
        )

    def update_proposal(
        self, pid: str, *, title: str | None = None, text: str | None = None, step: int | None | str = "keep",
        timeframe: str | None = "keep", actors: Sequence[str] | None = None,
    ) -> Proposal:
        gid = self._own_group()
        p = self._svc.proposal(pid)
        if p.group_id != gid:
            raise Refused(f"{p.id} belongs to another group; you can only edit your own group's proposals.")
        if p.status.value != "proposed":
            raise Refused(f"{p.id} is {p.status.value}; only the facilitator can change it now.")
        return self._svc.update_proposal(p.id, title=title, text=text, step=step, timeframe=timeframe, actors=actors)

    def own_ballot(self):
        """This participant's (or their group's) ballot in the open round, shaped by its method."""
        self.me()
        return self._svc.own_ballot(self._code)

    def has_voted(self) -> bool:
        self.me()
        return self._svc.has_voted(self._code)

    def cast_ballot(self, ballot, *, reason: str = "", round_id: int | None = None):
        """Cast or re-cast: {P: dots} (dot), {P: score} (score), [P, ...] (approval, borda), option (consent).

        `round_id`: the round the ballot was filled in for; refused if another is open now.
        """
        self.me()
        # cast_ballot looks the code up again inside its transaction, so a code revoked
        # between the check above and the write still cannot vote.
        return self._svc.cast_ballot(self._code, ballot, reason=reason, source="device", round_id=round_id)


class Gate:
    """The way in for one client (a browser's address, or a terminal)."""

    def __init__(self, svc: SessionService, client: str):
        self._svc = svc
        self.client = client or "unknown"
        self._joined = False

    @property
    def session_title(self) -> str:
        return self._svc.info().title

    def wait(self) -> float:
        return self._svc.throttle_wait(self.client)

    def _check(self, ok: bool, message: str) -> None:
        if not ok:
            wait = self._svc.record_code_failure(self.client)
            if wait > 0:
                raise Throttled(wait)
            raise Refused(message)

    def check_join_code(self, code: str) -> None:
        wait = self.wait()
        if wait > 0:
            raise Throttled(wait)
        given = normalise_code(code or "")
        self._check(
            bool(given) and hmac.compare_digest(given, self._svc.join_code()),
            "That is not this session's join code; check the screen at the front of the room.",
        )
        self._joined = True

    def login(self, voting_code: str) -> ParticipantClient:
        if not self._joined:
            raise Refused("Enter the session's join code first.")
        wait = self.wait()
        if wait > 0:
            raise Throttled(wait)
        given = normalise_code(voting_code or "")
        row = None
        if given:
            row = next(
                (p for p in self._svc.participants() if p.code and hmac.compare_digest(p.code, given)), None
            )
        self._check(row is not None, "That voting code is not known in this session; check your badge.")
        assert row is not None
        if not row.role.votes:
            raise Refused(f"{row.name} does not vote in this session.")
        self._svc.clear_code_failures(self.client)
        return ParticipantClient(self._svc, row.id, row.code)

    def close(self) -> None:
        self._svc.close()


def connect(ref: str | Path, sessions_dir: str | Path | None = None, *, client: str = "terminal") -> Gate:
    """Open the session for a participant device; raises RoundtableError with a clear sentence."""
    return Gate(open_session(str(ref), sessions_dir), client)


def projector(ref: str | Path, sessions_dir: str | Path | None = None) -> ProjectorView:
    return ProjectorView(open_session(str(ref), sessions_dir))


__all__ = [
    "Gate", "ParticipantClient", "ProjectorView", "RevealedInject", "RoundtableError", "Situation",
    "Throttled", "connect", "projector",
]

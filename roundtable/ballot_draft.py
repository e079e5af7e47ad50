"""A ballot while a voter fills it in: one set of editing rules for every front end.

The voting booth and the participant app both keep a `BallotDraft`. Each edit either
takes effect and returns None, or changes nothing and returns one sentence saying why,
so a voter learns about a limit at the moment they reach it. The service still checks
the whole ballot when it is cast (the `check_*_ballot` rules in `voting`); the draft only catches
mistakes early.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .models import ConsentVote, Round
from .render import plural
from .voting import CONSENT_OPTIONS


class BallotDraft:
    """The voter's choices for one round over `ids` (the proposals in ballot order)."""

    def __init__(self, round: Round, ids: Sequence[str], stored: Any = None) -> None:
        self.round = round
        self.ids = list(ids)
        self.counts: dict[str, int] = {}  # dot: dots per proposal; score: the scores given
        self.approved: list[str] = []  # in ballot order
        self.ranking: list[str] = []  # most preferred first
        self.option: str | None = None  # consent
        self.reason = ""
        self.load(stored)

    @property
    def method(self) -> str:
        return self.round.method

    # -- loading and comparing ------------------------------------------------------
    def load(self, stored: Any) -> None:
        """Start again from a stored ballot (or from nothing)."""
        shaped = self.shape(stored)
        self.counts, self.approved, self.ranking = {}, [], []
        self.option, self.reason = None, ""
        if self.method in ("dot", "score"):
            self.counts = dict(shaped)
        elif self.method == "approval":
            self.approved = list(shaped)
        elif self.method == "borda":
            self.ranking = list(shaped)
        else:
            self.option, self.reason = shaped

    def shape(self, stored: Any) -> Any:
        """A stored ballot in the form `ballot()` gives, so the two can be compared.

        Only this round's proposals count; a ballot of another shape (read from another
        round at the moment rounds changed) counts as no ballot.
        """
        m = self.method
        if m in ("dot", "score"):
            given = stored if isinstance(stored, Mapping) else {}
            return {p: given[p] for p in self.ids if p in given and (m == "score" or given[p] > 0)}
        if m in ("approval", "borda"):
            given = [p for p in stored if p in self.ids] if isinstance(stored, (list, tuple)) else []
            return [p for p in self.ids if p in given] if m == "approval" else given
        if isinstance(stored, ConsentVote):
            return (stored.option, stored.reason)
        return (None, "")

    def ballot(self) -> Any:
        """The ballot as `cast_ballot` takes it; consent gives (option, reason)."""
        m = self.method
        if m == "dot":
            return {p: self.counts[p] for p in self.ids if self.counts.get(p, 0) > 0}
        if m == "score":
            return {p: self.counts[p] for p in self.ids if p in self.counts}
        if m == "approval":
            return list(self.approved)
        if m == "borda":
            return list(self.ranking)
        return (self.option, self.reason)

    def same_as(self, stored: Any) -> bool:
        return self.ballot() == self.shape(stored)

    # -- what the voter has left ------------------------------------------------------
    @property
    def dots_left(self) -> int:
        return self.round.dots - sum(self.counts.values())

    @property
    def scored(self) -> int:
        return sum(1 for p in self.ids if p in self.counts)

    def place(self, pid: str) -> int | None:
        """1-based place in the ranking, None when not ranked."""
        return self.ranking.index(pid) + 1 if pid in self.ranking else None

    def display_order(self) -> list[str]:
        """Ranked proposals first in the voter's order, then the rest in ballot order."""
        return self.ranking + [p for p in self.ids if p not in self.ranking]

    # -- edits: None when taken, else why not ---------------------------------------
    def set_dots(self, pid: str, value: int) -> str | None:
        r = self.round
        if value < 0:
            return f"{pid} has no dots to take back."
        if value > r.max_per_proposal:
            return f"At most {plural(r.max_per_proposal, 'dot')} may go to one proposal."
        free = self.dots_left
        if value - self.counts.get(pid, 0) > free:
            if free <= 0:
                return "You have no dots left; take one back from another proposal first."
            return f"You have only {plural(free, 'dot')} left, so {pid} can have at most {self.counts.get(pid, 0) + free}."
        self.counts[pid] = value
        return None

    def set_score(self, pid: str, value: int) -> str | None:
        top = self.round.max_score or 5
        if not 0 <= value <= top:
            return f"Scores go from 0 to {top}."
        self.counts[pid] = value
        return None

    def step(self, pid: str, delta: int) -> str | None:
        """−/+ on a dot or score row; an unscored proposal starts at 0 going down, 1 going up."""
        if self.method == "score" and pid not in self.counts:
            return self.set_score(pid, 1 if delta > 0 else 0)
        value = self.counts.get(pid, 0) + delta
        return self.set_score(pid, value) if self.method == "score" else self.set_dots(pid, value)

    def set_value(self, pid: str, value: int) -> str | None:
        """A digit typed on a dot or score row."""
        return self.set_score(pid, value) if self.method == "score" else self.set_dots(pid, value)

    def toggle_approval(self, pid: str) -> str | None:
        if pid in self.approved:
            self.approved.remove(pid)
            return None
        most = self.round.max_approvals
        if most is not None and len(self.approved) >= most:
            return f"At most {plural(most, 'proposal')} may be approved; take one back first."
        self.approved = [p for p in self.ids if p in self.approved or p == pid]
        return None

    def toggle_rank(self, pid: str) -> str | None:
        """Rank a proposal next, or take it out of the ranking."""
        if pid in self.ranking:
            self.ranking.remove(pid)
        else:
            self.ranking.append(pid)
        return None

    def move_rank(self, pid: str, delta: int) -> str | None:
        if pid not in self.ranking:
            return f"{pid} is not ranked yet: rank it first, then it can move up or down."
        i = self.ranking.index(pid)
        j = i + delta
        if not 0 <= j < len(self.ranking):
            return f"{pid} is already {'first' if j < 0 else 'last of the ranked'}."
        self.ranking[i], self.ranking[j] = self.ranking[j], self.ranking[i]
        return None

    def put_at(self, pid: str, place: int) -> str | None:
        """A digit typed on a ranked row: that place (1-based); 0 takes it out."""
        if pid in self.ranking:
            self.ranking.remove(pid)
        if place > 0:
            self.ranking.insert(min(place, len(self.ranking) + 1) - 1, pid)
        return None

    def choose(self, option: str) -> str | None:
        if option not in CONSENT_OPTIONS:
            return f"{option!r} is not an answer; choose agree, abstain, disagree or block."
        self.option = option
        return None

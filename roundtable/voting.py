"""Dot-vote rules and tallying: pure functions, no storage.

A ballot is a mapping proposal id -> dots. It is refused whole when it breaks any
rule, so a bad ballot never changes a count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .errors import Refused
from .models import Result


def check_dot_ballot(
    allocation: Mapping[str, int], proposals: Sequence[str], dots: int, max_per_proposal: int
) -> None:
    """Raise Refused with one sentence when the ballot breaks a rule."""
    in_round = set(proposals)
    outside = [p for p in allocation if p not in in_round]
    if outside:
        raise Refused(
            f"Proposal {', '.join(outside)} is not in this round (it has {', '.join(proposals)}); the ballot was not counted."
        )
    negative = [p for p, n in allocation.items() if n < 0]
    if negative:
        raise Refused(f"Dots cannot be negative ({negative[0]}={allocation[negative[0]]}); the ballot was not counted.")
    over_cap = [p for p, n in allocation.items() if n > max_per_proposal]
    if over_cap:
        p = over_cap[0]
        raise Refused(
            f"{p} got {allocation[p]} dots but at most {max_per_proposal} may go to one proposal; the ballot was not counted."
        )
    total = sum(allocation.values())
    if total > dots:
        raise Refused(f"The ballot spends {total} dots but the budget is {dots}; the ballot was not counted.")
    if total == 0:
        raise Refused("The ballot spends no dots; give at least one dot to a proposal.")


def rank(points: Mapping[str, int], order: Sequence[str]) -> list[Result]:
    """Standard competition ranking (1, 2, 2, 4); ties keep the round's order."""
    position = {p: i for i, p in enumerate(order)}
    ordered = sorted(order, key=lambda p: (-points.get(p, 0), position[p]))
    counts: dict[int, int] = {}
    for p in ordered:
        counts[points.get(p, 0)] = counts.get(points.get(p, 0), 0) + 1
    results: list[Result] = []
    for i, p in enumerate(ordered):
        pts = points.get(p, 0)
        r = i + 1 if i == 0 or points.get(ordered[i - 1], 0) != pts else results[-1].rank
        results.append(Result(proposal=p, points=pts, rank=r, tied=counts[pts] > 1))
    return results


def tally_dots(
    proposals: Sequence[str],
    ballots: Iterable[Mapping[str, int]],
    paper: Mapping[str, int] | None = None,
) -> list[Result]:
    """Sum electronic ballots and paper tallies; every proposal in the round is ranked."""
    totals = {p: 0 for p in proposals}
    for ballot in ballots:
        for p, n in ballot.items():
            totals[p] += n
    for p, n in (paper or {}).items():
        totals[p] += n
    return rank(totals, proposals)

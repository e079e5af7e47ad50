"""Dot-vote rules and tallying: pure functions, no storage.

A ballot is a mapping proposal id -> dots. It is refused whole when it breaks any
rule, so a bad ballot never changes a count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .errors import Refused
from .models import ConsentResult, Result


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


# -- the other methods -----------------------------------------------------------
#
# A ballot is refused whole when it breaks a rule (one sentence saying which), so a
# bad ballot never changes a count. Tallies do not depend on the order of ballots.

METHODS = ("dot", "approval", "score", "borda", "consent")
CONSENT_OPTIONS = ("agree", "abstain", "disagree", "block")
NOT_COUNTED = "the ballot was not counted"


def _check_in_round(ids: Iterable[str], proposals: Sequence[str]) -> None:
    in_round = set(proposals)
    outside = [p for p in ids if p not in in_round]
    if outside:
        raise Refused(
            f"Proposal {', '.join(outside)} is not in this round (it has {', '.join(proposals)}); {NOT_COUNTED}."
        )


def check_approval_ballot(
    approved: Sequence[str], proposals: Sequence[str], minimum: int | None = None, maximum: int | None = None
) -> None:
    _check_in_round(approved, proposals)
    if len(set(approved)) != len(approved):
        twice = next(p for p in approved if list(approved).count(p) > 1)
        raise Refused(f"{twice} is approved twice; {NOT_COUNTED}.")
    n = len(approved)
    if n == 0:
        raise Refused("The ballot approves nothing; approve at least one proposal.")
    if minimum is not None and n < minimum:
        raise Refused(f"The ballot approves {n} proposal{'' if n == 1 else 's'} but at least {minimum} must be "
                      f"approved; {NOT_COUNTED}.")
    if maximum is not None and n > maximum:
        raise Refused(f"The ballot approves {n} proposals but at most {maximum} may be approved; {NOT_COUNTED}.")


def check_score_ballot(scores: Mapping[str, int], proposals: Sequence[str], max_score: int) -> None:
    _check_in_round(scores, proposals)
    missing = [p for p in proposals if p not in scores]
    if missing:
        raise Refused(f"Every proposal needs a score; {', '.join(missing)} {'has' if len(missing) == 1 else 'have'} "
                      f"none, so {NOT_COUNTED}.")
    for p, s in scores.items():
        if isinstance(s, bool) or not isinstance(s, int) or not 0 <= s <= max_score:
            raise Refused(f"{p} got the score {s}, but scores go from 0 to {max_score}; {NOT_COUNTED}.")


def check_borda_ballot(order: Sequence[str], proposals: Sequence[str]) -> None:
    _check_in_round(order, proposals)
    if not order:
        raise Refused("The ballot ranks nothing; rank at least one proposal.")
    seen: set[str] = set()
    for p in order:
        if p in seen:
            raise Refused(f"{p} is ranked twice; {NOT_COUNTED}.")
        seen.add(p)


def check_consent_ballot(option: str, reason: str = "") -> None:
    if option not in CONSENT_OPTIONS:
        raise Refused(f"'{option}' is not an answer here; choose agree, abstain, disagree or block.")
    if option == "block" and not reason.strip():
        raise Refused(f"A block needs a reason (what would have to change); {NOT_COUNTED}.")


def borda_points(order: Sequence[str], n: int) -> dict[str, int]:
    """With n proposals in the round, the i-th ranked (1-based) gets n − i points."""
    return {p: n - i for i, p in enumerate(order, start=1)}


def tally_approval(
    proposals: Sequence[str], ballots: Iterable[Sequence[str]], paper: Mapping[str, int] | None = None
) -> list[Result]:
    totals = {p: 0 for p in proposals}
    for approved in ballots:
        for p in approved:
            totals[p] += 1
    for p, n in (paper or {}).items():
        totals[p] += n
    return rank(totals, proposals)


def tally_score(proposals: Sequence[str], ballots: Iterable[Mapping[str, int]]) -> list[Result]:
    totals = {p: 0 for p in proposals}
    counts = {p: 0 for p in proposals}
    for scores in ballots:
        for p, s in scores.items():
            totals[p] += s
            counts[p] += 1
    return [
        r.model_copy(update={"count": counts[r.proposal],
                             "mean": round(totals[r.proposal] / counts[r.proposal], 4) if counts[r.proposal] else None})
        for r in rank(totals, proposals)
    ]


def tally_borda(proposals: Sequence[str], ballots: Iterable[Sequence[str]]) -> list[Result]:
    totals = {p: 0 for p in proposals}
    n = len(proposals)
    for order in ballots:
        for p, pts in borda_points(order, n).items():
            totals[p] += pts
    return rank(totals, proposals)


def tally_consent(proposal: str, ballots: Iterable[tuple[str, str]]) -> ConsentResult:
    counts = {o: 0 for o in CONSENT_OPTIONS}
    blocks: list[str] = []
    for option, reason in ballots:
        counts[option] += 1
        if option == "block":
            blocks.append(reason.strip())
    # sorted so the result does not depend on the order the ballots came in
    blocks.sort()
    passed = counts["block"] == 0 and counts["agree"] > counts["disagree"]
    return ConsentResult(proposal=proposal, counts=counts, blocks=blocks, passed=passed)


# -- ties, runoffs and draws -------------------------------------------------------

def find_tie(results: Sequence[Result], places: int) -> tuple[list[str], int] | None:
    """Proposals tied across the cut-off after `places` (first place when 1), and how many of them get through.

    None when the cut-off falls between different points, or the round has no more
    proposals than places.
    """
    if len(results) <= places:
        return None
    edge = results[places - 1].points
    if results[places].points != edge:
        return None
    tied = [r.proposal for r in results if r.points == edge]
    above = sum(1 for r in results if r.points > edge)
    return tied, places - above


def top_with_ties(results: Sequence[Result], n: int) -> tuple[list[str], list[str]]:
    """The top n proposals of a ranking plus any tied with the n-th; second: those let in by that tie."""
    if n >= len(results):
        return [r.proposal for r in results], []
    edge = results[n - 1].points
    chosen = [r.proposal for r in results if r.points >= edge]
    tied = [r.proposal for r in results if r.points == edge] if len(chosen) > n else []
    return chosen, tied


def draw(ordered: Sequence[str], seed: str) -> list[str]:
    """A reproducible draw: random.Random(seed).shuffle over the proposals in id order."""
    import random

    out = list(ordered)
    random.Random(seed).shuffle(out)
    return out

"""Approval, score, Borda and consent: rules and tallies, property-based.

The reference tallies below are written from the method definitions, independently of
roundtable.voting (they call none of its code), and the product's rankings are checked
against them for random ballots.
"""

from __future__ import annotations


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roundtable.errors import Refused
from roundtable import voting

# -- an independent reference ---------------------------------------------------------


def ref_points(method: str, proposals: list[str], ballots: list) -> dict[str, int]:
    pts = dict.fromkeys(proposals, 0)
    if method == "approval":
        for b in ballots:
            for p in b:
                pts[p] = pts[p] + 1
    elif method == "score":
        for b in ballots:
            for p in b:
                pts[p] = pts[p] + b[p]
    elif method == "borda":
        n = len(proposals)
        for b in ballots:
            for position in range(len(b)):
                pts[b[position]] = pts[b[position]] + (n - (position + 1))
    return pts


def ref_ranks(pts: dict[str, int]) -> dict[str, int]:
    """Competition ranking: one plus the number of proposals with strictly more points."""
    return {p: 1 + sum(1 for q in pts if pts[q] > pts[p]) for p in pts}


def _check_against_reference(method: str, proposals: list[str], ballots: list, results) -> None:
    pts = ref_points(method, proposals, ballots)
    ranks = ref_ranks(pts)
    assert {r.proposal: r.points for r in results} == pts
    assert {r.proposal: r.rank for r in results} == ranks
    assert [r.points for r in results] == sorted(pts.values(), reverse=True)
    for r in results:
        assert r.tied == (sum(1 for q in pts if pts[q] == r.points) > 1)


# -- strategies ----------------------------------------------------------------------

proposal_lists = st.integers(min_value=1, max_value=7).map(lambda n: [f"P{i}" for i in range(1, n + 1)])


@st.composite
def approval_round(draw):
    props = draw(proposal_lists)
    ballots = draw(st.lists(
        st.lists(st.sampled_from(props), min_size=1, max_size=len(props), unique=True), max_size=25,
    ))
    return props, ballots


@st.composite
def score_round(draw):
    props = draw(proposal_lists)
    top = draw(st.integers(min_value=1, max_value=10))
    ballots = draw(st.lists(st.fixed_dictionaries({p: st.integers(0, top) for p in props}), max_size=25))
    return props, top, ballots


@st.composite
def borda_round(draw):
    props = draw(proposal_lists)
    ballots = draw(st.lists(
        st.permutations(props).flatmap(lambda perm: st.integers(1, len(perm)).map(lambda k: list(perm[:k]))),
        max_size=25,
    ))
    return props, ballots


# -- properties ----------------------------------------------------------------------

@given(approval_round(), st.randoms(use_true_random=False))
def test_approval_matches_reference_and_ignores_order(data, rnd):
    props, ballots = data
    for b in ballots:
        voting.check_approval_ballot(b, props)
    results = voting.tally_approval(props, ballots)
    _check_against_reference("approval", props, ballots, results)
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert voting.tally_approval(props, shuffled) == results
    assert sum(r.points for r in results) == sum(len(b) for b in ballots)


@given(score_round(), st.randoms(use_true_random=False))
def test_score_matches_reference_and_ignores_order(data, rnd):
    props, top, ballots = data
    for b in ballots:
        voting.check_score_ballot(b, props, top)
    results = voting.tally_score(props, ballots)
    _check_against_reference("score", props, ballots, results)
    for r in results:
        assert r.count == len(ballots)
        if ballots:
            assert r.mean == pytest.approx(sum(b[r.proposal] for b in ballots) / len(ballots), abs=1e-4)
        else:
            assert r.mean is None
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert voting.tally_score(props, shuffled) == results


@given(borda_round(), st.randoms(use_true_random=False))
def test_borda_matches_reference_and_ignores_order(data, rnd):
    props, ballots = data
    for b in ballots:
        voting.check_borda_ballot(b, props)
    results = voting.tally_borda(props, ballots)
    _check_against_reference("borda", props, ballots, results)
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert voting.tally_borda(props, shuffled) == results


@given(st.lists(st.tuples(st.sampled_from(voting.CONSENT_OPTIONS), st.text(min_size=1, max_size=20)
                          .filter(lambda s: s.strip())), max_size=30),
       st.randoms(use_true_random=False))
def test_consent_outcome_follows_the_rule_and_ignores_order(ballots, rnd):
    res = voting.tally_consent("P1", ballots)
    agree = sum(1 for o, _ in ballots if o == "agree")
    disagree = sum(1 for o, _ in ballots if o == "disagree")
    blocks = [r.strip() for o, r in ballots if o == "block"]
    assert res.counts == {o: sum(1 for x, _ in ballots if x == o) for o in voting.CONSENT_OPTIONS}
    assert sorted(res.blocks) == sorted(blocks)
    assert res.passed == (not blocks and agree > disagree)
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert voting.tally_consent("P1", shuffled) == res


# -- limits: a ballot outside them is refused whole ------------------------------------

@given(approval_round(), st.integers(0, 7), st.integers(0, 7))
@settings(max_examples=60)
def test_approval_limits(data, lo, hi):
    props, ballots = data
    for b in ballots:
        ok = lo <= len(b) <= hi
        if ok:
            voting.check_approval_ballot(b, props, lo, hi)
        else:
            with pytest.raises(Refused):
                voting.check_approval_ballot(b, props, lo, hi)


def test_approval_refusals():
    with pytest.raises(Refused, match="not in this round"):
        voting.check_approval_ballot(["P9"], ["P1", "P2"])
    with pytest.raises(Refused, match="twice"):
        voting.check_approval_ballot(["P1", "P1"], ["P1", "P2"])
    with pytest.raises(Refused, match="approves nothing"):
        voting.check_approval_ballot([], ["P1"])


def test_score_refusals():
    props = ["P1", "P2"]
    with pytest.raises(Refused, match="needs a score"):
        voting.check_score_ballot({"P1": 3}, props, 5)
    with pytest.raises(Refused, match="from 0 to 5"):
        voting.check_score_ballot({"P1": 6, "P2": 0}, props, 5)
    with pytest.raises(Refused, match="from 0 to 5"):
        voting.check_score_ballot({"P1": -1, "P2": 0}, props, 5)
    with pytest.raises(Refused, match="not in this round"):
        voting.check_score_ballot({"P1": 1, "P2": 1, "P3": 1}, props, 5)


def test_borda_refusals_and_points():
    with pytest.raises(Refused, match="twice"):
        voting.check_borda_ballot(["P1", "P1"], ["P1", "P2"])
    with pytest.raises(Refused, match="ranks nothing"):
        voting.check_borda_ballot([], ["P1"])
    # n = 4: first 3, second 2, third 1, unranked 0
    assert voting.borda_points(["P3", "P1", "P4"], 4) == {"P3": 3, "P1": 2, "P4": 1}


def test_consent_refusals():
    with pytest.raises(Refused, match="needs a reason"):
        voting.check_consent_ballot("block", "  ")
    with pytest.raises(Refused, match="not an answer"):
        voting.check_consent_ballot("maybe")
    voting.check_consent_ballot("block", "Police must be in the loop")


def test_consent_examples():
    res = voting.tally_consent("P1", [("agree", ""), ("agree", ""), ("disagree", ""), ("abstain", "")])
    assert res.passed and res.outcome == "passed"
    res = voting.tally_consent("P1", [("agree", ""), ("agree", ""), ("block", "No budget")])
    assert not res.passed and res.blocks == ["No budget"]
    res = voting.tally_consent("P1", [("agree", ""), ("disagree", "")])
    assert not res.passed  # agree must outnumber disagree


def test_reference_is_not_trivially_equal():
    """The reference tally disagrees with a wrong tally: the cross-check can fail."""
    props = ["P1", "P2", "P3"]
    ballots = [["P1", "P2"], ["P2"]]
    wrong = {"P1": 2, "P2": 1, "P3": 0}
    assert ref_points("borda", props, ballots) != wrong
    assert ref_points("borda", props, ballots) == {"P1": 2, "P2": 1 + 2, "P3": 0}

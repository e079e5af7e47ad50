"""BallotDraft: the editing rules the booth and the participant app share.

Whatever a voter presses, the draft never holds a ballot that breaks the round's limits
(checked with the service's own `voting.check_*` rules), and an edit that is refused
changes nothing.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roundtable import voting
from roundtable.ballot_draft import BallotDraft
from roundtable.errors import Refused
from roundtable.models import ConsentVote, Round

IDS = ["P1", "P2", "P3", "P4"]


def make_round(method: str, **kw) -> Round:
    base = dict(id=1, method=method, dots=0, max_per_proposal=0, proposals=IDS,
                opened_at=dt.datetime(2026, 12, 5, 9, 0), closed_at=None)
    base.update(kw)
    return Round(**base)


def state(d: BallotDraft):
    return copy.deepcopy((d.counts, d.approved, d.ranking, d.option, d.reason))


pids = st.sampled_from(IDS)
dot_edits = st.lists(st.tuples(st.sampled_from(["step", "set"]), pids, st.integers(-3, 6)), max_size=30)


@settings(max_examples=200, deadline=None)
@given(dots=st.integers(1, 6), cap=st.integers(1, 4), edits=dot_edits)
def test_dot_draft_never_breaks_the_budget_or_cap(dots, cap, edits):
    d = BallotDraft(make_round("dot", dots=dots, max_per_proposal=cap), IDS)
    for how, pid, n in edits:
        before = state(d)
        why = d.step(pid, 1 if n > 0 else -1) if how == "step" else d.set_value(pid, n)
        if why is not None:
            assert state(d) == before and why.endswith(".")
        assert d.dots_left == dots - sum(d.ballot().values()) >= 0
        if d.ballot():
            voting.check_dot_ballot(d.ballot(), IDS, dots, cap)


@settings(max_examples=200, deadline=None)
@given(top=st.integers(1, 10), edits=st.lists(st.tuples(pids, st.integers(-2, 12), st.booleans()), max_size=30))
def test_score_draft_keeps_scores_in_range(top, edits):
    d = BallotDraft(make_round("score", max_score=top), IDS)
    for pid, n, digit in edits:
        before = state(d)
        why = d.set_value(pid, n) if digit else d.step(pid, 1 if n % 2 else -1)
        if why is not None:
            assert state(d) == before
            assert why == f"Scores go from 0 to {top}."
    assert all(0 <= s <= top for s in d.ballot().values())
    if d.scored == len(IDS):
        voting.check_score_ballot(d.ballot(), IDS, top)
    else:
        with pytest.raises(Refused):
            voting.check_score_ballot(d.ballot(), IDS, top)


def test_an_unscored_proposal_starts_at_one_going_up_and_zero_going_down():
    d = BallotDraft(make_round("score", max_score=5), IDS)
    assert d.step("P1", +1) is None and d.counts["P1"] == 1
    assert d.step("P2", -1) is None and d.counts["P2"] == 0
    assert d.step("P2", -1) == "Scores go from 0 to 5." and d.counts["P2"] == 0


@settings(max_examples=200, deadline=None)
@given(most=st.one_of(st.none(), st.integers(1, 4)), edits=st.lists(pids, max_size=20))
def test_approval_draft_respects_the_maximum_and_keeps_ballot_order(most, edits):
    d = BallotDraft(make_round("approval", max_approvals=most), IDS)
    for pid in edits:
        before = state(d)
        why = d.toggle_approval(pid)
        if why is not None:
            assert state(d) == before and most is not None and len(d.approved) == most
    assert d.ballot() == [p for p in IDS if p in d.approved]
    if d.ballot():
        voting.check_approval_ballot(d.ballot(), IDS, None, most)


rank_edits = st.lists(
    st.tuples(st.sampled_from(["toggle", "up", "down", "place"]), pids, st.integers(0, 6)), max_size=30
)


@settings(max_examples=200, deadline=None)
@given(edits=rank_edits)
def test_borda_draft_is_always_a_ranking_without_repeats(edits):
    d = BallotDraft(make_round("borda"), IDS)
    for how, pid, n in edits:
        before = state(d)
        if how == "toggle":
            why = d.toggle_rank(pid)
        elif how == "place":
            why = d.put_at(pid, n)
        else:
            why = d.move_rank(pid, -1 if how == "up" else 1)
        if why is not None:
            assert state(d) == before
        assert sorted(d.display_order()) == sorted(IDS)
        assert [d.place(p) for p in d.ranking] == list(range(1, len(d.ranking) + 1))
    if d.ballot():
        voting.check_borda_ballot(d.ballot(), IDS)


def test_borda_moves_and_places():
    d = BallotDraft(make_round("borda"), IDS)
    assert d.move_rank("P3", -1) == "P3 is not ranked yet: rank it first, then it can move up or down."
    for p in ("P3", "P1", "P4"):
        d.toggle_rank(p)
    assert d.move_rank("P3", -1) == "P3 is already first."
    assert d.move_rank("P4", 1) == "P4 is already last of the ranked."
    assert d.move_rank("P4", -1) is None and d.ranking == ["P3", "P4", "P1"]
    d.put_at("P2", 1)
    assert d.ranking == ["P2", "P3", "P4", "P1"]
    d.put_at("P3", 0)
    assert d.ranking == ["P2", "P4", "P1"] and d.display_order() == ["P2", "P4", "P1", "P3"]
    d.put_at("P3", 9)  # past the end: last
    assert d.ranking[-1] == "P3"


def test_dot_limits_say_what_was_reached():
    d = BallotDraft(make_round("dot", dots=3, max_per_proposal=2), IDS, stored={"P1": 1})
    assert d.counts == {"P1": 1} and d.dots_left == 2
    assert d.step("P1", -1) is None and d.step("P1", -1) == "P1 has no dots to take back."
    assert d.set_value("P1", 3) == "At most 2 dots may go to one proposal."
    d.set_value("P1", 2)
    d.set_value("P2", 1)
    assert d.step("P3", 1) == "You have no dots left; take one back from another proposal first."
    assert d.ballot() == {"P1": 2, "P2": 1}


def test_load_and_same_as_compare_with_the_stored_ballot():
    r = make_round("approval")
    d = BallotDraft(r, IDS, stored=["P3", "P1"])
    assert d.approved == ["P1", "P3"] and d.same_as(["P3", "P1"])
    d.toggle_approval("P2")
    assert not d.same_as(["P3", "P1"])
    d.load(["P3", "P1"])
    assert d.same_as(["P1", "P3"])

    c = BallotDraft(make_round("consent", proposals=["P1"]), ["P1"], stored=ConsentVote(option="block", reason="x"))
    assert c.ballot() == ("block", "x")
    assert c.choose("maybe") is not None and c.option == "block"
    assert c.choose("agree") is None and c.ballot() == ("agree", "x")


def test_a_number_above_what_is_left_says_how_many_are_left_and_ballots_follow_the_round_order():
    d = BallotDraft(make_round("dot", dots=3, max_per_proposal=3), IDS)
    assert d.set_value("P3", 2) is None
    assert d.set_value("P1", 3) == "You have only 1 dot left, so P1 can have at most 1."
    assert d.set_value("P3", 3) is None  # its own 2 count towards it
    assert d.set_value("P3", 1) is None and d.set_value("P1", 2) is None
    assert list(d.ballot().items()) == [("P1", 2), ("P3", 1)]  # in the round's order, not the order set


def test_a_stored_ballot_of_another_shape_or_round_counts_as_none():
    # read at the moment rounds changed: a list for a dot round, dots on a proposal not in it
    d = BallotDraft(make_round("dot", dots=3, max_per_proposal=3), IDS, stored=["P1", "P2"])
    assert d.ballot() == {} and d.dots_left == 3
    d.load({"P1": 1, "P9": 2})
    assert d.ballot() == {"P1": 1} and d.dots_left == 2
    b = BallotDraft(make_round("borda"), IDS, stored={"P1": 2})
    assert b.ballot() == [] and b.display_order() == IDS
    c = BallotDraft(make_round("consent", proposals=["P1"]), ["P1"], stored=["P1"])
    assert c.ballot() == (None, "")

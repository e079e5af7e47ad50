"""Dot-voting rules (refused whole, nothing changed), sealing, ranking and tallies."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roundtable import voting
from roundtable.errors import NotFound, Refused, RoundtableError


@pytest.fixture
def room(mini_svc):
    """Two groups, four proposals, three voters, one observer, a facilitator; no round yet."""
    s = mini_svc
    s.add_group("Table 1")
    s.add_group("Table 2")
    for n in range(1, 5):
        s.add_proposal("G1" if n <= 2 else "G2", f"Idea {n}")
    s.voters = [s.add_participant(name, group="G1") for name in ("Anna", "Bo", "Cid")]
    s.observer = s.add_participant("Olga", role="observer")
    s.facilitator = s.add_participant("Fia", role="facilitator")
    return s


def _snapshot(svc) -> tuple:
    db = sqlite3.connect(svc.path)
    try:
        return tuple(
            tuple(db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall())
            for t in ("ballots", "paper_tallies", "rounds", "tie_settlements")
        )
    finally:
        db.close()


def test_refused_ballots_change_nothing(room):
    room.open_round(dots=5, max_per_proposal=3, proposals=["P1", "P2", "P3"])
    a, b, _ = room.voters
    room.cast_ballot(a.code, {"P1": 2, "P2": 1})
    before = _snapshot(room)
    bad = [
        (a.code, {"P1": 3, "P2": 3}, "budget is 5"),  # over the dot budget (re-cast, old ballot must stay)
        (b.code, {"P1": 4}, "at most 3"),  # over the per-proposal cap
        ("ZZZZZZ", {"P1": 1}, "not known"),  # unknown code
        ("", {"P1": 1}, "not known"),
        (room.observer.code or "", {"P1": 1}, "not known"),  # observers have no code at all
        (b.code, {"P4": 1}, "not in this round"),  # outside the round
        (b.code, {"P9": 1}, "not in this round"),  # no such proposal
        (b.code, {"P1": 2, "P2": -1}, "negative"),
        (b.code, {"P1": 0}, "no dots"),
        (b.code, {"P1": 1.5}, "whole number"),
        (b.code, {"P1": True}, "whole number"),
    ]
    for code, alloc, message in bad:
        with pytest.raises(Refused, match=message):
            room.cast_ballot(code, alloc)
        assert _snapshot(room) == before, (code, alloc)
    assert room.own_ballot(a.code) == {"P1": 2, "P2": 1}
    assert room.round_status().ballots_cast == 1


def test_observer_and_facilitator_do_not_vote(room):
    room.open_round(dots=3)
    before = _snapshot(room)
    # give the observer a code by making them a participant, then back: the code is gone
    for person in (room.observer, room.facilitator):
        assert person.code is None
    p = room.update_participant(room.observer.id, role="participant")
    room.update_participant(p.id, role="observer")
    with pytest.raises(Refused):
        room.cast_ballot(p.code, {"P1": 1})
    assert _snapshot(room) == before


def test_voter_message_names_the_role(room, monkeypatch):
    # A code that exists on a non-voter (e.g. data from another tool) is still refused.
    db = sqlite3.connect(room.path)
    db.execute("UPDATE participants SET code = 'OBSRV2' WHERE id = ?", (room.observer.id,))
    db.commit()
    db.close()
    with pytest.raises(Refused, match="Olga is an observer and does not vote"):
        room.voter("OBSRV2")


def test_no_round_open(room):
    before = _snapshot(room)
    with pytest.raises(Refused, match="No voting round is open"):
        room.cast_ballot(room.voters[0].code, {"P1": 1})
    room.open_round(dots=2)
    room.close_round()
    before = _snapshot(room)
    with pytest.raises(Refused, match="No voting round is open"):
        room.cast_ballot(room.voters[0].code, {"P1": 1})
    assert _snapshot(room) == before
    with pytest.raises(Refused):
        room.close_round()


def test_recast_replaces_the_earlier_ballot(room):
    room.open_round(dots=4)
    a = room.voters[0]
    room.cast_ballot(a.code, {"P1": 4})
    room.cast_ballot(a.code, {"P2": 1, "P3": 2})
    assert room.own_ballot(a.code) == {"P2": 1, "P3": 2}
    assert room.round_status().ballots_cast == 1
    res = room.close_round()
    points = {r.proposal: r.points for r in res.results}
    assert points == {"P1": 0, "P2": 1, "P3": 2, "P4": 0}


def test_results_are_sealed_while_open(room):
    room.open_round(dots=3)
    room.cast_ballot(room.voters[0].code, {"P1": 3})
    with pytest.raises(Refused, match="sealed"):
        room.results()
    st_ = room.round_status()
    assert st_.ballots_cast == 1 and st_.eligible == 3 and not hasattr(st_, "results")
    room.close_round()
    assert room.results().results[0].proposal == "P1"


def test_round_open_rules(room):
    with pytest.raises(NotFound):
        room.results()
    for kwargs, msg in [
        ({"dots": 0}, "dot budget"),
        ({"dots": 3, "max_per_proposal": 4}, "cannot exceed"),
        ({"dots": 3, "max_per_proposal": 0}, "at least 1"),
        ({"dots": 3, "proposals": ["P1", "P1"]}, "twice"),
        ({"dots": 3, "proposals": ["P99"]}, "No proposal P99"),
        ({"dots": 3, "proposals": []}, "no proposals"),
    ]:
        with pytest.raises(RoundtableError, match=msg):
            room.open_round(**kwargs)
    assert room.rounds() == []
    r = room.open_round(dots=3)
    assert r.max_per_proposal == 3 and r.proposals == ["P1", "P2", "P3", "P4"]
    with pytest.raises(Refused, match="still open"):
        room.open_round(dots=3)


def test_ranking_with_ties_and_paper_tallies(room):
    room.open_round(dots=5, max_per_proposal=5)
    a, b, c = room.voters
    room.cast_ballot(a.code, {"P1": 5})
    room.cast_ballot(b.code, {"P2": 2, "P3": 3})
    room.cast_ballot(c.code, {"P2": 1})
    room.enter_paper_tally({"P3": 1, "P4": 1})
    room.enter_paper_tally({"P3": 0, "P4": 1})  # a second entry replaces the first
    res = room.close_round()
    got = [(r.proposal, r.points, r.rank, r.tied) for r in res.results]
    # P1 5; P2 3; P3 3; P4 1  ->  ranks 1, 2, 2, 4
    assert got == [("P1", 5, 1, False), ("P2", 3, 2, True), ("P3", 3, 2, True), ("P4", 1, 4, False)]
    assert res.ballots_cast == 3 and res.eligible == 3 and res.paper_points == 1
    assert not res.tie_for_first
    with pytest.raises(Refused, match="closed"):
        room.enter_paper_tally({"P1": 1}, round_id=res.round.id)


def test_every_proposal_appears_in_results_zero_point_ones_too(room):
    room.open_round(dots=1, proposals=["P4", "P2", "P3"])
    room.cast_ballot(room.voters[0].code, {"P3": 1})
    res = room.close_round()
    assert [(r.proposal, r.points, r.rank) for r in res.results] == [("P3", 1, 1), ("P4", 0, 2), ("P2", 0, 2)]
    assert [r.tied for r in res.results] == [False, True, True]


def test_tie_for_first_and_paper_only_round(room):
    room.open_round(dots=3)
    room.enter_paper_tally({"P1": 7, "P2": 7})
    res = room.close_round()
    assert res.tie_for_first and res.ballots_cast == 0 and res.paper_points == 14
    assert [r.rank for r in res.results] == [1, 1, 3, 3]


def test_paper_tally_rules(room):
    room.open_round(dots=3, proposals=["P1", "P2"])
    with pytest.raises(Refused, match="not in round"):
        room.enter_paper_tally({"P3": 1})
    with pytest.raises(Refused, match="0 or more"):
        room.enter_paper_tally({"P1": -1})
    assert room.round_status().paper_entered is False


def test_eligible_is_frozen_when_the_round_closes(room):
    room.open_round(dots=2)
    room.close_round()
    room.add_participant("Late arrival")
    assert room.results().eligible == 3


def test_multiple_rounds_and_round_selection(room):
    room.open_round(dots=2, proposals=["P1", "P2"])
    room.cast_ballot(room.voters[0].code, {"P2": 2})
    room.close_round()
    room.open_round(dots=1, proposals=["P2", "P3"])
    room.cast_ballot(room.voters[0].code, {"P3": 1})
    with pytest.raises(Refused, match="sealed"):
        room.results()  # latest round is open
    assert room.results(1).results[0].proposal == "P2"
    room.close_round()
    assert room.results().round.id == 2 and room.results().results[0].proposal == "P3"
    with pytest.raises(NotFound):
        room.results(7)


# -- pure functions ----------------------------------------------------------------------------------

def test_check_dot_ballot_messages():
    voting.check_dot_ballot({"P1": 2, "P2": 1}, ["P1", "P2"], 3, 2)
    for alloc, msg in [
        ({"P1": 2, "P2": 2}, "budget"),
        ({"P1": 3}, "at most 2"),
        ({"P3": 1}, "not in this round"),
        ({"P1": -1}, "negative"),
        ({}, "no dots"),
    ]:
        with pytest.raises(Refused, match=msg):
            voting.check_dot_ballot(alloc, ["P1", "P2"], 3, 2)


def test_rank_competition_style():
    res = voting.rank({"a": 5, "b": 3, "c": 3, "d": 1}, ["d", "c", "b", "a"])
    assert [(r.proposal, r.rank, r.tied) for r in res] == [("a", 1, False), ("c", 2, True), ("b", 2, True),
                                                          ("d", 4, False)]
    assert [r.rank for r in voting.rank({}, ["x", "y"])] == [1, 1]
    assert voting.rank({}, []) == []


PROPS = [f"P{n}" for n in range(1, 7)]


@st.composite
def rounds(draw):
    proposals = draw(st.lists(st.sampled_from(PROPS), min_size=1, max_size=6, unique=True))
    ballot = st.dictionaries(st.sampled_from(proposals), st.integers(min_value=1, max_value=5), max_size=len(proposals))
    ballots = draw(st.lists(ballot, max_size=15))
    paper = draw(st.dictionaries(st.sampled_from(proposals), st.integers(min_value=0, max_value=20)))
    return proposals, ballots, paper


@settings(max_examples=100, deadline=None)
@given(rounds(), st.randoms(use_true_random=False))
def test_tally_properties(data, rnd):
    proposals, ballots, paper = data
    results = voting.tally_dots(proposals, ballots, paper)
    # every proposal exactly once
    assert sorted(r.proposal for r in results) == sorted(proposals)
    # totals = sum of ballots (+ paper)
    expected = {p: sum(b.get(p, 0) for b in ballots) + paper.get(p, 0) for p in proposals}
    assert {r.proposal: r.points for r in results} == expected
    assert sum(r.points for r in results) == sum(sum(b.values()) for b in ballots) + sum(paper.values())
    # ordered by points; rank monotonic; competition ranking; ties flagged exactly
    for i, r in enumerate(results):
        assert r.rank == 1 + sum(1 for x in results if x.points > r.points)
        assert r.tied == (sum(1 for x in results if x.points == r.points) > 1)
        if i:
            prev = results[i - 1]
            assert prev.points >= r.points and prev.rank <= r.rank
            assert (prev.rank == r.rank) == (prev.points == r.points)
    assert results[0].rank == 1
    # order independence: shuffling the ballots changes nothing
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert voting.tally_dots(proposals, shuffled, paper) == results


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(PROPS), st.integers(min_value=-3, max_value=8)),
       st.integers(min_value=1, max_value=10), st.integers(min_value=1, max_value=10))
def test_check_dot_ballot_accepts_exactly_the_valid_ballots(alloc, dots, cap):
    in_round = PROPS[:4]
    valid = (
        all(p in in_round for p in alloc)
        and all(n >= 0 for n in alloc.values())
        and all(n <= cap for n in alloc.values())
        and 0 < sum(alloc.values()) <= dots
    )
    try:
        voting.check_dot_ballot(alloc, in_round, dots, cap)
    except Refused:
        assert not valid
    else:
        assert valid

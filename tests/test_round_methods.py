"""Every voting method and round setting through the service, the CLI and the minutes."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roundtable import voting
from roundtable.errors import Refused
from roundtable.minutes import build_minutes, parse_minutes_text, to_markdown, to_toml
from roundtable.models import ConsentVote
from roundtable.participant import ProjectorView
from roundtable.service import open_session


@pytest.fixture
def room(mini_svc):
    s = mini_svc
    t1, t2 = s.add_group("Table 1"), s.add_group("Table 2")
    people = [s.add_participant(f"P{n}", group=(t1 if n < 3 else t2).id) for n in range(6)]
    for n in range(5):
        s.add_proposal((t1 if n % 2 else t2).id, f"Idea {n + 1}")
    return s, people, (t1, t2)


def _db_rows(s, sql):
    db = sqlite3.connect(s.path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


# -- settings ---------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    (dict(method="plurality"), "not a voting method"),
    (dict(method="dot"), "dot budget"),
    (dict(method="approval", dots=3), "belong to dot rounds"),
    (dict(method="approval", min_approvals=3, max_approvals=2), "cannot exceed"),
    (dict(method="score", max_score=0), "top score"),
    (dict(method="borda", max_score=5), "belongs to score rounds"),
    (dict(method="consent"), "exactly one proposal"),
    (dict(method="borda", reveal="sometimes"), "not a reveal setting"),
    (dict(method="borda", top=3), "--top only goes with --runoff"),
    (dict(method="borda", shortlist=0), "shortlist size"),
])
def test_bad_round_settings_are_refused_and_open_nothing(room, kwargs, message):
    s, _, _ = room
    with pytest.raises(Refused, match=message):
        s.open_round(**kwargs)
    assert s.rounds() == []


# -- each method -------------------------------------------------------------------------

def test_approval_round(room):
    s, people, _ = room
    s.open_round(method="approval", min_approvals=1, max_approvals=2)
    s.cast_ballot(people[0].code, ["P1", "P3"])
    s.cast_ballot(people[1].code, ["p3"])
    with pytest.raises(Refused, match="at most 2"):
        s.cast_ballot(people[2].code, ["P1", "P2", "P3"])
    with pytest.raises(Refused, match="lists proposal ids"):
        s.cast_ballot(people[2].code, {"P1": 1})
    assert s.own_ballot(people[0].code) == ["P1", "P3"]
    res = s.close_round()
    assert [(r.proposal, r.points, r.rank) for r in res.results][:2] == [("P3", 2, 1), ("P1", 1, 2)]
    assert res.ballots_cast == 2


def test_score_round_gives_total_mean_and_count(room):
    s, people, _ = room
    s.open_round(method="score", max_score=5, proposals=["P1", "P2"])
    s.cast_ballot(people[0].code, {"P1": 5, "P2": 1})
    s.cast_ballot(people[1].code, {"P1": 2, "P2": 0})
    with pytest.raises(Refused, match="needs a score"):
        s.cast_ballot(people[2].code, {"P1": 3})
    with pytest.raises(Refused, match="from 0 to 5"):
        s.cast_ballot(people[2].code, {"P1": 6, "P2": 1})
    res = s.close_round()
    top = res.results[0]
    assert (top.proposal, top.points, top.mean, top.count) == ("P1", 7, 3.5, 2)
    assert (res.results[1].points, res.results[1].mean) == (1, 0.5)


def test_borda_round_points_follow_the_definition(room):
    s, people, _ = room
    s.open_round(method="borda", proposals=["P1", "P2", "P3", "P4"])
    s.cast_ballot(people[0].code, ["P3", "P1", "P4"])  # 3, 2, 1; P2 unranked 0
    s.cast_ballot(people[1].code, ["P1"])  # 3
    with pytest.raises(Refused, match="ranked twice"):
        s.cast_ballot(people[2].code, ["P1", "P1"])
    res = s.close_round()
    assert {r.proposal: r.points for r in res.results} == {"P1": 5, "P3": 3, "P4": 1, "P2": 0}


def test_consent_round(room):
    s, people, _ = room
    s.open_round(method="consent", proposals=["P2"])
    s.cast_ballot(people[0].code, "agree")
    s.cast_ballot(people[1].code, ConsentVote(option="disagree"))
    with pytest.raises(Refused, match="needs a reason"):
        s.cast_ballot(people[2].code, "block")
    s.cast_ballot(people[2].code, "block", reason="The taxi firms have not been asked")
    s.cast_ballot(people[3].code, "abstain")
    assert s.own_ballot(people[2].code) == ConsentVote(option="block", reason="The taxi firms have not been asked")
    res = s.close_round()
    assert res.results == [] and res.consent is not None
    assert res.consent.counts == {"agree": 1, "abstain": 1, "disagree": 1, "block": 1}
    assert res.consent.blocks == ["The taxi firms have not been asked"]
    assert res.consent.outcome == "not passed"


# -- who votes ---------------------------------------------------------------------------

def test_one_ballot_per_group_the_last_cast_counts(room):
    s, people, (t1, t2) = room
    loner = s.add_participant("No table")
    s.open_round(method="approval", per_group=True)
    assert s.round_status().eligible == 2
    s.cast_ballot(people[0].code, ["P1"])
    s.cast_ballot(people[1].code, ["P2", "P3"])  # same table: replaces the first
    s.cast_ballot(people[4].code, ["P2"])
    with pytest.raises(Refused, match="not in a group"):
        s.cast_ballot(loner.code, ["P1"])
    assert s.own_ballot(people[2].code) == ["P2", "P3"]  # a table-mate sees the table's ballot
    res = s.close_round()
    assert res.ballots_cast == 2 and res.eligible == 2
    assert {r.proposal: r.points for r in res.results if r.points} == {"P2": 2, "P3": 1}
    ballots = {b.voter: b for b in s.ballots()}
    assert ballots[t1.id].cast_by == people[1].id and ballots[t1.id].ballot == ["P2", "P3"]


def test_anonymous_round_keeps_no_link_to_voters(room):
    s, people, _ = room
    s.open_round(method="borda", anonymous=True, proposals=["P1", "P2", "P3"])
    s.cast_ballot(people[0].code, ["P1", "P2"])
    s.cast_ballot(people[0].code, ["P2"])  # a re-cast still replaces
    s.cast_ballot(people[1].code, ["P3", "P1"])
    assert s.own_ballot(people[0].code) == ["P2"]
    stored = _db_rows(s, "SELECT voter, cast_by, cast_at, source FROM ballots")
    ids = {p.id for p in people} | {p.code for p in people}
    assert len(stored) == 2
    for voter, cast_by, cast_at, source in stored:
        assert voter not in ids and len(voter) == 64 and cast_by is None and cast_at is None
        assert source == "anonymous"
    res = s.close_round()
    # the key that made the tokens is gone once the round closes
    assert _db_rows(s, "SELECT salt FROM rounds") == [(None,)]
    assert all(b.voter is None and b.cast_by is None for b in s.ballots())
    assert {r.proposal: r.points for r in res.results} == {"P2": 2, "P3": 2, "P1": 1}
    m = build_minutes(s)
    assert all(b.voter is None for r in m.rounds for b in r.ballots)


# -- reveal ------------------------------------------------------------------------------

def test_reveal_modes(room):
    s, people, _ = room
    view = ProjectorView(s)
    # live: everyone sees the running count
    s.open_round(method="approval", reveal="live")
    s.cast_ballot(people[0].code, ["P1"])
    assert s.results().results[0].points == 1
    assert view.revealed_results().round.id == 1
    s.close_round()
    # after-vote: a voter sees results once their ballot is in; others and the projector do not
    r2 = s.open_round(method="approval", reveal="after-vote")
    assert s.visible_results(r2.id, voter_code=people[0].code) is None
    s.cast_ballot(people[0].code, ["P2"])
    assert s.visible_results(r2.id, voter_code=people[0].code).results[0].proposal == "P2"
    assert s.visible_results(r2.id, voter_code=people[1].code) is None
    assert s.visible_results(r2.id) is None
    with pytest.raises(Refused, match="sealed"):
        s.results(r2.id)
    s.close_round()
    assert s.visible_results(r2.id) is not None
    # after-close (the default): nobody before close, everybody after
    r3 = s.open_round(method="approval")
    s.cast_ballot(people[0].code, ["P3"])
    assert s.visible_results(r3.id, voter_code=people[0].code) is None
    assert s.close_round().round.revealed_at is not None
    assert s.visible_results(r3.id) is not None
    # manual: only once the facilitator reveals
    r4 = s.open_round(method="approval", reveal="manual")
    s.close_round()
    assert s.visible_results(r4.id) is None
    s.reveal_results(r4.id)
    assert s.visible_results(r4.id) is not None


# -- runoffs and ties --------------------------------------------------------------------

def test_runoff_over_top_n_brings_ties_at_the_cut_off(room):
    s, people, _ = room
    s.open_round(dots=3)
    s.cast_ballot(people[0].code, {"P1": 3})
    s.cast_ballot(people[1].code, {"P2": 2, "P3": 1})
    s.cast_ballot(people[2].code, {"P4": 1, "P5": 1})
    s.close_round()  # P1 3, P2 2, P3 1, P4 1, P5 1
    r = s.open_round(method="borda", runoff_of=1, top=3)
    assert r.proposals == ["P1", "P2", "P3", "P4", "P5"] and r.tied_at_cutoff == ["P3", "P4", "P5"]
    s.close_round()
    r3 = s.open_round(method="approval", runoff_of=1, top=2)
    assert r3.proposals == ["P1", "P2"] and r3.tied_at_cutoff == []
    s.close_round()
    with pytest.raises(Refused, match="--top N"):
        s.open_round(method="borda", runoff_of=1)


def _tied_round(s, people, shortlist=1):
    s.open_round(method="approval", proposals=["P1", "P2", "P3"], shortlist=shortlist)
    s.cast_ballot(people[0].code, ["P1", "P2"])
    s.cast_ballot(people[1].code, ["P1", "P2", "P3"])
    return s.close_round()


def test_tie_for_first_is_flagged_and_settled_by_a_reproducible_draw(room):
    s, people, _ = room
    res = _tied_round(s, people)
    assert res.tie is not None and res.tie.at == "first" and res.tie.tied == ["P1", "P2"] and res.tie.places == 1
    settled = s.settle_tie(how="draw", seed="workshop-2026")
    st_ = settled.tie.settlement
    assert st_.kind == "draw" and st_.seed == "workshop-2026"
    assert st_.chosen == voting.draw(["P1", "P2"], "workshop-2026")[:1]
    import random

    again = ["P1", "P2"]
    random.Random("workshop-2026").shuffle(again)
    assert st_.chosen == again[:1]  # anyone can re-run it from the minutes
    with pytest.raises(Refused, match="already settled"):
        s.settle_tie(how="draw")


def test_tie_at_a_cut_off_settled_by_decision_needs_a_reason(room):
    s, people, _ = room
    s.open_round(method="approval", proposals=["P1", "P2", "P3", "P4"], shortlist=2)
    s.cast_ballot(people[0].code, ["P1", "P2", "P3"])
    s.cast_ballot(people[1].code, ["P1"])
    res = s.close_round()  # P1 2, P2 1, P3 1, P4 0: the second place is tied
    assert res.tie.at == "cutoff" and res.tie.tied == ["P2", "P3"] and res.tie.places == 1
    with pytest.raises(Refused, match="cannot be empty"):
        s.settle_tie(how="decision", chosen=["P2"])
    with pytest.raises(Refused, match="Choose 1"):
        s.settle_tie(how="decision", chosen=["P2", "P3"], reason="both")
    with pytest.raises(Refused, match="Choose 1"):
        s.settle_tie(how="decision", chosen=["P4"], reason="not tied")
    out = s.settle_tie(how="decision", chosen=["P3"], reason="The police can start on P3 at once")
    assert out.tie.settlement.chosen == ["P3"]


def test_tie_settled_by_runoff_opens_a_round_among_the_tied(room):
    s, people, _ = room
    _tied_round(s, people)
    res = s.settle_tie(how="runoff", runoff={"method": "borda"})
    run = s.round(res.tie.settlement.runoff_round)
    assert run.is_open and run.method == "borda" and run.proposals == ["P1", "P2"]
    with pytest.raises(Refused, match="already settled"):
        s.settle_tie(1, how="draw")
    s.cast_ballot(people[0].code, ["P2", "P1"])
    s.cast_ballot(people[1].code, ["P2"])
    out = s.close_round()
    assert out.round.runoff_of is None and out.round.shortlist == 1
    assert out.results[0].proposal == "P2" and out.tie is None
    minutes = build_minutes(s)
    assert minutes.rounds[0].tie.settlement.runoff_round == run.id


def test_no_tie_means_nothing_to_settle(room):
    s, people, _ = room
    s.open_round(method="approval", proposals=["P1", "P2"])
    s.cast_ballot(people[0].code, ["P1"])
    res = s.close_round()
    assert res.tie is None
    with pytest.raises(Refused, match="no tie"):
        s.settle_tie(how="draw")


# -- the whole afternoon: dot shortlist, Borda runoff, consent ---------------------------------

def test_shortlist_runoff_consent_and_minutes_show_how(room, tmp_path):
    s, people, _ = room
    s.open_round(dots=3, shortlist=5)
    for n, p in enumerate(people):
        s.cast_ballot(p.code, {f"P{n % 5 + 1}": 2, f"P{(n + 1) % 5 + 1}": 1})
    s.close_round()
    run = s.open_round(method="borda", runoff_of=1, top=5, anonymous=True)
    for n, p in enumerate(people):
        s.cast_ballot(p.code, [f"P{(n + k) % 5 + 1}" for k in range(3)])
    res = s.close_round()
    if res.tie is not None:
        s.settle_tie(run.id, how="draw", seed="42")
    winner = s.results(run.id).results[0].proposal
    s.open_round(method="consent", proposals=[winner], per_group=True)
    s.cast_ballot(people[0].code, "agree")
    s.cast_ballot(people[4].code, "abstain")
    s.close_round()
    m = build_minutes(s)
    text = to_toml(m)
    again = parse_minutes_text(text, "minutes.toml")
    assert [r.method for r in again.rounds] == ["dot", "borda", "consent"]
    dot, borda, consent = again.rounds
    assert dot.shortlist == 5 and len(dot.ballots) == 6 and all(b.voter for b in dot.ballots)
    assert borda.anonymous and borda.runoff_of == 1 and all(b.voter is None for b in borda.ballots)
    assert consent.per_group and consent.consent.outcome == "passed" and consent.eligible == 2
    md = to_markdown(m)
    assert "ranked voting (Borda count)" in md and "Outcome: passed" in md and "consent check" in md


def test_minutes_validator_recounts_listed_ballots(room):
    s, people, _ = room
    s.open_round(method="approval", proposals=["P1", "P2"])
    s.cast_ballot(people[0].code, ["P1"])
    s.close_round()
    text = to_toml(build_minutes(s))
    parse_minutes_text(text, "m.toml")
    tampered = text.replace('order = [\n    "P1",\n]', 'order = [\n    "P2",\n]')
    if tampered == text:
        tampered = text.replace('order = ["P1"]', 'order = ["P2"]')
    assert tampered != text
    with pytest.raises(Exception, match="listed ballots"):
        parse_minutes_text(tampered, "m.toml")


# -- properties through the service -------------------------------------------------------

ballot_lists = st.lists(st.lists(st.sampled_from(["P1", "P2", "P3", "P4"]), min_size=1, max_size=4, unique=True),
                        min_size=1, max_size=6)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ballots=ballot_lists, method=st.sampled_from(["approval", "borda"]), data=st.data())
def test_service_results_ignore_casting_order_and_recasts_replace(room, ballots, method, data):
    s, people, _ = room
    for r in s.rounds():
        if r.is_open:
            s.close_round()
    voters = people[: len(ballots)]
    order = data.draw(st.permutations(list(range(len(ballots)))))
    s.open_round(method=method, proposals=["P1", "P2", "P3", "P4"])
    for i in range(len(ballots)):
        s.cast_ballot(voters[i].code, ["P4"])  # replaced below
    for i in order:
        s.cast_ballot(voters[i].code, ballots[i])
    res = s.close_round()
    tally = voting.tally_approval if method == "approval" else voting.tally_borda
    assert res.results == tally(["P1", "P2", "P3", "P4"], ballots)
    assert res.ballots_cast == len(ballots)
    expected = Counter()
    for b in ballots:
        if method == "approval":
            expected.update(b)
        else:
            expected.update({p: 4 - i for i, p in enumerate(b, start=1)})
    assert {r.proposal: r.points for r in res.results} == {p: expected[p] for p in ("P1", "P2", "P3", "P4")}


def test_refused_ballot_changes_nothing_in_the_store(room):
    s, people, _ = room
    s.open_round(method="score", max_score=3, proposals=["P1", "P2"])
    s.cast_ballot(people[0].code, {"P1": 3, "P2": 1})
    before = _db_rows(s, "SELECT * FROM ballots")
    for bad in ({"P1": 4, "P2": 0}, {"P1": 1}, {"P1": 1, "P2": 1, "P9": 1}, ["P1"]):
        with pytest.raises(Refused):
            s.cast_ballot(people[0].code, bad)
    assert _db_rows(s, "SELECT * FROM ballots") == before
    assert s.own_ballot(people[0].code) == {"P1": 3, "P2": 1}


def test_cli_methods_end_to_end(room, cli):
    s, people, _ = room
    path = str(s.path)
    run_cli = cli

    def ok(*args):
        r = cli(*args)
        assert r.returncode == 0, r.stderr
        return r

    ok("round", "open", path, "--method", "borda", "--proposals", "P1,P2,P3", "--anonymous", "--reveal", "after-vote")
    ok("vote", path, "--code", people[0].code, "P3", "P1")
    bad = run_cli("vote", path, "--code", people[1].code, "P1=2")
    assert bad.returncode == 2 and "list proposal ids" in bad.stderr
    ok("round", "close", path)
    out = json.loads(ok("results", path, "--json").stdout)
    assert out["method"] == "borda" and out["results"][0] == {"proposal": "P3", "points": 2, "rank": 1}
    ok("round", "open", path, "--method", "score", "--max-score", "4", "--proposals", "P1,P2")
    ok("vote", path, "--code", people[0].code, "P1=4", "P2=1")
    ok("round", "close", path)
    out = json.loads(ok("results", path, "--json").stdout)
    assert out["results"][0] == {"proposal": "P1", "points": 4, "rank": 1, "mean": 4.0, "count": 1}
    ok("round", "open", path, "--method", "consent", "--proposals", "P1")
    blocked = run_cli("vote", path, "--code", people[0].code, "block")
    assert blocked.returncode == 1 and "needs a reason" in blocked.stderr
    ok("vote", path, "--code", people[0].code, "block", "--reason", "No owner yet")
    ok("vote", path, "--code", people[1].code, "agree")
    ok("round", "close", path)
    out = json.loads(ok("results", path, "--json").stdout)
    assert out["counts"] == {"agree": 1, "abstain": 0, "disagree": 0, "block": 1}
    assert out["outcome"] == "not passed" and out["blocks"] == ["No owner yet"]
    # a tie, settled by a draw from the CLI
    ok("round", "open", path, "--method", "approval", "--proposals", "P4,P5")
    ok("vote", path, "--code", people[0].code, "P4", "P5")
    ok("round", "close", path)
    out = json.loads(ok("tie", "settle", path, "--draw", "--seed", "7", "--json").stdout)
    assert out["settlement"]["seed"] == "7" and len(out["settlement"]["chosen"]) == 1
    ballots = json.loads(ok("ballots", path, "--round", "1", "--json").stdout)
    assert ballots["anonymous"] and ballots["ballots"] == [{"voter": None, "cast_by": None, "ballot": ["P3", "P1"]}]
    reopened = open_session(path)
    assert reopened.results(4).tie.settlement.kind == "draw"
    reopened.close()

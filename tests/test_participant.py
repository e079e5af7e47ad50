"""The participant and projector faces of the service: roles, codes, throttling, sealing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from roundtable.errors import Refused, RoundChanged, RoundtableError
from roundtable.participant import Gate, ParticipantClient, ProjectorView, Throttled, connect, projector
from roundtable.service import CODE_ALPHABET, CODE_LENGTH, SessionService, format_code, open_session
from roundtable.store import SCHEMA_VERSION


@pytest.fixture
def room(mini_svc):
    """Two tables, a scribe and a voter at table 1, a voter at table 2, one proposal each."""
    s = mini_svc
    t1, t2 = s.add_group("Table 1"), s.add_group("Table 2")
    scribe = s.set_scribe(s.add_participant("Sara", group=t1.id).id)
    voter = s.add_participant("Vic", group=t1.id)
    other = s.add_participant("Olle", group=t2.id)
    observer = s.add_participant("Obs", role="observer")
    p1 = s.add_proposal(t1.id, "Train reception staff")
    p2 = s.add_proposal(t2.id, "Taxi checklist")
    return dict(s=s, t1=t1, t2=t2, scribe=scribe, voter=voter, other=other, observer=observer, p1=p1, p2=p2)


def _login(s: SessionService, code: str, client: str = "test") -> ParticipantClient:
    gate = Gate(s, client)
    gate.check_join_code(s.join_code())
    return gate.login(code)


def test_codes_have_enough_entropy_and_format(room):
    s = room["s"]
    code = room["voter"].code
    assert len(code) == CODE_LENGTH == 8 and set(code) <= set(CODE_ALPHABET)
    assert len(CODE_ALPHABET) ** CODE_LENGTH > 10**11  # ~8.5e11 codes for a room of 60
    assert format_code(code) == f"{code[:4]}-{code[4:]}"
    assert len(s.join_code()) == 6 and set(s.join_code()) <= set(CODE_ALPHABET)


def test_wrong_join_code_gets_nothing(room):
    gate = Gate(room["s"], "10.0.0.5")
    with pytest.raises(Refused, match="not this session's join code"):
        gate.check_join_code("WRONG1")
    # without a right join code, even a valid voting code does not log in
    with pytest.raises(Refused, match="join code first"):
        gate.login(room["voter"].code)


def test_join_then_voting_code_accepts_badge_format(room):
    s = room["s"]
    gate = Gate(s, "10.0.0.5")
    gate.check_join_code(s.join_code().lower())
    client = gate.login(format_code(room["voter"].code).lower())
    assert client.me().name == "Vic"
    assert client.group().name == "Table 1"


def test_observer_cannot_log_in_and_unknown_code_refused(room):
    s = room["s"]
    gate = Gate(s, "c")
    gate.check_join_code(s.join_code())
    with pytest.raises(Refused, match="not known"):
        gate.login("AAAA-AAAA")


def test_repeated_wrong_codes_are_slowed_down_per_client(room, clock):
    s = room["s"]
    gate = Gate(s, "10.0.0.9")
    for _ in range(3):  # typos are free
        with pytest.raises(Refused) as exc:
            gate.check_join_code("NOPE00")
        assert not isinstance(exc.value, Throttled)
    with pytest.raises(Throttled) as exc:
        gate.check_join_code("NOPE00")
    first_wait = exc.value.wait
    assert first_wait >= 1 and "try again in" in str(exc.value)
    # even the right code is refused while the wait lasts: guessing cannot go faster
    with pytest.raises(Throttled):
        gate.check_join_code(s.join_code())
    # another device is not affected
    Gate(s, "10.0.0.10").check_join_code(s.join_code())
    # each further wrong code doubles the wait
    clock.advance(first_wait)
    with pytest.raises(Throttled) as exc:
        gate.check_join_code("NOPE00")
    assert exc.value.wait == 2 * first_wait
    # the throttle is in the store: a new connection (a restarted server) still sees it
    s2 = open_session(str(s.path), clock=clock)
    with pytest.raises(Throttled):
        Gate(s2, "10.0.0.9").check_join_code(s.join_code())
    s2.close()
    # after waiting, the right code gets in and clears the record
    clock.advance(400)
    gate.check_join_code(s.join_code())
    gate.login(room["voter"].code)
    assert s.throttle_wait("10.0.0.9") == 0


def test_participant_client_has_no_facilitator_operations(room):
    facilitator_only = {
        "close_round", "reveal_results", "reveal_inject", "export", "participants",
        "reissue_code", "revoke_code", "set_scribe", "enter_paper_tally", "delete_proposal", "merge_proposal",
        "start_timer", "next_block", "add_decision", "minutes", "results", "join_code",
    }
    for cls in (ParticipantClient,):
        assert not facilitator_only & set(dir(cls)), cls
    assert not (facilitator_only - {"join_code"}) & set(dir(ProjectorView))
    # `open_round` on the client only reads which round is open; it never opens one
    client = _login(room["s"], room["voter"].code)
    assert client.open_round() is None and room["s"].rounds() == []
    # the service itself is out of reach through the public surface
    assert not [n for n in dir(client) if not n.startswith("_") and "svc" in n]


def test_scribe_adds_and_edits_only_own_groups_proposals(room):
    s = room["s"]
    scribe = _login(s, room["scribe"].code)
    assert scribe.is_scribe()
    p = scribe.add_proposal("Night-shift awareness card", text="Short card for night staff", step=2)
    assert p.group_id == room["t1"].id and s.proposal(p.id).title == "Night-shift awareness card"
    scribe.update_proposal(p.id, title="Night-shift card")
    assert s.proposal(p.id).title == "Night-shift card"
    with pytest.raises(Refused, match="another group"):
        scribe.update_proposal(room["p2"].id, title="hijacked")
    assert s.proposal(room["p2"].id).title == "Taxi checklist"
    # a proposal the facilitator has adopted is no longer the scribe's to edit
    s.update_proposal(p.id, status="adopted")
    with pytest.raises(Refused, match="adopted"):
        scribe.update_proposal(p.id, title="x")


def test_non_scribe_cannot_add_or_edit(room):
    s = room["s"]
    voter = _login(s, room["voter"].code)
    assert not voter.is_scribe()
    with pytest.raises(Refused, match="scribe"):
        voter.add_proposal("x")
    with pytest.raises(Refused, match="scribe"):
        voter.update_proposal(room["p1"].id, title="x")
    assert [p.id for p in voter.group_proposals()] == [room["p1"].id]


def test_results_never_reach_participants_before_reveal(room):
    s = room["s"]
    voter = _login(s, room["voter"].code)
    view = ProjectorView(s)
    s.open_round(dots=3, reveal="manual")
    voter.cast_ballot({room["p1"].id: 2, room["p2"].id: 1})
    assert voter.revealed_results() is None and view.revealed_results() is None
    assert voter.ballots_cast(1) == (1, 3)
    s.close_round()
    assert voter.revealed_results() is None and view.revealed_results() is None
    s.reveal_results()
    res = voter.revealed_results()
    assert res is not None and {r.proposal: r.points for r in res.results} == {room["p1"].id: 2, room["p2"].id: 1}
    assert view.revealed_results().round.id == 1


def test_reveal_refused_while_open(room):
    s = room["s"]
    s.open_round(dots=3)
    with pytest.raises(Refused, match="still open"):
        s.reveal_results()
    assert s.round().revealed_at is None


def test_cast_and_recast_replaces(room):
    s = room["s"]
    voter = _login(s, room["voter"].code)
    s.open_round(dots=3, max_per_proposal=2)
    voter.cast_ballot({room["p1"].id: 2})
    voter.cast_ballot({room["p2"].id: 2, room["p1"].id: 1})
    assert voter.own_ballot() == {room["p2"].id: 2, room["p1"].id: 1}
    assert s.round_status().ballots_cast == 1
    with pytest.raises(Refused):
        voter.cast_ballot({room["p1"].id: 2, room["p2"].id: 2})  # over budget: refused whole
    assert voter.own_ballot() == {room["p2"].id: 2, room["p1"].id: 1}


def test_a_ballot_filled_in_for_a_closed_round_is_never_counted_in_the_next(room):
    s = room["s"]
    voter = _login(s, room["voter"].code)
    first = s.open_round(method="consent", proposals=[room["p1"].id])
    voter.cast_ballot("agree", round_id=first.id)
    s.close_round()
    with pytest.raises(RoundChanged, match=f"Round {first.id} closed before the ballot was cast; nothing"):
        voter.cast_ballot("agree", round_id=first.id)
    second = s.open_round(method="consent", proposals=[room["p2"].id])
    with pytest.raises(RoundChanged, match=f"round {second.id} is open now; nothing was counted"):
        voter.cast_ballot("agree", round_id=first.id)
    assert s.round_status().ballots_cast == 0 and voter.own_ballot() is None
    voter.cast_ballot("agree", round_id=second.id)
    assert s.round_status().ballots_cast == 1


def test_revoked_code_stops_a_logged_in_client(room):
    s = room["s"]
    voter = _login(s, room["voter"].code)
    s.open_round(dots=3)
    s.revoke_code(room["voter"].id)
    assert s.participant(room["voter"].id).code is None
    with pytest.raises(Refused, match="withdrawn"):
        voter.cast_ballot({room["p1"].id: 1})
    with pytest.raises(Refused, match="withdrawn"):
        voter.me()
    assert s.round_status().ballots_cast == 0
    fresh = s.reissue_code(room["voter"].id)
    assert fresh.code and fresh.code != room["voter"].code
    _login(s, fresh.code).cast_ballot({room["p1"].id: 1})
    assert s.round_status().ballots_cast == 1


def test_situation_shows_only_revealed_injects(svc):
    view = ProjectorView(svc)
    assert view.situation().injects == []
    first = svc.scenario.phases[0].injects[0]
    svc.reveal_inject(first.id)
    sit = view.situation()
    assert [j.id for j in sit.injects] == [first.id] and sit.injects[0].text == first.text
    assert sit.phase is not None and sit.phase.id == svc.scenario.phases[0].id
    svc.start_timer()
    sit = view.situation()
    assert sit.block is not None and sit.block.position == 0 and sit.next_block.position == 1


def test_revisions_move_only_for_changed_areas(room):
    s = room["s"]
    before = s.revisions()
    s.add_proposal(room["t1"].id, "Another")
    after = s.revisions()
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"proposals"}  # the id counter in meta does not count as a session change
    s.open_round(dots=2)
    mid = s.revisions()
    voter = _login(s, room["voter"].code)
    voter.cast_ballot({"P1": 1})
    end = s.revisions()
    assert {k for k in end if end[k] != mid[k]} == {"ballots"}


def test_connect_and_projector_open_by_path(room):
    s = room["s"]
    gate = connect(str(s.path), client="t")
    gate.check_join_code(s.join_code())
    assert gate.login(room["other"].code).me().name == "Olle"
    gate.close()
    view = projector(str(s.path))
    assert view.join_code() == s.join_code() and view.counts() == (3, 2)
    view.close()
    with pytest.raises(RoundtableError):
        connect("no-such-session")


def _rebuild_as_version_1(path) -> None:
    """Rewrite a session file in the version-1 layout (as the first release wrote it)."""
    from roundtable.store import SCHEMA

    old = path.with_suffix(".new")
    path.rename(old)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    db.execute("ATTACH DATABASE ? AS old", (str(old),))
    for table in ("meta", "groups", "talks", "agenda", "timer", "injects", "proposals", "round_proposals",
                  "paper_tallies", "decisions", "actions", "evaluation_notes"):
        db.execute(f"INSERT INTO main.{table} SELECT * FROM old.{table}")
    db.execute("DELETE FROM main.meta WHERE key = 'join_code'")
    db.execute("INSERT INTO main.participants SELECT id, name, organisation, sector, group_id, role, code,"
               " created_at, position FROM old.participants")
    db.execute("INSERT INTO main.rounds SELECT id, method, dots, max_per_proposal, opened_at, closed_at, eligible,"
               " title FROM old.rounds")
    db.execute("INSERT INTO main.ballots SELECT round_id, voter, cast_at, source FROM old.ballots")
    db.execute("INSERT INTO main.ballot_items SELECT b.round_id, b.voter, j.key, j.value"
               " FROM old.ballots b, json_each(b.content) j")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.execute("DETACH DATABASE old")
    db.close()
    old.unlink()


def test_version_1_session_is_upgraded_in_place(room):
    s = room["s"]
    path = s.path
    s.open_round(dots=3)
    s.cast_ballot(room["voter"].code, {"P1": 2, "P2": 1})
    s.cast_ballot(room["other"].code, {"P2": 3})
    s.close()
    _rebuild_as_version_1(path)
    s2 = open_session(str(path))
    assert s2.store.query_one("PRAGMA user_version")[0] == SCHEMA_VERSION
    assert len(s2.join_code()) == 6
    assert [p.name for p in s2.participants()] == ["Sara", "Vic", "Olle", "Obs"]
    assert not any(p.scribe for p in s2.participants())
    # the open dot round and its ballots came through: the voters can re-cast, and it counts
    assert s2.open_round_now().reveal == "manual"
    assert s2.own_ballot(room["voter"].code) == {"P1": 2, "P2": 1}
    res = s2.close_round()
    assert {r.proposal: r.points for r in res.results} == {"P1": 2, "P2": 4}
    before = s2.revisions()["proposals"]
    s2.add_proposal("G1", "after upgrade")
    assert s2.revisions()["proposals"] == before + 1
    s2.close()


def test_moving_a_scribe_to_another_group_ends_their_scribe_role(room):
    s = room["s"]
    assert s.participant(room["scribe"].id).scribe
    s.update_participant(room["scribe"].id, name="Sara S")
    assert s.participant(room["scribe"].id).scribe
    s.update_participant(room["scribe"].id, group=room["t2"].id)
    assert not s.participant(room["scribe"].id).scribe
    with pytest.raises(Refused, match="not in a group"):
        s.set_scribe(room["observer"].id)

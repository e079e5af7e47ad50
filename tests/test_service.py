"""SessionService: agenda and timer, injects, groups, participants, CSV import, proposals,
decisions, actions and evaluation notes."""

from __future__ import annotations

import re

import pytest

from roundtable.errors import NotFound, Refused, RoundtableError
from roundtable.models import ProposalStatus, Role
from roundtable.service import CODE_ALPHABET, CODE_LENGTH, open_session


# -- agenda and timer --------------------------------------------------------------------------

def test_agenda_records_actual_start_and_end(mini_svc, clock):
    t0 = clock.t
    assert mini_svc.timer().block is None
    assert all(a.started_at is None and a.ended_at is None for a in mini_svc.agenda())
    mini_svc.start_timer()
    clock.advance(300)
    mini_svc.next_block()
    clock.advance(1200)
    agenda = mini_svc.agenda()
    assert agenda[0].started_at.timestamp() == pytest.approx(t0)
    assert agenda[0].ended_at.timestamp() == pytest.approx(t0 + 300)
    assert agenda[1].started_at.timestamp() == pytest.approx(t0 + 300)
    assert agenda[1].ended_at is None and agenda[2].started_at is None
    info = mini_svc.info()
    assert info.started_at.timestamp() == pytest.approx(t0) and info.ended_at is None


def test_next_after_the_last_block_ends_the_session(mini_svc, clock):
    mini_svc.start_timer()
    n = len(mini_svc.agenda())
    for _ in range(n - 1):
        clock.advance(60)
        assert mini_svc.next_block().block is not None
    clock.advance(60)
    t = mini_svc.next_block()
    assert t.block is None and not t.running
    info = mini_svc.info()
    assert info.ended_at is not None and info.ended_at.timestamp() == pytest.approx(clock.t)
    assert all(a.ended_at is not None for a in mini_svc.agenda())
    with pytest.raises(Refused, match="ended"):
        mini_svc.next_block()
    with pytest.raises(Refused, match="ended"):
        mini_svc.start_timer()
    assert mini_svc.minutes().session.status == "final"


def test_timer_pause_resume_extend_and_overtime(mini_svc, clock):
    with pytest.raises(Refused):
        mini_svc.pause_timer()
    with pytest.raises(Refused):
        mini_svc.extend_block(5)
    mini_svc.start_timer()  # welcome: 5 minutes
    clock.advance(120)
    t = mini_svc.pause_timer()
    assert not t.running and t.elapsed_seconds == pytest.approx(120)
    clock.advance(1000)
    assert mini_svc.timer().elapsed_seconds == pytest.approx(120)
    with pytest.raises(Refused):
        mini_svc.pause_timer()
    mini_svc.start_timer()
    clock.advance(240)
    t = mini_svc.timer()
    assert t.elapsed_seconds == pytest.approx(360) and t.overtime and t.remaining_seconds == pytest.approx(-60)
    t = mini_svc.extend_block(5)
    assert t.planned_seconds == 600 and not t.overtime
    assert mini_svc.agenda()[0].extra_seconds == 300
    with pytest.raises(Refused):
        mini_svc.extend_block(0)


def test_next_block_resets_elapsed(mini_svc, clock):
    mini_svc.start_timer()
    clock.advance(200)
    t = mini_svc.next_block()
    assert t.block == 1 and t.running and t.elapsed_seconds == pytest.approx(0)
    assert t.planned_seconds == 20 * 60


def test_end_session_closes_the_running_block(mini_svc, clock):
    mini_svc.start_timer()
    clock.advance(30)
    info = mini_svc.end_session()
    assert info.ended_at is not None
    assert mini_svc.agenda()[0].ended_at is not None
    assert mini_svc.timer().block is None


def test_due_injects_follow_the_group_work_clock(mini_svc, clock):
    mini_svc.start_timer()
    assert mini_svc.due_injects() == []  # welcome is not group work
    mini_svc.next_block()
    mini_svc.next_block()  # group work on 'before'
    assert mini_svc.current_phase_id() == "before"
    clock.advance(4 * 60)
    assert mini_svc.due_injects() == []
    clock.advance(61)
    assert mini_svc.due_injects() == ["inj-1"]  # inj-2 is manual
    mini_svc.reveal_inject("inj-1")
    assert mini_svc.due_injects() == []


# -- injects ---------------------------------------------------------------------------------------

def test_reveal_records_time_and_refuses_a_second_reveal(mini_svc, clock):
    assert all(s.revealed_at is None for s in mini_svc.injects())
    s = mini_svc.reveal_inject("inj-2")
    assert s.revealed_at.timestamp() == pytest.approx(clock.t)
    clock.advance(100)
    with pytest.raises(Refused, match="already revealed"):
        mini_svc.reveal_inject("inj-2")
    assert next(x for x in mini_svc.injects() if x.id == "inj-2").revealed_at == s.revealed_at
    with pytest.raises(NotFound):
        mini_svc.reveal_inject("no-such-inject")
    assert [x.id for x in mini_svc.injects()] == ["inj-1", "inj-2", "inj-3"]  # scenario order


# -- groups ----------------------------------------------------------------------------------------

def test_groups_add_resolve_rename_remove(mini_svc):
    g1 = mini_svc.add_group("Table 1")
    g2 = mini_svc.add_group("Table 2")
    assert (g1.id, g2.id) == ("G1", "G2")
    assert mini_svc.resolve_group("g1") == g1
    assert mini_svc.resolve_group("table 2") == g2
    with pytest.raises(Refused, match="already a group"):
        mini_svc.add_group("TABLE 1")
    with pytest.raises(Refused):
        mini_svc.add_group("   ")
    with pytest.raises(NotFound):
        mini_svc.resolve_group("Table 9")
    mini_svc.rename_group("G2", "Harbour table")
    assert mini_svc.resolve_group("harbour table").id == "G2"
    mini_svc.add_proposal("G1", "x")
    with pytest.raises(Refused, match="proposal"):
        mini_svc.remove_group("G1")
    p = mini_svc.add_participant("Anna", group="G2")
    mini_svc.remove_group("G2")
    assert mini_svc.participant(p.id).group_id is None
    assert mini_svc.add_group("Table 3").id == "G3"  # ids are never reused


# -- participants ----------------------------------------------------------------------------------

CODE_RE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")


def test_participant_codes(mini_svc):
    assert CODE_LENGTH == 8
    assert not set("01OIL") & set(CODE_ALPHABET)
    people = [mini_svc.add_participant(f"P{n}") for n in range(40)]
    codes = [p.code for p in people]
    assert all(CODE_RE.match(c) for c in codes), codes
    assert len(set(codes)) == len(codes)
    obs = mini_svc.add_participant("Olga", role="observer")
    fac = mini_svc.add_participant("Fia", role=Role.facilitator)
    assert obs.code is None and fac.code is None
    assert mini_svc.voter(codes[0].lower()).id == people[0].id  # codes are typed case-insensitively
    assert mini_svc.voter(f"{codes[0][:3]}-{codes[0][3:]}").id == people[0].id


def test_reissue_changes_the_code_and_the_old_one_stops_working(mini_svc):
    p = mini_svc.add_participant("Anna")
    new = mini_svc.reissue_code(p.id)
    assert new.code != p.code and CODE_RE.match(new.code)
    with pytest.raises(Refused, match="not known"):
        mini_svc.voter(p.code)
    assert mini_svc.voter(new.code).id == p.id
    obs = mini_svc.add_participant("Olga", role="observer")
    with pytest.raises(Refused, match="an observer"):
        mini_svc.reissue_code(obs.id)


def test_role_change_gives_and_takes_codes(mini_svc):
    p = mini_svc.add_participant("Anna", role="observer")
    assert p.code is None
    p = mini_svc.update_participant(p.id, role="participant")
    assert CODE_RE.match(p.code)
    p = mini_svc.update_participant(p.id, role="facilitator", organisation="Org")
    assert p.code is None and p.organisation == "Org"
    with pytest.raises(Refused, match="Role"):
        mini_svc.add_participant("X", role="boss")
    with pytest.raises(Refused):
        mini_svc.add_participant("  ")
    with pytest.raises(NotFound):
        mini_svc.add_participant("Y", group="no such group")
    assert [x.name for x in mini_svc.participants()] == ["Anna"]


def test_voter_who_has_voted_cannot_be_removed_or_made_observer(mini_svc):
    g = mini_svc.add_group("T")
    p = mini_svc.add_participant("Anna")
    prop = mini_svc.add_proposal(g.id, "x")
    mini_svc.open_round(dots=1)
    mini_svc.cast_ballot(p.code, {prop.id: 1})
    with pytest.raises(Refused):
        mini_svc.remove_participant(p.id)
    with pytest.raises(Refused):
        mini_svc.update_participant(p.id, role="observer")
    q = mini_svc.add_participant("Bo")
    mini_svc.remove_participant(q.id)
    assert [x.id for x in mini_svc.participants()] == [p.id]


# -- CSV import ------------------------------------------------------------------------------------

def test_csv_import_with_header_semicolons_and_bad_rows(mini_svc, tmp_path):
    mini_svc.add_group("Table 1")
    f = tmp_path / "people.csv"
    f.write_text(
        "name;organisation;sector;group\n"
        "Anna;Hotel A;hotel;Table 1\n"
        "Bo;Taxi B;taxi;Harbour\n"
        ";No Name Org;hotel;Table 1\n"
        "Cid;Org;x;Table 1;surplus\n"
        "\n"
        "Dina;;;\n",
        encoding="utf-8",
    )
    report = mini_svc.import_participants_csv(f)
    assert [p.name for p in report.added] == ["Anna", "Bo", "Dina"]
    assert report.groups_created == ["Harbour"]
    assert len(report.skipped) == 2
    assert report.skipped[0].startswith("row 4") and "no name" in report.skipped[0]
    assert report.skipped[1].startswith("row 5") and "columns" in report.skipped[1]
    by_name = {p.name: p for p in mini_svc.participants()}
    assert by_name["Anna"].organisation == "Hotel A" and by_name["Anna"].sector == "hotel"
    assert by_name["Anna"].group_id == "G1"
    assert by_name["Bo"].group_id == mini_svc.resolve_group("Harbour").id
    assert by_name["Dina"].group_id is None
    assert all(CODE_RE.match(p.code) for p in report.added)


def test_csv_import_without_header_commas_and_quotes(mini_svc, tmp_path):
    f = tmp_path / "people.csv"
    f.write_text('Anna,Hotel A,hotel,T1\n"Bo, Jr",Taxi,taxi,T2\nCid,Org,,T1\n', encoding="utf-8")
    report = mini_svc.import_participants_csv(f)
    assert [p.name for p in report.added] == ["Anna", "Bo, Jr", "Cid"]
    assert report.skipped == []
    assert report.groups_created == ["T1", "T2"]
    assert [g.name for g in mini_svc.groups()] == ["T1", "T2"]


def test_csv_import_excel_latin1_and_bom(mini_svc, tmp_path):
    f = tmp_path / "people.csv"
    f.write_bytes("Åsa;Hotell Ö;hotel;Bord 1\nBo;Taxi;taxi;Bord 1\n".encode("cp1252"))
    assert [p.name for p in mini_svc.import_participants_csv(f).added] == ["Åsa", "Bo"]
    g = tmp_path / "bom.csv"
    g.write_bytes("\ufeffname,organisation\nEva,Org\n".encode("utf-8"))
    assert [p.name for p in mini_svc.import_participants_csv(g).added] == ["Eva"]


def test_csv_import_bad_files(mini_svc, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(Refused, match="no participant rows"):
        mini_svc.import_participants_csv(empty)
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\x00\x01\x02" * 10)
    with pytest.raises(Refused, match="binary"):
        mini_svc.import_participants_csv(binary)
    with pytest.raises(RoundtableError, match="Cannot read"):
        mini_svc.import_participants_csv(tmp_path / "missing.csv")
    assert mini_svc.participants() == []


def test_csv_import_report_through_the_cli(mini_svc, cli, tmp_path):
    f = tmp_path / "people.csv"
    f.write_text("Anna;Hotel;hotel;T1\n;x;y;z\nBo;a;b;c;d;e\n", encoding="utf-8")
    r = cli("participant", "import", mini_svc.id, str(f), "--json")
    assert r.returncode == 0, r.stderr
    data = r.json()
    assert [a["name"] for a in data["added"]] == ["Anna"]
    assert data["groups_created"] == ["T1"]
    assert [s.split(":")[0].split(" (")[0] for s in data["skipped"]] == ["row 2", "row 3"]
    r = cli("participant", "import", mini_svc.id, str(f))
    assert "Could not take 2 row(s)" in r.stdout and "row 2" in r.stdout


# -- proposals ---------------------------------------------------------------------------------------

@pytest.fixture
def board(mini_svc):
    mini_svc.add_group("Table 1")
    mini_svc.add_group("Table 2")
    for n in range(1, 5):
        mini_svc.add_proposal("G1" if n % 2 else "G2", f"Idea {n}", step=(n % 3) + 1,
                              timeframe=["before", "during", "after"][n % 3])
    return mini_svc


def test_proposal_add_and_edit(board, clock):
    p = board.add_proposal("Table 1", "  Tip posters  ", text="In five languages", step=1, timeframe="before",
                           actors=["hotel-a", "police", " "])
    assert p.id == "P5" and p.title == "Tip posters" and p.actors == ["hotel-a", "police"]
    assert p.status is ProposalStatus.proposed and p.merged_into is None
    clock.advance(60)
    q = board.update_proposal(p.id, title="Tip posters v2", step=None, status="adopted", group="G2")
    assert (q.title, q.step, q.timeframe, q.status, q.group_id) == ("Tip posters v2", None, "before",
                                                                    ProposalStatus.adopted, "G2")
    assert q.updated_at > p.updated_at and q.created_at == p.created_at
    with pytest.raises(Refused, match="Step"):
        board.add_proposal("G1", "x", step=4)
    with pytest.raises(Refused, match="Timeframe"):
        board.add_proposal("G1", "x", timeframe="later")
    with pytest.raises(Refused):
        board.add_proposal("G1", "")
    with pytest.raises(Refused):
        board.update_proposal(p.id, status="merged")
    assert len(board.proposals()) == 5


def test_proposal_filters(board):
    assert [p.id for p in board.proposals(group="Table 1")] == ["P1", "P3"]
    assert [p.id for p in board.proposals(step=2)] == ["P1", "P4"]
    assert [p.id for p in board.proposals(timeframe="during")] == ["P1", "P4"]
    assert [p.id for p in board.proposals(group="G2", timeframe="after")] == ["P2"]


def test_delete_rules(board):
    board.delete_proposal("P4")
    assert [p.id for p in board.proposals()] == ["P1", "P2", "P3"]
    with pytest.raises(NotFound):
        board.proposal("P4")
    board.merge_proposal("P3", "P1")
    with pytest.raises(Refused, match="merged into P1"):
        board.delete_proposal("P1")  # P3 is merged into it
    board.open_round(dots=3, proposals=["P2"])
    with pytest.raises(Refused, match="round"):
        board.delete_proposal("P2")
    board.close_round()
    with pytest.raises(Refused, match="round"):
        board.delete_proposal("P2")  # still part of a (closed) round's record
    board.delete_proposal("P3")  # the merged one itself can go
    assert board.add_proposal("G1", "new").id == "P5"  # numbers are never reused


def test_merge_and_unmerge_rules(board):
    m = board.merge_proposal("p2", "1")
    assert m.status is ProposalStatus.merged and m.merged_into == "P1"
    with pytest.raises(Refused, match="itself merged"):
        board.merge_proposal("P3", "P2")  # into a merged proposal
    with pytest.raises(Refused, match="already merged"):
        board.merge_proposal("P2", "P3")
    with pytest.raises(Refused, match="itself"):
        board.merge_proposal("P3", "P3")
    # merging the target elsewhere carries its merged proposals along
    board.merge_proposal("P1", "P3")
    assert board.proposal("P2").merged_into == "P3" and board.proposal("P1").merged_into == "P3"
    u = board.unmerge_proposal("P2")
    assert u.status is ProposalStatus.proposed and u.merged_into is None
    with pytest.raises(Refused, match="not merged"):
        board.unmerge_proposal("P2")
    # a round opened without a list leaves merged proposals out
    r = board.open_round(dots=2)
    assert r.proposals == ["P2", "P3", "P4"]
    with pytest.raises(Refused, match="open voting round"):
        board.merge_proposal("P4", "P3")
    board.close_round()
    with pytest.raises(Refused, match="merged into P3"):
        board.open_round(dots=2, proposals=["P1"])


def test_proposal_id_forms(board):
    assert board.proposal("p3").id == board.proposal("3").id == board.proposal(" P03 ").id == "P3"
    with pytest.raises(NotFound, match="not a proposal id"):
        board.proposal("X1")


# -- decisions, actions, evaluation, talks, info -------------------------------------------------------

def test_decisions_actions_notes(board):
    d = board.add_decision("Adopt P1", proposal="P1")
    assert d.id == "D1" and d.proposal_id == "P1"
    with pytest.raises(NotFound):
        board.add_decision("x", proposal="P99")
    a = board.add_action("Print posters", owner="Hotel A", due="2027-06-01")
    assert a.id == "A1" and str(a.due) == "2027-06-01" and a.status.value == "open"
    a = board.update_action("a1", status="done", due=None)
    assert a.status.value == "done" and a.due is None
    with pytest.raises(Refused, match="date"):
        board.add_action("x", owner="o", due="next week")
    with pytest.raises(Refused):
        board.add_action("x", owner="")
    with pytest.raises(Refused, match="status"):
        board.add_action("x", owner="o", status="sleeping")
    n = board.add_evaluation_note("worked", "Injects kept it real")
    board.add_evaluation_note("improve", "More time")
    with pytest.raises(Refused):
        board.add_evaluation_note("meh", "x")
    assert [e.kind for e in board.evaluation_notes()] == ["worked", "improve"]
    board.remove_evaluation_note(n.id)
    board.remove_decision("D1")
    board.remove_action("A1")
    assert board.decisions() == [] and board.actions() == [] and len(board.evaluation_notes()) == 1
    with pytest.raises(NotFound):
        board.remove_action("A1")


def test_talk_notes_and_session_info(mini_svc):
    [talk] = mini_svc.talks()
    assert talk.id == "talk-police" and talk.speaker == "Police inspector" and talk.planned_minutes == 20
    t = mini_svc.update_talk("talk-police", speaker="Inspector", key_points=["Use 114 14", " ", "112 if ongoing"])
    assert t.key_points == ["Use 114 14", "112 if ongoing"] and t.speaker == "Inspector"
    with pytest.raises(NotFound):
        mini_svc.update_talk("nope")
    extra = mini_svc.add_talk("Hotel chain view", speaker="Security manager")
    assert extra.id not in {"talk-police"} and len(mini_svc.talks()) == 2
    info = mini_svc.update_info(title="[bold red]x[/]", venue="Hall", date="2026-05-12")
    assert info.title == "[bold red]x[/]" and info.venue == "Hall" and str(info.date) == "2026-05-12"
    with pytest.raises(Refused):
        mini_svc.update_info(date="12/5")
    with pytest.raises(Refused):
        mini_svc.update_info(title="")


def test_literal_text_is_stored_as_typed(mini_svc):
    g = mini_svc.add_group("[red]T[/] | 1")
    p = mini_svc.add_proposal(g.id, "'; DROP TABLE proposals; --", text="a\nb | c")
    again = open_session(str(mini_svc.path))
    try:
        assert again.proposal(p.id).title == "'; DROP TABLE proposals; --"
        assert again.proposal(p.id).text == "a\nb | c"
        assert again.groups()[0].name == "[red]T[/] | 1"
    finally:
        again.close()

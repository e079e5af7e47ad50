"""The SQLite session store: every action committed at once, shared between processes,
failures reported as one sentence with nothing half-written."""

from __future__ import annotations

import errno
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from conftest import MINI, ROOT, Clock
from roundtable.errors import RoundtableError
from roundtable.scenarios import load_scenario_file
from roundtable.service import SessionService, create_session, list_sessions, open_session, session_path
from roundtable.store import Store


def reopen(svc: SessionService, clock=None) -> SessionService:
    return open_session(str(svc.path), clock=clock or svc.clock)


def test_session_file_is_sqlite_in_wal_mode(mini_svc, sessions_dir):
    assert mini_svc.path.parent == sessions_dir
    assert mini_svc.path.suffix == ".sqlite"
    db = sqlite3.connect(mini_svc.path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()


def test_every_action_is_visible_to_a_second_service_at_once(mini_svc):
    other = reopen(mini_svc)
    try:
        g = mini_svc.add_group("Table 1")
        assert [x.name for x in other.groups()] == ["Table 1"]
        p = mini_svc.add_participant("Anna", group=g.id)
        assert other.participant(p.id).code == p.code
        prop = mini_svc.add_proposal(g.id, "Tip line posters")
        assert other.proposal(prop.id).title == "Tip line posters"
        mini_svc.open_round(dots=3)
        mini_svc.cast_ballot(p.code, {prop.id: 2})
        assert other.round_status().ballots_cast == 1
        mini_svc.reveal_inject("inj-2")
        assert next(s for s in other.injects() if s.id == "inj-2").revealed_at is not None
        mini_svc.add_decision("Print posters")
        assert [d.text for d in other.decisions()] == ["Print posters"]
        # and the other way round
        other.add_group("Table 2")
        assert [x.name for x in mini_svc.groups()] == ["Table 1", "Table 2"]
    finally:
        other.close()


def test_change_token_moves_when_another_process_commits(mini_svc):
    before = mini_svc.change_token()
    code = f"""
        from roundtable.service import open_session
        s = open_session({str(mini_svc.path)!r})
        s.add_group("From elsewhere")
        s.close()
    """
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert mini_svc.change_token() != before
    assert [g.name for g in mini_svc.groups()] == ["From elsewhere"]


@pytest.mark.parametrize("how", ["sigkill", "os_exit"])
def test_killed_process_loses_nothing_confirmed(sessions_dir, how):
    """A process adds items, reports them confirmed, then dies without any clean-up."""
    die = "os.kill(os.getpid(), signal.SIGKILL)" if how == "sigkill" else "os._exit(3)"
    code = f"""
        import os, signal, sys
        from roundtable.scenarios import load_scenario_file
        from roundtable.service import create_session
        s = create_session(load_scenario_file({str(MINI)!r}), sessions_dir={str(sessions_dir)!r})
        g = s.add_group("Table 1")
        p = s.add_proposal(g.id, "Confirmed proposal", text="kept")
        person = s.add_participant("Anna", group=g.id)
        s.start_timer()
        print(s.path, p.id, person.code, flush=True)
        {die}
    """
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)
    if how == "sigkill":
        assert r.returncode == -signal.SIGKILL
    else:
        assert r.returncode == 3
    path, pid, code_ = r.stdout.split()
    s = open_session(path)
    try:
        assert s.proposal(pid).title == "Confirmed proposal"
        assert s.proposal(pid).text == "kept"
        assert s.voter(code_).name == "Anna"
        assert s.timer().block == 0 and s.timer().running
    finally:
        s.close()


def test_timer_state_survives_reopen(mini_svc, clock):
    mini_svc.start_timer()
    clock.advance(90)
    mini_svc.close()
    s = open_session(str(mini_svc.path), clock=clock)
    t = s.timer()
    assert t.block == 0 and t.running and t.elapsed_seconds == pytest.approx(90)
    clock.advance(30)
    assert s.timer().elapsed_seconds == pytest.approx(120)  # keeps running while closed or open
    s.pause_timer()
    clock.advance(600)
    s.close()
    s = open_session(str(mini_svc.path), clock=clock)
    t = s.timer()
    assert not t.running and t.elapsed_seconds == pytest.approx(120)  # pause holds across a restart
    s.start_timer()
    clock.advance(10)
    assert s.timer().elapsed_seconds == pytest.approx(130)
    s.close()


def test_open_by_id_by_prefix_and_by_path(mini_svc, sessions_dir):
    assert session_path(mini_svc.id) == mini_svc.path
    assert session_path(mini_svc.id[:-2]) == mini_svc.path
    assert session_path(str(mini_svc.path)) == mini_svc.path
    with pytest.raises(RoundtableError, match="No session"):
        session_path("2099-no-such")
    with pytest.raises(RoundtableError, match="No session file"):
        session_path(str(sessions_dir / "gone.sqlite"))


def test_not_a_session_file_is_one_sentence(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(RoundtableError, match="not a roundtable session file"):
        open_session(str(junk))
    other = tmp_path / "other.sqlite"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE x (y)")
    db.commit()
    db.close()
    with pytest.raises(RoundtableError, match="not a roundtable session file"):
        open_session(str(other))
    with pytest.raises(RoundtableError, match="No session file"):
        Store(tmp_path / "missing.sqlite")


def test_list_sessions_is_read_only_and_survives_junk(mini_svc, sessions_dir):
    (sessions_dir / "broken.sqlite").write_bytes(b"garbage" * 50)
    before = sorted(p.name for p in sessions_dir.iterdir())
    items = list_sessions(sessions_dir)
    assert sorted(p.name for p in sessions_dir.iterdir()) == before
    by_id = {s.id: s for s in items}
    assert by_id[mini_svc.id].title == "Mini" and by_id[mini_svc.id].error is None
    assert by_id["broken"].error
    assert list_sessions(sessions_dir / "nowhere") == []


# -- a full disk ---------------------------------------------------------------------------

class FailingConnection:
    """Wraps a sqlite3 connection; raises 'disk is full' for matching statements."""

    def __init__(self, db: sqlite3.Connection, fail_when):
        self._db = db
        self._fail_when = fail_when
        self.failed = 0

    def _check(self, sql: str) -> None:
        if self._fail_when(sql):
            self.failed += 1
            raise sqlite3.OperationalError("database or disk is full")

    def execute(self, sql, params=()):
        self._check(sql)
        return self._db.execute(sql, params)

    def executemany(self, sql, rows):
        self._check(sql)
        return self._db.executemany(sql, rows)

    def __getattr__(self, name):
        return getattr(self._db, name)


def _counts(path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        return {
            t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("groups", "participants", "proposals", "meta")
        }
    finally:
        db.close()


def test_full_disk_on_commit_is_a_clear_error_and_writes_nothing(mini_svc):
    g = mini_svc.add_group("Table 1")
    before = _counts(mini_svc.path)
    wrapper = FailingConnection(mini_svc.store._db, lambda sql: sql.strip().upper() == "COMMIT")
    mini_svc.store._db = wrapper
    try:
        with pytest.raises(RoundtableError) as info:
            mini_svc.add_proposal(g.id, "Will not be saved")
    finally:
        mini_svc.store._db = wrapper._db
    assert wrapper.failed == 1
    msg = str(info.value)
    assert "disk is full" in msg and "nothing was changed" in msg and "\n" not in msg
    assert _counts(mini_svc.path) == before
    assert mini_svc.proposals() == []
    # the store still works afterwards
    assert mini_svc.add_proposal(g.id, "Saved").id == "P1"


def test_full_disk_in_the_middle_of_a_csv_import_rolls_back_the_whole_import(mini_svc, tmp_path):
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("Anna,Hotel A,hotel,Table 1\nBo,Taxi B,taxi,Table 2\nCid,Police,police,Table 3\n")
    before = _counts(mini_svc.path)
    seen = {"n": 0}

    def third_participant(sql: str) -> bool:
        if sql.lstrip().upper().startswith("INSERT INTO PARTICIPANTS"):
            seen["n"] += 1
            return seen["n"] == 3
        return False

    wrapper = FailingConnection(mini_svc.store._db, third_participant)
    mini_svc.store._db = wrapper
    try:
        with pytest.raises(RoundtableError, match="disk is full"):
            mini_svc.import_participants_csv(csv_file)
    finally:
        mini_svc.store._db = wrapper._db
    assert _counts(mini_svc.path) == before  # no participants, no groups, no counters moved
    assert mini_svc.participants() == [] and mini_svc.groups() == []


def test_full_disk_through_the_cli_is_one_line_on_stderr(mini_svc, cli, monkeypatch):
    """The CLI turns the store's error into one sentence and exit 1."""
    from roundtable import store as store_mod

    real_write = store_mod.Store.write

    def failing_write(self):
        self._db = FailingConnection(self._db, lambda sql: sql.strip().upper() == "COMMIT")
        return real_write(self)

    monkeypatch.setattr(store_mod.Store, "write", failing_write)
    r = cli("group", "add", mini_svc.id, "Table 1")
    monkeypatch.undo()
    assert r.returncode == 1
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "disk is full" in r.stderr
    assert mini_svc.groups() == []


# -- minutes export to a place that cannot be written ------------------------------------------

def test_export_to_unwritable_path_is_one_sentence_and_leaves_nothing(mini_svc, tmp_path, cli):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    target = blocker / "minutes.toml"  # its parent is a file, not a folder
    with pytest.raises(RoundtableError) as info:
        mini_svc.export("toml", target)
    assert "\n" not in str(info.value) and str(info.value).endswith(".")
    assert not target.exists()
    r = cli("export", mini_svc.id, "--output", str(target))
    assert r.returncode == 1 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr


def test_export_when_the_disk_fills_leaves_no_partial_file(mini_svc, tmp_path, monkeypatch):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "minutes.toml"
    target.write_text("earlier minutes\n")

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(RoundtableError) as info:
        mini_svc.export("toml", target)
    msg = str(info.value)
    assert "No space left on device" in msg and "nothing was written" in msg and "\n" not in msg
    assert target.read_text() == "earlier minutes\n"  # the earlier file is intact
    assert sorted(p.name for p in out_dir.iterdir()) == ["minutes.toml"]  # no temp file left behind


def test_read_only_session_file_is_refused_cleanly(mini_svc, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions")
    mini_svc.close()
    os.chmod(mini_svc.path, 0o444)
    try:
        s = open_session(str(mini_svc.path))
        with pytest.raises(RoundtableError):
            s.add_group("x")
        s.close()
    finally:
        os.chmod(mini_svc.path, 0o644)


def test_create_session_on_bundled_scenario(svc, clock):
    info = svc.info()
    assert info.scenario_id == "gothenburg-en" and info.variant == "full"
    assert info.title == "Test round table" and str(info.date) == "2026-04-29"
    assert len(svc.agenda()) == len(svc.scenario.variant("full").blocks)
    assert len(svc.injects()) == sum(len(p.injects) for p in svc.scenario.phases)
    # the session keeps its own copy of the scenario
    assert svc.scenario_text() == (ROOT / "scenarios" / "gothenburg-en.toml").read_text(encoding="utf-8")


def test_create_session_unknown_variant_writes_nothing(sessions_dir, clock):
    with pytest.raises(RoundtableError, match="no variant 'nope'"):
        create_session(load_scenario_file(MINI), variant="nope", sessions_dir=sessions_dir, clock=clock)
    assert not sessions_dir.exists() or list(sessions_dir.iterdir()) == []


def test_clock_fixture_is_used_for_times(mini_svc, clock: Clock):
    mini_svc.start_timer()
    started = mini_svc.agenda()[0].started_at
    assert started.timestamp() == pytest.approx(clock.t, abs=1)


def test_list_sessions_in_a_folder_with_uri_characters(tmp_path, clock):
    odd = tmp_path / "my#sessions?%20x"
    s = create_session(load_scenario_file(MINI), title="Odd folder", sessions_dir=odd, clock=clock)
    s.close()
    [item] = list_sessions(odd)
    assert item.error is None and item.title == "Odd folder" and item.id == s.id

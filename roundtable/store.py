"""SQLite session store: one database file per session, WAL mode.

Several processes may open the same session: every write runs in its own
`BEGIN IMMEDIATE` transaction and commits at once, and readers see other processes'
committed changes. `change_token()` lets a front end poll cheaply for such changes.
Only the service layer uses this module.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from .errors import RoundtableError

SCHEMA_VERSION = 3

# Which area of the session each table belongs to. Triggers bump an area's revision on
# every change, so a front end that sees PRAGMA data_version move re-reads only the
# areas whose revision moved.
AREAS = {
    "session": ("meta", "agenda", "timer"),
    "people": ("groups", "participants"),
    "talks": ("talks",),
    "injects": ("injects",),
    "proposals": ("proposals",),
    "rounds": ("rounds", "round_proposals", "tie_settlements"),
    "ballots": ("ballots", "paper_tallies"),
    "outcomes": ("decisions", "actions", "evaluation_notes"),
}
# the tables of each area as they were in version 2 (its migration is replayed on new files)
_AREAS_V2 = dict(AREAS, rounds=("rounds", "round_proposals"), ballots=("ballots", "ballot_items", "paper_tallies"))


def _revision_triggers(areas: dict[str, tuple[str, ...]]) -> str:
    return "".join(
        f"CREATE TRIGGER rev_{table}_{op.lower()} AFTER {op} ON {table}"
        + (" WHEN NEW.key NOT LIKE 'next!_%' ESCAPE '!'" if table == "meta" and op != "DELETE" else "")
        + f" BEGIN UPDATE revisions SET rev = rev + 1 WHERE area = '{area}'; END;"
        for area, tables in areas.items() for table in tables for op in ("INSERT", "UPDATE", "DELETE")
    )

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE groups (
    id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, position INTEGER NOT NULL
);
CREATE TABLE participants (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, organisation TEXT NOT NULL DEFAULT '',
    sector TEXT NOT NULL DEFAULT '', group_id TEXT REFERENCES groups(id) ON DELETE SET NULL,
    role TEXT NOT NULL CHECK (role IN ('participant','observer','facilitator')),
    code TEXT UNIQUE, created_at TEXT NOT NULL, position INTEGER NOT NULL
);
CREATE TABLE talks (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, speaker TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL DEFAULT '', key_points TEXT NOT NULL DEFAULT '[]',
    planned_minutes INTEGER, position INTEGER NOT NULL
);
CREATE TABLE agenda (
    position INTEGER PRIMARY KEY, title TEXT NOT NULL, kind TEXT NOT NULL,
    planned_minutes INTEGER NOT NULL, phase_id TEXT, talk_id TEXT,
    started_at TEXT, ended_at TEXT, extra_seconds INTEGER NOT NULL DEFAULT 0
);
-- one row: which block runs and how long it has run (wall clock, so a restart resumes)
CREATE TABLE timer (
    id INTEGER PRIMARY KEY CHECK (id = 1), block INTEGER, running INTEGER NOT NULL DEFAULT 0,
    run_started_at TEXT, accumulated REAL NOT NULL DEFAULT 0
);
CREATE TABLE injects (id TEXT PRIMARY KEY, phase_id TEXT NOT NULL, revealed_at TEXT);
CREATE TABLE proposals (
    id TEXT PRIMARY KEY, number INTEGER NOT NULL UNIQUE, group_id TEXT NOT NULL REFERENCES groups(id),
    title TEXT NOT NULL, text TEXT NOT NULL DEFAULT '', step INTEGER, timeframe TEXT,
    actors TEXT NOT NULL DEFAULT '[]', status TEXT NOT NULL DEFAULT 'proposed',
    merged_into TEXT REFERENCES proposals(id), created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE rounds (
    id INTEGER PRIMARY KEY, method TEXT NOT NULL, dots INTEGER NOT NULL,
    max_per_proposal INTEGER NOT NULL, opened_at TEXT NOT NULL, closed_at TEXT,
    eligible INTEGER, title TEXT NOT NULL DEFAULT ''
);
CREATE TABLE round_proposals (
    round_id INTEGER NOT NULL REFERENCES rounds(id), proposal_id TEXT NOT NULL REFERENCES proposals(id),
    position INTEGER NOT NULL, PRIMARY KEY (round_id, proposal_id)
);
CREATE TABLE ballots (
    round_id INTEGER NOT NULL REFERENCES rounds(id), participant_id TEXT NOT NULL REFERENCES participants(id),
    cast_at TEXT NOT NULL, source TEXT NOT NULL, PRIMARY KEY (round_id, participant_id)
);
CREATE TABLE ballot_items (
    round_id INTEGER NOT NULL, participant_id TEXT NOT NULL, proposal_id TEXT NOT NULL,
    points INTEGER NOT NULL CHECK (points > 0),
    PRIMARY KEY (round_id, participant_id, proposal_id),
    FOREIGN KEY (round_id, participant_id) REFERENCES ballots(round_id, participant_id) ON DELETE CASCADE
);
-- points counted on paper or on a wall, entered by the facilitator
CREATE TABLE paper_tallies (
    round_id INTEGER NOT NULL REFERENCES rounds(id), proposal_id TEXT NOT NULL,
    points INTEGER NOT NULL CHECK (points >= 0), entered_at TEXT NOT NULL,
    PRIMARY KEY (round_id, proposal_id)
);
CREATE TABLE decisions (
    id TEXT PRIMARY KEY, number INTEGER NOT NULL UNIQUE, text TEXT NOT NULL,
    proposal_id TEXT, created_at TEXT NOT NULL
);
CREATE TABLE actions (
    id TEXT PRIMARY KEY, number INTEGER NOT NULL UNIQUE, text TEXT NOT NULL, owner TEXT NOT NULL,
    due TEXT, status TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE evaluation_notes (
    id TEXT PRIMARY KEY, number INTEGER NOT NULL UNIQUE, kind TEXT NOT NULL CHECK (kind IN ('worked','improve')),
    text TEXT NOT NULL, created_at TEXT NOT NULL
);
"""

# Version 2: scribes, revealed results, wrong-code throttling, change revisions.
MIGRATE_1_TO_2 = """
ALTER TABLE participants ADD COLUMN scribe INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rounds ADD COLUMN revealed_at TEXT;
CREATE TABLE auth_failures (client TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX auth_failures_client ON auth_failures (client, at);
CREATE TABLE revisions (area TEXT PRIMARY KEY, rev INTEGER NOT NULL DEFAULT 0);
""" + "".join(
    f"INSERT INTO revisions (area, rev) VALUES ('{area}', 0);" for area in AREAS
) + _revision_triggers(_AREAS_V2)

# Version 3: voting methods and round settings. A ballot is stored whole as JSON under
# its voter: a participant id, a group id (one ballot per group), or, in anonymous
# rounds, a one-way token. Earlier dot ballots are carried over as {proposal: dots}.
MIGRATE_2_TO_3 = """
ALTER TABLE rounds ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
ALTER TABLE rounds ADD COLUMN per_group INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rounds ADD COLUMN reveal TEXT NOT NULL DEFAULT 'manual';
ALTER TABLE rounds ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rounds ADD COLUMN runoff_of INTEGER;
ALTER TABLE rounds ADD COLUMN salt TEXT;
CREATE TABLE ballots_v3 (
    round_id INTEGER NOT NULL REFERENCES rounds(id), voter TEXT NOT NULL, cast_by TEXT,
    cast_at TEXT, source TEXT NOT NULL, content TEXT NOT NULL, PRIMARY KEY (round_id, voter)
);
INSERT INTO ballots_v3 (round_id, voter, cast_by, cast_at, source, content)
    SELECT b.round_id, b.participant_id, b.participant_id, b.cast_at, b.source,
        (SELECT json_group_object(i.proposal_id, i.points) FROM ballot_items i
          WHERE i.round_id = b.round_id AND i.participant_id = b.participant_id)
    FROM ballots b;
DROP TABLE ballot_items;
DROP TABLE ballots;
ALTER TABLE ballots_v3 RENAME TO ballots;
CREATE TABLE tie_settlements (
    round_id INTEGER PRIMARY KEY REFERENCES rounds(id), kind TEXT NOT NULL CHECK (kind IN ('runoff','draw','decision')),
    tied TEXT NOT NULL, places INTEGER NOT NULL, seed TEXT, chosen TEXT NOT NULL DEFAULT '[]',
    reason TEXT NOT NULL DEFAULT '', runoff_round INTEGER, settled_at TEXT NOT NULL
);
""" + _revision_triggers({"ballots": ("ballots",), "rounds": ("tie_settlements",)})


def _friendly_sqlite_error(exc: sqlite3.Error, path: Path) -> RoundtableError:
    msg = str(exc).lower()
    if "disk is full" in msg or "disk i/o" in msg:
        return RoundtableError(f"Could not save to {path}: the disk is full or failing; nothing was changed.")
    if "locked" in msg or "busy" in msg:
        return RoundtableError(f"Session {path.name} is busy in another process; try again in a moment.")
    if "readonly" in msg or "read-only" in msg:
        return RoundtableError(f"Session file {path} is read-only; nothing was changed.")
    if "not a database" in msg or "malformed" in msg or "file is encrypted" in msg:
        return RoundtableError(f"{path} is not a roundtable session file (or it is damaged).")
    return RoundtableError(f"Session store error in {path}: {exc}.")


class Store:
    """A connection to one session database, safe to share between threads."""

    def __init__(self, path: Path, *, create: bool = False):
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise RoundtableError(f"No session file at {self.path}.")
        self._lock = threading.RLock()
        self._local_writes = 0
        try:
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=10.0
            )
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA busy_timeout = 10000")
            self._db.execute("PRAGMA foreign_keys = ON")
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise RoundtableError(f"Could not switch {self.path} to WAL mode (got {mode}).")
            self._db.execute("PRAGMA synchronous = NORMAL")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if create and version == 0:
                with self.write() as db:
                    db.executescript_in_tx(SCHEMA)
                    db.executescript_in_tx(MIGRATE_1_TO_2)
                    db.executescript_in_tx(MIGRATE_2_TO_3)
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                    db.execute("INSERT INTO timer (id, block, running, accumulated) VALUES (1, NULL, 0, 0)")
            elif version in (1, 2):
                # A session from an earlier version: upgrade in place, all or nothing.
                with self.write() as db:
                    current = db.one("PRAGMA user_version")[0]
                    if current == 1:
                        db.executescript_in_tx(MIGRATE_1_TO_2)
                    if current in (1, 2):
                        db.executescript_in_tx(MIGRATE_2_TO_3)
                        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            elif version != SCHEMA_VERSION:
                raise RoundtableError(
                    f"{self.path} is not a roundtable session file (or was written by another version)."
                )
        except sqlite3.Error as exc:
            raise _friendly_sqlite_error(exc, self.path) from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- transactions ------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator["_Tx"]:
        """One transaction; committed on success, rolled back whole on any error."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _friendly_sqlite_error(exc, self.path) from None
            try:
                yield _Tx(self._db)
                self._db.execute("COMMIT")
                self._local_writes += 1
            except BaseException as exc:
                try:
                    self._db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                if isinstance(exc, sqlite3.Error):
                    raise _friendly_sqlite_error(exc, self.path) from None
                raise

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise _friendly_sqlite_error(exc, self.path) from None

    def query_one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    @contextmanager
    def snapshot(self) -> Iterator["_Tx"]:
        """A consistent read across several queries (one read transaction)."""
        with self._lock:
            try:
                self._db.execute("BEGIN")
                yield _Tx(self._db)
            except sqlite3.Error as exc:
                raise _friendly_sqlite_error(exc, self.path) from None
            finally:
                try:
                    self._db.execute("COMMIT")
                except sqlite3.Error:
                    pass

    def change_token(self) -> tuple[int, int]:
        """Changes when any process (this one included) commits to the session."""
        with self._lock:
            try:
                dv = self._db.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error as exc:
                raise _friendly_sqlite_error(exc, self.path) from None
            return dv, self._local_writes

    def revisions(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.query("SELECT area, rev FROM revisions")}

    # -- meta --------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        return {r["key"]: r["value"] for r in self.query("SELECT key, value FROM meta")}


class _Tx:
    """Thin wrapper so callers inside a transaction cannot commit by accident."""

    def __init__(self, db: sqlite3.Connection):
        self._db = db

    def execute(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        return self._db.execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> sqlite3.Cursor:
        return self._db.executemany(sql, rows)

    def all(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self._db.execute(sql, params).fetchall()

    def one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        return self._db.execute(sql, params).fetchone()

    def executescript_in_tx(self, script: str) -> None:
        # executescript() would COMMIT first; run the statements one by one instead
        # (joining pieces until SQLite sees a whole statement, for trigger bodies).
        pending = ""
        for piece in script.split(";"):
            pending += piece + ";"
            if sqlite3.complete_statement(pending):
                if pending.strip(" \n;"):
                    self._db.execute(pending)
                pending = ""

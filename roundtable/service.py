"""The service layer: every operation on a session goes through here.

The TUI, the CLI and any served client call these methods; none of them touches
SQL or files directly. Each mutating method is one transaction: it is committed
before the method returns, or it raises RoundtableError and changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import NotFound, Refused, RoundChanged, RoundtableError
from .models import (
    Action,
    ActionStatus,
    AgendaItem,
    BallotRecord,
    ConsentVote,
    Decision,
    EvaluationNote,
    Group,
    ImportReport,
    InjectState,
    Participant,
    Proposal,
    ProposalStatus,
    Role,
    Round,
    RoundResults,
    RoundStatus,
    SessionInfo,
    TalkRecord,
    Tie,
    TieSettlement,
    TimerState,
)
from .scenario import Scenario, Timeframe
from .scenarios import LoadedScenario, ScenarioError, parse_scenario
from .store import Store, _Tx
from . import voting

SESSION_SUFFIX = ".sqlite"
# No 0/O, 1/I/L: codes are read off badges and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# 8 characters from 31: about 8.5e11 codes, so guessing one of 60 in a room is hopeless,
# and the participant gate slows repeated wrong attempts down on top of that.
CODE_LENGTH = 8
JOIN_CODE_LENGTH = 6
THROTTLE_WINDOW = 15 * 60  # seconds a wrong code counts against its client
FREE_ATTEMPTS = 3
MAX_WAIT = 300.0
MAX_TEXT = 5000
MAX_TITLE = 200


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _iso(t: dt.datetime | None) -> str | None:
    return t.isoformat() if t else None


def _dt(s: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(s) if s else None


def default_sessions_dir(explicit: str | Path | None = None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get("ROUNDTABLE_SESSIONS")
    return Path(env) if env else Path.cwd() / "sessions"


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


def format_code(code: str | None) -> str:
    """ABCD-EFGH: easier to read aloud and to type from a badge."""
    if not code:
        return ""
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


def _clean(text: str | None, field: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    value = (text or "").strip()
    if required and not value:
        raise Refused(f"The {field} cannot be empty.")
    if len(value) > limit:
        raise Refused(f"The {field} is {len(value)} characters long; at most {limit} are allowed.")
    return value


def _parse_date(value: str | dt.date | None, field: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise Refused(f"The {field} '{value}' is not a date of the form YYYY-MM-DD.") from None


@dataclass(frozen=True)
class SessionSummary:
    id: str
    title: str
    scenario_id: str
    date: str
    path: Path
    modified: float
    error: str | None = None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "session"


def create_session(
    loaded: LoadedScenario,
    *,
    variant: str | None = None,
    title: str | None = None,
    date: str | dt.date | None = None,
    venue: str = "",
    facilitator: str = "",
    sessions_dir: str | Path | None = None,
    clock: Callable[[], float] = time.time,
) -> "SessionService":
    scenario = loaded.scenario
    try:
        chosen = scenario.variant(variant)
    except KeyError as exc:
        raise NotFound(str(exc.args[0]).capitalize() + ".") from None
    when = _parse_date(date, "date") or dt.date.today()
    title = _clean(title, "title", limit=MAX_TITLE) or f"{scenario.title} · {chosen.title}"
    directory = default_sessions_dir(sessions_dir)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RoundtableError(f"Cannot create the sessions folder {directory}: {exc.strerror or exc}.") from None
    session_id = f"{when.isoformat()}-{_slug(scenario.id)}-{secrets.token_hex(2)}"
    path = directory / f"{session_id}{SESSION_SUFFIX}"
    store = Store(path, create=True)
    created = dt.datetime.fromtimestamp(clock(), dt.timezone.utc).replace(microsecond=0)
    try:
        with store.write() as tx:
            meta = {
                "id": session_id,
                "title": title,
                "scenario_id": scenario.id,
                "scenario_title": scenario.title,
                "scenario_text": loaded.text,
                "scenario_sha256": loaded.sha256,
                "scenario_path": str(loaded.path or ""),
                "variant": chosen.id,
                "language": scenario.language,
                "date": when.isoformat(),
                "venue": _clean(venue, "venue", limit=MAX_TITLE),
                "facilitator": _clean(facilitator, "facilitator", limit=MAX_TITLE),
                "created_at": created.isoformat(),
                "join_code": _random_code(JOIN_CODE_LENGTH),
            }
            tx.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", list(meta.items()))
            for n, block in enumerate(chosen.blocks):
                tx.execute(
                    "INSERT INTO agenda (position, title, kind, planned_minutes, phase_id, talk_id) VALUES (?,?,?,?,?,?)",
                    (n, block.title, block.kind.value, block.minutes, block.phase, block.talk),
                )
            for n, talk in enumerate(scenario.talks):
                tx.execute(
                    "INSERT INTO talks (id, title, speaker, organisation, planned_minutes, position) VALUES (?,?,?,?,?,?)",
                    (talk.id, talk.title, talk.speaker_role, talk.organisation, talk.minutes, n),
                )
            for phase in scenario.phases:
                for inject in phase.injects:
                    tx.execute("INSERT INTO injects (id, phase_id) VALUES (?, ?)", (inject.id, phase.id))
    except BaseException:
        store.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        raise
    return SessionService(store, clock=clock)


def list_sessions(sessions_dir: str | Path | None = None) -> list[SessionSummary]:
    directory = default_sessions_dir(sessions_dir)
    if not directory.is_dir():
        return []
    out: list[SessionSummary] = []
    for path in directory.glob(f"*{SESSION_SUFFIX}"):
        mtime = max(
            (p.stat().st_mtime for p in (path, Path(str(path) + "-wal")) if p.exists()), default=0.0
        )
        try:
            # Read-only URI: listing must never create or change anything.
            # as_uri() escapes "#", "?" and "%" in folder names, which a raw "file:" URI would misread.
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2)
            try:
                meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('id','title','scenario_id','date')"))
            finally:
                db.close()
            out.append(
                SessionSummary(meta["id"], meta["title"], meta["scenario_id"], meta.get("date", ""), path, mtime)
            )
        except (sqlite3.Error, KeyError):
            out.append(SessionSummary(path.stem, "(unreadable session file)", "", "", path, mtime, "unreadable"))
    out.sort(key=lambda s: s.modified, reverse=True)
    return out


def session_path(ref: str, sessions_dir: str | Path | None = None) -> Path:
    candidate = Path(ref)
    if candidate.suffix == SESSION_SUFFIX or "/" in ref or os.sep in ref:
        if not candidate.is_file():
            raise NotFound(f"No session file at {candidate}.")
        return candidate
    directory = default_sessions_dir(sessions_dir)
    exact = directory / f"{ref}{SESSION_SUFFIX}"
    if exact.is_file():
        return exact
    matches = sorted(directory.glob(f"{glob_escape(ref)}*{SESSION_SUFFIX}")) if directory.is_dir() else []
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        names = ", ".join(m.stem for m in matches[:5])
        raise NotFound(f"Session '{ref}' is ambiguous in {directory}: {names}.")
    raise NotFound(f"No session '{ref}' in {directory} (see `roundtable sessions`).")


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def open_session(ref: str, sessions_dir: str | Path | None = None, **kw) -> "SessionService":
    return SessionService(Store(session_path(ref, sessions_dir)), **kw)


class SessionService:
    def __init__(self, store: Store, *, clock: Callable[[], float] = time.time):
        self.store = store
        self.clock = clock
        meta = store.meta()
        if "scenario_text" not in meta:
            raise RoundtableError(f"{store.path} is not a roundtable session file.")
        try:
            # The session keeps its own copy of the scenario: it stays readable even if
            # the file it came from is edited or removed.
            self.scenario: Scenario = parse_scenario(meta["scenario_text"], f"{store.path} (stored scenario)")
        except ScenarioError as exc:
            raise RoundtableError(f"The scenario stored in {store.path} is invalid: {exc}") from None
        self.id = meta["id"]
        if not meta.get("join_code"):
            # sessions made before join codes existed get one on first open
            with store.write() as tx:
                if tx.one("SELECT 1 FROM meta WHERE key = 'join_code' AND value != ''") is None:
                    _set_meta(tx, "join_code", _random_code(JOIN_CODE_LENGTH))

    @property
    def path(self) -> Path:
        return self.store.path

    def close(self) -> None:
        self.store.close()

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.timezone.utc).replace(microsecond=0)

    def change_token(self) -> tuple[int, int]:
        return self.store.change_token()

    def revisions(self) -> dict[str, int]:
        """Per-area change counters (session, people, proposals, rounds, ballots…)."""
        return self.store.revisions()

    # -- joining from participant devices ---------------------------------------
    def join_code(self) -> str:
        return self.store.meta()["join_code"]

    def reissue_join_code(self) -> str:
        with self.store.write() as tx:
            code = _random_code(JOIN_CODE_LENGTH)
            _set_meta(tx, "join_code", code)
        return code

    def join_url(self) -> str:
        """The address `roundtable serve` announced for this session ('' when not served)."""
        return self.store.meta().get("join_url", "")

    def set_join_url(self, url: str) -> None:
        with self.store.write() as tx:
            _set_meta(tx, "join_url", _clean(url, "join URL", limit=500))

    def throttle_wait(self, client: str) -> float:
        """Seconds `client` must wait before its next code attempt (0 = may try now).

        The first few wrong codes are free (typos); after that each wrong code doubles
        the wait, up to five minutes. Kept in the store, so restarting a client or the
        server does not reset it.
        """
        now = self.clock()
        rows = self.store.query(
            "SELECT at FROM auth_failures WHERE client = ? AND at > ? ORDER BY at",
            (client, now - THROTTLE_WINDOW),
        )
        excess = len(rows) - FREE_ATTEMPTS
        if excess <= 0:
            return 0.0
        wait = min(2.0 ** excess, MAX_WAIT)
        return max(0.0, rows[-1][0] + wait - now)

    def record_code_failure(self, client: str) -> float:
        """Note a wrong code from `client`; returns the wait it now faces."""
        now = self.clock()
        with self.store.write() as tx:
            tx.execute("DELETE FROM auth_failures WHERE at < ?", (now - THROTTLE_WINDOW,))
            tx.execute("INSERT INTO auth_failures (client, at) VALUES (?, ?)", (client, now))
        return self.throttle_wait(client)

    def clear_code_failures(self, client: str) -> None:
        if self.store.query_one("SELECT 1 FROM auth_failures WHERE client = ?", (client,)):
            with self.store.write() as tx:
                tx.execute("DELETE FROM auth_failures WHERE client = ?", (client,))

    # -- session -----------------------------------------------------------
    def info(self) -> SessionInfo:
        m = self.store.meta()
        return SessionInfo(
            id=m["id"],
            title=m["title"],
            scenario_id=m["scenario_id"],
            scenario_title=m["scenario_title"],
            scenario_sha256=m["scenario_sha256"],
            variant=m["variant"],
            language=m["language"],
            date=m.get("date") or None,
            venue=m.get("venue", ""),
            facilitator=m.get("facilitator", ""),
            created_at=m["created_at"],
            started_at=m.get("started_at") or None,
            ended_at=m.get("ended_at") or None,
        )

    def scenario_text(self) -> str:
        return self.store.meta()["scenario_text"]

    def update_info(
        self, *, title: str | None = None, date: str | None = None, venue: str | None = None,
        facilitator: str | None = None,
    ) -> SessionInfo:
        changes: dict[str, str] = {}
        if title is not None:
            changes["title"] = _clean(title, "title", required=True, limit=MAX_TITLE)
        if date is not None:
            d = _parse_date(date, "date")
            changes["date"] = d.isoformat() if d else ""
        if venue is not None:
            changes["venue"] = _clean(venue, "venue", limit=MAX_TITLE)
        if facilitator is not None:
            changes["facilitator"] = _clean(facilitator, "facilitator", limit=MAX_TITLE)
        with self.store.write() as tx:
            for k, v in changes.items():
                _set_meta(tx, k, v)
        return self.info()

    # -- groups ------------------------------------------------------------
    def groups(self) -> list[Group]:
        return [Group(id=r["id"], name=r["name"]) for r in self.store.query("SELECT id, name FROM groups ORDER BY position")]

    def add_group(self, name: str) -> Group:
        name = _clean(name, "group name", required=True, limit=80)
        with self.store.write() as tx:
            group = self._add_group(tx, name)
        return group

    def _add_group(self, tx: _Tx, name: str) -> Group:
        if tx.one("SELECT 1 FROM groups WHERE name = ?", (name,)):
            raise Refused(f"There is already a group called '{name}'.")
        n = _next_number(tx, "group")
        gid = f"G{n}"
        tx.execute("INSERT INTO groups (id, name, position) VALUES (?, ?, ?)", (gid, name, n))
        return Group(id=gid, name=name)

    def resolve_group(self, ref: str) -> Group:
        ref = (ref or "").strip()
        row = self.store.query_one(
            "SELECT id, name FROM groups WHERE upper(id) = upper(?) OR name = ? COLLATE NOCASE", (ref, ref)
        )
        if row is None:
            raise NotFound(f"No group '{ref}' in this session (add it first with `group add`).")
        return Group(id=row["id"], name=row["name"])

    def rename_group(self, ref: str, name: str) -> Group:
        group = self.resolve_group(ref)
        name = _clean(name, "group name", required=True, limit=80)
        with self.store.write() as tx:
            clash = tx.one("SELECT id FROM groups WHERE name = ? AND id != ?", (name, group.id))
            if clash:
                raise Refused(f"There is already a group called '{name}'.")
            tx.execute("UPDATE groups SET name = ? WHERE id = ?", (name, group.id))
        return Group(id=group.id, name=name)

    def remove_group(self, ref: str) -> None:
        group = self.resolve_group(ref)
        with self.store.write() as tx:
            n = tx.one("SELECT count(*) FROM proposals WHERE group_id = ?", (group.id,))[0]
            if n:
                raise Refused(
                    f"Group '{group.name}' has {n} proposal(s); delete or move them before removing the group."
                )
            tx.execute("UPDATE participants SET group_id = NULL WHERE group_id = ?", (group.id,))
            tx.execute("DELETE FROM groups WHERE id = ?", (group.id,))

    # -- participants --------------------------------------------------------
    def participants(self) -> list[Participant]:
        return [_participant(r) for r in self.store.query("SELECT * FROM participants ORDER BY position")]

    def participant(self, pid: str) -> Participant:
        row = self.store.query_one("SELECT * FROM participants WHERE upper(id) = upper(?)", (pid.strip(),))
        if row is None:
            raise NotFound(f"No participant '{pid}' in this session.")
        return _participant(row)

    def add_participant(
        self, name: str, *, organisation: str = "", sector: str = "", group: str | None = None,
        role: str | Role = Role.participant,
    ) -> Participant:
        fields = self._participant_fields(name, organisation, sector, group, role)
        with self.store.write() as tx:
            return self._insert_participant(tx, **fields)

    def _participant_fields(self, name, organisation, sector, group, role) -> dict:
        try:
            role = Role(role)
        except ValueError:
            raise Refused(f"Role '{role}' is not one of participant, observer, facilitator.") from None
        return {
            "name": _clean(name, "participant name", required=True, limit=120),
            "organisation": _clean(organisation, "organisation", limit=120),
            "sector": _clean(sector, "sector", limit=60),
            "group_id": self.resolve_group(group).id if group else None,
            "role": role,
        }

    def _insert_participant(self, tx: _Tx, *, name, organisation, sector, group_id, role) -> Participant:
        n = _next_number(tx, "participant")
        pid = f"M{n}"
        code = _new_code(tx) if role.votes else None
        tx.execute(
            "INSERT INTO participants (id, name, organisation, sector, group_id, role, code, created_at, position)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (pid, name, organisation, sector, group_id, role.value, code, _iso(self.now()), n),
        )
        return Participant(
            id=pid, name=name, organisation=organisation, sector=sector, group_id=group_id, role=role, code=code
        )

    def update_participant(
        self, pid: str, *, name: str | None = None, organisation: str | None = None,
        sector: str | None = None, group: str | None = None, role: str | Role | None = None,
    ) -> Participant:
        current = self.participant(pid)
        fields = self._participant_fields(
            current.name if name is None else name,
            current.organisation if organisation is None else organisation,
            current.sector if sector is None else sector,
            (current.group_id or "") if group is None else group,
            current.role if role is None else role,
        )
        with self.store.write() as tx:
            code = current.code
            if fields["role"].votes and not code:
                code = _new_code(tx)
            if not fields["role"].votes:
                if self._has_ballots(tx, current.id):
                    raise Refused(f"{current.name} has already voted; they must stay a voting participant.")
                code = None
            # a scribe types for their group: moving them elsewhere ends that
            scribe = current.scribe and fields["group_id"] == current.group_id
            tx.execute(
                "UPDATE participants SET name=?, organisation=?, sector=?, group_id=?, role=?, code=?, scribe=?"
                " WHERE id=?",
                (fields["name"], fields["organisation"], fields["sector"], fields["group_id"],
                 fields["role"].value, code, int(scribe), current.id),
            )
        return self.participant(current.id)

    def reissue_code(self, pid: str) -> Participant:
        """Revoke a participant's voting code and give them a new one."""
        current = self.participant(pid)
        if not current.role.votes:
            raise Refused(f"{current.name} is {_a(current.role.value)} and has no voting code.")
        with self.store.write() as tx:
            tx.execute("UPDATE participants SET code = ? WHERE id = ?", (_new_code(tx), current.id))
        return self.participant(current.id)

    def revoke_code(self, pid: str) -> Participant:
        """Withdraw a voting code without a new one (a lost badge); reissue_code gives one."""
        current = self.participant(pid)
        if not current.role.votes:
            raise Refused(f"{current.name} is {_a(current.role.value)} and has no voting code.")
        with self.store.write() as tx:
            tx.execute("UPDATE participants SET code = NULL WHERE id = ?", (current.id,))
        return self.participant(current.id)

    def set_scribe(self, pid: str, scribe: bool = True) -> Participant:
        """Mark who types a group's proposals from the participant app."""
        current = self.participant(pid)
        if scribe and not current.group_id:
            raise Refused(f"{current.name} is not in a group; put them in one before making them its scribe.")
        with self.store.write() as tx:
            tx.execute("UPDATE participants SET scribe = ? WHERE id = ?", (int(bool(scribe)), current.id))
        return self.participant(current.id)

    def remove_participant(self, pid: str) -> None:
        current = self.participant(pid)
        with self.store.write() as tx:
            if self._has_ballots(tx, current.id):
                raise Refused(f"{current.name} has cast a ballot; removing them would change a vote's result.")
            tx.execute("DELETE FROM participants WHERE id = ?", (current.id,))

    @staticmethod
    def _has_ballots(tx: _Tx, pid: str) -> bool:
        return tx.one("SELECT 1 FROM ballots WHERE voter = ? OR cast_by = ?", (pid, pid)) is not None

    def import_participants_csv(self, path: str | Path) -> ImportReport:
        """Rows with columns name, organisation, sector, group (header optional).

        Good rows are added and unknown groups created, all in one transaction;
        the report names every row that could not be taken and why.
        """
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise NotFound(f"Cannot read {path}: {exc.strerror or exc}.") from None
        if b"\x00" in raw:
            raise Refused(f"{path} is a binary file, not a CSV list of participants.")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")  # Excel on Windows saves this way
        sample = text[:4096]
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
        except csv.Error:
            # The sniffer gives up when rows differ in length (exactly the rows we must report);
            # fall back to the most frequent delimiter rather than always a comma.
            counts = {d: sample.count(d) for d in ",;\t"}
            best = max(counts, key=lambda d: counts[d])
            dialect = csv.excel
            if counts[best] and best != ",":
                dialect = type("_Sniffed", (csv.excel,), {"delimiter": best})
        rows = list(csv.reader(io.StringIO(text), dialect))
        columns = ["name", "organisation", "sector", "group"]
        start = 0
        if rows and [c.strip().lower() for c in rows[0]][:1] in (["name"], ["namn"]):
            header = [c.strip().lower() for c in rows[0]]
            aliases = {"namn": "name", "organization": "organisation", "organisation": "organisation",
                       "org": "organisation", "sektor": "sector", "grupp": "group", "table": "group", "bord": "group"}
            columns = [aliases.get(h, h) for h in header]
            start = 1
        added: list[Participant] = []
        skipped: list[str] = []
        created: list[str] = []
        with self.store.write() as tx:
            for lineno, row in enumerate(rows[start:], start + 1):
                if not any(c.strip() for c in row):
                    continue
                rec = {columns[i]: v.strip() for i, v in enumerate(row) if i < len(columns)}
                name = rec.get("name", "")
                if not name:
                    skipped.append(f"row {lineno}: no name")
                    continue
                if len(row) > len(columns) and any(c.strip() for c in row[len(columns):]):
                    skipped.append(f"row {lineno} ({name}): has {len(row)} columns, expected at most {len(columns)}")
                    continue
                too_long = next((k for k, v in rec.items() if len(v) > 120), None)
                if too_long:
                    skipped.append(f"row {lineno} ({name[:40]}): {too_long} is longer than 120 characters")
                    continue
                group_id = None
                gname = rec.get("group", "")
                if gname:
                    row_g = tx.one(
                        "SELECT id FROM groups WHERE upper(id) = upper(?) OR name = ? COLLATE NOCASE", (gname, gname)
                    )
                    if row_g is None:
                        if len(gname) > 80:
                            skipped.append(f"row {lineno} ({name}): group name is longer than 80 characters")
                            continue
                        g = self._add_group(tx, gname)
                        created.append(g.name)
                        group_id = g.id
                    else:
                        group_id = row_g["id"]
                added.append(
                    self._insert_participant(
                        tx, name=name, organisation=rec.get("organisation", ""), sector=rec.get("sector", ""),
                        group_id=group_id, role=Role.participant,
                    )
                )
        if not added and not skipped:
            raise Refused(f"{path} has no participant rows.")
        return ImportReport(added=added, skipped=skipped, groups_created=created)

    # -- talks ---------------------------------------------------------------
    def talks(self) -> list[TalkRecord]:
        return [_talk(r) for r in self.store.query("SELECT * FROM talks ORDER BY position")]

    def update_talk(
        self, talk_id: str, *, speaker: str | None = None, organisation: str | None = None,
        key_points: Sequence[str] | None = None, title: str | None = None,
    ) -> TalkRecord:
        row = self.store.query_one("SELECT * FROM talks WHERE id = ?", (talk_id,))
        if row is None:
            raise NotFound(f"No talk '{talk_id}' in this session.")
        t = _talk(row)
        points = [_clean(p, "key point", limit=1000) for p in (t.key_points if key_points is None else key_points)]
        with self.store.write() as tx:
            tx.execute(
                "UPDATE talks SET title=?, speaker=?, organisation=?, key_points=? WHERE id=?",
                (
                    _clean(t.title if title is None else title, "talk title", required=True, limit=MAX_TITLE),
                    _clean(t.speaker if speaker is None else speaker, "speaker", limit=120),
                    _clean(t.organisation if organisation is None else organisation, "organisation", limit=120),
                    json.dumps([p for p in points if p], ensure_ascii=False),
                    talk_id,
                ),
            )
        return _talk(self.store.query_one("SELECT * FROM talks WHERE id = ?", (talk_id,)))

    def add_talk(self, title: str, *, speaker: str = "", organisation: str = "") -> TalkRecord:
        title = _clean(title, "talk title", required=True, limit=MAX_TITLE)
        with self.store.write() as tx:
            n = _next_number(tx, "talk")
            tid = f"talk-{n}"
            while tx.one("SELECT 1 FROM talks WHERE id = ?", (tid,)):
                n += 1
                tid = f"talk-{n}"
            pos = tx.one("SELECT coalesce(max(position), -1) + 1 FROM talks")[0]
            tx.execute(
                "INSERT INTO talks (id, title, speaker, organisation, position) VALUES (?,?,?,?,?)",
                (tid, title, _clean(speaker, "speaker", limit=120), _clean(organisation, "organisation", limit=120), pos),
            )
        return _talk(self.store.query_one("SELECT * FROM talks WHERE id = ?", (tid,)))

    # -- agenda and timer ----------------------------------------------------
    def agenda(self) -> list[AgendaItem]:
        return [
            AgendaItem(
                position=r["position"], title=r["title"], kind=r["kind"], planned_minutes=r["planned_minutes"],
                phase_id=r["phase_id"], talk_id=r["talk_id"], started_at=r["started_at"], ended_at=r["ended_at"],
                extra_seconds=r["extra_seconds"],
            )
            for r in self.store.query("SELECT * FROM agenda ORDER BY position")
        ]

    def timer(self) -> TimerState:
        with self.store.snapshot() as tx:
            return self._timer(tx)

    def _timer(self, tx: _Tx) -> TimerState:
        t = tx.one("SELECT * FROM timer WHERE id = 1")
        if t["block"] is None:
            return TimerState(block=None, running=False, elapsed_seconds=0, planned_seconds=0)
        block = tx.one("SELECT planned_minutes, extra_seconds FROM agenda WHERE position = ?", (t["block"],))
        elapsed = t["accumulated"]
        if t["running"] and t["run_started_at"]:
            elapsed += max(0.0, self.clock() - _dt(t["run_started_at"]).timestamp())
        return TimerState(
            block=t["block"], running=bool(t["running"]), elapsed_seconds=elapsed,
            planned_seconds=block["planned_minutes"] * 60 + block["extra_seconds"],
        )

    def current_block(self) -> AgendaItem | None:
        t = self.timer()
        if t.block is None:
            return None
        return next((a for a in self.agenda() if a.position == t.block), None)

    def start_timer(self) -> TimerState:
        """Start the agenda (first block) or resume a paused block."""
        with self.store.write() as tx:
            t = tx.one("SELECT * FROM timer WHERE id = 1")
            if self.store.meta().get("ended_at"):
                raise Refused("The session has ended; the agenda is complete.")
            now = self.now()
            if t["block"] is None:
                first = tx.one("SELECT min(position) FROM agenda")[0]
                if first is None:
                    raise Refused("The agenda is empty.")
                self._begin_block(tx, first, now)
            elif not t["running"]:
                tx.execute("UPDATE timer SET running = 1, run_started_at = ? WHERE id = 1", (_iso(now),))
            return self._timer(tx)

    def pause_timer(self) -> TimerState:
        with self.store.write() as tx:
            t = tx.one("SELECT * FROM timer WHERE id = 1")
            if t["block"] is None or not t["running"]:
                raise Refused("The timer is not running.")
            elapsed = t["accumulated"] + max(0.0, self.clock() - _dt(t["run_started_at"]).timestamp())
            tx.execute("UPDATE timer SET running = 0, run_started_at = NULL, accumulated = ? WHERE id = 1", (elapsed,))
            return self._timer(tx)

    def extend_block(self, minutes: int = 5) -> TimerState:
        if not -600 <= minutes <= 600 or minutes == 0:
            raise Refused("Change the block by between 1 and 600 minutes (negative to shorten it).")
        with self.store.write() as tx:
            t = tx.one("SELECT block FROM timer WHERE id = 1")
            if t["block"] is None:
                raise Refused("No agenda block is running yet; start the agenda first.")
            tx.execute(
                "UPDATE agenda SET extra_seconds = max(-planned_minutes * 60, extra_seconds + ?) WHERE position = ?",
                (minutes * 60, t["block"]),
            )
            return self._timer(tx)

    def next_block(self) -> TimerState:
        """End the current block and start the next; after the last, the session ends."""
        with self.store.write() as tx:
            t = tx.one("SELECT * FROM timer WHERE id = 1")
            now = self.now()
            if t["block"] is None:
                if self.store.meta().get("ended_at"):
                    raise Refused("The session has ended; the agenda is complete.")
                first = tx.one("SELECT min(position) FROM agenda")[0]
                self._begin_block(tx, first, now)
                return self._timer(tx)
            tx.execute("UPDATE agenda SET ended_at = ? WHERE position = ?", (_iso(now), t["block"]))
            nxt = tx.one("SELECT min(position) FROM agenda WHERE position > ?", (t["block"],))[0]
            if nxt is None:
                tx.execute("UPDATE timer SET block = NULL, running = 0, run_started_at = NULL, accumulated = 0")
                _set_meta(tx, "ended_at", _iso(now))
            else:
                self._begin_block(tx, nxt, now)
            return self._timer(tx)

    def _begin_block(self, tx: _Tx, position: int, now: dt.datetime) -> None:
        tx.execute(
            "UPDATE agenda SET started_at = coalesce(started_at, ?), ended_at = NULL WHERE position = ?",
            (_iso(now), position),
        )
        tx.execute(
            "UPDATE timer SET block = ?, running = 1, run_started_at = ?, accumulated = 0 WHERE id = 1",
            (position, _iso(now)),
        )
        if not tx.one("SELECT 1 FROM meta WHERE key = 'started_at'"):
            _set_meta(tx, "started_at", _iso(now))

    def end_session(self) -> SessionInfo:
        with self.store.write() as tx:
            now = self.now()
            t = tx.one("SELECT block FROM timer WHERE id = 1")
            if t["block"] is not None:
                tx.execute("UPDATE agenda SET ended_at = ? WHERE position = ?", (_iso(now), t["block"]))
            tx.execute("UPDATE timer SET block = NULL, running = 0, run_started_at = NULL, accumulated = 0")
            _set_meta(tx, "ended_at", _iso(now))
        return self.info()

    def current_phase_id(self) -> str | None:
        """The phase of the running block, else of the nearest block before it that has one."""
        t = self.timer()
        agenda = self.agenda()
        upto = t.block if t.block is not None else -1
        for item in reversed([a for a in agenda if a.position <= upto]):
            if item.phase_id:
                return item.phase_id
        return self.scenario.phases[0].id

    # -- injects -------------------------------------------------------------
    def injects(self) -> list[InjectState]:
        order = {j.id: n for n, (_, j) in enumerate((p, j) for p in self.scenario.phases for j in p.injects)}
        rows = self.store.query("SELECT * FROM injects")
        states = [InjectState(id=r["id"], phase_id=r["phase_id"], revealed_at=r["revealed_at"]) for r in rows]
        return sorted(states, key=lambda s: order.get(s.id, 1 << 30))

    def reveal_inject(self, inject_id: str) -> InjectState:
        if self.scenario.inject(inject_id) is None:
            raise NotFound(f"No inject '{inject_id}' in scenario '{self.scenario.id}'.")
        with self.store.write() as tx:
            row = tx.one("SELECT * FROM injects WHERE id = ?", (inject_id,))
            if row["revealed_at"]:
                raise Refused(f"Inject '{inject_id}' was already revealed at {row['revealed_at']}.")
            tx.execute("UPDATE injects SET revealed_at = ? WHERE id = ?", (_iso(self.now()), inject_id))
        return next(s for s in self.injects() if s.id == inject_id)

    def due_injects(self) -> list[str]:
        """Unrevealed injects whose at_minute has passed in the running group-work block."""
        block = self.current_block()
        if block is None or block.kind != "group_work" or not block.phase_id:
            return []
        phase = self.scenario.phase(block.phase_id)
        elapsed_min = self.timer().elapsed_seconds / 60
        revealed = {s.id for s in self.injects() if s.revealed_at}
        return [
            j.id for j in phase.injects
            if j.at_minute is not None and j.at_minute <= elapsed_min and j.id not in revealed
        ]

    # -- proposals -----------------------------------------------------------
    def proposals(
        self, *, group: str | None = None, step: int | None = None, timeframe: str | None = None,
        include_merged: bool = True,
    ) -> list[Proposal]:
        sql, params = "SELECT * FROM proposals WHERE 1=1", []
        if group:
            sql += " AND group_id = ?"
            params.append(self.resolve_group(group).id)
        if step is not None:
            sql += " AND step = ?"
            params.append(int(step))
        if timeframe:
            sql += " AND timeframe = ?"
            params.append(timeframe)
        if not include_merged:
            sql += " AND status != 'merged'"
        return [_proposal(r) for r in self.store.query(sql + " ORDER BY number", tuple(params))]

    def proposal(self, pid: str) -> Proposal:
        pid = _proposal_id(pid)
        row = self.store.query_one("SELECT * FROM proposals WHERE id = ?", (pid,))
        if row is None:
            raise NotFound(f"No proposal {pid} in this session.")
        return _proposal(row)

    def _proposal_fields(self, title, text, step, timeframe, actors) -> dict:
        if step not in (None, ""):
            try:
                step = int(step)
            except (TypeError, ValueError):
                step = -1
            if step not in (1, 2, 3):
                raise Refused("Step must be 1 (information), 2 (knowledge) or 3 (evaluation).")
        else:
            step = None
        if timeframe not in (None, ""):
            if timeframe not in {t.value for t in Timeframe}:
                raise Refused("Timeframe must be before, during or after.")
        else:
            timeframe = None
        actors = [_clean(a, "actor", limit=120) for a in (actors or [])]
        return {
            "title": _clean(title, "proposal title", required=True, limit=MAX_TITLE),
            "text": _clean(text, "proposal text"),
            "step": step,
            "timeframe": timeframe,
            "actors": json.dumps([a for a in actors if a], ensure_ascii=False),
        }

    def add_proposal(
        self, group: str, title: str, *, text: str = "", step: int | None = None,
        timeframe: str | None = None, actors: Sequence[str] = (),
    ) -> Proposal:
        g = self.resolve_group(group)
        f = self._proposal_fields(title, text, step, timeframe, actors)
        now = _iso(self.now())
        with self.store.write() as tx:
            n = _next_number(tx, "proposal")
            pid = f"P{n}"
            tx.execute(
                "INSERT INTO proposals (id, number, group_id, title, text, step, timeframe, actors, status,"
                " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,'proposed',?,?)",
                (pid, n, g.id, f["title"], f["text"], f["step"], f["timeframe"], f["actors"], now, now),
            )
        return self.proposal(pid)

    def update_proposal(
        self, pid: str, *, group: str | None = None, title: str | None = None, text: str | None = None,
        step: int | None | str = "keep", timeframe: str | None = "keep", actors: Sequence[str] | None = None,
        status: str | None = None,
    ) -> Proposal:
        p = self.proposal(pid)
        f = self._proposal_fields(
            p.title if title is None else title,
            p.text if text is None else text,
            p.step if step == "keep" else step,
            p.timeframe if timeframe == "keep" else timeframe,
            p.actors if actors is None else actors,
        )
        gid = self.resolve_group(group).id if group else p.group_id
        new_status = p.status
        if status is not None:
            try:
                new_status = ProposalStatus(status)
            except ValueError:
                raise Refused("Status must be proposed, adopted, rejected or deferred.") from None
            if new_status is ProposalStatus.merged or p.status is ProposalStatus.merged:
                raise Refused("Use merge and unmerge to change whether a proposal is merged.")
        with self.store.write() as tx:
            tx.execute(
                "UPDATE proposals SET group_id=?, title=?, text=?, step=?, timeframe=?, actors=?, status=?,"
                " updated_at=? WHERE id=?",
                (gid, f["title"], f["text"], f["step"], f["timeframe"], f["actors"], new_status.value,
                 _iso(self.now()), p.id),
            )
        return self.proposal(p.id)

    def delete_proposal(self, pid: str) -> None:
        p = self.proposal(pid)
        with self.store.write() as tx:
            rounds = [r[0] for r in tx.all("SELECT round_id FROM round_proposals WHERE proposal_id = ?", (p.id,))]
            if rounds:
                raise Refused(f"{p.id} is part of voting round {rounds[0]}; it cannot be deleted.")
            merged = [r[0] for r in tx.all("SELECT id FROM proposals WHERE merged_into = ?", (p.id,))]
            if merged:
                raise Refused(f"{', '.join(merged)} are merged into {p.id}; unmerge them before deleting it.")
            tx.execute("DELETE FROM proposals WHERE id = ?", (p.id,))

    def merge_proposal(self, source: str, into: str) -> Proposal:
        """Mark `source` a duplicate of `into`; it stays in the minutes pointing there."""
        src, dst = self.proposal(source), self.proposal(into)
        if src.id == dst.id:
            raise Refused("A proposal cannot be merged into itself.")
        if dst.status is ProposalStatus.merged:
            raise Refused(f"{dst.id} is itself merged into {dst.merged_into}; merge into {dst.merged_into} instead.")
        if src.status is ProposalStatus.merged:
            raise Refused(f"{src.id} is already merged into {src.merged_into}.")
        with self.store.write() as tx:
            open_round = tx.one(
                "SELECT r.id FROM rounds r JOIN round_proposals rp ON rp.round_id = r.id"
                " WHERE r.closed_at IS NULL AND rp.proposal_id = ?", (src.id,)
            )
            if open_round:
                raise Refused(f"{src.id} is in open voting round {open_round[0]}; close the round before merging.")
            # Proposals already merged into the source now point at the new target.
            tx.execute("UPDATE proposals SET merged_into = ? WHERE merged_into = ?", (dst.id, src.id))
            tx.execute(
                "UPDATE proposals SET status = 'merged', merged_into = ?, updated_at = ? WHERE id = ?",
                (dst.id, _iso(self.now()), src.id),
            )
        return self.proposal(src.id)

    def unmerge_proposal(self, pid: str) -> Proposal:
        p = self.proposal(pid)
        if p.status is not ProposalStatus.merged:
            raise Refused(f"{p.id} is not merged.")
        with self.store.write() as tx:
            tx.execute(
                "UPDATE proposals SET status = 'proposed', merged_into = NULL, updated_at = ? WHERE id = ?",
                (_iso(self.now()), p.id),
            )
        return self.proposal(p.id)

    # -- voting rounds -------------------------------------------------------
    def rounds(self) -> list[Round]:
        with self.store.snapshot() as tx:
            return [self._round(tx, r) for r in tx.all("SELECT * FROM rounds ORDER BY id")]

    def _round(self, tx: _Tx, row) -> Round:
        props = [r[0] for r in tx.all(
            "SELECT proposal_id FROM round_proposals WHERE round_id = ? ORDER BY position", (row["id"],)
        )]
        settings = json.loads(row["settings"] or "{}")
        return Round(
            id=row["id"], method=row["method"], dots=row["dots"], max_per_proposal=row["max_per_proposal"],
            proposals=props, opened_at=row["opened_at"], closed_at=row["closed_at"], title=row["title"],
            revealed_at=row["revealed_at"], per_group=bool(row["per_group"]), reveal=row["reveal"],
            anonymous=bool(row["anonymous"]), runoff_of=row["runoff_of"], **settings,
        )

    def round(self, round_id: int | None = None) -> Round:
        """The given round, or the latest one."""
        with self.store.snapshot() as tx:
            return self._round(tx, self._round_row(tx, round_id))

    @staticmethod
    def _round_row(tx: _Tx, round_id: int | None):
        if round_id is None:
            row = tx.one("SELECT * FROM rounds ORDER BY id DESC LIMIT 1")
            if row is None:
                raise NotFound("No voting round has been opened in this session yet.")
        else:
            row = tx.one("SELECT * FROM rounds WHERE id = ?", (round_id,))
            if row is None:
                raise NotFound(f"No voting round {round_id} in this session.")
        return row

    def open_round_now(self) -> Round | None:
        with self.store.snapshot() as tx:
            row = tx.one("SELECT * FROM rounds WHERE closed_at IS NULL ORDER BY id DESC LIMIT 1")
            return self._round(tx, row) if row else None

    def open_round(
        self, *, method: str = "dot", dots: int | None = None, max_per_proposal: int | None = None,
        min_approvals: int | None = None, max_approvals: int | None = None, max_score: int | None = None,
        proposals: Sequence[str] | None = None, title: str = "", shortlist: int = 1, per_group: bool = False,
        reveal: str = "after-close", anonymous: bool = False, runoff_of: int | None = None, top: int | None = None,
    ) -> Round:
        """Open a round; its method and settings are fixed from now on.

        `runoff_of=R, top=N` votes again over the top N of closed round R (proposals tied
        at the cut-off come along and are flagged).
        """
        rules = _round_rules(method, dots, max_per_proposal, min_approvals, max_approvals, max_score,
                             shortlist, reveal)
        title = _clean(title, "round title", limit=MAX_TITLE)
        tied_at_cutoff: list[str] = []
        if runoff_of is not None:
            if proposals is not None:
                raise Refused("A runoff takes its proposals from the earlier round; do not list them as well.")
            if not isinstance(top, int) or top < 1:
                raise Refused("A runoff needs --top N: how many of the earlier round's best go into it.")
            earlier = self.results(runoff_of)
            if not earlier.round.ranked:
                raise Refused(f"Round {runoff_of} was a consent check; it has no ranking to run off.")
            proposals, tied_at_cutoff = voting.top_with_ties(earlier.results, top)
            title = title or f"Runoff of round {runoff_of}"
        elif top is not None:
            raise Refused("--top only goes with --runoff (the top N of an earlier round).")
        with self.store.write() as tx:
            open_row = tx.one("SELECT id FROM rounds WHERE closed_at IS NULL")
            if open_row:
                raise Refused(f"Round {open_row[0]} is still open; close it before opening another.")
            chosen = self._chosen_proposals(tx, proposals)
            if method == "consent" and len(chosen) != 1:
                raise Refused(
                    f"A consent round checks one plan; choose exactly one proposal (there are {len(chosen)})."
                )
            settings = {k: v for k, v in rules.items() if k not in ("dots", "max_per_proposal", "reveal")}
            if tied_at_cutoff:
                settings["tied_at_cutoff"] = tied_at_cutoff
            cur = tx.execute(
                "INSERT INTO rounds (method, dots, max_per_proposal, opened_at, title, settings, per_group, reveal,"
                " anonymous, runoff_of, salt) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (method, rules["dots"], rules["max_per_proposal"], _iso(self.now()), title, json.dumps(settings),
                 int(bool(per_group)), rules["reveal"], int(bool(anonymous)), runoff_of,
                 secrets.token_hex(32) if anonymous else None),
            )
            rid = cur.lastrowid
            tx.executemany(
                "INSERT INTO round_proposals (round_id, proposal_id, position) VALUES (?, ?, ?)",
                [(rid, p, n) for n, p in enumerate(chosen)],
            )
            return self._round(tx, tx.one("SELECT * FROM rounds WHERE id = ?", (rid,)))

    @staticmethod
    def _chosen_proposals(tx: _Tx, proposals: Sequence[str] | None) -> list[str]:
        if proposals is None:
            chosen = [r[0] for r in tx.all("SELECT id FROM proposals WHERE status != 'merged' ORDER BY number")]
        else:
            chosen = []
            for ref in proposals:
                pid = _proposal_id(ref)
                row = tx.one("SELECT status, merged_into FROM proposals WHERE id = ?", (pid,))
                if row is None:
                    raise NotFound(f"No proposal {pid} in this session.")
                if row["status"] == "merged":
                    raise Refused(f"{pid} is merged into {row['merged_into']}; vote on {row['merged_into']} instead.")
                if pid in chosen:
                    raise Refused(f"{pid} is listed twice.")
                chosen.append(pid)
        if not chosen:
            raise Refused("There are no proposals to vote on; add proposals first.")
        return chosen

    def close_round(self) -> RoundResults:
        with self.store.write() as tx:
            row = tx.one("SELECT * FROM rounds WHERE closed_at IS NULL ORDER BY id DESC LIMIT 1")
            if row is None:
                raise Refused("No voting round is open.")
            eligible = self._count_eligible(tx, bool(row["per_group"]))
            now = _iso(self.now())
            # except for manual reveal, closing is when everyone gets to see the results;
            # the anonymous round's salt goes, so its tokens can no longer be linked to anyone
            revealed = row["revealed_at"] or (now if row["reveal"] != "manual" else None)
            tx.execute(
                "UPDATE rounds SET closed_at = ?, eligible = ?, revealed_at = ?, salt = NULL WHERE id = ?",
                (now, eligible, revealed, row["id"]),
            )
            rid = row["id"]
        return self.results(rid)

    def reveal_results(self, round_id: int | None = None) -> RoundResults:
        """Let participants and the projector see a closed round's results."""
        r = self.round(round_id)
        if r.is_open:
            raise Refused(f"Round {r.id} is still open; close it before revealing its results.")
        if r.revealed_at is None:
            with self.store.write() as tx:
                tx.execute(
                    "UPDATE rounds SET revealed_at = ? WHERE id = ? AND revealed_at IS NULL",
                    (_iso(self.now()), r.id),
                )
        return self.results(r.id)

    def round_status(self, round_id: int | None = None) -> RoundStatus:
        r = self.round(round_id)
        with self.store.snapshot() as tx:
            return RoundStatus(
                round=r,
                eligible=self._eligible(tx, r.id),
                ballots_cast=tx.one("SELECT count(*) FROM ballots WHERE round_id = ?", (r.id,))[0],
                paper_entered=tx.one("SELECT 1 FROM paper_tallies WHERE round_id = ?", (r.id,)) is not None,
            )

    @staticmethod
    def _count_eligible(tx: _Tx, per_group: bool) -> int:
        if per_group:
            # groups with at least one voting member
            return tx.one(
                "SELECT count(DISTINCT group_id) FROM participants WHERE role = 'participant' AND group_id IS NOT NULL"
            )[0]
        return tx.one("SELECT count(*) FROM participants WHERE role = 'participant'")[0]

    def _eligible(self, tx: _Tx, rid: int) -> int:
        row = tx.one("SELECT eligible, per_group FROM rounds WHERE id = ?", (rid,))
        if row["eligible"] is not None:
            return row["eligible"]
        return self._count_eligible(tx, bool(row["per_group"]))

    def voter(self, code: str) -> Participant:
        """Who a voting code belongs to; refused for unknown codes and non-voters."""
        c = normalise_code(code or "")
        row = self.store.query_one("SELECT * FROM participants WHERE code = ?", (c,)) if c else None
        if row is None:
            raise Refused("That voting code is not known in this session; check it and try again.")
        p = _participant(row)
        if not p.role.votes:
            raise Refused(f"{p.name} is {_a(p.role.value)} and does not vote.")
        return p

    @staticmethod
    def _voter_key(row, voter: Participant) -> str:
        """Whose ballot this is: the participant, their group, or a one-way token of either."""
        if row["per_group"]:
            if not voter.group_id:
                raise Refused(f"{voter.name} is not in a group, and this round takes one ballot per group.")
            key = voter.group_id
        else:
            key = voter.id
        if row["anonymous"]:
            return hmac.new(bytes.fromhex(row["salt"]), key.encode(), hashlib.sha256).hexdigest()
        return key

    def cast_ballot(
        self, code: str, ballot: Mapping[str, int] | Sequence[str] | ConsentVote | str, *, reason: str = "",
        source: str = "cli", round_id: int | None = None,
    ) -> dict[str, int] | list[str] | ConsentVote:
        """Store a ballot, replacing the voter's (or their group's) earlier one in the round.

        The ballot's shape follows the round's method: {proposal: dots} for dot,
        {proposal: score} for score (every proposal), [proposal, ...] for approval and
        for borda (most preferred first), an option (with `reason`) for consent.
        A screen passes `round_id`, the round its ballot was filled in for, so a ballot
        is never counted in a round that opened after the voter last looked.
        """
        self.voter(code)  # refuse unknown codes before looking at the ballot
        with self.store.write() as tx:
            row = tx.one("SELECT * FROM rounds WHERE closed_at IS NULL ORDER BY id DESC LIMIT 1")
            if row is None:
                if round_id is not None:
                    raise RoundChanged(f"Round {round_id} closed before the ballot was cast; nothing was counted.")
                raise Refused("No voting round is open; the ballot was not counted.")
            if round_id is not None and row["id"] != round_id:
                raise RoundChanged(
                    f"Round {round_id} closed before the ballot was cast and round {row['id']} is open now; "
                    "nothing was counted."
                )
            r = self._round(tx, row)
            content = _check_ballot(r, ballot, reason)
            # Look the code up again inside the transaction: a code reissued a moment
            # ago must not cast a ballot.
            voter_row = tx.one("SELECT * FROM participants WHERE code = ?", (normalise_code(code),))
            if voter_row is None:
                raise Refused("That voting code is not known in this session; check it and try again.")
            voter = _participant(voter_row)
            key = self._voter_key(row, voter)
            tx.execute("DELETE FROM ballots WHERE round_id = ? AND voter = ?", (r.id, key))
            named = not r.anonymous
            tx.execute(
                "INSERT INTO ballots (round_id, voter, cast_by, cast_at, source, content) VALUES (?,?,?,?,?,?)",
                (r.id, key, voter.id if named else None, _iso(self.now()) if named else None,
                 source if named else "anonymous", json.dumps(content, ensure_ascii=False)),
            )
        return _ballot_view(r.method, content)

    def own_ballot(self, code: str) -> dict[str, int] | list[str] | ConsentVote | None:
        """The voter's (or their group's) ballot in the open round; never anyone else's.

        {} / [] / None when there is no ballot yet (by the method's shape) or no open round.
        """
        voter = self.voter(code)
        with self.store.snapshot() as tx:
            row = tx.one("SELECT * FROM rounds WHERE closed_at IS NULL ORDER BY id DESC LIMIT 1")
            if row is None:
                return {}
            try:
                key = self._voter_key(row, voter)
            except Refused:
                return _ballot_view(row["method"], None)
            b = tx.one("SELECT content FROM ballots WHERE round_id = ? AND voter = ?", (row["id"], key))
        return _ballot_view(row["method"], json.loads(b[0]) if b else None)

    def has_voted(self, code: str, round_id: int | None = None) -> bool:
        """Whether the voter (or their group) has a ballot in the open round."""
        voter = self.voter(code)
        with self.store.snapshot() as tx:
            row = tx.one("SELECT * FROM rounds WHERE closed_at IS NULL ORDER BY id DESC LIMIT 1")
            if row is None or (round_id is not None and row["id"] != round_id):
                return False
            try:
                key = self._voter_key(row, voter)
            except Refused:
                return False
            return tx.one("SELECT 1 FROM ballots WHERE round_id = ? AND voter = ?", (row["id"], key)) is not None

    def enter_paper_tally(self, tallies: Mapping[str, int], round_id: int | None = None) -> dict[str, int]:
        """Points counted from a paper or wall vote; replaces the earlier paper entry for the round."""
        r = self.round(round_id)
        if not r.is_open:
            raise Refused(f"Round {r.id} is closed; paper tallies must be entered before closing it.")
        if r.method not in PAPER_METHODS:
            raise Refused(f"A {r.method} round cannot take a paper tally; paper works for dot and approval votes.")
        clean: dict[str, int] = {}
        for ref, n in tallies.items():
            pid = _proposal_id(ref)
            if pid not in r.proposals:
                raise Refused(f"Proposal {pid} is not in round {r.id}.")
            if not isinstance(n, int) or n < 0:
                raise Refused(f"The paper count for {pid} must be a whole number of 0 or more.")
            clean[pid] = n
        with self.store.write() as tx:
            if tx.one("SELECT closed_at FROM rounds WHERE id = ?", (r.id,))[0]:
                raise Refused(f"Round {r.id} is closed; paper tallies must be entered before closing it.")
            tx.execute("DELETE FROM paper_tallies WHERE round_id = ?", (r.id,))
            tx.executemany(
                "INSERT INTO paper_tallies (round_id, proposal_id, points, entered_at) VALUES (?,?,?,?)",
                [(r.id, p, n, _iso(self.now())) for p, n in clean.items() if n > 0],
            )
        return clean

    def paper_tally(self, round_id: int | None = None) -> dict[str, int]:
        r = self.round(round_id)
        rows = self.store.query("SELECT proposal_id, points FROM paper_tallies WHERE round_id = ?", (r.id,))
        return {row[0]: row[1] for row in rows}

    def results(self, round_id: int | None = None) -> RoundResults:
        """A round's results for the facilitator: once closed, or at any time in a live round."""
        r = self.round(round_id)
        if r.is_open and r.reveal != "live":
            raise Refused(f"Round {r.id} is still open: results are sealed until the facilitator closes it.")
        return self._tally(r)

    def visible_results(self, round_id: int | None = None, *, voter_code: str | None = None) -> RoundResults | None:
        """What a participant device (with `voter_code`) or the projector may see, else None.

        manual: once revealed; after-close: once closed; after-vote: once closed, or to a
        voter whose ballot (or group's) is in; live: always.
        """
        r = self.round(round_id)
        if r.revealed_at is not None or (r.is_open and r.reveal == "live"):
            return self._tally(r)
        if r.is_open and r.reveal == "after-vote" and voter_code and self.has_voted(voter_code, r.id):
            return self._tally(r)
        return None

    def ballots(self, round_id: int | None = None) -> list[BallotRecord]:
        """The ballots of a closed round, for the minutes: named ones with their voter."""
        r = self.round(round_id)
        if r.is_open:
            raise Refused(f"Round {r.id} is still open: its ballots are sealed until it closes.")
        rows = self.store.query("SELECT * FROM ballots WHERE round_id = ?", (r.id,))
        out = [
            BallotRecord(
                voter=None if r.anonymous else row["voter"], cast_by=None if r.anonymous else row["cast_by"],
                cast_at=None if r.anonymous else row["cast_at"], ballot=_ballot_view(r.method, json.loads(row["content"])),
            )
            for row in rows
        ]
        # anonymous ballots in an order that says nothing about when or by whom they were cast
        return sorted(out, key=lambda b: (b.voter or "", json.dumps(b.ballot if not isinstance(b.ballot, ConsentVote)
                                                                    else b.ballot.model_dump(), sort_keys=True)))

    def _tally(self, r: Round) -> RoundResults:
        with self.store.snapshot() as tx:
            contents = [json.loads(row[0]) for row in tx.all("SELECT content FROM ballots WHERE round_id = ?", (r.id,))]
            paper = {row[0]: row[1] for row in tx.all(
                "SELECT proposal_id, points FROM paper_tallies WHERE round_id = ?", (r.id,)
            )}
            eligible = self._eligible(tx, r.id)
            settled = tx.one("SELECT * FROM tie_settlements WHERE round_id = ?", (r.id,))
        consent = None
        results: list[Result] = []
        if r.method == "consent":
            consent = voting.tally_consent(r.proposals[0], [(c["option"], c.get("reason", "")) for c in contents])
        elif r.method == "dot":
            results = voting.tally_dots(r.proposals, contents, paper)
        elif r.method == "approval":
            results = voting.tally_approval(r.proposals, contents, paper)
        elif r.method == "score":
            results = voting.tally_score(r.proposals, contents)
        elif r.method == "borda":
            results = voting.tally_borda(r.proposals, contents)
        tie = None
        if results and not r.is_open:
            found = voting.find_tie(results, r.shortlist)
            if found is not None:
                tied, places = found
                tie = Tie(at="first" if r.shortlist == 1 else "cutoff", places=places, tied=tied,
                          settlement=_settlement(settled) if settled else None)
        return RoundResults(
            round=r, eligible=eligible, ballots_cast=len(contents), paper_points=sum(paper.values()),
            results=results, consent=consent, tie=tie,
        )

    def settle_tie(
        self, round_id: int | None = None, *, how: str, seed: str | None = None, chosen: Sequence[str] = (),
        reason: str = "", runoff: Mapping | None = None,
    ) -> RoundResults:
        """Settle a closed round's tie: a runoff among the tied, a draw, or a decision.

        A draw shuffles the tied proposals in id order with random.Random(seed) and takes
        the first ones; the seed is recorded so anyone can re-run it.
        """
        res = self.results(round_id)
        r = res.round
        if r.is_open:
            raise Refused(f"Round {r.id} is still open; ties are settled once it closes.")
        if res.tie is None:
            raise Refused(f"Round {r.id} has no tie to settle.")
        if res.tie.settlement is not None:
            raise Refused(f"The tie in round {r.id} was already settled ({res.tie.settlement.kind}).")
        tied, places = res.tie.tied, res.tie.places
        ordered = sorted(tied, key=lambda p: int(p[1:]))
        runoff_round = None
        if how == "draw":
            seed = str(seed).strip() if seed not in (None, "") else str(secrets.randbits(48))
            chosen = voting.draw(ordered, seed)[:places]
            reason = _clean(reason, "reason")
        elif how == "decision":
            chosen = [_proposal_id(c) for c in chosen]
            reason = _clean(reason, "reason", required=True)
            if len(chosen) != places or len(set(chosen)) != places or not set(chosen) <= set(tied):
                raise Refused(f"Choose {places} of the tied proposals ({', '.join(ordered)}) to go through.")
            seed = None
        elif how == "runoff":
            seed, chosen = None, []
            reason = _clean(reason, "reason")
            opts = dict(runoff or {})
            opts.setdefault("method", r.method)
            if opts["method"] == "dot" and "dots" not in opts:
                opts["dots"] = max(1, min(r.dots or places, places))
            if opts["method"] == "score" and "max_score" not in opts:
                opts["max_score"] = r.max_score or 5
            opts.setdefault("per_group", r.per_group)
            opts.setdefault("anonymous", r.anonymous)
            opts.setdefault("reveal", r.reveal)
            new = self.open_round(proposals=ordered, shortlist=places, title=f"Runoff for the tie in round {r.id}",
                                  **opts)
            runoff_round = new.id
        else:
            raise Refused("Settle a tie by runoff, draw or decision.")
        with self.store.write() as tx:
            if tx.one("SELECT 1 FROM tie_settlements WHERE round_id = ?", (r.id,)):
                raise Refused(f"The tie in round {r.id} was already settled.")
            tx.execute(
                "INSERT INTO tie_settlements (round_id, kind, tied, places, seed, chosen, reason, runoff_round,"
                " settled_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (r.id, how, json.dumps(ordered), places, seed, json.dumps(list(chosen)), reason, runoff_round,
                 _iso(self.now())),
            )
        return self.results(r.id)

    # -- decisions, actions, evaluation ----------------------------------------
    def decisions(self) -> list[Decision]:
        return [
            Decision(id=r["id"], text=r["text"], proposal_id=r["proposal_id"], created_at=r["created_at"])
            for r in self.store.query("SELECT * FROM decisions ORDER BY number")
        ]

    def add_decision(self, text: str, proposal: str | None = None) -> Decision:
        text = _clean(text, "decision", required=True)
        pid = self.proposal(proposal).id if proposal else None
        with self.store.write() as tx:
            n = _next_number(tx, "decision")
            tx.execute(
                "INSERT INTO decisions (id, number, text, proposal_id, created_at) VALUES (?,?,?,?,?)",
                (f"D{n}", n, text, pid, _iso(self.now())),
            )
        return next(d for d in self.decisions() if d.id == f"D{n}")

    def remove_decision(self, did: str) -> None:
        with self.store.write() as tx:
            if tx.execute("DELETE FROM decisions WHERE upper(id) = upper(?)", (did,)).rowcount == 0:
                raise NotFound(f"No decision '{did}' in this session.")

    def actions(self) -> list[Action]:
        return [
            Action(id=r["id"], text=r["text"], owner=r["owner"], due=r["due"], status=r["status"], created_at=r["created_at"])
            for r in self.store.query("SELECT * FROM actions ORDER BY number")
        ]

    def _action_fields(self, text, owner, due, status) -> tuple:
        try:
            status = ActionStatus(status)
        except ValueError:
            raise Refused("Action status must be open, in_progress, done or dropped.") from None
        d = _parse_date(due, "due date")
        return (
            _clean(text, "action", required=True),
            _clean(owner, "owner organisation", required=True, limit=120),
            d.isoformat() if d else None,
            status.value,
        )

    def add_action(self, text: str, *, owner: str, due: str | None = None, status: str = "open") -> Action:
        fields = self._action_fields(text, owner, due, status)
        with self.store.write() as tx:
            n = _next_number(tx, "action")
            tx.execute(
                "INSERT INTO actions (id, number, text, owner, due, status, created_at) VALUES (?,?,?,?,?,?,?)",
                (f"A{n}", n, *fields, _iso(self.now())),
            )
        return next(a for a in self.actions() if a.id == f"A{n}")

    def update_action(
        self, aid: str, *, text: str | None = None, owner: str | None = None, due: str | None = "keep",
        status: str | None = None,
    ) -> Action:
        cur = next((a for a in self.actions() if a.id.upper() == aid.upper()), None)
        if cur is None:
            raise NotFound(f"No action '{aid}' in this session.")
        fields = self._action_fields(
            cur.text if text is None else text,
            cur.owner if owner is None else owner,
            cur.due if due == "keep" else due,
            cur.status.value if status is None else status,
        )
        with self.store.write() as tx:
            tx.execute("UPDATE actions SET text=?, owner=?, due=?, status=? WHERE id=?", (*fields, cur.id))
        return next(a for a in self.actions() if a.id == cur.id)

    def remove_action(self, aid: str) -> None:
        with self.store.write() as tx:
            if tx.execute("DELETE FROM actions WHERE upper(id) = upper(?)", (aid,)).rowcount == 0:
                raise NotFound(f"No action '{aid}' in this session.")

    def evaluation_notes(self) -> list[EvaluationNote]:
        return [
            EvaluationNote(id=r["id"], kind=r["kind"], text=r["text"], created_at=r["created_at"])
            for r in self.store.query("SELECT * FROM evaluation_notes ORDER BY number")
        ]

    def add_evaluation_note(self, kind: str, text: str) -> EvaluationNote:
        if kind not in ("worked", "improve"):
            raise Refused("An evaluation note is either 'worked' (what worked) or 'improve' (what to improve).")
        text = _clean(text, "note", required=True)
        with self.store.write() as tx:
            n = _next_number(tx, "note")
            tx.execute(
                "INSERT INTO evaluation_notes (id, number, kind, text, created_at) VALUES (?,?,?,?,?)",
                (f"E{n}", n, kind, text, _iso(self.now())),
            )
        return next(e for e in self.evaluation_notes() if e.id == f"E{n}")

    def remove_evaluation_note(self, nid: str) -> None:
        with self.store.write() as tx:
            if tx.execute("DELETE FROM evaluation_notes WHERE upper(id) = upper(?)", (nid,)).rowcount == 0:
                raise NotFound(f"No evaluation note '{nid}' in this session.")

    # -- minutes -------------------------------------------------------------
    def minutes(self):
        from .minutes import build_minutes

        return build_minutes(self)

    def export(self, fmt: str = "toml", output: str | Path | None = None) -> Path:
        from .minutes import write_minutes

        return write_minutes(self, fmt, output)


# -- helpers -------------------------------------------------------------------

REVEAL_MODES = ("manual", "after-close", "after-vote", "live")
PAPER_METHODS = ("dot", "approval")


def _whole(value, what: str, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise Refused(f"{what} must be a whole number {bound}.")
    return value


def _round_rules(method, dots, cap, min_approvals, max_approvals, max_score, shortlist, reveal) -> dict:
    """Check a round's settings for its method; refused with one sentence, nothing stored."""
    if method not in voting.METHODS:
        raise Refused(f"'{method}' is not a voting method; use dot, approval, score, borda or consent.")
    if reveal not in REVEAL_MODES:
        raise Refused(f"'{reveal}' is not a reveal setting; use live, after-vote, after-close or manual.")
    rules: dict = {"dots": 0, "max_per_proposal": 0, "reveal": reveal,
                   "shortlist": _whole(shortlist, "The shortlist size", 1, 1000)}
    if method == "dot":
        if dots is None:
            raise Refused("A dot round needs a dot budget (--dots N).")
        rules["dots"] = _whole(dots, "The dot budget", 1, 1000)
        cap = rules["dots"] if cap is None else cap
        rules["max_per_proposal"] = _whole(cap, "The cap per proposal", 1)
        if cap > rules["dots"]:
            raise Refused(f"The cap per proposal ({cap}) cannot exceed the dot budget ({rules['dots']}).")
    elif dots is not None or cap is not None:
        raise Refused(f"Dots and a cap per proposal belong to dot rounds, not {method} rounds.")
    if method == "approval":
        if min_approvals is not None:
            rules["min_approvals"] = _whole(min_approvals, "The minimum number of approvals", 0, 1000)
        if max_approvals is not None:
            rules["max_approvals"] = _whole(max_approvals, "The maximum number of approvals", 1, 1000)
        if min_approvals is not None and max_approvals is not None and min_approvals > max_approvals:
            raise Refused(f"The minimum ({min_approvals}) cannot exceed the maximum ({max_approvals}) approvals.")
    elif min_approvals is not None or max_approvals is not None:
        raise Refused(f"--min and --max belong to approval rounds, not {method} rounds.")
    if method == "score":
        rules["max_score"] = _whole(5 if max_score is None else max_score, "The top score", 1, 100)
    elif max_score is not None:
        raise Refused(f"--max-score belongs to score rounds, not {method} rounds.")
    return rules


def _check_ballot(r: Round, ballot, reason: str):
    """The ballot as it will be stored (JSON-ready), or Refused: the whole ballot, nothing counted."""
    m = r.method
    if m in ("dot", "score"):
        if not isinstance(ballot, Mapping):
            raise Refused(f"A {m} ballot gives a number per proposal (like P3=2).")
        alloc: dict[str, int] = {}
        for ref, n in ballot.items():
            pid = _proposal_id(ref)
            if not isinstance(n, int) or isinstance(n, bool):
                raise Refused(f"The {'dots' if m == 'dot' else 'score'} for {pid} must be a whole number.")
            if pid in alloc:
                raise Refused(f"{pid} appears twice in the ballot.")
            alloc[pid] = n
        if m == "dot":
            voting.check_dot_ballot(alloc, r.proposals, r.dots, r.max_per_proposal)
            return {p: n for p, n in alloc.items() if n > 0}
        voting.check_score_ballot(alloc, r.proposals, r.max_score or 5)
        return {p: alloc[p] for p in r.proposals}
    if m in ("approval", "borda"):
        if isinstance(ballot, (str, bytes)) or isinstance(ballot, Mapping) or not isinstance(ballot, Sequence):
            raise Refused(f"An {m} ballot lists proposal ids (like P1 P4)." if m == "approval"
                          else "A borda ballot lists proposal ids, most preferred first (like P4 P1 P2).")
        ids = [_proposal_id(x) for x in ballot]
        if m == "approval":
            voting.check_approval_ballot(ids, r.proposals, r.min_approvals, r.max_approvals)
        else:
            voting.check_borda_ballot(ids, r.proposals)
        return ids
    # consent
    if isinstance(ballot, ConsentVote):
        option, why = ballot.option, ballot.reason or reason
    elif isinstance(ballot, Mapping):
        option, why = str(ballot.get("option", "")), str(ballot.get("reason", "") or reason)
    else:
        option, why = str(ballot), reason
    option = option.strip().lower()
    why = _clean(why, "reason", limit=MAX_TITLE * 5)
    voting.check_consent_ballot(option, why)
    return {"option": option, "reason": why}


def _ballot_view(method: str, content):
    if method == "consent":
        return ConsentVote(**content) if content else None
    if content is None:
        return [] if method in ("approval", "borda") else {}
    return content


def _settlement(row) -> TieSettlement:
    return TieSettlement(
        kind=row["kind"], seed=row["seed"], chosen=json.loads(row["chosen"]), reason=row["reason"],
        runoff_round=row["runoff_round"], settled_at=row["settled_at"],
    )

def _set_meta(tx: _Tx, key: str, value: str | None) -> None:
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value or ""),
    )


def _next_number(tx: _Tx, kind: str) -> int:
    # Counters live in meta so a deleted item's id is never handed out again.
    key = f"next_{kind}"
    row = tx.one("SELECT value FROM meta WHERE key = ?", (key,))
    n = int(row[0]) if row else 1
    _set_meta(tx, key, str(n + 1))
    return n


def _random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _new_code(tx: _Tx) -> str:
    while True:
        code = _random_code(CODE_LENGTH)
        if tx.one("SELECT 1 FROM participants WHERE code = ?", (code,)) is None:
            return code


def _proposal_id(ref: str | int) -> str:
    s = str(ref).strip().upper()
    if s.isdigit():
        return f"P{int(s)}"
    if re.fullmatch(r"P\d+", s):
        return f"P{int(s[1:])}"
    raise NotFound(f"'{ref}' is not a proposal id (proposal ids look like P3).")


def _participant(r) -> Participant:
    return Participant(
        id=r["id"], name=r["name"], organisation=r["organisation"], sector=r["sector"],
        group_id=r["group_id"], role=r["role"], code=r["code"], scribe=bool(r["scribe"]),
    )


def _talk(r) -> TalkRecord:
    return TalkRecord(
        id=r["id"], title=r["title"], speaker=r["speaker"], organisation=r["organisation"],
        key_points=json.loads(r["key_points"]), planned_minutes=r["planned_minutes"],
    )


def _proposal(r) -> Proposal:
    return Proposal(
        id=r["id"], group_id=r["group_id"], title=r["title"], text=r["text"], step=r["step"],
        timeframe=r["timeframe"], actors=json.loads(r["actors"]), status=r["status"],
        merged_into=r["merged_into"], created_at=r["created_at"], updated_at=r["updated_at"],
    )


def _a(noun: str) -> str:
    """'an observer', 'a facilitator'."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"

"""The command line of section 5: a stable contract that acceptance tests drive.

`test_contract_end_to_end` runs the real command in subprocesses; the many error
variations run `roundtable.cli.main` in-process (same code, much faster).
"""

from __future__ import annotations

import json
import sqlite3
import tomllib
from pathlib import Path

import pytest

from conftest import MINI, run_cli


def dump(path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        return list(db.iterdump())
    finally:
        db.close()


def one_sentence(stderr: str) -> bool:
    lines = [line for line in stderr.splitlines() if line.strip()]
    return len(lines) == 1 and "Traceback" not in stderr


def ok_json(r) -> dict:
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    assert r.stderr == ""
    assert len(r.stdout.strip().splitlines()) == 1, r.stdout  # one JSON object on one line
    return json.loads(r.stdout)


def test_contract_end_to_end(sessions_dir, tmp_path):
    """The whole loop through the real `roundtable` process, --json everywhere."""
    new = ok_json(run_cli("new", "gothenburg-en", "--variant", "short", "--title", "CLI round table",
                          "--date", "2026-04-29", "--venue", "Hall A", "--facilitator", "Fia", "--json"))
    sid = new["id"]
    assert isinstance(sid, str) and sid
    path = sessions_dir / f"{sid}.sqlite"
    assert path.is_file()

    g1 = ok_json(run_cli("group", "add", sid, "Table 1", "--json"))
    assert g1 == {"id": "G1"}
    # SESSION as a file path
    g2 = ok_json(run_cli("group", "add", str(path), "Table 2", "--json"))
    assert g2 == {"id": "G2"}

    anna = ok_json(run_cli("participant", "add", sid, "Anna", "--org", "Hotel A", "--sector", "hotel",
                           "--group", "Table 1", "--json"))
    assert set(anna) == {"id", "code"} and isinstance(anna["code"], str) and len(anna["code"]) == 8

    p1 = ok_json(run_cli("proposal", "add", sid, "--group", "G1", "--title", "Tip posters", "--text", "In 5 languages",
                         "--step", "1", "--timeframe", "before", "--actor", "Hotel A", "--actor", "Police", "--json"))
    p2 = ok_json(run_cli("proposal", "add", str(path), "--group", "table 2", "--title", "Taxi training", "--json"))
    assert p1 == {"id": "P1"} and p2 == {"id": "P2"}

    rnd = ok_json(run_cli("round", "open", sid, "--dots", "3", "--max-per-proposal", "2", "--json"))
    assert rnd == {"id": 1}

    r = run_cli("vote", sid, "--code", anna["code"], "P1=2", "P2=1")
    assert r.returncode == 0, r.stderr

    # refused: over the budget -> exit 1, one sentence on stderr, nothing changed
    before = dump(path)
    r = run_cli("vote", sid, "--code", anna["code"], "P1=2", "P2=2")
    assert r.returncode == 1 and r.stdout == "" and one_sentence(r.stderr)
    assert dump(path) == before

    # sealed while open
    r = run_cli("results", sid, "--json")
    assert r.returncode == 1 and r.stdout == "" and "sealed" in r.stderr and one_sentence(r.stderr)

    ok_json(run_cli("round", "close", sid, "--json"))
    res = ok_json(run_cli("results", str(path), "--json"))
    assert res["round"] == 1
    assert [{k: x[k] for k in ("proposal", "points", "rank")} for x in res["results"]] == [
        {"proposal": "P1", "points": 2, "rank": 1},
        {"proposal": "P2", "points": 1, "rank": 2},
    ]

    out = tmp_path / "minutes.toml"
    r = run_cli("export", sid, "--format", "toml", "--output", str(out))
    assert r.returncode == 0, r.stderr
    data = tomllib.loads(out.read_text(encoding="utf-8"))
    assert data["schema"] == "roundtable.minutes/1"
    assert anna["code"] not in out.read_text(encoding="utf-8")
    r = run_cli("minutes", "validate", str(out))
    assert r.returncode == 0, r.stdout + r.stderr


# -- in-process checks of the rest of the contract -----------------------------------------------------

@pytest.fixture(scope="module")
def _session_template(tmp_path_factory):
    """Built once per module through the CLI, then copied for each test (fast)."""
    import contextlib
    import io
    import os

    from roundtable.cli import main

    where = tmp_path_factory.mktemp("template")

    def run(*args):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["--sessions-dir", str(where), *args]) == 0, args
        return out.getvalue()

    sid = json.loads(run("new", str(MINI), "--json"))["id"]
    run("group", "add", sid, "Table 1")
    run("group", "add", sid, "Table 2")
    codes = [json.loads(run("participant", "add", sid, name, "--group", "G1", "--json"))["code"] for name in "AB"]
    run("participant", "add", sid, "Obs", "--role", "observer")
    for n, g in ((1, "G1"), (2, "G2"), (3, "Table 1")):
        run("proposal", "add", sid, "--group", g, "--title", f"Idea {n}")
    import gc

    gc.collect()  # the in-process CLI leaves connections to be closed by the collector
    path = where / f"{sid}.sqlite"
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    assert not os.path.exists(f"{path}-wal") or os.path.getsize(f"{path}-wal") == 0
    return sid, codes, path


@pytest.fixture
def session(_session_template, sessions_dir):
    """A CLI-built session on the small scenario: 2 groups, 2 voters, an observer, 3 proposals."""
    import shutil

    sid, codes, path = _session_template
    sessions_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, sessions_dir / path.name)
    return sid, list(codes)


def session_file(sessions_dir, sid) -> Path:
    return sessions_dir / f"{sid}.sqlite"


def test_new_options_and_errors(cli, sessions_dir):
    r = cli("new", "gothenburg-en", "--variant", "short", "--date", "2026-04-29", "--title", "T", "--json")
    sid = r.json()["id"]
    r = cli("sessions", "--json")
    [s] = r.json()["sessions"]
    assert (s["id"], s["title"], s["scenario"], s["date"]) == (sid, "T", "gothenburg-en", "2026-04-29")
    files = sorted(sessions_dir.glob("*.sqlite"))
    for args in (["new", "gothenburg-en", "--variant", "nope"], ["new", "no-such-scenario"],
                 ["new", "gothenburg-en", "--date", "29/04/2026"], ["new", str(sessions_dir / "x.toml")]):
        r = cli(*args)
        assert r.returncode == 1, args
        assert r.stdout == "" and one_sentence(r.stderr), (args, r.stderr)
    assert sorted(sessions_dir.glob("*.sqlite")) == files  # nothing created
    text = cli("new", str(MINI)).stdout
    assert "Created session" in text


def test_global_options_before_the_command(cli, session, sessions_dir, tmp_path, monkeypatch):
    sid, _ = session
    r = cli("--json", "sessions")
    assert r.returncode == 0 and r.json()["sessions"][0]["id"] == sid
    monkeypatch.setenv("ROUNDTABLE_SESSIONS", str(tmp_path / "elsewhere"))
    assert cli("sessions", "--json").json() == {"sessions": []}
    assert cli("--sessions-dir", str(sessions_dir), "sessions", "--json").json()["sessions"][0]["id"] == sid
    assert cli("sessions", "--sessions-dir", str(sessions_dir), "--json").json()["sessions"][0]["id"] == sid
    r = cli("--sessions-dir", str(sessions_dir), "group", "add", sid, "Table 3", "--json")
    assert r.json() == {"id": "G3"}


def test_group_by_id_and_name(cli, session, sessions_dir):
    sid, _ = session
    r = cli("proposal", "add", sid, "--group", "table 2", "--title", "By name", "--json")
    pid = r.json()["id"]
    r = cli("proposal", "list", sid, "--group", "G2", "--json")
    assert pid in [p["id"] for p in r.json()["proposals"]]
    r = cli("participant", "add", sid, "C", "--group", "g2", "--json")
    assert r.returncode == 0
    before = dump(session_file(sessions_dir, sid))
    r = cli("proposal", "add", sid, "--group", "Table 9", "--title", "x")
    assert r.returncode == 1 and one_sentence(r.stderr) and "Table 9" in r.stderr
    r = cli("participant", "add", sid, "D", "--group", "G9")
    assert r.returncode == 1 and one_sentence(r.stderr)
    r = cli("group", "add", sid, "TABLE 1")
    assert r.returncode == 1 and one_sentence(r.stderr)
    assert dump(session_file(sessions_dir, sid)) == before


@pytest.mark.parametrize(
    "args",
    [
        ["vote", "{sid}", "--code", "{code0}", "P1=4"],  # over the budget (3)
        ["vote", "{sid}", "--code", "{code0}", "P1=3", "P2=1"],  # over the budget
        ["vote", "{sid}", "--code", "{code0}", "P1=3"],  # over the cap (2)
        ["vote", "{sid}", "--code", "NOPE99", "P1=1"],  # unknown code
        ["vote", "{sid}", "--code", "{code0}", "P3=1"],  # outside the round
        ["vote", "{sid}", "--code", "{code0}", "P1=-1"],  # negative
        ["vote", "{sid}", "--code", "{code0}", "P1=1", "P2=-1"],  # negative with a positive
        ["vote", "{sid}", "--code", "{code0}", "P1=0"],  # nothing spent
        ["vote", "{sid}", "--code", "{code0}", "X1=1"],  # not a proposal id
        ["results", "{sid}"],  # sealed
        ["round", "open", "{sid}", "--dots", "2"],  # a round is already open
        ["proposal", "delete", "{sid}", "P1"],  # in a round
        ["proposal", "merge", "{sid}", "P1", "P2"],  # in an open round
        ["group", "add", "no-such-session", "x"],
        ["group", "add", "/nowhere/at/all.sqlite", "x"],
        ["tally", "{sid}", "P3=2"],  # outside the round
        ["inject", "reveal", "{sid}", "nope"],
        ["action", "add", "{sid}", "x", "--owner", "o", "--due", "tomorrow"],
    ],
)
def test_refused_commands_exit_1_and_change_nothing(cli, session, sessions_dir, args):
    sid, codes = session
    assert cli("round", "open", sid, "--dots", "3", "--max-per-proposal", "2", "--proposals", "P1,P2").returncode == 0
    assert cli("vote", sid, "--code", codes[1], "P2=1").returncode == 0
    path = session_file(sessions_dir, sid)
    before = dump(path)
    r = cli(*[a.format(sid=sid, code0=codes[0]) for a in args])
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert r.stdout == ""
    assert one_sentence(r.stderr), r.stderr
    assert dump(path) == before


def test_vote_observer_and_no_round(cli, session, sessions_dir):
    sid, codes = session
    path = session_file(sessions_dir, sid)
    before = dump(path)
    r = cli("vote", sid, "--code", codes[0], "P1=1")
    assert r.returncode == 1 and "No voting round is open" in r.stderr
    assert dump(path) == before
    r = cli("participant", "list", sid, "--json")
    obs = next(p for p in r.json()["participants"] if p["role"] == "observer")
    assert obs["code"] is None  # an observer has nothing to vote with
    cli("round", "open", sid, "--dots", "2")
    cli("round", "close", sid)
    before = dump(path)
    r = cli("vote", sid, "--code", codes[0], "P1=1")
    assert r.returncode == 1 and "No voting round is open" in r.stderr
    assert dump(path) == before


@pytest.mark.parametrize(
    "args",
    [
        ["vote", "{sid}", "P1=1"],  # no --code
        ["vote", "{sid}", "--code", "X"],  # no allocation
        ["vote", "{sid}", "--code", "X", "P1"],  # not ID=N
        ["vote", "{sid}", "--code", "X", "P1=two"],
        ["vote", "{sid}", "--code", "X", "P1=1", "p1=1"],  # given twice
        ["round", "open", "{sid}"],  # no --dots
        ["round", "open", "{sid}", "--dots", "many"],
        ["proposal", "add", "{sid}", "--title", "no group"],
        ["proposal", "add", "{sid}", "--group", "G1", "--title", "x", "--step", "4"],
        ["proposal", "add", "{sid}", "--group", "G1", "--title", "x", "--timeframe", "later"],
        ["participant", "add", "{sid}", "X", "--role", "boss"],
        ["export", "{sid}", "--format", "pdf"],
        ["frobnicate"],
        ["group"],
        ["scenarios", "validate"],
        ["results"],
        ["--no-such-option", "sessions"],
    ],
)
def test_usage_errors_exit_2_and_change_nothing(cli, session, sessions_dir, args):
    sid, _ = session
    path = session_file(sessions_dir, sid)
    before = dump(path)
    r = cli(*[a.format(sid=sid) for a in args])
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stdout == "" and r.stderr.strip() and "Traceback" not in r.stderr
    assert dump(path) == before


def test_round_open_defaults_and_proposals_option(cli, session):
    sid, codes = session
    cli("proposal", "merge", sid, "P3", "P1")
    r = cli("round", "open", sid, "--dots", "2", "--json")
    assert r.json() == {"id": 1}
    cli("round", "close", sid)
    r = cli("results", sid, "--json").json()
    assert [x["proposal"] for x in r["results"]] == ["P1", "P2"]  # merged P3 left out
    r = cli("round", "open", sid, "--dots", "4", "--proposals", "P2, p1", "--json")
    assert r.json() == {"id": 2}
    assert cli("vote", sid, "--code", codes[0].lower(), "p1=4").returncode == 0  # cap defaults to the budget
    cli("round", "close", sid)
    res = cli("results", sid, "--json").json()
    assert res["round"] == 2
    assert [(x["proposal"], x["points"], x["rank"]) for x in res["results"]] == [("P1", 4, 1), ("P2", 0, 2)]
    assert cli("results", sid, "--round", "1", "--json").json()["round"] == 1
    r = cli("results", sid, "--round", "9")
    assert r.returncode == 1 and one_sentence(r.stderr)


def test_results_ties_and_text_output(cli, session):
    sid, codes = session
    cli("round", "open", sid, "--dots", "2")
    cli("vote", sid, "--code", codes[0], "P1=1", "P2=1")
    cli("vote", sid, "--code", codes[1], "P3=2")
    cli("vote", sid, "--code", codes[1], "P3=1", "P1=1")  # re-cast replaces
    r = cli("round", "close", sid, "--json")
    assert r.json()["ballots_cast"] == 2
    res = cli("results", sid, "--json").json()
    rows = [(x["proposal"], x["points"], x["rank"]) for x in res["results"]]
    assert rows == [("P1", 2, 1), ("P2", 1, 2), ("P3", 1, 2)]
    assert [x["rank"] for x in res["results"]] == sorted(x["rank"] for x in res["results"])
    text = cli("results", sid).stdout
    assert "tie" in text and "Idea 1" in text


def test_paper_tally_through_the_cli(cli, session):
    sid, codes = session
    cli("round", "open", sid, "--dots", "2")
    cli("vote", sid, "--code", codes[0], "P2=2")
    assert cli("tally", sid, "P1=5", "P3=1").returncode == 0
    cli("round", "close", sid)
    res = cli("results", sid, "--json").json()
    assert [(x["proposal"], x["points"]) for x in res["results"]] == [("P1", 5), ("P2", 2), ("P3", 1)]


def test_round_status_never_shows_points(cli, session):
    sid, codes = session
    cli("round", "open", sid, "--dots", "2")
    cli("vote", sid, "--code", codes[0], "P2=2")
    st = cli("round", "status", sid, "--json").json()
    assert st == {"round": 1, "open": True, "eligible": 2, "ballots_cast": 1}


def test_text_outputs_are_readable(cli, session):
    sid, codes = session
    assert "Added group G3" in cli("group", "add", sid, "Table 3").stdout
    out = cli("participant", "add", sid, "Eva").stdout
    assert "voting code" in out
    assert "does not vote" in cli("participant", "add", sid, "Obs2", "--role", "observer").stdout
    assert "Idea 2" in cli("proposal", "list", sid).stdout
    assert sid in cli("sessions").stdout
    assert cli("agenda", sid, "start", "--json").json()["current"] == 0
    assert ">" in cli("agenda", sid).stdout
    r = cli("inject", "reveal", sid, "inj-2", "--json").json()
    assert r["id"] == "inj-2" and r["revealed_at"]
    r = cli("inject", "reveal", sid, "inj-2")
    assert r.returncode == 1 and "already revealed" in r.stderr


def test_export_to_stdout_and_default_path(cli, session, sessions_dir):
    sid, codes = session
    r = cli("export", sid, "--output", "-")
    assert r.returncode == 0 and tomllib.loads(r.stdout)["session"]["id"] == sid
    r = cli("export", sid, "--format", "md", "--json")
    data = r.json()
    assert data["format"] == "md" and Path(data["path"]).is_file()
    assert Path(data["path"]).parent == sessions_dir
    for code in codes:
        assert code not in Path(data["path"]).read_text(encoding="utf-8")


def test_minutes_validate_tampered_files(cli, session, tmp_path):
    sid, codes = session
    cli("round", "open", sid, "--dots", "2")
    cli("vote", sid, "--code", codes[0], "P1=2")
    cli("round", "close", sid)
    cli("round", "open", sid, "--dots", "1", "--proposals", "P2")
    good = tmp_path / "good.toml"
    assert cli("export", sid, "--output", str(good)).returncode == 0
    r = cli("minutes", "validate", str(good))
    assert r.returncode == 0, r.stdout
    text = good.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    import tomli_w

    def tampered(name: str, mutate) -> Path:
        d = tomllib.loads(text)
        mutate(d)
        p = tmp_path / f"{name}.toml"
        p.write_text(tomli_w.dumps(d), encoding="utf-8")
        return p

    open_round = next(i for i, r_ in enumerate(data["rounds"]) if "closed_at" not in r_)
    closed_round = next(i for i, r_ in enumerate(data["rounds"]) if "closed_at" in r_)
    cases = {
        "results_in_open_round": (
            lambda d: d["rounds"][open_round].__setitem__("results", [{"proposal": "P2", "points": 1, "rank": 1}]),
            "sealed",
        ),
        "unknown_group": (lambda d: d["proposals"][0].__setitem__("group", "G99"), "unknown group G99"),
        "participant_unknown_group": (lambda d: d["participants"][0].__setitem__("group", "G42"), "unknown group"),
        "wrong_schema": (lambda d: d.__setitem__("schema", "roundtable.minutes/9"), "schema"),
        "missing_session": (lambda d: d.pop("session"), "session"),
        "results_missing_proposal": (lambda d: d["rounds"][closed_round]["results"].pop(), "every proposal"),
        "results_out_of_order": (lambda d: d["rounds"][closed_round]["results"].reverse(), "ordered by rank"),
        "negative_points": (
            lambda d: d["rounds"][closed_round]["results"][0].__setitem__("points", -1), "points"
        ),
        "bad_status": (lambda d: d["proposals"][0].__setitem__("status", "maybe"), "status"),
        "merged_without_target": (lambda d: d["proposals"][0].__setitem__("status", "merged"), "merged_into"),
        "bad_sha": (lambda d: d["provenance"].__setitem__("scenario_sha256", "abc"), "scenario_sha256"),
    }
    for name, (mutate, expect) in cases.items():
        p = tampered(name, mutate)
        r = cli("minutes", "validate", str(p))
        assert r.returncode == 1, name
        lines = r.stdout.strip().splitlines()
        assert lines and all(line.startswith(f"{p}: ") for line in lines), (name, r.stdout)
        assert expect in r.stdout, (name, r.stdout)
        assert "Traceback" not in r.stdout + r.stderr
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text(text.replace("[session]", "[session", 1), encoding="utf-8")
    r = cli("minutes", "validate", str(bad_toml))
    assert r.returncode == 1 and "TOML syntax error" in r.stdout and "line " in r.stdout
    for special, content in (("empty.toml", b""), ("bin.toml", b"\x00\x01"), ("latin.toml", b"a = '\xe9'")):
        p = tmp_path / special
        p.write_bytes(content)
        r = cli("minutes", "validate", str(p))
        assert r.returncode == 1 and r.stdout.startswith(f"{p}: ")
    r = cli("minutes", "validate", str(good), str(tmp_path / "missing.toml"), "--json")
    assert r.returncode == 1 and r.json()["valid"] is False and len(r.json()["problems"]) == 1


def test_minutes_validate_through_the_real_command(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('schema = "roundtable.minutes/1"\n[session]\nid = 1\n', encoding="utf-8")
    r = run_cli("minutes", "validate", str(bad))
    assert r.returncode == 1
    assert "Traceback" not in r.stdout + r.stderr
    assert all(line.startswith(f"{bad}: ") for line in r.stdout.splitlines())


def test_minutes_schema(cli):
    r = cli("minutes", "schema")
    assert r.returncode == 0
    schema = json.loads(r.stdout)
    assert "$schema" in schema and "session" in schema["properties"] and "rounds" in schema["properties"]


def test_help_exits_0(cli):
    r = cli("--help")
    assert r.returncode == 0 and "scenarios" in r.stdout and "vote" in r.stdout

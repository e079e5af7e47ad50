"""Minutes built from a session driven by the CLI alone: the TOML contract of section 6,
read back with tomllib, and the Markdown rendering."""

from __future__ import annotations

import hashlib
import tomllib
from collections import Counter

import pytest

from conftest import ROOT
from roundtable.minutes import MINUTES_SCHEMA, Minutes, build_minutes, load_minutes_file, to_markdown, to_toml

PROPOSALS = [
    ("G1", "Tip posters | in five languages", "Posters at reception", "1", "before", ["Hotel A", "Police"]),
    ("Table 2", "Taxi driver training", "", "2", "during", []),
    ("G2", "Shared 114 14 routine", "Who calls when", "2", "during", ["Police"]),
    ("Table 1", "Evaluate after the cup", "", "3", "after", []),
    ("G1", "Ask the press office", "", None, None, []),
]
# (voter index, allocation) — 5 dots, at most 3 per proposal
BALLOTS = [
    (0, {"P1": 3, "P2": 2}),
    (1, {"P2": 3, "P3": 2}),
    (2, {"P1": 2, "P3": 1}),
    (3, {"P4": 1}),
    (0, {"P1": 3, "P3": 2}),  # re-cast by voter 0 replaces the first ballot
]


@pytest.fixture(scope="module")
def cli_session(tmp_path_factory):
    """Build a whole session with CLI commands only (once per module).

    Returns (session file path, codes, minutes path, minutes data as read by tomllib)."""
    import contextlib
    import io
    import json

    from roundtable.cli import main

    where = tmp_path_factory.mktemp("minutes")
    sessions = where / "sessions"

    def ok(*args):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = main(["--sessions-dir", str(sessions), *args])
        assert rc == 0, (args, err.getvalue())
        return out.getvalue()

    sid = json.loads(ok("new", "gothenburg-en", "--variant", "short", "--title", "Final | round table",
                        "--date", "2026-04-29", "--venue", "Harbour hall", "--facilitator", "Fia", "--json"))["id"]
    ok("group", "add", sid, "Table 1")
    ok("group", "add", sid, "Table 2")
    codes = [
        json.loads(ok("participant", "add", sid, name, "--org", org, "--sector", sector, "--group", group,
                      "--json"))["code"]
        for name, org, sector, group in [
            ("Anna", "Nordkust Hotels", "hotel", "G1"), ("Bo", "Taxi Måsen", "taxi", "Table 1"),
            ("Cid", "Police", "police", "G2"), ("Dina", "County board", "county_board", "Table 2"),
        ]
    ]
    ok("participant", "add", sid, "Olga", "--role", "observer", "--group", "G2")
    for group, title, text, step, timeframe, actors in PROPOSALS:
        args = ["proposal", "add", sid, "--group", group, "--title", title]
        if text:
            args += ["--text", text]
        if step:
            args += ["--step", step]
        if timeframe:
            args += ["--timeframe", timeframe]
        for a in actors:
            args += ["--actor", a]
        ok(*args)
    ok("proposal", "merge", sid, "P5", "P1")
    ok("agenda", sid, "start")
    ok("agenda", sid, "next")
    first_inject = json.loads(ok("inject", "list", sid, "--json"))["injects"][0]["id"]
    ok("inject", "reveal", sid, first_inject)
    ok("round", "open", sid, "--dots", "5", "--max-per-proposal", "3")
    for voter, alloc in BALLOTS:
        ok("vote", sid, "--code", codes[voter], *(f"{k}={v}" for k, v in alloc.items()))
    ok("round", "close", sid)
    ok("round", "open", sid, "--dots", "2", "--proposals", "P2,P4")
    ok("vote", sid, "--code", codes[1], "P4=2")
    ok("decision", "add", sid, "Adopt the poster campaign", "--proposal", "P1")
    ok("action", "add", sid, "Print posters", "--owner", "Nordkust Hotels", "--due", "2027-06-01")
    ok("action", "add", sid, "Train drivers", "--owner", "Taxi Måsen", "--status", "in_progress")
    ok("evaluation", "add", sid, "worked", "The injects | felt real")
    ok("evaluation", "add", sid, "improve", "More time for step 3")
    out = where / "minutes.toml"
    ok("export", sid, "--format", "toml", "--output", str(out))
    return sessions / f"{sid}.sqlite", codes, out, tomllib.loads(out.read_text(encoding="utf-8"))


def expected_totals() -> dict[str, int]:
    final: dict[int, dict[str, int]] = {}
    for voter, alloc in BALLOTS:
        final[voter] = alloc  # re-cast replaces
    totals: Counter[str] = Counter()
    for alloc in final.values():
        totals.update(alloc)
    return {p: totals.get(p, 0) for p in ("P1", "P2", "P3", "P4")}


def test_top_level_and_session(cli_session):
    session_file, _, path, data = cli_session
    sid = session_file.stem
    assert data["schema"] == MINUTES_SCHEMA == "roundtable.minutes/1"
    session = data["session"]
    for key in ("id", "title", "scenario", "variant", "date", "venue", "facilitator", "started_at"):
        assert key in session, key
    assert session["id"] == sid and session["title"] == "Final | round table"
    assert session["scenario"] == "gothenburg-en" and session["variant"] == "short"
    assert str(session["date"]) == "2026-04-29" and session["venue"] == "Harbour hall"
    assert session["facilitator"] == "Fia"
    assert "ended_at" not in session  # still running: TOML has no null, so it is left out
    assert session["status"] == "draft"
    for key in ("groups", "participants", "agenda", "talks", "injects", "proposals", "rounds", "decisions",
                "actions", "evaluation", "provenance"):
        assert key in data, key


def test_groups_participants_and_no_codes_anywhere(cli_session):
    _, codes, path, data = cli_session
    assert [(g["id"], g["name"]) for g in data["groups"]] == [("G1", "Table 1"), ("G2", "Table 2")]
    people = {p["name"]: p for p in data["participants"]}
    assert set(people) == {"Anna", "Bo", "Cid", "Dina", "Olga"}
    assert people["Bo"] == {"id": people["Bo"]["id"], "name": "Bo", "organisation": "Taxi Måsen", "sector": "taxi",
                            "group": "G1", "role": "participant", "scribe": False}
    assert people["Olga"]["role"] == "observer"
    text = path.read_text(encoding="utf-8")
    for code in codes:
        assert code not in text
        assert code.lower() not in text.lower()
    assert not any("code" in p for p in data["participants"])


def test_proposals_are_exactly_those_entered(cli_session):
    _, _, _, data = cli_session
    got = data["proposals"]
    assert [p["id"] for p in got] == ["P1", "P2", "P3", "P4", "P5"]
    groups = {"G1": "G1", "G2": "G2", "Table 1": "G1", "Table 2": "G2"}
    for p, (group, title, text, step, timeframe, actors) in zip(got, PROPOSALS):
        assert p["group"] == groups[group]
        assert p["title"] == title and p["text"] == text
        assert p.get("step") == (int(step) if step else None)
        assert p.get("timeframe") == timeframe
        assert p["actors"] == actors
    assert [p["status"] for p in got] == ["proposed"] * 4 + ["merged"]
    assert got[4]["merged_into"] == "P1"
    assert all("merged_into" not in p for p in got[:4])


def test_round_results_match_the_ballots(cli_session):
    _, _, _, data = cli_session
    closed, still_open = data["rounds"]
    assert closed["id"] == 1 and closed["method"] == "dot"
    assert closed["dots"] == 5 and closed["max_per_proposal"] == 3
    assert closed["eligible"] == 4 and closed["ballots_cast"] == 4 and "closed_at" in closed
    results = closed["results"]
    totals = expected_totals()  # P1 5, P2 3, P3 5, P4 1
    assert {r["proposal"]: r["points"] for r in results} == totals
    assert sorted(r["proposal"] for r in results) == sorted(closed["proposals"]) == ["P1", "P2", "P3", "P4"]
    assert [r["rank"] for r in results] == [1, 1, 3, 4]  # P1 and P3 tie on 5
    assert [r["points"] for r in results] == sorted((r["points"] for r in results), reverse=True)
    assert [r.get("tied", False) for r in results] == [True, True, False, False]
    assert sum(r["points"] for r in results) == sum(totals.values())


def test_open_round_appears_without_results(cli_session):
    _, _, _, data = cli_session
    still_open = data["rounds"][1]
    assert still_open["id"] == 2 and still_open["proposals"] == ["P2", "P4"]
    assert "closed_at" not in still_open
    assert "results" not in still_open or still_open["results"] == []
    assert still_open["ballots_cast"] == 1
    # nothing about its points leaks anywhere in the round
    assert "points" not in str(still_open).replace("paper_points", "")


def test_agenda_injects_decisions_actions_evaluation_provenance(cli_session):
    _, _, _, data = cli_session
    agenda = data["agenda"]
    assert all({"title", "kind", "planned_minutes"} <= set(a) for a in agenda)
    assert "started_at" in agenda[0] and "ended_at" in agenda[0]
    assert "started_at" in agenda[1] and "ended_at" not in agenda[1]
    assert "started_at" not in agenda[2]
    revealed = [i for i in data["injects"] if "revealed_at" in i]
    assert len(revealed) == 1 and all("id" in i for i in data["injects"])
    assert [d["text"] for d in data["decisions"]] == ["Adopt the poster campaign"]
    acts = data["actions"]
    assert [(a["text"], a["owner"], a["status"]) for a in acts] == [
        ("Print posters", "Nordkust Hotels", "open"), ("Train drivers", "Taxi Måsen", "in_progress")]
    assert str(acts[0]["due"]) == "2027-06-01" and "due" not in acts[1]
    assert data["evaluation"]["worked"] == ["The injects | felt real"]
    assert data["evaluation"]["improve"] == ["More time for step 3"]
    prov = data["provenance"]
    scenario_text = (ROOT / "scenarios" / "gothenburg-en.toml").read_text(encoding="utf-8")
    assert prov["scenario_sha256"] == hashlib.sha256(scenario_text.encode("utf-8")).hexdigest()
    assert prov["tool_version"] and "generated_at" in prov


def test_exported_file_validates_and_round_trips(cli_session, cli):
    _, _, path, data = cli_session
    assert cli("minutes", "validate", str(path)).returncode == 0
    m = load_minutes_file(path)
    assert isinstance(m, Minutes)
    assert tomllib.loads(to_toml(m)) == data  # reading and writing again changes nothing


def test_markdown_export(cli_session, cli, tmp_path):
    session_file, codes, _, _ = cli_session
    out = tmp_path / "minutes.md"
    r = cli("export", str(session_file), "--format", "md", "--output", str(out))
    assert r.returncode == 0, r.stderr
    md = out.read_text(encoding="utf-8")
    assert "# Final \\| round table" in md
    assert "Tip posters \\| in five languages" in md
    assert "Tip posters | in" not in md  # the pipe never breaks a table row
    for _, title, *_ in PROPOSALS:
        assert title.replace("|", "\\|") in md
    for line in md.splitlines():
        if line.startswith("| P1 "):
            assert line.count(" | ") == 6  # 7 columns
    assert "results are sealed" in md  # the open round
    assert "Rank" in md
    for code in codes:
        assert code not in md


def test_draft_minutes_any_time_and_final_at_the_end(mini_svc):
    m = build_minutes(mini_svc)
    assert m.session.status == "draft" and m.proposals == [] and m.rounds == []
    Minutes.model_validate(tomllib.loads(to_toml(m)))
    assert "Draft" in to_markdown(m)
    mini_svc.end_session()
    m = build_minutes(mini_svc)
    assert m.session.status == "final" and m.session.ended_at is not None


def test_literal_markup_in_markdown(mini_svc):
    g = mini_svc.add_group("<script>|x")
    mini_svc.add_proposal(g.id, "a\nb | [bold]c[/]")
    md = to_markdown(build_minutes(mini_svc))
    assert "<script>" not in md
    # Markdown syntax typed by people is escaped so it shows literally when rendered.
    assert "a b \\| \\[bold\\]c\\[/\\]" in md

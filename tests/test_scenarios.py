"""Scenario files: the model, the loader's problem messages and `roundtable scenarios`."""

from __future__ import annotations

import json
import re

import pytest

from conftest import MINI, ROOT, run_cli
from roundtable.errors import RoundtableError
from roundtable.scenario import Scenario
from roundtable.scenarios import (
    MAX_SCENARIO_BYTES,
    Problem,
    ScenarioError,
    library,
    load_scenario_file,
    parse_scenario,
    resolve_scenario,
    validate_files,
)

MINI_TEXT = MINI.read_text(encoding="utf-8")


def variant(old: str, new: str, count: int = 1) -> str:
    assert old in MINI_TEXT, old
    return MINI_TEXT.replace(old, new, count)


# name -> (file content as bytes or None for special cases, expected "where" regex, expected message regex)
BAD_INPUTS: dict[str, tuple[bytes, str, str]] = {
    "syntax": (b'id = "x"\ntitle = \n', r"line 2, column \d+", r"TOML syntax error"),
    "syntax_unclosed_table": (b'[event\nname = "x"\n', r"line 1, column \d+", r"TOML syntax error"),
    "duplicate_key": (b"a = 1\na = 2\n", r"line 2, column \d+", r"TOML syntax error"),
    "wrong_type_int": (
        variant("duration_days = 2", 'duration_days = "two"').encode(), r"event\.duration_days", r"integer"
    ),
    "wrong_type_str": (variant('title = "Mini case"', "title = [1, 2]").encode(), r"title", r"string"),
    "wrong_type_table": (
        variant("[event]", 'event = "x"\n[eventx]').encode(), r"event", r"dictionary|object|table|Event"
    ),
    "wrong_enum": (variant('sector = "police"', 'sector = "wizard"').encode(), r"actors\[1\]\.sector", r"hotel"),
    "missing_field": (variant('summary = "A tiny fictional case used by the test suite."\n', "").encode(),
                      r"summary", r"required field is missing"),
    "missing_nested": (variant('city = "Testby"\n', "").encode(), r"event\.city", r"required field is missing"),
    "unknown_field": (variant('language = "en"', 'language = "en"\nsumary = "typo"').encode(), r"sumary",
                      r"unknown field"),
    "unknown_nested": (variant('kind = "welcome"', 'kind = "welcome"\nminuts = 3').encode(),
                       r"variants\[0\]\.blocks\[0\]\.minuts", r"unknown field"),
    "missing_phase": (variant('phase = "before"', 'phase = "nowhere"').encode(),
                      r"variants\[0\]\.blocks\[2\]\.phase", r"missing phase 'nowhere'"),
    "missing_talk": (variant('talk = "talk-police"', 'talk = "talk-nobody"').encode(),
                     r"variants\[0\]\.blocks\[1\]\.talk", r"missing talk 'talk-nobody'"),
    "inject_to_unknown_actor": (variant('to = ["hotel-a"]', 'to = ["ghost"]').encode(),
                                r"phases\[0\]\.injects\[0\]\.to", r"unknown actor 'ghost'"),
    "duplicate_inject_id": (variant('id = "inj-3"', 'id = "inj-1"').encode(), r"phases\[1\]\.injects\[0\]\.id",
                            r"duplicate inject id 'inj-1'"),
    "duplicate_phase_id": (variant('id = "during"', 'id = "before"').encode(), r"phases\[1\]\.id",
                           r"duplicate phase id 'before'"),
    "duplicate_actor_id": (variant('id = "police"', 'id = "hotel-a"').encode(), r"actors\[1\]\.id",
                           r"duplicate actor id"),
    "law_without_date": (variant("valid_as_of = 2026-01-01\n", "").encode(), r"facts\[0\]", r"valid_as_of"),
    "steps_incomplete": (variant("number = 3", "number = 2").encode(), r"steps", r"1, 2 and 3"),
    "wrong_schema": (variant('schema = "roundtable.scenario/1"', 'schema = "roundtable.scenario/9"').encode(),
                     r"schema", r"roundtable\.scenario/1"),
    "binary": (bytes(range(256)) * 4, r"", r"binary"),
    "non_utf8": (b'id = "caf\xe9"\n', r"line 1", r"UTF-8"),
    "non_utf8_later_line": (b'# ok\n# ok\ntitle = "\xff\xfe"\n', r"line 3", r"UTF-8"),
    "empty": (b"", r"", r"empty"),
    "whitespace_only": (b"  \n\n\t\n", r"", r"empty"),
    "comment_only": (b"# nothing here\n", r"id", r"required field is missing"),
}


def _write(tmp_path, name: str, content: bytes):
    path = tmp_path / f"{name}.toml"
    path.write_bytes(content)
    return path


def _assert_problem_lines(out: str, path, where_re: str, msg_re: str) -> None:
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines, "no problem reported"
    for line in lines:
        # one line per problem, each starting with the file name
        assert line.startswith(f"{path}: "), line
    where = rf"{where_re}: " if where_re else ""
    pattern = re.compile(rf"^{re.escape(str(path))}: {where}.*({msg_re})", re.IGNORECASE)
    assert any(pattern.search(line) for line in lines), (where_re, msg_re, lines)


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_validate_bad_input_in_process(cli, tmp_path, name):
    content, where_re, msg_re = BAD_INPUTS[name]
    path = _write(tmp_path, name, content)
    r = cli("scenarios", "validate", str(path))
    assert r.returncode == 1
    assert "Traceback" not in r.stdout + r.stderr
    _assert_problem_lines(r.stdout, path, where_re, msg_re)


def test_validate_position_or_path_is_given(tmp_path):
    """Each problem names where: a line for TOML errors, a field path for model errors."""
    for name in ("syntax", "missing_phase", "wrong_type_int"):
        content, _, _ = BAD_INPUTS[name]
        path = _write(tmp_path, name, content)
        try:
            load_scenario_file(path)
        except ScenarioError as exc:
            assert exc.problems and all(p.where for p in exc.problems), exc.problems
            assert all(p.file == str(path) for p in exc.problems)
        else:
            pytest.fail(f"{name} loaded")


def test_validate_huge_file(cli, tmp_path):
    path = tmp_path / "huge.toml"
    path.write_text(MINI_TEXT + "# padding\n" * (MAX_SCENARIO_BYTES // 10 + 10), encoding="utf-8")
    assert path.stat().st_size > 2 * 1024 * 1024
    r = cli("scenarios", "validate", str(path))
    assert r.returncode == 1
    assert re.fullmatch(rf"{re.escape(str(path))}: is \d+ KiB; a scenario may be at most 2048 KiB\n", r.stdout)


def test_validate_missing_file_and_folder(cli, tmp_path):
    missing = tmp_path / "nope.toml"
    folder = tmp_path / "dir.toml"
    folder.mkdir()
    r = cli("scenarios", "validate", str(missing), str(folder))
    assert r.returncode == 1
    assert r.stdout.splitlines() == [f"{missing}: no such file", f"{folder}: is a folder, not a scenario"]


def test_line_break_in_a_title_does_not_split_a_problem(cli, tmp_path):
    text = variant('title = "Group work: before"\nkind = "group_work"\nminutes = 30\nphase = "before"',
                   'title = "Group\\nwork: x"\nkind = "group_work"\nminutes = 30\nphase = "gone"')
    path = _write(tmp_path, "nl", text.encode())
    r = cli("scenarios", "validate", str(path))
    assert r.returncode == 1
    assert len(r.stdout.splitlines()) == 1, r.stdout
    assert "variants[0].blocks[2].phase" in r.stdout and "missing phase 'gone'" in r.stdout


def test_several_problems_in_one_file_give_several_lines(cli, tmp_path):
    text = variant('phase = "before"', 'phase = "nowhere"')
    text = text.replace('id = "inj-3"', 'id = "inj-1"').replace('talk = "talk-police"', 'talk = "x"')
    path = _write(tmp_path, "many", text.encode())
    r = cli("scenarios", "validate", str(path))
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert len(lines) == 3, lines
    assert all(line.startswith(f"{path}: ") for line in lines)


def test_validate_all_bad_inputs_through_the_real_command(tmp_path):
    """One subprocess over every bad file: exit 1, a line for each, never a traceback."""
    paths = [_write(tmp_path, name, content) for name, (content, _, _) in sorted(BAD_INPUTS.items())]
    huge = tmp_path / "huge.toml"
    huge.write_bytes(b"# x\n" * (MAX_SCENARIO_BYTES // 4 + 1))
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    missing = tmp_path / "missing.toml"
    paths += [huge, folder, missing, MINI]
    r = run_cli("scenarios", "validate", *map(str, paths))
    assert r.returncode == 1
    assert "Traceback" not in r.stdout and "Traceback" not in r.stderr
    assert r.stderr == ""
    for p in paths[:-1]:
        assert any(line.startswith(f"{p}: ") for line in r.stdout.splitlines()), p
    assert str(MINI) not in r.stdout  # the valid file has no problems
    for line in r.stdout.splitlines():
        assert any(line.startswith(f"{p}: ") for p in paths), line


def test_validate_valid_files_exit_0(tmp_path):
    bundled = sorted((ROOT / "scenarios").glob("*.toml"))
    assert bundled
    r = run_cli("scenarios", "validate", str(MINI), *map(str, bundled))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "valid" in r.stdout


def test_validate_json(cli, tmp_path):
    bad = _write(tmp_path, "bad", BAD_INPUTS["missing_phase"][0])
    r = cli("scenarios", "validate", "--json", str(bad), str(MINI))
    assert r.returncode == 1
    data = r.json()
    assert data["valid"] is False
    assert len(data["problems"]) == 1 and "nowhere" in data["problems"][0]
    r = cli("scenarios", "validate", str(MINI), "--json")
    assert r.returncode == 0 and r.json() == {"valid": True, "problems": []}


def test_validate_without_files_is_a_usage_error(cli):
    r = cli("scenarios", "validate")
    assert r.returncode == 2
    assert r.stdout == "" and r.stderr.strip()


def test_schema_is_json_schema(cli):
    r = cli("scenarios", "schema")
    assert r.returncode == 0
    schema = json.loads(r.stdout)
    assert "$schema" in schema
    assert "schema" in schema["properties"] and "schema_" not in schema["properties"]
    for key in ("id", "title", "language", "summary", "event", "phases", "variants", "steps"):
        assert key in schema["properties"], key
    assert schema.get("additionalProperties") is False


def test_list_shows_bundled_scenarios(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = cli("scenarios", "list", "--json")
    assert r.returncode == 0
    ids = {s["id"]: s for s in r.json()["scenarios"]}
    assert "gothenburg-en" in ids and ids["gothenburg-en"]["bundled"] is True
    assert {"full", "short"} <= set(ids["gothenburg-en"]["variants"])
    text = cli("scenarios").stdout  # bare `scenarios` lists too
    assert "gothenburg-en" in text


def test_list_includes_local_scenarios_folder_and_marks_invalid(cli, tmp_path, monkeypatch):
    local = tmp_path / "scenarios"
    local.mkdir()
    (local / "mine.toml").write_text(MINI_TEXT.replace('id = "mini"', 'id = "my-own"', 1), encoding="utf-8")
    (local / "broken.toml").write_bytes(b"not = [toml")
    monkeypatch.chdir(tmp_path)
    r = cli("scenarios", "list", "--json")
    assert r.returncode == 0
    entries = {s["id"]: s for s in r.json()["scenarios"]}
    assert entries["my-own"]["bundled"] is False and entries["my-own"]["error"] is None
    assert entries["broken"]["error"] and "TOML syntax error" in entries["broken"]["error"]
    text = cli("scenarios", "list").stdout
    assert "my-own" in text and "INVALID" in text


def test_show_by_id_and_by_path(cli):
    r = cli("scenarios", "show", "gothenburg-en")
    assert r.returncode == 0
    assert "Phases" in r.stdout and "Agenda variants" in r.stdout
    r = cli("scenarios", "show", str(MINI), "--json")
    assert r.returncode == 0
    data = r.json()
    assert data["id"] == "mini" and data["schema"] == "roundtable.scenario/1"


def test_show_unknown_scenario_is_one_sentence(cli):
    r = cli("scenarios", "show", "no-such-scenario")
    assert r.returncode == 1
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "no-such-scenario" in r.stderr


def test_resolve_by_id_prefix_and_path():
    assert resolve_scenario("gothenburg-en").scenario.id == "gothenburg-en"
    assert resolve_scenario("gothenburg").scenario.id.startswith("gothenburg")
    loaded = resolve_scenario(str(MINI))
    assert loaded.scenario.id == "mini" and loaded.path == MINI and len(loaded.sha256) == 64
    with pytest.raises(RoundtableError, match="No scenario 'zzz'"):
        resolve_scenario("zzz")


def test_bundled_gothenburg_meets_the_content_brief():
    s = resolve_scenario("gothenburg-en").scenario
    assert {v.id for v in s.variants} >= {"full", "short"}
    assert sum(len(p.injects) for p in s.phases) >= 8
    for p in s.phases:
        assert len(p.questions) >= 4, p.id
    assert {p.timeframe.value for p in s.phases} == {"before", "during", "after"}
    for f in s.facts:
        assert f.source
        if f.kind.value == "law":
            assert f.valid_as_of is not None and f.valid_as_of.year >= 2026


def test_model_lookups():
    s = parse_scenario(MINI_TEXT)
    assert isinstance(s, Scenario)
    assert s.variant(None).id == "short"
    assert s.variant("tiny").total_minutes == 10
    with pytest.raises(KeyError):
        s.variant("nope")
    phase, inject = s.inject("inj-3")
    assert phase.id == "during" and inject.title == "Taxi"
    assert s.step_name(2) == "Knowledge"


def test_problem_str_and_validate_files(tmp_path):
    assert str(Problem("f.toml", "line 3", "bad")) == "f.toml: line 3: bad"
    assert str(Problem("f.toml", "", "bad")) == "f.toml: bad"
    bad = _write(tmp_path, "bad", BAD_INPUTS["missing_field"][0])
    assert validate_files([str(MINI)]) == []
    problems = validate_files([str(bad), str(MINI)])
    assert [p.where for p in problems] == ["summary"]


def test_library_lists_every_bundled_file():
    entries = library(extra_dirs=[])
    assert {e.path.name for e in entries if e.bundled} == {p.name for p in (ROOT / "scenarios").glob("*.toml")}
    assert all(e.error is None for e in entries if e.bundled), [e.error for e in entries if e.error]

"""Several processes on one session at once: writes are transactional, none is lost.

Workers are forked (they inherit the imported modules, so 20 of them start in well
under a second) and each opens its own connection; a barrier makes them write together.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing as mp
import os
import traceback
from collections import Counter

import pytest

from conftest import MINI
from roundtable.scenarios import load_scenario_file
from roundtable.service import create_session, open_session

N = 20

ctx = mp.get_context("fork")
pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs fork")


def _cast(path: str, code: str, alloc: dict, barrier, errors) -> None:
    try:
        s = open_session(path)
        barrier.wait(timeout=60)
        s.cast_ballot(code, {"P1": 1}, source="test")  # replaced by the next line
        s.cast_ballot(code, alloc, source="test")
        s.add_evaluation_note("worked", f"note from {code}")  # numbered insert: ids must not collide
        s.close()
    except BaseException:
        errors.put(traceback.format_exc())
        os._exit(1)
    os._exit(0)


def _run_all(target, arglists, errors) -> list[str]:
    procs = [ctx.Process(target=target, args=args) for args in arglists]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    problems += [f"exit {p.exitcode}" for p in procs if p.exitcode != 0]
    return problems


def test_many_processes_cast_ballots_at_once(sessions_dir):
    svc = create_session(load_scenario_file(MINI), sessions_dir=sessions_dir)
    g = svc.add_group("Table 1")
    for n in range(3):
        svc.add_proposal(g.id, f"Idea {n + 1}")
    voters = [svc.add_participant(f"Voter {n}") for n in range(N)]
    svc.open_round(dots=3, max_per_proposal=2)
    barrier, errors = ctx.Barrier(N), ctx.Queue()
    ballots = {v.code: {f"P{(n % 3) + 1}": 2, f"P{((n + 1) % 3) + 1}": 1} for n, v in enumerate(voters)}
    problems = _run_all(_cast, [(str(svc.path), code, alloc, barrier, errors) for code, alloc in ballots.items()],
                        errors)
    assert problems == []  # in particular no 'database is locked' / busy errors

    assert svc.round_status().ballots_cast == N
    res = svc.close_round()
    expected: Counter[str] = Counter()
    for alloc in ballots.values():
        expected.update(alloc)
    assert {r.proposal: r.points for r in res.results} == {p: expected[p] for p in ("P1", "P2", "P3")}
    assert sum(r.points for r in res.results) == 3 * N
    notes = svc.evaluation_notes()
    assert len(notes) == N and len({n.id for n in notes}) == N
    svc.close()


def _cli_add(path: str, n: int, barrier, errors) -> None:
    from roundtable.cli import main

    try:
        barrier.wait(timeout=60)
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            rc = main(["proposal", "add", path, "--group", "G1", "--title", f"From process {n}", "--json"])
        if rc != 0:
            errors.put(err.getvalue())
            os._exit(1)
    except BaseException:
        errors.put(traceback.format_exc())
        os._exit(1)
    os._exit(0)


def test_concurrent_cli_writers_get_distinct_ids(sessions_dir):
    """Proposals added through the CLI by several processes at the same moment all land."""
    svc = create_session(load_scenario_file(MINI), sessions_dir=sessions_dir)
    svc.add_group("Table 1")
    k = 10
    barrier, errors = ctx.Barrier(k), ctx.Queue()
    assert _run_all(_cli_add, [(str(svc.path), n, barrier, errors) for n in range(k)], errors) == []
    props = svc.proposals()
    assert sorted(p.title for p in props) == sorted(f"From process {n}" for n in range(k))
    assert sorted(p.id for p in props) == sorted(f"P{n}" for n in range(1, k + 1))
    svc.close()


def test_reader_sees_writes_of_another_process_while_open(sessions_dir):
    svc = create_session(load_scenario_file(MINI), sessions_dir=sessions_dir)
    g = svc.add_group("Table 1")
    p = svc.add_proposal(g.id, "x")
    voter = svc.add_participant("A")
    svc.open_round(dots=2)
    barrier, errors = ctx.Barrier(1), ctx.Queue()
    assert _run_all(_cast, [(str(svc.path), voter.code, {p.id: 2}, barrier, errors)], errors) == []
    assert svc.own_ballot(voter.code) == {p.id: 2}
    assert svc.round_status().ballots_cast == 1
    svc.close()

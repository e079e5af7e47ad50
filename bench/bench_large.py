"""Benchmark on a large session: 40 groups, 400 participants, 1,000 proposals, 5,000 ballots.

Run:  .venv/bin/python bench/bench_large.py

Prints figures; it asserts nothing. Every timing is compared with a baseline taken in
the same run (these machines are noisy): the CLI against `python -c "import textual.app"`,
the TUI's first screen against a bare Textual app.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from roundtable.scenarios import resolve_scenario  # noqa: E402
from roundtable.service import create_session, open_session  # noqa: E402

GROUPS, PARTICIPANTS, PROPOSALS, BALLOTS = 40, 400, 1000, 5000
REPEAT = 5


def build(sessions_dir: Path) -> tuple[str, float]:
    rng = random.Random(4)
    t0 = time.perf_counter()
    svc = create_session(resolve_scenario("gothenburg-en"), variant="full", title="Bench", sessions_dir=sessions_dir)
    groups = [svc.add_group(f"Table {n}").id for n in range(1, GROUPS + 1)]
    people = [
        svc.add_participant(f"Person {n}", organisation=f"Org {n % 60}", sector="hotel", group=groups[n % GROUPS])
        for n in range(PARTICIPANTS)
    ]
    for n in range(PROPOSALS):
        svc.add_proposal(groups[n % GROUPS], f"Proposal {n}", text="Text " * 20, step=n % 3 + 1,
                         timeframe=("before", "during", "after")[n % 3], actors=["hotel", "police"])
    cast = 0
    while cast < BALLOTS:
        r = svc.open_round(dots=5, max_per_proposal=3)
        for p in people:
            if cast >= BALLOTS:
                break
            chosen = rng.sample(r.proposals, 3)
            svc.cast_ballot(p.code, {chosen[0]: 3, chosen[1]: 1, chosen[2]: 1})
            cast += 1
        svc.close_round()
    sid = svc.id
    svc.close()
    return sid, time.perf_counter() - t0


def wall(cmd: list[str], env: dict) -> float:
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


FIRST_SCREEN = r'''
import sys, time
t0 = time.perf_counter()
mode = sys.argv[1]
if mode == "bare":
    from textual.app import App
    from textual.widgets import Static
    class Bare(App):
        def compose(self):
            yield Static("hello")
        def on_mount(self):
            self.call_after_refresh(self.exit)
    Bare().run(headless=True, size=(120, 40))
else:
    from roundtable.service import open_session
    from roundtable.tui.app import RoundtableApp
    class Timed(RoundtableApp):
        async def on_mount(self):
            super().on_mount()
            # exit once the console pane has loaded its data and painted
            await self.workers.wait_for_complete()
            self.call_after_refresh(self.exit)
    Timed(session=open_session(sys.argv[2])).run(headless=True, size=(120, 40))
print(time.perf_counter() - t0)
'''


def first_screen(mode: str, sid: str, env: dict) -> float:
    return wall([sys.executable, "-c", FIRST_SCREEN, mode, sid], env)


async def new_proposal_latency(sid: str) -> list[float]:
    """Time from a commit in another connection until the board shows the proposal."""
    from textual.widgets import DataTable

    from roundtable.tui.app import RoundtableApp

    app = RoundtableApp(session=open_session(sid))
    other = open_session(sid)
    out = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("4")
        await app.workers.wait_for_complete()
        await pilot.pause()
        for n in range(5):
            title = f"Brand new proposal {n}"
            t0 = time.perf_counter()
            p = other.add_proposal("G1", title)
            while True:
                await asyncio.sleep(0.005)
                tables = app.screen.query_one("#pane-proposals").query(DataTable)
                if any(p.id in {str(k.value) for k in t.rows} for t in tables):
                    break
                if time.perf_counter() - t0 > 10:
                    raise RuntimeError("the new proposal did not appear within 10 s")
            out.append(time.perf_counter() - t0)
    other.close()
    return out


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="roundtable-bench-"))
    env = dict(os.environ, ROUNDTABLE_SESSIONS=str(tmp))
    os.environ["ROUNDTABLE_SESSIONS"] = str(tmp)
    print(f"Building a session: {GROUPS} groups, {PARTICIPANTS} participants, {PROPOSALS} proposals, "
          f"{BALLOTS} ballots …")
    sid, build_s = build(tmp)
    size = sum(p.stat().st_size for p in tmp.glob(f"{sid}*"))
    print(f"  built in {build_s:.1f} s ({(PARTICIPANTS + PROPOSALS + BALLOTS) / build_s:.0f} committed writes/s), "
          f"session file {size / 1e6:.1f} MB")

    py = sys.executable
    base_pass = wall([py, "-c", "pass"], env)
    base_textual = wall([py, "-c", "import textual.app"], env)
    cli_results = wall([py, "-m", "roundtable.cli", "results", sid, "--json"], env)
    cli_sessions = wall([py, "-m", "roundtable.cli", "sessions"], env)
    print(f"\nCLI wall time (median of {REPEAT})")
    print(f"  python -c pass                     {base_pass * 1000:7.0f} ms")
    print(f"  python -c 'import textual.app'     {base_textual * 1000:7.0f} ms   (baseline)")
    print(f"  roundtable results SESSION --json  {cli_results * 1000:7.0f} ms   ({cli_results / base_textual:.2f}× baseline)")
    print(f"  roundtable sessions                {cli_sessions * 1000:7.0f} ms   ({cli_sessions / base_textual:.2f}× baseline)")

    bare = first_screen("bare", sid, env)
    ours = first_screen("roundtable", sid, env)
    print(f"\nTUI to first screen, process start to painted (median of {REPEAT})")
    print(f"  bare Textual app                   {bare * 1000:7.0f} ms   (baseline)")
    print(f"  roundtable open SESSION (large)    {ours * 1000:7.0f} ms   ({ours / bare:.2f}× baseline)")

    lat = asyncio.run(new_proposal_latency(sid))
    print("\nNew proposal committed by another connection → visible on the proposals board")
    print(f"  median {statistics.median(lat) * 1000:.0f} ms, max {max(lat) * 1000:.0f} ms over {len(lat)} "
          f"(board polls every 0.5 s; 1,000+ rows)")

    svc = open_session(sid)
    rounds = svc.rounds()
    t0 = time.perf_counter()
    for r in rounds:
        svc.results(r.id)
    tally_all = time.perf_counter() - t0
    big = max(rounds, key=lambda r: svc.round_status(r.id).ballots_cast)
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        svc.results(big.id)
        times.append(time.perf_counter() - t0)
    print("\nTally")
    print(f"  one round (400 ballots × 1,000 proposals): {statistics.median(times) * 1000:.1f} ms")
    print(f"  all {len(rounds)} rounds ({BALLOTS} ballots):             {tally_all * 1000:.1f} ms")

    for fmt in ("toml", "md"):
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            path = svc.export(fmt, tmp / f"minutes.{fmt}")
            times.append(time.perf_counter() - t0)
        print(f"Export {fmt:<4} {statistics.median(times) * 1000:7.0f} ms  ({path.stat().st_size / 1e6:.2f} MB)")
    svc.close()


if __name__ == "__main__":
    main()

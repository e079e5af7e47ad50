"""Benchmark of a live, served session: memory per browser, update latency, ballot throughput.

Run:  .venv/bin/python bench/bench_live.py [--clients 10] [--voters 60]

Prints figures; asserts nothing except that the final ballot count is exact. All
traffic stays on 127.0.0.1. Each figure has a baseline taken in the same run:

(a) memory: `roundtable serve` with N browsers (aiohttp websockets) on the participant
    app's join screen; RSS and PSS (/proc/PID/smaps_rollup) of the server and of each
    app process — against a bare Textual app (one Static) served the same way.
(b) latency: a ballot cast in one process → the new ballot count seen by another
    process polling `change_token()` every 0.1 s and 0.25 s (the projector's way).
(c) throughput: V voter processes, each logged in through `roundtable.participant`
    (join code, then voting code), casting and re-casting ballots at once; against the
    same number of ballots cast from one process.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from roundtable.participant import connect  # noqa: E402
from roundtable.scenarios import resolve_scenario  # noqa: E402
from roundtable.service import create_session, open_session  # noqa: E402

ANSI = re.compile(r"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
PROPOSALS = 10
LATENCY_BALLOTS = 50
RECASTS = 10  # ballots per voter process in (c): one cast and nine re-casts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(sessions_dir: Path, voters: int) -> tuple[Path, list[str]]:
    svc = create_session(resolve_scenario("gothenburg-en"), variant="short", title="Live bench",
                         sessions_dir=sessions_dir)
    g = svc.add_group("Table 1").id
    codes = [svc.add_participant(f"Voter {n}", group=g).code for n in range(voters)]
    for n in range(PROPOSALS):
        svc.add_proposal(g, f"Proposal {n}")
    path = svc.path
    svc.close()
    return path, codes


def allocation(rng: random.Random, proposals: list[str]) -> dict[str, int]:
    a, b, c = rng.sample(proposals, 3)
    return {a: 3, b: 1, c: 1}


# -- (a) memory ---------------------------------------------------------------------------

def descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parents.items() if pp == p]
        out += kids
        todo += kids
    return out


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in kB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        parts = line.split()
        if parts and parts[0] in ("Rss:", "Pss:"):
            fields[parts[0]] = int(parts[1])
    return fields["Rss:"], fields["Pss:"]


def is_python(pid: int) -> bool:
    try:
        return "python" in Path(f"/proc/{pid}/comm").read_text()
    except OSError:
        return False


async def open_clients(port: int, n: int, needle: str, timeout: float = 180.0):
    """N browsers: each opens the websocket and waits until `needle` is on its screen."""
    import aiohttp

    http = aiohttp.ClientSession()
    sockets = []

    async def one():
        ws = await http.ws_connect(f"http://127.0.0.1:{port}/ws?width=80&height=24")
        sockets.append(ws)
        await ws.send_json(["resize", {"width": 80, "height": 24}])
        raw = b""
        while needle not in ANSI.sub("", raw.decode("utf-8", "replace")):
            msg = await ws.receive()
            if msg.type != aiohttp.WSMsgType.BINARY:
                raise RuntimeError(f"websocket ended before {needle!r} showed")
            raw += msg.data

    t0 = time.monotonic()
    await asyncio.wait_for(asyncio.gather(*(one() for _ in range(n))), timeout)
    return http, sockets, time.monotonic() - t0


async def close_clients(http, sockets):
    for ws in sockets:
        await ws.close()
    await http.close()


def wait_up(proc: subprocess.Popen, port: int, timeout: float = 60.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early: {proc.communicate()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not come up")


def measure_served(argv: list[str], needle: str, n: int) -> dict:
    port = free_port()
    argv = [a.replace("{port}", str(port)) for a in argv]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_up(proc, port)
        server_idle = memory_kb(proc.pid)
        loop = asyncio.new_event_loop()
        try:
            http, sockets, took = loop.run_until_complete(open_clients(port, n, needle))
            loop.run_until_complete(asyncio.sleep(2.0))  # let the apps settle
            server = memory_kb(proc.pid)
            apps = [memory_kb(p) for p in descendants(proc.pid) if is_python(p)]
            shells = [p for p in descendants(proc.pid) if not is_python(p)]
            loop.run_until_complete(close_clients(http, sockets))
        finally:
            loop.close()
        return {"server_idle": server_idle, "server": server, "apps": apps, "took": took, "shells": len(shells)}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


BARE_APP = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("Join the round table")

Bare().run()
"""


def bench_memory(path: Path, n: int, tmp: Path) -> None:
    py = sys.executable
    ours = measure_served(
        [py, "-m", "roundtable", "serve", str(path), "--host", "127.0.0.1", "--port", "{port}",
         "--public-url", "http://127.0.0.1:{port}"], "Join the round table", n)
    bare_file = tmp / "bare_app.py"
    bare_file.write_text(BARE_APP)
    runner = textwrap.dedent(f"""
        import sys
        from roundtable.serve import serve_command
        port = int(sys.argv[1])
        serve_command([sys.executable, {str(bare_file)!r}], host="127.0.0.1", port=port,
                      public_url=f"http://127.0.0.1:{{port}}", title="bare")
    """)
    bare = measure_served([py, "-c", runner, "{port}"], "Join the round table", n)

    def mb(kb: float) -> str:
        return f"{kb / 1024:6.1f} MB"

    print(f"\n(a) Memory with {n} browsers on the join screen (RSS / PSS)")
    for label, m in (("bare Textual app (baseline)", bare), ("roundtable serve (participant app)", ours)):
        rss = [a[0] for a in m["apps"]]
        pss = [a[1] for a in m["apps"]]
        total_pss = sum(pss) + m["server"][1]
        print(f"  {label}: {len(m['apps'])} app processes, all {n} screens up in {m['took']:.1f} s"
              + (f", {m['shells']} other child processes" if m["shells"] else ""))
        print(f"    server idle          RSS {mb(m['server_idle'][0])}  PSS {mb(m['server_idle'][1])}")
        print(f"    server, {n} clients   RSS {mb(m['server'][0])}  PSS {mb(m['server'][1])}")
        if rss:
            print(f"    per app (median)     RSS {mb(statistics.median(rss))}  PSS {mb(statistics.median(pss))}"
                  f"   (max RSS {mb(max(rss))})")
        print(f"    total PSS (server + apps) {mb(total_pss)}")
    if ours["apps"] and bare["apps"]:
        r = statistics.median(a[1] for a in ours["apps"]) / statistics.median(a[1] for a in bare["apps"])
        print(f"  per-app PSS: {r:.2f}× the bare app")


# -- (b) latency -----------------------------------------------------------------------

WATCHER = r"""
import sys, time
from roundtable.service import open_session
svc = open_session(sys.argv[1])
interval = float(sys.argv[2])
rid = int(sys.argv[3])
last = svc.change_token()
print("ready", flush=True)
while True:
    time.sleep(interval)
    tok = svc.change_token()
    if tok != last:
        last = tok
        print(time.monotonic(), svc.round_status(rid).ballots_cast, flush=True)
"""


def bench_latency(path: Path, codes: list[str], interval: float) -> list[float]:
    svc = open_session(str(path))
    if svc.open_round_now():
        svc.close_round()
    rnd = svc.open_round(dots=5, max_per_proposal=3)
    join = svc.join_code()
    rng = random.Random(7)
    voters = []
    for n, code in enumerate(codes[:LATENCY_BALLOTS]):
        gate = connect(path, client=f"latency-{n}")
        gate.check_join_code(join)
        voters.append(gate.login(code))
    watcher = subprocess.Popen([sys.executable, "-c", WATCHER, str(path), str(interval), str(rnd.id)],
                               stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert watcher.stdout.readline().strip() == "ready"
        cast_at = []
        for client in voters:
            time.sleep(rng.uniform(0.15, 0.45))
            cast_at.append(time.monotonic())
            client.cast_ballot(allocation(rng, rnd.proposals))
        time.sleep(interval * 3 + 0.5)
    finally:
        watcher.send_signal(signal.SIGTERM)
        out, _ = watcher.communicate(timeout=10)
    seen: dict[int, float] = {}
    for line in out.splitlines():
        t, count = line.split()
        for k in range(1, int(count) + 1):
            seen.setdefault(k, float(t))
    for c in voters:
        c.close()
    svc.close_round()
    svc.close()
    return [seen[k + 1] - t for k, t in enumerate(cast_at)]


# -- (c) throughput ---------------------------------------------------------------------

VOTER = r"""
import random, sys, time
from roundtable.errors import RoundtableError
from roundtable.participant import connect
path, join, code, k, seed = sys.argv[1:6]
client = connect(path, client="voter-" + seed)
client.check_join_code(join)
me = client.login(code)
proposals = sys.argv[6].split(",")
rng = random.Random(int(seed))
print("ready", flush=True)
sys.stdin.readline()
errors = 0
done = 0
for _ in range(int(k)):
    a, b, c = rng.sample(proposals, 3)
    try:
        me.cast_ballot({a: 3, b: 1, c: 1})
        done += 1
    except RoundtableError as exc:
        errors += 1
print("done", done, errors, time.monotonic(), flush=True)
"""


def bench_throughput(path: Path, codes: list[str], voters: int) -> None:
    svc = open_session(str(path))
    if svc.open_round_now():
        svc.close_round()
    rnd = svc.open_round(dots=5, max_per_proposal=3)
    join = svc.join_code()
    procs = []
    try:
        t_start = time.monotonic()
        for n, code in enumerate(codes[:voters]):
            procs.append(subprocess.Popen(
                [sys.executable, "-c", VOTER, str(path), join, code, str(RECASTS), str(n), ",".join(rnd.proposals)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT))
        for p in procs:
            line = p.stdout.readline().strip()
            if line != "ready":
                raise RuntimeError(f"a voter process failed to log in: {line!r}")
        ready_s = time.monotonic() - t_start
        t0 = time.monotonic()
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        results = []
        for p in procs:
            _, done, errors, t_end = p.stdout.readline().split()
            results.append((int(done), int(errors), float(t_end)))
            p.wait(timeout=60)
        wall = max(r[2] for r in results) - t0
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    total = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    count = svc.round_status(rnd.id).ballots_cast
    svc.close_round()

    # baseline: the same number of casts, one after another, from one process
    rnd2 = svc.open_round(dots=5, max_per_proposal=3)
    rng = random.Random(3)
    clients = []
    for n, code in enumerate(codes[:voters]):
        gate = connect(path, client=f"seq-{n}")
        gate.check_join_code(join)
        clients.append(gate.login(code))
    t0 = time.monotonic()
    for _ in range(RECASTS):
        for c in clients:
            c.cast_ballot(allocation(rng, rnd2.proposals))
    seq = time.monotonic() - t0
    seq_count = svc.round_status(rnd2.id).ballots_cast
    for c in clients:
        c.close()
    svc.close_round()
    svc.close()

    print(f"\n(c) Ballots per second: {voters} voter processes × {RECASTS} ballots (1 cast + {RECASTS - 1} re-casts)")
    print(f"  all {voters} processes logged in (join code + voting code) in {ready_s:.1f} s")
    print(f"  concurrent: {total} ballots in {wall:.2f} s = {total / wall:.0f} ballots/s; errors {errors}")
    print(f"  one process, same {voters * RECASTS} ballots (baseline): {seq:.2f} s = {voters * RECASTS / seq:.0f} ballots/s")
    ok = "exact" if count == voters else "WRONG"
    print(f"  final ballot count {count} (expected {voters}: {ok}); baseline round {seq_count}")
    if count != voters or seq_count != voters:
        raise SystemExit("ballot count mismatch")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--voters", type=int, default=60)
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: a,b,c")
    args = ap.parse_args()
    skip = set(args.skip.split(",")) - {""}
    tmp = Path(tempfile.mkdtemp(prefix="roundtable-live-"))
    os.environ["ROUNDTABLE_SESSIONS"] = str(tmp)
    path, codes = build(tmp, max(args.voters, LATENCY_BALLOTS))
    print(f"Session {path.name}: {len(codes)} voters, {PROPOSALS} proposals; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if "a" not in skip:
        bench_memory(path, args.clients, tmp)
    if "b" not in skip:
        print(f"\n(b) Ballot cast in one process → new count seen by a process polling change_token() "
              f"({LATENCY_BALLOTS} ballots each)")
        for interval in (0.1, 0.25):
            lat = sorted(bench_latency(path, codes, interval))
            p95 = lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))]
            print(f"  poll every {interval:.2f} s: median {statistics.median(lat) * 1000:4.0f} ms, "
                  f"p95 {p95 * 1000:4.0f} ms, max {max(lat) * 1000:4.0f} ms   "
                  f"(baseline: half the interval = {interval * 500:.0f} ms)")
    if "c" not in skip:
        bench_throughput(path, codes, args.voters)


if __name__ == "__main__":
    main()

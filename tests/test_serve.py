"""`roundtable serve`: the participant app served to browsers on the local network.

End-to-end tests start the real command in a subprocess on 127.0.0.1 and talk to it
with aiohttp (HTTP and the websocket textual-serve drives the app with). All traffic
goes to 127.0.0.1; every wait is bounded; every process is killed in `finally`.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT
from roundtable import serve
from roundtable.errors import RoundtableError
from roundtable.qr import qr_lines

aiohttp = pytest.importorskip("aiohttp")

START_TIMEOUT = 40.0   # the machine is shared: be generous, but bounded
SCREEN_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0

# CSI / OSC / other escape sequences in the terminal stream
ANSI = re.compile(r"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_].*?\x1b\\|\x1b[@-Z\\-_]",
                  re.S)


# -- helpers ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid: int) -> list[int]:
    """Every live descendant of `pid` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            parents[int(entry.name)] = int(fields[1])
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parents.items() if pp == p]
        found += kids
        todo += kids
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def start(args: list[str], env_extra: dict | None = None) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(env_extra or {})
    return subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
        start_new_session=True,  # so a stray signal to the test's group never reaches it
    )


def start_serve(session_path: Path, port: int, *extra: str, command: str = "serve") -> subprocess.Popen:
    argv = [sys.executable, "-m", "roundtable", "--sessions-dir", str(session_path.parent), command,
            str(session_path), *extra, "--host", "127.0.0.1", "--port", str(port),
            "--public-url", f"http://127.0.0.1:{port}"]
    return start(argv)


def wait_until_up(proc: subprocess.Popen, port: int, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out, err = proc.communicate(timeout=5)
            pytest.fail(f"server exited with {proc.returncode} before answering:\n{out}\n{err}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"server did not answer on port {port} within {timeout} s")


def stop(proc: subprocess.Popen, sig: int | None = signal.SIGTERM) -> tuple[int, str, str]:
    """Signal the server (unless sig is None) and collect its exit status and output (killing it if it hangs)."""
    if sig is not None and proc.poll() is None:
        proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate(timeout=10)
        pytest.fail(f"server did not stop within {STOP_TIMEOUT} s after signal {sig}")
    return proc.returncode, out, err


def kill_all(proc: subprocess.Popen, extra: list[int] = ()) -> None:
    for pid in [*extra, *(children_of(proc.pid) if proc.poll() is None else [])]:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)


def get(port: int, path: str) -> tuple[int, bytes, dict]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
        return r.status, r.read(), dict(r.headers)


async def read_screen_until(port: int, needle: str, *, stdin: list[str] = (), timeout: float = SCREEN_TIMEOUT,
                            width: int = 80, height: int = 24, then=None) -> str:
    """Open the websocket like a browser does; return the plain text seen once `needle` shows.

    Once it shows, `stdin` is typed; if `then` is given, the connection stays open until
    `then()` is true (polled while the screen keeps streaming).
    """
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(f"http://127.0.0.1:{port}/ws?width={width}&height={height}",
                                   timeout=aiohttp.ClientWSTimeout(ws_close=5)) as ws:
            await ws.send_json(["resize", {"width": width, "height": height}])
            raw = b""
            deadline = time.monotonic() + timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{needle!r} not seen within {timeout} s; screen text:\n"
                                         + ANSI.sub("", raw.decode("utf-8", "replace"))[-3000:])
                try:
                    msg = await asyncio.wait_for(ws.receive(), left)
                except asyncio.TimeoutError:
                    continue
                if msg.type == aiohttp.WSMsgType.BINARY:
                    raw += msg.data
                    text = ANSI.sub("", raw.decode("utf-8", "replace"))
                    if needle.lower() in text.lower():
                        for data in stdin:
                            await ws.send_json(["stdin", data])
                        while then is not None and not then():
                            if time.monotonic() > deadline:
                                raise AssertionError("condition not met within the timeout after typing")
                            try:
                                await asyncio.wait_for(ws.receive(), 0.2)
                            except asyncio.TimeoutError:
                                pass
                        return text
                elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                    raise AssertionError(f"websocket closed before {needle!r} showed:\n"
                                         + ANSI.sub("", raw.decode("utf-8", "replace"))[-3000:])


async def stop_while_connected(proc: subprocess.Popen, port: int, needle: str, sig: int) -> list[int]:
    """With a browser connected and its app showing `needle`, signal the server.

    The websocket must be closed by the server and the server must exit; returns the
    app processes that were running, for the caller to check they are gone.
    """
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(f"http://127.0.0.1:{port}/ws?width=80&height=24") as ws:
            await ws.send_json(["resize", {"width": 80, "height": 24}])
            raw = b""
            deadline = time.monotonic() + SCREEN_TIMEOUT
            while needle.lower() not in ANSI.sub("", raw.decode("utf-8", "replace")).lower():
                assert time.monotonic() < deadline, f"{needle!r} never showed"
                msg = await asyncio.wait_for(ws.receive(), deadline - time.monotonic())
                assert msg.type == aiohttp.WSMsgType.BINARY, msg
                raw += msg.data
            kids = children_of(proc.pid)
            assert kids, "no app process for the open connection"
            proc.send_signal(sig)
            deadline = time.monotonic() + STOP_TIMEOUT
            while True:
                assert time.monotonic() < deadline, "the server kept the websocket open after the signal"
                msg = await asyncio.wait_for(ws.receive(), deadline - time.monotonic())
                if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                    break
    return kids


@pytest.fixture
def session_file(svc) -> Path:
    svc.add_group("Table 1")
    svc.add_participant("Anna", organisation="Hotel A", group="Table 1")
    return svc.path


# -- this machine's address -------------------------------------------------------------

class _NoTrafficSocket(socket.socket):
    def send(self, *a, **k):  # pragma: no cover - would be a failure
        raise AssertionError("sent data")

    sendall = sendto = sendmsg = send


def test_lan_address_sends_nothing_and_is_not_loopback(monkeypatch):
    monkeypatch.setattr(socket, "socket", _NoTrafficSocket)

    def no_dns(*a, **k):
        raise AssertionError("name lookups may send DNS queries")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    monkeypatch.setattr(socket, "gethostbyname", no_dns)
    address = serve.lan_address()
    if address is not None:
        socket.inet_aton(address)  # an IPv4 address
        assert not address.startswith("127.")
        assert address != "0.0.0.0"


def test_lan_addresses_prefer_the_room_network():
    found = serve.lan_addresses([
        ("lo", "127.0.0.1"), ("docker0", "172.17.0.1"), ("wlp2s0", "192.168.1.23"),
        ("tailscale0", "100.64.1.2"), ("eth1", "169.254.3.4"), ("bad", "not-an-ip"),
    ])
    # the room's network first, a link-local address before container bridges and VPNs
    assert found == ["192.168.1.23", "169.254.3.4", "172.17.0.1", "100.64.1.2"]


def test_public_url_rules(monkeypatch):
    assert serve.resolve_public_url("0.0.0.0", 8000, "http://10.1.2.3:8000/") == ("http://10.1.2.3:8000", None)
    assert serve.resolve_public_url("192.168.0.7", 8000, None) == ("http://192.168.0.7:8000", None)
    assert serve.resolve_public_url("fe80::1", 8001, None) == ("http://[fe80::1]:8001", None)
    monkeypatch.setattr(serve, "lan_address", lambda: "192.168.5.6")
    assert serve.resolve_public_url("0.0.0.0", 8000, None) == ("http://192.168.5.6:8000", None)
    assert serve.resolve_public_url("", 80, None) == ("http://192.168.5.6", None)
    monkeypatch.setattr(serve, "lan_address", lambda: None)
    url, warning = serve.resolve_public_url("::", 8000, None)
    assert url == "http://127.0.0.1:8000"
    assert warning and "--public-url" in warning


def test_real_public_url_falls_back_or_finds_lan():
    url, warning = serve.resolve_public_url("0.0.0.0", 8000, None)
    host = url.split("//", 1)[1].rsplit(":", 1)[0]
    if warning:
        assert host == "127.0.0.1"
    else:
        assert not host.startswith("127.")


# -- the page and the command -----------------------------------------------------------

URL_RE = re.compile(r"(?:https?|wss?):?//[^\s\"'<>)]*", re.I)


def test_template_names_no_other_host():
    text = (ROOT / "roundtable" / "web" / "templates" / "app_index.html").read_text(encoding="utf-8")
    assert URL_RE.findall(text) == []
    assert "googleapis" not in text and "gstatic" not in text
    assert re.search(r"(src|href)\s*=\s*\"//", text) is None  # no protocol-relative URLs either
    assert "@font-face" in text and "RobotoMono-VariableFont_wght.ttf" in text


def test_app_command_is_shell_quoted(svc):
    import shlex

    argv = serve.app_argv(svc, "join")
    cmd = serve.shell_command(argv)
    assert cmd.startswith("exec ")
    assert shlex.split(cmd)[1:] == argv
    assert shlex.split(serve.shell_command(["echo", "a b", "it's", "$HOME;rm"]))[1:] == ["echo", "a b", "it's", "$HOME;rm"]
    assert argv[:3] == [sys.executable, "-m", "roundtable"]
    assert argv[3:5] == ["--sessions-dir", str(svc.path.resolve().parent)]
    assert argv[5:] == ["join", str(svc.path.resolve())]
    with pytest.raises(RoundtableError):
        serve.app_argv(svc, "facilitator")


def test_serve_module_does_not_import_textual(tmp_path):
    code = textwrap.dedent("""
        import sys
        import roundtable.serve as s
        s._make_server_class()
        bad = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
        assert not bad, bad
        print("ok")
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_port_in_use_is_one_sentence(session_file, svc):
    svc.set_join_url("http://192.168.1.50:8000")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = start_serve(session_file, port)
        try:
            out, err = proc.communicate(timeout=START_TIMEOUT)
        finally:
            kill_all(proc)
    assert proc.returncode == 1
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert f"Port {port} is already in use" in err
    assert "--port" in err
    # a server that could not start does not replace the address the running one announced
    assert svc.join_url() == "http://192.168.1.50:8000"


def test_port_permission_denied_is_one_sentence(session_file):
    if os.geteuid() == 0:
        pytest.skip("root may listen on low ports")
    proc = start_serve(session_file, 80)
    try:
        out, err = proc.communicate(timeout=START_TIMEOUT)
    finally:
        kill_all(proc)
    assert proc.returncode == 1
    assert len([x for x in err.splitlines() if x.strip()]) == 1 and "Traceback" not in err


def test_serve_end_to_end(session_file, svc):
    """Page, font, websocket to the participant app's join screen, per-device throttling, clean stop."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_serve(session_file, port)
    kids: list[int] = []
    try:
        wait_until_up(proc, port)
        # the URL the server announced is what the projector and code sheet show
        assert svc.join_url() == url

        status, body, headers = get(port, "/")
        assert status == 200
        page = body.decode("utf-8")
        assert "<title>roundtable — Test round table</title>" in page
        assert [u for u in URL_RE.findall(page) if not u.startswith(url)] == []
        assert "googleapis" not in page and "gstatic" not in page
        font = re.search(r'url\("([^"]+\.ttf)"\)', page).group(1)
        status, data, headers = get(port, font)
        assert status == 200 and len(data) > 50_000
        for asset in ("/static/js/textual.js", "/static/css/xterm.css"):
            assert get(port, asset)[0] == 200

        # a browser's websocket: the participant app renders its join screen;
        # typing a wrong join code is recorded against this device's address
        clients: list[str] = []

        def failure_recorded() -> bool:
            db = sqlite3.connect(session_file, timeout=10)
            try:
                clients[:] = [r[0] for r in db.execute("SELECT client FROM auth_failures")]
            finally:
                db.close()
            return bool(clients)

        text = asyncio.run(read_screen_until(port, "Join the round table", stdin=["ZZZZZZ\r"],
                                             then=failure_recorded))
        assert "join code" in text.lower()
        assert clients == ["127.0.0.1"]

        # stopping with a participant still connected closes their page and ends their app
        kids = asyncio.run(stop_while_connected(proc, port, "Join the round table", signal.SIGTERM))
        rc, out, err = stop(proc, None)
        assert rc == 0, err
        assert "Traceback" not in out + err
        # what the facilitator sees: the address, the join code and its QR code
        assert f"Join at:    {url}" in out
        assert svc.join_code() in out
        for line in qr_lines(url):
            assert line in out
        time.sleep(0.5)
        assert [k for k in kids if alive(k)] == []
    finally:
        kill_all(proc, kids)


SHOW_CLIENT_APP = """
import os
from textual.app import App
from textual.widgets import Static

class ShowClient(App):
    def compose(self):
        yield Static("client is " + os.environ.get("ROUNDTABLE_CLIENT", "unset"))

ShowClient().run()
"""


def start_probe_server(tmp_path: Path) -> tuple[subprocess.Popen, int]:
    """serve_command serving a tiny Textual app that shows ROUNDTABLE_CLIENT."""
    app = tmp_path / "show_client.py"
    app.write_text(SHOW_CLIENT_APP)
    port = free_port()
    runner = textwrap.dedent(f"""
        import sys
        from roundtable.serve import serve_command
        sys.exit(serve_command([sys.executable, {str(app)!r}], host="127.0.0.1", port={port},
                               public_url="http://127.0.0.1:{port}", title="roundtable — probe",
                               announce=lambda: print("up", flush=True)))
    """)
    return start([sys.executable, "-c", runner]), port


def test_client_env_reaches_the_app_and_ctrl_c_stops(tmp_path):
    """The server path on its own, independent of the participant and projector apps."""
    proc, port = start_probe_server(tmp_path)
    kids: list[int] = []
    try:
        wait_until_up(proc, port)
        page = get(port, "/")[1].decode()
        assert "<title>roundtable — probe</title>" in page
        asyncio.run(read_screen_until(port, "client is 127.0.0.1"))
        # Ctrl+C with a browser connected
        kids = asyncio.run(stop_while_connected(proc, port, "client is", signal.SIGINT))
        rc, out, err = stop(proc, None)
        assert rc == 0, err
        assert "Traceback" not in out + err
        time.sleep(0.5)
        assert [k for k in kids if alive(k)] == []
    finally:
        kill_all(proc, kids)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses PR_SET_PDEATHSIG")
def test_killed_server_leaves_no_app_running(tmp_path):
    proc, port = start_probe_server(tmp_path)
    kids: list[int] = []

    async def connect_then_kill() -> None:
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(f"http://127.0.0.1:{port}/ws?width=80&height=24") as ws:
                await ws.send_json(["resize", {"width": 80, "height": 24}])
                raw = b""
                deadline = time.monotonic() + SCREEN_TIMEOUT
                while b"client is" not in raw:
                    assert time.monotonic() < deadline
                    msg = await asyncio.wait_for(ws.receive(), deadline - time.monotonic())
                    assert msg.type == aiohttp.WSMsgType.BINARY, msg
                    raw += msg.data
                kids.extend(children_of(proc.pid))
                proc.kill()
                proc.wait(timeout=10)

    try:
        wait_until_up(proc, port)
        asyncio.run(connect_then_kill())
        assert kids
        deadline = time.monotonic() + STOP_TIMEOUT
        while [k for k in kids if alive(k)] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [k for k in kids if alive(k)] == []
    finally:
        kill_all(proc, kids)


def test_present_serve_command(session_file, svc):
    """`roundtable present --serve` serves the projector view; it does not change the join URL."""
    projector_app = ROOT / "roundtable" / "tui" / "projector" / "app.py"
    port = free_port()
    proc = start_serve(session_file, port, "--serve", command="present")
    kids: list[int] = []
    try:
        wait_until_up(proc, port)
        assert svc.join_url() == ""
        if projector_app.exists():
            # the top strip always shows the session title
            asyncio.run(read_screen_until(port, "Test round table", width=120, height=40))
        kids = children_of(proc.pid)
        rc, out, err = stop(proc)
        assert rc == 0, err
        assert f"Projector view at:  http://127.0.0.1:{port}" in out
    finally:
        kill_all(proc, kids)

"""A participant in a browser, end to end: served app, join code, voting code, ballot.

The test speaks textual-serve's websocket protocol the way the browser page does, types
keys into the served participant app, and checks the ballot in the session store; a
proposal added meanwhile by another connection (the facilitator) must reach the
participant's screen.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time

import aiohttp
import pytest

from roundtable.service import format_code, open_session

ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>]")
DOWN = "\x1b[B"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """One browser tab on the served app: what it has drawn so far, and keys to type."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse):
        self.ws = ws
        self.raw = b""
        self.mark = 0  # only look for text drawn after the last expectation

    def text(self) -> str:
        return ANSI.sub("", self.raw.decode("utf-8", "replace"))

    async def expect(self, needle: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while needle.lower() not in self.text()[self.mark:].lower():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{needle!r} not drawn within {timeout} s:\n{self.text()[-2500:]}")
            try:
                msg = await asyncio.wait_for(self.ws.receive(), left)
            except asyncio.TimeoutError:
                continue
            if msg.type == aiohttp.WSMsgType.BINARY:
                self.raw += msg.data
            elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                raise AssertionError(f"the page was closed before {needle!r}:\n{self.text()[-2500:]}")
        self.mark = len(self.text())

    async def type(self, *keys: str, pause: float = 0.25) -> None:
        for key in keys:
            await self.ws.send_json(["stdin", key])
            await asyncio.sleep(pause)


def test_browser_participant_joins_votes_and_sees_a_new_proposal(svc, sessions_dir):
    t1, t2 = svc.add_group("Table 1"), svc.add_group("Table 2")
    anna = svc.add_participant("Anna Berg", group=t1.id)
    svc.add_participant("Bo", group=t2.id)
    p1 = svc.add_proposal(t1.id, "Train night staff")
    p2 = svc.add_proposal(t2.id, "Taxi drivers' card")
    svc.open_round(dots=3)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "roundtable", "--sessions-dir", str(sessions_dir), "serve", str(svc.path),
         "--host", "127.0.0.1", "--port", str(port), "--public-url", f"http://127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    facilitator = open_session(str(svc.path))  # another connection, like the console

    async def participant() -> float:
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(f"http://127.0.0.1:{port}/ws?width=60&height=40") as ws:
                await ws.send_json(["resize", {"width": 60, "height": 40}])
                tab = Browser(ws)
                await tab.expect("Join the round table")
                await tab.type(svc.join_code().lower(), "\r")
                await tab.expect("Your voting code")
                await tab.type(format_code(anna.code), "\r")
                await tab.expect("Vote now")  # the open round takes the participant to the ballot
                # two dots on the first proposal, one on the second, then Cast ballot
                await tab.type("+", "+", DOWN, "+", DOWN, "\r")
                await tab.expect("Ballot counted")
                # a table's proposal typed elsewhere shows up on this screen
                await tab.type("\x1b[13~")  # F3: the group's proposals
                started = time.monotonic()
                facilitator.add_proposal(t1.id, "Hotel reception checklist")
                await tab.expect("Hotel reception checklist", timeout=10)
                return time.monotonic() - started

    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, server.stderr.read().decode()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        seen_after = asyncio.run(participant())
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
        facilitator.close()

    assert svc.own_ballot(anna.code) == {p1.id: 2, p2.id: 1}
    assert svc.round_status().ballots_cast == 1
    # the screen redraw travels over the websocket too; allow for a loaded machine
    print(f"proposal drawn in the browser {seen_after * 1000:.0f} ms after it was committed")
    assert seen_after < 2.0, seen_after

"""The printable code sheet (`roundtable codes`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import MINI, run_cli
from roundtable import minutes
from roundtable.codes import NO_CODE, write_code_sheet
from roundtable.errors import Refused, RoundtableError
from roundtable.service import format_code


@pytest.fixture
def people(svc):
    svc.add_group("Table 1")
    svc.add_group("Table <2>")
    anna = svc.add_participant("Anna Andersson", organisation="Hotel Gota", group="Table 1")
    mal = svc.add_participant("<script>alert('x')</script>", organisation="Taxi & Co", group="Table <2>")
    bo = svc.add_participant("Bo Berg", organisation="Police", group="Table 1")
    svc.add_participant("Olle Observer", role="observer")
    svc.add_participant("Fia Facilitator", role="facilitator")
    svc.revoke_code(bo.id)
    return {"anna": svc.participant(anna.id), "mal": svc.participant(mal.id), "bo": svc.participant(bo.id)}


def test_html_sheet(svc, people):
    svc.set_join_url("http://192.168.1.20:8000")
    path = write_code_sheet(svc, None)
    assert path == svc.path.with_name(f"{svc.path.stem}-codes.html")
    html = path.read_text(encoding="utf-8")
    # one card per voting participant; observers and the facilitator get none
    assert html.count('<section class="card">') == 3
    assert "Olle Observer" not in html and "Fia Facilitator" not in html
    for key in ("anna", "mal"):
        assert format_code(people[key].code) in html
    assert "Anna Andersson" in html and "Hotel Gota" in html and "Table 1" in html
    # text is escaped
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "Taxi &amp; Co" in html and "Table &lt;2&gt;" in html
    # the session's join code and URL, on every card, with a QR code
    assert html.count(svc.join_code()) >= 3
    assert "http://192.168.1.20:8000" in html
    assert html.count("<svg") == 3
    # the revoked participant is listed without a code
    bo_card = html[html.index("Bo Berg"):]
    bo_card = bo_card[:bo_card.index("</section>")]
    assert NO_CODE in bo_card
    # printable and offline: A4, cards kept whole, nothing loaded from anywhere
    assert "size: A4" in html and "break-inside: avoid" in html
    assert re.search(r"<(script|link|img|iframe)\b", html) is None
    assert "@import" not in html and "url(" not in html
    others = [u for u in re.findall(r"https?://[^\s\"'<>]+", html) if not u.startswith("http://192.168.1.20:8000")]
    assert others == []


def test_join_url_argument_wins_and_missing_url_is_explained(svc, people, tmp_path):
    svc.set_join_url("http://192.168.1.20:8000")
    html = write_code_sheet(svc, tmp_path / "a.html", join_url="http://10.0.0.9:9000").read_text()
    assert "http://10.0.0.9:9000" in html and "192.168.1.20" not in html
    svc.set_join_url("")
    html = write_code_sheet(svc, tmp_path / "b.html").read_text()
    assert "address shown on the projector" in html
    assert "<svg" not in html and "http" not in html


def test_text_sheet(svc, people, tmp_path):
    path = write_code_sheet(svc, None, fmt="txt", join_url="http://10.0.0.9:9000")
    assert path.name == f"{svc.path.stem}-codes.txt"
    text = path.read_text(encoding="utf-8")
    assert format_code(people["anna"].code) in text
    assert format_code(people["mal"].code) in text
    assert "<script>alert('x')</script>" in text  # plain text: shown as typed
    assert svc.join_code() in text and "http://10.0.0.9:9000" in text
    block = text[text.index("Bo Berg"):].split("-" * 60)[0]
    assert NO_CODE in block
    assert "Olle Observer" not in text


def test_no_voting_participants_is_refused(svc, tmp_path):
    svc.add_participant("Olle Observer", role="observer")
    with pytest.raises(Refused, match="no voting participants"):
        write_code_sheet(svc, tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()


def test_unknown_format_is_refused(svc, people, tmp_path):
    with pytest.raises(Refused, match="html or txt"):
        write_code_sheet(svc, tmp_path / "x.pdf", fmt="pdf")


def test_write_is_atomic(svc, people, tmp_path, monkeypatch):
    target = tmp_path / "sheet.html"
    target.write_text("earlier sheet")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(minutes.os, "fsync", disk_full)
    with pytest.raises(RoundtableError, match="nothing was written"):
        write_code_sheet(svc, target)
    assert target.read_text() == "earlier sheet"
    with pytest.raises(RoundtableError):
        write_code_sheet(svc, tmp_path / "new.html")
    # no partial file, no temporary file left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sessions", "sheet.html"]


def test_cli_codes(sessions_dir, tmp_path):
    import json

    sid = json.loads(run_cli("new", str(MINI), "--json").stdout)["id"]
    r = run_cli("codes", sid)
    assert r.returncode == 1 and "no voting participants" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    code = json.loads(run_cli("participant", "add", sid, "Anna", "--json").stdout)["code"]
    r = run_cli("codes", sid, "--json")
    assert r.returncode == 0, r.stderr
    path = Path(json.loads(r.stdout)["path"])
    assert path == sessions_dir / f"{sid}-codes.html"
    assert format_code(code) in path.read_text()
    out = tmp_path / "badges.txt"
    r = run_cli("codes", sid, "--format", "txt", "--output", str(out), "--public-url", "http://10.0.0.2:8000")
    assert r.returncode == 0, r.stderr
    assert "http://10.0.0.2:8000" in out.read_text()


def test_codes_command_never_imports_textual(tmp_path):
    code = textwrap.dedent(f"""
        import contextlib, io, json, sys
        import roundtable.cli as c

        def run(*args):
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                rc = c.main(list(args))
            assert "textual" not in sys.modules, ("textual imported by", args)
            return rc, out.getvalue()

        rc, out = run("new", {str(MINI)!r}, "--json")
        sid = json.loads(out)["id"]
        assert run("participant", "add", sid, "Anna")[0] == 0
        assert run("codes", sid)[0] == 0
        assert run("codes", sid, "--format", "txt", "--public-url", "http://10.0.0.2:8000")[0] == 0
        bad = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual.") or m == "aiohttp")
        assert not bad, bad
        print("ok")
    """)
    env = {"ROUNDTABLE_SESSIONS": str(tmp_path / "sessions"), "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env,
                       timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip() == "ok"

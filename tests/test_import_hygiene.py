"""The domain core and the non-TUI commands never import Textual (they must start fast).

Modelled on harlequin's tests/unit_tests/test_import_hygiene.py: each check runs in a
fresh interpreter, because this test process may already have imported Textual.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import MINI, ROOT

CORE = [
    "scenario", "scenarios", "models", "store", "service", "voting", "minutes", "render", "cli", "errors",
    "participant", "qr", "codes", "serve", "ballot_draft",
]


def _run(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {"ROUNDTABLE_SESSIONS": str(tmp_path / "sessions"), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, cwd=tmp_path, env=env,
        timeout=60,
    )


def test_core_modules_do_not_import_textual(tmp_path):
    lines = ["import sys"] + [f"import roundtable.{m}" for m in CORE] + [
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))",
        "assert not bad, bad",
        "print('ok')",
    ]
    r = _run("\n".join(lines), tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_non_tui_commands_do_not_import_textual(tmp_path):
    """Drive a whole CLI session in one fresh process and check sys.modules after each command."""
    r = _run(
        f"""
        import contextlib, io, json, sys
        import roundtable.cli as c

        def run(*args):
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                try:
                    rc = c.main(list(args))
                except SystemExit as exc:
                    rc = exc.code
            assert "textual" not in sys.modules, ("textual imported by", args)
            return rc, out.getvalue()

        assert run("--help")[0] == 0
        assert run("sessions")[0] == 0
        assert run("scenarios", "list")[0] == 0
        assert run("scenarios")[0] == 0
        assert run("scenarios", "show", "gothenburg-en")[0] == 0
        assert run("scenarios", "schema")[0] == 0
        assert run("scenarios", "validate", {str(MINI)!r})[0] == 0
        rc, out = run("new", {str(MINI)!r}, "--json")
        sid = json.loads(out)["id"]
        assert run("group", "add", sid, "Table 1")[0] == 0
        rc, out = run("participant", "add", sid, "Anna", "--group", "Table 1", "--json")
        code = json.loads(out)["code"]
        assert run("proposal", "add", sid, "--group", "G1", "--title", "Idea")[0] == 0
        assert run("round", "open", sid, "--dots", "3")[0] == 0
        assert run("vote", sid, "--code", code, "P1=2")[0] == 0
        assert run("results", sid)[0] == 1  # sealed
        assert run("round", "close", sid)[0] == 0
        assert run("results", sid, "--json")[0] == 0
        assert run("round", "reveal", sid)[0] == 0
        assert run("participant", "scribe", sid, "M1")[0] == 0
        assert run("participant", "revoke", sid, "M1")[0] == 0
        assert run("participant", "reissue", sid, "M1")[0] == 0
        assert run("join-code", sid, "--json")[0] == 0
        assert run("codes", sid, "--output", "codes.html")[0] == 0
        assert run("agenda", sid, "start")[0] == 0
        assert run("export", sid, "--output", "m.toml")[0] == 0
        assert run("export", sid, "--format", "md", "--output", "m.md")[0] == 0
        assert run("minutes", "validate", "m.toml")[0] == 0
        assert run("sessions", "--json")[0] == 0
        assert "textual" not in sys.modules
        print("ok")
        """,
        tmp_path,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().endswith("ok")


def test_console_command_does_not_import_textual(tmp_path):
    """The real `python -m roundtable.cli` entry, checked with -X importtime."""
    env = {"ROUNDTABLE_SESSIONS": str(tmp_path / "s"), "PATH": "/usr/bin:/bin"}
    for args in (["sessions"], ["scenarios", "list"], ["--help"]):
        r = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "roundtable.cli", *args],
            capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60,
        )
        assert r.returncode == 0, r.stderr[-2000:]
        imported = [line.rsplit("|", 1)[-1].strip() for line in r.stderr.splitlines() if "|" in line]
        assert "roundtable.errors" in imported  # the probe works
        assert not [m for m in imported if m == "textual" or m.startswith("textual.")], args


def test_core_source_has_no_textual_import():
    """Static check: no module outside roundtable/tui/ imports textual, even lazily."""
    offenders = []
    for path in sorted((ROOT / "roundtable").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            if any(n == "textual" or n.startswith("textual.") for n in names):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []

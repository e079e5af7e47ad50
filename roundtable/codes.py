"""The printable code sheet: one badge card per voting participant.

Each card carries the participant's name, organisation and group, their personal voting
code (big, monospace), the session's join code and the address to join at, with a QR
code of that address in the HTML version. The HTML is self-contained (inline CSS and
SVG, nothing fetched from anywhere) and laid out for A4 paper; `txt` is a plain-text
version for any printer.

Part of the core: never imports Textual.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from .errors import Refused
from .minutes import atomic_write
from .models import Participant
from .service import SessionService, format_code

FORMATS = ("html", "txt")
NO_CODE = "no code — ask the facilitator"
NO_URL = "Open the address shown on the projector."


def _cards(svc: SessionService) -> list[tuple[Participant, str]]:
    """Voting participants with their group's name, in group order, then by name."""
    groups = svc.groups()
    order = {g.id: n for n, g in enumerate(groups)}
    names = {g.id: g.name for g in groups}
    voters = [p for p in svc.participants() if p.role.votes]
    voters.sort(key=lambda p: (order.get(p.group_id, len(order)), p.name.casefold(), p.id))
    return [(p, names.get(p.group_id, "")) for p in voters]


def default_output(svc: SessionService, fmt: str) -> Path:
    return svc.path.with_name(f"{svc.path.stem}-codes.{fmt}")


def write_code_sheet(
    svc: SessionService, output: str | Path | None, *, fmt: str = "html", join_url: str | None = None
) -> Path:
    """Write the sheet (whole file or nothing) and return its path."""
    if fmt not in FORMATS:
        raise Refused(f"Unknown code sheet format '{fmt}'; use html or txt.")
    cards = _cards(svc)
    if not cards:
        raise Refused(
            "There are no voting participants in this session yet; add them with "
            "`roundtable participant add` or `participant import` first."
        )
    url = (join_url or "").strip() or svc.join_url()
    info = svc.info()
    render = render_html if fmt == "html" else render_text
    text = render(info.title, svc.join_code(), url, cards)
    path = Path(output) if output else default_output(svc, fmt)
    atomic_write(path, text)
    return path


# -- plain text ----------------------------------------------------------------------

def render_text(title: str, join_code: str, url: str, cards: list[tuple[Participant, str]]) -> str:
    rule = "-" * 60
    out = [f"Voting codes — {title}", "", f"Join code: {join_code}",
           f"Join at:   {url}" if url else NO_URL, "", rule]
    for p, group in cards:
        out.append(p.name)
        if p.organisation:
            out.append(f"  Organisation: {p.organisation}")
        if group:
            out.append(f"  Group:        {group}")
        out.append(f"  Voting code:  {format_code(p.code) if p.code else NO_CODE}")
        out.append(f"  Join code:    {join_code}")
        out.append(f"  Join at:      {url}" if url else f"  {NO_URL}")
        out.append(rule)
    return "\n".join(out) + "\n"


# -- HTML ----------------------------------------------------------------------------

_CSS = """
@page { size: A4; margin: 10mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #000; background: #fff; margin: 0; }
header { margin: 0 0 6mm 0; }
header h1 { font-size: 14pt; margin: 0 0 1mm 0; }
header p { font-size: 9pt; margin: 0; }
.cards { display: grid; grid-template-columns: repeat(2, 1fr); gap: 5mm; }
.card { border: 0.4mm dashed #555; padding: 4mm; min-height: 62mm; display: flex; gap: 3mm;
        break-inside: avoid; page-break-inside: avoid; }
.card .who { flex: 1; min-width: 0; }
.name { font-size: 15pt; font-weight: bold; margin: 0 0 1mm 0; overflow-wrap: anywhere; }
.org, .group { font-size: 10pt; margin: 0; overflow-wrap: anywhere; }
.label { font-size: 8pt; text-transform: uppercase; letter-spacing: 0.05em; margin: 3mm 0 0 0; color: #333; }
.code { font-family: "DejaVu Sans Mono", "Courier New", Courier, monospace; font-size: 22pt; font-weight: bold;
        letter-spacing: 0.08em; margin: 0; white-space: nowrap; }
.code.none { font-family: inherit; font-size: 12pt; letter-spacing: 0; white-space: normal; }
.join { font-family: "DejaVu Sans Mono", "Courier New", Courier, monospace; font-size: 13pt; font-weight: bold; margin: 0; }
.url { font-family: "DejaVu Sans Mono", "Courier New", Courier, monospace; font-size: 9pt; margin: 0;
       overflow-wrap: anywhere; }
.qr { width: 30mm; flex: none; align-self: center; }
.qr svg { width: 30mm; height: 30mm; display: block; }
.hint { font-size: 8pt; margin: 3mm 0 0 0; color: #333; }
@media screen { body { padding: 10mm; max-width: 210mm; margin: auto; } }
@media print { header { display: none; } }
"""


def _scalable(svg: str) -> str:
    """Give segno's SVG a viewBox so print CSS can size it in millimetres."""
    m = re.match(r'<svg width="(\d+)" height="(\d+)"', svg)
    if not m or "viewBox" in svg[:200]:
        return svg
    w, h = m.groups()
    return svg.replace(m.group(0), f'{m.group(0)} viewBox="0 0 {w} {h}" role="img" aria-label="QR code"', 1)


def render_html(title: str, join_code: str, url: str, cards: list[tuple[Participant, str]]) -> str:
    from .qr import qr_svg

    qr = _scalable(qr_svg(url, scale=4)) if url else ""
    where = (f'<p class="url">{escape(url)}</p>' if url else f'<p class="url">{escape(NO_URL)}</p>')
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{escape(f'Voting codes — {title}')}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{escape(f'Voting codes — {title}')}</h1>",
        f"<p>{len(cards)} card(s). Print on A4, cut along the dashed lines, hand each person their own card: "
        "the voting code is personal.</p>",
        "</header>",
        '<main class="cards">',
    ]
    for p, group in cards:
        code = (f'<p class="code">{escape(format_code(p.code))}</p>' if p.code
                else f'<p class="code none">{escape(NO_CODE)}</p>')
        parts += [
            '<section class="card">',
            '<div class="who">',
            f'<p class="name">{escape(p.name)}</p>',
            f'<p class="org">{escape(p.organisation)}</p>' if p.organisation else "",
            f'<p class="group">Group: {escape(group)}</p>' if group else "",
            '<p class="label">Your voting code</p>',
            code,
            '<p class="label">Session join code</p>',
            f'<p class="join">{escape(join_code)}</p>',
            '<p class="label">Join at</p>',
            where,
            '<p class="hint">Open the address (or scan the code), enter the join code, then your voting code.</p>',
            "</div>",
            f'<div class="qr">{qr}</div>' if qr else "",
            "</section>",
        ]
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(x for x in parts if x) + "\n"

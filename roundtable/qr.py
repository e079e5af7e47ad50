"""QR codes as text, for terminals and for the TUI (segno does the encoding).

Each character cell holds two modules with the half-block characters, so a code
stays square on a terminal whose cells are about twice as tall as wide. Dark modules
are drawn as spaces on a light background (light = block), with a quiet zone, which
phone cameras decode from a screen whatever the terminal's colour scheme.
"""

from __future__ import annotations

import segno

QUIET_ZONE = 2

# (top light?, bottom light?) -> character drawn in the light colour
_CELLS = {
    (True, True): "█",
    (True, False): "▀",
    (False, True): "▄",
    (False, False): " ",
}


def qr_lines(text: str, *, border: int = QUIET_ZONE) -> list[str]:
    """The QR code of `text` as lines of half blocks; light modules are the drawn ones."""
    qr = segno.make(text, error="m", boost_error=False)
    rows = [[not bool(m) for m in row] for row in qr.matrix]
    size = len(rows[0])
    light_row = [True] * (size + 2 * border)
    padded = [light_row] * border + [[True] * border + r + [True] * border for r in rows] + [light_row] * border
    if len(padded) % 2:
        padded.append(light_row)
    return [
        "".join(_CELLS[(top, bottom)] for top, bottom in zip(padded[i], padded[i + 1]))
        for i in range(0, len(padded), 2)
    ]


def qr_text(text: str) -> str:
    return "\n".join(qr_lines(text))


def qr_svg(text: str, *, scale: int = 4) -> str:
    """An inline SVG of the QR code, for the printable code sheet."""
    return segno.make(text, error="m", boost_error=False).svg_inline(scale=scale, border=QUIET_ZONE)

"""Big letters for the join code: a 5×7 pixel font drawn with half blocks (4 lines tall).

Textual's `Digits` only knows digits and A–F; join codes use most of the alphabet
(see `service.CODE_ALPHABET`), so the projector draws them itself. Two pixel rows
share one character cell, so on a terminal whose cells are about twice as tall as
wide the pixels come out square.
"""

from __future__ import annotations

_GLYPHS = """
A .###. #...# #...# ##### #...# #...# #...#
B ####. #...# #...# ####. #...# #...# ####.
C .###. #...# #.... #.... #.... #...# .###.
D ####. #...# #...# #...# #...# #...# ####.
E ##### #.... #.... ####. #.... #.... #####
F ##### #.... #.... ####. #.... #.... #....
G .###. #...# #.... #.### #...# #...# .####
H #...# #...# #...# ##### #...# #...# #...#
I .###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.
J ..### ...#. ...#. ...#. ...#. #..#. .##..
K #...# #..#. #.#.. ##... #.#.. #..#. #...#
L #.... #.... #.... #.... #.... #.... #####
M #...# ##.## #.#.# #.#.# #...# #...# #...#
N #...# #...# ##..# #.#.# #..## #...# #...#
O .###. #...# #...# #...# #...# #...# .###.
P ####. #...# #...# ####. #.... #.... #....
Q .###. #...# #...# #...# #.#.# #..#. .##.#
R ####. #...# #...# ####. #.#.. #..#. #...#
S .#### #.... #.... .###. ....# ....# ####.
T ##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..
U #...# #...# #...# #...# #...# #...# .###.
V #...# #...# #...# #...# #...# .#.#. ..#..
W #...# #...# #...# #.#.# #.#.# #.#.# .#.#.
X #...# #...# .#.#. ..#.. .#.#. #...# #...#
Y #...# #...# .#.#. ..#.. ..#.. ..#.. ..#..
Z ##### ....# ...#. ..#.. .#... #.... #####
0 .###. #...# #..## #.#.# ##..# #...# .###.
1 ..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.
2 .###. #...# ....# ...#. ..#.. .#... #####
3 ##### ...#. ..#.. ...#. ....# #...# .###.
4 ...#. ..##. .#.#. #..#. ##### ...#. ...#.
5 ##### #.... ####. ....# ....# #...# .###.
6 ..##. .#... #.... ####. #...# #...# .###.
7 ##### ....# ...#. ..#.. .#... .#... .#...
8 .###. #...# #...# .###. #...# #...# .###.
9 .###. #...# #...# .#### ....# ...#. .##..
- ..... ..... ..... ##### ..... ..... .....
? .###. #...# ....# ...#. ..#.. ..... ..#..
"""

GLYPH_WIDTH = 5
GLYPH_ROWS = 7
HEIGHT = (GLYPH_ROWS + 1) // 2  # text lines per glyph

FONT: dict[str, list[str]] = {}
for _line in _GLYPHS.strip().splitlines():
    _char, *_rows = _line.split()
    FONT[_char] = _rows
FONT[" "] = ["." * GLYPH_WIDTH] * GLYPH_ROWS

_CELLS = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}


def big_lines(text: str, *, gap: int = 2) -> list[str]:
    """`text` in big letters, as HEIGHT lines of equal width (unknown characters as '?')."""
    glyphs = [FONT.get(ch.upper(), FONT["?"]) for ch in text]
    pixel_rows: list[str] = []
    for y in range(GLYPH_ROWS):
        pixel_rows.append(("." * gap).join(g[y] for g in glyphs))
    if len(pixel_rows) % 2:
        pixel_rows.append("." * len(pixel_rows[0]) if pixel_rows else "")
    return [
        "".join(_CELLS[(a == "#", b == "#")] for a, b in zip(pixel_rows[i], pixel_rows[i + 1]))
        for i in range(0, len(pixel_rows), 2)
    ]

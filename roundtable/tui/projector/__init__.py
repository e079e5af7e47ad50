"""The projector view: a read-only big screen for the room (`roundtable present SESSION`).

It holds only a `roundtable.participant.ProjectorView`, so it can read what the whole
room may see and nothing else: no facilitator actions, no voting codes, no points
before the facilitator reveals a round's results. There is no command palette; the
keys are `j` (join panel on/off) and `q` (quit).

Always on screen (top strip): the session title, the current agenda block (kind,
planned minutes, title), the next block, and a big countdown (`Digits`) of the
block's remaining mm:ss. The countdown runs locally every second from the last
`TimerState` read; it turns yellow with "PAUSED" while paused and red with "OVERTIME"
(counting up as -mm:ss) once the block has run over.

The main panel follows one rule, checked in this order (`room.auto_mode`):

1. Not loaded yet: "Loading…".
2. The session has ended: a closing line.
3. A voting round is open (whatever the block): "VOTING OPEN", the round's method
   and its rules, ballots cast of eligible voters (groups in one-ballot-per-group
   rounds) as a bar, and the proposals on the ballot (a consent round: the plan).
   Never points, except in a `live` round, whose standing `revealed_results()`
   returns while it is open: then "LIVE RESULTS" with the chart below.
4. Before the first block starts, and during `welcome` blocks: joining. The join
   address with its QR code (white-on-black half blocks, drawn with explicit colours
   so phones decode it whatever the theme), the join code in big letters, and how
   many participants and groups there are. Without an address (not served yet) it
   says "Not served yet — start `roundtable serve`".
5. The latest round's results once the facilitator revealed them
   (`ProjectorView.revealed_results`, the only call that yields points), during a
   `vote` block or during the block in which they were revealed: a ranking with
   bars, points and ranks (score rounds: bars of the mean score); ties flagged, a tie
   banner above the chart with how it was settled. A consent check shows its outcome
   in big letters (PASSED / NOT PASSED), the counts per answer and the block reasons.
6. A `vote` block without an open round or revealed results: "Voting opens shortly",
   or "Voting closed – results shown shortly" with the turnout.
7. `group_work`: the phase title and narrative, with the most recently revealed
   inject of that phase (title, text, reveal time) in a box above the narrative.
8. `report_back`: the proposals gallery, one column of cards per group.
9. Anything else (talk, break, briefing, evaluation, closing…): the block's kind and
   title large in the middle, with the talk's speaker or the phase.

`j` flips the joining panel on or off over that rule; the override lasts until the
agenda moves to another block.

Live updates: every 0.25 s a thread worker compares `change_token()`; when it moved
it reads `revisions()` and re-reads only the areas whose counter changed
(`room.load_room`), then puts the result on screen on the UI thread. Changes made by
another process appear within about half a second.
"""

from .app import ProjectorApp

__all__ = ["ProjectorApp"]

"""What the projector knows about the room, how it is re-read, and which screen it shows.

Pure Python (no Textual): `load_room` runs in a worker thread and re-reads only the
areas of the session whose revision moved; `auto_mode` is the rule that picks the
main panel (see the package docstring).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ...models import Group, Proposal, Round, RoundResults
from ...participant import ProjectorView, Situation

ALL_AREAS = frozenset({"session", "people", "talks", "injects", "proposals", "rounds", "ballots", "outcomes"})

# The main panels, in the order the rule checks them.
MODES = ("loading", "ended", "join", "voting", "results", "group", "gallery", "block")


@dataclass(frozen=True)
class Room:
    situation: Situation | None = None
    read_at: float = 0.0  # local monotonic clock when the timer was read
    join_code: str = ""
    join_url: str = ""
    counts: tuple[int, int] = (0, 0)  # (voting participants, groups)
    groups: list[Group] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)  # live ones, merged left out
    open_round: Round | None = None
    latest_round: Round | None = None
    round_proposals: list[Proposal] = field(default_factory=list)  # the latest round's ballot
    ballots: tuple[int, int] | None = None  # (cast, eligible) of the latest round: counts only
    results: RoundResults | None = None  # the latest round's results, only once visible to the room


def load_room(
    view: ProjectorView, room: Room, areas: Iterable[str] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Room:
    """Re-read the given areas (all when None) and return the updated room."""
    areas = ALL_AREAS if areas is None else frozenset(areas)
    changes: dict = {}
    if areas & {"session", "injects"}:
        changes["situation"] = view.situation()
        changes["read_at"] = clock()
    if "session" in areas:
        changes["join_code"] = view.join_code()
        changes["join_url"] = view.join_url()
    if "people" in areas:
        changes["counts"] = view.counts()
        changes["groups"] = view.groups()
    if "proposals" in areas:
        changes["proposals"] = view.proposals()
    if "rounds" in areas:
        changes["open_round"] = view.open_round()
        changes["latest_round"] = view.latest_round()
    latest = changes.get("latest_round", room.latest_round)
    if areas & {"rounds", "proposals"}:
        changes["round_proposals"] = view.proposals(latest.id) if latest else []
    if areas & {"rounds", "ballots", "people"}:
        changes["ballots"] = view.ballots_cast(latest.id) if latest else None
    live = latest is not None and latest.is_open and latest.reveal == "live"
    if "rounds" in areas or ("proposals" in areas and room.results is not None) or ("ballots" in areas and live):
        # Points only through revealed_results(): it follows the round's reveal setting
        # (None while sealed; a live round's standing while it is open).
        changes["results"] = view.revealed_results(latest.id) if latest else None
    return dataclasses.replace(room, **changes)


def auto_mode(room: Room) -> str:
    """The main panel for the room as it stands (before the `j` toggle)."""
    s = room.situation
    if s is None:
        return "loading"
    if s.ended:
        return "ended"
    block = s.block
    if room.open_round is not None:
        live = room.results is not None and room.results.round.id == room.open_round.id
        return "results" if live else "voting"
    if block is None or block.kind == "welcome":
        return "join"
    if room.results is not None:
        revealed = room.results.round.revealed_at
        during_block = revealed is not None and block.started_at is not None and revealed > block.started_at
        if block.kind == "vote" or during_block:
            return "results"
    if block.kind == "vote":
        return "voting"
    if block.kind == "group_work":
        return "group"
    if block.kind == "report_back":
        return "gallery"
    return "block"

"""Scenario model: the fictional event case a workshop is built on.

A scenario is authored as TOML and validated by these pydantic models; the JSON
Schema published by `roundtable scenarios schema` is generated from them too.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCENARIO_SCHEMA = "roundtable.scenario/1"

Id = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=64,
        description="Identifier: letters, digits, '_', '.', '-'; unique within its list.",
    ),
]
Text = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    # Unknown keys are errors: a misspelt key in a hand-written TOML file must not
    # silently vanish.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class Sector(str, Enum):
    hotel = "hotel"
    taxi = "taxi"
    restaurant = "restaurant"
    event_organiser = "event_organiser"
    police = "police"
    prosecutor = "prosecutor"
    county_board = "county_board"
    municipality = "municipality"
    region = "region"
    destination_company = "destination_company"
    transport = "transport"
    port = "port"
    ngo = "ngo"
    government_agency = "government_agency"
    casino = "casino"
    property_owner = "property_owner"
    security = "security"
    other = "other"


class Timeframe(str, Enum):
    before = "before"
    during = "during"
    after = "after"


class BlockKind(str, Enum):
    welcome = "welcome"
    talk = "talk"
    briefing = "briefing"
    group_work = "group_work"
    break_ = "break"
    report_back = "report_back"
    vote = "vote"
    evaluation = "evaluation"
    closing = "closing"


class FactKind(str, Enum):
    law = "law"
    procedure = "procedure"
    contact = "contact"
    key_message = "key_message"
    statistic = "statistic"
    guidance = "guidance"


class Event(Strict):
    """The fictional event the case is about."""

    name: Text = Field(description="Invented name of the event.")
    kind: Text = Field(description="What sort of event, e.g. 'youth football cup'.")
    city: Text
    venue: str = Field("", description="Main venue or area.")
    start_date: dt.date | None = Field(None, description="First day of the event (fictional).")
    duration_days: int = Field(ge=1, le=366, description="How many days it runs.")
    expected_visitors: int = Field(ge=0, description="Expected number of visitors.")
    narrative: Text = Field(description="Briefing text read to all groups.")


class Actor(Strict):
    id: Id
    name: Text
    sector: Sector
    description: str = ""


class Fact(Strict):
    id: Id
    statement: Text
    kind: FactKind
    source: Text = Field(description="Where the fact can be checked (law text, authority page).")
    valid_as_of: dt.date | None = Field(
        None, description="Date the fact is known to be correct; required for law facts."
    )

    @model_validator(mode="after")
    def _law_needs_date(self) -> Fact:
        if self.kind is FactKind.law and self.valid_as_of is None:
            raise ValueError("a law fact needs valid_as_of (the date it is correct as of)")
        return self


class Indicator(Strict):
    id: Id
    what: Text = Field(description="What staff can notice.")
    where: Text = Field(description="Setting: reception, housekeeping, taxi, bar…")
    seen_by: list[Text] = Field(default_factory=list, description="Who is placed to see it.")


class Question(Strict):
    id: Id
    text: Text
    step: Literal[1, 2, 3] | None = Field(None, description="Step of the three-step model it serves.")


class Inject(Strict):
    id: Id
    title: Text
    text: Text
    at_minute: int | None = Field(
        None,
        ge=0,
        description="Minutes into the phase's group work when it is due; omit for manual reveal.",
    )
    sim_time: str = Field("", description="Time in the story, e.g. 'Three weeks before', 'Night 2'.")
    to: list[Id] = Field(default_factory=list, description="Actor ids the inject is addressed to.")
    expected_actions: list[Text] = Field(default_factory=list)
    facilitator_notes: str = ""


class Phase(Strict):
    id: Id
    title: Text
    timeframe: Timeframe
    narrative: Text
    questions: list[Question] = Field(default_factory=list)
    injects: list[Inject] = Field(default_factory=list)


class Step(Strict):
    number: Literal[1, 2, 3]
    name: Text
    description: Text


class Talk(Strict):
    id: Id
    title: Text
    speaker_role: Text = Field(description="Role of the speaker, not a real person's name.")
    organisation: Text
    minutes: int = Field(ge=1, le=600)


class AgendaBlock(Strict):
    title: Text
    kind: BlockKind
    minutes: int = Field(ge=1, le=600)
    phase: Id | None = Field(None, description="Phase id, for group work or report back on a phase.")
    talk: Id | None = Field(None, description="Talk id, for a talk block.")


class Variant(Strict):
    id: Id
    title: Text
    blocks: list[AgendaBlock] = Field(min_length=1)

    @property
    def total_minutes(self) -> int:
        return sum(b.minutes for b in self.blocks)


class Scenario(Strict):
    schema_: Literal["roundtable.scenario/1"] = Field(
        SCENARIO_SCHEMA, alias="schema", description="Format version."
    )
    id: Id
    title: Text
    language: Annotated[str, Field(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] = Field(
        description="Language code, e.g. 'sv' or 'en'."
    )
    summary: Text
    version: str = "1"
    event: Event
    actors: list[Actor] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    steps: list[Step] = Field(description="The three-step model: 1 information, 2 knowledge, 3 evaluation.")
    phases: list[Phase] = Field(min_length=1)
    talks: list[Talk] = Field(default_factory=list)
    variants: list[Variant] = Field(min_length=1, description="Agenda variants; the first is the default.")
    evaluation_questions: list[Text] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True, defer_build=True)

    @model_validator(mode="after")
    def _check_references(self) -> Scenario:
        # One line per problem, "path: message", so the loader can report each.
        problems: list[str] = []

        def unique(kind: str, items: list[tuple[str, str]]) -> None:
            seen: set[str] = set()
            for path, i in items:
                if i in seen:
                    problems.append(f"{path}.id: duplicate {kind} id '{i}'")
                seen.add(i)

        unique("actor", [(f"actors[{n}]", a.id) for n, a in enumerate(self.actors)])
        unique("fact", [(f"facts[{n}]", f.id) for n, f in enumerate(self.facts)])
        unique("indicator", [(f"indicators[{n}]", i.id) for n, i in enumerate(self.indicators)])
        unique("phase", [(f"phases[{n}]", p.id) for n, p in enumerate(self.phases)])
        unique("talk", [(f"talks[{n}]", t.id) for n, t in enumerate(self.talks)])
        unique("variant", [(f"variants[{n}]", v.id) for n, v in enumerate(self.variants)])
        unique(
            "inject",
            [
                (f"phases[{n}].injects[{m}]", j.id)
                for n, p in enumerate(self.phases)
                for m, j in enumerate(p.injects)
            ],
        )
        unique(
            "question",
            [
                (f"phases[{n}].questions[{m}]", q.id)
                for n, p in enumerate(self.phases)
                for m, q in enumerate(p.questions)
            ],
        )

        if sorted(s.number for s in self.steps) != [1, 2, 3]:
            problems.append("steps: must define exactly the steps 1, 2 and 3")

        actor_ids = {a.id for a in self.actors}
        phase_ids = {p.id for p in self.phases}
        talk_ids = {t.id for t in self.talks}
        for n, p in enumerate(self.phases):
            for m, j in enumerate(p.injects):
                for a in j.to:
                    if a not in actor_ids:
                        problems.append(
                            f"phases[{n}].injects[{m}].to: inject '{j.id}' is addressed to unknown actor '{a}'"
                        )
        for n, v in enumerate(self.variants):
            for m, b in enumerate(v.blocks):
                where = f"variants[{n}].blocks[{m}]"
                if b.phase is not None and b.phase not in phase_ids:
                    problems.append(f"{where}.phase: block '{b.title}' names missing phase '{b.phase}'")
                if b.talk is not None and b.talk not in talk_ids:
                    problems.append(f"{where}.talk: block '{b.title}' names missing talk '{b.talk}'")
                if b.kind is BlockKind.group_work and b.phase is None:
                    problems.append(f"{where}.phase: block '{b.title}' is group work but names no phase")
                if b.kind is BlockKind.talk and b.talk is None:
                    problems.append(f"{where}.talk: block '{b.title}' is a talk but names no talk")
        if problems:
            # One line per problem: a title with a line break must not split a problem in two.
            raise ValueError("\n".join(" ".join(p.splitlines()) for p in problems))
        return self

    # -- lookups -----------------------------------------------------------
    def variant(self, variant_id: str | None) -> Variant:
        if variant_id is None:
            return self.variants[0]
        for v in self.variants:
            if v.id == variant_id:
                return v
        known = ", ".join(v.id for v in self.variants)
        raise KeyError(f"scenario '{self.id}' has no variant '{variant_id}' (it has: {known})")

    def phase(self, phase_id: str) -> Phase | None:
        return next((p for p in self.phases if p.id == phase_id), None)

    def talk(self, talk_id: str) -> Talk | None:
        return next((t for t in self.talks if t.id == talk_id), None)

    def inject(self, inject_id: str) -> tuple[Phase, Inject] | None:
        for p in self.phases:
            for j in p.injects:
                if j.id == inject_id:
                    return p, j
        return None

    def step_name(self, number: int) -> str:
        return next((s.name for s in self.steps if s.number == number), str(number))

"""Finding, reading and validating scenario files.

Every failure becomes a list of `Problem`s (file, line or field path, message): the
CLI prints one per line and the TUI shows them in a dialog. Nothing here raises a
raw parser or pydantic exception to callers.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from .errors import RoundtableError
from .scenario import Scenario

# Far larger than any real scenario; guards against someone pointing us at a dump.
MAX_SCENARIO_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    file: str
    where: str  # "line 12" or a field path such as "phases[1].injects[0].text"
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}" if self.where else f"{self.file}: {self.message}"


class ScenarioError(RoundtableError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        first = problems[0] if problems else None
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(f"{first}{more}" if first else "invalid scenario")


@dataclass(frozen=True)
class LoadedScenario:
    scenario: Scenario
    path: Path | None
    text: str
    sha256: str
    bundled: bool = False


def bundled_dir() -> Path:
    """Bundled scenarios: inside the wheel, or the repository's scenarios/ folder."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "scenarios", here.parent / "scenarios"):
        if candidate.is_dir():
            return candidate
    return here / "scenarios"


def _loc_to_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            part = "schema" if part == "schema_" else str(part)
            out += ("." if out else "") + part
    return out


def _pydantic_problems(file: str, err: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for e in err.errors(include_url=False):
        msg = str(e.get("msg", "invalid value"))
        path = _loc_to_path(tuple(e.get("loc", ())))
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        # Cross-reference checks report several "path: message" lines at once.
        for line in msg.splitlines():
            where, sep, text = line.partition(": ")
            if sep and not path and " " not in where:
                problems.append(Problem(file, where, text))
            else:
                problems.append(Problem(file, path or "(top level)", _friendly(line, e)))
    return problems


def _friendly(msg: str, e: dict) -> str:
    kind = e.get("type", "")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling against docs/scenario-format.md)"
    if kind in ("enum", "literal_error"):
        return msg[0].lower() + msg[1:]
    got = e.get("input")
    if kind.endswith("_type") and not isinstance(got, (dict, list)):
        return f"{msg[0].lower() + msg[1:]}, got {got!r}"
    return msg[0].lower() + msg[1:] if msg else msg


def read_text_file(path: Path, what: str = "file") -> str:
    """Read a small UTF-8 text file or raise a ScenarioError saying why not."""
    name = str(path)
    try:
        if path.is_dir():
            raise ScenarioError([Problem(name, "", f"is a folder, not a {what}")])
        if path.exists() and not path.is_file():
            # a FIFO or device would never finish reading
            raise ScenarioError([Problem(name, "", f"is not a regular file, so it cannot be a {what}")])
        size = path.stat().st_size
        if size > MAX_SCENARIO_BYTES:
            raise ScenarioError(
                [Problem(name, "", f"is {size // 1024} KiB; a {what} may be at most {MAX_SCENARIO_BYTES // 1024} KiB")]
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError([Problem(name, "", "no such file")]) from None
    except PermissionError:
        raise ScenarioError([Problem(name, "", "permission denied")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(name, "", f"cannot be read ({exc.strerror or exc})")]) from None
    if not data.strip():
        raise ScenarioError([Problem(name, "", f"is empty; a {what} needs content")])
    if b"\x00" in data:
        raise ScenarioError([Problem(name, "", f"is a binary file, not a TOML {what}")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScenarioError([Problem(name, f"line {line}", "is not valid UTF-8 text; save the file as UTF-8")]) from None


def parse_toml(text: str, name: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        where = ""
        # tomllib says "... (at line 3, column 7)"; lift the position to the front.
        if "(at line " in msg:
            msg, _, pos = msg.rpartition(" (at ")
            where = pos.rstrip(")")
        elif msg.endswith("(at end of document)"):
            msg, where = msg[: -len(" (at end of document)")], "end of file"
        raise ScenarioError([Problem(name, where, f"TOML syntax error: {msg[0].lower() + msg[1:]}")]) from None


def parse_scenario(text: str, name: str = "<scenario>") -> Scenario:
    data = parse_toml(text, name)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_pydantic_problems(name, exc)) from None


def load_scenario_file(path: Path | str, bundled: bool = False) -> LoadedScenario:
    path = Path(path)
    text = read_text_file(path, "scenario")
    scenario = parse_scenario(text, str(path))
    return LoadedScenario(scenario, path, text, hashlib.sha256(text.encode("utf-8")).hexdigest(), bundled)


def validate_files(paths: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    for p in paths:
        try:
            load_scenario_file(p)
        except ScenarioError as exc:
            problems.extend(exc.problems)
    return problems


@dataclass(frozen=True)
class ScenarioEntry:
    id: str
    title: str
    language: str
    path: Path
    bundled: bool
    variants: tuple[str, ...]
    error: str | None = None


def library(extra_dirs: list[Path] | None = None) -> list[ScenarioEntry]:
    """Bundled scenarios plus those in ./scenarios (or other given folders)."""
    dirs: list[tuple[Path, bool]] = [(bundled_dir(), True)]
    for d in extra_dirs if extra_dirs is not None else [Path.cwd() / "scenarios"]:
        if d.is_dir() and d.resolve() != bundled_dir().resolve():
            dirs.append((d, False))
    entries: list[ScenarioEntry] = []
    for d, bundled in dirs:
        for path in sorted(d.glob("*.toml")):
            try:
                loaded = load_scenario_file(path, bundled)
            except ScenarioError as exc:
                entries.append(ScenarioEntry(path.stem, "(invalid)", "", path, bundled, (), str(exc)))
                continue
            s = loaded.scenario
            entries.append(
                ScenarioEntry(s.id, s.title, s.language, path, bundled, tuple(v.id for v in s.variants))
            )
    return entries


def resolve_scenario(ref: str, extra_dirs: list[Path] | None = None) -> LoadedScenario:
    """A scenario id from the library, or a path to a TOML file."""
    candidate = Path(ref)
    if candidate.suffix == ".toml" or candidate.exists() or "/" in ref:
        return load_scenario_file(candidate)
    entries = library(extra_dirs)
    matches = [e for e in entries if e.id == ref and e.error is None]
    if not matches:
        # A unique prefix is accepted so that "gothenburg" finds "gothenburg-en".
        matches = [e for e in entries if e.id.startswith(ref) and e.error is None]
        if len(matches) > 1:
            # prefer the first bundled, then by id order: deterministic
            matches.sort(key=lambda e: (not e.bundled, e.id))
    if not matches:
        known = ", ".join(e.id for e in entries if e.error is None) or "none"
        raise RoundtableError(f"No scenario '{ref}' was found (known scenarios: {known}).")
    e = matches[0]
    return load_scenario_file(e.path, e.bundled)


def json_schema() -> str:
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "roundtable.scenario/1"
    return json.dumps(schema, indent=2, ensure_ascii=False)

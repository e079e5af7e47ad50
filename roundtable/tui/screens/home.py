"""The home screen: resume a recent session, browse the scenario library, start a new one.

Left: recent sessions (most recently used first) and the scenario library (bundled
scenarios plus ./scenarios, and any file opened with "Open scenario file…").
Right: a readable preview of the highlighted scenario. Invalid scenario files are
listed as such; opening one shows every problem, the same lines as
`roundtable scenarios validate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Input, Label, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from ...errors import RoundtableError
from ...render import scenario_overview
from ...scenarios import LoadedScenario, ScenarioEntry, ScenarioError, library, load_scenario_file, validate_files
from ...service import SessionSummary, list_sessions, open_session
from .dialogs import ProblemsDialog


@dataclass(frozen=True)
class LibraryItem:
    """One line of the scenario library: an entry, its origin and, if valid, the loaded scenario."""

    entry: ScenarioEntry
    origin: str  # "bundled", "scenarios/", "file"
    loaded: LoadedScenario | None

    @property
    def valid(self) -> bool:
        return self.loaded is not None


def load_library(extra_files: list[Path]) -> list[LibraryItem]:
    """The library (bundled + ./scenarios) followed by files opened by hand (runs in a worker)."""
    items: list[LibraryItem] = []
    seen: set[Path] = set()
    for e in library():
        seen.add(e.path.resolve())
        loaded = None
        if e.error is None:
            try:
                loaded = load_scenario_file(e.path, e.bundled)
            except ScenarioError:
                loaded = None  # changed on disk since listing: shown as invalid
        entry = e if loaded is not None or e.error else ScenarioEntry(e.id, "(invalid)", "", e.path, e.bundled, (), "invalid")
        items.append(LibraryItem(entry, "bundled" if e.bundled else "scenarios/", loaded))
    for path in extra_files:
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        try:
            loaded = load_scenario_file(path)
        except ScenarioError as exc:
            items.append(LibraryItem(ScenarioEntry(path.stem, "(invalid)", "", path, False, (), str(exc)), "file", None))
            continue
        s = loaded.scenario
        entry = ScenarioEntry(s.id, s.title, s.language, path, False, tuple(v.id for v in s.variants))
        items.append(LibraryItem(entry, "file", loaded))
    return items


def problem_lines(path: Path) -> list[str]:
    """Every problem of a scenario file, as `roundtable scenarios validate` prints them."""
    lines = [str(p) for p in validate_files([str(path)])]
    return lines or [f"{path}: the file is valid now (it changed since the library was read)."]


class OpenScenarioDialog(ModalScreen[str | None]):
    """Asks for the path of a scenario TOML file."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Open a scenario file", classes="dialog-title")
            yield Label("Path to a scenario TOML file (absolute, ~/…, or relative to the current folder):",
                        classes="dialog-question")
            yield Input(placeholder="scenarios/my-case.toml", id="scenario-path")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Open", variant="primary", id="open")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self._open()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "open":
            self._open()
        else:
            self.dismiss(None)

    def _open(self) -> None:
        value = self.query_one(Input).value.strip()
        if not value:
            self.notify("Type the path of a scenario file.", severity="warning", markup=False)
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class HomeScreen(Screen):
    """Recent sessions, the scenario library with a preview, and the way to a new session."""

    BINDINGS = [
        Binding("n", "new_session", "New session"),
        Binding("o", "open_file", "Open scenario file"),
        Binding("s", "focus_sessions", "Sessions", show=False),
        Binding("l", "focus_library", "Library", show=False),
        Binding("ctrl+r", "refresh", "Refresh", show=False),
    ]

    def __init__(self, sessions_dir: str | Path | None = None) -> None:
        super().__init__()
        self.sessions_dir = sessions_dir
        self.sessions: list[SessionSummary] = []
        self.items: list[LibraryItem] = []
        self.extra_files: list[Path] = []
        self._preview_index: int | None = None
        self._select_after_load: Path | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("roundtable", "bold"), "  ·  round tables on a fictional event case"), id="home-title")
        with Horizontal(id="home"):
            with Vertical(id="home-left"):
                yield Label("Recent sessions", classes="home-heading")
                yield OptionList(id="sessions")
                yield Label("Scenario library", classes="home-heading")
                yield OptionList(id="scenarios")
                with Horizontal(id="home-buttons"):
                    yield Button("New session", id="btn-new", variant="primary", compact=True, tooltip="Start a new session (n)")
                    yield Button("Open file…", id="btn-open-file", compact=True, tooltip="Open a scenario file (o)")
            with VerticalScroll(id="home-preview"):
                yield Markdown("", id="scenario-preview")
                yield Static("", id="scenario-problems")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_lists()

    def on_screen_resume(self) -> None:
        # Back from a session or a form: the list of sessions may have changed.
        if self.items or self.sessions:
            self.refresh_lists()

    # -- loading -----------------------------------------------------------------
    def refresh_lists(self) -> None:
        self._load(list(self.extra_files))

    @work(thread=True, exclusive=True, group="home-load")
    def _load(self, extra: list[Path]) -> None:
        try:
            sessions = list_sessions(self.sessions_dir)
        except (OSError, RoundtableError) as exc:
            sessions = []
            self.app.call_from_thread(self.notify, f"Cannot list sessions: {exc}", severity="error", markup=False)
        items = load_library(extra)
        self.app.call_from_thread(self._show, sessions, items)

    def _show(self, sessions: list[SessionSummary], items: list[LibraryItem]) -> None:
        self.sessions = sessions
        self.items = items
        ol = self.query_one("#sessions", OptionList)
        keep = ol.highlighted
        ol.clear_options()
        if sessions:
            for n, s in enumerate(sessions):
                ol.add_option(Option(self._session_prompt(s), id=f"s{n}"))
            ol.highlighted = min(keep or 0, len(sessions) - 1)
        else:
            ol.add_option(Option(Text("No sessions yet: press n to start one.", style="dim"), disabled=True))
        lib = self.query_one("#scenarios", OptionList)
        keep = lib.highlighted
        lib.clear_options()
        for n, item in enumerate(items):
            lib.add_option(Option(self._scenario_prompt(item), id=f"c{n}"))
        if items:
            target = keep or 0
            if self._select_after_load is not None:
                for n, item in enumerate(items):
                    if item.entry.path.resolve() == self._select_after_load.resolve():
                        target = n
                self._select_after_load = None
            lib.highlighted = min(target, len(items) - 1)
            self._preview_index = None
            self._preview(lib.highlighted)
        else:
            lib.add_option(Option(Text("No scenarios found.", style="dim"), disabled=True))
        if self.focused is None:
            (ol if sessions else lib).focus()

    @staticmethod
    def _session_prompt(s: SessionSummary) -> Text:
        if s.error:
            return Text.assemble(("⚠ ", "bold red"), (s.id, "red"), ("  unreadable session file", "dim red"))
        return Text.assemble((s.date or "          ", "cyan"), "  ", (s.title, "bold"))

    @staticmethod
    def _scenario_prompt(item: LibraryItem) -> Text:
        e = item.entry
        if not item.valid:
            return Text.assemble(("⚠ ", "bold red"), (e.path.name, "red"), ("  INVALID", "bold red"), ("  " + item.origin, "dim"))
        return Text.assemble((e.id, "bold"), f"  {e.language}", ("  " + item.origin, "dim"))

    # -- preview -------------------------------------------------------------------
    def _preview(self, index: int | None) -> None:
        if index is None or not 0 <= index < len(self.items) or index == self._preview_index:
            return
        self._preview_index = index
        item = self.items[index]
        md = self.query_one("#scenario-preview", Markdown)
        problems = self.query_one("#scenario-problems", Static)
        if item.loaded is not None:
            md.display = True
            problems.display = False
            md.update(scenario_overview(item.loaded.scenario))
        else:
            md.display = False
            problems.display = True
            text = Text()
            text.append(f"{item.entry.path.name} is not a valid scenario.\n\n", style="bold red")
            text.append(f"{item.entry.path}\n\n", style="dim")
            text.append(item.entry.error or "invalid", style="red")
            text.append("\n\nPress Enter on it to see every problem.", style="dim")
            problems.update(text)
        self.query_one("#home-preview", VerticalScroll).scroll_home(animate=False)

    @on(OptionList.OptionHighlighted, "#scenarios")
    def _scenario_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._preview(event.option_index)

    # -- choosing ------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#sessions")
    def _session_selected(self, event: OptionList.OptionSelected) -> None:
        if not 0 <= event.option_index < len(self.sessions):
            return
        self.open_summary(self.sessions[event.option_index])

    def open_summary(self, summary: SessionSummary) -> None:
        if summary.error:
            self.notify(f"{summary.path} is not a readable session file.", severity="error", markup=False, timeout=8)
            return
        try:
            svc = open_session(str(summary.path))
        except RoundtableError as exc:
            self.notify(str(exc), severity="error", markup=False, timeout=8)
            return
        self.app.open_session(svc)

    @on(OptionList.OptionSelected, "#scenarios")
    def _scenario_selected(self, event: OptionList.OptionSelected) -> None:
        if 0 <= event.option_index < len(self.items):
            self.choose_scenario(self.items[event.option_index])

    def choose_scenario(self, item: LibraryItem) -> None:
        if item.loaded is None:
            self.app.push_screen(ProblemsDialog(f"{item.entry.path.name} is not a valid scenario", problem_lines(item.entry.path)))
            return
        self._new_session(item)

    def highlighted_scenario(self) -> LibraryItem | None:
        index = self.query_one("#scenarios", OptionList).highlighted
        return self.items[index] if index is not None and 0 <= index < len(self.items) else None

    def _new_session(self, item: LibraryItem | None) -> None:
        from .new_session import NewSessionForm

        valid = [i for i in self.items if i.loaded is not None]
        if not valid:
            self.notify("There is no valid scenario to start a session from.", severity="error", markup=False)
            return
        chosen = item if item is not None and item.loaded is not None else valid[0]
        self.app.push_screen(NewSessionForm(valid, chosen, self.sessions_dir), self._created)

    def _created(self, svc) -> None:
        if svc is not None:
            self.app.open_session(svc)

    # -- actions -------------------------------------------------------------------
    def action_new_session(self) -> None:
        self._new_session(self.highlighted_scenario())

    def action_open_file(self) -> None:
        self.app.push_screen(OpenScenarioDialog(), self._file_chosen)

    def _file_chosen(self, value: str | None) -> None:
        if not value:
            return
        path = Path(value).expanduser()
        problems = [str(p) for p in validate_files([str(path)])]
        if problems:
            self.app.push_screen(ProblemsDialog(f"{path} is not a valid scenario", problems))
            return
        if path not in self.extra_files:
            self.extra_files.append(path)
        self._select_after_load = path
        self.notify(f"Scenario file loaded: {path}. Press Enter on it (or n) to start a session.", markup=False)
        self.query_one("#scenarios", OptionList).focus()
        self.refresh_lists()

    def action_focus_sessions(self) -> None:
        self.query_one("#sessions", OptionList).focus()

    def action_focus_library(self) -> None:
        self.query_one("#scenarios", OptionList).focus()

    def action_refresh(self) -> None:
        self._preview_index = None
        self.refresh_lists()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "btn-new":
            self.action_new_session()
        elif event.button.id == "btn-open-file":
            self.action_open_file()

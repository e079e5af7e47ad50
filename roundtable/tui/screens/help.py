"""The help screen: every key of the app, read from the classes' own BINDINGS.

Nothing here is a hand-written list of keys: the sections are built by looking at
the app, the home screen, the session screen, each session tab's pane (and the
other screens and widgets defined beside it), and the shared dialogs, so the help
stays true when a binding changes.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import sys
from collections.abc import Iterable

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Button, Label, Static


def declared_bindings(cls: type) -> list[Binding]:
    """Bindings a roundtable class declares itself or inherits from roundtable classes."""
    out: list[Binding] = []
    seen: set[str] = set()
    for klass in cls.__mro__:
        if not klass.__module__.startswith("roundtable"):
            continue
        for b in klass.__dict__.get("BINDINGS", []):
            b = b if isinstance(b, Binding) else Binding(*b)
            if b.key in seen:
                continue  # overridden by a subclass
            seen.add(b.key)
            out.append(b)
    return out


def companions(pane: type) -> list[type]:
    """Other screens and widgets with bindings defined in the same module as `pane`."""
    module = sys.modules.get(pane.__module__)
    if module is None:
        return []
    found = []
    for _, obj in inspect.getmembers(module, inspect.isclass):
        if obj is pane or obj.__module__ != module.__name__ or not issubclass(obj, Widget):
            continue
        if obj.__dict__.get("BINDINGS"):
            found.append(obj)
    return found


def class_title(cls: type) -> str:
    """'OpenScenarioDialog' with its docstring → 'Open scenario dialog: asks for …'."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", cls.__name__).split()
    name = " ".join([words[0]] + [w.lower() if not w.isupper() else w for w in words[1:]])
    doc = inspect.cleandoc(cls.__dict__.get("__doc__") or "")
    first = doc.strip().splitlines()[0].rstrip(".") if doc.strip() else ""
    if first and not first[:2].isupper():
        first = first[0].lower() + first[1:]
    return f"{name}: {first}" if first else name


def help_sections(app: App) -> list[tuple[str, list[Binding]]]:
    """(section title, bindings) for the whole app."""
    from .dialogs import ConfirmDialog, ProblemsDialog
    from .home import HomeScreen
    from .new_session import NewSessionForm
    from .session import TABS, SessionScreen

    everywhere = declared_bindings(type(app))
    if app.ENABLE_COMMAND_PALETTE:
        everywhere.append(Binding(app.COMMAND_PALETTE_BINDING, "command_palette", "Command palette: search every action"))
    everywhere += [b for b in Screen.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]
    sections: list[tuple[str, list[Binding]]] = [("Everywhere", everywhere)]
    sections.append(("Home screen", declared_bindings(HomeScreen)))
    for cls in companions(HomeScreen):
        sections.append((f"Home · {class_title(cls)}", declared_bindings(cls)))
    sections.append(("New-session form", declared_bindings(NewSessionForm)))
    sections.append(("Session screen (all tabs)", declared_bindings(SessionScreen)))
    for _tab, label, pane, key in TABS:
        sections.append((f"Tab {key} · {label}", declared_bindings(pane)))
        for cls in companions(pane):
            sections.append((f"Tab {key} · {label} · {class_title(cls)}", declared_bindings(cls)))
    sections.append(("Dialogs", declared_bindings(ConfirmDialog) + declared_bindings(ProblemsDialog)))
    return sections


def key_text(app: App, binding: Binding) -> str:
    keys = [k.strip() for k in binding.key.split(",") if k.strip()]
    if len(keys) == 1 and binding.key_display:
        return binding.key_display
    return " / ".join(app.get_key_display(dataclasses.replace(binding, key=k, key_display=None)) for k in keys)


def describe(binding: Binding) -> str:
    text = binding.description or binding.action.replace("_", " ")
    if binding.tooltip and binding.tooltip != text:
        text += f": {binding.tooltip}"
    return text


class HelpScreen(ModalScreen[None]):
    """Every key of the app, grouped by screen and tab."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("f1", "close", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide", id="help"):
            yield Label("Keys", classes="dialog-title")
            with VerticalScroll(id="help-body"):
                for title, bindings in help_sections(self.app):
                    if bindings:
                        yield Static(self._section(title, bindings), classes="help-section")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", variant="primary", id="help-close", compact=True)

    def _section(self, title: str, bindings: Iterable[Binding]) -> Text:
        text = Text()
        text.append(title + "\n", style="bold underline")
        for b in bindings:
            text.append(f"  {key_text(self.app, b):>14}  ", style="bold cyan")
            text.append(describe(b) + "\n")
        return text

    def on_mount(self) -> None:
        self.query_one("#help-body", VerticalScroll).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)

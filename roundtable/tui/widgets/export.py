"""The export pane: preview the minutes (Markdown or TOML) and write them to disk.

The preview is built in a worker from the same `build_minutes` the files come from, so
what is shown is what gets written. Files are written through `svc.export`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from rich.markdown import Markdown as RichMarkdown
from textual.widgets import Button, ContentSwitcher, Input, Label, Static, TextArea

from ...errors import RoundtableError
from ...minutes import build_minutes, to_markdown, to_toml
from .base import SessionPane

FORMATS = {"toml": "TOML", "md": "Markdown"}


@dataclass(frozen=True)
class MinutesPreview:
    markdown: str
    toml: str


def output_path(typed: str, fmt: str, session_id: str) -> Path | None:
    """Where to write: None means the service default (beside the session file).

    A folder (existing, ending with a slash, or a name without an extension) gets the
    default file name; a file named .toml/.md is written with the extension of the
    chosen format, so one typed path serves both buttons.
    """
    text = typed.strip()
    if not text:
        return None
    ext = "md" if fmt == "md" else "toml"
    path = Path(text).expanduser()
    if text.endswith(("/", os.sep)) or path.is_dir() or not path.suffix:
        return path / f"{session_id}.minutes.{ext}"
    if path.suffix.lower() in (".toml", ".md", ".markdown") and path.suffix.lower() != f".{ext}":
        return path.with_suffix(f".{ext}")
    return path


class ExportPane(SessionPane):
    BINDINGS = [
        Binding("t", "export_toml", "Write TOML", show=True),
        Binding("m", "export_md", "Write Markdown", show=True),
        Binding("v", "toggle_preview", "TOML/Markdown view", show=True),
    ]

    def __init__(self, svc, **kwargs) -> None:
        super().__init__(svc, **kwargs)
        self.preview_format = "md"

    def compose(self) -> ComposeResult:
        with Horizontal(id="export-bar"):
            yield Label("Write to", id="export-label")
            yield Input(
                placeholder="folder or file; empty = beside the session", id="export-output", compact=True
            )
            yield Button("TOML (t)", id="export-toml", variant="primary", compact=True)
            yield Button("Markdown (m)", id="export-md", variant="primary", compact=True)
        with Horizontal(id="export-view-bar"):
            yield Static("", id="export-preview-title")
            yield Button("Show TOML (v)", id="export-toggle", compact=True)
        yield Static("", id="export-status", markup=False)
        with ContentSwitcher(initial="preview-md-scroll", id="export-preview"):
            with VerticalScroll(id="preview-md-scroll"):
                # One Static holding a Rich Markdown renderable: Textual's Markdown widget
                # builds a widget per block and cell, far too many for a large session.
                yield Static("", id="preview-md")
            yield TextArea("", id="preview-toml", read_only=True, soft_wrap=False, show_line_numbers=False)

    def on_mount(self) -> None:
        self.query_one("#export-status", Static).display = False
        self._show_preview_title()
        super().on_mount()

    def main_widget(self):
        return self._preview_widget()

    def _preview_widget(self):
        if self.preview_format == "md":
            return self.query_one("#preview-md-scroll", VerticalScroll)
        return self.query_one("#preview-toml", TextArea)

    # -- preview ----------------------------------------------------------------------
    def load(self) -> MinutesPreview:
        minutes = build_minutes(self.svc)
        return MinutesPreview(markdown=to_markdown(minutes), toml=to_toml(minutes))

    def show(self, data: MinutesPreview) -> None:
        self.query_one("#preview-md", Static).update(RichMarkdown(data.markdown, hyperlinks=False))
        area = self.query_one("#preview-toml", TextArea)
        if area.text != data.toml:
            area.load_text(data.toml)

    def _show_preview_title(self) -> None:
        other = "md" if self.preview_format == "toml" else "toml"
        self.query_one("#export-preview-title", Static).update(
            Text(f"Preview of the minutes ({FORMATS[self.preview_format]})", style="bold")
        )
        self.query_one("#export-toggle", Button).label = f"Show {FORMATS[other]} (v)"

    def action_toggle_preview(self) -> None:
        self.preview_format = "toml" if self.preview_format == "md" else "md"
        switcher = self.query_one("#export-preview", ContentSwitcher)
        switcher.current = "preview-md-scroll" if self.preview_format == "md" else "preview-toml"
        self._show_preview_title()
        self._preview_widget().focus()

    # -- writing ------------------------------------------------------------------------
    def action_export_toml(self) -> None:
        self.export("toml")

    def action_export_md(self) -> None:
        self.export("md")

    def export(self, fmt: str) -> Path | None:
        status = self.query_one("#export-status", Static)
        status.display = True
        try:
            target = output_path(self.query_one("#export-output", Input).value, fmt, self.svc.id)
            path = self.svc.export(fmt, target)
        except RoundtableError as exc:
            status.update(Text(str(exc), style="bold red"))
            self.notify(str(exc), severity="error", markup=False, timeout=8)
            return None
        except OSError as exc:  # e.g. a path the system cannot even look at
            message = f"Cannot write the minutes there: {exc.strerror or exc}."
            status.update(Text(message, style="bold red"))
            self.notify(message, severity="error", markup=False, timeout=8)
            return None
        status.update(Text(f"{FORMATS[fmt]} minutes written to {path}"))
        self.notify(f"{FORMATS[fmt]} minutes written to {path}", markup=False)
        return path

    @on(Button.Pressed, "#export-toml")
    def _toml_pressed(self) -> None:
        self.action_export_toml()

    @on(Button.Pressed, "#export-md")
    def _md_pressed(self) -> None:
        self.action_export_md()

    @on(Button.Pressed, "#export-toggle")
    def _toggle_pressed(self) -> None:
        self.action_toggle_preview()

    @on(Input.Submitted, "#export-output")
    def _output_submitted(self, event: Input.Submitted) -> None:
        # Enter in the path field writes the format being previewed.
        event.stop()
        self.export(self.preview_format)

"""Base class for the session screen's panes.

Reads run in a thread worker (`load` → `show`) so a slow disk never freezes the
screen; writes (`act`) run at once on the UI thread so that what the facilitator
sees confirmed is already committed.
"""

from __future__ import annotations

from typing import Any, Callable

from textual.containers import Container
from textual.widget import Widget

from ...errors import RoundtableError
from ...service import SessionService
from ..messages import SessionChanged


class SessionPane(Container):
    def __init__(self, svc: SessionService, *, lazy: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.svc = svc
        # A lazy pane loads when its tab is first shown, so a large session opens fast.
        self.lazy = lazy
        self._reloads = 0  # reloads asked for
        self._shown_reload = 0  # the newest of them on screen

    def on_mount(self) -> None:
        if not self.lazy:
            self.reload()

    def on_show(self) -> None:
        # Put the keyboard in the pane when its tab is shown, so its keys are live
        # (and listed in the footer) without a click first.
        self.call_after_refresh(self._focus_main)

    def main_widget(self) -> Widget | None:
        """The widget that takes the keyboard when the pane's tab is shown."""
        return None

    def _focus_main(self) -> None:
        focused = self.screen.focused
        # Only when the pane's tab is really on screen: focusing a widget in a hidden
        # tab would make the tabbed content switch to it.
        shown = all(node.display for node in self.ancestors_with_self if hasattr(node, "display"))
        if shown and (focused is None or self not in focused.ancestors):
            target = self.main_widget()
            if target is not None:
                target.focus()

    def reload(self) -> None:
        self._reloads += 1
        seq = self._reloads
        self.run_worker(lambda: self._load_in_thread(seq), thread=True, exclusive=True, group=f"load-{id(self)}")

    def _load_in_thread(self, seq: int) -> None:
        try:
            data = self.load()
        except RoundtableError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._show_if_newest, seq, data)

    def _show_if_newest(self, seq: int, data: Any) -> None:
        # A thread cannot be stopped mid-read, so reads may finish out of order: never
        # show one older than what is on screen (but do show it when nothing newer is).
        if seq < self._shown_reload:
            return
        self._shown_reload = seq
        self.show(data)

    def load(self) -> Any:
        """Read what the pane shows (runs in a worker thread)."""
        return None

    def show(self, data: Any) -> None:
        """Put loaded data on screen (UI thread)."""

    def act(self, operation: Callable[..., Any], *args: Any, done: str | None = None, **kwargs: Any) -> Any:
        """Run a service operation; report refusals as one sentence, never a traceback."""
        try:
            result = operation(*args, **kwargs)
        except RoundtableError as exc:
            self.notify(str(exc), severity="error", markup=False, timeout=8)
            return None
        if done:
            self.notify(done, markup=False)
        self.post_message(SessionChanged())
        return result

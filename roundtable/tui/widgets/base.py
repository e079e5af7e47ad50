"""Base class for the session screen's panes.

Reads run in a thread worker (`load` → `show`) so a slow disk never freezes the
screen; writes (`act`) run at once on the UI thread so that what the facilitator
sees confirmed is already committed.
"""

from __future__ import annotations

from typing import Any, Callable

from textual.containers import Container

from ...errors import RoundtableError
from ...service import SessionService
from ..messages import SessionChanged


class SessionPane(Container):
    def __init__(self, svc: SessionService, *, lazy: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.svc = svc
        # A lazy pane loads when its tab is first shown, so a large session opens fast.
        self.lazy = lazy

    def on_mount(self) -> None:
        if not self.lazy:
            self.reload()

    def reload(self) -> None:
        self.run_worker(self._load_in_thread, thread=True, exclusive=True, group=f"load-{id(self)}")

    def _load_in_thread(self) -> None:
        try:
            data = self.load()
        except RoundtableError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self.show, data)

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

"""A small button for steppers (−/+, ▲/▼) where every tap must count."""

from __future__ import annotations

from textual.widgets import Button


class TapButton(Button):
    """A compact button that takes no focus and acts on every click.

    Textual's Button ignores a click while its 0.2 s press effect is showing, so two
    quick taps on "+" would give one dot. On a stepper the count itself is the
    feedback, so the press effect is dropped and each tap is a press.
    """

    def __init__(self, label: str, *, classes: str | None = None, name: str | None = None) -> None:
        super().__init__(label, classes=classes, name=name, compact=True)
        self.can_focus = False
        self.active_effect_duration = 0

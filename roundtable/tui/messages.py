"""Messages widgets use to tell the session screen what happened."""

from __future__ import annotations

from textual.message import Message


class SessionChanged(Message):
    """Something was committed to the session store; views should reload."""

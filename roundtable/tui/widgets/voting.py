"""PLACEHOLDER: replaced by the engineer who owns this pane."""

from .base import SessionPane


class VotingPane(SessionPane):
    pass

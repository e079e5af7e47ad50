"""The one exception type front ends catch: its message is a clear sentence for people."""


class RoundtableError(Exception):
    """An operation was refused or failed; nothing was changed."""


class NotFound(RoundtableError):
    pass


class Refused(RoundtableError):
    """The request is understood but breaks a rule (sealed results, over budget…)."""


class RoundChanged(Refused):
    """A ballot was filled in for a round that is no longer the open one."""

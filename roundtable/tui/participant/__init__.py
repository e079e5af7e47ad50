"""The participant app: join a session from a phone, laptop or terminal.

`ParticipantApp(gate)` walks a participant through the session's join code and their
personal voting code, then shows what the room may see (current block, timer, phase,
injects), their group's proposals (scribes add and edit them), the ballot of the open
round (dot, approval, score, borda or consent; see `ballots.py`) and the results
whenever the round's reveal setting lets this participant see them.

The app only ever holds a `roundtable.participant.Gate` and then a `ParticipantClient`:
it has no way to reach the facilitator's `SessionService`.
"""

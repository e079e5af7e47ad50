"""TUI tests: each starts with the heap left by earlier tests frozen.

Several tests time how fast a change from another connection reaches the screen. In
one long pytest process the heap of hundreds of earlier apps makes a full garbage
collection pause the event loop for a noticeable time, which a real app (one process
per participant or console) never carries. Collecting and freezing that heap before
each test keeps the timings about the app under test.
"""

from __future__ import annotations

import gc

import pytest


@pytest.fixture(autouse=True)
def _fresh_heap():
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()

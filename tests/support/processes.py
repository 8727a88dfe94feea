"""Child processes of a running process, read from /proc (Linux): for tests that wait for a
command's audio engine to be up, or check that it has gone."""

from __future__ import annotations

import os


def child_pids(pid: int) -> list[int]:
    """The children of every thread of `pid` (a child belongs to the thread that started it)."""
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as listing:
            found += [int(child) for child in listing.read().split()]
    return found

"""A disk that fills up under a profile store while the app saves to it, and gets space back: for
tests of what the app does on a full disk.

Two kinds. `SmallDisk` is real: a 4 MB tmpfs mounted for the test, filled by a file, space given
back by deleting it; mounting needs root (and a system that allows it), so it is not always there.
`PageCap` works everywhere: each connection the app opens to the store on another thread
(ProfileStore.reopened) may not grow the file past the pages it has when opened, which is SQLite's
own disk-full path (the one `max_page_count` takes); space comes back as pages freed inside the file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Protocol

import pytest

from profiles.store import ProfileStore

KEEP_FREE_BYTES = 200_000  # room for a session's first few small saves, not for 400 kB of notes


class FullingDisk(Protocol):
    store_path: Path

    def fill(self, store: ProfileStore) -> None:
        """Leave about KEEP_FREE_BYTES of room; `store` was made at store_path."""

    def free(self, store: ProfileStore) -> None:
        """Give the space back."""

    def remove(self) -> None: ...


class SmallDisk:
    def __init__(self, where: Path) -> None:
        self.mount = where / "disk"
        self.mount.mkdir()
        if os.geteuid() != 0 or shutil.which("mount") is None:
            pytest.skip("mounting a small disk (tmpfs) needs root and mount")
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "hark-test-disk", str(self.mount)],
            capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0:
            pytest.skip(f"this system does not let tests mount a small disk: {done.stderr.strip()}")
        self.store_path = self.mount / "profiles.sqlite3"
        self.filler = self.mount / "other-files"

    def fill(self, store: ProfileStore) -> None:
        disk = os.statvfs(self.mount)
        spare = disk.f_bavail * disk.f_frsize - KEEP_FREE_BYTES
        with open(self.filler, "wb") as filler:
            filler.write(os.urandom(max(0, spare)))

    def free(self, store: ProfileStore) -> None:
        self.filler.unlink()

    def remove(self) -> None:
        subprocess.run(["umount", "--lazy", str(self.mount)], check=False)


class PageCap:
    def __init__(self, where: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.store_path = where / "profiles.sqlite3"
        self._monkeypatch = monkeypatch
        self._filler: str | None = None

    def fill(self, store: ProfileStore) -> None:
        drafts = store.session_records
        self._filler = drafts.save_draft({"filler": os.urandom(600_000).hex()})  # 1.2 MB to free later
        room = drafts.save_draft({"filler": os.urandom(KEEP_FREE_BYTES // 2).hex()})
        drafts.discard_draft(room)  # its pages are free inside the file
        real = ProfileStore.reopened

        def on_a_full_disk(self: ProfileStore) -> ProfileStore:
            reopened = real(self)
            conn = reopened._open.conn
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {pages}")
            return reopened

        self._monkeypatch.setattr(ProfileStore, "reopened", on_a_full_disk)

    def free(self, store: ProfileStore) -> None:
        assert self._filler is not None
        store.session_records.discard_draft(self._filler)

    def remove(self) -> None:
        pass  # the monkeypatch fixture puts ProfileStore.reopened back

"""Saving the session record as a draft while the session goes on, off the interface thread.

A thread writes the record over its draft in the store every few seconds when something changed,
so a crash, a closed lid or a full disk loses at most the last few seconds. A failed save does not
stop the session: `problem` says what went wrong in one sentence for the status line, and the
next round tries again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

from assistant.assessment.record import SessionRecord
from profiles.errors import DiskFullError, ProfileError
from profiles.sessions import SessionRecords
from profiles.store import ProfileStore

SAVE_EVERY_S = 3.0


class DraftKeeper:
    """Keeps `record` saved in `store` (an open ProfileStore; the keeper uses connections of its
    own, since each thread needs its own)."""

    def __init__(
        self,
        store: ProfileStore,
        record: SessionRecord,
        draft_id: str | None = None,
        every_s: float = SAVE_EVERY_S,
        on_problem: Callable[[str | None], None] | None = None,
    ) -> None:
        """`draft_id`: the draft to go on writing (a resumed session), or None for a new one.
        `on_problem` hears each new problem and None when saving works again (on the saving thread)."""
        self._store, self.record, self.draft_id = store, record, draft_id
        self._every_s, self._on_problem = every_s, on_problem
        self.problem: str | None = None
        self.saved_at: float | None = None  # time.time() of the last good save
        self._saved_data: object = None
        self._lock = threading.Lock()  # one save at a time: the thread's, or one asked for
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.save_now()
        self._thread = threading.Thread(target=self._run, name="hark-record-draft", daemon=True)
        self._thread.start()

    def save_now(self) -> bool:
        """Save if anything changed since the last good save; True when the draft is up to date."""
        with self._store.reopened() as store:
            return self._save(store.session_records)

    def _save(self, sessions: SessionRecords) -> bool:
        with self._lock:
            data = self.record.to_data()
            if data == self._saved_data:
                return True
            try:
                self.draft_id = sessions.save_draft(data, self.draft_id, self.record.person)
            except DiskFullError:
                self._report(
                    f"The disk is full: the session record was last saved {self._last_saved()}. "
                    "Free some disk space; Hark keeps trying."
                )
                return False
            except ProfileError as error:
                self._report(f"The session record could not be saved ({error}). Hark keeps trying.")
                return False
            self._saved_data, self.saved_at = data, time.time()
            self._report(None)
            return True

    def finish(self, profile_id: str | None = None) -> str:
        """Stop saving, write the last of the record, and keep it as a finished session of its
        person (or `profile_id`, for a quick session); the session's id."""
        self.stop()
        with self._store.reopened() as store:
            sessions = store.session_records
            if not self._save(sessions) or self.draft_id is None:
                raise ProfileError(self.problem or "The session record could not be saved.")
            return sessions.finish_draft(self.draft_id, profile_id)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        try:
            store = self._store.reopened()
        except ProfileError as error:
            self._report(f"The session record cannot be saved: {error}")
            return
        with store:
            while not self._stop.wait(self._every_s):
                self._save(store.session_records)

    def _report(self, problem: str | None) -> None:
        if problem != self.problem:
            self.problem = problem
            if self._on_problem is not None:
                self._on_problem(problem)

    def _last_saved(self) -> str:
        if self.saved_at is None:
            return "never"
        return "at " + datetime.fromtimestamp(self.saved_at).strftime("%H:%M:%S")

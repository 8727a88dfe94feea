"""The session's feedback check: a short sweep through the person's headphones, measured to tell
whether turning the volume up would make them whistle.

It runs on a thread of its own (about 3 s), while the ears hear silence and the sweep; muting the
headphones silences the sweep too (the engine's probe obeys mute). The verdict goes to the record
of practicable steps and stays on the panel's status line with what to do about it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from assistant.assessment.record import SessionRecord
from audio.errors import AudioError

HEADLINES = {
    "whistles": "Will whistle",
    "close": "Close to whistling",
    "unsure": "Whistling check unsure",
    "clear": "No whistling expected",
}
SHOWN_S = 20.0  # the verdict stays on the status line this long: it comes with something to do


class FeedbackChecker:
    def __init__(
        self, engine: Any, record: SessionRecord | None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """`engine`: the session's running audio.engine.AudioEngine."""
        self._engine, self._record, self._clock = engine, record, clock
        self.running = False
        self.around: Callable[[bool], None] | None = None  # told True before the sweep, False after
        self._verdict: tuple[str, float] | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Start a check; False when one is already running."""
        if self.running:
            return False
        self.running = True
        self._thread = threading.Thread(target=self._check, name="hark-feedback-check", daemon=True)
        self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the running check (tests and closing); True when none is running."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    @property
    def line(self) -> str | None:
        """What the status line says about the check: checking, or the last verdict for a while."""
        if self.running:
            return "Checking for whistling: a short sweep plays in the headphones."
        if self._verdict is not None and self._clock() - self._verdict[1] < SHOWN_S:
            return self._verdict[0]
        return None

    def _check(self) -> None:
        from audio.feedback_check import measure

        if self.around is not None:
            self.around(True)
        try:
            try:
                result = measure(self._engine, self._engine.settings)
                text = f"{HEADLINES[result.verdict]}. {result.advice}"
                detail: dict[str, Any] = {"verdict": result.verdict}
            except AudioError as error:
                text, detail = f"Whistling not checked: {error}", {"verdict": "not checked"}
            if self._record is not None:
                self._record.saw("feedback_check", f"Feedback check: {text}", **detail)
            self._verdict = (text, self._clock())
        finally:  # a bug in the check must not leave the button greyed out for the whole session
            if self.around is not None:
                self.around(False)
            self.running = False

"""The session's listening controls: what the assessor's panel may change, and the record of it.

Each control changes one thing in the engine's settings (the engine merges rapid changes and
applies the newest within a block). A dragged slider makes dozens of changes a second, so the
record gets one step per control once it has been still for SETTLE_S, from the value before the
drag to the value it settled on. The person's own output ceiling is a maximum: the panel can
lower the ceiling for this session, never raise it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from assistant.assessment.errors import AssessmentError
from assistant.assessment.record import SessionRecord
from audio.engine_status import EngineStatus
from audio.settings import GAIN_DB_RANGE, NOISE_REDUCTION_RANGE, TONE_PRESETS, ListeningSettings

SETTLE_S = 1.5
BALANCE_DB = 20.0  # the most the balance turns one ear down
_NAMES = {
    "volume": ("Volume", " dB"),
    "balance": ("Balance (positive: towards the right ear)", " dB"),
    "noise_reduction": ("Noise reduction strength", ""),
    "tone_preset": ("Tone", ""),
    "ceiling": ("Loudest allowed", " dBFS"),
    "profile": ("Listening settings tried from the profile editor", ""),
}


class Engine(Protocol):  # audio.engine.AudioEngine's part this module uses
    @property
    def settings(self) -> ListeningSettings: ...
    def configure(self, settings: ListeningSettings) -> int: ...
    def mute(self, muted: bool = True) -> None: ...
    @property
    def status(self) -> EngineStatus: ...


@dataclass
class _Pending:
    before: Any
    after: Any
    at: float


class ListeningControl:
    def __init__(
        self,
        engine: Engine,
        record: SessionRecord | None,
        tone_preset: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`engine` runs the person's settings already (their profile's, or the defaults);
        its output ceiling then is the person's own, which this session may only lower."""
        self._engine, self._record, self._clock = engine, record, clock
        self.record = record
        start = engine.settings
        self.person_ceiling_dbfs = start.max_output_dbfs
        self._base_gains = (start.left_gain_db, start.right_gain_db)
        self.values: dict[str, Any] = {
            "volume": start.gain_db,
            "balance": 0.0,
            "noise_reduction": start.noise_reduction if start.noise_reduction_enabled else 0.0,
            "tone_preset": tone_preset,
            "ceiling": start.max_output_dbfs,
        }
        self.muted = False
        self._pending: dict[str, _Pending] = {}

    # -- the controls --------------------------------------------------------------------------

    def set_volume(self, db: float) -> None:
        low, high = GAIN_DB_RANGE
        if not low <= db <= high:
            raise AssessmentError(f"Volume goes from {low:g} to {high:g} dB; {db:g} is outside it.")
        self._change("volume", db, gain_db=db)

    def set_balance(self, db: float) -> None:
        """Positive turns the left ear down (towards the right), negative the right; never up."""
        if not -BALANCE_DB <= db <= BALANCE_DB:
            raise AssessmentError(
                f"Balance goes from -{BALANCE_DB:g} to {BALANCE_DB:g} dB; {db:g} is outside it."
            )
        left, right = self._base_gains
        self._change(
            "balance",
            db,
            left_gain_db=max(-40.0, left - max(db, 0.0)),
            right_gain_db=max(-40.0, right + min(db, 0.0)),
        )

    def set_noise_reduction(self, strength: float) -> None:
        low, high = NOISE_REDUCTION_RANGE
        if not low <= strength <= high:
            raise AssessmentError(
                f"Noise reduction strength goes from {low:g} to {high:g}; {strength:g} is outside it."
            )
        self._change(
            "noise_reduction", strength, noise_reduction=strength, noise_reduction_enabled=strength > 0
        )

    def set_tone_preset(self, name: str) -> None:
        if name not in TONE_PRESETS:
            raise AssessmentError(
                f"There is no tone called {name!r}; choose one of {', '.join(TONE_PRESETS)}."
            )
        bands = TONE_PRESETS[name]
        self._change("tone_preset", name, left_tone_db=bands, right_tone_db=bands, tone_enabled=True)

    def set_ceiling(self, dbfs: float) -> None:
        if dbfs > self.person_ceiling_dbfs:
            raise AssessmentError(
                f"This person's headphones are limited to {self.person_ceiling_dbfs:g} dBFS; the session can "
                f"lower that, not raise it to {dbfs:g}."
            )
        self._change("ceiling", dbfs, max_output_dbfs=dbfs)

    def try_profile(self, settings: ListeningSettings, tone_preset: str | None) -> None:
        """Hear a profile's listening settings as they are being edited (the whole of them at
        once: volume, each ear, every band, noise reduction, compression, rumble filter), within
        the ceiling this session already has; one record step once the editing has settled."""
        ceiling = min(settings.max_output_dbfs, self._engine.settings.max_output_dbfs)
        tried = dataclasses.replace(settings, max_output_dbfs=ceiling)
        self._engine.configure(tried)
        self._base_gains = (tried.left_gain_db, tried.right_gain_db)
        self.values.update(
            volume=tried.gain_db,
            balance=0.0,
            noise_reduction=tried.noise_reduction if tried.noise_reduction_enabled else 0.0,
            tone_preset=tone_preset,
        )
        before = self._pending["profile"].before if "profile" in self._pending else None
        self._pending["profile"] = _Pending(before, _profile_summary(tried, tone_preset), self._clock())

    def set_muted(self, muted: bool) -> None:
        """Immediate, and recorded at once: the record should show exactly when the sound was off."""
        if muted == self.muted:
            return
        self._engine.mute(muted)
        self.muted = muted
        if self._record is not None:
            self._record.saw("listening", "Sound muted" if muted else "Sound back on (unmuted)")

    # -- the record ----------------------------------------------------------------------------

    def tick(self) -> None:
        """Record the controls that have been still for SETTLE_S; call a few times a second."""
        now = self._clock()
        for name in [n for n, p in self._pending.items() if now - p.at >= SETTLE_S]:
            self._write(name, self._pending.pop(name))

    def flush(self) -> None:
        """Record every change still settling (the session is ending)."""
        for name in list(self._pending):
            self._write(name, self._pending.pop(name))

    def _change(self, name: str, value: Any, **settings: Any) -> None:
        self._engine.configure(dataclasses.replace(self._engine.settings, **settings))
        before = self._pending[name].before if name in self._pending else self.values[name]
        self.values[name] = value
        self._pending[name] = _Pending(before, value, self._clock())

    def _write(self, name: str, pending: _Pending) -> None:
        if self._record is None or pending.before == pending.after:
            return
        label, unit = _NAMES[name]
        change = (
            str(pending.after)  # the whole of it: a before would be as long and say little
            if name == "profile"
            else f"{_shown(pending.before, unit)} → {_shown(pending.after, unit)}"
        )
        self._record.saw(
            "setting",
            f"{label}: {change}",
            setting=name,
            before=pending.before,
            after=pending.after,
        )


def status_line(status: EngineStatus, muted: bool) -> str:
    """The panel's one line, in plain words, most urgent first."""
    if status.state in ("disappeared", "waiting"):
        return f"Microphone or headphones missing: {status.message}"
    if status.state == "restarting":
        return "The sound stopped for a moment; Hark is starting it again."
    if status.state != "running":
        return "Not listening."
    if muted:
        return "Muted: the person hears nothing from Hark."
    parts = ["Listening."]
    if status.howl_reduction_db > 0.5:
        parts.append(f"Whistling turned down by {status.howl_reduction_db:.0f} dB.")
    dropouts = status.xruns + status.engine_restarts
    if dropouts:
        parts.append(f"{dropouts} dropout{'s' if dropouts != 1 else ''} so far.")
    return " ".join(parts)


def _profile_summary(settings: ListeningSettings, tone_preset: str | None) -> str:
    tone = f"tone {tone_preset}" if tone_preset else "tone as set band by band"
    return (
        f"volume {settings.gain_db:g} dB (left {settings.left_gain_db:+g}, right {settings.right_gain_db:+g}), "
        f"{tone}, noise reduction {settings.noise_reduction if settings.noise_reduction_enabled else 0:g}"
    )


def _shown(value: Any, unit: str) -> str:
    if value is None:
        return "none"
    return f"{value:g}{unit}" if isinstance(value, int | float) else str(value)

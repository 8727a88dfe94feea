"""Where spoken audio goes: the person's headphones (the listening chain), another device, or a WAV file.

A sink's `start(utterance)` returns at once with a `Playback` that can be waited on and
stopped from another thread. The speech service only ever plays one utterance at a time.
Sound devices are only ever opened by the audio engine's process (audio.engine) or, with no
engine running, a short-lived audio process (audio.engine_devices): never this one.
"""

from __future__ import annotations

import itertools
import math
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import soundfile as sf

from assistant.speech.errors import SpeechError
from assistant.speech.synthesis import Utterance
from audio.errors import AudioError

if TYPE_CHECKING:
    from audio.engine import AudioEngine

POLL_S = 0.02
# Queued speech that has not moved for this long means the listening stream is not running.
STALL_S = 2.0
ROOM_SPARE_S = 5.0  # a room sound not reported finished this long after its length has failed
INTERRUPTED = "The speech was interrupted: the audio engine stopped and started again. It can be said again."


class Playback(Protocol):
    def wait(self, timeout: float | None = None) -> bool:
        """True once the sound has finished (or was stopped); False if `timeout` s passed first."""
        ...

    def stop(self) -> None: ...


class Sink(Protocol):
    label: str
    whole_ticket: bool  # True: give me one utterance per request, its parts joined (a file)

    def start(self, utterance: Utterance) -> Playback: ...


class SpeechInputLike(Protocol):
    """What the listening engine offers for speech (audio.mixer.SpeechInput)."""

    capacity_seconds: float

    def push(
        self, samples: np.ndarray, sample_rate: int, volume: float = 1.0, normalise: bool = True
    ) -> None: ...

    def clear(self) -> None: ...

    @property
    def pending_seconds(self) -> float: ...


class _Done:
    def wait(self, timeout: float | None = None) -> bool:
        return True

    def stop(self) -> None:
        pass


def _quiet_cuts(x: np.ndarray, sample_rate: int, piece_s: float) -> list[int]:
    """Cut points at most `piece_s` apart, each at the quietest 10 ms in the second half of its piece."""
    frame = max(1, sample_rate // 100)
    cuts, start, longest = [0], 0, max(2 * frame, int(piece_s * sample_rate))
    while len(x) - start > longest:
        end = start + longest
        look = x[end - longest // 2 : end]
        frames = len(look) // frame
        energy = np.square(look[: frames * frame].reshape(frames, frame), dtype=np.float64).sum(axis=1)
        cut = end - len(look) + int(np.argmin(energy)) * frame if frames else end
        cuts.append(cut)
        start = cut
    return [*cuts, len(x)]


class _HeadphonePlayback:
    def __init__(
        self,
        speech: SpeechInputLike,
        pieces: list[np.ndarray],
        sample_rate: int,
        interruptions: Callable[[], int] | None = None,
        restarting: Callable[[], bool] | None = None,
    ) -> None:
        self._speech, self._pieces, self._rate = speech, pieces, sample_rate
        self._interruptions, self._restarting = interruptions, restarting
        self._interrupted_before = interruptions() if interruptions is not None else 0
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._last_pending, self._last_progress = -1.0, time.monotonic()
        self._push_what_fits()

    def _push_what_fits(self) -> None:
        with self._lock:
            while self._pieces and not self._stopped.is_set():
                seconds = len(self._pieces[0]) / self._rate
                if self._speech.pending_seconds + seconds > self._speech.capacity_seconds * 0.95:
                    return
                self._speech.push(self._pieces.pop(0), self._rate, volume=1.0, normalise=False)

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._stopped.is_set():
            self._check_not_interrupted()
            self._push_what_fits()
            pending = self._speech.pending_seconds
            if not self._pieces and pending <= 0.0:
                # An engine restart empties the queue too, and is counted a moment after: look again.
                time.sleep(POLL_S)
                self._check_not_interrupted()
                return True
            now = time.monotonic()
            if pending != self._last_pending or (self._restarting is not None and self._restarting()):
                # An engine starting again is not a stall: it plays the queue once it runs.
                self._last_pending, self._last_progress = pending, now
            elif now - self._last_progress > STALL_S:
                self.stop()  # or it would all play, late, whenever listening starts again
                raise SpeechError(
                    "The speech is not reaching the headphones because listening is not running. "
                    "Start listening, or send the speech to another output."
                )
            if deadline is not None and now >= deadline:
                return False
            time.sleep(POLL_S)
        return True

    def _check_not_interrupted(self) -> None:
        """Raise SpeechError when an engine restart cut speech off since this utterance started."""
        if self._interruptions is not None and self._interruptions() != self._interrupted_before:
            self.stop()  # what is left must not play later, out of the blue
            raise SpeechError(INTERRUPTED)

    def stop(self) -> None:
        with self._lock:
            self._stopped.set()
            self._pieces.clear()
            self._speech.clear()  # the audio thread fades out over 5 ms: no click


class HeadphonesSink:
    """The person's ears: into the listening chain after noise reduction, so their tone, level, balance
    and ceiling apply. The whole utterance is brought to the chain's nominal speech level times its
    volume here (rather than per push), so the rare utterance pushed in pieces stays at one level."""

    whole_ticket = False

    def __init__(
        self,
        speech: SpeechInputLike,
        interruptions: Callable[[], int] | None = None,
        restarting: Callable[[], bool] | None = None,
    ) -> None:
        """`interruptions` counts utterances an audio engine restart cut off (AudioEngine's
        speech_interruptions): an utterance during which it changes fails with SpeechError.
        `restarting` says the engine is starting again, which is not a stall."""
        self.label = "the person's headphones"
        self._speech = speech
        self._interruptions, self._restarting = interruptions, restarting

    @classmethod
    def for_engine(cls, engine: AudioEngine) -> HeadphonesSink:
        return cls(
            engine.speech, lambda: engine.speech_interruptions, lambda: engine.status.state == "restarting"
        )

    def start(self, utterance: Utterance) -> Playback:
        from audio.mixer import NOMINAL_SPEECH_DBFS, active_rms_dbfs

        x = utterance.samples
        level = active_rms_dbfs(x, utterance.sample_rate) if x.size else -math.inf
        # The samples carry the utterance's volume; the level measured includes it, so scale to nominal x volume.
        gain = (
            utterance.volume * 10.0 ** ((NOMINAL_SPEECH_DBFS - level) / 20.0) if math.isfinite(level) else 0.0
        )
        scaled = x * np.float32(gain)
        # An utterance longer than half the queue (rare: the text splitter keeps them shorter) goes in pieces.
        cuts = _quiet_cuts(scaled, utterance.sample_rate, self._speech.capacity_seconds * 0.5)
        pieces = [np.ascontiguousarray(scaled[a:b], dtype=np.float32) for a, b in itertools.pairwise(cuts)]
        return _HeadphonePlayback(
            self._speech,
            [p for p in pieces if p.size],
            utterance.sample_rate,
            self._interruptions,
            self._restarting,
        )


class _RoomPlayback:
    """A sound the running audio engine plays on another output (AudioEngine.play_in_room)."""

    def __init__(self, engine: AudioEngine, utterance: Utterance, device: int | str | None) -> None:
        self._engine = engine
        self._restarts = engine.engine_restarts
        self._since = time.time()
        self._limit = time.monotonic() + len(utterance.samples) / utterance.sample_rate + ROOM_SPARE_S
        self._stopped = threading.Event()
        self._id = engine.play_in_room(utterance.samples, utterance.sample_rate, device)

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._stopped.is_set():
            for event in reversed(self._engine.events()):
                if event.at < self._since:
                    break
                if event.kind == "room-finished" and event.data.get("id") == self._id:
                    return True
                if event.kind == "error" and event.data.get("command") == "room":
                    raise SpeechError(event.message)
            if self._engine.engine_restarts != self._restarts:
                raise SpeechError(INTERRUPTED)
            now = time.monotonic()
            if now > self._limit:
                self.stop()
                raise SpeechError("The sound did not finish playing on the output device; check the device.")
            if deadline is not None and now >= deadline:
                return False
            time.sleep(POLL_S)
        return True

    def stop(self) -> None:
        self._stopped.set()
        self._engine.stop_in_room(self._id)


class DeviceSink:
    """Another output device: the room's speaker or the assessor's headphones. Played by `engine`
    when one is running (its own output stream there), else by a short-lived audio process."""

    whole_ticket = False

    def __init__(self, device: int | str | None = None, engine: AudioEngine | None = None) -> None:
        self.device, self.engine = device, engine
        self.label = f"output device {device!r}" if device is not None else "the default output device"

    def check(self) -> None:
        """Fail now, with the device's own message, when there is no such output device."""
        from audio.engine_devices import resolve

        try:
            resolve(self.device, "output")
        except AudioError as error:
            raise SpeechError(str(error)) from None

    def start(self, utterance: Utterance) -> Playback:
        if self.engine is not None:
            return _RoomPlayback(self.engine, utterance, self.device)
        from audio.engine_devices import play

        try:
            handle: Playback = play(utterance.samples, utterance.sample_rate, self.device)
        except AudioError as error:  # speech reports its own errors, with the device's message
            raise SpeechError(str(error)) from None
        return handle


def write_wav(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    """16-bit PCM WAV, written beside the target and renamed, so a failure never leaves half a file."""
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    except OSError as error:
        raise SpeechError(f"Cannot write {path}: {error.strerror or error}.") from None
    os.close(handle)
    partial = Path(name)
    try:
        sf.write(str(partial), np.clip(samples, -1.0, 1.0), sample_rate, subtype="PCM_16", format="WAV")
        os.replace(partial, path)
    except (OSError, sf.LibsndfileError) as error:
        partial.unlink(missing_ok=True)
        raise SpeechError(f"Cannot write {path}: {getattr(error, 'strerror', None) or error}.") from None


def check_wav_path(path: Path) -> None:
    if path.suffix.lower() != ".wav":
        raise SpeechError(f"The output {path} must end in .wav (Hark writes WAV files).")
    if path.is_dir():
        raise SpeechError(f"The output {path} is a folder; give a file name ending in .wav.")
    if not path.parent.is_dir():
        raise SpeechError(f"Cannot write {path}: the folder {path.parent} does not exist.")


class FileSink:
    """A WAV file: one request's parts joined into one file, at the synthesiser's rate unless told."""

    whole_ticket = True

    def __init__(self, path: Path, sample_rate: int | None = None) -> None:
        check_wav_path(path)
        self.path, self.sample_rate = path, sample_rate
        self.label = str(path)

    def start(self, utterance: Utterance) -> Playback:
        if self.sample_rate:
            utterance = utterance.resampled(self.sample_rate)
        write_wav(self.path, utterance.samples, utterance.sample_rate)
        return _Done()

"""One piece of text -> verified audio in memory, with exactly the voice, rate and volume asked for.

Synthesis runs in a worker process (see `engine_worker`). Every result is checked before
anyone hears it: the engine's own settings read back after the utterance (the rate and
voice it really used), the file exists and holds audio, the duration is plausible for
the words at the asked rate, and the level is that of speech. A failed check throws the
worker away and tries again in a fresh process, up to `attempts` times, then raises a
SpeechError that says what went wrong.

Volume is applied here as an exact digital gain on audio the engine renders at full
scale, so it cannot be lost by the engine; rate and voice must come from the engine and
are verified.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import shutil
import sys
import tempfile
import threading
import uuid
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from assistant.speech.errors import SpeechEngineMissing, SpeechError, engine_missing_message
from assistant.speech.text import clean_text, word_count
from assistant.speech.voices import Voice, find_voice, parse_espeak_languages
from audio.child_processes import start_ignoring_ctrl_c

RATE_MIN_WPM, RATE_MAX_WPM = 80, 450  # eSpeak NG's own range
# Slower than eSpeak's 175: older listeners and people with dementia follow slower speech better.
DEFAULT_RATE_WPM = 150
START_TIMEOUT_S = 30.0
# Lower bound on seconds per word: eSpeak NG speaks a little faster than the nominal words per
# minute, so less than a third of the nominal duration means truncated audio.
MIN_DURATION_FRACTION = 0.3
MIN_SPEECH_RMS = 0.005  # eSpeak renders speech at about 0.09 RMS at full volume; silence is 0


@dataclass(frozen=True)
class Utterance:
    text: str
    samples: np.ndarray  # float32 mono, the asked volume already applied
    sample_rate: int
    voice: str
    rate_wpm: int
    volume: float

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate

    def resampled(self, sample_rate: int) -> Utterance:
        """The same utterance at another rate (polyphase, anti-aliased), e.g. for a WAV at 48 kHz."""
        if sample_rate == self.sample_rate:
            return self
        from math import gcd

        from scipy.signal import resample_poly

        g = gcd(sample_rate, self.sample_rate)
        samples = resample_poly(self.samples, sample_rate // g, self.sample_rate // g).astype(np.float32)
        return replace(self, samples=samples, sample_rate=sample_rate)


def check_settings(rate_wpm: int, volume: float) -> None:
    if not RATE_MIN_WPM <= rate_wpm <= RATE_MAX_WPM:
        raise SpeechError(
            f"The speech rate must be between {RATE_MIN_WPM} and {RATE_MAX_WPM} words per "
            f"minute, got {rate_wpm}; {DEFAULT_RATE_WPM} is the default, lower is easier to follow."
        )
    if not 0.0 <= volume <= 1.0 or volume != volume:
        raise SpeechError(f"The speech volume must be between 0 and 1 (1 is full level), got {volume}.")


def verify(
    raw: np.ndarray, sample_rate: int, text: str, rate_wpm: int, voice: str, report: dict[str, Any]
) -> str | None:
    """What is wrong with this synthesis, in words, or None when it is what was asked for."""
    if report.get("errors"):
        return "the engine reported " + "; ".join(report["errors"])
    if not report.get("settled", False):
        return f"the engine did not take the settings (it has rate {report.get('rate')}, voice {report.get('voice')})"
    if not report.get("finished", False) or not report.get("completed", False):
        return "the engine did not finish the utterance"
    used_rate, used_voice = report.get("rate"), str(report.get("voice")).lower()
    # eSpeak reports the exact integer; SAPI5 and NSSpeech may round, so allow 2 %.
    if (
        not isinstance(used_rate, int | float)
        or abs(used_rate - rate_wpm) > max(0.5, 0.02 * rate_wpm)
        or used_voice != voice.lower()
    ):
        return f"the engine used rate {used_rate} and voice {used_voice}, not {rate_wpm} and {voice}"
    if len(raw) == 0:
        return "the engine wrote an empty file"
    if not np.all(np.isfinite(raw)):
        return "the audio holds invalid numbers"
    duration = len(raw) / sample_rate
    shortest = MIN_DURATION_FRACTION * word_count(text) * 60.0 / rate_wpm
    if duration < shortest:
        return f"the audio lasts {duration:.2f} s, too short for {word_count(text)} words at {rate_wpm} wpm"
    rms = float(np.sqrt(np.mean(np.square(raw, dtype=np.float64))))
    if rms < MIN_SPEECH_RMS:
        return f"the audio is silent (RMS {rms:.4f})"
    return None


class _WorkerFailed(Exception):
    pass


class _Worker:
    def __init__(self, context: Any) -> None:
        from assistant.speech.engine_worker import serve

        self.conn, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child,), daemon=True, name="hark-speech")
        start_ignoring_ctrl_c(self.process)
        child.close()
        status, info = self.receive(START_TIMEOUT_S)
        if status == "missing":
            self.close()
            raise SpeechEngineMissing(engine_missing_message(cause=str(info)))
        self.info: dict[str, Any] = info

    def receive(self, timeout: float) -> tuple[str, Any]:
        conn: Connection = self.conn
        try:
            if not conn.poll(timeout):
                raise _WorkerFailed(f"the speech engine did not answer within {timeout:.0f} s")
            message: tuple[str, Any] = conn.recv()
        except (EOFError, OSError):
            raise _WorkerFailed("the speech engine process stopped unexpectedly") from None
        return message

    def ask(self, request: tuple[Any, ...], timeout: float) -> Any:
        try:
            self.conn.send(request)
        except OSError:
            raise _WorkerFailed("the speech engine process stopped unexpectedly") from None
        status, payload = self.receive(timeout)
        if status != "ok":
            raise _WorkerFailed(str(payload))
        return payload

    def close(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(OSError):
                self.conn.send(("quit",))
            self.process.join(1.0)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5.0)
        self.conn.close()


def _context() -> Any:
    # forkserver starts each later worker several times faster than spawn and, unlike fork,
    # never copies a parent that has Qt or audio threads running. Windows and macOS use spawn.
    if not sys.platform.startswith("linux"):
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Imported once in the fork server (no engine is started by importing), so a replacement
    # worker is ready in a fraction of the time. Only takes effect before the server starts.
    context.set_forkserver_preload(["assistant.speech.engine_worker", "pyttsx3", "pyttsx3.drivers"])
    return context


class Synthesiser:
    """Thread-safe; one synthesis at a time per instance (use several for parallel work)."""

    def __init__(self, attempts: int = 3) -> None:
        self.attempts = attempts
        self.failed_attempts = 0  # verifications that failed and were retried or reported
        self._lock = threading.RLock()
        self._worker: _Worker | None = None
        self._voices: list[Voice] | None = None
        self._folder = Path(tempfile.mkdtemp(prefix="hark-speech-"))  # private (0700): text is personal

    def __enter__(self) -> Synthesiser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> dict[str, Any]:
        """Start the engine now (it takes a fraction of a second) and return what it reports."""
        with self._lock:
            if self._worker is None:
                self._worker = _Worker(_context())
            return self._worker.info

    def _discard_worker(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def voices(self) -> list[Voice]:
        with self._lock:
            if self._voices is None:
                self._voices = self._list_voices()
            return list(self._voices)

    def _list_voices(self) -> list[Voice]:
        problem = ""
        for _ in range(self.attempts):
            self.start()
            assert self._worker is not None
            try:
                listed = self._worker.ask(("voices",), START_TIMEOUT_S)
            except _WorkerFailed as error:
                problem = str(error)
                self._discard_worker()
                continue
            return [
                Voice(
                    vid,
                    name,
                    parse_espeak_languages(langs) if isinstance(langs, bytes) else tuple(langs),
                    gender,
                )
                for vid, name, langs, gender in listed
            ]
        raise SpeechError(f"Could not list the installed voices: {problem}.")

    def default_voice(self) -> str:
        voice = self.start().get("voice")
        return str(voice) if voice else self.voices()[0].id

    def synthesise(
        self, text: str, voice: str | None = None, rate_wpm: int = DEFAULT_RATE_WPM, volume: float = 1.0
    ) -> Utterance:
        check_settings(rate_wpm, volume)
        text = clean_text(text)
        with self._lock:
            voice_id = find_voice(self.voices(), voice).id if voice else self.default_voice()
            problem = ""
            for _ in range(self.attempts):
                try:
                    raw, sample_rate, problem_or_none = self._attempt(text, voice_id, rate_wpm)
                except _WorkerFailed as error:
                    problem_or_none, raw, sample_rate = str(error), np.zeros(0, np.float32), 0
                if problem_or_none is None:
                    samples = (raw * np.float32(volume)).astype(np.float32)
                    return Utterance(text, samples, sample_rate, voice_id, rate_wpm, volume)
                problem = problem_or_none
                self.failed_attempts += 1
                self._discard_worker()  # the next attempt gets a fresh engine
        preview = text if len(text) <= 60 else text[:57] + "..."
        raise SpeechError(
            f"Could not turn '{preview}' into speech after {self.attempts} attempts: {problem}. "
            "Try again; if it keeps failing, reinstall the speech engine."
        )

    def _attempt(self, text: str, voice: str, rate_wpm: int) -> tuple[np.ndarray, int, str | None]:
        self.start()
        assert self._worker is not None
        path = self._folder / f"{uuid.uuid4().hex}.wav"
        try:
            timeout = 10.0 + len(text) / 50.0
            report = self._worker.ask(("synth", text, voice, rate_wpm, str(path)), timeout)
            if not path.exists():
                return np.zeros(0, np.float32), 0, "the engine wrote no file"
            try:
                data, sample_rate = sf.read(str(path), dtype="float32", always_2d=True)
            except (sf.LibsndfileError, RuntimeError) as error:
                if path.stat().st_size <= 44:
                    return np.zeros(0, np.float32), 0, "the engine wrote an empty file"
                return np.zeros(0, np.float32), 0, f"the engine wrote an unreadable file ({error})"
            raw = np.ascontiguousarray(data.mean(axis=1), dtype=np.float32)
            return raw, int(sample_rate), verify(raw, int(sample_rate), text, rate_wpm, voice, report)
        finally:
            path.unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            self._discard_worker()
            shutil.rmtree(self._folder, ignore_errors=True)

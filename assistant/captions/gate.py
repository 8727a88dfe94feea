"""A voice-activity detector that tells Vosk's words from noise's.

Vosk decodes whatever it is given, and steady noise alone comes out as confident words.
`SpeechRegions` marks where speech is; the Vosk engine keeps only words that overlap a region.
A 30 ms frame counts as speech when pocketsphinx's WebRTC-style `Vad` says so and its energy is
at least MARGIN_DB above the noise floor (the quietest frame of the last FLOOR_S: steady noise
sets the floor, speech's syllable-rate swings clear it). A region opens when OPEN_FRAMES of the
last OPEN_OF frames are speech, reaching back PREROLL_S, and closes HANGOVER_S after the last.
Words are filtered after Vosk rather than the audio gated before it, which keeps Vosk's acoustic
context and adds no delay (docs/captions.md has the measurements).
"""

from __future__ import annotations

from collections import deque

import numpy as np
from pocketsphinx import Vad

RATE = 16000
VAD_MODE = Vad.LOOSE
MARGIN_DB = 9.0
FLOOR_S = 3.0
OPEN_FRAMES, OPEN_OF = 5, 8
HANGOVER_S = 0.3
PREROLL_S = 0.2
_MIN_DB = -90.0


class SpeechRegions:
    """Feed int16 16 kHz audio; ask whether a time span (seconds from reset) overlaps speech."""

    def __init__(self, vad_mode: int = VAD_MODE, margin_db: float = MARGIN_DB) -> None:
        self._vad = Vad(vad_mode, RATE)
        self.frame = self._vad.frame_bytes // 2
        self._frame_s = self.frame / RATE
        self._margin = margin_db
        self._floor_frames = round(FLOOR_S / self._frame_s)
        self.reset()

    def reset(self) -> None:
        self._pending = np.zeros(0, dtype=np.int16)
        self._energies: deque[float] = deque(maxlen=self._floor_frames)
        self._recent: deque[bool] = deque(maxlen=OPEN_OF)
        self._count = 0  # frames seen
        self._last_speech = -1  # index of the last speech frame in the open region
        self.regions: list[list[float]] = []  # [start, end] seconds; end is inf while open

    @property
    def is_open(self) -> bool:
        return bool(self.regions) and self.regions[-1][1] == np.inf

    def process(self, pcm: np.ndarray) -> None:
        pcm = np.asarray(pcm, dtype=np.int16).reshape(-1)
        buf = np.concatenate([self._pending, pcm]) if len(self._pending) else pcm
        n = self.frame
        whole = len(buf) // n * n
        for i in range(0, whole, n):
            self._step(buf[i : i + n])
        self._pending = buf[whole:].copy()

    def overlaps(self, start: float, end: float) -> bool:
        return any(start < r_end and end > r_start for r_start, r_end in self.regions)

    @property
    def speech_s(self) -> float:
        """Total length of the closed regions and the open one so far."""
        now = self._count * self._frame_s
        return sum(min(e, now) - max(s, 0.0) for s, e in self.regions)

    def _is_speech(self, frame: np.ndarray) -> bool:
        x = frame.astype(np.float64)
        level = max(_MIN_DB, 10.0 * np.log10(np.mean(x * x) / 32768.0**2 + 1e-12))
        self._energies.append(level)
        return level >= min(self._energies) + self._margin and bool(self._vad.is_speech(frame.tobytes()))

    def _step(self, frame: np.ndarray) -> None:
        k = self._count
        self._count += 1
        speech = self._is_speech(frame)
        self._recent.append(speech)
        if self.is_open:
            if speech:
                self._last_speech = k
            elif (k - self._last_speech) * self._frame_s > HANGOVER_S:
                self.regions[-1][1] = (self._last_speech + 1) * self._frame_s + HANGOVER_S
        elif sum(self._recent) >= OPEN_FRAMES:
            first = k - len(self._recent) + 1 + self._recent.index(True)
            self.regions.append([max(0.0, first * self._frame_s - PREROLL_S), np.inf])
            self._last_speech = k

"""The listening chain: microphone in, both ears out.

    mono:   high-pass -> noise reduction -> + synthetic speech (SpeechInput)
    ears:   tone (per ear) -> compression (per ear) -> volume -> limiter -> feedback guard -> fade

The chain is itself a processor-like object with the same lifecycle; its latency
is the sum of its parts' (the noise reducer's filter bank and the limiter's
look-ahead). Settings are published whole by `configure` from any thread and
picked up by each part at its next block.

Synthetic speech joins after noise reduction, so it is neither high-passed nor
noise-reduced away, and before tone, compression and volume, so it gets the
person's shaping, level and balance, the limiter's ceiling and mute. It is not
delayed to match the mono stage's latency: it has no live source to line up with.
"""

from __future__ import annotations

from typing import Protocol

import numba
import numpy as np

from audio.compressor import Compressor
from audio.feedback_guard import FeedbackGuard
from audio.highpass import HighPass
from audio.limiter import Limiter
from audio.meters import Meters
from audio.mixer import SpeechInput
from audio.noise_reduction import DEFAULT_METHOD, NoiseReducer
from audio.processor import Processor
from audio.settings import ListeningSettings
from audio.tone import ToneShaper
from audio.volume import Fade, Volume


@numba.njit(cache=True)
def _take_input(indata: np.ndarray, mono: np.ndarray) -> None:
    for i in range(mono.shape[1]):
        mono[0, i] = indata[i, 0]


@numba.njit(cache=True)
def _split_to_ears(mono: np.ndarray, ears: np.ndarray) -> None:
    for i in range(mono.shape[1]):
        ears[0, i] = mono[0, i]
        ears[1, i] = mono[0, i]


@numba.njit(cache=True)
def _give_output(ears: np.ndarray, outdata: np.ndarray) -> None:
    n, channels = outdata.shape
    for i in range(n):
        if channels == 1:
            outdata[i, 0] = 0.5 * (ears[0, i] + ears[1, i])
        else:
            outdata[i, 0] = ears[0, i]
            outdata[i, 1] = ears[1, i]
            for c in range(2, channels):
                outdata[i, c] = 0.0


class OutputProbe(Protocol):
    def process(self, indata: np.ndarray, outdata: np.ndarray) -> None: ...


class ListeningChain:
    def __init__(
        self,
        settings: ListeningSettings | None = None,
        noise_reduction_method: str = DEFAULT_METHOD,
        speech: SpeechInput | None = None,
    ) -> None:
        """`noise_reduction_method` (a key of `audio.noise_reduction.METHODS`) shapes what is allocated, so it
        is chosen here, once, rather than swapped with the other settings. `speech` is the input
        synthetic speech is pushed to (a new one when not given); `prepare` sizes it."""
        self._settings = settings or ListeningSettings()
        self.noise_reduction_method = noise_reduction_method
        self.highpass = HighPass()
        self.noise_reducer = NoiseReducer(noise_reduction_method)  # refuses an unknown method
        self.tone = ToneShaper()
        self.compressor = Compressor()
        self.volume = Volume()
        self.feedback_guard = FeedbackGuard()
        self.limiter = Limiter()
        self.fade = Fade()
        self.speech = speech if speech is not None else SpeechInput()
        self._mono_stage: tuple[Processor, ...] = (self.highpass, self.noise_reducer)
        self._ear_stage: tuple[Processor, ...] = (
            self.tone,
            self.compressor,
            self.volume,
            self.limiter,
            self.feedback_guard,
            self.fade,
        )
        self.meters = Meters()
        # A measurement (audio.feedback_check) that records the input and plays in place of the output
        # for a few seconds; set and cleared from other threads, read once per block.
        self.probe: OutputProbe | None = None
        self.sample_rate = 0
        self.block_size = 0

    @property
    def settings(self) -> ListeningSettings:
        return self._settings

    @property
    def noise_reduction_method_in_effect(self) -> str:
        """The noise-reduction method that runs after `prepare` ("classic" where the one asked for
        needs 48 kHz and the stream is slower)."""
        return self.noise_reducer.method_in_effect

    @property
    def latency_samples(self) -> int:
        return sum(p.latency_samples for p in (*self._mono_stage, *self._ear_stage))

    @property
    def latency_ms(self) -> float:
        return 1000.0 * self.latency_samples / self.sample_rate

    def prepare(self, sample_rate: int, block_size: int) -> None:
        """Validate the format and allocate everything (off the audio thread)."""
        for p in self._mono_stage:
            p.prepare(sample_rate, block_size, 1, self._settings)
        for p in self._ear_stage:
            p.prepare(sample_rate, block_size, 2, self._settings)
        self.sample_rate = sample_rate
        self.block_size = block_size
        self._mono = np.zeros((1, block_size), dtype=np.float32)
        self._ears = np.zeros((2, block_size), dtype=np.float32)
        self._input_copy = np.zeros((1, block_size), dtype=np.float32)
        self.meters.prepare(sample_rate, block_size)
        self.speech.prepare(sample_rate, block_size)

    def configure(self, settings: ListeningSettings) -> None:
        """Publish new settings (any thread). Each part validates and swaps in a snapshot."""
        for p in (*self._mono_stage, *self._ear_stage):
            p.configure(settings)
        self._settings = settings

    def ramp_in(self) -> None:
        """Fade the output in from silence over 200 ms starting at the next block."""
        self.fade.ramp_in()

    def reset(self) -> None:
        for p in (*self._mono_stage, *self._ear_stage):
            p.reset()

    def process(self, indata: np.ndarray, outdata: np.ndarray) -> None:
        """Audio thread: indata (block_size, in_channels), outdata (block_size, out_channels), float32.

        Uses the first input channel. Writes left and right to the first two output
        channels (their mean to a single channel) and silence to any others.
        """
        # Calls are spelled out rather than looped so the audio path creates no iterators.
        _take_input(indata, self._mono)
        np.copyto(self._input_copy, self._mono)
        self.highpass.process(self._mono)
        self.noise_reducer.process(self._mono)
        self.speech.mix_into(self._mono)  # leaves the block untouched when nothing is queued
        _split_to_ears(self._mono, self._ears)
        self.tone.process(self._ears)
        self.compressor.process(self._ears)
        self.volume.process(self._ears)
        self.limiter.process(self._ears)
        # After the limiter: a cut made before it would only be taken back by the limiter
        # while a saturated howl kept circulating. Its gain is at most 1, so the ceiling holds.
        self.feedback_guard.process(self._ears)
        self.fade.process(self._ears)
        self.meters.update(self._input_copy, self._ears)
        _give_output(self._ears, outdata)
        probe = self.probe
        if probe is not None:
            probe.process(indata, outdata)

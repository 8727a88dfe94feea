"""The listening chain: microphone in, both ears out.

    mono:   high-pass -> noise reduction -> + synthetic speech (SpeechInput)
    ears:   tone (per ear) -> compression (per ear) -> volume -> limiter -> feedback guard -> fade

The chain is itself a processor-like object with the same lifecycle; its latency
is the sum of its parts' (the noise reducer's filter bank and the limiter's
look-ahead). Settings are published whole by `configure` from any thread; the
next block takes every part's new snapshot at once, so no block hears some parts
with old settings and others with new. The noise-reduction method can change while
running (`change_noise_reduction`): the new reducer listens unheard for a moment so
its estimates settle, then takes over in a crossfade.

Synthetic speech joins after noise reduction, so it is neither high-passed nor
noise-reduced away, and before tone, compression and volume, so it gets the
person's shaping, level and balance, the limiter's ceiling and mute. It is not
delayed to match the mono stage's latency: it has no live source to line up with.
"""

from __future__ import annotations

import copy
from typing import Any, Protocol

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

SWAP_SETTLE_S = 0.25  # a new noise reducer runs unheard this long before it is faded in
SWAP_FADE_S = 0.05


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
def _crossfade(old: np.ndarray, new: np.ndarray, weight: np.ndarray, step: float) -> None:
    """new <- old faded out and new faded in, `weight` (new's share) rising by `step` a sample."""
    w = weight[0]
    for i in range(new.shape[1]):
        w = min(1.0, w + step)
        new[0, i] = np.float32((1.0 - w) * old[0, i] + w * new[0, i])
    weight[0] = w


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
        # Published by `configure` / `change_noise_reduction`, taken by the audio thread at a block's start.
        self._staged: tuple[tuple[tuple[Processor, dict[str, Any]], ...], int] | None = None
        self.applied_tag = 0
        self._incoming: NoiseReducer | None = None
        self._outgoing: NoiseReducer | None = None
        self._swap_blocks = 0
        self._swap_weight = np.zeros(1)

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
        self._old_nr = np.zeros((1, block_size), dtype=np.float32)
        self.meters.prepare(sample_rate, block_size)
        self.speech.prepare(sample_rate, block_size)

    def configure(self, settings: ListeningSettings, tag: int = 0) -> None:
        """Publish new settings (any thread); the next block applies them to every part at once.
        `applied_tag` becomes `tag` at that block (how the audio engine reports when they took effect).

        Each part builds its snapshot here, on a shallow copy of itself (a processor's `configure`
        only assigns attributes, the lifecycle's rule), and the block takes the assignments. Settings
        published twice before a block: the newer ones win whole.
        """
        if self.sample_rate == 0:  # not prepared: nothing runs yet, so apply directly
            for p in (*self._mono_stage, *self._ear_stage):
                p.configure(settings)
            self._settings, self.applied_tag = settings, tag
            return
        staged = []
        for p in (*self._mono_stage, *self._ear_stage):
            shadow = copy.copy(p)
            shadow.configure(settings)
            mine = vars(p)
            staged.append((p, {k: v for k, v in vars(shadow).items() if mine.get(k) is not v}))
        self._staged = (tuple(staged), tag)
        self._settings = settings

    def change_noise_reduction(self, method: str) -> None:
        """Switch the noise-reduction method while running (off the audio thread; prepared chains only).

        The new reducer is built and prepared here with the current settings, runs unheard for
        SWAP_SETTLE_S and then crossfades in over SWAP_FADE_S; the old one is dropped after.
        """
        incoming = NoiseReducer(method)  # refuses an unknown method
        incoming.prepare(self.sample_rate, self.block_size, 1, self._settings)
        self._swap_weight[0] = 0.0
        self._swap_blocks = 0
        self._incoming = incoming
        self.noise_reduction_method = method

    def _take_staged(self) -> None:
        staged, self._staged = self._staged, None
        if staged is not None:
            for p, assignments in staged[0]:
                vars(p).update(assignments)
            self.applied_tag = staged[1]
        incoming = self._incoming
        if incoming is not None and self._outgoing is None:
            self._incoming, self._outgoing = None, self.noise_reducer
            self.noise_reducer = incoming
            self._mono_stage = (self.highpass, incoming)

    def _reduce_noise(self) -> None:
        outgoing = self._outgoing
        if outgoing is None:
            self.noise_reducer.process(self._mono)
            return
        # Both run; the old one is heard until the new one's estimates have settled, then they crossfade.
        np.copyto(self._old_nr, self._mono)
        outgoing.process(self._old_nr)
        self.noise_reducer.process(self._mono)
        self._swap_blocks += 1
        settled = self._swap_blocks * self.block_size >= SWAP_SETTLE_S * self.sample_rate
        if not settled:
            np.copyto(self._mono, self._old_nr)
            return
        _crossfade(self._old_nr, self._mono, self._swap_weight, 1.0 / (SWAP_FADE_S * self.sample_rate))
        if self._swap_weight[0] >= 1.0:
            self._outgoing = None

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
        if self._staged is not None or self._incoming is not None:
            self._take_staged()
        _take_input(indata, self._mono)
        np.copyto(self._input_copy, self._mono)
        self.highpass.process(self._mono)
        self._reduce_noise()
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

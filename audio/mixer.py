"""Synthetic speech into the listening chain: a real-time-safe input for the person's headphones.

A producer (the speech service, on any thread but the audio one) calls
`SpeechInput.push(samples, sample_rate)`. That validates the sound, resamples it
to the stream's rate with a polyphase anti-alias filter, brings it to the nominal
speech level and copies it into a ring allocated in `prepare`. The audio thread
calls `mix_into` (the chain does, after noise reduction) or `read_into`; both run
one numba kernel over preallocated arrays and allocate nothing.

The ring is single-producer, single-consumer. Its positions live in one small
int64 array and each slot has one writer: the producer publishes WRITTEN after
its copy, the consumer publishes READ after its read. `clear` asks the consumer
to fade out over 5 ms and skip what was queued, rather than cutting it mid-wave.
Producers (push, clear) are serialised by a lock the audio thread never takes.
The ring can live in shared memory (`SpeechInput.over`): the app pushes, the audio
engine's process reads; memory fences order each hand-off on ARM as on x86.

Nominal level. Speech is pushed at an active RMS of -25 dBFS (`NOMINAL_SPEECH_DBFS`),
times the utterance's `volume`. -25 dBFS is the compressor's reference level, the
level its make-up gain leaves unchanged, and about the active level of the recorded
speech the chain is tested and tuned on (-21 to -29 dBFS for the LibriSpeech clips
in tests/data). So a synthetic sentence at volume 1.0 reaches the ear as loud as a
clear talker through the microphone would: the person's gain, balance and tone
then decide how loud, and the limiter's ceiling holds for both.
"""

from __future__ import annotations

import math
import threading
from functools import lru_cache

import numba
import numpy as np

from audio.errors import AudioError
from audio.shared_ring import SharedQueueMemory, acquire_fence, release_fence

NOMINAL_SPEECH_DBFS = -25.0
MAX_PEAK_DBFS = -1.0  # never push anything at digital full scale, whatever the normalisation asks
QUEUE_SECONDS = 30.0
CLEAR_FADE_S = 0.005
MIN_RATE, MAX_RATE = 8000, 192000
# Anti-alias filter: flat to 90 % of the lower Nyquist frequency, 80 dB down at it.
_PASS_FRACTION = 0.9
_STOP_DB = 80.0
_ACTIVE_FRAME_S = 0.02
_ACTIVE_RANGE_DB = 30.0  # frames within this of the loudest count as speech (P.56 in spirit)
_SILENCE_DBFS = -70.0

# Slots of SpeechInput._idx, with their one writer.
WRITTEN = 0  # producer: samples ever written
READ = 1  # consumer: samples ever consumed
CLEAR_REQUESTS = 2  # producer side (clear): incremented per clear
CLEAR_AT = 3  # producer side (clear): WRITTEN when the last clear was asked
CLEARS_DONE = 4  # consumer: the clear requests it has acted on
FADING = 5  # consumer: 1 while fading out for a clear
STOP_AT = 6  # consumer: where the fade's old samples end


@lru_cache(maxsize=16)
def _anti_alias_taps(up: int, down: int) -> np.ndarray:
    """Kaiser-window low-pass at the upsampled rate, designed by its transition band and attenuation."""
    nyquist = 0.5 / max(up, down)  # the lower Nyquist, in cycles per upsampled sample
    width = (1.0 - _PASS_FRACTION) * nyquist
    from scipy.signal import firwin, kaiserord  # here: importing scipy.signal costs the engine 1.5 s a start

    numtaps, beta = kaiserord(_STOP_DB, width / 0.5)
    numtaps |= 1  # odd: a whole-sample group delay, which resample_poly removes
    cutoff = nyquist - width / 2.0
    taps = firwin(numtaps, cutoff, window=("kaiser", beta), fs=1.0)
    return np.asarray(taps, dtype=np.float64)  # resample_poly multiplies by `up` itself


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Polyphase resampling (scipy's resample_poly) with an 80 dB anti-alias filter; float32 out.

    Output length is ceil(len * to_rate / from_rate). Each call treats its input as a
    whole sound with silence either side, so resample whole utterances, not fragments.
    """
    x = np.asarray(samples, dtype=np.float64)
    if from_rate == to_rate:
        return x.astype(np.float32)
    g = math.gcd(from_rate, to_rate)
    up, down = to_rate // g, from_rate // g
    from scipy.signal import resample_poly

    y = resample_poly(x, up, down, window=_anti_alias_taps(up, down))
    return np.asarray(y, dtype=np.float32)


def check_sound(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Validate a mono sound and return it as a 1-D float array, or raise one clear AudioError."""
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int | np.integer):
        raise AudioError(f"The sample rate must be a whole number of Hz, got {sample_rate!r}.")
    if not MIN_RATE <= sample_rate <= MAX_RATE:
        raise AudioError(
            f"A sample rate of {sample_rate} Hz is not usable; give {MIN_RATE} to {MAX_RATE} Hz "
            "(speech synthesisers write 16000 or 22050)."
        )
    x = np.asarray(samples)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1:
        raise AudioError(f"Speech audio must be mono, shaped (frames,) or (frames, 1); got shape {x.shape}.")
    if x.dtype.kind not in "fiu":
        raise AudioError(f"Speech audio must be numbers (float or PCM integers), got {x.dtype}.")
    if x.size == 0:
        raise AudioError("The speech audio is empty: there is nothing to play.")
    if x.dtype.kind in "iu":
        x = x.astype(np.float64) / float(np.iinfo(x.dtype).max)
    if not np.all(np.isfinite(x)):
        raise AudioError("The speech audio contains NaN or infinite samples; the synthesis went wrong.")
    return x


def active_rms_dbfs(x: np.ndarray, sample_rate: int) -> float:
    """Active speech level: RMS over the 20 ms frames within 30 dB of the loudest (pauses left out)."""
    n = max(1, int(_ACTIVE_FRAME_S * sample_rate))
    frames = len(x) // n
    if frames == 0:
        power = np.array([np.mean(np.square(x, dtype=np.float64))])
    else:
        power = np.mean(np.square(x[: frames * n].reshape(frames, n), dtype=np.float64), axis=1)
    floor = max(float(power.max()) * 10.0 ** (-_ACTIVE_RANGE_DB / 10.0), 10.0 ** (_SILENCE_DBFS / 10.0))
    active = power[power >= floor]
    if active.size == 0:
        return -math.inf
    return 10.0 * math.log10(float(active.mean()))


def speech_samples(
    samples: np.ndarray, sample_rate: int, stream_rate: int, volume: float = 1.0, normalise: bool = True
) -> np.ndarray:
    """What `push` queues: validated, resampled to `stream_rate`, at the nominal level times `volume`."""
    if isinstance(volume, bool) or not isinstance(volume, int | float) or not 0.0 <= volume <= 1.0:
        raise AudioError(f"Speech volume must be between 0 and 1, got {volume!r}.")
    x = resample(check_sound(samples, sample_rate), sample_rate, stream_rate)
    gain = float(volume)
    if normalise:
        level = active_rms_dbfs(x, stream_rate)
        if math.isfinite(level):
            gain *= 10.0 ** ((NOMINAL_SPEECH_DBFS - level) / 20.0)
    peak = float(np.max(np.abs(x)))
    ceiling = 10.0 ** (MAX_PEAK_DBFS / 20.0)
    if peak * gain > ceiling:
        gain = ceiling / peak
    return np.asarray(x * np.float32(gain), dtype=np.float32)


class SpeechQueueFull(AudioError):
    """The ring cannot take this sound now; nothing of it was queued."""


@numba.njit(cache=True)
def _read(ring: np.ndarray, idx: np.ndarray, fade: np.ndarray, out: np.ndarray, step: float) -> int:
    """Add queued speech to every row of `out` (channels, n); returns how many queued samples were consumed.

    Deliberately not nogil: it runs inside the Python audio callback, which holds the
    GIL anyway, and holding it here orders the index hand-off with the producer on any CPU.
    """
    capacity = ring.shape[0]
    written = idx[WRITTEN]
    r = idx[READ]
    requests = idx[CLEAR_REQUESTS]
    acquire_fence()  # the samples and the clear position counted are visible before they are used
    if requests != idx[CLEARS_DONE]:
        idx[CLEARS_DONE] = requests
        stop = idx[CLEAR_AT]
        if stop > r:  # something queued before the clear is still to play: fade it out
            idx[STOP_AT] = stop
            if idx[FADING] == 0:
                idx[FADING] = 1
                fade[0] = 1.0
    if idx[FADING] == 0 and r >= written:
        return 0  # idle: `out` is left exactly as it was
    start = r
    channels, n = out.shape
    for i in range(n):
        if idx[FADING] == 1:
            if r < idx[STOP_AT] and fade[0] > step:
                fade[0] -= step
                value = np.float32((0.5 - 0.5 * np.cos(np.pi * fade[0])) * ring[r % capacity])
                for c in range(channels):
                    out[c, i] += value
                r += 1
                continue
            # Faded out (or the old sound ended): skip the rest of what the clear removed.
            if r < idx[STOP_AT]:
                r = idx[STOP_AT]
            idx[FADING] = 0
            fade[0] = 1.0
        if r >= written:
            break
        for c in range(channels):
            out[c, i] += ring[r % capacity]
        r += 1
    release_fence()  # read before the producer may reuse the slots
    idx[READ] = r
    return r - start


@numba.njit(cache=True)
def _store_after_fence(idx: np.ndarray, slot: int, value: int) -> None:
    """Publish `value` in `idx[slot]` only after every write before it (the copy it counts)."""
    release_fence()
    idx[slot] = value


class SpeechInput:
    """A queue of speech for the person's ears, read by the audio thread without locks or allocation."""

    def __init__(self, capacity_seconds: float = QUEUE_SECONDS) -> None:
        if not 1.0 <= capacity_seconds <= 600.0:
            raise AudioError(f"The speech queue must hold 1 to 600 seconds, got {capacity_seconds!r}.")
        self.capacity_seconds = capacity_seconds
        self.sample_rate = 0
        self.block_size = 0
        self._lock = threading.Lock()  # producers only (push, clear); never the audio thread
        self._ring = np.zeros(0, dtype=np.float32)
        self._idx = np.zeros(7, dtype=np.int64)
        self._fade = np.ones(1, dtype=np.float64)
        self._step = 1.0
        self._shared: SharedQueueMemory | None = None

    @classmethod
    def over(cls, memory: SharedQueueMemory, sample_rate: int) -> SpeechInput:
        """A queue whose ring and positions live in `memory`, shared by the process that pushes and
        the one whose chain reads; its rate is fixed (the engine's). Neither side's `prepare` resets
        it: the creator calls `abandon` when a new reader takes over."""
        speech = cls(max(1.0, memory.capacity / sample_rate))
        speech._shared = memory
        speech._ring, speech._idx = memory.samples, memory.index[:7]
        speech.sample_rate = sample_rate
        speech._step = 1.0 / max(1.0, CLEAR_FADE_S * sample_rate)
        return speech

    def abandon(self) -> float:
        """The reader is gone (its process ended): forget what was queued and return how many seconds
        of it never played. Only while no one reads."""
        with self._lock:
            left = self.pending_seconds
            self._idx[READ] = self._idx[WRITTEN]
            self._idx[CLEARS_DONE] = self._idx[CLEAR_REQUESTS]
            self._idx[FADING] = 0
            self._fade[0] = 1.0
            return left

    def prepare(self, sample_rate: int, block_size: int) -> None:
        """Allocate the ring for `sample_rate` (off the audio thread, before it runs)."""
        if self._shared is not None:
            if sample_rate != self.sample_rate:
                raise AudioError(
                    f"The shared speech queue runs at {self.sample_rate} Hz, not {sample_rate} Hz."
                )
            self.block_size = block_size
            scratch = np.zeros((1, block_size), dtype=np.float32)
            _read(np.zeros(1, dtype=np.float32), np.zeros(7, dtype=np.int64), self._fade, scratch, self._step)
            return
        with self._lock:
            if sample_rate != self.sample_rate:
                self._ring = np.zeros(math.ceil(self.capacity_seconds * sample_rate), dtype=np.float32)
            self._idx[:] = 0
            self._fade[0] = 1.0
            self._step = 1.0 / max(1.0, CLEAR_FADE_S * sample_rate)
            self.sample_rate = sample_rate
            self.block_size = block_size
            # Compile the read kernel for the chain's block type now: a JIT compile in the first
            # audio callback would stall it for a second.
            _read(self._ring, self._idx, self._fade, np.zeros((1, block_size), dtype=np.float32), self._step)

    # --- producers: any thread but the audio one ---------------------------------------
    def push(
        self, samples: np.ndarray, sample_rate: int, volume: float = 1.0, normalise: bool = True
    ) -> None:
        """Queue a whole sound (an utterance) to play after what is queued. Never waits for the audio.

        `samples` is mono, float or PCM integers, at `sample_rate` Hz. With `normalise`
        its active level becomes NOMINAL_SPEECH_DBFS, then `volume` (0..1) scales it;
        `normalise=False` queues it at its own level (only resampled and peak-capped).
        Raises AudioError for bad audio and SpeechQueueFull when it does not fit now.
        """
        if self.sample_rate == 0:
            raise AudioError(
                "The speech input is not ready: prepare the listening chain (start the stream) first."
            )
        x = speech_samples(samples, sample_rate, self.sample_rate, volume, normalise)
        capacity = self._ring.shape[0]
        n = x.shape[0]
        if n > capacity:
            raise SpeechQueueFull(
                f"This sound lasts {n / self.sample_rate:.1f} s but the headphone speech queue holds "
                f"{self.capacity_seconds:g} s; split the text into shorter utterances."
            )
        with self._lock:
            written = int(self._idx[WRITTEN])
            queued = written - int(self._idx[READ])
            if queued + n > capacity:
                raise SpeechQueueFull(
                    f"The headphone speech queue is full ({queued / self.sample_rate:.1f} s waiting, room for "
                    f"{self.capacity_seconds:g} s); wait for it to play or clear it, then push again."
                )
            start = written % capacity
            first = min(n, capacity - start)
            self._ring[start : start + first] = x[:first]
            self._ring[: n - first] = x[first:]
            _store_after_fence(self._idx, WRITTEN, written + n)  # publish only after the copy

    def clear(self) -> None:
        """Stop now: what is queued fades out over 5 ms and is skipped. Later pushes still play."""
        with self._lock:
            self._idx[CLEAR_AT] = self._idx[WRITTEN]
            _store_after_fence(self._idx, CLEAR_REQUESTS, int(self._idx[CLEAR_REQUESTS]) + 1)

    @property
    def pending_seconds(self) -> float:
        """Seconds of speech still to play (any thread; what a clear removed counts as gone)."""
        if self.sample_rate == 0:
            return 0.0
        written, read = int(self._idx[WRITTEN]), int(self._idx[READ])
        if self._idx[CLEAR_REQUESTS] != self._idx[CLEARS_DONE] or self._idx[FADING]:
            read = max(read, int(self._idx[CLEAR_AT]))
        return max(0, written - read) / self.sample_rate

    # --- the consumer: the audio thread ------------------------------------------------
    def mix_into(self, block: np.ndarray) -> int:
        """Add queued speech to a mono chain block (1, n) float32 in place; returns samples consumed.

        With nothing queued the block is not touched, so the chain stays bit-identical.
        """
        return int(_read(self._ring, self._idx, self._fade, block, self._step))

    def read_into(self, out: np.ndarray) -> int:
        """Overwrite `out` (channels, n) float32 with the next queued samples, zeros after; returns how many."""
        out.fill(0.0)
        return int(_read(self._ring, self._idx, self._fade, out, self._step))

"""The lifecycle every processor in the listening chain follows.

1. `prepare(sample_rate, block_size, channels)`: validate and allocate everything.
   Called off the audio thread.
2. `configure(settings)`: build an immutable runtime snapshot from the settings and
   publish it with one attribute assignment. Called off the audio thread, at any time
   after `prepare`; `process` picks the newest snapshot up at the start of a block.
3. `process(block)`: in place, on a float32 array shaped (channels, block_size),
   C-contiguous. No allocation, no locks, never raises for configuration problems.
   Gain changes are smoothed inside `process` so a new snapshot never clicks.
4. `reset()`: clear signal state (delay lines, envelopes), keep the settings.

`latency_samples` is what the processor delays the signal by, valid after `prepare`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from audio.errors import AudioError
from audio.settings import ListeningSettings

SUPPORTED_RATES = (16000, 22050, 44100, 48000)


def check_format(sample_rate: int, block_size: int, channels: int) -> None:
    if sample_rate not in SUPPORTED_RATES:
        allowed = ", ".join(str(r) for r in SUPPORTED_RATES)
        raise AudioError(f"Sample rate {sample_rate} Hz is not supported; use one of {allowed} Hz.")
    if not 16 <= block_size <= 4096:
        raise AudioError(
            f"Block size {block_size} is not supported; use 16 to 4096 samples (128 is the default)."
        )
    if channels not in (1, 2):
        raise AudioError(f"{channels} channels is not supported; processors take 1 or 2.")


class Processor(ABC):
    latency_samples: int = 0

    def __init__(self) -> None:
        self.sample_rate = 0
        self.block_size = 0
        self.channels = 0

    def prepare(
        self, sample_rate: int, block_size: int, channels: int, settings: ListeningSettings | None = None
    ) -> None:
        check_format(sample_rate, block_size, channels)
        self.sample_rate = sample_rate
        self.block_size = block_size
        self.channels = channels
        self._allocate()
        self.configure(settings or ListeningSettings())
        # Start settled on the settings, not gliding towards them from neutral.
        self.reset()

    @abstractmethod
    def _allocate(self) -> None:
        """Allocate state arrays for the prepared format."""

    @abstractmethod
    def configure(self, settings: ListeningSettings) -> None:
        """Publish a runtime snapshot built from `settings` (off the audio thread)."""

    @abstractmethod
    def process(self, block: np.ndarray) -> None:
        """Process `block` (channels, block_size) float32 in place."""

    @abstractmethod
    def reset(self) -> None:
        """Clear signal state, keep settings."""


def smoothing_coefficient(time_constant_s: float, sample_rate: float) -> float:
    """One-pole coefficient a for y += (1 - a) (x - y) reaching 63 % in `time_constant_s`."""
    if time_constant_s <= 0:
        return 0.0
    return float(np.exp(-1.0 / (time_constant_s * sample_rate)))

"""Compile the chain's numba kernels before the first audio callback.

numba compiles a kernel the first time it is called with a given set of argument types. On a
fresh install (cold cache) that takes seconds, and if it happens inside the audio callback
the device runs dry: the person hears a gap, and a stream test sees blocks missing. Running a
spare chain over silence, loud noise and a settings change off the audio thread compiles (or
loads from the cache) every kernel the callback will need. The spare chain is thrown away, so
the real chain's state is untouched. Compiled kernels depend only on argument types, so this
is done once per process and noise-reduction method.
"""

from __future__ import annotations

import dataclasses
import threading

import numpy as np

from audio.chain import ListeningChain
from audio.settings import ListeningSettings

_done: set[str] = set()
_lock = threading.Lock()


def compile_kernels(noise_reduction_method: str, sample_rate: int, block_size: int) -> None:
    with _lock:
        if noise_reduction_method in _done:
            return
        settings = ListeningSettings(gain_db=30.0)
        spare = ListeningChain(settings, noise_reduction_method)
        spare.prepare(sample_rate, block_size)
        rng = np.random.default_rng(0)
        indata = np.zeros((block_size, 1), dtype=np.float32)
        outdata = np.zeros((block_size, 2), dtype=np.float32)
        changed = dataclasses.replace(settings, noise_reduction=0.2, tone_enabled=False, left_gain_db=-6.0)
        for block in range(64):
            if block == 16:
                indata[:, 0] = rng.uniform(-1.0, 1.0, block_size).astype(np.float32)
            if block == 32:
                spare.configure(changed)  # exercises the crossfade and glide kernels
            spare.process(indata, outdata)
        spare.speech.push(rng.uniform(-0.1, 0.1, sample_rate // 10).astype(np.float32), sample_rate)
        for _ in range(8):
            spare.process(indata, outdata)
        _done.add(noise_reduction_method)

"""RNNoise (Valin 2018) as a side-chain gain estimator for the low-delay noise reducer.

RNNoise's own output lags its input by 960 samples at 48 kHz (a 480-sample frame plus a
480-sample look-ahead/overlap), three times Hark's latency budget. Only its synthesis needs that
delay: the gains it applies are what we want. The library does not export them, so the side chain
feeds RNNoise the input on its fixed 480-sample schedule and reads the gains back as the ratio of
band energies of its output to those of the matching (960-sample-delayed) input. The reducer then
applies them, interpolated to its own bins, to the current audio inside its low-delay filter bank.

This module only binds the library (librnnoise.so from the pyrnnoise wheel) and builds the band
tables; the per-sample work is `audio.nr_kernels.side_chain_frame`, which calls
`rnnoise_process_frame` through a ctypes function object on preallocated float32 buffers.
"""

from __future__ import annotations

import ctypes

import numpy as np

from audio.errors import AudioError

RATE = 48000
FRAME = 480
DELAY = 960  # RNNoise output sample n is its processed input sample n - 960 (measured)
ANALYSIS_FFT = 512  # one 480-sample output frame, zero padded
# RNNoise's band edges (Bark-like, in 200 Hz units at 48 kHz; eband5ms in denoise.c).
BAND_EDGES_HZ = 200.0 * np.array(
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 34, 40, 48, 60, 78, 100]
)
SCALE = 32768.0  # RNNoise works in int16 units

PROCESS_FRAME_TYPE = ctypes.CFUNCTYPE(
    ctypes.c_float, ctypes.c_size_t, ctypes.POINTER(ctypes.c_float), ctypes.POINTER(ctypes.c_float)
)


# What the kernel is handed when no side chain runs: the same C signature, so the compiled
# kernel has one type for both methods, and never called (the kernel skips it while the state is 0).
UNUSED_PROCESS_FRAME = PROCESS_FRAME_TYPE(lambda state, out, inp: 0.0)


class RNNoiseLibrary:
    """The ctypes handles: create/init/destroy from Python, process_frame as a function object
    numba kernels can call (the state pointer travels as a size_t)."""

    def __init__(self) -> None:
        try:
            from pyrnnoise.rnnoise import lib  # loads librnnoise.so
        except ImportError:
            raise AudioError(
                "The rnnoise-assisted noise reduction needs the pyrnnoise package, which is not installed. "
                "Install it with: pip install 'hark[rnnoise]' (or choose --noise-reduction-method classic)."
            ) from None

        self._lib = lib
        lib.rnnoise_create.restype = ctypes.c_void_p
        lib.rnnoise_create.argtypes = [ctypes.c_void_p]
        lib.rnnoise_init.restype = ctypes.c_int
        lib.rnnoise_init.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        lib.rnnoise_destroy.argtypes = [ctypes.c_void_p]
        address = ctypes.cast(lib.rnnoise_process_frame, ctypes.c_void_p).value
        assert address is not None
        self.process_frame = PROCESS_FRAME_TYPE(address)

    def create(self) -> int:
        return int(self._lib.rnnoise_create(None))

    def init(self, state: int) -> None:
        """Back to a freshly created state (no allocation)."""
        self._lib.rnnoise_init(ctypes.c_void_p(state), None)

    def destroy(self, state: int) -> None:
        self._lib.rnnoise_destroy(ctypes.c_void_p(state))


_LIBRARY: RNNoiseLibrary | None = None


def library() -> RNNoiseLibrary:
    """The shared binding (pyrnnoise, an optional dependency, ships librnnoise.so in its wheel)."""
    global _LIBRARY
    if _LIBRARY is None:
        _LIBRARY = RNNoiseLibrary()
    return _LIBRARY


def interpolation(freqs_hz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each frequency: the band edge below it and the linear weight of the edge above
    (RNNoise's triangular bands: energies are weighted, gains interpolated, the same way)."""
    edges = BAND_EDGES_HZ
    lo = np.clip(np.searchsorted(edges, freqs_hz, side="right") - 1, 0, len(edges) - 2)
    frac = np.clip((freqs_hz - edges[lo]) / (edges[lo + 1] - edges[lo]), 0.0, 1.0)
    return lo.astype(np.int64), frac


def analysis_window() -> np.ndarray:
    """Sine window over one 480-sample frame."""
    return np.sin(np.pi * (np.arange(FRAME) + 0.5) / FRAME)

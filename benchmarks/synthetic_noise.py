"""Synthetic noises for training the learned noise reducer (`benchmarks.nr_train --synthetic`).

The real recordings hold twelve noises; these add three families they have few examples of. On the
held-out fold they did not help overall (see nr_train's docstring), so the shipped network is
trained without them.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from scipy.signal import butter, fftconvolve, lfilter

from benchmarks.common import RATE, read_mono


def room(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """x heard across a room: a synthetic reverberant tail (RT60 0.3-0.9 s) with little direct sound."""
    rt60 = rng.uniform(0.3, 0.9)
    t = np.arange(int(rt60 * RATE)) / RATE
    tail = rng.standard_normal(len(t)) * np.exp(-6.9 * t / rt60)
    tail[0] = rng.uniform(0.0, 3.0)
    return np.asarray(fftconvolve(x, tail)[: len(x)])


def synthetic_noise(
    n: int, rng: np.random.Generator, speech_files: list[Path], kinds: tuple[int, ...] = (0, 1, 2)
) -> np.ndarray:
    """One of three noise families the recordings have few examples of: steady machine noise (a
    random spectral envelope, sometimes a mains hum and a slow wobble), distant talkers (this fold's
    own utterances through a synthetic room, muffled as through a wall), and knocks and bangs
    (decaying resonant bursts at random times). `kinds` picks among them, in that order."""
    kind = kinds[rng.integers(len(kinds))]
    if kind == 0:
        spectrum = np.fft.rfft(rng.standard_normal(n))
        f = np.linspace(0.0, 1.0, len(spectrum))
        envelope_db = (
            sum(
                rng.uniform(-8, 8) * np.cos(math.pi * rng.uniform(0.5, 6) * np.sqrt(f) + rng.uniform(0, 6.3))
                for _ in range(4)
            )
            + rng.uniform(-20, 0) * f
        )
        noise = np.fft.irfft(spectrum * 10 ** (envelope_db / 20), n)
        if rng.random() < 0.4:
            f0 = rng.uniform(50.0, 130.0)
            t = np.arange(n) / RATE
            harmonics = [h for h in range(1, 12) if f0 * h < 7900]
            hum = sum(
                rng.uniform(0, 1) / h * np.sin(2 * math.pi * f0 * h * t + rng.uniform(0, 6.3))
                for h in harmonics
            )
            noise = noise / np.std(noise) + rng.uniform(0.3, 3.0) * hum / (np.std(hum) + 1e-9)
        if rng.random() < 0.4:
            wobble = np.sin(2 * math.pi * rng.uniform(0.3, 5) * np.arange(n) / RATE)
            noise = noise * (1 + rng.uniform(0.1, 0.4) * wobble)
        return np.asarray(noise)
    if kind == 1:
        noise = np.zeros(n)
        for _ in range(int(rng.integers(1, 7))):
            utterance = read_mono(speech_files[rng.integers(len(speech_files))])
            start = int(rng.integers(-len(utterance) // 2, n))
            piece = utterance[max(0, -start) :][: n - max(start, 0)]
            noise[max(start, 0) : max(start, 0) + len(piece)] += piece * 10 ** (rng.uniform(-8, 0) / 20)
        noise = room(noise, rng)
        if rng.random() < 0.5:
            noise = np.asarray(lfilter(*butter(2, rng.uniform(800.0, 4000.0), fs=RATE), noise))
        return noise
    noise = np.zeros(n)
    events = rng.uniform(0.3, 3.0) * n / RATE
    for _ in range(max(1, rng.poisson(events))):
        length = int(rng.uniform(0.02, 0.4) * RATE)
        at = int(rng.integers(0, n))
        t = np.arange(length) / RATE
        burst = rng.standard_normal(length) * np.exp(-t / rng.uniform(0.005, 0.15))
        for _ in range(int(rng.integers(1, 5))):
            f0 = math.exp(rng.uniform(math.log(100.0), math.log(6000.0)))
            r = math.exp(-math.pi * f0 / rng.uniform(2.0, 30.0) / RATE)
            mode = lfilter([1 - r], [1, -2 * r * math.cos(2 * math.pi * f0 / RATE), r * r], burst)
            burst = burst + mode * rng.uniform(1, 8)
        piece = burst[: n - at] * 10 ** (rng.uniform(-15, 0) / 20)
        noise[at : at + len(piece)] += piece
    noise = room(noise, rng) if rng.random() < 0.5 else noise
    # A room is never silent between bangs.
    return noise + rng.standard_normal(n) * np.std(noise) * 10 ** (rng.uniform(-50, -25) / 20)

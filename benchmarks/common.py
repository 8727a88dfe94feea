"""Shared helpers for benchmarks: the data set, SNR mixing, alignment and speech metrics."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
RESULTS = REPO / "benchmarks" / "results"
RATE = 16000


@dataclass(frozen=True)
class Case:
    name: str
    noise: str  # noise label, or "pairs"
    snr_db: float
    clean: np.ndarray  # float64, 16 kHz
    noisy: np.ndarray


def read_mono(path: Path) -> np.ndarray:
    audio, rate = sf.read(path, dtype="float64", always_2d=True)
    if rate != RATE:
        raise ValueError(f"{path} is {rate} Hz, expected {RATE} Hz")
    return np.asarray(audio[:, 0])


def mix_at_snr(clean: np.ndarray, noise: np.ndarray, snr_db: float, offset: int) -> np.ndarray:
    """Clean plus a noise segment scaled to `snr_db` (overall power); the noise loops if short."""
    idx = (offset + np.arange(len(clean))) % len(noise)
    segment = noise[idx]
    gain = math.sqrt(np.mean(clean**2) / (np.mean(segment**2) * 10 ** (snr_db / 10) + 1e-20))
    return np.asarray(clean + gain * segment)


def mixture_specs(
    snrs: tuple[float, ...], all_pairs: bool, limit: int | None, seed: int = 1234
) -> list[tuple[str, str, float, int]]:
    """(speech file, noise file, snr, noise offset): each speech x each SNR, noise in rotation,
    or the full cross product with `all_pairs`."""
    speech = sorted(p.name for p in (DATA / "speech").glob("*.wav"))
    noises = sorted(p.name for p in (DATA / "noise").glob("*.wav"))
    rng = np.random.default_rng(seed)
    specs = []
    for i, s in enumerate(speech):
        for j, snr in enumerate(snrs):
            # Step by speech file and by SNR so every noise meets every SNR (i + j would tie them).
            chosen = noises if all_pairs else [noises[(i + 3 * j) % len(noises)]]
            for n in chosen:
                specs.append((s, n, snr, int(rng.integers(0, 10**9))))
    if limit is not None:
        order = np.random.default_rng(seed + 1).permutation(len(specs))[:limit]
        specs = [specs[i] for i in sorted(order)]
    return specs


def load_mixture(spec: tuple[str, str, float, int]) -> Case:
    speech_name, noise_name, snr, offset = spec
    clean = read_mono(DATA / "speech" / speech_name)
    noise = read_mono(DATA / "noise" / noise_name)
    noisy = mix_at_snr(clean, noise, snr, offset % len(noise))
    peak = max(1.0, float(np.max(np.abs(noisy))) / 0.99)
    label = noise_name.removesuffix(".wav")
    return Case(f"{speech_name}+{noise_name}", label, snr, clean / peak, noisy / peak)


def load_pairs() -> list[Case]:
    rows = (DATA / "pairs" / "pairs.tsv").read_text().splitlines()[1:]
    cases = []
    for row in rows:
        clean_name, noisy_name, _, _, snr = row.split("\t")[:5]
        clean = read_mono(DATA / "pairs" / clean_name)
        noisy = read_mono(DATA / "pairs" / noisy_name)
        n = min(len(clean), len(noisy))
        cases.append(Case(noisy_name, "pairs", float(snr), clean[:n], noisy[:n]))
    return cases


def residual_lag(reference: np.ndarray, signal: np.ndarray, max_lag: int = 400) -> int:
    """Lag (samples) at which `signal` best matches `reference`; 0 after correct alignment."""
    n = min(len(reference), len(signal))
    ref, sig = reference[:n], signal[:n]
    size = 1 << int(np.ceil(np.log2(2 * n)))
    xc = np.fft.irfft(np.fft.rfft(sig, size) * np.conj(np.fft.rfft(ref, size)), size)
    lags = np.concatenate([np.arange(0, max_lag + 1), np.arange(-max_lag, 0)])
    values = np.concatenate([xc[: max_lag + 1], xc[-max_lag:]])
    return int(lags[int(np.argmax(values))])


def si_sdr(reference: np.ndarray, estimate: np.ndarray) -> float:
    ref = reference - reference.mean()
    est = estimate - estimate.mean()
    target = np.dot(est, ref) / (np.dot(ref, ref) + 1e-20) * ref
    noise = est - target
    return float(10 * np.log10((np.dot(target, target) + 1e-20) / (np.dot(noise, noise) + 1e-20)))


def scores(clean: np.ndarray, estimate: np.ndarray) -> dict[str, float]:
    from pesq import pesq
    from pystoi import stoi

    n = min(len(clean), len(estimate))
    ref, est = clean[:n], estimate[:n]
    try:
        pesq_wb = float(pesq(RATE, ref, est, "wb"))
    except Exception:  # PESQ refuses signals it finds no speech in
        pesq_wb = float("nan")
    return {"si_sdr": si_sdr(ref, est), "stoi": float(stoi(ref, est, RATE, extended=False)), "pesq": pesq_wb}

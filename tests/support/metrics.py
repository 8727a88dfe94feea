"""Caption accuracy measures shared by tests and benchmarks: corpus word error rate, and one
decoder pass over a whole file (the accuracy ceiling of the streaming path)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np


def normalise(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]", " ", text.lower()).split()


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def word_error_rate(refs: list[str], hyps: list[str]) -> float:
    """Corpus WER: total word edits over total reference words."""
    errors = sum(edit_distance(normalise(r), normalise(h)) for r, h in zip(refs, hyps, strict=True))
    return errors / max(1, sum(len(normalise(r)) for r in refs))


def one_piece(decoder: Any, x16: np.ndarray) -> str:
    """One decoder pass over a whole 16 kHz file: no endpointer, no streaming."""
    pcm = np.clip(np.rint(x16 * 32768), -32768, 32767).astype(np.int16)
    decoder.start_utt()
    decoder.process_raw(pcm.tobytes(), full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return re.sub(r"\(\d+\)", "", hyp.hypstr) if hyp is not None else ""

"""Shared data for the caption tests: the LibriSpeech clips in tests/data and their transcripts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

DATA = Path(__file__).resolve().parents[1] / "data"


def speech_clips() -> list[tuple[Path, str]]:
    rows = [line.split("\t") for line in (DATA / "transcripts.tsv").read_text().splitlines() if "\t" in line]
    return [(DATA / f"speech_{name}", text.strip()) for name, text in rows]


@pytest.fixture(scope="session")
def clips() -> list[tuple[str, np.ndarray, str]]:
    """(name, 16 kHz float32 signal, reference transcript) for every speech clip."""
    out = []
    for path, text in speech_clips():
        x, rate = sf.read(str(path), dtype="float32")
        assert rate == 16000
        out.append((path.name, x, text))
    return out

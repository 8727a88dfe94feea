"""The first start of the audio engine says it is preparing, once; later starts say nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from audio.engine import AudioEngine
from audio.engine_startup import FIRST_RUN_MESSAGE, start_engine

SPEECH = Path(__file__).resolve().parents[1] / "data" / "speech_1089-134686-0000.wav"


def test_the_first_run_message_comes_only_while_the_cache_is_cold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))  # an empty per-user cache: a first run
    said: list[str] = []
    for _ in range(2):
        engine = AudioEngine(source=SPEECH)
        try:
            start_engine(engine, said.append)
            assert engine.status.state == "running"
        finally:
            engine.release()
    assert said == [FIRST_RUN_MESSAGE]
    assert any(tmp_path.glob("warm-*"))

"""Vosk (Kaldi) captions: any Vosk model directory, streamed through KaldiRecognizer.

Vosk does its own endpointing: `AcceptWaveform` returns True when it has closed an
utterance (a long enough pause), and `Result()` then holds the words with start, end and
confidence. Between those, `PartialResult()` gives the running hypothesis. Vosk's word
times count from the recogniser's creation, which is the session start here (`reset`
makes a new recogniser, so the clock restarts with the session).
Its C calls go through cffi, which releases the GIL, so it can run in-process beside the
audio callback.

Vosk decodes whatever it is given, and steady noise alone (fan, air-conditioning at
-35 dBFS) came out as confident words. A voice-activity detector (gate.SpeechRegions) runs
beside it on the same audio, and only words overlapping a speech region are captioned, in
segments and in partials (when Vosk gives partial word times). gate.py says why the words
are filtered rather than the audio gated.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from assistant.captions.events import CaptionEvent, Partial, Segment, Word
from assistant.captions.gate import SpeechRegions

RATE = 16000


class VoskRecognizer:
    name = "vosk"
    sample_rate = RATE

    def __init__(self, model_path: Path, label: str | None = None, gate: bool = True) -> None:
        import vosk

        vosk.SetLogLevel(-1)  # Kaldi logs every model component to stderr otherwise
        if not (Path(model_path) / "am").is_dir() and not (Path(model_path) / "conf").is_dir():
            raise ValueError(f"{model_path} is not a Vosk model folder (it has no 'am' or 'conf' folder).")
        self._vosk = vosk
        self._model = vosk.Model(str(model_path))
        self.label = label or f"Vosk: {Path(model_path).name}"
        self._speech = SpeechRegions() if gate else None
        self.reset()

    def reset(self) -> None:
        self._recognizer = self._vosk.KaldiRecognizer(self._model, RATE)
        self._recognizer.SetWords(True)
        if hasattr(self._recognizer, "SetPartialWords"):
            self._recognizer.SetPartialWords(True)
        if self._speech is not None:
            self._speech.reset()
        self._fed = 0
        self._last_partial = ""

    def accept(self, pcm: np.ndarray) -> list[CaptionEvent]:
        pcm = np.asarray(pcm, dtype=np.int16).reshape(-1)
        if len(pcm) == 0:
            return []
        self._fed += len(pcm)
        if self._speech is not None:
            self._speech.process(pcm)
        if self._recognizer.AcceptWaveform(pcm.tobytes()):
            return self._segment(self._recognizer.Result())
        partial = json.loads(self._recognizer.PartialResult())
        if self._speech is not None and "partial_result" in partial:
            text = " ".join(w["word"] for w in partial["partial_result"] if self._is_speech(w))
        else:
            text = partial.get("partial", "")
        if text and text != self._last_partial:
            self._last_partial = text
            return [Partial(text, self._fed / RATE)]
        return []

    def finish(self) -> list[CaptionEvent]:
        return self._segment(self._recognizer.FinalResult())

    def _is_speech(self, word: dict[str, Any]) -> bool:
        return self._speech is None or self._speech.overlaps(float(word["start"]), float(word["end"]))

    def _segment(self, result_json: str) -> list[CaptionEvent]:
        self._last_partial = ""
        result = json.loads(result_json)
        words = tuple(
            Word(w["word"], round(float(w["start"]), 3), round(float(w["end"]), 3), float(w.get("conf", 1.0)))
            for w in result.get("result", [])
            if self._is_speech(w)
        )
        if not words:
            return []
        return [Segment(" ".join(w.text for w in words), words[0].start, words[-1].end, words, self.name)]

"""Which recogniser captions: Vosk when a model is available, pocketsphinx otherwise.

`SubprocessRecognizer` runs a recogniser in a child process. pocketsphinx's decoder holds
Python's GIL while it searches (0.4 s for end_utt of a 10 s utterance, measured), and the
audio callback needs the GIL every 2.7 ms: in a child process the decoder cannot delay it.
Recognition also runs at a lower scheduling priority (`RECOGNITION_NICENESS`) than the listening
path: captions can be a little late, the person's audio cannot, and on a 2-core laptop they
compete for the same cores.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import sys
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.captions.errors import CaptionError
from assistant.captions.events import CaptionEvent
from assistant.speech_models import manage as models
from audio.child_processes import ignore_ctrl_c, start_ignoring_ctrl_c

ENGINES = ("vosk", "pocketsphinx")
RECOGNITION_NICENESS = 10


def lower_priority(*, this_thread_only: bool = False) -> None:
    """Raise the caller's niceness to RECOGNITION_NICENESS: the whole process's, or with
    `this_thread_only` the calling thread's, which only Linux (where niceness is per thread) can
    do; elsewhere that does nothing rather than slow the whole application. Where the call is
    refused, captions still work, competing with audio on equal terms."""
    if this_thread_only and sys.platform != "linux":
        return
    who = threading.get_native_id() if this_thread_only else 0
    with contextlib.suppress(AttributeError, OSError):
        if os.getpriority(os.PRIO_PROCESS, who) < RECOGNITION_NICENESS:
            os.setpriority(os.PRIO_PROCESS, who, RECOGNITION_NICENESS)


class Recognizer(Protocol):
    name: str
    label: str
    sample_rate: int

    def accept(self, pcm: np.ndarray) -> list[CaptionEvent]: ...
    def finish(self) -> list[CaptionEvent]: ...
    def reset(self) -> None: ...


def _build(engine: str, model_path: Path | None) -> Recognizer:
    if engine == "vosk":
        from assistant.captions.vosk_engine import VoskRecognizer

        assert model_path is not None
        return VoskRecognizer(model_path)
    from assistant.captions.pocketsphinx_engine import PocketsphinxRecognizer

    return PocketsphinxRecognizer()


def _serve(conn: Any, engine: str, model_path: Path | None) -> None:
    """The child process: build the recogniser, then answer (method, pcm) requests in order."""
    ignore_ctrl_c()  # the app closes this process itself
    lower_priority()
    try:
        recognizer = _build(engine, model_path)
        conn.send(("ready", (recognizer.name, recognizer.label, recognizer.sample_rate)))
    except Exception as error:
        conn.send(("error", f"{type(error).__name__}: {error}"))
        return
    while True:
        try:
            method, pcm = conn.recv()
        except EOFError:
            return
        if method == "close":
            return
        try:
            result = recognizer.accept(pcm) if method == "accept" else getattr(recognizer, method)()
            conn.send(("ok", result))
        except Exception as error:
            conn.send(("error", f"{type(error).__name__}: {error}"))


class SubprocessRecognizer:
    """The same Recognizer interface, with the work done in a spawned child process."""

    def __init__(self, engine: str, model_path: Path | None = None, start_timeout: float = 60.0) -> None:
        ctx = mp.get_context("spawn")  # never fork a process that has audio threads running
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(
            target=_serve, args=(child, engine, model_path), daemon=True, name=f"hark-{engine}"
        )
        start_ignoring_ctrl_c(self._process)
        child.close()
        if not self._conn.poll(start_timeout):
            self.close()
            raise CaptionError(f"The {engine} recogniser did not start within {start_timeout:g} s.")
        kind, payload = self._conn.recv()
        if kind != "ready":
            self.close()
            raise CaptionError(f"Could not start the {engine} recogniser: {payload}")
        self.name, self.label, self.sample_rate = payload

    def _call(self, method: str, pcm: np.ndarray | None = None) -> Any:
        # Waiting on the pipe releases the GIL, so the audio callback runs meanwhile.
        self._conn.send((method, pcm))
        kind, payload = self._conn.recv()
        if kind != "ok":
            raise CaptionError(f"The {self.name} recogniser failed: {payload}")
        return payload

    def accept(self, pcm: np.ndarray) -> list[CaptionEvent]:
        return list(self._call("accept", np.asarray(pcm, dtype=np.int16)))

    def finish(self) -> list[CaptionEvent]:
        return list(self._call("finish"))

    def reset(self) -> None:
        self._call("reset")

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._conn.send(("close", None))
        self._process.join(2.0)
        if self._process.is_alive():
            self._process.terminate()
        self._conn.close()


def _vosk_model_for(model_path: Path | None, language: str) -> Path | None:
    """The Vosk model to use: the given name or folder (checked by assistant.speech_models.manage), else the best
    one installed for `language`, else None."""
    if model_path is None:
        return models.installed_model_path(language)
    try:
        return models.model_path(str(model_path))
    except models.ModelError as error:  # its message says what to do
        raise CaptionError(str(error)) from None


def choose_recognizer(
    engine: str | None = None, model_path: Path | None = None, language: str = "en", *, isolate: bool = True
) -> Recognizer:
    """Vosk when a model is given or installed for `language`, else pocketsphinx (English only),
    unless `engine` says which. With `isolate`, pocketsphinx runs in a child process (see above);
    Vosk releases the GIL and runs in-process."""
    if engine is not None and engine not in ENGINES:
        raise CaptionError(f"Unknown caption engine {engine!r}; choose one of: {', '.join(ENGINES)}.")
    vosk_model = _vosk_model_for(model_path, language) if engine != "pocketsphinx" else None
    if engine == "vosk" and vosk_model is None:
        raise CaptionError(
            f"No Vosk model installed for language {language!r}. Install one with 'hark models install NAME' "
            "or give --model PATH, or use --engine pocketsphinx."
        )
    if vosk_model is not None:
        from assistant.captions.vosk_engine import VoskRecognizer

        try:
            return VoskRecognizer(vosk_model)
        except Exception as error:
            raise CaptionError(f"Could not load the Vosk model {vosk_model}: {error}") from None
    if language != "en":
        raise CaptionError(
            f"pocketsphinx only has an English model; install a Vosk model for {language!r} "
            "('hark models install NAME')."
        )
    if isolate:
        return SubprocessRecognizer("pocketsphinx")
    return _build("pocketsphinx", None)

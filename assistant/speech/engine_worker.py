"""The speech worker process: drives pyttsx3 for one request at a time and reports what it did.

Runs only inside a worker process started by `synthesis.Synthesiser`. Why a process:
eSpeak NG is a process-wide C library that can be initialised once, and only a new
process gives a fresh engine when one misbehaves; a crash or hang in it cannot take the
app down, and the process can be killed.

Why the waits below: `setProperty` queues the change on eSpeak's own command thread, and
`runAndWait` may cancel that thread's work, dropping the change, so the worker waits until
eSpeak is idle with the new settings in place before `runAndWait`. Each request makes exactly
one `save_to_file` per `runAndWait`, because a second one replaces the first.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from audio.child_processes import ignore_ctrl_c

FINISH_TIMEOUT_S = 60.0
SETTLE_TIMEOUT_S = 2.0


class _Engine:
    def __init__(self) -> None:
        import pyttsx3

        self.engine: Any = pyttsx3.init()
        self.driver = str(getattr(self.engine, "driver_name", "unknown"))
        self.finished = threading.Event()
        self.completed = False
        self.errors: list[str] = []
        self.engine.connect("finished-utterance", self._on_finished)
        self.engine.connect("error", self._on_error)
        self.espeak: Any = None
        if self.driver == "espeak":
            from pyttsx3.drivers import _espeak

            self.espeak = _espeak
        # The driver proxy starts busy; one empty run lets queued commands run at once from now on.
        self.engine.runAndWait()

    def _on_finished(self, name: object = None, completed: bool = True) -> None:
        self.completed = bool(completed)
        self.finished.set()

    def _on_error(self, name: object = None, exception: BaseException | None = None) -> None:
        self.errors.append(f"{type(exception).__name__}: {exception}")

    def _espeak_settings(self) -> dict[str, Any]:
        get = self.espeak.dll.espeak_GetParameter
        current = self.espeak.GetCurrentVoice()
        voice = current.contents.identifier.decode("utf-8", "replace").lower() if current else None
        return {
            "rate": int(get(self.espeak.RATE, 1)),
            "volume": int(get(self.espeak.VOLUME, 1)) / 100.0,
            "voice": voice,
        }

    def _settle(self, rate: int, voice: str | None) -> bool:
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while time.monotonic() < deadline:
            if not self.espeak.IsPlaying():
                now = self._espeak_settings()
                if now["rate"] == rate and now["volume"] == 1.0 and (voice is None or now["voice"] == voice):
                    return True
            time.sleep(0.001)
        return False

    def settings(self) -> dict[str, Any]:
        if self.espeak is not None:
            return self._espeak_settings()
        voice = self.engine.getProperty("voice")
        return {
            "rate": self.engine.getProperty("rate"),
            "volume": self.engine.getProperty("volume"),
            "voice": str(voice).lower() if voice else None,
        }

    def synthesise(self, text: str, voice: str | None, rate: int, path: str) -> dict[str, Any]:
        self.errors.clear()
        if voice:
            self.engine.setProperty("voice", voice)
        self.engine.setProperty("rate", rate)
        # Volume is applied afterwards as an exact digital gain; the engine always renders full scale.
        self.engine.setProperty("volume", 1.0)
        if self.espeak is not None and not self._settle(rate, voice.lower() if voice else None):
            return {"settled": False, "errors": self.errors, **self.settings()}
        self.finished.clear()
        self.completed = False
        self.engine.save_to_file(text, path)
        self.engine.runAndWait()
        finished = self.finished.wait(FINISH_TIMEOUT_S)
        return {
            "settled": True,
            "finished": finished,
            "completed": self.completed,
            "errors": list(self.errors),
            **self.settings(),
        }

    def voices(self) -> list[tuple[str, str, list[str] | bytes, str | None]]:
        listed: list[tuple[str, str, list[str] | bytes, str | None]] = []
        if self.espeak is not None:
            for v in self.espeak.ListVoices(None):
                # The struct's second field points at the full language list; ctypes' c_char_p stops at NUL.
                address = ctypes.cast(ctypes.pointer(v), ctypes.POINTER(ctypes.c_void_p))[1]
                raw = _read_language_bytes(address) if address else b""
                gender = {1: "male", 2: "female"}.get(int(v.gender))
                listed.append(
                    (
                        v.identifier.decode("utf-8", "replace").lower(),
                        v.name.decode("utf-8", "replace"),
                        raw,
                        gender,
                    )
                )
            return listed
        for v in self.engine.getProperty("voices"):
            languages = [
                lang.decode("utf-8", "replace") if isinstance(lang, bytes) else str(lang)
                for lang in (getattr(v, "languages", None) or [])
            ]
            gender = getattr(v, "gender", None)
            listed.append(
                (str(v.id), str(v.name or v.id), languages, str(gender).lower() if gender else None)
            )
        return listed


def _read_language_bytes(address: int, limit: int = 256) -> bytes:
    out = bytearray()
    while len(out) < limit:
        priority = ctypes.string_at(address + len(out), 1)
        if priority == b"\0":
            break
        name = ctypes.string_at(address + len(out) + 1)
        out += priority + name + b"\0"
    return bytes(out)


def serve(conn: Connection) -> None:
    """Answer requests until the parent says quit or goes away."""
    ignore_ctrl_c()  # the app closes this process itself
    # pyttsx3's espeak driver prints "Audio saved to ..." for every file; keep stdout clean.
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    try:
        engine = _Engine()
    except Exception as error:  # no library, no voices, a broken install: all mean "no engine"
        conn.send(("missing", f"{type(error).__name__}: {error}"))
        return
    conn.send(("ready", {"driver": engine.driver, **engine.settings()}))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        kind = request[0]
        try:
            if kind == "quit":
                return
            if kind == "voices":
                conn.send(("ok", engine.voices()))
            elif kind == "synth":
                _, text, voice, rate, path = request
                conn.send(("ok", engine.synthesise(text, voice, rate, path)))
            else:
                conn.send(("failed", f"unknown request {kind!r}"))
        except Exception as error:
            conn.send(("failed", f"{type(error).__name__}: {error}"))

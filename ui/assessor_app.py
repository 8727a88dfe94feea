"""`hark app`'s Qt side: the application, the engine started behind the open window, the session's
record fed by the engine's events and the room's level, and Ctrl+C in the terminal closing it."""

from __future__ import annotations

import sys
import threading
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from assistant.assessment.autosave import DraftKeeper
from assistant.assessment.listening import ListeningControl
from assistant.assessment.text import record_text
from assistant.cli.desktop import AppRun
from audio.engine_protocol import EngineEvent
from audio.errors import AudioError
from ui.assessor_window import AssessorWindow
from ui.captions_app import closing_on_interrupt

ROOM_LEVEL_EVERY_MS = 60_000


def open_session(run: AppRun) -> tuple[AssessorWindow, Any, ListeningControl]:
    """The window, its engine (not started) and the listening controls, wired to the record."""
    record = run.record

    def on_event(event: EngineEvent) -> None:  # the engine client's monitor thread
        record.engine_event(event.kind, event.message, event.at, dict(event.data))

    engine = run.engine(on_event)
    control = ListeningControl(engine, record, run.tone_preset)
    window = AssessorWindow(run, control, engine)
    if run.store is not None:  # the person's record is saved as the session goes
        window.keep_drafts(DraftKeeper(run.store, record, on_problem=window.saving_problem.emit))
    return window, engine, control


def run_app(run: AppRun) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    record = run.record
    window, engine, control = open_session(run)
    window.resize(1100, 700)
    window.show()
    room = QTimer()
    room.timeout.connect(lambda: record.room_level(engine.meters.input_rms_dbfs))
    with closing_on_interrupt(window) as interrupted:
        window.interrupted = interrupted
        app.processEvents()  # the window is up before the engine starts
        threading.Thread(
            target=start_listening, args=(engine, record), name="hark-app-start", daemon=True
        ).start()
        room.start(ROOM_LEVEL_EVERY_MS)
        try:
            if not interrupted.is_set():
                app.exec()
        finally:
            room.stop()
            engine.release()
    if window.summary is None and interrupted.is_set():
        # Stopped from the terminal before the summary was seen: the record goes there, not nowhere.
        control.flush()
        record.saw("listening", "Listening stopped: Hark was closed from the terminal")
        record.end()
        print(record_text(record, run.person, run.assessor), end="", flush=True)
    return 0


def start_listening(engine: Any, record: Any) -> None:
    try:
        engine.start(wait=True)  # a missing device: the status says so and the engine waits for it
    except AudioError as error:
        record.saw("audio", f"Listening could not start: {error}")
        return
    status, settings = engine.status, engine.settings
    record.saw(
        "listening",
        f"Listening started: {status.input_device} to {status.output_device}, volume {settings.gain_db:g} dB, "
        f"noise reduction {settings.noise_reduction:g} ({engine.noise_reduction_method}), "
        f"loudest allowed {settings.max_output_dbfs:g} dBFS",
    )

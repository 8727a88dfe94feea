"""The assessor's app on Qt: the application, a session's window with its engine started behind it,
the session's record fed by the engine's events and the room's level, and Ctrl+C in the terminal
closing it. `run_app` is one session (`hark app --profile ID`); `run_home` is the whole app, from
the people in the store (ui/home_window.py)."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from assistant.assessment.autosave import DraftKeeper
from assistant.assessment.listening import ListeningControl
from assistant.assessment.text import record_text
from assistant.cli.desktop import AppRun, HomeRun
from audio.engine_protocol import EngineEvent
from audio.errors import AudioError
from ui.assessor_window import AssessorWindow
from ui.captions_app import closing_on_interrupt
from ui.session_parts import conversation_parts

ROOM_LEVEL_EVERY_MS = 60_000
READY_MARK = "HARK_READY_MARK"  # a file to write the time the first window could take input (benchmarks)


def open_session(run: AppRun, draft_id: str | None = None) -> tuple[AssessorWindow, Any, ListeningControl]:
    """The window, its engine (not started) and the listening controls, wired to the record.
    `draft_id`: the draft in the store this session goes on writing (a resumed session)."""
    record = run.record

    def on_event(event: EngineEvent) -> None:  # the engine client's monitor thread
        record.engine_event(event.kind, event.message, event.at, dict(event.data))

    engine = run.engine(on_event)
    control = ListeningControl(engine, record, run.tone_preset)
    window = AssessorWindow(run, control, engine)
    window.add_conversation(*conversation_parts(run, engine))
    if run.store is not None:  # the person's record is saved as the session goes
        keeper = DraftKeeper(run.store, record, draft_id, on_problem=window.saving_problem.emit)
        window.keep_drafts(keeper)
    return window, engine, control


def launch_session(run: AppRun, draft_id: str | None = None) -> AssessorWindow:
    """Open a session's window at once and start its engine behind it; closing the window releases
    the engine (on a thread: the engine process takes a moment to end)."""
    window, engine, _ = open_session(run, draft_id)
    room = QTimer(window)
    room.timeout.connect(lambda: run.record.room_level(engine.meters.input_rms_dbfs))
    room.start(ROOM_LEVEL_EVERY_MS)
    window.closed.connect(room.stop)
    window.closed.connect(
        lambda: threading.Thread(target=engine.release, name="hark-engine-release", daemon=True).start()
    )
    window.engine = engine
    window.resize(1100, 700)
    window.show()
    QApplication.processEvents()  # the window is up before the engine starts
    threading.Thread(
        target=start_listening, args=(engine, run.record), name="hark-app-start", daemon=True
    ).start()
    return window


def run_app(run: AppRun) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = launch_session(run)
    _mark_ready()
    with closing_on_interrupt(window) as interrupted:
        window.interrupted = interrupted
        try:
            if not interrupted.is_set():
                app.exec()
        finally:
            window.engine.release()  # here, not on a thread: the process is about to end
    if window.summary is None and interrupted.is_set():
        # Stopped from the terminal before the summary was seen: the record goes there, not nowhere.
        record = run.record
        window.control.flush()
        record.saw("listening", "Listening stopped: Hark was closed from the terminal")
        record.end()
        print(record_text(record, run.person, run.assessor), end="", flush=True)
    return 0


def run_home(run: HomeRun) -> int:
    from ui.home_window import HomeWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    home = HomeWindow(run)
    home.show()
    _mark_ready()
    home.first_run_if_needed()
    with closing_on_interrupt(home) as interrupted:
        home.interrupted = interrupted
        try:
            if not interrupted.is_set():
                app.exec()
        finally:
            home.close_sessions()
    return 0


def _mark_ready() -> None:
    """For the start-up benchmark: once the event loop has handled what was waiting (the window is
    drawn and takes input), write the wall-clock time to the file named in HARK_READY_MARK."""
    mark = os.environ.get(READY_MARK)
    if mark:
        QTimer.singleShot(0, lambda: Path(mark).write_text(f"{time.time():.6f}\n", encoding="utf-8"))


def start_listening(engine: Any, record: Any) -> None:
    try:
        engine.start(wait=True)  # a missing device: the status says so and the engine waits for it
    except AudioError as error:
        record.saw("audio", f"Listening could not start: {error}")
        return
    status, settings = engine.status, engine.settings
    if status.state != "running":  # waiting for a device: the engine's event put that in the record
        return
    record.saw(
        "listening",
        f"Listening started: {status.input_device} to {status.output_device}, volume {settings.gain_db:g} dB, "
        f"noise reduction {settings.noise_reduction:g} ({engine.noise_reduction_method}), "
        f"loudest allowed {settings.max_output_dbfs:g} dBFS",
    )

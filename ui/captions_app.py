"""The caption window's Qt side of `hark captions`: the application, the window, its bridge and keys.

The window opens first (within a second) and says what is happening, then the session opens the
sound devices and loads the speech model in the background (assistant/captions/session.py).

Ctrl+C in the terminal closes the window the normal way (so the transcript is saved when allowed):
while Qt's event loop runs, Python only gets to run its signal handlers when some Python code runs,
so a short timer wakes it up, and the SIGINT handler asks the window to close.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from assistant.cli.desktop import CaptionsRun
from assistant.cli.errors import CommandError
from ui.caption_bridge import CaptionBridge
from ui.caption_window import CaptionWindow
from ui.desk_controls import DeskControls

POLL_MS = 1000  # the status line follows device and model states, which change on other threads
SIGNAL_CHECK_MS = 200  # how soon Ctrl+C in the terminal closes the window


def run_captions(run: CaptionsRun) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = CaptionWindow(run.style)
    bridge = CaptionBridge()
    bridge.partial.connect(window.show_partial)
    bridge.segment.connect(window.add_segment)
    bridge.status.connect(window.set_status)
    bridge.message.connect(window.set_status)
    bridge.engine.connect(window.set_engine)
    bridge.show.connect(window.show_message)
    session = run.session(bridge)
    window.pause_toggled.connect(session.set_paused)
    try:
        window.show_on_screen(run.screen, run.fullscreen)
    except ValueError as error:
        raise CommandError(str(error)) from None
    with closing_on_interrupt(window) as interrupted:
        window.set_status("Starting", "Opening the sound devices.")
        app.processEvents()  # draw the window before the devices open
        session.start()
        desk = run.desk(session)
        controls = DeskControls(window, desk, check_feedback=session.check_feedback)
        window.closed.connect(desk.desk.stop_speaking)
        window.closed.connect(controls.close_all)  # an open dialog would keep the app running
        poll = QTimer()
        poll.timeout.connect(session.refresh)
        poll.start(POLL_MS)
        session.refresh()
        try:
            if not interrupted.is_set():  # Ctrl+C while the devices opened: close as if it came later
                app.exec()
        finally:
            poll.stop()
            session.close()
            run.finish(session)
    return 0


@contextlib.contextmanager
def closing_on_interrupt(window: Any) -> Iterator[threading.Event]:
    """While the window is open, SIGINT (Ctrl+C) closes it instead of waiting unseen behind Qt's loop.
    The event says whether it came, for the moments before the loop runs."""
    interrupted = threading.Event()

    def close(*_: object) -> None:
        interrupted.set()
        window.close()

    wake = QTimer()
    wake.timeout.connect(lambda: None)  # returning to Python lets it run its signal handlers
    previous = signal.signal(signal.SIGINT, close)
    wake.start(SIGNAL_CHECK_MS)
    try:
        yield interrupted
    finally:
        wake.stop()
        signal.signal(signal.SIGINT, previous)

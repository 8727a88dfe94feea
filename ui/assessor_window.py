"""The assessor's window for one session: who it is with, the listening panel, the record of
practicable steps, and the end of the session with its summary to check, copy or save."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from assistant.assessment.autosave import DraftKeeper
from assistant.assessment.listening import ListeningControl
from assistant.assessment.text import record_text
from assistant.cli.desktop import AppRun
from profiles.errors import ProfileError
from ui.listening_panel import ListeningPanel
from ui.lock_panel import LockPanel
from ui.record_panel import RecordPanel

OFFLINE = "Hark works offline: nothing is sent anywhere."


class AssessorWindow(QMainWindow):
    ended = Signal()
    closed = Signal()  # the window closed (the session's engine can go)
    saving_problem = Signal(object)  # a sentence, or None when saving works again (any thread)

    def __init__(self, run: AppRun, control: ListeningControl, engine: object) -> None:
        super().__init__()
        self.run, self.control = run, control
        self.setWindowTitle("Hark: assessment")
        self._title = self.windowTitle()
        self.engine: Any = engine
        who = f"Session with {run.person}" if run.person else "Quick session: no profile in use"
        demo = " Demo: a recording is playing as the microphone." if run.demo else ""
        self.header = QLabel(f"<b>{who}</b>. {OFFLINE}{demo}")
        self.header.setWordWrap(True)
        self.listening = ListeningPanel(control, engine)
        self.record = RecordPanel(run.record)
        self.end = QPushButton("&End the session…")
        self.end.clicked.connect(self.end_session)
        middle = QHBoxLayout()
        middle.addWidget(self.listening, 2)
        middle.addWidget(self.record, 3)
        body = QWidget()
        self.body = body
        layout = QVBoxLayout(body)
        layout.addWidget(self.header)
        layout.addLayout(middle, 1)
        layout.addWidget(self.end)
        self.pages = QStackedWidget()
        self.pages.addWidget(body)
        self.setCentralWidget(self.pages)
        self.lock_panel: LockPanel | None = None
        self.saving = QLabel()
        self.saving.setWordWrap(True)
        self.saving.setAccessibleName("Saving the record")
        self.saving.hide()
        layout.insertWidget(1, self.saving)
        self.saving_problem.connect(self._show_saving_problem)
        self.keeper: DraftKeeper | None = None
        self.saved_as: str | None = None
        self.summary: SummaryDialog | None = None
        self.interrupted = threading.Event()  # Ctrl+C in the terminal: close without asking
        self._ended = False

    def lock(self, verify: Callable[[str], bool] | None) -> None:
        """Hide the person's name and the record until the passphrase is given (`verify` checks it;
        None: no store, a click unlocks). Listening goes on, and mute still works."""
        if self.lock_panel is None:
            self.lock_panel = LockPanel(verify)
            self.lock_panel.unlocked.connect(self.unlock)
            self.pages.addWidget(self.lock_panel)
        self._title = self.windowTitle()
        self.setWindowTitle("Hark: locked")
        self.pages.setCurrentWidget(self.lock_panel)

    @property
    def locked(self) -> bool:
        return self.pages.currentWidget() is not self.body

    def unlock(self) -> None:
        self.pages.setCurrentWidget(self.body)
        self.setWindowTitle(self._title)

    def keep_drafts(self, keeper: DraftKeeper) -> None:
        """Save the record in the person's store as the session goes (an encrypted draft)."""
        self.keeper = keeper
        keeper.start()
        self._show_saving_problem(None)

    def end_session(self) -> None:
        if not self._ended:
            self._ended = True
            self.control.flush()
            self.run.record.saw("listening", "Listening stopped: the session ended")
            self.run.record.end()
            self.record.refresh()
            self.end.setText("Show the session's &summary…")
            if self.keeper is not None:
                try:
                    self.saved_as = self.keeper.finish()
                    self.saving.setText(f"The record is kept in {self.run.person}'s profile store.")
                except ProfileError as error:
                    self._show_saving_problem(f"The record could not be kept in the store: {error}")
            self.ended.emit()
        text = record_text(self.run.record, self.run.person, self.run.assessor)
        self.summary = SummaryDialog(text, self)
        self.summary.open()

    def _show_saving_problem(self, problem: object) -> None:
        if problem is None:
            self.saving.setText("The record is saved in the person's encrypted profile store as you go.")
        else:
            self.saving.setText(f"<b>{problem}</b>")
        self.saving.show()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._ended and self.run.record.steps() and not self.interrupted.is_set():
            answer = QMessageBox.question(
                self,
                "End the session?",
                "Closing ends the session. "
                + (
                    "Its record stays in the store as an unfinished draft. "
                    if self.keeper is not None
                    else "Its record is not kept unless you copy or save it from the summary. "
                )
                + "Close anyway?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        if self.keeper is not None and not self._ended:
            self.keeper.stop()
            self.keeper.save_now()  # the draft stays, whole, for the next start
        super().closeEvent(event)
        self.closed.emit()


class SummaryDialog(QDialog):
    """The record as plain text, to check, then copy (only on a click) or save."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("The session's record")
        self.text = QPlainTextEdit(text)
        self.text.setReadOnly(True)
        self.text.setAccessibleName("The record of practicable steps, as plain text")
        copy = QPushButton("&Copy the text")
        copy.clicked.connect(self.copy)
        save = QPushButton("&Save as a text file…")
        save.clicked.connect(self.save)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (copy, save, close):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self.resize(760, 560)

    def copy(self) -> None:
        QGuiApplication.clipboard().setMimeData(private_text(self.text.toPlainText()))

    def save(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save the record", "session-record.txt", "Text (*.txt)")
        if name:
            Path(name).write_text(self.text.toPlainText(), encoding="utf-8")


def private_text(text: str) -> QMimeData:
    """Text marked for clipboard managers to leave out of their history, where they honour it:
    Windows' ExcludeClipboardContentFromMonitorProcessing, and KDE's password-manager hint."""
    data = QMimeData()
    data.setText(text)
    data.setData(
        'application/x-qt-windows-mime;value="ExcludeClipboardContentFromMonitorProcessing"', b"\0\0\0\0"
    )
    data.setData("x-kde-passwordManagerHint", b"secret")
    return data

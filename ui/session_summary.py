"""The end of a session: the record of practicable steps as plain text to check (and correct, in
the record beside it), then keep in the person's record, copy (only on a click, marked private for
clipboard managers) or save as text or PDF for the council's case system; and, with a person, the
listening settings that worked saved back to their profile as a new version, after the assessor
has seen every difference.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QMimeData, Signal
from PySide6.QtGui import QFont, QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assistant.personalise.errors import ProfileUseError
from assistant.personalise.save_back import SaveBack
from profiles.errors import ProfileError

PDF_FONT_PT = 12


class SummaryDialog(QDialog):
    """The record as plain text, to check, then copy or save; with a person, the settings saved back."""

    _done = Signal(object)  # (what, a sentence) from a worker thread

    def __init__(
        self,
        text: str,
        parent: QWidget | None = None,
        *,
        keep: Callable[[str | None], None] | None = None,
        save_back: Callable[[], SaveBack] | None = None,
        store: Any = None,
        profile_id: str | None = None,
        people: list[tuple[str, str]] | None = None,
    ) -> None:
        """`keep`: keeps the record in the store, with its person or (a quick session's) with the
        one whose id it is given, in the background; `kept` then says how it went. `save_back`:
        what saving the session's settings would change in the person's profile; `store` and
        `profile_id`: where that is saved (on a thread, with a connection of its own). `people`:
        whom a quick session's record can be given to, as (id, name)."""
        super().__init__(parent)
        self.setWindowTitle("The session's record")
        self._keep, self._save_back = keep, save_back
        self._store, self._profile_id = store, profile_id
        self._people = people or []
        self.text = QPlainTextEdit(text)
        self.text.setReadOnly(True)
        self.text.setAccessibleName("The record of practicable steps, as plain text")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("What happened")
        copy = QPushButton("&Copy the text")
        copy.clicked.connect(self.copy)
        save = QPushButton("Save as &text…")
        save.clicked.connect(self.save)
        pdf = QPushButton("Save as &PDF…")
        pdf.clicked.connect(self.save_pdf)
        self.keep_button = QPushButton("&Keep it in the person's record")
        self.keep_button.setAccessibleName("Keep this record in the person's encrypted profile store")
        self.keep_button.clicked.connect(self.keep_now)
        self.keep_button.setVisible(keep is not None and profile_id is not None)
        if self.keep_button.isVisible():
            self.message.setText(
                "Check the record. To correct a step, close this, select the step and press Correct the "
                "selected step, then show the summary again. Keep it in the person's record when it is "
                "right; closing the session keeps it too."
            )
        self.settings_back = QPushButton("Save the &listening settings to the profile…")
        self.settings_back.clicked.connect(self.offer_save_back)
        self.settings_back.setVisible(save_back is not None)
        self.give = QPushButton("Keep it &with a person…")
        self.give.setAccessibleName("Keep this quick session's record with a person in the store")
        self.give.clicked.connect(self.choose_person)
        self.give.setVisible(bool(self._people) and keep is not None and profile_id is None)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (self.keep_button, copy, save, pdf, self.give, self.settings_back, close):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(900, 600)
        self._done.connect(self._show_done)

    def copy(self) -> None:
        QGuiApplication.clipboard().setMimeData(private_text(self.text.toPlainText()))
        self.message.setText("Copied. Paste it into the case record, then copy something else over it.")

    def save(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save the record", "session-record.txt", "Text (*.txt)")
        if name:
            try:
                Path(name).write_text(self.text.toPlainText(), encoding="utf-8")
            except OSError as error:
                self.message.setText(f"Not saved: {error.strerror or error}. Choose another folder.")
                return
            self.message.setText(f"Saved as {name}.")

    def save_pdf(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save the record", "session-record.pdf", "PDF (*.pdf)")
        if name:
            try:
                write_record_pdf(self.text.toPlainText(), Path(name))
            except OSError as error:
                self.message.setText(f"Not saved: {error}. Choose another folder.")
                return
            self.message.setText(f"Saved as {name}.")

    def keep_now(self) -> None:
        assert self._keep is not None
        self.keep_button.setEnabled(False)
        self.message.setText("Keeping the record in the profile store…")
        self._keep(None)

    def choose_person(self) -> None:
        names = [name for _, name in self._people]
        name, chosen = QInputDialog.getItem(
            self, "Keep the record with", "The person this session was with:", names, 0, False
        )
        if chosen:
            self.give_to(self._people[names.index(name)][0])

    def give_to(self, profile_id: str) -> None:
        assert self._keep is not None
        self.give.setEnabled(False)
        self.message.setText("Keeping the record in the profile store…")
        self._keep(profile_id)

    def kept(self, problem: str | None) -> None:
        """How keeping the record in the store went: None when it is kept."""
        self.keep_button.setEnabled(True)
        self.give.setEnabled(True)
        if problem is None:
            self.keep_button.hide()
            self.give.hide()
            self.message.setText("The record is kept in the person's encrypted profile store.")
        else:
            self.keep_button.setVisible(self._profile_id is not None)
            self.message.setText(f"The record is not kept yet: {problem} Try again in a moment.")

    def offer_save_back(self) -> None:
        """Show every difference, then save them as a new version of the profile if confirmed."""
        assert self._save_back is not None
        try:
            plan = self._save_back()
        except ProfileUseError as error:
            self.message.setText(str(error))
            return
        if not plan.changes:
            self.message.setText("The profile already has these listening settings; nothing to save.")
            return
        lines = "\n".join(f"• {change.describe()}" for change in plan.changes)
        notes = "\n".join(plan.not_kept)
        answer = QMessageBox.question(
            self,
            "Save the settings that worked?",
            f"These changes would be saved to the person's profile as a new version (its history keeps "
            f"the old one):\n\n{lines}" + (f"\n\n{notes}" if notes else ""),
        )
        if answer != QMessageBox.StandardButton.Yes:
            self.message.setText("The profile was not changed.")
            return
        self.settings_back.setEnabled(False)
        self.message.setText("Saving…")
        store, profile_id = self._store, self._profile_id

        def work() -> None:
            try:
                with store.reopened() as own:
                    version = own.update_profile(profile_id, plan.profile)
                self._done.emit(f"Saved to the profile as version {version}.")
            except ProfileError as error:
                self._done.emit(f"The profile was not changed: {error}")

        threading.Thread(target=work, name="hark-save-back", daemon=True).start()

    def _show_done(self, sentence: str) -> None:
        self.message.setText(sentence)
        self.settings_back.setEnabled(not sentence.startswith("Saved"))


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


def write_record_pdf(text: str, path: Path) -> None:
    """The record as an A4 PDF, in a plain readable font, written atomically (a failure leaves no
    half-written file). OSError when the folder cannot be written."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        writer = QPdfWriter(temporary)
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(18, 18, 18, 18),
                QPageLayout.Unit.Millimeter,
            )
        )
        writer.setTitle("Record of practicable steps")
        writer.setCreator("Hark")
        document = QTextDocument()
        font = QFont()
        font.setPointSize(PDF_FONT_PT)
        document.setDefaultFont(font)
        document.setPlainText(text)
        document.print_(writer)
        del writer  # finishes the file
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

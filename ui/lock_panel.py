"""What a locked window shows: that Hark is locked and names and records are hidden, and the
passphrase field that unlocks it. The passphrase is checked off the interface thread (unlocking a
store takes about a second); the person's caption window is not locked, and mute still works."""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

WRONG = "That passphrase did not unlock Hark. Check Caps Lock and try again."


class LockPanel(QWidget):
    unlocked = Signal()
    _checked = Signal(bool)

    def __init__(self, verify: Callable[[str], bool] | None, parent: QWidget | None = None) -> None:
        """`verify`: whether a passphrase is the store's (called on a thread of its own); None when
        there is no store, and so no passphrase: a click unlocks."""
        super().__init__(parent)
        self._verify = verify
        title = QLabel("<h2>Hark is locked</h2>")
        why = QLabel(
            "Names and records are hidden while nobody is using Hark. The person's captions and "
            "listening carry on."
            + ("" if verify else " There is no profile store, so there is no passphrase to ask for.")
        )
        why.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.passphrase.setVisible(verify is not None)
        self.passphrase.returnPressed.connect(self.unlock)
        self.button = QPushButton("&Unlock")
        self.button.setAccessibleName("Unlock Hark")
        self.button.clicked.connect(self.unlock)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Unlock message")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for widget in (title, why, self.passphrase, self.button, self.message):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self._checked.connect(self._on_checked)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.message.clear()
        (self.passphrase if self._verify else self.button).setFocus()

    def unlock(self) -> None:
        if self._verify is None:
            self.unlocked.emit()
            return
        passphrase = self.passphrase.text()
        if not passphrase:
            self.message.setText("Type the profile store's passphrase, then Unlock.")
            return
        self.button.setEnabled(False)
        self.message.setText("Checking…")
        verify = self._verify
        threading.Thread(
            target=lambda: self._checked.emit(verify(passphrase)), name="hark-unlock", daemon=True
        ).start()

    def _on_checked(self, right: bool) -> None:
        self.button.setEnabled(True)
        self.passphrase.clear()
        if right:
            self.message.clear()
            self.unlocked.emit()
        else:
            self.message.setText(WRONG)
            self.passphrase.setFocus()

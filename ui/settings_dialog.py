"""Settings: the sound devices (with the meter and test sound), captions and speech models, the
profile store, the idle lock, the look, and a demonstration recording in place of the microphone.

`SettingsDialog(settings, parent).exec()`; on Accepted `dialog.settings` holds the new settings,
already saved. The app applies the theme and idle lock itself.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from assistant.app_settings import IDLE_LOCK_RANGE, THEME_NAMES, AppSettings, SettingsError
from ui.setup_captions import CaptionChoices
from ui.setup_sound import SoundChoices
from ui.setup_store import StoreSetup


class SettingsDialog(QDialog):
    def __init__(
        self,
        settings: AppSettings,
        parent: QWidget | None = None,
        *,
        settings_file: Path | None = None,
        scrypt_n: int | None = None,
    ) -> None:
        """`settings_file`: where to save (default assistant.app_settings.settings_path()).
        `scrypt_n` lowers a new store's key cost: for tests only."""
        super().__init__(parent)
        self.setWindowTitle("Hark settings")
        self.settings = settings
        self._file = settings_file
        self.sound = SoundChoices(settings)
        self.captions = CaptionChoices()
        self.store = StoreSetup(settings, scrypt_n=scrypt_n)

        self.idle_lock = QSpinBox()
        self.idle_lock.setRange(*IDLE_LOCK_RANGE)
        self.idle_lock.setValue(settings.idle_lock_minutes)
        self.idle_lock.setSuffix(" minutes")
        self.idle_lock.setAccessibleName("Lock Hark after this many idle minutes")
        self.idle_lock.lineEdit().setAccessibleName("Lock Hark after this many idle minutes")
        self.theme = QComboBox()
        self.theme.setAccessibleName("Look")
        for name, shown in THEME_NAMES.items():
            self.theme.addItem(shown, name)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
        self.use_demo = QCheckBox("&Use a recording instead of the microphone (to train or try Hark)")
        self.use_demo.setAccessibleName("Use a recording instead of the microphone")
        self.use_demo.setChecked(settings.demo_recording is not None)
        self.choose_demo = QPushButton("Choose the &recording…")
        self.choose_demo.setAccessibleName("Choose the recording to use as the microphone")
        self.choose_demo.clicked.connect(self._choose_recording)
        self.demo_file = QLabel(settings.demo_recording or "No recording chosen.")
        self.demo_file.setWordWrap(True)
        self.demo_file.setAccessibleName("Recording used as the microphone")
        self._recording = settings.demo_recording
        self.use_demo.toggled.connect(self._on_demo_toggled)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem with the settings")

        general = QWidget()
        form = QFormLayout(general)
        for text, field in (("&Lock after", self.idle_lock), ("L&ook", self.theme)):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, field)
        note = QLabel("Hark locks itself when nobody has used it for this long; unlock it to carry on.")
        note.setWordWrap(True)
        form.addRow("", note)
        form.addRow("", self.use_demo)
        demo_row = QHBoxLayout()
        demo_row.addWidget(self.choose_demo)
        demo_row.addWidget(self.demo_file, 1)
        form.addRow("", demo_row)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Settings sections")
        self.tabs.tabBar().setAccessibleName("Settings sections")
        self.tabs.addTab(self.sound, "&Sound")
        self.tabs.addTab(self.captions, "&Captions")
        self.tabs.addTab(self.store, "&Profile store")
        self.tabs.addTab(general, "&General")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setAccessibleName("Save the settings")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Close without saving")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self._on_demo_toggled(self.use_demo.isChecked())
        self.sound.look_for_devices()  # then the meter starts

    def chosen(self) -> AppSettings:
        """The settings as chosen in the dialog (not yet saved)."""
        return dataclasses.replace(
            self.sound.chosen(self.settings),
            idle_lock_minutes=self.idle_lock.value(),
            theme=str(self.theme.currentData()),
            demo_recording=self._recording if self.use_demo.isChecked() else None,
            store_path=str(self.store.path),
        )

    def accept(self) -> None:
        if self.use_demo.isChecked() and not self._recording:
            self.problem.setText(
                "Choose the recording to use instead of the microphone, or untick “Use a recording”."
            )
            self.tabs.setCurrentIndex(3)
            self.choose_demo.setFocus()
            return
        chosen = self.chosen()
        try:
            chosen.save(self._file)
        except SettingsError as error:
            self.problem.setText(str(error))
            return
        self.settings = chosen
        self.sound.stop()
        super().accept()

    def reject(self) -> None:
        self.sound.stop()
        super().reject()

    def use_recording(self, path: str) -> None:
        """Use this WAV file as the microphone (what choosing it in the file dialog does)."""
        if not Path(path).is_file():
            self.problem.setText(f"There is no recording at {path}; choose a WAV file.")
            return
        self._recording = path
        self.demo_file.setText(path)
        self.problem.clear()
        self.use_demo.setChecked(True)
        self.sound.use_demo(path)

    def _choose_recording(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a recording", "", "WAV recordings (*.wav)")
        if path:
            self.use_recording(path)

    def _on_demo_toggled(self, on: bool) -> None:
        self.choose_demo.setEnabled(on)
        self.sound.use_demo(self._recording if on else None)

"""The assessor's listening panel: volume, mute, noise reduction, tone, balance, the ceiling, meters
for the microphone and each ear, and a plain status line.

Everything goes through assistant.assessment.listening.ListeningControl, which changes the engine
and records each settled change. Every control is reachable by keyboard and has an accessible
name; meters carry their value as text, not only as a bar. Mute and volume also have shortcuts
that work in every window of the app (see SHORTCUTS), chosen not to clash with the person's
caption window (+, -, Space, F11, Esc, Ctrl+P/T/R/F).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from assistant.assessment.feedback import FeedbackChecker
from assistant.assessment.listening import BALANCE_DB, ListeningControl, status_line
from audio.settings import GAIN_DB_RANGE, TONE_PRESETS

SHORTCUTS = {"mute": "Ctrl+M", "louder": "Ctrl+Up", "quieter": "Ctrl+Down"}
VOLUME_STEP_DB = 1.0
METER_FLOOR_DB = -60.0
REFRESH_MS = 100
TONE_NAMES = {name: name.replace("-", " ").capitalize() for name in TONE_PRESETS}


class ListeningPanel(QGroupBox):
    def __init__(self, control: ListeningControl, engine: object, parent: QWidget | None = None) -> None:
        """`engine`: the audio.engine.AudioEngine that `control` drives (its status and meters)."""
        super().__init__("Listening", parent)
        self.control, self._engine = control, engine
        values = control.values

        low, high = (int(db) for db in GAIN_DB_RANGE)
        self.volume = self._slider(low, high, values["volume"], "Volume", self._on_volume)
        self.volume_text = QLabel()
        self.mute = QPushButton(f"Mute ({SHORTCUTS['mute']})")
        self.mute.setCheckable(True)
        self.mute.setAccessibleName("Mute the person's headphones")
        self.mute.toggled.connect(self._on_mute)
        strength = round(100 * values["noise_reduction"])
        self.noise = self._slider(0, 100, strength, "Noise reduction strength", self._on_noise)
        self.tone = QComboBox()
        self.tone.setAccessibleName("Tone")
        for name, shown in TONE_NAMES.items():
            self.tone.addItem(shown, name)
        if values["tone_preset"] is None:
            self.tone.insertItem(0, "As set in the profile", None)
        self.tone.setCurrentIndex(max(0, self.tone.findData(values["tone_preset"])))
        self.tone.currentIndexChanged.connect(self._on_tone)
        self.balance = self._slider(-int(BALANCE_DB), int(BALANCE_DB), 0, "Balance", self._on_balance)
        ceiling = math.floor(control.person_ceiling_dbfs)  # the slider's top may not pass the person's own
        self.ceiling = self._slider(
            -60, ceiling, min(values["ceiling"], ceiling), "Loudest allowed", self._on_ceiling
        )
        self.meters = {key: self._meter(label) for key, label in _METERS.items()}
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Listening status")
        self.feedback = FeedbackChecker(engine, control.record)
        self.check = QPushButton("Check for &whistling")
        self.check.setAccessibleName("Check for whistling")
        self.check.setAccessibleDescription(
            "Plays a short sweep in the headphones to see whether more volume would whistle"
        )
        self.check.clicked.connect(self.check_feedback)

        self.values_text = {name: QLabel() for name in ("noise", "balance", "ceiling")}
        form = QFormLayout()
        rows: list[tuple[str, QSlider, QLabel]] = [
            ("&Volume", self.volume, self.volume_text),
            ("&Noise reduction", self.noise, self.values_text["noise"]),
            ("&Balance", self.balance, self.values_text["balance"]),
            ("Loudest &allowed", self.ceiling, self.values_text["ceiling"]),
        ]
        for caption, slider, value_label in rows:
            row = QHBoxLayout()
            row.addWidget(slider, 1)
            row.addWidget(value_label)
            form.addRow(self._buddy(caption, slider), row)
            if slider is self.volume:
                form.addRow("", self.mute)
                form.addRow(self._buddy("&Tone", self.tone), self.tone)
        for key, label in _METERS.items():
            form.addRow(label, self.meters[key])
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.check)
        layout.addWidget(self.status)
        layout.addStretch(1)
        for slider in (self.noise, self.balance, self.ceiling):
            slider.valueChanged.connect(self._show_values)

        self._shortcuts = [
            self._shortcut(SHORTCUTS["mute"], self.mute.toggle),
            self._shortcut(SHORTCUTS["louder"], lambda: self.volume.setValue(self.volume.value() + 1)),
            self._shortcut(SHORTCUTS["quieter"], lambda: self.volume.setValue(self.volume.value() - 1)),
        ]
        self._show_volume()
        self._show_values()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(REFRESH_MS)
        self.refresh()

    def stop(self) -> None:
        """Stop following the engine and the record (the window is closing)."""
        self._timer.stop()

    def refresh(self) -> None:
        """Meters, the status line, and the record of settled changes (a few times a second)."""
        levels = self._engine.meters  # type: ignore[attr-defined]
        for key, meter in self.meters.items():
            db = max(METER_FLOOR_DB, float(getattr(levels, key)))
            meter.setValue(round(db - METER_FLOOR_DB))
            meter.setFormat("silent" if db <= METER_FLOOR_DB else f"{db:.0f} dBFS")
        line = status_line(self._engine.status, self.control.muted)  # type: ignore[attr-defined]
        checked = self.feedback.line
        if checked is not None:
            line = f"{line} {checked}"
        self.check.setEnabled(not self.feedback.running)
        if line != self.status.text():
            self.status.setText(line)
        self.control.tick()

    def follow_control(self) -> None:
        """Show the values the controls have now (changed from elsewhere, such as the profile editor)."""
        values = self.control.values
        for slider, value in (
            (self.volume, values["volume"]),
            (self.noise, 100 * values["noise_reduction"]),
            (self.balance, values["balance"]),
        ):
            slider.blockSignals(True)
            slider.setValue(round(value))
            slider.blockSignals(False)
        self.tone.blockSignals(True)
        if values["tone_preset"] is None and self.tone.findData(None) < 0:
            self.tone.insertItem(0, "As set in the profile", None)
        self.tone.setCurrentIndex(max(0, self.tone.findData(values["tone_preset"])))
        self.tone.blockSignals(False)
        self._show_volume()
        self._show_values()

    def check_feedback(self) -> None:
        """A feedback check in the background; the status line says it is checking, then the verdict."""
        self.feedback.start()
        self.refresh()

    # -- inside ----------------------------------------------------------------------------------

    def _slider(
        self, low: int, high: int, value: float, name: str, handler: Callable[[int], None]
    ) -> QSlider:
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setRange(low, high)
        slider.setValue(round(value))
        slider.setAccessibleName(name)
        slider.setPageStep(5)
        slider.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        slider.valueChanged.connect(handler)
        return slider

    def _meter(self, name: str) -> QProgressBar:
        meter = QProgressBar()
        meter.setRange(0, round(-METER_FLOOR_DB))
        meter.setTextVisible(True)
        meter.setAccessibleName(f"{name} level")
        return meter

    def _shortcut(self, keys: str, action: Callable[[], object]) -> QShortcut:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)  # works in the person's window too
        shortcut.activated.connect(action)
        return shortcut

    def _buddy(self, text: str, control: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(control)  # Alt and the underlined letter moves the focus there
        return label

    def _show_values(self) -> None:
        balance = self.balance.value()
        side = (
            "centre"
            if balance == 0
            else f"{abs(balance)} dB towards the {'right' if balance > 0 else 'left'}"
        )
        shown = {
            "noise": f"{self.noise.value()} %",
            "balance": side,
            "ceiling": f"{self.ceiling.value()} dBFS",
        }
        for name, text in shown.items():
            self.values_text[name].setText(text)
        for slider, name in ((self.noise, "noise"), (self.balance, "balance"), (self.ceiling, "ceiling")):
            slider.setAccessibleDescription(shown[name])

    def _show_volume(self) -> None:
        self.volume_text.setText(f"{self.volume.value()} dB")
        self.volume.setAccessibleDescription(f"{self.volume.value()} dB")

    def _on_volume(self, value: int) -> None:
        self.control.set_volume(float(value))
        self._show_volume()

    def _on_mute(self, muted: bool) -> None:
        self.control.set_muted(muted)
        self.mute.setText(("Unmute" if muted else "Mute") + f" ({SHORTCUTS['mute']})")
        self.refresh()

    def _on_noise(self, value: int) -> None:
        self.control.set_noise_reduction(value / 100)

    def _on_tone(self, index: int) -> None:
        name = self.tone.itemData(index)
        if name is not None:
            self.control.set_tone_preset(str(name))

    def _on_balance(self, value: int) -> None:
        self.control.set_balance(float(value))

    def _on_ceiling(self, value: int) -> None:
        self.control.set_ceiling(float(value))


_METERS = {
    "input_rms_dbfs": "Microphone",
    "left_rms_dbfs": "Left ear",
    "right_rms_dbfs": "Right ear",
}

"""Choosing the microphone, the headphones and the room speaker, with a live microphone meter and a
quiet test sound in the headphones: for the first-run set-up and Settings.

This window never opens a sound device: the device list comes from a short-lived audio process
(audio.engine_devices) and the meter and test sound from an audio engine (audio.engine), both of
which run PortAudio in their own process. The engine runs muted at the lowest volume, so the
microphone is never heard; the test sound replaces its output for one second.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assistant.app_settings import AppSettings
from audio.errors import AudioError
from audio.settings import GAIN_DB_RANGE, ListeningSettings
from ui.setup_worker import Task

METER_FLOOR_DB = -60.0
REFRESH_MS = 100
TONE_HZ, TONE_DBFS, TONE_S, TONE_FADE_S = 1000.0, -30.0, 1.0, 0.05
# Muted, and at the lowest volume for the moment around the test sound when it is not.
QUIET = ListeningSettings(gain_db=GAIN_DB_RANGE[0], muted=True)
DEFAULT = "The computer's default"
NO_MICROPHONE = (
    "No microphone was found. Plug one in and press Look again, or carry on: Hark still opens, "
    "and you can choose the microphone later in Settings."
)
NO_HEADPHONES = "No headphones or speakers were found. Plug them in and press Look again, or carry on."


def test_tone(sample_rate: int) -> np.ndarray:
    """One second of 1 kHz at about -30 dBFS, faded in and out so it starts and stops softly."""
    t = np.arange(round(TONE_S * sample_rate)) / sample_rate
    tone = 10.0 ** (TONE_DBFS / 20.0) * np.sin(2.0 * math.pi * TONE_HZ * t)
    fade = round(TONE_FADE_S * sample_rate)
    ramp = 0.5 - 0.5 * np.cos(math.pi * np.arange(fade) / fade)
    tone[:fade] *= ramp
    tone[-fade:] *= ramp[::-1]
    return tone.astype(np.float32)


def _list_devices() -> list[Any]:
    from audio.engine_devices import list_devices  # a process of its own asks PortAudio

    return list_devices()


class SoundChoices(QWidget):
    changed = Signal()

    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._demo = settings.demo_recording
        self._engine: Any = None
        self._inputs: list[str] = []
        self._outputs: list[str] = []

        self.microphone = self._combo("Microphone")
        self.headphones = self._combo("Headphones for the person")
        self.room_speaker = self._combo("Room speaker (optional)")
        self.look_again = QPushButton("&Look again")
        self.look_again.setAccessibleName("Look for sound devices again")
        self.look_again.clicked.connect(self.look_for_devices)
        self.found = self._label("Looking for sound devices…", "Sound devices found")
        self.meter = QProgressBar()
        self.meter.setRange(0, round(-METER_FLOOR_DB))
        self.meter.setFormat("not listening")
        self.meter.setAccessibleName("Microphone level")
        self.play_tone = QPushButton("&Play a quiet test sound")
        self.play_tone.setAccessibleName("Play a quiet test sound in the headphones")
        self.play_tone.setEnabled(False)
        self.play_tone.clicked.connect(self.play_test_sound)
        self.sound_status = self._label("", "Sound check")

        form = QFormLayout()
        for text, combo in (
            ("&Microphone", self.microphone),
            ("&Headphones", self.headphones),
            ("&Room speaker", self.room_speaker),
        ):
            label = QLabel(text)
            label.setBuddy(combo)
            form.addRow(label, combo)
        form.addRow("Microphone level", self.meter)
        buttons = QHBoxLayout()
        buttons.addWidget(self.play_tone)
        buttons.addWidget(self.look_again)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.found)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.sound_status)
        layout.addStretch(1)

        self._lister = Task("devices", self)
        self._lister.done.connect(self._on_devices)
        self._lister.failed.connect(self._on_devices_failed)
        self._starter = Task("engine", self)
        self._starter.done.connect(self._on_engine_started)
        self._starter.failed.connect(self._on_engine_failed)
        self._tone = Task("tone", self)
        self._tone.done.connect(self._on_tone_played)
        self._tone.failed.connect(self._on_tone_failed)
        for combo in (self.microphone, self.headphones, self.room_speaker):
            combo.currentIndexChanged.connect(self._on_choice)
        self._filling = False
        self._listed = False
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh_meter)
        self._timer.start(REFRESH_MS)

    # -- what the page offers ---------------------------------------------------------------------

    @property
    def devices_known(self) -> bool:
        """True once the device list has come back (with or without devices)."""
        return self._listed

    @property
    def has_microphone(self) -> bool:
        return bool(self._inputs) or self._demo is not None

    def chosen(self, settings: AppSettings) -> AppSettings:
        """`settings` with the devices chosen here."""
        return dataclasses.replace(
            settings,
            input_device=self.microphone.currentData(),
            headphones_device=self.headphones.currentData(),
            room_speaker_device=self.room_speaker.currentData(),
        )

    def look_for_devices(self) -> None:
        if self._lister.running:
            return
        self.look_again.setEnabled(False)
        self.found.setText("Looking for sound devices…")
        self._lister.start(_list_devices, (AudioError, OSError))

    def use_demo(self, recording: str | None) -> None:
        """Use a recording as the microphone (None: the microphone), restarting the meter's engine."""
        if recording == self._demo:
            return
        self._demo = recording
        self.stop()
        self._show_found()
        self.start_listening()

    def start_listening(self) -> None:
        """Start the engine behind the meter and the test sound, if there is a microphone to meter."""
        if self._engine is not None or not self.has_microphone:
            return
        from pathlib import Path

        from audio.engine import AudioEngine

        source = Path(self._demo) if self._demo else None
        self._engine = AudioEngine(
            QUIET, input_device=self.microphone.currentData(), output_device=self.headphones.currentData(),
            source=source,
        )  # fmt: skip
        engine = self._engine
        self.meter.setFormat("starting…")
        self.sound_status.setText(
            "Starting the sound engine… The very first time on this computer takes about 20 seconds."
        )
        self._starter.start(lambda: engine.start(wait=True), (AudioError, OSError))

    def stop(self) -> None:
        """Stop the engine (the meter and the test sound): when the page or window closes."""
        engine, self._engine = self._engine, None
        if engine is not None:
            engine.release()
        self.play_tone.setEnabled(False)
        self.meter.setValue(0)
        self.meter.setFormat("not listening")

    @property
    def engine(self) -> Any:
        """The audio engine behind the meter (None when not listening)."""
        return self._engine

    def refresh_meter(self) -> None:
        engine = self._engine
        if engine is None or self._starter.running:
            return
        db = max(METER_FLOOR_DB, float(engine.meters.input_rms_dbfs))
        self.meter.setValue(round(db - METER_FLOOR_DB))
        self.meter.setFormat("silent" if db <= METER_FLOOR_DB else f"{db:.0f} dBFS")
        status = engine.status
        if status.state != "running" and status.message and status.message != self.sound_status.text():
            self.sound_status.setText(status.message)

    def play_test_sound(self) -> None:
        engine = self._engine
        if engine is None or self._tone.running:
            return
        self.play_tone.setEnabled(False)
        self.sound_status.setText("Playing a quiet test sound in the headphones…")

        def play() -> None:
            # The probe replaces the ears' sound with the tone; unmuted only while it plays.
            engine.configure(dataclasses.replace(QUIET, muted=False))
            try:
                engine.run_probe(test_tone(engine.sample_rate), "test sound")
            finally:
                engine.configure(QUIET)

        self._tone.start(play, (AudioError,))

    # -- inside -------------------------------------------------------------------------------------

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setMinimumContentsLength(24)
        return combo

    def _label(self, text: str, name: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setAccessibleName(name)
        return label

    def _on_devices(self, devices: list[Any]) -> None:
        self.look_again.setEnabled(True)
        self._listed = True
        self._inputs = list(dict.fromkeys(d.name for d in devices if d.max_input_channels > 0))
        self._outputs = list(dict.fromkeys(d.name for d in devices if d.max_output_channels > 0))
        self._filling = True
        try:
            self._fill(self.microphone, self._inputs, self._settings.input_device, DEFAULT)
            self._fill(self.headphones, self._outputs, self._settings.headphones_device, DEFAULT)
            self._fill(
                self.room_speaker, self._outputs, self._settings.room_speaker_device, "No room speaker"
            )
        finally:
            self._filling = False
        self._show_found()
        if self._engine is not None:
            self._on_choice()
        self.start_listening()
        self.changed.emit()

    def _on_devices_failed(self, problem: str) -> None:
        self.look_again.setEnabled(True)
        self._listed = True
        self.found.setText(
            f"Hark could not list the sound devices: {problem} You can carry on and choose later."
        )
        self.changed.emit()

    def _show_found(self) -> None:
        parts = []
        if self._demo:
            parts.append(f"A recording is used as the microphone ({self._demo}); change this in Settings.")
        elif not self._inputs:
            parts.append(NO_MICROPHONE)
        if not self._outputs:
            parts.append(NO_HEADPHONES)
        if not parts:
            parts.append(
                f"Found {len(self._inputs)} microphone(s) and {len(self._outputs)} output(s). "
                "Speak and watch the level move."
            )
        self.found.setText(" ".join(parts))

    def _fill(self, combo: QComboBox, names: list[str], saved: str | None, first: str) -> None:
        combo.clear()
        if names or first == "No room speaker":
            combo.addItem(first, None)
        for name in names:
            combo.addItem(name, name)
        if saved is not None and saved not in names:
            combo.addItem(f"{saved} (not plugged in now)", saved)
        combo.setCurrentIndex(max(0, combo.findData(saved)))
        combo.setEnabled(combo.count() > 0)

    def _on_choice(self) -> None:
        if self._filling:
            return
        if self._engine is not None:
            self._engine.choose_devices(self.microphone.currentData(), self.headphones.currentData())
        self.changed.emit()

    def _on_engine_started(self, _: object) -> None:
        if self._engine is None:
            return
        self.play_tone.setEnabled(True)
        status = self._engine.status
        self.sound_status.setText(
            "Listening to the microphone (the headphones stay silent). Speak and watch the level move."
            if status.state == "running"
            else status.message
        )

    def _on_engine_failed(self, problem: str) -> None:
        if self._engine is None:  # stopped while it was starting
            return
        self.stop()
        self.sound_status.setText(f"The sound check could not start: {problem} You can carry on.")

    def _on_tone_played(self, _: object) -> None:
        self.play_tone.setEnabled(self._engine is not None)
        self.sound_status.setText(
            "The test sound has played. If the person did not hear it, check the headphones are plugged in "
            "and chosen above."
        )

    def _on_tone_failed(self, problem: str) -> None:
        self.play_tone.setEnabled(self._engine is not None)
        self.sound_status.setText(f"The test sound could not play: {problem}")

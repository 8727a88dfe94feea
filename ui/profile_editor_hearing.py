"""The profile editor's hearing tabs: devices, the audiogram grid, and the listening settings with
named tone presets as a starting point and a slider per band and ear for fine-tuning.

Preset bands come from audio/settings.py's TONE_PRESETS, the engine's own table. Per the schema,
`tone_preset` names the preset the bands started from: moving a band afterwards keeps the name,
and the editor says in words that the bands were fine-tuned from it.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QSlider, QWidget

from audio.settings import TONE_PRESETS as PRESET_BANDS
from profiles.fields import Number
from profiles.model import AUDIOGRAM_HZ
from profiles.ranges import TONE_BANDS_HZ
from ui.profile_editor_fields import Binding, Form, block, choice, flag, notify, number, schema_field
from ui.profile_editor_lists import ItemList, list_binding

EARS = {"left": "Left ear", "right": "Right ear"}
BETTER_EAR = {"left": "Left ear", "right": "Right ear", "same": "About the same", "unknown": "Not known"}
NOISE_METHODS = {
    "learned": "Learned (the usual choice)",
    "classic": "Classic",
    "rnnoise-assisted": "RNNoise-assisted",
}
TONE_NAMES = {name: name.replace("-", " ").capitalize() for name in PRESET_BANDS}
BAND_STEPS_PER_DB = 2  # the band sliders move in half decibels


def _db(value: float) -> str:
    return f"{value:+g} dB" if value else "0 dB"


def band_slider(path: str, caption: str) -> tuple[Binding, QLabel]:
    """A vertical slider for one band of one ear, its value in words beside it."""
    checker = schema_field(path)
    assert isinstance(checker, Number), path
    slider = QSlider(Qt.Orientation.Vertical)
    slider.setRange(round(checker.low * BAND_STEPS_PER_DB), round(checker.high * BAND_STEPS_PER_DB))
    slider.setPageStep(3 * BAND_STEPS_PER_DB)
    slider.setMinimumHeight(110)
    slider.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    slider.setAccessibleName(caption)
    shown = QLabel("0 dB")
    loaded: dict[str, Any] = {"value": 0.0, "step": 0}

    def show(step: int) -> None:
        text = _db(read())
        shown.setText(text)
        slider.setAccessibleDescription(text)

    def write(value: Any) -> None:
        number_given = isinstance(value, int | float) and not isinstance(value, bool)
        step = round(value * BAND_STEPS_PER_DB) if number_given else slider.value()
        slider.setRange(min(slider.minimum(), step), max(slider.maximum(), step))
        slider.setValue(step)
        loaded.update(value=value, step=step)
        show(step)

    def read() -> Any:
        if slider.value() == loaded["step"]:
            return loaded["value"]
        return slider.value() / BAND_STEPS_PER_DB

    slider.valueChanged.connect(show)
    return Binding(path, caption, slider, read, write, notify(slider.valueChanged)), shown


class ToneBands(QWidget):
    """The tone preset to start from, and per-band fine-tuning for each ear."""

    def __init__(self) -> None:
        super().__init__()
        self.preset = choice(
            "hearing.listening.tone_preset",
            "Tone to start from",
            TONE_NAMES,
            none_text="None named (bands set by hand)",
        )
        self.together = QCheckBox("Move both ears together")
        self.together.setAccessibleName("Move both ears together")
        self.together.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.bands: dict[str, list[Binding]] = {}
        grid = QGridLayout(self)
        for column, hz in enumerate(TONE_BANDS_HZ, 1):
            grid.addWidget(QLabel(f"{hz:g} Hz"), 0, column, Qt.AlignmentFlag.AlignHCenter)
        self.ear_labels: dict[str, QLabel] = {}
        for row, (ear, ear_words) in enumerate(EARS.items()):
            self.ear_labels[ear] = QLabel(ear_words)
            grid.addWidget(self.ear_labels[ear], 1 + 2 * row, 0)
            self.bands[ear] = []
            for index, hz in enumerate(TONE_BANDS_HZ):
                binding, shown = band_slider(
                    f"hearing.listening.{ear}_tone_db[{index}]", f"{ear_words}, {hz:g} Hz band"
                )
                binding.on_change(partial(self._band_moved, ear, index))
                grid.addWidget(binding.widget, 1 + 2 * row, 1 + index, Qt.AlignmentFlag.AlignHCenter)
                grid.addWidget(shown, 2 + 2 * row, 1 + index, Qt.AlignmentFlag.AlignHCenter)
                if index == 0:
                    self.ear_labels[ear].setBuddy(binding.widget)
                self.bands[ear].append(binding)
        preset_box = self.preset.widget
        assert isinstance(preset_box, QComboBox)
        preset_box.activated.connect(self._apply_preset)
        self.preset.on_change(self._describe)

    def all_bands(self) -> list[Binding]:
        return [*self.bands["left"], *self.bands["right"]]

    def load(self, listening: dict[str, Any]) -> None:
        left, right = listening.get("left_tone_db"), listening.get("right_tone_db")
        self.together.setChecked(left == right)
        self._describe()

    def _apply_preset(self, index: int) -> None:
        name = self.preset.widget.itemData(index)  # type: ignore[attr-defined]  # a QComboBox
        if name in PRESET_BANDS:
            for binding in self.all_bands():
                band = int(binding.path.rsplit("[", 1)[1].rstrip("]"))
                binding.write(PRESET_BANDS[name][band])
        self._describe()

    def _band_moved(self, ear: str, index: int) -> None:
        if self.together.isChecked():
            other = self.bands["right" if ear == "left" else "left"][index]
            other.widget.setValue(self.bands[ear][index].widget.value())  # type: ignore[attr-defined]
        self._describe()

    def _describe(self, *_: object) -> None:
        name = self.preset.read()
        bands = [binding.read() for binding in self.all_bands()]
        if name is None:
            text = "The bands are set by hand."
        elif bands == list(PRESET_BANDS[name]) * 2:
            text = f"The bands are the {TONE_NAMES[name].lower()} preset."
        else:
            text = f"The bands started from {TONE_NAMES[name].lower()} and were fine-tuned."
        self.state.setText(text)
        self.state.setAccessibleName(text)


def hearing_page(form: Form, devices: ItemList) -> list[Binding]:
    """Better ear, devices, discomfort, tinnitus, notes, and the audiogram if there is one."""
    form.add(choice("hearing.better_ear", "Better ear", BETTER_EAR))
    form.heading("Hearing devices they use")
    form.add_widget(devices)
    form.bindings.append(list_binding(devices, "Hearing devices"))
    form.rows.addRow(form.bindings[-1].problem)
    form.add(flag("hearing.loudness_discomfort", "Loud sounds hurt their ears"))
    form.add(flag("hearing.tinnitus", "Has tinnitus (ringing or buzzing)"))
    form.add(block("hearing.notes", "Notes about their hearing"))
    form.heading("Audiogram (hearing thresholds in dB HL)")
    recorded = form.add(flag("hearing.audiogram", "Record an audiogram"))
    box = recorded.widget
    assert isinstance(box, QCheckBox)
    recorded.read = lambda: {"left": {}, "right": {}} if box.isChecked() else None  # the cells fill it
    recorded.write = lambda value: box.setChecked(value is not None)
    grid_widget = QWidget()
    grid = QGridLayout(grid_widget)
    cells: list[Binding] = []
    for column, hz in enumerate(AUDIOGRAM_HZ, 1):
        grid.addWidget(QLabel(f"{hz} Hz"), 0, column)
    for row, (ear, ear_words) in enumerate(EARS.items(), 1):
        ear_label = QLabel(form.mnemonic(ear_words))
        grid.addWidget(ear_label, row, 0)
        for column, hz in enumerate(AUDIOGRAM_HZ, 1):
            cell = number(
                f"hearing.audiogram.{ear}.{hz}",
                f"{ear_words}, {hz} Hz threshold",
                step=5,
                decimals=1,
                missing_text="not tested",
            )
            grid.addWidget(cell.widget, row, column)
            if column == 1:
                ear_label.setBuddy(cell.widget)  # the rest of the row is a Tab away
            cells.append(cell)
    form.add_widget(grid_widget)
    for cell in cells:
        form.rows.addRow(cell.problem)
    box.toggled.connect(grid_widget.setEnabled)
    grid_widget.setEnabled(box.isChecked())
    form.bindings += cells
    return form.bindings


def listening_page(form: Form, tone: ToneBands) -> list[Binding]:
    """Everything the listening chain takes from the profile, in the order the panel shows it."""
    listening = "hearing.listening."
    form.note("Changes here are heard at once while Hark is listening.")
    form.add(number(listening + "gain_db", "Volume", step=1, decimals=2, suffix=" dB"))
    form.add(number(listening + "left_gain_db", "Left ear extra volume", step=1, decimals=2, suffix=" dB"))
    form.add(number(listening + "right_gain_db", "Right ear extra volume", step=1, decimals=2, suffix=" dB"))
    form.heading("Tone")
    form.add(tone.preset)
    form.rows.addRow(tone.state)
    form.rows.addRow(tone.together)
    for ear, label in tone.ear_labels.items():
        label.setText(form.mnemonic(EARS[ear]))
    form.add_widget(tone)
    for band in tone.all_bands():
        form.rows.addRow(band.problem)
    form.bindings += tone.all_bands()
    form.heading("Noise and loudness")
    form.add(
        number(listening + "noise_reduction", "Noise reduction", step=5, decimals=0, scale=100, suffix=" %")
    )
    form.add(choice(listening + "noise_reduction_method", "Noise reduction method", NOISE_METHODS))
    form.add(number(listening + "highpass_hz", "Cut rumble below", step=10, decimals=0, suffix=" Hz"))
    form.add(flag(listening + "compression", "Compression (soft sounds up, loud sounds down)"))
    form.add(
        number(
            listening + "max_output_dbfs",
            "Loudest allowed (their ceiling)",
            step=1,
            decimals=1,
            suffix=" dBFS",
        )
    )
    return form.bindings

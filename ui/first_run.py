"""The first-run set-up: what Hark does, the sound devices, the caption engine, the profile store,
and a summary. Every step can be skipped (Hark opens with no microphone, model or store and says
what is missing), and everything chosen here can be changed later in Settings.

The app shell calls `needs_first_run(settings)` (assistant.app_settings) and, when it is True,
`FirstRunWizard(settings, parent).exec()`; on Accepted `wizard.settings` holds the choices, already
saved with first_run_done=True. Cancel saves nothing, so the set-up is offered again next time.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget, QWizard, QWizardPage

from assistant.app_settings import THEME_NAMES, AppSettings, SettingsError
from ui.setup_captions import CaptionChoices
from ui.setup_sound import SoundChoices
from ui.setup_store import StoreSetup

OFFLINE = (
    "Hark works offline: nothing is sent anywhere (the only exception: a speech model you ask it to "
    "download)."
)
WELCOME = (
    "Hark helps you talk with people who are deaf or hard of hearing: your voice from a microphone into "
    "their headphones, clearer and louder; captions of what is said; and typed words spoken or shown "
    "large. It also keeps each person's communication profile and a record of the practicable steps "
    "you took.\n\nThe next few steps choose the microphone and headphones, the captions, and the "
    "profile store. You can skip any of them and change everything later in Settings."
)
DEFAULT_DEVICE = "the computer's default"
BUTTON_NAMES = {
    QWizard.WizardButton.BackButton: "Back",
    QWizard.WizardButton.NextButton: "Next",
    QWizard.WizardButton.FinishButton: "Finish set-up",
    QWizard.WizardButton.CancelButton: "Cancel set-up",
}


def _text(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAccessibleName(name)
    return label


class _Page(QWizardPage):
    def __init__(self, title: str, subtitle: str, body: QWidget | None = None) -> None:
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.body = body
        self.box = QVBoxLayout(self)
        if body is not None:
            self.box.addWidget(body)


class _SoundPage(_Page):
    def __init__(self, sound: SoundChoices) -> None:
        super().__init__(
            "Microphone and headphones",
            "Choose the microphone near you and the person's headphones. The headphones stay silent "
            "except for the test sound.",
            sound,
        )
        self.sound = sound


class _CaptionsPage(_Page):
    def __init__(self, captions: CaptionChoices) -> None:
        super().__init__("Captions", "Which caption engine Hark has, and a better speech model.", captions)
        self.captions = captions
        captions.busy_changed.connect(self.completeChanged)

    def isComplete(self) -> bool:
        return not self.captions.busy


class _StorePage(_Page):
    def __init__(self, store: StoreSetup) -> None:
        super().__init__(
            "The profile store", "Where people's communication profiles are kept, encrypted.", store
        )
        self.store = store
        store.changed.connect(self.completeChanged)

    def isComplete(self) -> bool:
        return self.store.ready


class FirstRunWizard(QWizard):
    def __init__(
        self,
        settings: AppSettings,
        parent: QWidget | None = None,
        *,
        settings_file: Path | None = None,
        scrypt_n: int | None = None,
    ) -> None:
        """`settings_file`: where to save (default assistant.app_settings.settings_path()).
        `scrypt_n` lowers the new store's key cost: for tests only."""
        super().__init__(parent)
        self.setWindowTitle("Setting up Hark")
        self.settings = settings
        self._file = settings_file
        self.sound = SoundChoices(settings)
        self.captions = CaptionChoices()
        self.store = StoreSetup(settings, scrypt_n=scrypt_n)
        self.summary = _text("", "Summary of your choices")
        self.save_problem = _text("", "Saving the settings")

        welcome = _Page("Welcome to Hark", "")
        welcome.box.addWidget(_text(WELCOME, "What Hark does"))
        welcome.box.addWidget(_text(OFFLINE, "Hark works offline"))
        done = _Page("Ready", "Check your choices, then press Finish set-up.")
        done.box.addWidget(self.summary)
        done.box.addWidget(_text(OFFLINE, "Hark works offline"))
        done.box.addWidget(self.save_problem)
        done.initializePage = self._show_summary  # type: ignore[method-assign]
        self.pages = {
            "welcome": self.addPage(welcome),
            "sound": self.addPage(_SoundPage(self.sound)),
            "captions": self.addPage(_CaptionsPage(self.captions)),
            "store": self.addPage(_StorePage(self.store)),
            "done": self.addPage(done),
        }
        for button, name in BUTTON_NAMES.items():
            self.button(button).setAccessibleName(name)
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Finish set-up")
        self.currentIdChanged.connect(self._on_page)

    def chosen(self) -> AppSettings:
        """The settings as chosen so far (not yet saved)."""
        return dataclasses.replace(self.sound.chosen(self.settings), store_path=str(self.store.path))

    def accept(self) -> None:
        chosen = dataclasses.replace(self.chosen(), first_run_done=True)
        try:
            chosen.save(self._file)
        except SettingsError as error:
            self.save_problem.setText(f"{error} Press Finish set-up to try again, or Cancel.")
            return
        self.settings = chosen
        self.sound.stop()
        super().accept()

    def reject(self) -> None:
        self.sound.stop()
        super().reject()

    def _on_page(self, page_id: int) -> None:
        if page_id != self.pages["sound"]:
            self.sound.stop()  # the meter's engine runs only while its page is shown
        elif self.sound.devices_known:  # back again
            self.sound.start_listening()
        else:
            self.sound.look_for_devices()  # then the meter starts

    def _show_summary(self) -> None:
        chosen = self.chosen()
        microphone = chosen.input_device or DEFAULT_DEVICE
        if chosen.demo_recording:
            microphone = f"a recording ({chosen.demo_recording})"
        elif not self.sound.has_microphone:
            microphone = "none found yet (choose it later in Settings)"
        lines = [
            f"Microphone: {microphone}.",
            f"Headphones: {chosen.headphones_device or DEFAULT_DEVICE}.",
            f"Room speaker: {chosen.room_speaker_device or 'none'}.",
            self.captions.engine.text(),
            self.store.summary(),
            f"Hark locks after {chosen.idle_lock_minutes} idle minutes; the look is "
            f"{THEME_NAMES[chosen.theme].lower()}. Change these in Settings.",
        ]
        self.summary.setText("\n".join(lines))

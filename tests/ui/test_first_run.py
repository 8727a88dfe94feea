"""The first-run set-up and Settings, driven through real widgets: the device page with no devices and
on a JACK dummy server, the meter on a looping recording, a model installed from a zip and downloaded
from 127.0.0.1, the profile store created (after refusing bad passphrases) or skipped, the settings saved."""

from __future__ import annotations

import functools
import http.server
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QFileDialog, QWidget, QWizard

from assistant.app_settings import AppSettings
from assistant.speech_models.catalogue import RECOMMENDED_ENGLISH_MODEL
from profiles.store import ProfileStore
from tests.models.model_helpers import make_fake_model, zip_folder
from tests.support.file_engine import SPEECH_2S
from ui.first_run import OFFLINE, FirstRunWizard
from ui.settings_dialog import SettingsDialog

SCRYPT_N = 1024
PASSPHRASE = "correct horse battery"
WAIT_MS = 60_000  # the engine's very first start compiles its kernels


@pytest.fixture(autouse=True)
def private_places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Models and settings in tmp_path; no JACK server unless a test starts one; no proxies."""
    monkeypatch.setenv("HARK_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("JACK_DEFAULT_SERVER", f"hark-none-{os.getpid()}")
    monkeypatch.setenv("JACK_NO_START_SERVER", "1")
    monkeypatch.delenv("HARK_MODEL_BASE_URL", raising=False)
    for variable in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


def _wizard(qtbot, tmp_path: Path, **choices: object) -> FirstRunWizard:  # type: ignore[no-untyped-def]
    settings = AppSettings(store_path=str(tmp_path / "store.sqlite3"), **choices)  # type: ignore[arg-type]
    wizard = FirstRunWizard(settings, settings_file=tmp_path / "app.json", scrypt_n=SCRYPT_N)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def _next(qtbot, wizard: FirstRunWizard) -> None:  # type: ignore[no-untyped-def]
    button = wizard.button(QWizard.WizardButton.NextButton)
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _unnamed_controls(root: QWidget) -> list[str]:
    return [
        f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}"
        for w in root.findChildren(QWidget)
        if w.isVisible() and w.focusPolicy() & Qt.FocusPolicy.TabFocus and not w.accessibleName()
    ]


def test_with_no_devices_the_sound_page_says_so_and_set_up_carries_on(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wizard = _wizard(qtbot, tmp_path)
    assert OFFLINE in " ".join(
        label.text() for label in wizard.currentPage().findChildren(type(wizard.summary))
    )
    assert _unnamed_controls(wizard) == []
    _next(qtbot, wizard)
    sound = wizard.sound
    qtbot.waitUntil(lambda: sound.devices_known, timeout=WAIT_MS)
    assert "No microphone was found" in sound.found.text()
    assert "No headphones" in sound.found.text()
    assert not sound.play_tone.isEnabled() and sound.engine is None
    assert _unnamed_controls(wizard) == []
    _next(qtbot, wizard)  # captions
    assert "pocketsphinx" in wizard.captions.engine.text()
    assert _unnamed_controls(wizard) == []
    _next(qtbot, wizard)  # the store
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()  # create or skip first
    qtbot.mouseClick(wizard.store.skip, Qt.MouseButton.LeftButton)
    assert _unnamed_controls(wizard) == []
    _next(qtbot, wizard)  # done
    assert "none found yet" in wizard.summary.text()
    assert "No profile store yet" in wizard.summary.text()
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    assert wizard.result() == QWizard.DialogCode.Accepted
    saved, problems = AppSettings.load(tmp_path / "app.json")
    assert problems == [] and saved == wizard.settings
    assert saved.first_run_done and saved.input_device is None
    assert not (tmp_path / "store.sqlite3").exists()


def test_the_meter_moves_with_a_recording_and_the_test_sound_plays(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wizard = _wizard(qtbot, tmp_path, demo_recording=str(SPEECH_2S))
    _next(qtbot, wizard)
    sound = wizard.sound
    qtbot.waitUntil(lambda: sound.play_tone.isEnabled(), timeout=WAIT_MS)
    assert "recording is used as the microphone" in sound.found.text()
    qtbot.waitUntil(lambda: sound.meter.value() > 20, timeout=10_000)  # speech, above -40 dBFS
    assert sound.meter.format().endswith("dBFS")
    qtbot.mouseClick(sound.play_tone, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "has played" in sound.sound_status.text(), timeout=20_000)
    assert any(e.kind == "probe" and e.message == "done" for e in sound.engine.events())
    assert sound.engine.settings.muted  # silent again after the tone
    engine = sound.engine
    _next(qtbot, wizard)
    assert sound.engine is None and engine.status.state == "closed"  # the engine stops with its page
    wizard.reject()


def test_jack_devices_are_offered_and_the_choice_saved(qtbot, tmp_path: Path, jack_server) -> None:  # type: ignore[no-untyped-def]
    wizard = _wizard(qtbot, tmp_path)
    _next(qtbot, wizard)
    sound = wizard.sound
    qtbot.waitUntil(lambda: sound.devices_known, timeout=WAIT_MS)
    assert "No microphone" not in sound.found.text()
    for combo in (sound.microphone, sound.headphones, sound.room_speaker):
        combo.setCurrentIndex(combo.findData("system"))
        assert combo.currentIndex() >= 0
    qtbot.waitUntil(lambda: sound.play_tone.isEnabled(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: sound.engine.status.state == "running", timeout=10_000)
    assert sound.engine.status.input_device.startswith("system")
    qtbot.mouseClick(sound.play_tone, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "has played" in sound.sound_status.text(), timeout=20_000)
    _next(qtbot, wizard)
    _next(qtbot, wizard)
    qtbot.mouseClick(wizard.store.skip, Qt.MouseButton.LeftButton)
    _next(qtbot, wizard)
    assert "Microphone: system." in wizard.summary.text()
    wizard.accept()
    saved, _ = AppSettings.load(tmp_path / "app.json")
    assert (saved.input_device, saved.headphones_device, saved.room_speaker_device) == ("system",) * 3


def test_mismatched_or_short_passphrases_are_refused_then_the_store_is_created(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wizard = _wizard(qtbot, tmp_path)
    for _ in range(3):
        wizard.next()
    store = wizard.store
    qtbot.keyClicks(store.passphrase, PASSPHRASE)
    qtbot.keyClicks(store.again, PASSPHRASE + "!")
    qtbot.mouseClick(store.create_button, Qt.MouseButton.LeftButton)
    assert "different" in store.message.text()
    assert not (tmp_path / "store.sqlite3").exists()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    store.passphrase.setText("short")
    store.again.setText("short")
    qtbot.mouseClick(store.create_button, Qt.MouseButton.LeftButton)
    assert "too short" in store.message.text() and "at least 8 characters" in store.message.text()
    store.passphrase.setText(PASSPHRASE)
    store.again.setText(PASSPHRASE)
    qtbot.mouseClick(store.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: store.created, timeout=20_000)
    assert store.passphrase.text() == "" and "created" in store.message.text()
    ProfileStore.open(tmp_path / "store.sqlite3", PASSPHRASE, "Tess Tester").close()
    _next(qtbot, wizard)
    assert "was created" in wizard.summary.text()
    wizard.accept()
    assert AppSettings.load(tmp_path / "app.json")[0].store_path == str(tmp_path / "store.sqlite3")


def test_an_existing_store_is_used_and_not_created_again(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ProfileStore.create(tmp_path / "store.sqlite3", PASSPHRASE, "Tess Tester", scrypt_n=SCRYPT_N).close()
    wizard = _wizard(qtbot, tmp_path)
    for _ in range(3):
        wizard.next()
    assert "already exists" in wizard.store.message.text()
    assert not wizard.store.create_button.isVisible()
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.reject()
    assert not (tmp_path / "app.json").exists()  # cancelled: nothing saved, set-up is offered again


def test_a_model_is_installed_from_a_zip_file(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    archive = zip_folder(make_fake_model(tmp_path / "m"), tmp_path / "vosk-model-small-en-us-test.zip", "m")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(archive), ""))
    wizard = _wizard(qtbot, tmp_path)
    wizard.next()
    wizard.next()
    captions = wizard.captions
    assert "basic accuracy" in captions.engine.text()
    qtbot.mouseClick(captions.from_file, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not captions.busy, timeout=20_000)
    assert "Installed the speech model vosk-model-small-en-us-test" in captions.message.text()
    assert captions.progress.value() == captions.progress.maximum()
    assert "Vosk" in captions.engine.text() and "good accuracy" in captions.engine.text()
    assert (tmp_path / "models" / "vosk-model-small-en-us-test" / "am" / "final.mdl").is_file()
    wizard.reject()


@pytest.fixture
def model_site(tmp_path: Path) -> Iterator[str]:
    """A web server on 127.0.0.1 serving tmp_path/site."""
    site = tmp_path / "site"
    site.mkdir()
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_the_recommended_model_downloads_with_the_bar_reaching_100(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_site: str
) -> None:
    # Several megabytes, so the bar moves in steps before it is full.
    model = make_fake_model(tmp_path / "m", graph_bytes=5_000_000)
    zip_folder(model, tmp_path / "site" / f"{RECOMMENDED_ENGLISH_MODEL}.zip", RECOMMENDED_ENGLISH_MODEL)
    monkeypatch.setenv("HARK_MODEL_BASE_URL", model_site)
    wizard = _wizard(qtbot, tmp_path)
    wizard.next()
    wizard.next()
    captions = wizard.captions
    seen: list[int] = []
    captions.progress.valueChanged.connect(seen.append)
    qtbot.mouseClick(captions.download, Qt.MouseButton.LeftButton)
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()  # not while installing
    qtbot.waitUntil(lambda: not captions.busy, timeout=30_000)
    assert f"Installed the speech model {RECOMMENDED_ENGLISH_MODEL}" in captions.message.text()
    assert captions.progress.value() == captions.progress.maximum()
    assert len([v for v in seen if 0 < v < captions.progress.maximum()]) >= 2
    assert not captions.download.isEnabled() and "installed" in captions.download.text()
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.reject()


def test_a_failed_download_is_explained_in_words(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_site: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HARK_MODEL_BASE_URL", model_site)  # the site has no such file
    wizard = _wizard(qtbot, tmp_path)
    wizard.next()
    wizard.next()
    qtbot.mouseClick(wizard.captions.download, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not wizard.captions.busy, timeout=30_000)
    assert "HTTP 404" in wizard.captions.message.text()
    assert wizard.captions.download.isEnabled()
    wizard.reject()


def test_settings_are_changed_and_saved(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "app.json"
    AppSettings(first_run_done=True, store_path=str(tmp_path / "s.sqlite3")).save(path)
    dialog = SettingsDialog(AppSettings.load(path)[0], settings_file=path, scrypt_n=SCRYPT_N)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.sound.devices_known, timeout=WAIT_MS)
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        assert _unnamed_controls(dialog) == [], dialog.tabs.tabText(index)
    dialog.idle_lock.setValue(12)
    dialog.theme.setCurrentIndex(dialog.theme.findData("high-contrast"))
    dialog.use_demo.setChecked(True)
    dialog.accept()  # ticked but no recording chosen: refused, in words
    assert "Choose the recording" in dialog.problem.text() and dialog.isVisible()
    dialog.use_recording(str(SPEECH_2S))
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    saved = json.loads(path.read_text())
    assert (saved["idle_lock_minutes"], saved["theme"], saved["first_run_done"]) == (
        12,
        "high-contrast",
        True,
    )
    assert saved["demo_recording"] == str(SPEECH_2S)
    assert AppSettings.load(path)[0] == dialog.settings


def test_buttons_of_the_wizard_have_names(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wizard = _wizard(qtbot, tmp_path)
    names = [b.accessibleName() for b in wizard.findChildren(QAbstractButton) if b.isVisible()]
    assert "Next" in names and "Cancel set-up" in names
    wizard.reject()

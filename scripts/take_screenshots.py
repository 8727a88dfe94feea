"""Run by scripts/screenshots under Xvfb: the README's and docs' pictures, from the real app. A
throwaway store holds one example person; the microphone is a looping recording, through the real
engine. Saved as PNG: the home with a person opened, the profile editor, the first-run set-up, a
session (listening, captions, conversation, the record), the person's caption window and the
session's summary."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from audio.settings import TONE_PRESETS

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "tests" / "data" / "speech_1998-15444-0005_2s.wav"
PASSPHRASE = "an example passphrase"
EXAMPLE = {
    "identity": {"preferred_name": "Ada (example)"},
    "communication": {"what_helps": "Face me in good light and speak slowly. Write key words down."},
    "needs": [
        {"category": "communication_support", "code": "441092009", "display": "Does lip read"},
    ],
    "hearing": {
        "better_ear": "left",
        "devices": [{"type": "hearing_aid", "side": "both", "telecoil": True}],
        "loudness_discomfort": True,
        "listening": {
            "gain_db": 14.0,
            "tone_preset": "speech-clarity",
            "left_tone_db": list(TONE_PRESETS["speech-clarity"]),
            "right_tone_db": list(TONE_PRESETS["speech-clarity"]),
        },
    },
}


def settle(app: QApplication, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def until(app: QApplication, done: object, seconds: float = 30.0) -> None:
    end = time.monotonic() + seconds
    while not done() and time.monotonic() < end:  # type: ignore[operator]
        app.processEvents()
        time.sleep(0.02)


def shot(widget: QWidget, out: Path, name: str) -> None:
    widget.grab().save(str(out / name))
    print(f"  {name}")


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="hark-screens-"))
    os.environ["XDG_CONFIG_HOME"] = str(folder / "config")
    app = QApplication(sys.argv[:1])

    from assistant.app_settings import AppSettings
    from assistant.cli.app import home_run
    from assistant.cli.main import build_parser
    from profiles.store import ProfileStore
    from ui.first_run import FirstRunWizard
    from ui.home_window import HomeWindow
    from ui.profile_editor import ProfileEditor

    store_path = folder / "profiles.sqlite3"
    with ProfileStore.create(store_path, PASSPHRASE, "A. Assessor", scrypt_n=1024) as store:
        store.create_profile(EXAMPLE)

    wizard = FirstRunWizard(AppSettings(), settings_file=folder / "wizard.json")
    wizard.resize(900, 640)
    wizard.show()
    wizard.next()
    settle(app, 1.5)
    shot(wizard, out, "app-first-run.png")
    wizard.reject()

    args = build_parser().parse_args(
        ["app", "--demo", str(DEMO), "--store", str(store_path), "--as", "A. Assessor"]
    )
    home = HomeWindow(home_run(args), AppSettings(first_run_done=True), folder / "app.json")
    home.resize(1180, 720)
    home.show()
    page = home.people
    page.locked_view.passphrase.setText(PASSPHRASE)
    page.locked_view.unlock.click()
    until(app, lambda: page.stack.currentWidget() is page.directory_view)
    page.directory_view.search.setText("Ada")
    page.directory_view.people.setCurrentRow(0)
    until(app, lambda: page.profile is not None)
    settle(app, 0.5)
    shot(home, out, "app-home.png")

    assert page.profile is not None
    editor = ProfileEditor(dict(page.profile), home)
    editor.resize(1000, 720)
    editor.show()
    editor.tabs.setCurrentIndex(3)  # Listening: the tone preset and the bands
    settle(app, 0.5)
    shot(editor, out, "app-profile-editor.png")
    editor.done(0)

    assert page.person is not None
    page.start_session.emit(page.person.id, dict(page.profile))
    session = home.session
    assert session is not None
    session.resize(1280, 800)
    until(app, lambda: session.engine.status.state == "running")
    session.record.kind.setCurrentIndex(session.record.kind.findData("interpreter"))
    session.record.text.setText("BSL interpreter present")
    session.record.add_note()
    settle(app, 6.0)
    shot(session, out, "app-demo-session.png")
    captions = session.captions
    assert captions is not None
    captions.fullscreen.setChecked(False)
    captions.open_person_window()
    assert captions.person_window is not None
    captions.person_window.resize(1100, 420)
    settle(app, 5.0)
    shot(captions.person_window, out, "app-person-captions.png")

    session.end_session()
    settle(app, 0.5)
    assert session.summary is not None
    shot(session.summary, out, "app-session-summary.png")
    session.summary.close()
    session.interrupted.set()
    session.close()
    home.interrupted.set()
    home.close()
    settle(app, 1.0)
    print(f"Saved the pictures in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The assessor's window (`hark app`) on a real audio engine with a recording as the microphone:
notes and engine steps reach the record, ending shows the summary to copy (marked private for
clipboard managers), and Ctrl+C in the terminal closes it cleanly with the record printed there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from assistant.assessment.record import SessionRecord
from assistant.cli.desktop import AppRun
from audio.engine import AudioEngine
from tests.support.file_engine import SPEECH_2S
from tests.support.processes import child_pids
from ui.assessor_app import open_session, start_listening
from ui.assessor_window import AssessorWindow
from ui.record_panel import NOTE_KINDS

ROOT = Path(__file__).resolve().parents[2]
WAV = SPEECH_2S


@pytest.fixture
def window(qtbot) -> Iterator[AssessorWindow]:  # type: ignore[no-untyped-def]
    record = SessionRecord(None, keep_words=False)
    run = AppRun(
        lambda hook: AudioEngine(source=WAV, on_event=hook), record, None, "flat", "Tess Tester", True
    )
    made, engine, _ = open_session(run)
    start_listening(engine, record)
    made.show()  # not given to qtbot, which would close it before this fixture's end, and be asked
    qtbot.waitExposed(made)
    yield made
    made.interrupted.set()  # closing at the end of a test asks nothing (as Ctrl+C in the terminal)
    made.close()
    made.deleteLater()
    engine.release()


def test_a_note_typed_by_the_assessor_is_marked_as_theirs(qtbot, window: AssessorWindow) -> None:  # type: ignore[no-untyped-def]
    panel = window.record
    panel.kind.setCurrentIndex(panel.kind.findData("interpreter"))
    qtbot.keyClicks(panel.text, "BSL interpreter present")
    qtbot.keyClick(panel.text, Qt.Key.Key_Return)
    assert panel.text.text() == ""
    assert panel.steps.item(panel.steps.count() - 1).text().endswith("[Assessor]  BSL interpreter present")
    assert window.run.record.steps()[-1].kind == "interpreter" and NOTE_KINDS["interpreter"]


def test_ending_shows_the_record_to_check_and_copy(qtbot, window: AssessorWindow) -> None:  # type: ignore[no-untyped-def]
    window.listening.volume.setValue(14)
    window.record.text.setText("Moved to the quiet lounge")
    window.record.add_note()
    qtbot.mouseClick(window.end, Qt.MouseButton.LeftButton)
    summary = window.summary
    assert summary is not None and summary.isVisible()
    text = summary.text.toPlainText()
    assert text.startswith("Record of practicable steps taken to help the person communicate")
    assert "[Hark] Volume: 10 dB → 14 dB" in text  # the settled change, recorded as the session ended
    assert "[Assessor] Moved to the quiet lounge" in text and "[Hark] Listening stopped" in text
    summary.copy()
    copied = QGuiApplication.clipboard().mimeData()
    assert copied.text() == text
    assert bytes(copied.data("x-kde-passwordManagerHint").data()) == b"secret"
    summary.close()


def test_the_window_shows_nothing_is_sent_and_every_control_is_named(window: AssessorWindow) -> None:
    assert "nothing is sent anywhere" in window.header.text() and "Quick session" in window.header.text()
    from PySide6.QtWidgets import QAbstractButton, QAbstractSlider, QComboBox, QLineEdit, QListWidget

    kinds = (QAbstractSlider, QComboBox, QLineEdit, QListWidget)
    focusable = [
        w for kind in kinds for w in window.findChildren(kind) if w.focusPolicy() != Qt.FocusPolicy.NoFocus
    ]
    assert len(focusable) >= 8
    for control in focusable:
        assert control.accessibleName(), type(control).__name__
    for button in window.findChildren(QAbstractButton):
        assert button.accessibleName() or button.text(), "a button with neither a name nor text"


def test_ctrl_c_in_the_terminal_closes_the_app_and_prints_the_record() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    app = subprocess.Popen(
        [sys.executable, "-m", "ui.main", "app", "--quick", "--demo", str(WAV)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not child_pids(app.pid) and time.monotonic() < deadline:  # the engine process is up
            time.sleep(0.1)
        time.sleep(8)  # and listening (the engine reports its start a moment after its process is up)
        os.killpg(app.pid, signal.SIGINT)
        out, err = app.communicate(timeout=30)
    finally:
        if app.poll() is None:
            os.killpg(app.pid, signal.SIGKILL)
    assert app.returncode == 0, err
    assert "Traceback" not in err
    assert out.startswith("Record of practicable steps taken to help the person communicate")
    assert "[Hark] Listening started: " in out and "closed from the terminal" in out


def test_a_missing_demo_recording_is_one_clear_sentence(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ui.main", "app", "--demo", str(tmp_path / "nope.wav")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == f"hark app: There is no recording at {tmp_path / 'nope.wav'}; give a WAV file to --demo."
    )


def test_with_a_person_the_record_is_saved_as_it_goes_and_kept_with_them_at_the_end(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from profiles.store import ProfileStore
    from tests.profiles.conftest import PASSPHRASE, TEST_SCRYPT_N

    with ProfileStore.create(
        tmp_path / "s.sqlite3", PASSPHRASE, "Tess Tester", scrypt_n=TEST_SCRYPT_N
    ) as store:
        ada = store.create_profile({"preferred_name": "Ada"})
        record = SessionRecord(ada, keep_words=False)
        engine_for = lambda hook: AudioEngine(source=WAV, on_event=hook)  # noqa: E731
        run = AppRun(engine_for, record, "Ada", None, "Tess Tester", True, store, store.current(ada))
        window, engine, _ = open_session(run)
        try:
            window.show()
            start_listening(engine, record)
            assert "saved in the person's encrypted profile store" in window.saving.text()
            qtbot.waitUntil(lambda: len(store.session_records.drafts()) == 1, timeout=10_000)
            window.record.text.setText("Daughter present to help")
            window.record.add_note()
            qtbot.waitUntil(
                lambda: (
                    "Daughter present to help"
                    in [step["text"] for step in store.session_records.drafts()[0].record["steps"]]
                ),
                timeout=10_000,
            )
            window.end_session()
            assert store.session_records.drafts() != []  # kept when checked, or at the close
            assert window.summary is not None
            window.summary.keep_now()
            qtbot.waitUntil(lambda: "is kept in" in window.saving.text(), timeout=10_000)  # on a thread
            assert store.session_records.drafts() == []
            [kept] = store.sessions(ada)
            texts = [step["text"] for step in kept["steps"]]
            assert "Daughter present to help" in texts and texts[-1] == "Listening stopped: the session ended"
            assert "kept in Ada's profile store" in window.saving.text()
            assert window.summary is not None
            window.summary.close()
        finally:
            window.interrupted.set()
            window.close()
            engine.release()

"""The whole app from its home, on a real encrypted store and a real audio engine (a recording as
the microphone): unlock, choose a person, start a session with their settings, end it, and the
record kept with them; a session left unfinished is offered at the next start and resumed; idle
and sleep lock the home and the session's window."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from profiles.store import ProfileStore
from tests.profiles.conftest import PASSPHRASE
from tests.support.app_home import start_session, unlock_and_open
from ui.home_window import HomeWindow
from ui.session_summary import write_record_pdf

WAIT_MS = 30_000


def test_a_session_with_a_person_uses_their_settings_and_keeps_the_record_with_them(
    qtbot, home: HomeWindow, app_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    unlock_and_open(qtbot, home, "Ada")
    start_session(qtbot, home)
    session = home.session
    assert session is not None
    assert "Session with Ada" in session.header.text()
    engine = session.engine
    assert engine.settings.gain_db == 17.0 and engine.settings.max_output_dbfs == -20.0
    assert session.listening.volume.value() == 17
    qtbot.waitUntil(lambda: engine.meters.left_rms_dbfs > -60.0, timeout=WAIT_MS)  # heard in the ears
    captions = session.captions
    assert captions is not None and session.conversation is not None
    captions.fullscreen.setChecked(False)
    captions.open_person_window()
    person = captions.person_window
    assert person is not None and person.isVisible()
    qtbot.waitUntil(lambda: captions.view.toPlainText().strip() != "", timeout=60_000)  # the recording
    newest = " ".join(captions.view.toPlainText().splitlines()[-1].split()[1:])  # after the time
    qtbot.waitUntil(lambda: newest in " ".join(person.captions.toPlainText().split()), timeout=WAIT_MS)
    phrase = session.conversation.phrase_buttons[0]
    phrase.click()
    qtbot.waitUntil(lambda: engine.speech.pending_seconds > 0.3, timeout=60_000)  # in the person's ears
    qtbot.waitUntil(lambda: any(s.kind == "phrase" for s in session.run.record.steps()), timeout=60_000)
    session.listening.volume.setValue(20)  # what worked better today
    session.record.text.setText("Daughter present to help")
    session.record.add_note()
    session.end_session()
    summary = session.summary
    assert summary is not None and summary.keep_button.isVisible() and session.saved_as is None
    assert "Check the record" in summary.message.text()
    # Checked, then corrected after the end: the correction is kept with the record.
    [note] = [step for step in session.run.record.steps() if step.text == "Daughter present to help"]
    session.run.record.correct(note.seq, "Her daughter Mary was present to help")
    summary.close()
    session.end_session()  # the summary again, as "Show the session's summary" does
    summary = session.summary
    assert summary is not None
    text = summary.text.toPlainText()
    assert "[Hark] Volume: 17 dB → 20 dB" in text and "[Assessor] Daughter present to help" in text
    assert "Her daughter Mary was present to help" in text
    summary.keep_now()
    qtbot.waitUntil(lambda: "is kept" in summary.message.text(), timeout=WAIT_MS)  # on a thread
    assert summary.keep_button.isHidden() and session.saved_as is not None

    pdf = tmp_path / "record.pdf"
    write_record_pdf(text, pdf)
    shown = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    assert "Daughter present to help" in shown.stdout and "Volume: 17 dB → 20 dB" in shown.stdout
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 1000

    asked: list[str] = []

    def yes(parent, title, question):  # type: ignore[no-untyped-def]
        asked.append(question)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(yes))
    assert summary.settings_back.isVisible()
    summary.offer_save_back()
    assert "Volume: 17 dB → 20 dB" in asked[0] and "new version" in asked[0]
    qtbot.waitUntil(
        lambda: summary.message.text().startswith("Saved to the profile as version 2"), timeout=WAIT_MS
    )
    summary.close()
    session.close()
    qtbot.waitUntil(home.isVisible, timeout=WAIT_MS)
    assert home.session is None
    with ProfileStore.open(app_store, PASSPHRASE, "Checker") as store:
        [ada] = store.list_profiles()
        [kept] = store.sessions(ada.id)
        listening = store.current(ada.id)["hearing"]["listening"]
        assert [v.version for v in store.history(ada.id)] == [1, 2]
    assert listening["gain_db"] == 20.0 and listening["max_output_dbfs"] == -20.0
    texts = [step["text"] for step in kept["steps"]]
    assert "Daughter present to help" in texts and "Her daughter Mary was present to help" in texts
    assert any(text.startswith("Listening started") for text in texts)


def test_an_unfinished_session_is_offered_at_the_next_start_and_resumed(qtbot, home: HomeWindow) -> None:  # type: ignore[no-untyped-def]
    unlock_and_open(qtbot, home, "Ada")
    start_session(qtbot, home)
    session = home.session
    assert session is not None
    session.record.text.setText("Moved to the quiet lounge")
    session.record.add_note()
    session.interrupted.set()  # as a crash or a closed lid would: no summary, the draft stays
    session.close()
    qtbot.waitUntil(lambda: home.isVisible() and home.drafts.isVisible(), timeout=WAIT_MS)
    [row] = home.drafts._rows.values()
    text = row.findChild(type(home.notice)).text()
    assert "the session with Ada" in text
    home.interrupted.clear()
    [draft] = home.directory.drafts().result(timeout=10)
    home.resume_draft(draft)
    qtbot.waitUntil(lambda: home.session is not None, timeout=WAIT_MS)
    resumed = home.session
    assert resumed is not None
    steps = [step.text for step in resumed.run.record.steps()]
    assert "Moved to the quiet lounge" in steps
    assert resumed.keeper is not None and resumed.keeper.draft_id == draft.id


def test_idle_and_sleep_lock_the_home_and_the_session(qtbot, home: HomeWindow) -> None:  # type: ignore[no-untyped-def]
    page = home.people
    unlock_and_open(qtbot, home, "Ada")
    clock = [1_000_000.0]
    home.idle._clock = lambda: clock[0]  # the app's own clock, moved on instead of waiting minutes
    clock[0] += 100
    qtbot.keyClick(home.windowHandle(), Qt.Key.Key_A)  # a key pressed in the home is activity
    assert home.idle._touched == clock[0]
    home.idle.touched()
    home.idle._ticked = clock[0]
    clock[0] += 5 * 60 + 1
    home.idle._ticked = clock[0] - 5  # ticking all along, so idle rather than asleep
    home._tick()
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.locked_view, timeout=WAIT_MS)
    # The store closes (on its worker thread): names are gone from memory too.
    qtbot.waitUntil(lambda: page.directory.store is None, timeout=WAIT_MS)

    unlock_and_open(qtbot, home, "Ada")
    start_session(qtbot, home)
    session = home.session
    assert session is not None
    clock[0] += 3600  # the lid was closed for an hour
    home._tick()
    assert session.locked and "Ada" not in session.windowTitle()
    assert session.engine.status.state == "running"  # listening goes on
    panel = session.lock_panel
    assert panel is not None
    qtbot.keyClicks(panel.passphrase, "wrong")
    qtbot.keyClick(panel.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "did not unlock" in panel.message.text(), timeout=WAIT_MS)
    assert session.locked
    qtbot.keyClicks(panel.passphrase, PASSPHRASE)
    qtbot.keyClick(panel.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not session.locked, timeout=WAIT_MS)


def test_a_quick_sessions_record_can_be_given_to_a_person_at_the_end(
    qtbot, home: HomeWindow, app_store: Path
) -> None:  # type: ignore[no-untyped-def]
    unlock_and_open(qtbot, home, "Ada")
    home.start_quick()
    session = home.session
    assert session is not None and "Quick session" in session.header.text()
    qtbot.waitUntil(lambda: session.engine.status.state == "running", timeout=WAIT_MS)
    session.end_session()
    summary = session.summary
    assert summary is not None and session.saved_as is None  # nobody's yet: still a draft
    assert summary.give.isVisible() and not summary.settings_back.isVisible()
    [(ada_id, name)] = session.people_choices
    assert name == "Ada"
    summary.give_to(ada_id)
    qtbot.waitUntil(lambda: "is kept" in summary.message.text(), timeout=WAIT_MS)
    assert summary.give.isHidden() and session.saved_as is not None
    assert "kept in Ada's profile store" in session.saving.text()
    summary.close()
    session.close()
    with ProfileStore.open(app_store, PASSPHRASE, "Checker") as store:
        assert len(store.sessions(ada_id)) == 1 and store.session_records.drafts() == []


def test_the_profile_edited_in_a_session_is_heard_as_it_changes_and_saved_as_a_new_version(
    qtbot, home: HomeWindow, app_store: Path
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QTimer

    unlock_and_open(qtbot, home, "Ada")
    start_session(qtbot, home)
    session = home.session
    assert session is not None and session.tune.isVisible()
    heard: list[float] = []

    def edit() -> None:
        editor = session.editor
        editor.field_widget("hearing.listening.gain_db").setValue(25.0)
        qtbot.waitUntil(lambda: session.engine.settings.gain_db == 25.0, timeout=WAIT_MS)
        heard.append(session.engine.settings.gain_db)
        assert session.listening.volume.value() == 25  # the panel follows
        editor.save()

    QTimer.singleShot(0, edit)
    session.edit_profile()
    assert heard == [25.0]
    qtbot.waitUntil(lambda: "Saved as version 2" in session.notice.text(), timeout=WAIT_MS)
    assert session.profile is not None and session.profile["hearing"]["listening"]["gain_db"] == 25.0
    session.control.flush()
    assert any(
        step.text.startswith("Listening settings tried from the profile editor: volume 25 dB")
        for step in session.run.record.steps()
    )
    with ProfileStore.open(app_store, PASSPHRASE, "Checker") as store:
        [ada] = store.list_profiles()
        assert store.current(ada.id)["hearing"]["listening"]["gain_db"] == 25.0


def test_closing_a_checked_session_keeps_its_record_with_the_person(
    qtbot, home: HomeWindow, app_store: Path
) -> None:  # type: ignore[no-untyped-def]
    unlock_and_open(qtbot, home, "Ada")
    start_session(qtbot, home)
    session = home.session
    assert session is not None
    session.end_session()
    assert session.summary is not None
    session.summary.close()
    session.close()  # without pressing Keep: the summary was seen, so the record is kept
    qtbot.waitUntil(home.isVisible, timeout=WAIT_MS)
    with ProfileStore.open(app_store, PASSPHRASE, "Checker") as store:
        [ada] = store.list_profiles()
        assert len(store.sessions(ada.id)) == 1 and store.session_records.drafts() == []


def test_a_store_in_another_place_chosen_in_settings_is_the_one_the_home_opens(
    qtbot, home: HomeWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from tests.profiles.conftest import TEST_SCRYPT_N
    from ui.settings_dialog import SettingsDialog

    other = tmp_path / "elsewhere" / "team.sqlite3"
    other.parent.mkdir()
    with ProfileStore.create(other, PASSPHRASE, "Tess Tester", scrypt_n=TEST_SCRYPT_N) as store:
        store.create_profile({"preferred_name": "Bea"})
    dialog = SettingsDialog(home.settings, home, settings_file=tmp_path / "settings.json")
    dialog.store.use_place(other)
    assert "Kept in" in dialog.store.where.text() and str(other) in dialog.store.where.text()
    assert "already exists" in dialog.store.message.text()
    chosen = dialog.chosen()
    dialog.reject()
    assert chosen.store_path == str(other)
    home.apply_settings(dataclasses.replace(chosen, theme="standard"))
    assert home.directory.path == other
    unlock_and_open(qtbot, home, "Bea")
    assert home.people.profile is not None and home.people.profile["identity"]["preferred_name"] == "Bea"

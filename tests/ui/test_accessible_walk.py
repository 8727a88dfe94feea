"""A walk over every window of the app, page by page: it fails on any control that takes the
keyboard focus without an accessible name, and on two controls of one window sharing an Alt+letter;
then a whole session run from the keyboard alone."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QTabWidget, QWidget

from assistant.app_settings import AppSettings
from tests.profiles.conftest import PASSPHRASE
from tests.support.app_home import WAIT_MS, start_session, unlock_and_open
from tests.ui.accessibility_walk import walk_problems
from ui.home_window import HomeWindow

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def _every_tab(window: QWidget) -> list[str]:
    """The problems on each page of each tab widget in `window`."""
    problems = walk_problems(window)
    for tabs in window.findChildren(QTabWidget):
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            problems += [f"[{tabs.tabText(index)}] {p}" for p in walk_problems(window)]
    return sorted(set(problems))


def test_every_window_names_its_controls_and_shares_no_alt_letter(
    qtbot, home: HomeWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from ui.first_run import FirstRunWizard
    from ui.people_dialogs import HistoryDialog
    from ui.profile_editor import ProfileEditor
    from ui.settings_dialog import SettingsDialog

    found: dict[str, list[str]] = {}
    found["home, locked"] = walk_problems(home)
    unlock_and_open(qtbot, home, "Ada")
    found["home, a person opened"] = walk_problems(home)

    editor = ProfileEditor(dict(home.people.profile or {}), home)
    editor.show()
    found["profile editor"] = _every_tab(editor)
    editor.done(QDialog.DialogCode.Rejected)

    history = HistoryDialog("Ada", lambda version: None, home)
    history.show()
    found["profile history"] = walk_problems(history)
    history.reject()

    wizard = FirstRunWizard(AppSettings(), home, settings_file=tmp_path / "wizard.json")
    wizard.show()
    for page in range(4):
        found[f"first run, page {page + 1}"] = walk_problems(wizard)
        wizard.next()
    wizard.reject()
    settings = SettingsDialog(AppSettings(), home, settings_file=tmp_path / "settings.json")
    settings.show()
    found["settings"] = _every_tab(settings)
    settings.reject()

    start_session(qtbot, home)
    session = home.session
    assert session is not None and session.captions is not None
    found["session"] = walk_problems(session)
    session.captions.fullscreen.setChecked(False)
    session.captions.open_person_window()
    person = session.captions.person_window
    assert person is not None
    found["person's captions"] = walk_problems(person)
    session.lock(lambda passphrase: passphrase == PASSPHRASE)
    found["session, locked"] = walk_problems(session)
    session.unlock()
    session.end_session()
    assert session.summary is not None
    found["summary"] = walk_problems(session.summary)
    session.summary.close()

    failing = [f"{window}: {problem}" for window, problems in found.items() for problem in problems]
    assert not failing, "\n".join(failing)


def test_a_whole_session_from_the_keyboard_alone(qtbot, home: HomeWindow) -> None:  # type: ignore[no-untyped-def]
    page = home.people
    qtbot.waitUntil(lambda: page.locked_view.passphrase.hasFocus(), timeout=WAIT_MS)
    qtbot.keyClicks(QApplication.focusWidget(), PASSPHRASE)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.directory_view, timeout=WAIT_MS)
    qtbot.keyClick(home, Qt.Key.Key_F, ALT)  # Find by name
    qtbot.keyClicks(QApplication.focusWidget(), "Ada")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.profile is not None, timeout=WAIT_MS)
    qtbot.keyClick(home, Qt.Key.Key_S, ALT)  # Start a session with this person (clicked a moment later)
    qtbot.waitUntil(lambda: home.session is not None, timeout=WAIT_MS)
    session = home.session
    assert session is not None
    qtbot.waitUntil(session.isActiveWindow, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: session.engine.status.state == "running", timeout=WAIT_MS)

    qtbot.keyClick(session, Qt.Key.Key_Up, CTRL)  # louder, from anywhere in the app
    assert session.listening.volume.value() == 18
    qtbot.keyClick(session, Qt.Key.Key_M, CTRL)  # mute
    assert session.listening.mute.isChecked()
    qtbot.keyClick(session, Qt.Key.Key_M, CTRL)
    qtbot.keyClick(session, Qt.Key.Key_R, ALT)  # the note for the record
    qtbot.keyClicks(QApplication.focusWidget(), "Daughter present to help")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert session.run.record.steps()[-1].text == "Daughter present to help"
    qtbot.keyClick(session, Qt.Key.Key_T, CTRL)  # type to say
    assert QApplication.focusWidget() is session.conversation.say_entry  # type: ignore[union-attr]
    qtbot.keyClick(session, Qt.Key.Key_E, ALT)  # end the session (a mnemonic clicks a moment later)
    qtbot.waitUntil(lambda: session.summary is not None and session.summary.isVisible(), timeout=WAIT_MS)
    summary = session.summary
    assert summary is not None
    assert "Daughter present to help" in summary.text.toPlainText()
    qtbot.waitUntil(summary.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(summary, Qt.Key.Key_K, ALT)  # keep it in the person's record
    qtbot.waitUntil(lambda: "is kept" in summary.message.text(), timeout=WAIT_MS)
    qtbot.keyClick(summary, Qt.Key.Key_Escape)
    assert not summary.isVisible()

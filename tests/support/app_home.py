"""The whole app from its home for tests: a real encrypted store with one person (Ada), the home
window on it with a recording as the microphone, and the steps a user takes to start a session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import Qt

from assistant.app_settings import AppSettings
from assistant.cli.app import home_run
from assistant.cli.main import build_parser
from assistant.people.directory import PeopleDirectory
from profiles.store import ProfileStore
from tests.profiles.conftest import PASSPHRASE, TEST_SCRYPT_N
from tests.support.file_engine import SPEECH_2S
from ui.home_window import HomeWindow

WAIT_MS = 30_000
ADA = {
    "identity": {"preferred_name": "Ada"},
    "hearing": {"better_ear": "left", "listening": {"gain_db": 17.0, "max_output_dbfs": -20.0}},
}


def store_with_ada(folder: Path) -> Path:
    path = folder / "profiles.sqlite3"
    with ProfileStore.create(path, PASSPHRASE, "Tess Tester", scrypt_n=TEST_SCRYPT_N) as store:
        store.create_profile(ADA)
    return path


def open_home(qtbot, store_path: Path, folder: Path) -> Iterator[HomeWindow]:  # type: ignore[no-untyped-def]
    """A fixture's body: the home, shown; closed at the end without questions (as Ctrl+C would)."""
    args = build_parser().parse_args(
        ["app", "--demo", str(SPEECH_2S), "--store", str(store_path), "--as", "Tess Tester"]
    )
    directory = PeopleDirectory(store_path, "Tess Tester", scrypt_n=TEST_SCRYPT_N)
    settings = AppSettings(first_run_done=True, idle_lock_minutes=5)
    made = HomeWindow(home_run(args), settings, folder / "app.json", directory)
    made.show()  # not given to qtbot: closing a session's window may ask a question
    qtbot.waitExposed(made)
    yield made
    made.interrupted.set()
    if made.session is not None:
        made.session.close()
    made.close()
    made.deleteLater()  # not left behind with its timers for the next tests


def unlock_and_open(qtbot, home: HomeWindow, name: str) -> None:  # type: ignore[no-untyped-def]
    page = home.people
    qtbot.keyClicks(page.locked_view.passphrase, PASSPHRASE)
    qtbot.keyClick(page.locked_view.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.directory_view, timeout=WAIT_MS)
    qtbot.keyClicks(page.directory_view.search, name)
    qtbot.keyClick(page.directory_view.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.profile is not None, timeout=WAIT_MS)


def start_session(qtbot, home: HomeWindow) -> None:  # type: ignore[no-untyped-def]
    """Start a session with the opened person, as the Start button does, and wait for the sound."""
    home.people.start_session.emit(home.people.person.id, dict(home.people.profile))  # type: ignore[union-attr]
    assert home.session is not None and not home.isVisible()
    engine = home.session.engine
    qtbot.waitUntil(lambda: engine.status.state == "running", timeout=WAIT_MS)

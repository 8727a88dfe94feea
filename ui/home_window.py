"""The app's home: the people in the profile store (unlock, search, a person's key needs, their
profile), a quick session, unfinished session records left from last time, and Settings. Starting a
session opens its window and hides the home until it closes.

Privacy in a shared room: after the idle minutes in Settings, or at once when the laptop has slept,
the home locks (the store closes, names are hidden) and an open session's window hides the person's
name and the record until the passphrase is given again; listening and the person's captions go on.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assistant.app_settings import AppSettings, needs_first_run
from assistant.assessment.record import SessionRecord
from assistant.cli.desktop import AppRun, HomeRun
from assistant.cli.errors import CommandError
from assistant.idle import TICK_S, IdleWatch
from assistant.people.directory import PeopleDirectory
from profiles.errors import ProfileError
from profiles.sessions import Draft
from profiles.store import ProfileStore
from ui.assessor_window import OFFLINE, AssessorWindow
from ui.drafts_banner import DraftsBanner
from ui.people_page import PeoplePage
from ui.themes import apply_theme

_INPUT_EVENTS = (
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
)


class HomeWindow(QMainWindow):
    _drafts_found = Signal(object)  # list[Draft], from the store's worker thread
    _drafts_problem = Signal(object)  # a sentence or None, from the store's worker thread
    _profile_for_draft = Signal(object, object, object)  # (draft, profile or None, error or None)
    _saved = Signal(object, object)  # (profile id, None) or (None, the problem), from the worker thread

    def __init__(
        self,
        run: HomeRun,
        settings: AppSettings | None = None,
        settings_file: Path | None = None,
        directory: PeopleDirectory | None = None,
    ) -> None:
        super().__init__()
        self.run = run
        self._settings_file = settings_file
        if settings is None:
            settings, problems = AppSettings.load(settings_file)
        else:
            problems = []
        self.settings = settings
        self._system_font = QFont(QApplication.font())
        self.setWindowTitle("Hark")
        demo = " Demo: a recording plays as the microphone." if run.demo else ""
        self.header = QLabel(f"<b>Hark for {run.assessor}</b>. {OFFLINE}{demo}")
        self.header.setWordWrap(True)
        self.notice = QLabel(" ".join(problems))
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Notice")
        self.notice.setVisible(bool(problems))
        path = Path(settings.store_path) if settings.store_path else run.store_path
        self.directory = directory or PeopleDirectory(path, run.assessor, pdf_writer=_pdf_writer)
        self.people = self._people_page()
        self.drafts = DraftsBanner()
        self.drafts.resume.connect(self.resume_draft)
        self.drafts.finish.connect(self.finish_draft)
        self.settings_button = QPushButton("Se&ttings…")
        self.settings_button.setAccessibleName("Settings: sound, captions, store, lock and look")
        self.settings_button.clicked.connect(self.open_settings)
        buttons = QHBoxLayout()
        buttons.addWidget(self.settings_button)
        buttons.addStretch(1)
        body = QWidget()
        layout = self._layout = QVBoxLayout(body)
        layout.addWidget(self.header)
        layout.addWidget(self.notice)
        layout.addWidget(self.drafts)
        layout.addWidget(self.people, 1)
        layout.addLayout(buttons)
        self.setCentralWidget(body)
        self.resize(1000, 680)

        self.session: AssessorWindow | None = None
        self.interrupted = threading.Event()
        self._drafts_found.connect(lambda drafts: self.drafts.show_drafts(drafts, self.directory.name_of))
        self._drafts_problem.connect(self._draft_kept)
        self._saved.connect(self._person_saved)
        self._profile_for_draft.connect(self._resume)
        self.idle = IdleWatch(settings.idle_lock_minutes)
        self._idle_timer = QTimer(self)
        self._idle_timer.timeout.connect(self._tick)
        self._idle_timer.start(int(TICK_S * 1000))
        # Watched on each of the assessor's windows (their QWindow sees every key and click first),
        # not on the whole application: an application-wide Python filter is also handed the
        # events of widgets being destroyed, and crashed there now and then.
        self._activity = _Activity(self.idle, self)
        self.apply_settings(settings)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._activity.watch(self)

    # -- settings and first run ------------------------------------------------------------------

    def _people_page(self) -> PeoplePage:
        page = PeoplePage(self.directory)
        page.start_session.connect(self.start_with_person)
        page.quick_session.connect(self.start_quick)
        page.new_person.connect(lambda: self.edit_person(None))
        page.edit_person.connect(self.edit_person)
        page.unlocked.connect(self.look_for_drafts)
        return page

    def _use_store(self, path: Path) -> None:
        """The people of the store at `path` from now on (chosen in Settings)."""
        if path == self.directory.path:
            return
        self.directory.close()
        self.directory = PeopleDirectory(path, self.run.assessor, pdf_writer=_pdf_writer)
        old, self.people = self.people, self._people_page()
        self._layout.replaceWidget(old, self.people)
        old.deleteLater()
        self.drafts.hide_all()

    def apply_settings(self, settings: AppSettings) -> None:
        if settings.store_path:
            self._use_store(Path(settings.store_path).expanduser())
        self.settings = settings
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        apply_theme(app, settings.theme, self._system_font)
        self.idle.lock_after_s = 60.0 * settings.idle_lock_minutes

    def first_run_if_needed(self) -> None:
        """The set-up wizard the first time (not in a demo, where nothing needs choosing)."""
        if self.run.demo or not needs_first_run(self.settings):
            return
        from ui.first_run import FirstRunWizard

        wizard = FirstRunWizard(self.settings, self, settings_file=self._settings_file)
        if wizard.exec():
            self.apply_settings(wizard.settings)
            self.people.lock()  # shows the store the wizard may have made, locked

    def open_settings(self) -> None:
        from ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self, settings_file=self._settings_file)
        if dialog.exec():
            self.apply_settings(dialog.settings)

    # -- people ----------------------------------------------------------------------------------

    def edit_person(self, profile_id: str | None) -> None:
        """The profile editor for the opened person (or a new one); saved through the store as a
        new version, which the people page then shows."""
        from ui.profile_editor import ProfileEditor

        profile = self.people.profile if profile_id is not None else None
        editor = ProfileEditor(copy.deepcopy(profile) if profile else None, self)
        if not editor.exec():
            return
        data = editor.profile()
        saving = self.directory.update(profile_id, data) if profile_id else self.directory.save_new(data)

        def saved(done: Any) -> None:
            error = done.exception()
            if error is not None:
                self._saved.emit(None, f"The profile was not saved: {error}")
            else:
                self._saved.emit(profile_id or done.result(), None)

        saving.add_done_callback(saved)

    def _person_saved(self, profile_id: str | None, problem: str | None) -> None:
        self._say_problem(problem)
        if profile_id is not None:
            self.people.person_saved(profile_id)

    # -- sessions --------------------------------------------------------------------------------

    def start_quick(self) -> None:
        self._start(None)

    def start_with_person(self, profile_id: str, profile: dict[str, Any]) -> None:
        self._start(profile)

    def _start(self, profile: dict[str, Any] | None) -> None:
        try:
            run = self.run.session(profile, self._session_store(), self.settings)
        except (CommandError, ProfileError) as error:  # a training recording gone, a store gone
            self._say_problem(f"The session could not start: {error}")
            return
        self.open_session(run)

    def resume_draft(self, draft: Draft) -> None:
        """Go on with an unfinished session: its record as it was, saved over the same draft. The
        person's profile is read on the store's thread first."""
        if draft.profile_id is None:
            self._resume(draft, None, None)
            return
        self.directory.open_person(draft.profile_id).add_done_callback(
            lambda done: self._profile_for_draft.emit(
                draft, None if done.exception() else done.result(), done.exception()
            )
        )

    def _resume(self, draft: Draft, profile: dict[str, Any] | None, error: BaseException | None) -> None:
        if error is not None:
            self._say_problem(f"The unfinished session could not be resumed: {error}")
            return
        run = self.run.session(profile, self._session_store(), self.settings)
        record = SessionRecord.from_data(draft.record)
        self.open_session(dataclasses.replace(run, record=record), draft.id)
        self.drafts.forget(draft.id)

    def finish_draft(self, draft: Draft) -> None:
        if draft.profile_id is None:
            QMessageBox.information(
                self,
                "A quick session's record",
                "This record belongs to nobody yet: resume it, then end the session to copy or save it.",
            )
            return
        self.drafts.forget(draft.id)
        self.directory.finish_draft(draft.id).add_done_callback(
            lambda done: self._drafts_problem.emit(_problem(done))
        )

    def _session_store(self) -> ProfileStore | None:
        """A connection of the session's own to the unlocked store (None without one): locking the
        home closes the home's, and the session's record must go on being saved."""
        store = self.directory.store
        return store.reopened() if store is not None else None

    def open_session(self, run: AppRun, draft_id: str | None = None) -> None:
        from ui.assessor_app import launch_session

        if self.session is not None:
            self.session.raise_()
            return
        window = launch_session(run, draft_id)
        window.interrupted = self.interrupted
        self._activity.watch(window)
        window.people_choices = [(p.id, p.preferred_name) for p in self.directory.search("")]
        window.closed.connect(lambda: self._session_closed(run))
        self.session = window
        self.hide()

    def _session_closed(self, run: AppRun) -> None:
        if self.session is not None:
            self.session.deleteLater()  # a session's window is not opened again
        self.session = None
        if run.store is not None:
            run.store.close()
        self.show()
        self.look_for_drafts()

    def _say_problem(self, problem: str | None) -> None:
        self.notice.setText(problem or "")
        self.notice.setVisible(bool(problem))

    def _draft_kept(self, problem: str | None) -> None:
        self._say_problem(problem)
        if problem:
            self.look_for_drafts()  # the draft is still there: offer it again

    def close_sessions(self) -> None:
        if self.session is not None:
            self.session.close()

    def look_for_drafts(self) -> None:
        if self.directory.store is None:
            return
        future = self.directory.drafts()
        future.add_done_callback(
            lambda done: self._drafts_found.emit(done.result() if not done.exception() else [])
        )

    # -- locking ---------------------------------------------------------------------------------

    def _tick(self) -> None:
        reason = self.idle.tick()
        if reason is not None:
            self.lock(reason)

    def lock(self, reason: str) -> None:
        """Hide names and records (`reason`: idle or slept); the passphrase unlocks."""
        if self.directory.is_unlocked:  # not again while locked: it would be announced again
            self.people.lock()
        self.drafts.hide_all()
        if self.session is not None and not self.session.locked:
            path, who = self.directory.path, self.directory.who
            self.session.lock(_verifier(path, who) if path.exists() else None)

    def closeEvent(self, event: Any) -> None:
        self.close_sessions()
        if self.session is not None and self.session.isVisible():
            event.ignore()  # the session asked, and the assessor chose to stay
            return
        self._idle_timer.stop()
        self.directory.close()
        super().closeEvent(event)


class _Activity(QObject):
    """The assessor touched the keyboard or mouse somewhere in the app."""

    def __init__(self, watch: IdleWatch, parent: QObject) -> None:
        super().__init__(parent)
        self._watch = watch

    def watch(self, window: QWidget) -> None:
        handle = window.windowHandle()
        if handle is not None:
            handle.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self._watch.touched()
        return False


def _problem(done: Any) -> str | None:
    error = done.exception()
    return None if error is None else f"The unfinished record could not be kept: {error}"


def _verifier(path: Path, who: str) -> Any:
    def verify(passphrase: str) -> bool:
        try:
            ProfileStore.open(path, passphrase, who).close()
        except ProfileError:
            return False
        return True

    return verify


def _pdf_writer(passport: dict[str, Any], path: Path) -> None:
    from ui.passport_pdf import write_passport_pdf

    write_passport_pdf(passport, path)

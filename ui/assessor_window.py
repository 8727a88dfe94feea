"""The assessor's window for one session: who it is with, the listening panel, the record of
practicable steps, and the end of the session with its summary to check, copy or save."""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from assistant.assessment.autosave import DraftKeeper
from assistant.assessment.listening import ListeningControl
from assistant.assessment.text import record_text
from assistant.cli.desktop import AppRun
from assistant.personalise.save_back import SaveBack, save_back
from assistant.personalise.settings import listening_settings
from profiles.errors import ProfileError
from ui.captions_panel import CaptionsPanel
from ui.conversation_panel import ConversationPanel
from ui.listening_panel import ListeningPanel
from ui.lock_panel import LockPanel
from ui.record_panel import RecordPanel
from ui.session_summary import SummaryDialog

OFFLINE = "Hark works offline: nothing is sent anywhere."


def own_profile(data: dict[str, Any], profile_id: str) -> dict[str, Any]:
    """The editor's profile as the store now holds it (with its id, which the editor keeps)."""
    return {**data, "id": data.get("id", profile_id)}


class AssessorWindow(QMainWindow):
    ended = Signal()
    closed = Signal()  # the window closed (the session's engine can go)
    saving_problem = Signal(object)  # a sentence, or None when saving works again (any thread)
    _profile_saved = Signal(object, str)  # (the saved profile or None, a sentence), from a thread
    _kept = Signal(object, object, object)  # (session id or None, problem or None, profile id)

    def __init__(self, run: AppRun, control: ListeningControl, engine: object) -> None:
        super().__init__()
        self.run, self.control = run, control
        self.setWindowTitle("Hark: assessment")
        self._title = self.windowTitle()
        self.engine: Any = engine
        who = f"Session with {run.person}" if run.person else "Quick session: no profile in use"
        demo = " Demo: a recording is playing as the microphone." if run.demo else ""
        self.header = QLabel(f"<b>{who}</b>. {OFFLINE}{demo}")
        self.header.setWordWrap(True)
        self.listening = ListeningPanel(control, engine)
        self.record = RecordPanel(run.record)
        self.end = QPushButton("&End the session…")
        self.end.clicked.connect(self.end_session)
        self.profile = run.profile  # the person's profile as it is now (the editor may save a new one)
        self.tune = QPushButton(f"Edit {run.person}'s &profile (changes are heard as you make them)…")
        self.tune.clicked.connect(self.edit_profile)
        self.tune.setVisible(run.profile is not None and run.store is not None)
        self.columns = QSplitter(Qt.Orientation.Horizontal)  # the assessor can widen what they need
        self.columns.setChildrenCollapsible(False)
        self.columns.addWidget(self.listening)
        self.columns.addWidget(self.record)
        body = QWidget()
        self.body = body
        layout = QVBoxLayout(body)
        layout.addWidget(self.header)
        layout.addWidget(self.columns, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.tune)
        bottom.addWidget(self.end, 1)
        layout.addLayout(bottom)
        self.pages = QStackedWidget()
        self.pages.addWidget(body)
        self.setCentralWidget(self.pages)
        self.lock_panel: LockPanel | None = None
        self.saving = QLabel()
        self.saving.setWordWrap(True)
        self.saving.setAccessibleName("Saving the record")
        self.saving.hide()
        layout.insertWidget(1, self.saving)
        self.saving_problem.connect(self._show_saving_problem)
        self._profile_saved.connect(self._on_profile_saved)
        self._kept.connect(self._on_kept)
        self._keeping = False
        self._kept_problem: str | None = None
        self._keeping_thread: threading.Thread | None = None
        self.editor: Any = None
        self.keeper: DraftKeeper | None = None
        self.people_choices: list[tuple[str, str]] = []  # (id, name): whom a quick session's record can go to
        self.saved_as: str | None = None
        self.summary: SummaryDialog | None = None
        self.interrupted = threading.Event()  # Ctrl+C in the terminal: close without asking
        self._ended = False
        self.captions: CaptionsPanel | None = None
        self.conversation: ConversationPanel | None = None
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Notice")
        self.notice.hide()
        layout.insertWidget(1, self.notice)

    def add_conversation(
        self, captions: CaptionsPanel, conversation: ConversationPanel, problems: list[str]
    ) -> None:
        """The captions and conversation panels, between listening and the record. The whistling
        check pauses the captions (its sweep is not speech)."""
        self.captions, self.conversation = captions, conversation
        centre = QSplitter(Qt.Orientation.Vertical)
        centre.setChildrenCollapsible(False)
        centre.addWidget(captions)
        centre.addWidget(conversation)
        self.columns.insertWidget(1, centre)
        self.columns.setSizes([300, 560, 380])
        session = captions.session

        def around(checking: bool) -> None:
            if session.worker is not None:
                session.worker.paused = checking or session.paused

        self.listening.feedback.around = around
        if problems:
            self.notice.setText(" ".join(problems))
            self.notice.show()

    def edit_profile(self) -> None:
        """The person's profile editor; its listening settings are heard as they change, and saving
        keeps them as a new version. Cancelling puts back what the session had before."""
        from ui.profile_editor import ProfileEditor

        assert self.profile is not None
        before, values = self.engine.settings, dict(self.control.values)
        editor = ProfileEditor(copy.deepcopy(self.profile), self)
        editor.listening_changed.connect(self._try_listening)
        self.editor = editor
        if not editor.exec():
            self.engine.configure(before)
            self.control.values.update(values)
            self.listening.follow_control()
            return
        data, store, profile_id = editor.profile(), self.run.store, self.profile["id"]

        def save() -> None:
            try:
                with store.reopened() as own:
                    version = own.update_profile(profile_id, data)
                self._profile_saved.emit(
                    own_profile(data, profile_id), f"Saved as version {version} of the profile."
                )
            except ProfileError as error:
                self._profile_saved.emit(None, f"The profile was not saved: {error}")

        threading.Thread(target=save, name="hark-profile-save", daemon=True).start()

    def _try_listening(self, listening: dict[str, Any]) -> None:
        assert self.profile is not None
        tried = {**self.profile, "hearing": {**self.profile["hearing"], "listening": listening}}
        self.control.try_profile(listening_settings(tried), listening.get("tone_preset"))
        self.listening.follow_control()

    def _on_profile_saved(self, profile: dict[str, Any] | None, sentence: str) -> None:
        if profile is not None:
            self.profile = profile
        self.notice.setText(sentence)
        self.notice.show()

    def _stop_conversation(self) -> None:
        """Before the engine goes: the caption worker reads the engine's memory until it stops."""
        if self.conversation is not None:
            self.conversation.stop()
        if self.captions is not None:
            self.captions.stop()

    def lock(self, verify: Callable[[str], bool] | None) -> None:
        """Hide the person's name and the record until the passphrase is given (`verify` checks it;
        None: no store, a click unlocks). Listening goes on, and mute still works."""
        if self.lock_panel is None:
            self.lock_panel = LockPanel(verify)
            self.lock_panel.unlocked.connect(self.unlock)
            self.pages.addWidget(self.lock_panel)
        self._title = self.windowTitle()
        self.setWindowTitle("Hark: locked")
        self.pages.setCurrentWidget(self.lock_panel)

    @property
    def locked(self) -> bool:
        return self.pages.currentWidget() is not self.body

    def unlock(self) -> None:
        self.pages.setCurrentWidget(self.body)
        self.setWindowTitle(self._title)

    def keep_drafts(self, keeper: DraftKeeper) -> None:
        """Save the record in the person's store as the session goes (an encrypted draft)."""
        self.keeper = keeper
        keeper.start()
        self._show_saving_problem(None)

    def end_session(self) -> None:
        if not self._ended:
            self._ended = True
            self._stop_conversation()
            self.control.flush()
            self.run.record.saw("listening", "Listening stopped: the session ended")
            self.run.record.end()
            self.record.refresh()
            self.end.setText("Show the session's &summary…")
            self.ended.emit()  # the draft goes on being saved: corrections after the end count
        text = record_text(self.run.record, self.run.person, self.run.assessor)
        profile = self.run.profile
        person_id = profile.get("id") if profile is not None else None
        self.summary = SummaryDialog(
            text,
            self,
            keep=self.keep if self.keeper is not None and self.saved_as is None else None,
            save_back=self._save_back if person_id and self.run.store is not None else None,
            store=self.run.store,
            profile_id=person_id,
            people=self.people_choices if person_id is None else None,
        )
        if self._keeping:
            self.summary.message.setText("Keeping the record in the profile store…")
        elif self._kept_problem is not None:
            self.summary.kept(self._kept_problem)
        self.summary.open()

    def keep(self, profile_id: str | None = None) -> None:
        """Keep the record with its person (or `profile_id`, for a quick session) in the store, on a
        thread (the store may be busy with another Hark); `_kept` says how it went."""
        if self.keeper is None or (self.run.profile is None and profile_id is None) or self._keeping:
            return  # a quick session's record stays a draft until it is given to somebody
        keeper, self._keeping = self.keeper, True

        def work() -> None:
            try:
                self.saved_as = keeper.finish(profile_id)  # here too: closing checks it at once
                self._kept.emit(self.saved_as, None, profile_id)
            except ProfileError as error:
                self._kept.emit(None, str(error), profile_id)

        self._keeping_thread = threading.Thread(target=work, name="hark-keep-record", daemon=True)
        self._keeping_thread.start()

    def _on_kept(self, saved_as: str | None, problem: str | None, profile_id: str | None) -> None:
        self._keeping, self._kept_problem = False, problem
        if saved_as is not None:
            self.saved_as = saved_as
            name = self.run.person or dict(self.people_choices).get(profile_id or "", "the person")
            self.saving.setText(f"The record is kept in {name}'s profile store.")
        else:
            self._show_saving_problem(f"The record could not be kept in the store: {problem}")
        if self.summary is not None:
            self.summary.kept(problem)

    def _save_back(self) -> SaveBack:
        assert self.profile is not None
        engine = self.engine
        return save_back(
            self.profile,
            engine.settings,
            engine.noise_reduction_method,
            self.control.values["tone_preset"],
        )

    def _show_saving_problem(self, problem: object) -> None:
        if problem is None:
            self.saving.setText("The record is saved in the person's encrypted profile store as you go.")
        else:
            self.saving.setText(f"<b>{problem}</b>")
        self.saving.show()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._ended and self.run.record.steps() and not self.interrupted.is_set():
            answer = QMessageBox.question(
                self,
                "End the session?",
                "Closing ends the session. "
                + (
                    "Its record stays in the store as an unfinished draft. "
                    if self.keeper is not None
                    else "Its record is not kept unless you copy or save it from the summary. "
                )
                + "Close anyway?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        if self._keeping_thread is not None:
            self._keeping_thread.join(timeout=30)  # the record being kept: not a new draft over it
        if self.keeper is not None and self.saved_as is None:
            self.keeper.stop()
            self.keeper.save_now()  # the draft stays, whole, for the next start
            if self._ended and self.run.profile is not None:  # checked: keep it with the person
                with contextlib.suppress(ProfileError):  # if not, the draft is offered next time
                    self.saved_as = self.keeper.finish()
        self._stop_conversation()
        self.listening.stop()  # their timers read the engine and the record, both ending now
        self.record.stop()
        super().closeEvent(event)
        self.closed.emit()

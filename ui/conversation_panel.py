"""The assessor's conversation panel: type to speak, quick phrases, the person's typed reply shown
large, and the conversation so far.

Everything goes through the desk (assistant/conversation/desk.py, as `hark captions` uses it through
DeskActions): it speaks into the person's headphones or to the room, shows the line in the person's
caption window when that is open, and keeps the conversation's timeline. The session's record gets
each use, as counts unless the person agreed to keeping words: a typed line at once, a phrase once
its speech has ended (so the record never claims speech that failed).

Keys (shown on the controls too): Ctrl+P quick phrases, Ctrl+T type to say, Ctrl+R the person types
a reply; window-wide in the assessor's window only, so the person's caption window keeps its own
keys (+, -, Space, F11, Esc).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from assistant.assessment.record import SessionRecord
from assistant.conversation.desk import Said
from assistant.conversation.desk_actions import DeskActions
from assistant.conversation.errors import DeskError, PhraseError
from ui.flow_layout import FlowLayout
from ui.phrase_picker import PhrasePicker
from ui.session_timeline import TimelineView

PHRASES_KEY, SAY_KEY, REPLY_KEY = "Ctrl+P", "Ctrl+T", "Ctrl+R"
MAX_PHRASE_BUTTONS = 8
# With no favourites: a few everyday phrases, until the person's own are chosen.
EVERYDAY_PHRASES = (
    "intro.hello", "comfort.hear-me", "comfort.loud-enough", "understanding.own-words",
    "endings.need-break", "endings.stop-any-time",
)  # fmt: skip
REPLY_PT = 28
ENTRY_PT = 16
SPEECH_CHECK_MS = 200  # how often the record is told of phrases whose speech has ended
NO_ROOM = "No room speaker is set up for this session."


class ConversationPanel(QGroupBox):
    def __init__(
        self,
        actions: DeskActions,
        record: SessionRecord,
        person_sees: Callable[[], bool] = lambda: False,
        parent: QWidget | None = None,
    ) -> None:
        """`actions`: the desk and phrases (assistant.conversation.desk_actions.DeskActions, its desk
        from CaptionSession.make_desk). `person_sees`: whether the person's caption window is open,
        so lines are shown there too (CaptionsPanel.person_window_open)."""
        super().__init__("Conversation", parent)
        self.desk_actions, self.desk, self.record, self.person_sees = (
            actions,
            actions.desk,
            record,
            person_sees,
        )
        self._speaking: list[tuple[Said, str, bool]] = []  # (said, phrase id, shown): not yet recorded

        self.say_entry = self._entry("Type to say", "What to say to the person. Enter says it.")
        self.say_entry.returnPressed.connect(self.say_typed)
        say_label = QLabel(f"Type to say ({SAY_KEY}):")
        say_label.setBuddy(self.say_entry)
        self.say_button = self._button("Say it", self.say_typed, "Say the typed words to the person.")
        self.headphones = QRadioButton("Into the hea&dphones")
        self.headphones.setAccessibleName("Say it into the person's headphones")
        self.room = QRadioButton("To the roo&m")
        self.room.setAccessibleName("Say it to the room, on the room speaker")
        self.route = QButtonGroup(self)
        for choice in (self.headphones, self.room):
            self.route.addButton(choice)
        (self.room if self.desk.preferences.route == "room" else self.headphones).setChecked(True)
        if self.desk.room_sink is None:
            self.room.setEnabled(False)
            self.room.setAccessibleDescription(NO_ROOM)
            self.room.setToolTip(NO_ROOM)
        self.stop_button = self._button(
            "Stop spea&king", self.desk.stop_speaking, "Stop what is being said and drop what is waiting."
        )

        self.picker = PhrasePicker(actions.phrase_groups(), self)
        self.picker.setWindowFlag(Qt.WindowType.Dialog)
        self.picker.chosen.connect(self._picked)
        self.all_phrases = self._button(
            f"All quick phrases… ({PHRASES_KEY})", self.open_phrases, "Every quick phrase, favourites first."
        )
        self.phrase_buttons = [self._phrase_button(pid, text) for pid, text in self._quick_phrases()]

        self.reply_entry = self._entry("The person's reply", "The person types here. Enter shows it large.")
        self.reply_entry.returnPressed.connect(self.show_reply)
        reply_label = QLabel(f"The person types a reply ({REPLY_KEY}):")
        reply_label.setBuddy(self.reply_entry)
        self.read_aloud = QCheckBox("Read it &out to the room")
        self.read_aloud.setAccessibleName("Read the reply out to the room")
        if self.desk.room_sink is None:
            self.read_aloud.setEnabled(False)
            self.read_aloud.setAccessibleDescription(NO_ROOM)
            self.read_aloud.setToolTip(NO_ROOM)
        self.reply_button = self._button("Show reply", self.show_reply, "Show the typed reply large.")
        self.reply_shown = QLabel()
        self.reply_shown.setWordWrap(True)
        self.reply_shown.setAccessibleName("The person's reply, shown large")
        big = QFont(self.reply_shown.font())
        big.setPointSize(REPLY_PT)
        big.setBold(True)
        self.reply_shown.setFont(big)
        self.reply_shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.reply_shown.hide()
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem")
        self.problem.hide()
        self.timeline = TimelineView(self.desk.conversation)

        say_row = QHBoxLayout()
        say_row.addWidget(self.say_entry, 1)
        say_row.addWidget(self.say_button)
        route_row = QHBoxLayout()
        for widget in (self.headphones, self.room):
            route_row.addWidget(widget)
        route_row.addStretch(1)
        route_row.addWidget(self.stop_button)
        phrases = FlowLayout(spacing=8)
        for button in (*self.phrase_buttons, self.all_phrases):
            phrases.addWidget(button)
        reply_row = QHBoxLayout()
        reply_row.addWidget(self.reply_entry, 1)
        reply_row.addWidget(self.reply_button)
        layout = QVBoxLayout(self)
        for part in (
            say_label,
            say_row,
            route_row,
            QLabel("Quick phrases:"),
            phrases,
            reply_label,
            reply_row,
        ):
            if isinstance(part, QWidget):
                layout.addWidget(part)
            else:
                layout.addLayout(part)
        layout.addWidget(self.read_aloud)
        layout.addWidget(self.reply_shown)
        layout.addWidget(self.problem)
        layout.addWidget(QLabel("The conversation so far:"))
        layout.addWidget(self.timeline, 1)

        self.shortcuts = [
            self._key(PHRASES_KEY, self.open_phrases),
            self._key(SAY_KEY, lambda: self.say_entry.setFocus(Qt.FocusReason.ShortcutFocusReason)),
            self._key(REPLY_KEY, lambda: self.reply_entry.setFocus(Qt.FocusReason.ShortcutFocusReason)),
        ]
        self._speech_check = QTimer(self)
        self._speech_check.timeout.connect(self.record_ended_speech)
        self._speech_check.start(SPEECH_CHECK_MS)

    # --- building --------------------------------------------------------------------------
    def _entry(self, name: str, description: str) -> QLineEdit:
        entry = QLineEdit()
        entry.setAccessibleName(name)
        entry.setAccessibleDescription(description)
        font = QFont(entry.font())
        font.setPointSize(ENTRY_PT)
        entry.setFont(font)
        return entry

    def _button(self, text: str, slot: Any, description: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.replace("&", ""))
        button.setAccessibleDescription(description)
        button.clicked.connect(slot)
        return button

    def _phrase_button(self, phrase_id: str, text: str) -> QPushButton:
        button = QPushButton(text.replace("&", "&&"))
        button.setAccessibleName(f"Say: {text}")
        button.setAccessibleDescription(
            "Says this phrase to the person, and shows it when their captions are open."
        )
        button.setProperty("phrase_id", phrase_id)
        button.clicked.connect(lambda: self.say_phrase(phrase_id))
        return button

    def _quick_phrases(self) -> list[tuple[str, str]]:
        """The person's favourites (as they will be said); with none, a few everyday phrases."""
        groups = self.desk_actions.phrase_groups()
        favourites = list(groups[0][1])
        if favourites:
            return favourites[:MAX_PHRASE_BUTTONS]
        shown = {pid: text for _, phrases in groups[1:] for pid, text in phrases}
        return [(pid, shown[pid]) for pid in EVERYDAY_PHRASES if pid in shown]

    def _key(self, key: str, slot: Any) -> QShortcut:
        shortcut = QShortcut(QKeySequence(key), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)  # the assessor's window, not the person's
        shortcut.activated.connect(slot)
        return shortcut

    # --- actions ---------------------------------------------------------------------------
    def open_phrases(self) -> None:
        self.picker.open_over(self.window())

    def say_typed(self) -> None:
        text = self.say_entry.text()
        problem = self._use(lambda: self.desk.say_typed(text, speak=True, show=self.person_sees()))
        if problem is None:
            self.record.typed("assessor", text.strip())
            self.say_entry.clear()

    def say_phrase(self, phrase_id: str, speak: bool = True) -> str | None:
        """Say (and show, when the person's window is open) a phrase; None, or why it was not used."""
        shown = self.person_sees()
        if not (speak or shown):
            return self._problem(
                "The person's captions are not open, so there is nowhere to show the phrase. "
                "Open them with Show captions to the person, or say the phrase."
            )
        said: list[Said] = []

        def use() -> None:
            phrase = self.desk_actions.library.get(phrase_id)
            said.append(self.desk.say_phrase(phrase, self.desk_actions.fields, speak=speak, show=shown))

        problem = self._use(use)
        if problem is None:
            self._speaking.append((said[0], phrase_id, shown))
            self.record_ended_speech()
        return problem

    def show_reply(self) -> None:
        text = self.reply_entry.text()
        problem = self.desk_actions.person_typed(
            text, self.read_aloud.isChecked() and self.read_aloud.isEnabled()
        )
        if problem is not None:
            self._problem(problem)
            return
        self._problem(None)
        self.record.typed("person", text.strip())
        self.reply_shown.setText(f"You wrote: {text.strip()}")
        self.reply_shown.setAccessibleDescription(text.strip())
        self.reply_shown.show()
        self.reply_entry.clear()

    def record_ended_speech(self) -> None:
        """Tell the record of phrases whose speech has ended, as it ended (spoken, or only shown)."""
        for item in list(self._speaking):
            said, phrase_id, shown = item
            if not said.wait(0):
                continue
            self._speaking.remove(item)
            spoken = said.outcome == "spoken"
            if spoken or shown:
                self.record.phrase(phrase_id, said.text, spoken=spoken, shown=shown)

    def stop(self) -> None:
        """Stop following the conversation and close the phrase list; record what has finished."""
        self._speech_check.stop()
        self.record_ended_speech()
        self.timeline.stop()
        self.picker.close()

    # --- inside ----------------------------------------------------------------------------
    def _use(self, action: Callable[[], object]) -> str | None:
        """Run a desk action on the chosen route; None, or the problem (shown here)."""
        route = "room" if self.room.isChecked() else "headphones"
        if self.desk.preferences.route != route:
            self.desk.preferences = dataclasses.replace(self.desk.preferences, route=route)
        try:
            action()
        except (DeskError, PhraseError) as error:
            return self._problem(str(error))
        return self._problem(None)

    def _problem(self, text: str | None) -> str | None:
        self.problem.setText(text or "")
        self.problem.setVisible(text is not None)
        return text

    def _picked(self, phrase_id: str, speak: bool) -> None:
        problem = self.say_phrase(phrase_id, speak)
        if problem:
            self.picker.show_problem(problem)
        else:
            self.picker.close()

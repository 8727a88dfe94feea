"""The desk's controls: the assessor's keys in the caption window. Ctrl+P quick phrases, Ctrl+T type
to say, Ctrl+R the person types a reply, Ctrl+F check for whistling (no dialog: the status line
answers). The first three open their dialog over the window (ui/phrase_picker.py,
ui/typing_bar.py); what was chosen or typed goes to `DeskActions` (the application side,
assistant/conversation/desk_actions.py), which answers None when it was used or a sentence saying
why not.

Attached from outside, so the caption window itself only gains a mention of the keys; none of
its own keys (F11, Esc, +, -, Space) is taken.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from ui.phrase_picker import PhrasePicker
from ui.typing_bar import reply_bar, say_bar

if TYPE_CHECKING:
    from assistant.conversation.desk_actions import DeskActions

PHRASES_KEY, SAY_KEY, REPLY_KEY, FEEDBACK_KEY = "Ctrl+P", "Ctrl+T", "Ctrl+R", "Ctrl+F"
KEYS_HELP = (
    "Ctrl+P quick phrases, Ctrl+T type to say, Ctrl+R the person types a reply, Ctrl+F check for whistling."
)


class DeskControls:
    def __init__(
        self, window: QWidget, actions: DeskActions, check_feedback: Callable[[], None] | None = None
    ) -> None:
        self.window, self.actions = window, actions
        self.picker = PhrasePicker(actions.phrase_groups(), window)
        self.say = say_bar(window)
        self.reply = reply_bar(window)
        for dialog in (self.picker, self.say, self.reply):
            dialog.setWindowFlag(Qt.WindowType.Dialog)
            # Back to the caption window when a dialog closes, so its keys work again at once.
            dialog.finished.connect(lambda _result: self.window.activateWindow())
        self.picker.chosen.connect(self._phrase)
        self.say.submitted.connect(lambda text, _: self._typed(self.say, self.actions.say_typed(text)))
        self.reply.submitted.connect(
            lambda text, aloud: self._typed(self.reply, self.actions.person_typed(text, aloud))
        )
        self.shortcuts = [
            self._key(PHRASES_KEY, self.open_phrases),
            self._key(SAY_KEY, self.open_say),
            self._key(REPLY_KEY, self.open_reply),
        ]
        if check_feedback is not None:
            self.shortcuts.append(self._key(FEEDBACK_KEY, check_feedback))
        window.setAccessibleDescription(f"{window.accessibleDescription()} {KEYS_HELP}")

    def _key(self, key: str, slot: Any) -> QShortcut:
        shortcut = QShortcut(QKeySequence(key), self.window)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(slot)
        return shortcut

    def open_phrases(self) -> None:
        self.picker.open_over(self.window)

    def open_say(self) -> None:
        self.say.open_over(self.window)

    def open_reply(self) -> None:
        self.reply.open_over(self.window)

    def close_all(self) -> None:
        for dialog in (self.picker, self.say, self.reply):
            dialog.close()

    def _phrase(self, phrase_id: str, speak: bool) -> None:
        problem = self.actions.say_phrase(phrase_id, speak)
        if problem:
            self.picker.show_problem(problem)
        else:
            self.picker.close()

    def _typed(self, bar: Any, problem: str | None) -> None:
        if problem:
            bar.show_problem(problem)
        else:
            bar.done_with_text()

"""The profile editor: every field of a communication profile (profiles/SCHEMA.md) in one dialog.

Tabs follow the printed passport. The profile model's own validator (profiles/model.py) judges
every value; each problem is written beside its field, and Save is refused, with the count and
where, until none is left. The dialog never touches the store: the caller saves `profile()` with
`ProfileStore.create_profile` or `update_profile` (off the GUI thread). While the person listens,
`listening_changed` carries the listening section a moment after each change, so it can be heard
at once.
"""

from __future__ import annotations

import copy
import re
from datetime import date
from functools import partial
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from profiles.errors import ProfileError
from profiles.model import (
    changed_fields,
    check_profile,
    default_profile,
    expand_short_form,
    review_date_problems,
)
from profiles.wording import counted
from ui.profile_editor_fields import MISSING, PROBLEM_STYLE, Binding, Form
from ui.profile_editor_pages import build_pages

LISTENING = "hearing.listening"
LISTENING_DELAY_MS = 200  # a dragged slider sends its settled value, not every step
_TOKENS = re.compile(r"[^.\[\]]+|\[\d+\]")


def path_keys(path: str) -> list[str | int]:
    """`hearing.listening.left_tone_db[3]` -> ["hearing", "listening", "left_tone_db", 3]."""
    return [int(token[1:-1]) if token.startswith("[") else token for token in _TOKENS.findall(path)]


def get_path(data: Any, path: str) -> Any:
    for key in path_keys(path):
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return MISSING
    return data


def set_path(data: Any, path: str, value: Any) -> None:
    """Sets the value; leaves it out when it reads MISSING, or when its parent is null (no audiogram)."""
    *parents, last = path_keys(path)
    for key in parents:
        data = data[key]
        if data is None:
            return
    if value is MISSING:
        data.pop(last, None)
    else:
        data[last] = value


def _overlay(base: Any, given: Any) -> Any:
    """The given profile over the defaults: a value the model would refuse is kept, to be shown and fixed."""
    if isinstance(base, dict) and isinstance(given, dict):
        return {key: _overlay(value, given[key]) if key in given else value for key, value in base.items()}
    return copy.deepcopy(given)


class ProfileEditor(QDialog):
    """Edits one profile; `profile` None starts a new person. `profile()` gives the result."""

    listening_changed = Signal(object)  # the hearing.listening dict, as the profile would store it

    def __init__(self, profile: dict[str, Any] | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        given = expand_short_form(profile) if profile is not None else None
        if given is None:
            self._base = default_profile("?")
            self._base["identity"]["preferred_name"] = ""
        else:
            self._base = _overlay(check_profile(given)[0], given)
        self._original = copy.deepcopy(self._base) if profile is not None else None
        name = self._base["identity"]["preferred_name"]
        self.setWindowTitle(f"Profile: {name}" if name else "New profile")
        self.setAccessibleName(self.windowTitle())
        self._result: dict[str, Any] | None = None
        self._save_tried = False
        self._touched: set[int] = set()
        self._loading = True

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(PROBLEM_STYLE)
        self.summary.hide()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Parts of the profile")
        self.tabs.tabBar().setAccessibleName("Parts of the profile")
        pages, self.lists, self.tone = build_pages(reserved="sc")
        self.forms: list[Form] = []
        for number, (title, form) in enumerate(pages, 1):
            self.tabs.addTab(form, f"&{number % 10} {title}")  # Alt and the number opens the tab
            self.tabs.setTabToolTip(number - 1, title)
            self.forms.append(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        save, cancel = (
            self.buttons.button(b)
            for b in (QDialogButtonBox.StandardButton.Save, QDialogButtonBox.StandardButton.Cancel)
        )
        save.setText("&Save")
        save.setAccessibleName("Save the profile")
        cancel.setText("&Cancel")
        cancel.setAccessibleName("Close without saving")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self.resize(900, 720)

        self._listening_timer = QTimer(self)
        self._listening_timer.setSingleShot(True)
        self._listening_timer.setInterval(LISTENING_DELAY_MS)
        self._listening_timer.timeout.connect(self._send_listening)
        for binding in self._stored_bindings():
            binding.write(get_path(self._base, binding.path))
            binding.on_change(partial(self._edited, binding))
        for items in self.lists:  # an edit inside an item counts as an edit of that item's field
            items.changed.connect(self._edited_inside_list)
        self.tone.load(self._base["hearing"]["listening"])
        self._last_listening = copy.deepcopy(self._base["hearing"]["listening"])
        self._loading = False

    # -- what the caller uses ----------------------------------------------------------------

    def profile(self) -> dict[str, Any]:
        """The edited profile, complete and normalised by the model; `ProfileError` while it has problems."""
        if self._result is not None:
            return copy.deepcopy(self._result)
        normalised, problems = self._check()
        if problems:
            raise ProfileError(f"The profile is not valid ({counted(len(problems), 'problem')}):", problems)
        return normalised

    def has_changes(self) -> bool:
        return bool(changed_fields(self._base, self._candidate()))

    def fields(self) -> dict[str, QWidget]:
        """Every field's widget by its path, as the profile is now (list items as `needs[0].code`)."""
        return {binding.path: binding.widget for binding in self._all_bindings()}

    def field_widget(self, path: str) -> QWidget | None:
        """The widget that edits `path` (such as `needs[0].code`), or the nearest one holding it."""
        binding = self._binding_for(path)
        return binding.widget if binding else None

    def problems(self) -> dict[str, str]:
        """The problem shown beside each field now, by field path."""
        return {
            binding.path: binding.problem_text for binding in self._all_bindings() if binding.problem_text
        }

    def save(self) -> None:
        """Accepts the dialog when the profile is valid; otherwise shows every problem and where."""
        self._save_tried = True
        normalised, problems = self._check()
        if problems:
            self._show(problems, focus=True)
            return
        self._result = normalised
        self.accept()

    def reject(self) -> None:
        if self.has_changes():
            answer = QMessageBox.question(
                self,
                "Close without saving?",
                "The changes to this profile have not been saved. Close and lose them?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()

    # -- inside ----------------------------------------------------------------------------------

    def _stored_bindings(self) -> list[Binding]:
        return [binding for form in self.forms for binding in form.bindings]

    def _all_bindings(self) -> list[Binding]:
        return self._stored_bindings() + [binding for items in self.lists for binding in items.bindings()]

    def _binding_for(self, path: str) -> Binding | None:
        by_path = {binding.path: binding for binding in self._all_bindings()}
        while path:
            if path in by_path:
                return by_path[path]
            path = path[: max(path.rfind("."), path.rfind("["), 0)]
        return None

    def _candidate(self) -> dict[str, Any]:
        data = copy.deepcopy(self._base)
        for binding in self._stored_bindings():
            set_path(data, binding.path, binding.read())
        return data

    def _check(self) -> tuple[dict[str, Any], list[str]]:
        normalised, problems = check_profile(self._candidate())
        if not problems:
            problems = review_date_problems(self._original, normalised, date.today())
        return normalised, problems

    def _edited(self, binding: Binding) -> None:
        if self._loading:
            return
        self._touched.add(id(binding))
        self._show(self._check()[1], focus=False)
        if binding.path.startswith(LISTENING):
            self._listening_timer.start()

    def _edited_inside_list(self) -> None:
        if not self._loading:
            self._touched.update(id(binding) for items in self.lists for binding in items.bindings())
            self._show(self._check()[1], focus=False)

    def _show(self, problems: list[str], *, focus: bool) -> None:
        found: dict[int, tuple[Binding, str]] = {}
        unplaced: list[str] = []
        for problem in problems:
            path, _, message = problem.partition(": ")
            binding = self._binding_for(path)
            if binding is None:
                unplaced.append(problem)
            elif id(binding) not in found:
                found[id(binding)] = (binding, message)
        for binding in self._all_bindings():
            shown = id(binding) in found and (self._save_tried or id(binding) in self._touched)
            binding.show_problem(found[id(binding)][1] if shown else "")
        if not self._save_tried:
            return
        if not problems:
            self.summary.hide()
            return
        places = [f"{b.widget.accessibleName()} ({self._tab_title(b.widget)})" for b, _ in found.values()]
        text = (
            f"{counted(len(problems), 'problem')} to fix before saving: " + "; ".join(places + unplaced) + "."
        )
        self.summary.setText(text)
        self.summary.setAccessibleName(text)
        self.summary.show()
        if focus and found:
            first = next(iter(found.values()))[0].widget
            self.tabs.setCurrentIndex(self._tab_of(first))
            first.setFocus()
            self.forms[self._tab_of(first)].ensureWidgetVisible(first)

    def _tab_of(self, widget: QWidget) -> int:
        for index, form in enumerate(self.forms):
            if form.isAncestorOf(widget):
                return index
        return 0

    def _tab_title(self, widget: QWidget) -> str:
        return self.tabs.tabToolTip(self._tab_of(widget))

    def _send_listening(self) -> None:
        normalised, problems = check_profile(self._candidate())
        if any(problem.startswith(LISTENING) for problem in problems):
            return  # the engine is only ever sent values the profile accepts
        listening = normalised["hearing"]["listening"]
        if listening != self._last_listening:
            self._last_listening = copy.deepcopy(listening)
            self.listening_changed.emit(copy.deepcopy(listening))

"""The People page of the assessor's app: unlock the store, find a person, see their key needs.

Every store call goes through `PeopleDirectory` (assistant/people/directory.py) on its worker
thread; `FutureDelivery` brings each outcome back to this thread, so unlocking (about a second)
or another Hark holding the store never freezes the window. The people are listed once per
unlock and searched in memory, so typing a name writes nothing to the audit log. Opening a
person is audited as a view; they open when Enter is pressed or the selection rests on them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from concurrent.futures import Future
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QListWidgetItem, QStackedWidget, QVBoxLayout, QWidget

from assistant.people.directory import PeopleDirectory, Person, StoreInUseError
from assistant.people.key_needs import key_needs
from assistant.personalise.store import MIN_PASSPHRASE, passphrase_problem
from profiles.errors import WrongPassphraseError
from profiles.wording import counted
from ui.announce import Announcer
from ui.passport_pdf import write_passport_pdf
from ui.people_actions import PersonActions
from ui.people_futures import FutureDelivery, in_words
from ui.people_views import CreateView, DirectoryView, LockedView

WRONG_PASSPHRASE = "That passphrase did not unlock the store. Check Caps Lock and try again."
OVERDUE = "Review overdue"
# Spelled out here: strftime's %B follows the machine's locale.
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")  # fmt: skip
OPEN_AFTER_MS = 400  # a selection resting this long opens the person; arrowing past opens nobody


class PeoplePage(QWidget):
    start_session = Signal(str, object)  # (profile id, the person's current profile dict)
    quick_session = Signal()
    edit_person = Signal(str)  # profile id: open the profile editor
    new_person = Signal()  # open the profile editor for a new person
    unlocked = Signal()
    locked = Signal()

    def __init__(self, directory: PeopleDirectory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.directory = directory
        if directory.pdf_writer is None:
            directory.pdf_writer = write_passport_pdf
        self.delivery = FutureDelivery(self)
        self.announcer = Announcer(self)
        self._era = 0  # bumped by lock(): outcomes of calls made before it are dropped
        self.person: Person | None = None
        self.profile: dict[str, Any] | None = None  # the opened person's profile
        self.person_actions = PersonActions(self)
        self._open_timer = QTimer(self, singleShot=True, interval=OPEN_AFTER_MS)
        self._open_timer.timeout.connect(self.open_selected)

        self.locked_view, self.create_view, self.directory_view = LockedView(), CreateView(), DirectoryView()
        self.stack = QStackedWidget()
        for view in (self.locked_view, self.create_view, self.directory_view):
            self.stack.addWidget(view)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.message)

        locked, create, view = self.locked_view, self.create_view, self.directory_view
        locked.passphrase.returnPressed.connect(self._unlock)
        locked.unlock.clicked.connect(self._unlock)
        locked.quick.clicked.connect(self.quick_session)
        create.first.textChanged.connect(self._rule)
        create.second.returnPressed.connect(self._create)
        create.create_store.clicked.connect(self._create)
        create.skip.clicked.connect(self.quick_session)
        view.search.textChanged.connect(self.refill)
        view.search.returnPressed.connect(self._open_first)
        view.people.currentItemChanged.connect(self._selected)
        view.people.itemActivated.connect(lambda _: self.open_selected())
        view.new.clicked.connect(self.new_person)
        view.quick.clicked.connect(self.quick_session)
        view.lock.clicked.connect(self.lock)
        view.start.clicked.connect(self._start)
        view.edit.clicked.connect(lambda: self.person and self.edit_person.emit(self.person.id))
        view.history.clicked.connect(self.person_actions.history)
        view.export.clicked.connect(self.person_actions.export)
        view.delete.clicked.connect(self.person_actions.delete)
        self.show_person(None)
        self.stack.setCurrentWidget(locked if directory.exists else create)

    @property
    def dialog(self) -> Any:
        """The history, export or delete dialog showing, if any."""
        return self.person_actions.dialog

    @property
    def busy(self) -> bool:
        """A store call is still running."""
        return self.delivery.pending > 0

    def lock(self) -> None:
        """Hide every name and profile and close the store (on idle, suspend, or Lock)."""
        self._era += 1
        self._open_timer.stop()
        self.person_actions.close_dialog()
        self.directory.lock()
        view = self.directory_view
        view.search.blockSignals(True)
        view.search.clear()
        view.search.blockSignals(False)
        view.people.clear()
        self.show_person(None)
        self.locked_view.passphrase.clear()
        self.stack.setCurrentWidget(self.locked_view if self.directory.exists else self.create_view)
        self.say("The profile store is locked. Type the passphrase to unlock it.")
        self.locked.emit()

    def person_saved(self, profile_id: str) -> None:
        """After the editor saved through the directory (save_new or update): show them, opened."""
        self.refill()
        self._select(profile_id)
        self.open_selected()

    def say(self, text: str, *, assertive: bool = False) -> None:
        self.message.setText(text)
        self.announcer.announce(text, assertive)

    # -- store calls ---------------------------------------------------------------------------------

    def call(
        self,
        future: Future[Any],
        on_result: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        era = self._era

        def result(value: Any) -> None:
            if era == self._era:
                on_result(value)

        def error(failure: BaseException) -> None:
            if era == self._era:
                (on_error or self._failed)(failure)

        self.delivery.when_done(future, result, error)

    def _failed(self, error: BaseException) -> None:
        self.say(in_words(error), assertive=True)

    # -- locked and new ------------------------------------------------------------------------------

    def _unlock(self) -> None:
        passphrase = self.locked_view.passphrase.text()
        if self.busy:
            return
        if not passphrase:
            self.say("Type the passphrase, then press Unlock.")
            return
        self.say("Unlocking the profile store…")
        self.call(self.directory.unlock(passphrase), self._now_unlocked, self._unlock_failed)

    def _unlock_failed(self, error: BaseException) -> None:
        field = self.locked_view.passphrase
        if isinstance(error, WrongPassphraseError):
            field.clear()
            self.say(WRONG_PASSPHRASE, assertive=True)
        elif isinstance(error, StoreInUseError):
            self.say(str(error), assertive=True)
        else:
            self._failed(error)
        field.setFocus()

    def _rule(self, text: str) -> None:
        short = MIN_PASSPHRASE - len(text)
        self.create_view.rule.setText(
            f"{counted(short, 'more character')} needed (at least {MIN_PASSPHRASE}); a few ordinary words "
            f"make a good passphrase."
            if short > 0
            else "Long enough. Type it again in the box below."
        )

    def _create(self) -> None:
        view = self.create_view
        problem = passphrase_problem(view.first.text(), view.second.text())
        if problem or self.busy:
            self.say(problem or "", assertive=True)
            view.first.setFocus()
            return
        self.say("Creating the profile store…")
        self.call(self.directory.create(view.first.text()), self._now_created)

    def _now_created(self, people: list[Person]) -> None:
        self.create_view.first.clear()
        self.create_view.second.clear()
        self._now_unlocked(people)
        self.say(
            "The profile store is ready. Keep the passphrase safe: without it nobody can read the profiles."
        )

    def _now_unlocked(self, people: list[Person]) -> None:
        self.locked_view.passphrase.clear()
        self.stack.setCurrentWidget(self.directory_view)
        self.refill()
        self.directory_view.search.setFocus()
        self.say(f"Unlocked. {counted(len(people), 'person', 'people')} in the store.")
        self.unlocked.emit()

    # -- finding and opening a person ----------------------------------------------------------------

    def refill(self) -> None:
        view = self.directory_view
        keep = self.person.id if self.person else None
        view.people.blockSignals(True)
        view.people.clear()
        found = self.directory.search(view.search.text())
        for person in found:
            item = QListWidgetItem(
                f"{person.preferred_name} — {OVERDUE}" if person.overdue else person.preferred_name
            )
            item.setData(Qt.ItemDataRole.UserRole, person)
            if person.overdue:
                item.setForeground(Qt.GlobalColor.darkRed)
            view.people.addItem(item)
        view.people.blockSignals(False)
        typed = view.search.text().strip()
        view.count.setText(
            f"No one's name has “{typed}” in it." if typed and not found
            else counted(len(found), "person", "people")
        )  # fmt: skip
        if keep is not None and not self._select(keep):
            self.show_person(None)

    def _select(self, profile_id: str) -> bool:
        people = self.directory_view.people
        for row in range(people.count()):
            if people.item(row).data(Qt.ItemDataRole.UserRole).id == profile_id:
                people.blockSignals(True)
                people.setCurrentRow(row)
                people.blockSignals(False)
                self.person = people.item(row).data(Qt.ItemDataRole.UserRole)
                return True
        return False

    def _open_first(self) -> None:
        people = self.directory_view.people
        if people.count():
            people.setCurrentRow(0)
            people.setFocus()
            self.open_selected()

    def _selected(self, item: QListWidgetItem | None) -> None:
        self.show_person(item.data(Qt.ItemDataRole.UserRole) if item is not None else None)
        if item is not None:
            self._open_timer.start()

    def open_selected(self) -> None:
        self._open_timer.stop()
        item = self.directory_view.people.currentItem()
        if item is None:
            return
        person: Person = item.data(Qt.ItemDataRole.UserRole)
        if self.profile is not None and self.person is not None and self.person.id == person.id:
            return
        self.show_person(person)
        self.directory_view.needs.setText("Opening…")
        self.call(self.directory.open_person(person.id), lambda profile: self._opened(person, profile))

    def _opened(self, person: Person, profile: dict[str, Any]) -> None:
        if self.person is None or self.person.id != person.id:
            return  # another person was chosen meanwhile
        self.profile = profile
        lines = key_needs(profile)
        self.directory_view.needs.setText(
            "\n".join(f"• {line}" for line in lines)
            if lines
            else "No key needs are recorded yet. Choose Edit… to add them."
        )
        self.directory_view.needs.setAccessibleDescription(". ".join(lines))
        self._enable(opened=True)

    def show_person(self, person: Person | None) -> None:
        """The chosen person's name and review date, from the listing; their needs once opened."""
        view = self.directory_view
        self.person, self.profile = person, None
        view.name.setText(person.preferred_name if person else "No one chosen")
        view.needs.setText("" if person else "Choose a person in the list to see their key needs.")
        view.review.setText(_review_text(person) if person else "")
        self._enable(opened=False)

    def _enable(self, *, opened: bool) -> None:
        view = self.directory_view
        for button in (view.start, view.history, view.export, view.delete):
            button.setEnabled(opened)
        view.edit.setEnabled(self.person is not None)

    def _start(self) -> None:
        if self.person is not None and self.profile is not None:
            self.start_session.emit(self.person.id, copy.deepcopy(self.profile))


def _review_text(person: Person) -> str:
    if person.review_date is None:
        return "No review date is set."
    try:
        day = date.fromisoformat(person.review_date)
    except ValueError:
        return f"Review by {person.review_date}."
    when = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{OVERDUE}: it was due by {when}." if person.overdue else f"Next review by {when}."

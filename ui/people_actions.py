"""What the People page does with the opened person: history with undo, export, and delete.

Each shows its dialog (ui/people_dialogs.py), runs the store call through the page (off the
interface thread) and tells the dialog the outcome; an outcome that arrives after its dialog was
closed is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt

from ui.people_dialogs import DeleteConfirmation, ExportDialog, HistoryDialog
from ui.people_futures import in_words

if TYPE_CHECKING:
    from ui.people_page import PeoplePage


class PersonActions:
    def __init__(self, page: PeoplePage) -> None:
        self.page = page
        self.dialog: Any = None  # the dialog showing, if any

    def history(self) -> None:
        page, person = self.page, self.page.person
        if person is None:
            return

        def revert(version: int) -> None:
            page.call(
                page.directory.revert(person.id, version),
                self._to(dialog, lambda new: reverted(version, new)),
            )

        def reverted(version: int, new: int | None) -> None:
            dialog.say(
                f"Version {version} is back, saved as version {new}."
                if new
                else f"Version {version} is the same as the current one; nothing changed."
            )
            load()
            page.profile = None  # open the new current version
            page.refill()
            page.open_selected()

        def load() -> None:
            page.call(
                page.directory.history(person.id),
                self._to(dialog, dialog.show_versions),
                self._to(dialog, lambda error: dialog.say(in_words(error))),
            )

        dialog = HistoryDialog(person.preferred_name, revert, page)
        self._show(dialog)
        load()

    def export(self) -> None:
        page, person = self.page, self.page.person
        if person is None:
            return

        def export(kind: str, path: Path) -> None:
            page.call(
                page.directory.export(person.id, kind, path),
                exported,
                self._to(dialog, lambda error: dialog.finished_export(in_words(error))),
            )

        def exported(path: Path) -> None:
            if self.dialog is dialog:
                dialog.finished_export(None)
            page.say(
                f"Wrote {path}. It is not encrypted: keep it safe and delete it when it has served its purpose."
            )

        dialog = ExportDialog(person.preferred_name, export, page)
        self._show(dialog)

    def delete(self) -> None:
        page, person = self.page, self.page.person
        if person is None:
            return
        box = DeleteConfirmation(person.preferred_name, page)

        def erase(button: object) -> None:
            if button is box.delete_button:
                page.say(f"Deleting {person.preferred_name}…")
                page.call(page.directory.delete(person.id), deleted)

        def deleted(scrubbed: bool) -> None:
            page.show_person(None)
            page.refill()
            note = (
                ""
                if scrubbed
                else " Another Hark has the store open, so encrypted old copies may stay in its working "
                "file until the store is next opened."
            )
            page.say(
                f"{person.preferred_name} was deleted: their profile, every version, their session records "
                f"and drafts are gone from the store.{note}"
            )
            page.directory_view.search.setFocus()

        box.buttonClicked.connect(erase)
        self._show(box)

    def close_dialog(self) -> None:
        if self.dialog is not None:
            dialog, self.dialog = self.dialog, None
            dialog.reject()

    def _show(self, dialog: Any) -> None:
        self.close_dialog()
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _: self._closed(dialog))
        dialog.open()

    def _closed(self, dialog: Any) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _to(self, dialog: Any, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        """`handler`, run only while `dialog` is still the one showing."""
        return lambda value: handler(value) if self.dialog is dialog else None

"""The People page's dialogs: a person's history with undo, export, and deleting with confirmation.

The dialogs only ask and show; the page runs the store calls (off the interface thread) and tells
the dialog the outcome, so a dialog never waits for the store either.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from profiles.store import VersionInfo

EXPORT_CHOICES = {
    "pdf": ("&PDF passport: large print, to print or give to the person", ".pdf"),
    "json": ("&JSON: to move the profile to another Hark", ".json"),
    "fhir": ("&FHIR: for health and care record systems", ".fhir.json"),
}
_ACTIONS = {"create": "created", "import": "imported", "edit": "changed"}


def version_line(info: VersionInfo) -> str:
    """'Version 3, 15 June 2026 at 14:05, by Tess Tester: put back as version 1'."""
    try:
        when = datetime.fromisoformat(info.at).astimezone()
        shown = f"{when.day} {when:%B %Y} at {when:%H:%M}"
    except ValueError:
        shown = info.at
    what = (
        f"put back as version {info.from_version}"
        if info.action == "revert"
        else _ACTIONS.get(info.action, info.action)
    )
    if info.changed and info.action == "edit":
        what += f" ({', '.join(info.changed)})"
    return f"Version {info.version}, {shown}, by {info.who}: {what}"


def delete_question(name: str) -> str:
    """What deleting erases and what stays, as profiles/store.py delete_profile does it."""
    return (
        f"Delete {name} for good?\n\n"
        f"This erases from the profile store:\n"
        f"• {name}'s profile and every earlier version of it\n"
        f"• every session record kept with {name}\n"
        f"• any unfinished session drafts for {name}\n\n"
        f"It cannot be undone. The audit log keeps only that a profile was erased (its code, who "
        f"erased it, when, and how many records), and its earlier entries of who opened or changed "
        f"it and when, without {name}'s name or details.\n\n"
        f"Files exported earlier (PDF, JSON, FHIR) are not touched: delete those yourself."
    )


class DeleteConfirmation(QMessageBox):
    """The question, with "Keep" as the safe default (Enter and Esc both keep)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(QMessageBox.Icon.Warning, "Delete a person", delete_question(name), parent=parent)
        self.setObjectName("deleteConfirmation")
        self.delete_button = self.addButton(
            f"&Delete {name} for good", QMessageBox.ButtonRole.DestructiveRole
        )
        self.delete_button.setAccessibleName(f"Delete {name} for good")
        self.keep_button = self.addButton("&Keep", QMessageBox.ButtonRole.RejectRole)
        self.keep_button.setAccessibleName(f"Keep {name}")
        self.setDefaultButton(self.keep_button)
        self.setEscapeButton(self.keep_button)


class HistoryDialog(QDialog):
    """Every version of one person, with "Go back to this version" (a new version, nothing lost)."""

    def __init__(self, name: str, on_revert: Callable[[int], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"History of {name}")
        self._on_revert = on_revert
        self._head = 0
        intro = QLabel(
            f"Every saved version of {name}'s profile, newest last. Going back makes a new version "
            f"the same as the one you choose; nothing is lost."
        )
        intro.setWordWrap(True)
        self.versions = QListWidget()
        self.versions.setAccessibleName("Versions")
        self.versions.setWordWrap(True)
        self.versions.currentRowChanged.connect(self._chosen)
        label = QLabel("&Versions:")
        label.setBuddy(self.versions)
        self.go_back = QPushButton("&Go back to this version")
        self.go_back.setAccessibleName("Go back to the chosen version")
        self.go_back.clicked.connect(self._revert)
        self.close_button = QPushButton("&Close")
        self.close_button.setAccessibleName("Close the history")
        self.close_button.clicked.connect(self.accept)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("History message")
        buttons = QHBoxLayout()
        buttons.addWidget(self.go_back)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        for widget in (intro, label, self.versions, self.message):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        self.resize(640, 420)

    def show_versions(self, versions: list[VersionInfo]) -> None:
        self.versions.clear()
        for info in versions:
            item = QListWidgetItem(version_line(info))
            item.setData(Qt.ItemDataRole.UserRole, info.version)
            self.versions.addItem(item)
        self._head = versions[-1].version if versions else 0
        self.versions.setCurrentRow(self.versions.count() - 1)
        self.versions.setFocus()

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setAccessibleDescription(text)

    def _chosen(self, row: int) -> None:
        item = self.versions.item(row)
        current = item is not None and item.data(Qt.ItemDataRole.UserRole) == self._head
        self.go_back.setEnabled(item is not None and not current)
        self.go_back.setToolTip("This is the current version." if current else "")

    def _revert(self) -> None:
        item = self.versions.currentItem()
        if item is not None:
            self.go_back.setEnabled(False)
            self._on_revert(int(item.data(Qt.ItemDataRole.UserRole)))


class ExportDialog(QDialog):
    """Choose PDF, JSON or FHIR and where to save it; `on_export(kind, path)` does the work."""

    def __init__(
        self, name: str, on_export: Callable[[str, Path], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Export {name}'s profile")
        self._name, self._on_export = name, on_export
        self._replace_ok: Path | None = None  # a file the user chose to replace in the file dialog
        self.kinds = QButtonGroup(self)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("What to write:"))
        for kind, (text, _) in EXPORT_CHOICES.items():
            button = QRadioButton(text)
            button.setObjectName(kind)
            button.setAccessibleName(text.replace("&", ""))
            self.kinds.addButton(button)
            layout.addWidget(button)
        self.kinds.buttons()[0].setChecked(True)
        self.kinds.buttonToggled.connect(self._kind_changed)
        self.path = QLineEdit(str(self._folder() / f"{name} communication passport.pdf"))
        self.path.setAccessibleName("File to save")
        label = QLabel("&Save as:")
        label.setBuddy(self.path)
        self.choose = QPushButton("C&hoose…")
        self.choose.setAccessibleName("Choose the file to save")
        self.choose.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.choose)
        self.warning = QLabel(
            "The file is not encrypted: keep it safe and delete it when it has served its purpose."
        )
        self.warning.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Export message")
        self.export_button = QPushButton("&Export")
        self.export_button.setAccessibleName("Export now")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self._export)
        self.cancel = QPushButton("Cancel")
        self.cancel.setAccessibleName("Cancel the export")
        self.cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.cancel)
        for part in (label, row, self.warning, self.message, buttons):
            layout.addLayout(part) if isinstance(part, QHBoxLayout) else layout.addWidget(part)
        self.resize(560, self.sizeHint().height())

    @property
    def kind(self) -> str:
        checked = self.kinds.checkedButton()
        return str(checked.objectName()) if checked is not None else "pdf"

    def choose_kind(self, kind: str) -> None:
        next(b for b in self.kinds.buttons() if b.objectName() == kind).setChecked(True)

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setAccessibleDescription(text)

    def finished_export(self, error: str | None) -> None:
        """The page's answer: None when the file was written."""
        self.export_button.setEnabled(True)
        if error is None:
            self.accept()
        else:
            self.say(error)

    def _folder(self) -> Path:
        documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return Path(documents or Path.home())

    def _kind_changed(self) -> None:
        path = Path(self.path.text().strip())
        stem = path.name
        for _, suffix in EXPORT_CHOICES.values():
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
                break
        base = f"{self._name} communication passport" if self.kind == "pdf" else f"{self._name} profile"
        if stem.endswith(("communication passport", "profile")):
            stem = base
        self.path.setText(str(path.with_name(stem + EXPORT_CHOICES[self.kind][1])))

    def _choose(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, "Save the export as", self.path.text())
        if chosen:
            self.path.setText(chosen)
            self._replace_ok = Path(chosen)  # the file dialog has already asked about replacing it

    def _export(self) -> None:
        text = self.path.text().strip()
        if not text:
            self.say("Type a file name, or choose one with Choose….")
            return
        path = Path(text).expanduser()
        if not path.parent.is_dir():
            self.say(f"There is no folder {path.parent}. Choose a folder that exists with Choose….")
            return
        if path.is_dir():
            self.say(f"{path} is a folder. Add a file name to it.")
            return
        if path.exists() and path != self._replace_ok:
            self.say(f"{path.name} already exists. Type another name, or pick it with Choose… to replace it.")
            return
        self.export_button.setEnabled(False)
        self.say("Writing the file…")
        self._on_export(self.kind, path)

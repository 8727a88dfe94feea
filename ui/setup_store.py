"""Creating the encrypted profile store (the passphrase typed twice), or skipping it for now: for the
first-run set-up and Settings. Without a store Hark still runs quick sessions; it only cannot keep
people's communication profiles.

Creating the store derives its key with scrypt (about a second), so it runs on a worker thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from assistant.app_settings import AppSettings
from assistant.personalise.errors import ProfileUseError
from assistant.personalise.store import MIN_PASSPHRASE, passphrase_problem, user_name
from assistant.personalise.store import PASSPHRASE_RULE as RULE
from profiles.errors import ProfileError
from profiles.store import ProfileStore, default_store_path
from ui.setup_worker import Task


def store_path_of(settings: AppSettings) -> Path:
    return Path(settings.store_path).expanduser() if settings.store_path else default_store_path()


class StoreSetup(QWidget):
    changed = Signal()

    def __init__(
        self, settings: AppSettings, parent: QWidget | None = None, scrypt_n: int | None = None
    ) -> None:
        """`scrypt_n` lowers the key's cost: for tests only."""
        super().__init__(parent)
        self.path = store_path_of(settings)
        self._scrypt_n = scrypt_n
        self.created = False
        self.create_now = QRadioButton("&Create the profile store now")
        self.create_now.setAccessibleName("Create the profile store now")
        self.skip = QRadioButton("S&kip for now (quick sessions only; create it later in Settings)")
        self.skip.setAccessibleName("Skip creating the profile store for now")
        choice = QButtonGroup(self)
        choice.addButton(self.create_now)
        choice.addButton(self.skip)
        self.create_now.setChecked(True)
        self.passphrase = self._secret("Passphrase for the profile store")
        self.again = self._secret("The same passphrase again")
        self.rule = QLabel(RULE)
        self.rule.setWordWrap(True)
        self.create_button = QPushButton("Create the &store")
        self.create_button.setAccessibleName("Create the profile store")
        self.create_button.clicked.connect(self.create_store)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Profile store")

        intro = QLabel(
            "The profile store keeps each person's communication profile, encrypted with a passphrase, "
            "in one file. It stays on this computer."
        )
        intro.setWordWrap(True)
        self.where = QLabel()
        self.where.setWordWrap(True)
        self.where.setAccessibleName("Where the profile store is")
        self.elsewhere = QPushButton("Use a store kept else&where…")
        self.elsewhere.setAccessibleName("Use a profile store in another place")
        self.elsewhere.clicked.connect(self._choose_place)
        form = QFormLayout()
        for text, field in (("&Passphrase", self.passphrase), ("Type it &again", self.again)):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, field)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.where)
        layout.addWidget(self.elsewhere)
        layout.addWidget(self.create_now)
        layout.addWidget(self.skip)
        layout.addLayout(form)
        layout.addWidget(self.rule)
        layout.addWidget(self.create_button)
        layout.addWidget(self.message)
        layout.addStretch(1)

        self._task = Task("store", self)
        self._task.done.connect(self._on_created)
        self._task.failed.connect(self._on_failed)
        self.create_now.toggled.connect(self._show_state)
        self._show_state()

    @property
    def ready(self) -> bool:
        """True when the user may carry on: a store is there, was made now, or is skipped for now."""
        if self._task.running:  # the file appears before it is finished
            return False
        return self.created or self.path.exists() or self.skip.isChecked()

    def summary(self) -> str:
        if self.created:
            return f"The profile store was created in {self.path}."
        if self.path.exists():
            return f"The profile store in {self.path} is used."
        return "No profile store yet (quick sessions only); create it later in Settings."

    def create_store(self) -> None:
        problem = passphrase_problem(self.passphrase.text(), self.again.text())
        if problem is not None:
            self.message.setText(problem)
            (self.again if self.passphrase.text() and len(self.passphrase.text()) >= MIN_PASSPHRASE
             else self.passphrase).setFocus()  # fmt: skip
            return
        if self.path.exists():
            self._show_state()
            return
        passphrase, path, scrypt_n = self.passphrase.text(), self.path, self._scrypt_n
        self.message.setText("Creating the profile store… (a few seconds)")
        self._set_editable(False)

        def make() -> None:
            try:
                who = user_name(None)
            except ProfileUseError:
                who = "the assessor"
            path.parent.mkdir(parents=True, exist_ok=True)
            ProfileStore.create(path, passphrase, who, scrypt_n=scrypt_n).close()

        self._task.start(make, (ProfileError, OSError))
        self.changed.emit()

    # -- inside -------------------------------------------------------------------------------------

    def _secret(self, name: str) -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setAccessibleName(name)
        return field

    def _set_editable(self, editable: bool) -> None:
        for widget in (self.create_now, self.skip, self.passphrase, self.again, self.create_button):
            widget.setEnabled(editable)

    def _creating(self) -> tuple[QWidget, ...]:
        """What creating a store needs, hidden once there is one."""
        return (self.create_now, self.skip, self.passphrase, self.again, self.rule, self.create_button)

    def use_place(self, path: Path) -> None:
        """Keep the store at `path` instead: an existing store there is used, or one can be made."""
        self.path, self.created = path, False
        for widget in self._creating():
            widget.setVisible(True)
        self._set_editable(True)
        self._show_state()

    def _choose_place(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Where the profile store is",
            str(self.path),
            "Profile stores (*.sqlite3)",
            options=QFileDialog.Option.DontConfirmOverwrite,  # choosing an existing store uses it
        )
        if name:
            self.use_place(Path(name))

    def _show_state(self) -> None:
        self.where.setText(f"Kept in {self.path}")
        if self.created or self.path.exists():
            self._set_editable(False)
            for widget in self._creating():
                widget.setVisible(False)
            self.message.setText(
                f"The profile store was created in {self.path}. Remember the passphrase."
                if self.created
                else f"A profile store already exists in {self.path}; Hark will use it. You unlock it with "
                "its passphrase when you open a person's profile."
            )
        else:
            creating = self.create_now.isChecked()
            for widget in (self.passphrase, self.again, self.create_button):
                widget.setEnabled(creating)
        self.changed.emit()

    def _on_created(self, _: object) -> None:
        self.created = True
        self.passphrase.clear()
        self.again.clear()
        self._show_state()

    def _on_failed(self, problem: str) -> None:
        self._set_editable(True)
        self.message.setText(f"The profile store could not be created: {problem}")
        self.changed.emit()

"""Which caption engine Hark can use now, and installing a Vosk speech model from a file or the
internet with a progress bar: for the first-run set-up and Settings.

Installing runs on a worker thread through assistant.speech_models.manage (the functions behind
`hark models install`), so the window stays responsive; a download can be cancelled, and what was
downloaded is kept so that the next attempt carries on from there.
"""

from __future__ import annotations

import importlib.util
import threading
from urllib.parse import urlparse

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assistant.speech_models import manage as models
from assistant.speech_models.catalogue import RECOMMENDED_ENGLISH_MODEL, catalogue, catalogue_entry
from assistant.speech_models.errors import ModelError
from ui.setup_worker import Task

STEPS = 1000  # the progress bar's resolution


class DownloadCancelled(Exception):
    """Raised from the progress callback to stop a download the user cancelled."""


def caption_engine_summary() -> str:
    """A sentence saying which engine captions would use now and how good it is."""
    installed = models.installed_model_path("en")
    if installed is not None and importlib.util.find_spec("vosk") is not None:
        return f"Captions will use Vosk with the speech model {installed.name}: good accuracy."
    if importlib.util.find_spec("pocketsphinx") is not None:
        return (
            "Captions will use the built-in English recogniser (pocketsphinx): basic accuracy, about half "
            "the words wrong. Install a Vosk speech model below for much better captions."
        )
    return "No caption engine is available yet. Install a Vosk speech model below to have captions."


class CaptionChoices(QWidget):
    busy_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entry = catalogue_entry(RECOMMENDED_ENGLISH_MODEL) if _has_catalogue() else None
        self._cancel = threading.Event()
        self._working = False  # from the start of an install until its result has been shown
        self.engine = self._label(caption_engine_summary(), "Caption engine")
        self.from_file = QPushButton("Install a model from a &file…")
        self.from_file.setAccessibleName("Install a speech model from a zip file")
        self.from_file.clicked.connect(self.choose_file)
        size = f" ({self._entry.download_mb:g} MB)" if self._entry and self._entry.download_mb else ""
        self.download = QPushButton(f"&Download the recommended model{size}")
        self.download.setAccessibleName(f"Download the recommended speech model{size}")
        self.download.clicked.connect(self.start_download)
        self.cancel = QPushButton("&Stop the download")
        self.cancel.setAccessibleName("Stop the download")
        self.cancel.clicked.connect(self._cancel.set)
        self.cancel.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, STEPS)
        self.progress.setValue(0)
        self.progress.setFormat("")
        self.progress.setAccessibleName("Speech model installation progress")
        host = urlparse(self._entry.url).hostname if self._entry else None
        self.network = self._label(
            "Downloading is the only time Hark uses the internet: it fetches the model"
            + (f" from {host}" if host else "")
            + " and sends nothing about you or anyone else.",
            "About the download",
        )
        self.message = self._label("", "Speech model installation")

        buttons = QHBoxLayout()
        for button in (self.from_file, self.download, self.cancel):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.engine)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.network)
        layout.addStretch(1)

        self._task = Task("model", self)
        self._task.done.connect(self._on_installed)
        self._task.failed.connect(self._on_failed)
        self._task.progress.connect(self._on_progress)
        self._show_buttons()

    @property
    def busy(self) -> bool:
        return self._working

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a speech model", "", "Speech model archives (*.zip);;All files (*)"
        )
        if path:
            self.install_file(path)

    def install_file(self, path: str) -> None:
        self._begin(f"Installing the speech model from {path}…")
        self.progress.setRange(0, 0)  # no measure of how far unpacking has got: a busy bar
        self._task.start(lambda: models.install_from_file(path), (ModelError, OSError))
        self.busy_changed.emit(True)

    def start_download(self) -> None:
        entry = self._entry
        if entry is None:
            return
        self._cancel.clear()
        self._begin(f"Downloading {entry.name}…")
        self.cancel.setEnabled(True)
        self.progress.setFormat("starting…")

        def progress(done: int, total: int | None) -> None:
            if self._cancel.is_set():
                raise DownloadCancelled
            self._task.report(done, total)

        def fetch() -> object:
            return models.install_from_url(entry.url, entry.name, progress, entry.sha256)

        self._task.start(fetch, (ModelError, OSError, DownloadCancelled))
        self.busy_changed.emit(True)

    # -- inside -------------------------------------------------------------------------------------

    def _label(self, text: str, name: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setAccessibleName(name)
        return label

    def _begin(self, text: str) -> None:
        self._working = True
        self.message.setText(text)
        self.from_file.setEnabled(False)
        self.download.setEnabled(False)
        self.progress.setValue(0)

    def _end(self) -> None:
        self._working = False
        self.cancel.setEnabled(False)
        if self.progress.maximum() == 0:
            self.progress.setRange(0, STEPS)
        self._show_buttons()
        self.engine.setText(caption_engine_summary())
        self.busy_changed.emit(False)

    def _show_buttons(self) -> None:
        self.from_file.setEnabled(True)
        installed = {model.name for model in models.installed_models()}
        have_it = self._entry is not None and self._entry.name in installed
        self.download.setEnabled(self._entry is not None and not have_it)
        if have_it:
            self.download.setText("The recommended model is installed")

    def _on_progress(self, done: int, total: int | None) -> None:
        if total:
            self.progress.setValue(min(STEPS, done * STEPS // total))
            self.progress.setFormat(f"{done / 1e6:.1f} of {total / 1e6:.1f} MB (%p %)")
        else:
            self.progress.setFormat(f"{done / 1e6:.1f} MB")

    def _on_installed(self, model: models.InstalledModel) -> None:
        self.progress.setRange(0, STEPS)
        self.progress.setValue(STEPS)
        self.progress.setFormat("Installed (100 %)")
        self.message.setText(f"Installed the speech model {model.name} ({model.size_bytes / 1e6:.0f} MB).")
        self._end()

    def _on_failed(self, problem: str) -> None:
        if self._cancel.is_set():
            problem = (
                "The download was stopped. What was downloaded so far is kept, so downloading again "
                "carries on from there."
            )
        self.progress.setFormat("not installed")
        self.message.setText(problem)
        self._end()


def _has_catalogue() -> bool:
    try:
        catalogue()
    except ModelError:
        return False
    return True

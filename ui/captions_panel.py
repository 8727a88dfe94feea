"""The assessor's captions panel: live captions with scroll-back, copy, pause, and the person's own
large caption window (ui/caption_window.py) on a screen of the assessor's choosing.

The panel is fed by the caption session (assistant/captions/session.py) through a CaptionBridge,
whose signals arrive on the GUI thread. Finished lines are appended to a read-only view that only
follows the newest line while the assessor is at the bottom: scrolled up to read back, the view
stays put. The line still being spoken is shown apart, below. What happened to the captions (on,
with which recogniser; paused; shown to the person; off) goes to the session's record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from assistant.assessment.record import SessionRecord
from assistant.captions.session import CaptionSession
from assistant.captions.style import CaptionStyle
from ui.caption_bridge import CaptionBridge
from ui.caption_window import CaptionWindow
from ui.session_summary import private_text

POLL_MS = 1000  # the status follows device and model states, which change on other threads
MAX_LINES = 20_000  # scroll-back kept in the view (a long session is a few thousand lines)
SHOW, HIDE = "S&how captions to the person", "&Hide the person's captions"
PAUSE, CARRY_ON = "Pa&use captions", "Carry on with capt&ions"


class CaptionsPanel(QGroupBox):
    def __init__(
        self,
        session: CaptionSession,
        bridge: CaptionBridge,
        record: SessionRecord,
        style: CaptionStyle | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`session`: made with the bridge, not yet started (`start()` starts it). `style`: the
        person's caption style (assistant.personalise.settings.caption_style), for their window."""
        super().__init__("Captions", parent)
        self.session, self.bridge, self.record = session, bridge, record
        self.style_ = style or CaptionStyle()
        self.paused = False
        self.person_window: CaptionWindow | None = None
        self._engine_label = ""
        self._status = ("Starting", "Opening the sound devices.")
        self._recorded_problem = ""
        self._captions_on = False
        self._stopped = False

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Captions status")
        self.view = QPlainTextEdit()
        self.view.setReadOnly(True)
        self.view.setMaximumBlockCount(MAX_LINES)
        self.view.setAccessibleName("Captions so far")
        self.view.setAccessibleDescription(
            "Finished lines, newest last. Scroll up to read back: new lines do not move the view then."
        )
        self.view.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByKeyboard | Qt.TextInteractionFlag.TextSelectableByMouse
        )
        font = QFont(self.view.font())
        font.setPointSize(max(font.pointSize(), 12))
        self.view.setFont(font)
        # Follow the newest line only while the assessor is at the bottom. Wrapped lines are laid out
        # after they are added, so the range grows later: following is kept up when it does.
        self._following = True
        bar = self.view.verticalScrollBar()
        bar.valueChanged.connect(lambda value: setattr(self, "_following", value >= bar.maximum()))
        bar.rangeChanged.connect(lambda _low, high: bar.setValue(high) if self._following else None)
        self.partial = QLabel()
        self.partial.setWordWrap(True)
        self.partial.setAccessibleName("Being said now")
        italic = QFont(font)
        italic.setItalic(True)
        self.partial.setFont(italic)

        self.pause = self._button(
            PAUSE, self.toggle_pause, "Stop captioning for now, or carry on after a pause."
        )
        self.copy = self._button("Cop&y captions", self.copy_captions, "Copy all the finished lines.")
        self.show_person = self._button(
            SHOW, self.toggle_person_window, "Open the large caption window for the person, or close it."
        )
        self.screen_choice = QComboBox()
        self.screen_choice.setAccessibleName("Screen for the person's captions")
        self.screen_choice.view().setAccessibleName("Screens")
        screen_label = QLabel("Disp&lay for the person:")
        screen_label.setBuddy(self.screen_choice)
        self.fullscreen = QCheckBox("&Full screen")
        self.fullscreen.setAccessibleName("Show the person's captions full screen")
        self.fullscreen.setChecked(True)

        buttons = QHBoxLayout()
        for button in (self.pause, self.copy):
            buttons.addWidget(button)
        buttons.addStretch(1)
        person = QHBoxLayout()
        person.addWidget(screen_label)
        person.addWidget(self.screen_choice, 1)
        person.addWidget(self.fullscreen)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.partial)
        layout.addLayout(buttons)
        layout.addLayout(person)
        layout.addWidget(self.show_person)

        bridge.segment.connect(self.add_segment)
        bridge.partial.connect(self.show_partial)
        bridge.message.connect(self.set_status)
        bridge.engine.connect(self.set_engine)
        bridge.show.connect(self.show_to_person)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            # Bound methods, which Qt disconnects when the panel goes (a lambda would outlive it).
            app.screenAdded.connect(self._screens_changed)
            app.screenRemoved.connect(self._screens_changed)
        self.list_screens()
        self._poll = QTimer(self)
        self._poll.timeout.connect(session.refresh)
        self._show_status()

    def _button(self, text: str, slot: Any, description: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.replace("&", ""))
        button.setAccessibleDescription(description)
        button.clicked.connect(slot)
        return button

    # --- the session ------------------------------------------------------------------
    def start(self) -> None:
        """Start the session (the recogniser loads in the background) and follow its status."""
        self.session.start()
        self._poll.start(POLL_MS)
        self.session.refresh()

    def stop(self) -> None:
        """Close the person's window and the session (before the audio engine is released); the
        record says the captions stopped. Safe to call again."""
        if self._stopped:
            return
        self._stopped = True
        self._poll.stop()
        if self.person_window is not None:
            self.person_window.close()
        self.session.close()
        if self._captions_on:
            self.record.saw("captions", "Captions stopped")

    # --- from the bridge --------------------------------------------------------------
    def add_segment(self, segment: Any) -> None:
        text = " ".join(str(segment.text).split())
        self.partial.clear()
        if self.person_window is not None:
            self.person_window.add_segment(segment)  # kept, so the person's window opens with the latest
        if not text:
            return
        self.view.appendPlainText(f"{datetime.now().strftime('%H:%M')}  {text}")

    def show_partial(self, partial: Any) -> None:
        text = " ".join(str(partial.text).split())
        self.partial.setText(f"{text}…" if text else "")
        window = self.person_window
        if window is not None and window.isVisible():
            window.show_partial(partial)

    def set_status(self, headline: str, detail: str = "") -> None:
        self._status = (headline, detail)
        if self._stopped:  # a recogniser that finished loading after the session ended
            return
        if headline == "No speech model" and detail != self._recorded_problem:
            self._recorded_problem = detail
            self.record.saw("captions", f"Captions could not start: {detail}")
        self._show_status()
        if self.person_window is not None:
            self.person_window.set_status(headline, detail)

    def set_engine(self, label: str) -> None:
        if self._stopped:  # loaded after the session ended: it never captioned this session
            return
        if label != self._engine_label:
            self._engine_label = label
            self._captions_on = True
            self.record.saw("captions", f"Captions on. Speech recognition: {label}")
        self._show_status()
        if self.person_window is not None:
            self.person_window.set_engine(label)

    def show_to_person(self, text: str, source: str) -> None:
        """A phrase or typed line for the person's window (the desk's `show`), when it is open."""
        window = self.person_window
        if window is not None and window.isVisible():
            window.show_message(text, source)

    # --- the assessor's controls ---------------------------------------------------------
    def toggle_pause(self) -> None:
        self.set_paused(not self.paused)

    def set_paused(self, paused: bool) -> None:
        if paused == self.paused:
            return
        self.paused = paused
        self.session.set_paused(paused)
        self.pause.setText(CARRY_ON if paused else PAUSE)
        self.pause.setAccessibleName((CARRY_ON if paused else PAUSE).replace("&", ""))
        self.record.saw("captions", "Captions paused" if paused else "Captions carried on after a pause")
        window = self.person_window
        if window is not None and window.paused != paused:
            window.toggle_pause()  # its Space key and button say the same; it tells us back, unchanged
        self._show_status()

    def copy_captions(self) -> None:
        QGuiApplication.clipboard().setMimeData(private_text(self.view.toPlainText()))

    def list_screens(self) -> None:
        """The screens there are now; the second is chosen when there is one (the person's)."""
        chosen = self.screen_choice.currentData()
        here = self.screen()
        self.screen_choice.clear()
        screens = QGuiApplication.screens()
        for number, screen in enumerate(screens, start=1):
            size = screen.geometry().size()
            this = " (this one)" if screen is here else ""
            self.screen_choice.addItem(
                f"Screen {number}: {screen.name()}, {size.width()} × {size.height()}{this}", screen.name()
            )
        index = self.screen_choice.findData(chosen) if chosen is not None else -1
        if index < 0:
            others = [i for i, screen in enumerate(screens) if screen is not here]
            index = others[0] if len(screens) > 1 and others else 0
        self.screen_choice.setCurrentIndex(index)

    def _screens_changed(self, _screen: object) -> None:
        self.list_screens()

    def person_window_open(self) -> bool:
        return self.person_window is not None and self.person_window.isVisible()

    def toggle_person_window(self) -> None:
        if self.person_window_open():
            assert self.person_window is not None
            self.person_window.close()
        else:
            self.open_person_window()

    def open_person_window(self) -> None:
        window = self.person_window
        if window is None:
            window = CaptionWindow(self.style_, self)
            window.setWindowFlag(Qt.WindowType.Window)  # its own window, closed with the panel
            window.pause_toggled.connect(self.set_paused)
            window.closed.connect(self._person_window_closed)
            self.person_window = window
            window.set_status(*self._status)
            if self._engine_label:
                window.set_engine(self._engine_label)
        if window.paused != self.paused:
            window.toggle_pause()
        screens = QGuiApplication.screens()
        index = max(0, self.screen_choice.currentIndex())
        full = self.fullscreen.isChecked()
        window.show_on_screen(index if index < len(screens) else None, full)
        name = screens[index].name() if index < len(screens) else "the screen"
        how = ", full screen" if full else ""
        self.record.saw("captions", f"Captions shown to the person on screen {index + 1} ({name}{how})")
        self._set_show_text(HIDE)

    def _person_window_closed(self) -> None:
        self.record.saw("captions", "The person's caption window was closed")
        self._set_show_text(SHOW)

    def _set_show_text(self, text: str) -> None:
        self.show_person.setText(text)
        self.show_person.setAccessibleName(text.replace("&", ""))

    def _show_status(self) -> None:
        headline, detail = self._status
        if self.paused:
            headline, detail = "Paused", "Captions are paused. Press Carry on with captions to start again."
        elif headline == "Listening" and self._engine_label and not detail:
            detail = self._engine_label
        line = f"{headline}: {detail}" if detail else headline
        if line != self.status.text():
            self.status.setText(line)
            self.status.setAccessibleDescription(line)

"""The person-facing caption window: very large, high-contrast, live text.

The window shows the last `style.lines` wrapped lines, newest just above the status bar, older
lines moving up and away, so the eye always finds the newest words in the same place (laid out by
ui/caption_drawing.py; the caption logic, with no widgets, is ui/caption_text.py). The line still
being spoken is in a slightly softer shade, italic and ends in "…"; low-confidence words get a
dashed underline in the text colour rather than being dimmed or hidden, so their contrast is
unchanged.

The text is a real QTextBrowser document, so screen readers can read it, and every finished line
and status change is announced to them (ui/announce.py). Every widget has an accessible name and
description. The window works from about 480 px wide: the buttons wrap onto more rows
(ui/flow_layout.py) and a long status is shortened to two lines (ui/status_line.py). A quick
phrase or the person's typed reply can be shown large above the captions (`show_message`,
ui/message_panel.py).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QFont,
    QGuiApplication,
    QResizeEvent,
    QShowEvent,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QFrame, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from assistant.captions.profanity import mask_profanity
from assistant.captions.style import CaptionStyle
from ui.announce import Announcer
from ui.caption_drawing import MARGIN_PX, caption_document, window_style_sheet
from ui.caption_keys import add_caption_keys
from ui.caption_text import CaptionHistory, caption_words
from ui.flow_layout import FlowLayout
from ui.message_panel import HEADINGS, MessagePanel, check_message
from ui.status_line import StatusLine

FONT_FAMILIES = ["Atkinson Hyperlegible", "Verdana", "DejaVu Sans", "Arial", "Helvetica"]
STATUS_PT = 22  # smaller than the captions, still readable with poor sight
BUTTON_PT = 20
MESSAGE_SHARE = 0.6  # of the window's height at most, so some captions always show
# Statuses a screen reader should say at once, interrupting; the others wait their turn.
URGENT_HEADLINES = {
    "No speech model",
    "Captions stopped",
    "Waiting for the sound device",
    "Whistling turned down",
    "Will whistle",
    "Close to whistling",
}
# Partials come up to 20 times a second and each layout holds the GIL the audio callback needs;
# the line being spoken is redrawn at most this often (the newest text wins).
PARTIAL_INTERVAL_MS = 150


class CaptionWindow(QWidget):
    pause_toggled = Signal(bool)  # True: paused. The controller pauses the CaptionWorker.
    closed = Signal()
    message_cleared = Signal()

    def __init__(self, style: CaptionStyle | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = CaptionHistory()
        self.paused = False
        self._status = ("Starting", "")
        self._engine = ""
        self._doc: QTextDocument | None = None
        self._announced_status = ("", "")
        self.setWindowTitle("Hark captions")
        self.setAccessibleName("Hark captions")
        self.setAccessibleDescription(
            "Live captions of what is said in the room. Space pauses or carries on, F11 switches full screen, "
            "plus and minus change the text size, Esc hides a message."
        )
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.announcer = Announcer(self)

        self.message = MessagePanel(self.clear_message, self)
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(self.clear_message)
        self._partial_timer = QTimer(self)
        self._partial_timer.setSingleShot(True)
        self._partial_timer.timeout.connect(self._render_partial)
        self._partial_clock = QElapsedTimer()
        self.renders = 0  # layouts done, for tests and benchmarks

        self.captions = QTextBrowser(self)
        self.captions.setObjectName("captions")
        self.captions.setAccessibleName("Captions")
        self.captions.setAccessibleDescription("What is being said, newest line last.")
        self.captions.setFrameShape(QFrame.Shape.NoFrame)
        self.captions.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.captions.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.captions.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.captions.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.captions.viewport().installEventFilter(self)

        self.status_label = StatusLine(self)
        self.pause_button = self._button(
            "Pause", self.toggle_pause, "pauseButton", "Pause captions, or carry on after a pause (Space)."
        )
        self.smaller_button = self._button(
            "Smaller text",
            lambda: self.change_font_size(-1),
            "smallerButton",
            "Make the caption text smaller (minus key).",
        )
        self.larger_button = self._button(
            "Larger text",
            lambda: self.change_font_size(+1),
            "largerButton",
            "Make the caption text larger (plus key).",
        )
        self.fullscreen_button = self._button(
            "Full screen",
            self.toggle_fullscreen,
            "fullScreenButton",
            "Fill the screen with the captions, or leave full screen (F11).",
        )

        self.status_bar = QWidget(self)
        self.status_bar.setObjectName("statusBar")
        self.status_bar.setAccessibleName("Status and controls")
        self.status_bar.setAccessibleDescription("What the captions are doing, and buttons to control them.")
        # The status gets the full width on its own row: squeezed beside the buttons, a
        # long message ("No input device found. Plug in ...") wrapped into a tall column.
        bar = QVBoxLayout(self.status_bar)
        bar.setContentsMargins(MARGIN_PX, 8, MARGIN_PX, 12)
        bar.setSpacing(8)
        bar.addWidget(self.status_label)
        self.buttons = FlowLayout(spacing=12)
        for button in (self.pause_button, self.smaller_button, self.larger_button, self.fullscreen_button):
            self.buttons.addWidget(button)
        bar.addLayout(self.buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.message)
        layout.addWidget(self.captions, 1)
        layout.addWidget(self.status_bar)

        self.keys = add_caption_keys(self, self)
        self.style_ = style or CaptionStyle()
        self.apply_style(self.style_)
        self.status_label.set_status(*self._status)  # shown, not announced: nothing has happened yet
        self.resize(1000, 600)

    def _button(self, text: str, slot: Any, name: str, description: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleDescription(description)  # its name is its text, which changes with its state
        button.setAutoDefault(True)  # Enter presses the focused button; Space always pauses
        button.setMinimumHeight(56)
        button.clicked.connect(slot)
        return button

    # --- the controller's interface -------------------------------------------------
    def show_partial(self, partial: Any) -> None:
        self.history.add_partial(partial)
        if self._partial_timer.isActive():
            return  # already due: it will draw this newer text
        since = self._partial_clock.elapsed() if self._partial_clock.isValid() else PARTIAL_INTERVAL_MS
        if since >= PARTIAL_INTERVAL_MS:
            self._render_partial()
        else:
            self._partial_timer.start(PARTIAL_INTERVAL_MS - since)

    def _render_partial(self) -> None:
        self._partial_clock.start()
        self._render()

    def add_segment(self, segment: Any) -> None:
        self.history.add_segment(segment)
        self._partial_timer.stop()  # the finished line replaces the partial now
        self._render()
        # Said as shown (masked when the profile asks), in normal case: screen readers spell capitals.
        words = " ".join(w.text for w in caption_words(segment, self._spoken_style()))
        self.announcer.announce(words, source=self.captions)

    def _spoken_style(self) -> CaptionStyle:
        return CaptionStyle(profanity_filter=self.style_.profanity_filter)

    def show_message(self, text: str, source: str, seconds: float | None = None) -> None:
        """Show a quick phrase or the person's typed reply large above the captions.

        `source` says whose words they are: "phrase", "assessor_typed" or "app_spoken" (shown as
        "Assessor says"), "person_typed" ("You wrote"); "assessor" and "person" work too.
        `seconds`: hide it after that long; None keeps it until `clear_message`, Esc or Hide.
        """
        check_message(text, source, seconds)
        text = mask_profanity(text.strip()) if self.style_.profanity_filter else text.strip()
        heading = HEADINGS[source]
        self.message.show_text(heading, text)
        self._fit_message()
        self._message_timer.stop()
        if seconds is not None:
            self._message_timer.start(round(seconds * 1000))
        self._render()  # the captions area is shorter now: re-count its lines
        self.announcer.announce(f"{heading}: {text}", assertive=True, source=self.message)

    def clear_message(self) -> None:
        self._message_timer.stop()
        if not self.message.isHidden():
            self.message.hide()
            self._render()
            self.message_cleared.emit()

    def _fit_message(self) -> None:
        if not self.message.isHidden():
            self.message.fit(self.width(), int(MESSAGE_SHARE * self.height()))

    def escape(self) -> None:
        """Esc hides a message first; with none shown it leaves full screen."""
        if not self.message.isHidden():
            self.clear_message()
        else:
            self.leave_fullscreen()

    def clear(self) -> None:
        self.history = CaptionHistory()
        self._render()

    def set_status(self, headline: str, detail: str = "") -> None:
        """Show `headline` (a word or two: "Listening") and `detail` (what it means or what to do)."""
        self._status = (headline, detail)
        self._show_status()

    def set_engine(self, label: str) -> None:
        """The speech engine's label, shown after "Listening" (it carries pocketsphinx's accuracy warning)."""
        self._engine = label
        self._show_status()

    def apply_style(self, style: CaptionStyle) -> None:
        self.style_ = style
        colours = style.colours
        self._font = QFont()
        self._font.setFamilies(FONT_FAMILIES)
        self._font.setPointSize(style.font_pt)
        self.captions.setFont(self._font)
        status_font = QFont(self._font)
        status_font.setPointSize(STATUS_PT)
        self.status_label.setFont(status_font)
        button_font = QFont(self._font)
        button_font.setPointSize(BUTTON_PT)
        for button in self.findChildren(QPushButton):
            button.setFont(button_font)
        self.message.apply_fonts(self._font, button_font)
        self.setStyleSheet(window_style_sheet(colours))
        self._render()

    def change_font_size(self, steps: int) -> None:
        self.apply_style(self.style_.with_font_step(steps))

    def toggle_pause(self) -> None:
        self.paused = not self.paused
        self.pause_button.setText("Carry on" if self.paused else "Pause")
        self._show_status()
        self.pause_toggled.emit(self.paused)

    def toggle_fullscreen(self) -> None:
        if self.isFullScreen():
            self.leave_fullscreen()
        else:
            self.showFullScreen()
            self.fullscreen_button.setText("Leave full screen")

    def leave_fullscreen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
            self.fullscreen_button.setText("Full screen")

    def show_on_screen(self, index: int | None, fullscreen: bool) -> None:
        """Show on screen `index` (0 is the first; None: where the system puts it)."""
        screens = QGuiApplication.screens()
        if index is not None:
            if not 0 <= index < len(screens):
                raise ValueError(
                    f"There is no screen {index}; this computer has {len(screens)} (0 to {len(screens) - 1})."
                )
            geometry = screens[index].availableGeometry()
            self.move(geometry.topLeft())
            self.resize(min(self.width(), geometry.width()), min(self.height(), geometry.height()))
        if fullscreen:
            # Cover the screen ourselves too: without a window manager (a kiosk set-up)
            # the full-screen request alone leaves the window at its normal size.
            screen = screens[index] if index is not None else (self.screen() or screens[0])
            self.setGeometry(screen.geometry())
            self.showFullScreen()
            self.fullscreen_button.setText("Leave full screen")
        else:
            self.show()

    # --- drawing ---------------------------------------------------------------------
    def _show_status(self) -> None:
        headline, detail = self._status
        if self.paused:
            headline, detail = "Paused", "Press Space or Carry on to start captions again."
        elif headline == "Listening" and self._engine and not detail:
            detail = self._engine
        self.status_label.set_status(headline, detail)
        if (headline, detail) != self._announced_status:  # the controller repeats unchanged states
            self._announced_status = (headline, detail)
            self.announcer.announce(
                f"{headline}. {detail}" if detail else headline,
                assertive=headline in URGENT_HEADLINES,
                source=self.status_label,
            )

    def _render(self) -> None:
        self.renders += 1
        height = self.captions.viewport().height()
        width = self.captions.viewport().width()
        doc = caption_document(self.captions, self.history, self.style_, self._font, width, height)
        self.captions.setDocument(doc)  # Qt deletes only the document it made itself
        if self._doc is not None:
            self._doc.deleteLater()
        self._doc = doc

    # --- Qt events -------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.captions.viewport() and event.type() == QEvent.Type.Resize:
            self._render()  # re-wrap at the new width and re-count the lines
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_message()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Start with the focus on the window itself: no focus ring or text caret is
        # drawn over the captions until someone presses Tab.
        if self.focusWidget() in (None, self.captions):
            self.setFocus(Qt.FocusReason.OtherFocusReason)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit()
        super().closeEvent(event)

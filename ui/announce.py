"""Tell screen readers about new text without moving the keyboard focus.

Qt 6.8 added `QAccessibleAnnouncementEvent`: a message with a politeness (polite: read when the
screen reader is idle; assertive: read now, interrupting). Older Qt (this project allows
PySide6 6.6) has no announcements, so there the text becomes the accessible name of a small
"live" label and Qt posts a NameChanged event for it, which screen readers that watch the
window read out; it is the best those versions offer.

`QAccessible.updateAccessibility` does nothing unless assistive technology is active, so this
costs nothing for people who do not use a screen reader.
"""

from __future__ import annotations

from PySide6 import QtGui
from PySide6.QtCore import QObject
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QLabel, QWidget

HAS_ANNOUNCEMENTS = hasattr(QtGui, "QAccessibleAnnouncementEvent")


class Announcer:
    """Posts announcements on behalf of `owner` (the window)."""

    def __init__(self, owner: QWidget, use_announcement_events: bool = HAS_ANNOUNCEMENTS) -> None:
        self.owner = owner
        self.use_announcement_events = use_announcement_events
        # The fallback's live label: 1 px, never focused, inside the window so it is in the
        # accessibility tree (hidden widgets are not).
        self.live_label = QLabel(owner)
        self.live_label.setObjectName("liveAnnouncements")
        self.live_label.setAccessibleName("Announcements")  # until the first one replaces it
        self.live_label.setAccessibleDescription("The latest caption or status, for screen readers.")
        self.live_label.setGeometry(0, 0, 1, 1)
        self.live_label.lower()
        self.last = ""

    def announce(self, text: str, assertive: bool = False, source: QObject | None = None) -> None:
        """Read `text` out; `assertive` interrupts what the screen reader is saying."""
        text = " ".join(text.split())
        if not text:
            return
        self.last = text
        if self.use_announcement_events:
            event = QtGui.QAccessibleAnnouncementEvent(source or self.owner, text)
            politeness = QAccessible.AnnouncementPoliteness
            event.setPoliteness(politeness.Assertive if assertive else politeness.Polite)
            QAccessible.updateAccessibility(event)
        else:
            # setAccessibleName posts QAccessible::NameChanged for the label.
            self.live_label.setAccessibleName(text)

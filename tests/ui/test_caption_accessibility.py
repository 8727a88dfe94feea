"""Screen readers: every widget is named and described, and new text is announced to them."""

from __future__ import annotations

import pytest
from PySide6 import QtGui
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QWidget

from assistant.captions.events import Partial
from tests.ui.caption_windows import make as shown
from tests.ui.caption_windows import seg
from ui.announce import HAS_ANNOUNCEMENTS
from ui.caption_window import CaptionWindow

ANNOUNCEMENT = QAccessible.Event.Announcement


def make(qtbot, **style: object) -> CaptionWindow:  # type: ignore[no-untyped-def]
    return shown(qtbot, 1000, 600, active=False, **style)


def announcements(events) -> list[tuple[str, str, bool]]:  # type: ignore[no-untyped-def]
    return [(e.object_name, e.message, e.assertive) for e in events if e.kind == ANNOUNCEMENT]


def test_this_qt_has_announcement_events() -> None:
    """PySide6 6.8+ is what the project installs; the fallback is for older ones."""
    assert HAS_ANNOUNCEMENTS and hasattr(QtGui, "QAccessibleAnnouncementEvent")


def test_every_widget_has_an_accessible_name_and_description(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make(qtbot)
    window.show_message("Shall we take a break?", "phrase")
    ours = [
        window,
        *(w for w in window.findChildren(QWidget) if w.objectName() and not w.objectName().startswith("qt_")),
    ]
    assert len(ours) >= 12
    for widget in ours:
        iface = QAccessible.queryAccessibleInterface(widget)
        assert iface is not None and iface.isValid(), widget.objectName()
        name = iface.text(QAccessible.Text.Name)
        description = iface.text(QAccessible.Text.Description)
        assert name.strip(), f"{widget.objectName()} ({type(widget).__name__}) has no accessible name"
        assert description.strip(), f"{widget.objectName()} ({type(widget).__name__}) has no description"


def test_finished_segments_are_announced_politely_partials_are_not(qtbot, accessibility_events) -> None:  # type: ignore[no-untyped-def]
    window = make(qtbot)
    accessibility_events.clear()
    window.show_partial(Partial("did you sleep", 1.0))
    window.show_partial(Partial("did you sleep well", 1.2))
    assert announcements(accessibility_events) == []  # a half-heard line would be read out twice
    window.add_segment(seg("Did you sleep well?"))
    assert announcements(accessibility_events) == [("captions", "Did you sleep well?", False)]


def test_announced_text_is_masked_when_asked_and_not_in_capitals(qtbot, accessibility_events) -> None:  # type: ignore[no-untyped-def]
    window = make(qtbot, upper_case=True, profanity_filter=True)
    accessibility_events.clear()
    window.add_segment(seg("oh shit I forgot"))
    assert announcements(accessibility_events) == [("captions", "oh s*** I forgot", False)]
    assert "OH S*** I FORGOT" in window.captions.toPlainText()


def test_status_changes_are_announced_once_urgent_ones_assertively(qtbot, accessibility_events) -> None:  # type: ignore[no-untyped-def]
    window = make(qtbot)
    accessibility_events.clear()
    window.set_status("Listening")
    window.set_status("Listening")  # the controller repeats the state every second
    window.toggle_pause()
    window.toggle_pause()
    window.set_status("No speech model", "Install one with hark models install NAME.")
    assert announcements(accessibility_events) == [
        ("statusLine", "Listening", False),
        ("statusLine", "Paused. Press Space or Carry on to start captions again.", False),
        ("statusLine", "Listening", False),
        ("statusLine", "No speech model. Install one with hark models install NAME.", True),
    ]


def test_older_qt_falls_back_to_a_name_change(qtbot, accessibility_events) -> None:  # type: ignore[no-untyped-def]
    window = make(qtbot)
    window.announcer.use_announcement_events = False  # as on PySide6 6.6 / 6.7
    accessibility_events.clear()
    window.add_segment(seg("The carers come on Tuesday."))
    assert announcements(accessibility_events) == []
    changes = [
        e
        for e in accessibility_events
        if e.kind == QAccessible.Event.NameChanged and e.object_name == "liveAnnouncements"
    ]
    assert [e.message for e in changes] == ["The carers come on Tuesday."]


@pytest.mark.parametrize("source, heading", [("phrase", "Assessor says"), ("person_typed", "You wrote")])
def test_messages_are_announced_assertively(qtbot, accessibility_events, source: str, heading: str) -> None:  # type: ignore[no-untyped-def]
    window = make(qtbot)
    accessibility_events.clear()
    window.show_message("Would you like a cup of tea?", source)
    assert announcements(accessibility_events) == [
        ("messagePanel", f"{heading}: Would you like a cup of tea?", True)
    ]

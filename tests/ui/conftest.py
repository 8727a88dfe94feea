"""Qt tests run on the offscreen platform: no display, real widgets, real layout."""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Must be set before pytest-qt creates the QApplication.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@dataclass(frozen=True)
class PostedEvent:
    kind: object  # QAccessible.Event
    object_name: str  # objectName() of the widget the event is about
    message: str  # an announcement's text, or the widget's accessible name for other events
    assertive: bool | None  # an announcement's politeness; None for other events


@pytest.fixture
def accessibility_events(qapp) -> Iterator[list[PostedEvent]]:  # type: ignore[no-untyped-def]
    """Every QAccessibleEvent the application posts, as assistive technology would receive it.

    Qt's own hook for this, `QAccessible::installUpdateHandler`, is not in PySide6's bindings,
    so it is called from libQt6Gui through ctypes; each event pointer is wrapped back into
    PySide6 with shiboken. Accessibility is switched on for the test (updateAccessibility
    drops events while no assistive technology is active) and off again afterwards.
    """
    import PySide6
    import shiboken6
    from PySide6 import QtGui
    from PySide6.QtGui import QAccessible, QAccessibleEvent

    library = ctypes.CDLL(str(Path(PySide6.__file__).parent / "Qt" / "lib" / "libQt6Gui.so.6"))
    handler_type = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
    install = library._ZN11QAccessible20installUpdateHandlerEPFvP16QAccessibleEventE
    install.argtypes, install.restype = [handler_type], ctypes.c_void_p
    posted: list[PostedEvent] = []

    def on_update(pointer: int) -> None:
        event = shiboken6.wrapInstance(pointer, QAccessibleEvent)
        target = event.object()
        name = target.objectName() if target is not None else ""
        if event.type() == QAccessible.Event.Announcement:
            announcement = shiboken6.wrapInstance(pointer, QtGui.QAccessibleAnnouncementEvent)
            assertive = announcement.politeness() == QAccessible.AnnouncementPoliteness.Assertive
            posted.append(PostedEvent(event.type(), name, announcement.message(), assertive))
        else:
            iface = event.accessibleInterface()
            text = iface.text(QAccessible.Text.Name) if iface is not None and iface.isValid() else ""
            posted.append(PostedEvent(event.type(), name, text, None))

    callback = handler_type(on_update)  # kept referenced until uninstalled
    previous = install(callback)
    assert previous is None, "another accessibility update handler is installed"
    QAccessible.setActive(True)
    try:
        yield posted
    finally:
        QAccessible.setActive(False)
        install(handler_type())  # a null handler: Qt's platform bridge again


@pytest.fixture(autouse=True)
def empty_clipboard_afterwards() -> Iterator[None]:
    """Qt's offscreen platform crashes at exit when its clipboard still holds data a test put there
    (a real desktop's clipboard does not), which would fail the whole run after every test passed."""
    yield
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is not None:
        QGuiApplication.clipboard().clear()


@pytest.fixture
def app_store(tmp_path: Path) -> Path:
    """A real encrypted store holding one person, Ada (tests/support/app_home.py)."""
    from tests.support.app_home import store_with_ada

    return store_with_ada(tmp_path)


@pytest.fixture
def home(qtbot, app_store: Path, tmp_path: Path) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """The app's home window on `app_store`, with a recording as the microphone."""
    from tests.support.app_home import open_home

    yield from open_home(qtbot, app_store, tmp_path)

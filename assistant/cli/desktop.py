"""What the command line needs from the desktop part of Hark (ui/), without importing it.

`hark captions` and the passport PDF need Qt; everything else in `hark` must start without it.
So the command line defines here what it asks of the desktop, and ui/main.py, which is the `hark`
console script, hands an implementation to `assistant.cli.main.main` (dependency inversion:
assistant never imports ui). Run as `python -m assistant.cli.main` there is no desktop, and the two
commands that need one say so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from assistant.cli.errors import CommandError

if TYPE_CHECKING:  # only names for the annotations: `hark devices` should not load the caption engines
    from assistant.assessment.record import SessionRecord
    from assistant.captions.session import CaptionSession
    from assistant.captions.style import CaptionStyle
    from assistant.conversation.desk_actions import DeskActions


@dataclass(frozen=True)
class CaptionsRun:
    """Everything one caption window needs, prepared by `hark captions` before the window opens."""

    style: CaptionStyle
    screen: int | None  # None: the screen the window manager chooses
    fullscreen: bool
    session: Callable[[Any], CaptionSession]  # given the window's bridge: the (not yet started) session
    desk: Callable[[CaptionSession], DeskActions]  # given the started session: the assessor's desk
    finish: Callable[[CaptionSession], None]  # after the window closed: save the transcript when allowed


@dataclass(frozen=True)
class AppRun:
    """What the assessor's window needs, prepared by `hark app` before it opens."""

    engine: Callable[[Any], Any]  # given an event hook: the audio.engine.AudioEngine, not yet started
    record: SessionRecord
    person: str | None  # the person's preferred name; None for a quick session
    tone_preset: str | None  # the preset the profile's bands started from
    assessor: str
    demo: bool  # the microphone is a looping recording
    store: Any = None  # the open profiles.store.ProfileStore the record is saved in (with a person)
    profile: dict[str, Any] | None = None  # the person's profile, as read for this session
    room_output: Any = None  # the room speaker for speech to the room (a device); None: none


@dataclass(frozen=True)
class HomeRun:
    """What the app's home needs, prepared by `hark app` (or `hark` alone) before it opens."""

    # (profile or None for a quick session, the open store or None, the app's AppSettings): one
    # session, its engine not yet started
    session: Callable[..., AppRun]
    store_path: Path
    assessor: str
    demo: bool


class Desktop(Protocol):
    """The window side of Hark. Implementations import Qt only inside these methods."""

    def run_captions(self, run: CaptionsRun) -> int:
        """Open the caption window and run it until it is closed (or Ctrl+C); the exit status.
        Raises CommandError for a screen that does not exist."""
        ...

    def write_passport_pdf(self, passport: dict[str, Any], path: Path) -> None:
        """Print a person's communication passport to `path` as a PDF."""
        ...

    def run_app(self, run: AppRun) -> int:
        """Open the assessor's window and run it until it is closed (or Ctrl+C); the exit status."""
        ...

    def run_home(self, run: HomeRun) -> int:
        """Open the app on its home (people, quick session) and run it until it is closed."""
        ...


def needs_desktop_message(what: str) -> str:
    """The sentence for a command that needs the window side when it is not there."""
    return (
        f"{what} needs Hark's desktop part, which `python -m assistant.cli.main` does not load; "
        "run it as `hark` (or `python -m ui.main`)."
    )


def needs_desktop(what: str) -> CommandError:
    return CommandError(needs_desktop_message(what))

"""The one exception family of speech output, and the per-platform fix when no engine is installed."""

from __future__ import annotations

import sys


class SpeechError(Exception):
    """A speech problem the user can act on: the message says what, why, and what to do next."""


class SpeechEngineMissing(SpeechError):
    """No text-to-speech engine could be started on this computer."""


def engine_missing_message(platform: str = sys.platform, cause: str = "") -> str:
    """What to tell someone whose computer has no speech engine, with the fix for their system."""
    why = f" ({cause})" if cause else ""
    if platform.startswith("linux"):
        fix = (
            "Install eSpeak NG: on Debian or Ubuntu run 'sudo apt-get install libespeak-ng1', "
            "on Fedora 'sudo dnf install espeak-ng', then try again."
        )
    elif platform == "win32":
        fix = (
            "Windows has speech built in (SAPI5): check that a voice is installed under "
            "Settings > Time & language > Speech, then try again."
        )
    elif platform == "darwin":
        fix = (
            "macOS has speech built in: check that a voice is installed under System Settings > "
            "Accessibility > Spoken Content, then try again."
        )
    else:
        fix = "Install eSpeak NG (the libespeak-ng library) for your system, then try again."
    return f"No speech engine could be started on this computer{why}. {fix}"

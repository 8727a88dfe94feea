"""The `hark` console script: the whole command line, with the desktop part plugged in.

The command line itself is assistant/cli; this module gives it the window side (the caption
window and the passport PDF) through `QtDesktop`, whose methods import Qt only when called, so
`hark devices`, `hark --help` and every other command that opens no window never load PySide6.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from assistant.cli.desktop import AppRun, CaptionsRun, Desktop, HomeRun
from assistant.cli.errors import CommandError
from assistant.cli.main import main as command_line


def check_screen(what: str) -> None:
    """On Linux, a window needs an X or Wayland display; without one Qt aborts with a page of
    plugin messages, so say it in one sentence instead."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise CommandError(
            f"{what} needs a screen, and this session has none (no DISPLAY or WAYLAND_DISPLAY). Run "
            "it from the desktop, or use the commands that work in a terminal (hark --help)."
        )


class QtDesktop:
    """assistant.cli.desktop.Desktop, implemented with PySide6."""

    def run_captions(self, run: CaptionsRun) -> int:
        check_screen("The caption window")
        from ui.captions_app import run_captions

        return run_captions(run)

    def write_passport_pdf(self, passport: dict[str, Any], path: Path) -> None:
        from ui.passport_pdf import write_passport_pdf

        write_passport_pdf(passport, path)

    def run_app(self, run: AppRun) -> int:
        check_screen("Hark's app")
        from ui.assessor_app import run_app

        return run_app(run)

    def run_home(self, run: HomeRun) -> int:
        check_screen("Hark's app")
        from ui.assessor_app import run_home

        return run_home(run)


def main(argv: list[str] | None = None) -> int:
    desktop: Desktop = QtDesktop()
    return command_line(argv, desktop=desktop)


if __name__ == "__main__":
    sys.exit(main())

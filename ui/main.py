"""The `hark` console script: the whole command line, with the desktop part plugged in.

The command line itself is assistant/cli; this module gives it the window side (the caption
window and the passport PDF) through `QtDesktop`, whose methods import Qt only when called, so
`hark devices`, `hark --help` and every other command that opens no window never load PySide6.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from assistant.cli.desktop import AppRun, CaptionsRun, Desktop, HomeRun
from assistant.cli.main import main as command_line


class QtDesktop:
    """assistant.cli.desktop.Desktop, implemented with PySide6."""

    def run_captions(self, run: CaptionsRun) -> int:
        from ui.captions_app import run_captions

        return run_captions(run)

    def write_passport_pdf(self, passport: dict[str, Any], path: Path) -> None:
        from ui.passport_pdf import write_passport_pdf

        write_passport_pdf(passport, path)

    def run_app(self, run: AppRun) -> int:
        from ui.assessor_app import run_app

        return run_app(run)

    def run_home(self, run: HomeRun) -> int:
        from ui.assessor_app import run_home

        return run_home(run)


def main(argv: list[str] | None = None) -> int:
    desktop: Desktop = QtDesktop()
    return command_line(argv, desktop=desktop)


if __name__ == "__main__":
    sys.exit(main())

"""Run by scripts/screenshots under Xvfb: the assessor's window in demo mode, a few seconds into a
session with one note, saved as PNG. Everything on screen is the real app and the real engine."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from assistant.assessment.record import SessionRecord
from assistant.cli.desktop import AppRun
from audio.engine import AudioEngine
from ui.assessor_app import open_session, start_listening

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "tests" / "data" / "speech_1998-15444-0005_2s.wav"


def settle(app: QApplication, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    app = QApplication(sys.argv[:1])
    record = SessionRecord(None, keep_words=False)
    run = AppRun(
        lambda hook: AudioEngine(source=DEMO, on_event=hook), record, None, "flat", "A. Assessor", True
    )
    window, engine, _ = open_session(run)
    start_listening(engine, record)
    window.resize(1180, 720)
    window.show()
    settle(app, 1.0)
    window.listening.volume.setValue(14)
    window.record.kind.setCurrentIndex(window.record.kind.findData("interpreter"))
    window.record.text.setText("BSL interpreter present")
    window.record.add_note()
    settle(app, 3.0)
    out.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out / "app-demo-session.png"))
    window.end_session()
    settle(app, 0.5)
    assert window.summary is not None
    window.summary.grab().save(str(out / "app-session-summary.png"))
    engine.release()
    print(f"Saved the pictures in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

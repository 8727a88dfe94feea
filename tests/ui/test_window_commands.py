"""`hark captions`: its flags, the session's status decisions (no devices, no window), and Ctrl+C."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from assistant.captions.errors import CaptionError
from assistant.captions.session import FEEDBACK_SHOWN_S, PROBLEM_SHOWN_S, CaptionSession, SessionOptions
from assistant.cli.captions import add_commands, session_options, style_from_arguments
from audio.feedback_guard import FeedbackGuard
from profiles.model import validate_profile
from tests.support.processes import child_pids


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hark")
    add_commands(parser.add_subparsers())
    return parser.parse_args(["captions", *argv])


def test_flags_build_the_caption_style() -> None:
    args = parse(
        "--font-pt",
        "60",
        "--scheme",
        "black-on-cream",
        "--lines",
        "6",
        "--upper-case",
        "--fullscreen",
        "--screen",
        "1",
        "--gain-db",
        "6",
    )
    style = style_from_arguments(args)
    assert (style.font_pt, style.scheme, style.lines, style.upper_case) == (60, "black-on-cream", 6, True)
    assert args.fullscreen and args.screen == 1 and args.gain_db == 6


def test_flags_choose_the_sessions_devices_and_recogniser() -> None:
    options = session_options(
        parse("--input", "2", "--output", "USB Headset", "--rate", "16000", "--engine", "pocketsphinx"), None
    )
    assert (options.input, options.output, options.rate, options.block) == (2, "USB Headset", 16000, 128)
    assert (options.engine, options.model, options.room_output) == ("pocketsphinx", None, None)
    assert options.noise_reduction_method == "learned"


def test_the_noise_reduction_method_is_the_profiles_unless_a_flag_says_otherwise() -> None:
    profile = validate_profile(
        {
            "identity": {"preferred_name": "Ada"},
            "hearing": {"listening": {"noise_reduction_method": "classic"}},
        }
    )
    assert session_options(parse(), profile).noise_reduction_method == "classic"
    flagged = parse("--noise-reduction-method", "rnnoise-assisted")
    assert session_options(flagged, profile).noise_reduction_method == "rnnoise-assisted"


def test_bad_style_flags_are_one_clear_error() -> None:
    with pytest.raises(CaptionError, match="2 to 10 lines"):
        style_from_arguments(parse("--lines", "12"))


class _Engine:
    """An audio engine's status without devices, its howl fields from a real howl guard."""

    def __init__(self, state: str, message: str = "") -> None:
        self.state, self.message = state, message
        self.guard = FeedbackGuard()
        self.guard.prepare(48000, 128, 1)

    @property
    def status(self) -> SimpleNamespace:
        guard = self.guard
        return SimpleNamespace(
            state=self.state, message=self.message, howl_events=guard.events, last_howl_hz=guard.last_howl_hz
        )

    def howl(self) -> None:
        """A 3 kHz tone rising out of silence, as a howl does, until the guard cuts it."""
        guard = self.guard
        events = guard.events
        t = np.arange(48000) / 48000
        tone = (10 ** (np.minimum(-70.0 + 300.0 * t, -10.0) / 20) * np.sin(2 * np.pi * 3000.0 * t)).astype(
            np.float32
        )
        for b in range(len(t) // 128):
            if guard.events > events:
                return
            guard.process(tone[None, b * 128 : (b + 1) * 128].copy())
        raise AssertionError("the guard did not cut the howl")


def test_status_says_what_is_missing_most_urgent_first() -> None:
    session = CaptionSession(SessionOptions(), None, SimpleNamespace())  # type: ignore[arg-type]
    session.starting = "Preparing the audio engine (first run only)…"
    assert session.status() == ("Starting", "Preparing the audio engine (first run only)…")
    session.starting = ""
    session.engine = _Engine("waiting", "No input device found.")
    assert session.status() == ("Waiting for the sound device", "No input device found.")
    session.engine = _Engine("running")
    assert session.status()[0] == "Starting"
    session.model_error = "No Vosk model installed. Install one with 'hark models install NAME'."
    assert session.status() == ("No speech model", session.model_error)
    session.model_error = ""
    session.worker = SimpleNamespace(error="", paused=False)  # type: ignore[assignment]
    assert session.status() == ("Listening", "")
    session.set_paused(True)
    assert session.worker is not None and session.worker.paused is True


def test_status_says_when_the_howl_guard_turned_the_sound_down_and_what_to_do() -> None:
    """Otherwise the assessor only hears the sound drop, with no idea why or what to change."""
    session = CaptionSession(SessionOptions(), None, SimpleNamespace())  # type: ignore[arg-type]
    session.engine = stream = _Engine("running")
    session.worker = SimpleNamespace(error="", paused=False)  # type: ignore[assignment]
    assert session.status() == ("Listening", "")
    stream.howl()
    headline, detail = session.status()
    assert headline == "Whistling turned down"
    assert "3000 Hz" in detail and detail.startswith("Move the microphone away from the headphones")
    assert detail.endswith("Ctrl+F checks the new placement.")
    # It stays up for a while, then the status goes back to what it was; a new howl brings it back.
    assert session.howl_at is not None
    session.howl_at -= PROBLEM_SHOWN_S
    assert session.status() == ("Listening", "")
    stream.howl()
    assert session.status()[0] == "Whistling turned down"
    # A device that has gone is still the more urgent news.
    stream.state, stream.message = "waiting", "No output device found."
    assert session.status()[0] == "Waiting for the sound device"


def test_the_feedback_check_runs_through_the_windows_own_engine_and_says_what_to_do(jack_server) -> None:  # type: ignore[no-untyped-def]
    """Ctrl+F in the window: the live engine's output leaks back through a 3 kHz resonance at -20 dB;
    with 20 dB of gain the check must say it will whistle, while captions pause for the sweep."""
    from scipy.signal import butter

    from audio.engine import AudioEngine
    from audio.settings import ListeningSettings
    from tests.support.jack_rig import LeakyRig

    settings = ListeningSettings(gain_db=20.0)
    said: list[tuple[str, str]] = []
    bridge = SimpleNamespace(message=SimpleNamespace(emit=lambda *message: said.append(message)))
    session = CaptionSession(SessionOptions(), settings, bridge)
    paused_during: list[bool] = []
    worker = SimpleNamespace(error="", paused=False)
    session.worker = worker  # type: ignore[assignment]
    sos = butter(2, [2800, 3200], btype="band", fs=48000, output="sos")
    rig = LeakyRig(jack_server.name, np.zeros(0, dtype=np.float32), 30 * 48000, sos, 0.1)
    engine = AudioEngine(settings, input_device="system", output_device="system")  # its own process
    try:
        engine.start()
        rig.wire()
        rig.armed = True
        session.engine = engine
        time.sleep(0.3)
        session.check_feedback()
        assert session.status()[0] == "Checking for whistling"
        assert "rising tone plays in the headphones for 2 seconds" in session.status()[1]
        deadline = time.monotonic() + 15
        while session.checking_feedback and time.monotonic() < deadline:
            paused_during.append(worker.paused)
            time.sleep(0.05)
        shown = session.status()[0]
        # The sweep ran to its end and the engine took its probe off: the chain's sound is given back.
        assert [e.message for e in engine.events() if e.kind == "probe"] == ["done"]
    finally:
        engine.release()
        rig.close()
    assert session.feedback is not None
    headline, detail, _ = session.feedback
    assert headline == "Will whistle", detail
    assert (
        detail.startswith("Move the microphone away from the headphones") and "whistle at about 30" in detail
    )
    # With the leak this strong the loop also howls whenever the chain's sound is on (before and after
    # the sweep); the howl guard's news comes first on the status line, then the check's verdict.
    assert shown in ("Will whistle", "Whistling turned down")
    assert any(paused_during) and worker.paused is False  # captions paused for the sweep, then carried on
    assert said[0][0] == "Checking for whistling"


def test_the_feedback_check_and_a_howl_show_whichever_is_newer() -> None:
    """Ctrl+F is what the howl's message suggests, so the check must not be hidden behind it."""
    session = CaptionSession(SessionOptions(), None, SimpleNamespace())  # type: ignore[arg-type]
    session.engine = stream = _Engine("running")
    session.worker = SimpleNamespace(error="", paused=False)  # type: ignore[assignment]
    stream.howl()
    assert session.status()[0] == "Whistling turned down"
    session.checking_feedback = True
    assert session.status()[0] == "Checking for whistling"
    session.checking_feedback = False
    session.feedback = (
        "No whistling expected",
        "No whistling expected with these settings: 14 dB to spare.",
        time.monotonic(),
    )
    assert session.status()[0] == "No whistling expected"
    stream.howl()  # it whistles after all
    assert session.status()[0] == "Whistling turned down"
    assert session.howl_at is not None
    session.howl_at -= PROBLEM_SHOWN_S
    assert session.status()[0] == "No whistling expected"  # the verdict's 20 s are not over yet
    session.feedback = (*session.feedback[:2], time.monotonic() - FEEDBACK_SHOWN_S)
    assert session.status() == ("Listening", "")
    # A device that has gone is still the more urgent news.
    session.checking_feedback = True
    stream.state, stream.message = "waiting", "No output device found."
    assert session.status()[0] == "Waiting for the sound device"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads child processes from /proc")
def test_ctrl_c_in_the_terminal_closes_the_window_the_normal_way(tmp_path: Path) -> None:
    """Qt's event loop used to hold Ctrl+C back until the window was closed by hand. Now it closes the
    window as its close button does: everything stops and the transcript is saved (allowed here: no
    profile, and --transcript asks for it). No sound devices needed: the window waits for them."""
    transcript = tmp_path / "session.txt"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_DATA_HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
    }
    command = [sys.executable, "-m", "ui.main", "captions", "--engine", "pocketsphinx"]
    window = subprocess.Popen(
        [*command, "--transcript", str(transcript)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # The speech and recogniser child processes start once the window is open and handles Ctrl+C.
        deadline = time.monotonic() + 120
        while not child_pids(window.pid) and window.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert window.poll() is None, window.communicate()[1]
        time.sleep(0.5)
        window.send_signal(signal.SIGINT)
        _, stderr = window.communicate(timeout=60)
    finally:
        if window.poll() is None:
            window.kill()
            window.communicate()
    assert window.returncode == 0, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert f"Saved the conversation (0 lines) to {transcript}" in stderr
    assert transcript.is_file()

"""The assessor's session window when things go wrong, on the real parts: a real audio engine process
(on a private JACK dummy server, or a recording looping as the microphone), the real recogniser, a
real encrypted store. No microphone or headphones at all; the sound device freezing and coming
back, or going for good; the engine process killed; the disk filling up while the record is saved.
Each time the window stays open, says what is wrong in plain words, the record of practicable
steps says what happened, and the session carries on when the problem goes.

(A wrong passphrase and a store locked by another Hark are tested in test_people_page.py and, for
the session window's lock panel, in test_home_window.py.)
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer

from assistant.assessment.record import SessionRecord
from assistant.cli.desktop import AppRun
from audio.engine import AudioEngine
from profiles.store import ProfileStore
from tests.profiles.conftest import PASSPHRASE, TEST_SCRYPT_N
from tests.support.file_engine import SPEECH_2S
from tests.support.full_disk import FullingDisk, PageCap, SmallDisk
from ui.assessor_app import launch_session
from ui.assessor_window import AssessorWindow

# An exception on any of the app's threads (the engine's start, its monitor, the draft keeper) fails the test.
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")

WAIT_MS = 60_000  # an engine's start, a recogniser's child process, a caption line of the loop
MISSING = "Microphone or headphones missing: "
RESTARTING = "The sound stopped for a moment; Hark is starting it again."
SAVED_AS_YOU_GO = "The record is saved in the person's encrypted profile store as you go."
NO_MICROPHONE = "Hark test microphone that is not plugged in"
NO_HEADPHONES = "Hark test headphones that are not plugged in"


@pytest.fixture
def jack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A JACK dummy server of this test's own, which the session's engine process connects to (it
    inherits the environment). Only the engine process opens PortAudio, as in the app."""
    if shutil.which("jackd") is None:
        pytest.skip("jackd is not on PATH (apt-get install jackd2); the device tests need it")
    from tests.support.jack_rig import JackServer

    server = JackServer(f"hark-app-{os.getpid()}-{time.monotonic_ns() % 1_000_000_000}")
    for key, value in server.env().items():
        monkeypatch.setenv(key, value)
    server.start()
    try:
        yield server
    finally:
        if server.process is not None and server.process.poll() is None:
            os.kill(server.process.pid, signal.SIGCONT)  # a test that froze it and failed
        server.stop()


@contextmanager
def session(
    engine_for: Callable[[Any], AudioEngine],
    *,
    demo: bool = False,
    store: ProfileStore | None = None,
    profile: dict[str, Any] | None = None,
) -> Iterator[AssessorWindow]:
    """A session's window opened as the app opens it (`launch_session`: the window at once, the
    engine started behind it on a thread), closed at the end without a question."""
    person = profile["identity"]["preferred_name"] if profile is not None else None
    record = SessionRecord(profile["id"] if profile is not None else None, keep_words=False)
    run = AppRun(engine_for, record, person, None, "Tess Tester", demo, store, profile)
    window = launch_session(run)
    try:
        assert window.isVisible()
        yield window
    finally:
        window.interrupted.set()  # as Ctrl+C in the terminal: closing asks nothing
        window.close()
        window.engine.release()  # here rather than on the window's thread: the server goes next
        window.deleteLater()


def statuses_seen(window: AssessorWindow) -> list[str]:
    """Every text the listening panel's status line shows from now on (it refreshes 10 times a second;
    this looks 50 times a second, so no line the panel showed is missed)."""
    seen: list[str] = []

    def look() -> None:
        text = window.listening.status.text()
        if not seen or seen[-1] != text:
            seen.append(text)

    timer = QTimer(window)
    timer.timeout.connect(look)
    timer.start(20)
    look()
    return seen


def steps(window: AssessorWindow, kind: str = "audio") -> list[str]:
    return [step.text for step in window.run.record.steps() if step.kind == kind]


def wait_for_step(qtbot, window: AssessorWindow, starts: str, kind: str = "audio") -> str:  # type: ignore[no-untyped-def]
    """The first step of `kind` starting with `starts`, once the record has it; on a timeout, the
    failure lists what the record has instead."""
    try:
        qtbot.waitUntil(lambda: any(s.startswith(starts) for s in steps(window, kind)), timeout=WAIT_MS)
    except qtbot.TimeoutError:
        every = [f"{step.kind}: {step.text}" for step in window.run.record.steps()]
        raise AssertionError(f"no {kind} step starting {starts!r}; the record has {every}") from None
    return next(s for s in steps(window, kind) if s.startswith(starts))


def shown_steps(window: AssessorWindow) -> list[str]:
    """The record's steps as the assessor's list shows them."""
    listed = window.record.steps
    return [listed.item(row).text() for row in range(listed.count())]


# --- no microphone -------------------------------------------------------------------------------------
@pytest.mark.parametrize("devices", ["not on this computer", "no sound server at all"])
def test_with_no_microphone_or_headphones_the_window_opens_and_says_so(
    qtbot, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, devices: str
) -> None:  # type: ignore[no-untyped-def]
    if devices == "not on this computer":
        request.getfixturevalue("jack")  # JACK's devices are there, but not the ones asked for
        names = (NO_MICROPHONE, NO_HEADPHONES)
    else:  # JACK's own device names, and no JACK server (nor any other sound device here)
        monkeypatch.setenv("JACK_DEFAULT_SERVER", f"hark-none-{os.getpid()}-{time.monotonic_ns()}")
        monkeypatch.setenv("JACK_NO_START_SERVER", "1")
        names = ("system", "system")
    engine_for = lambda hook: AudioEngine(input_device=names[0], output_device=names[1], on_event=hook)  # noqa: E731
    with session(engine_for) as window:
        line = window.listening.status
        qtbot.waitUntil(lambda: line.text().startswith(MISSING), timeout=WAIT_MS)
        assert f"'{names[1]}'" in line.text() and "Waiting for the device" in line.text()
        problem = wait_for_step(qtbot, window, "Sound device problem")
        assert f"'{names[1]}'" in problem
        assert not any(s.startswith("Listening started") for s in steps(window, "listening"))
        qtbot.waitUntil(lambda: any(problem in item for item in shown_steps(window)), timeout=WAIT_MS)
        window.record.text.setText("No headphones: spoke slowly, face to face")  # the session goes on
        window.record.add_note()
        assert shown_steps(window)[-1].endswith("[Assessor]  No headphones: spoke slowly, face to face")
        assert window.isVisible() and window.engine.status.state == "waiting"


def test_devices_that_appear_after_the_start_are_used_and_the_record_says_so(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    if shutil.which("jackd") is None:
        pytest.skip("jackd is not on PATH (apt-get install jackd2); the device tests need it")
    from tests.support.jack_rig import JackServer

    later = JackServer(f"hark-later-{os.getpid()}-{time.monotonic_ns() % 1_000_000_000}")
    for key, value in later.env().items():
        monkeypatch.setenv(key, value)
    engine_for = lambda hook: AudioEngine(input_device="system", output_device="system", on_event=hook)  # noqa: E731
    try:
        with session(engine_for) as window:
            qtbot.waitUntil(lambda: window.listening.status.text().startswith(MISSING), timeout=WAIT_MS)
            wait_for_step(qtbot, window, "Sound device problem")
            later.start()  # the assessor plugs the headset in (its sound server comes up)
            qtbot.waitUntil(lambda: window.listening.status.text().startswith("Listening."), timeout=WAIT_MS)
            wait_for_step(qtbot, window, "The sound device came back")
            assert window.engine.status.recoveries == 1
    finally:
        later.stop()


# --- the device freezes, then comes back; or goes for good ----------------------------------------------
def test_a_device_that_stops_and_comes_back_is_said_missing_then_listening_again(qtbot, jack) -> None:  # type: ignore[no-untyped-def]
    engine_for = lambda hook: AudioEngine(input_device="system", output_device="system", on_event=hook)  # noqa: E731
    with session(engine_for) as window:
        engine = window.engine
        qtbot.waitUntil(lambda: window.listening.status.text().startswith("Listening."), timeout=WAIT_MS)
        seen = statuses_seen(window)
        # The sound card stops dead (JACK's server frozen: no more cycles), as a USB device that hangs
        # or is pulled out does; the engine notices no sound has come for two seconds.
        os.kill(jack.process.pid, signal.SIGSTOP)
        try:
            qtbot.waitUntil(lambda: engine.status.state == "disappeared", timeout=WAIT_MS)
            qtbot.waitUntil(lambda: seen[-1].startswith(MISSING), timeout=WAIT_MS)
        finally:
            os.kill(jack.process.pid, signal.SIGCONT)
        qtbot.waitUntil(lambda: seen[-1].startswith("Listening."), timeout=WAIT_MS)
        said_missing = [line for line in seen if line.startswith(MISSING)]
        assert "Output device 'system' disappeared; waiting for it to come back" in said_missing[0]
        qtbot.waitUntil(lambda: "The sound device came back" in steps(window), timeout=WAIT_MS)
        audio = steps(window)
        gone = audio.index(
            "Sound device problem: Output device 'system' disappeared; waiting for it to come back or "
            "choose another."
        )
        assert audio.index("The sound device came back") > gone
        qtbot.waitUntil(
            lambda: any(item.endswith("[Hark]  The sound device came back") for item in shown_steps(window)),
            timeout=WAIT_MS,
        )
        before = engine.status.callbacks
        qtbot.waitUntil(lambda: engine.status.callbacks > before + 100, timeout=WAIT_MS)  # sound flows
        assert window.isVisible()


def test_a_device_gone_for_good_is_said_missing_and_the_session_can_still_end(qtbot, jack) -> None:  # type: ignore[no-untyped-def]
    engine_for = lambda hook: AudioEngine(input_device="system", output_device="system", on_event=hook)  # noqa: E731
    with session(engine_for) as window:
        qtbot.waitUntil(lambda: window.listening.status.text().startswith("Listening."), timeout=WAIT_MS)
        jack.stop()  # the sound server (every device on it) is gone
        qtbot.waitUntil(lambda: window.listening.status.text().startswith(MISSING), timeout=WAIT_MS)
        wait_for_step(qtbot, window, "Sound device problem")
        window.end_session()
        summary = window.summary
        assert summary is not None
        text = summary.text.toPlainText()
        assert "[Hark] Sound device problem: Output device 'system' disappeared" in text
        assert "[Hark] Listening stopped: the session ended" in text
        summary.close()


# --- the engine process killed ---------------------------------------------------------------------------
def test_a_killed_engine_is_restarted_and_captions_and_speech_carry_on(qtbot) -> None:  # type: ignore[no-untyped-def]
    engine_for = lambda hook: AudioEngine(source=SPEECH_2S, on_event=hook)  # noqa: E731
    with session(engine_for, demo=True) as window:
        engine, captions = window.engine, window.captions
        assert captions is not None and window.conversation is not None
        # The recording says "if the medical practitioners..."; a line every time it loops.
        qtbot.waitUntil(lambda: "medical" in captions.view.toPlainText(), timeout=WAIT_MS)
        seen = statuses_seen(window)
        first = engine.pid
        assert first is not None and seen[-1].startswith("Listening.")
        os.kill(first, signal.SIGKILL)
        qtbot.waitUntil(lambda: RESTARTING in seen, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: seen[-1].startswith("Listening."), timeout=WAIT_MS)
        assert re.fullmatch(r"Listening\. \d+ dropouts? so far\.", seen[-1]), seen  # the restart counts
        assert engine.status.engine_restarts == 1 and engine.pid not in (None, first)
        qtbot.waitUntil(lambda: len(steps(window)) == 2, timeout=WAIT_MS)
        stopped, back = steps(window)
        assert stopped.startswith("The audio stopped and Hark restarted it") and "back after" in back
        assert window.isVisible() and window.run.record.summary()["audio_restarts"] == 1

        # Captions of what the microphone hears after the restart: two more lines (the first may be
        # the end of what was heard before) and the words of the recording in them.
        lines = captions.view.toPlainText().splitlines()
        qtbot.waitUntil(
            lambda: len(captions.view.toPlainText().splitlines()) >= len(lines) + 2, timeout=WAIT_MS
        )
        after = captions.view.toPlainText().splitlines()[len(lines) :]
        assert any("medical" in line for line in after), after
        # Typed speech reaches the new engine's ears.
        conversation = window.conversation
        qtbot.keyClicks(conversation.say_entry, "We can take a break whenever you like")
        conversation.say_typed()
        assert conversation.problem.isHidden() and steps(window, "typed") == ["The assessor typed a message"]
        qtbot.waitUntil(lambda: engine.speech.pending_seconds > 0.3, timeout=WAIT_MS)
        assert engine.status.engine_restarts == 1 and engine.status.state == "running"


# --- the disk fills up while the record is saved --------------------------------------------------------
@pytest.mark.parametrize("kind", ["a real small disk", "SQLite's page limit"])
def test_a_full_disk_is_said_the_session_carries_on_and_saving_resumes_when_there_is_space(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:  # type: ignore[no-untyped-def]
    disk: FullingDisk = SmallDisk(tmp_path) if kind == "a real small disk" else PageCap(tmp_path, monkeypatch)
    try:
        with ProfileStore.create(disk.store_path, PASSPHRASE, "Tess Tester", scrypt_n=TEST_SCRYPT_N) as store:
            ada = store.create_profile({"preferred_name": "Ada"})
            disk.fill(store)
            engine_for = lambda hook: AudioEngine(source=SPEECH_2S, on_event=hook)  # noqa: E731
            with session(engine_for, demo=True, store=store, profile=store.current(ada)) as window:
                assert window.keeper is not None
                saving = window.saving
                assert saving.isVisible() and saving.text() == SAVED_AS_YOU_GO
                qtbot.waitUntil(lambda: ada_draft(store) is not None, timeout=WAIT_MS)
                for n in range(100):  # 400 kB of notes: more than the disk has room for
                    window.run.record.noted("note", f"Note {n}: " + os.urandom(2000).hex())
                qtbot.waitUntil(lambda: "The disk is full" in saving.text(), timeout=WAIT_MS)
                assert "the session record was last saved at " in saving.text()
                assert "Free some disk space; Hark keeps trying." in saving.text()
                draft = ada_draft(store)
                assert draft is not None and len(draft) < 100  # the last good save, whole

                # The session carries on: listening, and the assessor's notes.
                qtbot.waitUntil(
                    lambda: window.listening.status.text().startswith("Listening."), timeout=WAIT_MS
                )
                window.record.text.setText("Moved to the quiet lounge")
                window.record.add_note()
                assert shown_steps(window)[-1].endswith("[Assessor]  Moved to the quiet lounge")
                assert window.isVisible() and "The disk is full" in saving.text()

                disk.free(store)  # space again
                qtbot.waitUntil(lambda: saving.text() == SAVED_AS_YOU_GO, timeout=WAIT_MS)
                saved = ada_draft(store)
                assert saved is not None and "Moved to the quiet lounge" in saved and len(saved) >= 101
    finally:
        disk.remove()


def ada_draft(store: ProfileStore) -> list[str] | None:
    """The texts of the steps in the session's draft in the store (the only draft with a person)."""
    mine = [draft for draft in store.session_records.drafts() if draft.profile_id is not None]
    return [step["text"] for step in mine[0].record["steps"]] if mine else None

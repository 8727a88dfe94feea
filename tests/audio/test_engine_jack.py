"""The audio engine process (audio.engine), in real time, on a private JACK dummy server.

This process never imports sounddevice: only the engine does, so the only PortAudio client on
the server is the engine's. A JACK client (the rig, tests/support/jack_rig.py) feeds the engine's
input port and records its output port in the same JACK cycle. Every test has its own server:
a replacement engine may come back under a new client name and lose its connections.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from recordings import load
from scipy.signal import correlate

from audio.chain import ListeningChain
from audio.engine import AudioEngine
from audio.engine_protocol import EngineEvent
from audio.mixer import SpeechQueueFull, speech_samples
from audio.settings import CompressionSettings, ListeningSettings

if shutil.which("jackd") is None:
    pytest.skip(
        "jackd is not on PATH (apt-get install jackd2); real-time engine tests need it",
        allow_module_level=True,
    )


from tests.support.jack_rig import JackServer, Rig

ROOT = Path(__file__).resolve().parents[2]
RATE, PERIOD = 48000, 128
SPEECH = "speech_1089-134686-0000.wav"
# A linear chain: no high-pass, noise reduction, tone, compression, guard; limiter at full scale.
PLAIN = ListeningSettings(
    highpass_enabled=False,
    noise_reduction_enabled=False,
    tone_enabled=False,
    compression=CompressionSettings(enabled=False),
    gain_db=0.0,
    feedback_guard_enabled=False,
    max_output_dbfs=0.0,
)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[JackServer]:
    """A JACK dummy server of this test's own, which engines started from now on connect to."""
    jackd = JackServer(f"hark-engine-{os.getpid()}-{time.monotonic_ns() % 1_000_000_000}")
    for key, value in jackd.env().items():
        monkeypatch.setenv(key, value)  # the engine process inherits the environment when spawned
    jackd.start()
    try:
        yield jackd
    finally:
        jackd.stop()


def engine_on_jack(settings: ListeningSettings = PLAIN, **kwargs: object) -> AudioEngine:
    return AudioEngine(settings, input_device="system", output_device="system", **kwargs)  # type: ignore[arg-type]


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


class TapReader:
    """Reads every block of an engine's tap on a thread, until stopped."""

    def __init__(self, engine: AudioEngine) -> None:
        self.engine = engine
        self.blocks: list[np.ndarray] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            block = self.engine.tap.read(timeout=0.05)
            if block is not None:
                self.blocks.append(block)

    def stop(self) -> np.ndarray:
        self._stop.set()
        self._thread.join(5.0)
        while (block := self.engine.tap.read(timeout=0.0)) is not None:
            self.blocks.append(block)
        return np.concatenate(self.blocks) if self.blocks else np.zeros(0, dtype=np.float32)


def find_exactly(haystack: np.ndarray, needle: np.ndarray) -> int:
    """Where `needle` occurs sample for sample in `haystack` (fails when nowhere)."""
    assert len(haystack) >= len(needle), "the tap holds less than was fed"
    start = int(np.argmax(correlate(haystack, needle, mode="valid", method="fft")))
    assert np.array_equal(haystack[start : start + len(needle)], needle), (
        "the fed signal is not whole in the tap"
    )
    return start


def lag_of(recording: np.ndarray, reference: np.ndarray) -> int:
    """The delay of `reference` in `recording` by cross-correlation."""
    corr = correlate(recording, reference, mode="full", method="fft")
    return int(np.argmax(corr)) - (len(reference) - 1)


def run_offline(settings: ListeningSettings, method: str, tapped: np.ndarray) -> np.ndarray:
    """A fresh chain over exactly these input blocks, faded in as the stream opens it; the left ear."""
    chain = ListeningChain(settings, method)
    chain.prepare(RATE, PERIOD)
    chain.ramp_in()
    out = np.zeros((PERIOD, 2), dtype=np.float32)
    left = np.zeros(len(tapped), dtype=np.float32)
    for i in range(0, len(tapped) - PERIOD + 1, PERIOD):
        chain.process(np.ascontiguousarray(tapped[i : i + PERIOD].reshape(PERIOD, 1)), out)
        left[i : i + PERIOD] = out[:, 0]
    return left


def rms_db(x: np.ndarray) -> float:
    return 10.0 * float(np.log10(np.mean(np.square(x, dtype=np.float64)) + 1e-20))


# --- the data path -------------------------------------------------------------------------------
def test_engine_output_is_bit_exact_against_its_chain_run_offline_on_the_blocks_it_received(
    server: JackServer,
) -> None:
    settings = ListeningSettings()  # the whole default chain, noise reduction and all
    signal = load(SPEECH, RATE)[: 2 * RATE]
    # A late block (an xrun on a loaded 2-core machine) while the signal plays loses output no
    # data path survives: such a run is repeated. A run without one must be exact.
    for _attempt in range(3):
        with engine_on_jack(settings, tap_from_start=True, tap_blocks=16384) as engine:
            reader = TapReader(engine)
            rig = Rig(server.name, signal, len(signal) + RATE // 2)
            try:
                rig.wire()
                xruns_before = engine.status.xruns
                recording = rig.run(settle_s=0.3)
                time.sleep(0.1)
                status = engine.status
            finally:
                rig.close()
                tapped = reader.stop()
            method = engine.noise_reduction_method
        assert status.state == "running" and status.callback_errors == 0 and status.tap_drops == 0
        start = find_exactly(tapped, signal)  # sample j of the signal is tap sample start + j
        offline = run_offline(settings, method, tapped)
        # Output of tap sample t reaches the rig's recording at t - start + lag.
        lag = lag_of(recording, offline[start : start + len(signal)])
        live = recording[: len(offline) - start + lag]
        same = (
            lag >= 0 and start >= lag and np.array_equal(live, offline[start - lag : start - lag + len(live)])
        )
        if same or status.xruns == xruns_before:
            break
    assert lag == 2 * PERIOD, f"device path {lag} samples; PortAudio on JACK gives 2 periods"
    assert same, f"the live output differs from the chain run offline (xruns: {status.xruns - xruns_before})"
    assert len(live) == len(recording)  # the whole recorded span was compared


def test_a_settings_change_reaches_the_output(server: JackServer) -> None:
    cycle = load("speech_1998-15444-0005_2s.wav", RATE)
    signal = np.tile(cycle, 4)  # the same two seconds four times: before and after are comparable
    quieter = dataclasses.replace(PLAIN, gain_db=-20.0)
    with engine_on_jack(PLAIN) as engine:
        rig = Rig(server.name, signal, len(signal))
        try:
            rig.wire()
            done: list[np.ndarray] = []
            recorder = threading.Thread(target=lambda: done.append(rig.run()), daemon=True)
            recorder.start()
            wait_for(lambda: rig.pos >= int(2.8 * RATE), 20.0, "the rig to play the second round")
            asked_at = time.monotonic()
            tag = engine.configure(quieter)
            wait_for(lambda: engine.status.settings_tag == tag, 5.0, "the engine to apply the settings")
            recorder.join(30.0)
            status = engine.status
        finally:
            rig.close()
    assert engine.settings == quieter
    assert asked_at <= status.settings_applied_at <= time.monotonic()
    assert status.state == "running" and status.callback_errors == 0
    recording = done[0]
    n = len(cycle)
    window = slice(int(0.1 * RATE), n - int(0.1 * RATE))  # clear of the chain's small delay
    before = recording[:n][window]
    after = recording[3 * n :][window]
    assert rms_db(before) > -45.0  # the speech was heard
    assert rms_db(after) - rms_db(before) == pytest.approx(-20.0, abs=0.5)


# --- the rings across the process boundary ---------------------------------------------------------
def test_the_tap_carries_every_block_and_drops_counted_blocks_when_not_read(server: JackServer) -> None:
    signal = load(SPEECH, RATE)[: 3 * RATE]
    with engine_on_jack(tap_blocks=256) as engine:  # 0.68 s of room
        engine.tap.attach()
        reader = TapReader(engine)
        rig = Rig(server.name, signal, len(signal) + RATE // 4)
        try:
            rig.wire()
            rig.run(settle_s=0.2)
        finally:
            rig.close()
            tapped = reader.stop()
        read_status = engine.status
        # The reader stops reading, still attached: the engine must drop (and count), not wait.
        before = engine.status
        wait_for(lambda: engine.status.tap_drops > 0, 10.0, "the engine to drop unread tap blocks")
        time.sleep(0.5)
        after = engine.status
        drops = engine.tap.drops
    find_exactly(tapped, signal)
    assert read_status.tap_drops == 0
    assert 0 < after.tap_drops <= drops  # the status is a snapshot a block older than the count
    blocks = after.callbacks - before.callbacks
    assert blocks > 256  # the engine went on past a full ring
    assert after.state == "running" and after.callback_errors == 0
    # Not a storm of late blocks (a loaded machine makes a few; an engine waiting on its reader, all).
    assert after.xruns - before.xruns < blocks // 2, "a stalled reader made the engine late"


def test_the_speech_ring_carries_an_utterance_whole_and_refuses_more_than_it_holds(
    server: JackServer,
) -> None:
    utterance = load("speech_1998-15444-0005_2s.wav")  # 16 kHz: the engine resamples
    expected = speech_samples(utterance, 16000, RATE, 1.0, normalise=False)
    with engine_on_jack(PLAIN, speech_seconds=4.0) as engine:
        rig = Rig(server.name, np.zeros(0, dtype=np.float32), len(expected) + RATE)  # a silent microphone
        try:
            rig.wire()
            done: list[np.ndarray] = []
            recorder = threading.Thread(target=lambda: done.append(rig.run(settle_s=0.3)), daemon=True)
            recorder.start()
            wait_for(lambda: rig.pos > 0, 10.0, "the rig to start recording")
            engine.speech.push(utterance, 16000, normalise=False)
            assert engine.speech.pending_seconds > 1.5
            recorder.join(30.0)
            assert engine.speech.pending_seconds == 0.0
            # A full queue refuses at once; it never waits for the engine to play.
            engine.speech.push(np.tile(utterance, 3)[: 3 * 16000], 16000)
            asked = time.monotonic()
            with pytest.raises(SpeechQueueFull, match="full"):
                engine.speech.push(utterance, 16000)
            assert time.monotonic() - asked < 1.0
            status = engine.status
        finally:
            rig.close()
    assert status.callback_errors == 0
    recording = done[0]
    lag = lag_of(recording, expected)
    heard = recording[lag : lag + len(expected)]
    assert lag >= 0 and len(heard) == len(expected)
    # Whole: every sample arrived, unchanged (the chain is a plain copy here; nothing reaches the limit).
    assert np.array_equal(heard, expected)
    assert np.max(np.abs(recording[:lag])) < 1e-4 and np.max(np.abs(recording[lag + len(expected) :])) < 1e-4


# --- faults ------------------------------------------------------------------------------------------
def test_a_killed_engine_is_replaced_and_the_status_says_so(server: JackServer) -> None:
    utterance = load(SPEECH)[: 5 * 16000]
    with engine_on_jack(PLAIN) as engine:
        first_pid = engine.pid
        assert first_pid is not None and engine.status.pid == first_pid
        engine.speech.push(utterance, 16000)  # five seconds of speech, cut off by the crash
        wait_for(lambda: engine.status.callbacks > 100, 5.0, "the engine to run")
        os.kill(first_pid, signal.SIGKILL)
        wait_for(lambda: engine.status.engine_restarts == 1, 10.0, "the restart to be noticed")
        wait_for(lambda: engine.status.state == "running" and engine.pid != first_pid, 60.0, "a new engine")
        status = engine.status
        before = status.callbacks
        wait_for(lambda: engine.status.callbacks > before + 100, 10.0, "audio to flow again")
        wait_for(lambda: len(restarted(engine)) == 2, 10.0, "the event saying audio is back")
        restarts = restarted(engine)
        # The new engine plays speech again.
        engine.speech.push(utterance[:16000], 16000)
        wait_for(lambda: engine.speech.pending_seconds == 0.0, 10.0, "the new engine to play speech")
        final = engine.status
    assert status.engine_restarts == 1 and status.pid not in (None, first_pid)
    assert status.speech_interruptions == 1
    assert len(restarts) == 2 and "again" in restarts[0].message and "back after" in restarts[1].message
    assert restarts[0].data["exit_code"] == -signal.SIGKILL
    assert final.state == "running" and final.callback_errors == 0


def restarted(engine: AudioEngine) -> list[EngineEvent]:
    return [e for e in engine.events() if e.kind == "restarted"]


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting for a parent that is gone has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_the_engine_exits_on_its_own_when_its_parent_is_killed(server: JackServer) -> None:
    helper = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("engine_workers.py")), "start-engine"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    try:
        assert helper.stdout is not None
        line = helper.stdout.readline()  # the engine is running when the helper says so
        assert line, "the helper did not start an engine"
        started = json.loads(line)
        pid, segments = int(started["pid"]), [str(s) for s in started["segments"]]
        assert _alive(pid) and all(Path("/dev/shm", s.lstrip("/")).exists() for s in segments)
        helper.send_signal(signal.SIGKILL)
        helper.wait(10)
        wait_for(lambda: not _alive(pid), 10.0, f"the engine (pid {pid}) to exit")
        wait_for(
            lambda: not any(Path("/dev/shm", s.lstrip("/")).exists() for s in segments),
            10.0,
            "the shared memory to be removed",
        )
    finally:
        if helper.poll() is None:
            helper.kill()
            helper.wait()


def test_a_room_sound_plays_from_the_engine_on_a_stream_of_its_own(server: JackServer) -> None:
    import jack

    heard = [0.0]
    ear = jack.Client("room-ear", servername=server.name, no_start_server=True)
    port = ear.inports.register("in")

    @ear.set_process_callback
    def process(frames: int) -> None:
        heard[0] += float(np.sum(np.square(port.get_array(), dtype=np.float64)))

    ear.activate()
    listening_ports: set[str] = set()
    try:
        with engine_on_jack() as engine:
            listening_ports = {p.name for p in ear.get_ports("PortAudio", is_audio=True, is_output=True)}
            tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(96000) / 48000)).astype(np.float32)
            play_id = engine.play_in_room(tone, 48000, "system")

            def room_port() -> bool:
                ports = [p for p in ear.get_ports("PortAudio", is_audio=True, is_output=True)]
                new = [p for p in ports if p.name not in listening_ports]
                # PortAudio connects its outputs to JACK's playback ports itself: add ours.
                if new and port.name not in {p.name for p in ear.get_all_connections(new[0])}:
                    ear.connect(new[0], port)
                return bool(new)

            wait_for(room_port, 10, "the room stream's port")
            wait_for(
                lambda: any(e.kind == "room-finished" and e.data["id"] == play_id for e in engine.events()),
                10,
                "the room sound to finish",
            )
            assert not [e for e in engine.events() if e.kind == "error"]
            assert engine.status.state == "running"  # the person's stream went on meanwhile
    finally:
        ear.deactivate()
        ear.close()
    assert heard[0] > 1.0  # the tone reached JACK through the room stream

"""The audio engine process (audio.engine) with a WAV file as its microphone: no sound device needed.

The file plays in a loop at the real pace inside the engine and the ears go nowhere, so what the
engine did is read from its tap, its meters, its probes and its status.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from audio.engine import AudioEngine
from audio.errors import AudioError
from audio.meters import dbfs
from audio.mixer import resample
from audio.offline import read_wav

ROOT = Path(__file__).resolve().parents[2]
WAV = ROOT / "tests" / "data" / "speech_1998-15444-0005_2s.wav"
RATE, BLOCK = 48000, 128


def looped_file() -> np.ndarray:
    """One round of the file as the engine plays it: resampled, whole blocks."""
    data, rate = read_wav(WAV)
    mono = resample(data[:, 0], rate, RATE)
    return np.asarray(mono[: len(mono) // BLOCK * BLOCK], dtype=np.float32)


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def position_in_loop(recorded: np.ndarray, loop: np.ndarray) -> int:
    """Where in the looped file `recorded` (whole blocks of it, in order) starts; fails unless every
    sample matches the file."""
    assert len(recorded) > 0 and len(recorded) % BLOCK == 0
    starts = [k for k in range(0, len(loop), BLOCK) if np.array_equal(recorded[:BLOCK], loop[k : k + BLOCK])]
    rounds = np.tile(loop, 2 + len(recorded) // len(loop))
    for start in starts:
        if np.array_equal(recorded, rounds[start : start + len(recorded)]):
            return start
    raise AssertionError("the recording is not the file's samples in order")


def read_blocks(engine: AudioEngine, count: int) -> np.ndarray:
    blocks = []
    for _ in range(count):
        block = engine.tap.read(timeout=5.0)
        assert block is not None, "the tap stopped delivering"
        blocks.append(block)
    return np.concatenate(blocks)


def test_the_parent_never_imports_sounddevice() -> None:
    # In a process of its own: other tests in this one may have imported it.
    child = textwrap.dedent(f"""
        import json, sys, time
        from pathlib import Path
        from audio.engine import AudioEngine
        with AudioEngine(source=Path({str(WAV)!r})) as engine:
            time.sleep(0.5)
            status = engine.status
        print(json.dumps({{"imported": "sounddevice" in sys.modules, "state": status.state,
                          "callbacks": status.callbacks}}))
    """)
    done = subprocess.run(
        [sys.executable, "-c", child], cwd=ROOT, capture_output=True, text=True, timeout=180, check=True
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"imported": False, "state": "running", "callbacks": report["callbacks"]}
    assert report["callbacks"] > 0


def test_a_file_engine_runs_its_meters_show_the_file_and_its_tap_carries_its_samples() -> None:
    loop = looped_file()
    with AudioEngine(source=WAV) as engine:
        status = engine.status
        assert status.state == "running" and status.input_device == f"file: {WAV.name}"
        assert status.output_device == "nowhere"
        engine.tap.attach()
        tapped = read_blocks(engine, int(1.5 * len(loop)) // BLOCK)  # more than one round
        meters = engine.meters
        final = engine.status
    position_in_loop(tapped, loop)
    # Over a whole round the loudest input sample is the file's loudest.
    assert meters.max_input_dbfs == pytest.approx(dbfs(float(np.max(np.abs(loop)))), abs=0.01)
    assert meters.left_rms_dbfs > -60.0 and meters.right_rms_dbfs > -60.0  # the ears get it, processed
    assert final.tap_drops == 0 and final.callback_errors == 0
    assert final.callbacks >= len(tapped) // BLOCK
    # Released (the with block's end), it still answers a window's last refresh with its last values.
    assert (
        engine.status.callbacks >= final.callbacks and engine.meters.max_input_dbfs == meters.max_input_dbfs
    )


def test_a_probe_records_the_file_and_muting_silences_the_ears() -> None:
    loop = looped_file()
    with AudioEngine(source=WAV) as engine:
        recorded = engine.run_probe(np.zeros(RATE // 2, dtype=np.float32), "test probe")
        assert len(recorded) == -(-(RATE // 2) // BLOCK) * BLOCK
        position_in_loop(recorded, loop)
        wait_for(lambda: engine.meters.left_rms_dbfs > -60.0, 5.0, "the ears to be heard after the probe")
        engine.mute(True)
        tag = engine.status.settings_tag + 1
        wait_for(lambda: engine.status.settings_tag == tag, 5.0, "the mute to be applied")
        wait_for(lambda: engine.meters.left_peak_dbfs < -150.0, 10.0, "the ears to fall silent")
        muted = engine.meters
        status = engine.status
    assert muted.left_rms_dbfs < -100.0 and muted.right_rms_dbfs < -100.0
    assert muted.input_rms_dbfs > -60.0 or muted.input_peak_dbfs > -60.0  # the file still plays in
    assert status.state == "running" and status.callback_errors == 0


def test_changing_noise_reduction_while_running_keeps_the_engine_running() -> None:
    with AudioEngine(source=WAV, noise_reduction_method="learned") as engine:
        before = engine.status
        engine.change_noise_reduction("classic")
        assert engine.noise_reduction_method == "classic"
        wait_for(
            lambda: engine.status.callbacks > before.callbacks + 3 * RATE // BLOCK, 15.0, "3 s of blocks"
        )
        after = engine.status
        errors = [e for e in engine.events() if e.kind == "error"]
        meters = engine.meters
    assert errors == []
    assert after.state == "running" and after.callback_errors == 0 and after.engine_restarts == 0
    assert meters.left_rms_dbfs > -60.0  # still heard after the crossfade


def test_a_killed_file_engine_is_replaced() -> None:
    loop = looped_file()
    with AudioEngine(source=WAV) as engine:
        first = engine.pid
        assert first is not None
        wait_for(lambda: engine.status.callbacks > 50, 5.0, "the engine to run")
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: engine.status.engine_restarts == 1, 10.0, "the restart to be noticed")
        # Settings given while the new engine starts neither wait for it nor get lost.
        tag = engine.configure(dataclasses.replace(engine.settings, gain_db=3.0))
        back_already = [e.message for e in engine.events() if e.kind == "restarted" and "back" in e.message]
        wait_for(lambda: engine.status.state == "running" and engine.pid != first, 60.0, "a new engine")
        wait_for(lambda: engine.status.settings_tag == tag, 10.0, "the new engine to apply the settings")
        status = engine.status
        wait_for(lambda: engine.status.callbacks > status.callbacks + 100, 10.0, "blocks from the new engine")
        wait_for(lambda: [e.kind for e in engine.events()].count("restarted") == 2, 10.0, "audio to be back")
        engine.tap.attach()
        tapped = read_blocks(engine, 100)
        kinds = [e.kind for e in engine.events()]
    assert back_already == [], "configure waited for the new engine to start"
    assert status.engine_restarts == 1 and status.pid not in (None, first)
    assert kinds.count("restarted") == 2 and kinds.count("started") == 2
    position_in_loop(tapped, loop)  # the new engine's tap is the file again


def test_an_engine_that_dies_while_starting_is_reported_not_replaced_without_end() -> None:
    engine = AudioEngine(source=WAV)
    killed: list[int] = []

    def kill_at_once() -> None:
        wait_for(lambda: engine.pid is not None, 10.0, "the engine process")
        pid = engine.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)  # long before it has compiled and opened its stream
        killed.append(pid)

    killer = threading.Thread(target=kill_at_once, daemon=True)
    killer.start()
    try:
        with pytest.raises(AudioError, match="ended while starting"):
            engine.start()
        killer.join(10.0)
        status = engine.status
        events = engine.events()
    finally:
        engine.release()
    assert killed and status.state == "stopped" and status.engine_restarts == 0 and status.pid is None
    assert [e.kind for e in events] == ["error"] and events[0].data["exit_code"] == -signal.SIGKILL


def test_a_replaced_engine_keeps_the_howl_guards_cut(tmp_path: Path) -> None:
    """The new engine starts with the cut the old one had made, not at full gain: its file starts
    with 3 s of quiet, in which only a remembered cut can be there."""
    import soundfile as sf

    rng = np.random.default_rng(3)
    t = np.arange(int(1.5 * RATE)) / RATE
    rising = 10 ** (np.minimum(-70.0 + 300.0 * t, -10.0) / 20) * np.sin(2 * np.pi * 3000.0 * t)
    quiet = 1e-4 * rng.standard_normal(3 * RATE)
    path = tmp_path / "howl.wav"
    sf.write(path, np.concatenate([quiet, rising, quiet]).astype(np.float32), RATE, subtype="FLOAT")
    with AudioEngine(source=path) as engine:
        wait_for(lambda: engine.status.howl_reduction_db > 6.0, 20, "the howl guard to cut")
        # Frozen before it is read: the guard goes on cutting while the file plays, and the cut
        # carried over is the last one the engine published, not the one the test happened to see.
        os.kill(engine.pid, signal.SIGSTOP)
        time.sleep(0.2)
        cut, events = engine.status.howl_reduction_db, engine.status.howl_events
        os.kill(engine.pid, signal.SIGKILL)
        wait_for(
            lambda: engine.status.engine_restarts == 1 and engine.status.state == "running",
            30,
            "a new engine",
        )
        before = engine.status.callbacks
        wait_for(lambda: engine.status.callbacks > before, 10, "the new engine's first blocks")
        status = engine.status
    assert events >= 1
    if status.howl_events == events:
        assert 3.0 < status.howl_reduction_db <= cut + 0.5
    else:
        # On a loaded machine the new engine's audio thread (real-time priority) can play through
        # the 3 s of quiet before its start is reported: it has then met the rising tone as a guard
        # that remembers, counting on from the old engine's events rather than from none.
        assert status.howl_events == events + 1 and status.howl_reduction_db > cut

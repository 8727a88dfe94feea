"""`hark devices`, `hark listen` and `hark feedback` against a real JACK dummy server, in a child process.
The audio runs in the engine's own process: the command's process never loads PortAudio."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from audio.devices import Device, warn_if_high_latency
from tests.support.processes import child_pids


def hark(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    # The jack_server fixture exported JACK_DEFAULT_SERVER, so the child finds the same server.
    return subprocess.run(
        [sys.executable, "-m", "ui.main", *args], capture_output=True, text=True, timeout=timeout
    )


def test_devices_lists_the_jack_ports_by_host_api(jack_server) -> None:  # type: ignore[no-untyped-def]
    result = hark("devices")
    assert result.returncode == 0, result.stderr
    assert "Input devices:" in result.stdout and "Output devices:" in result.stdout
    assert "system  [JACK Audio Connection Kit]" in result.stdout


def test_listen_runs_reports_once_a_second_and_stops_cleanly(jack_server) -> None:  # type: ignore[no-untyped-def]
    result = hark(
        "listen",
        "--input",
        "system",
        "--output",
        "system",
        "--seconds",
        "3",
        "--gain-db",
        "20",
        "--tone",
        "speech-clarity",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Listening: system -> system at 48000 Hz, blocks of 128; processing latency")
    status = [line for line in lines if " s  running" in line]
    assert len(status) >= 2  # once a second
    assert "xruns" in status[0] and "left" in status[0] and "right" in status[0]
    assert lines[-1].startswith("Stopped after") and "0 callback errors" in lines[-1]


def test_listen_rejects_an_unsupported_rate_in_one_sentence(jack_server) -> None:  # type: ignore[no-untyped-def]
    result = hark("listen", "--input", "system", "--output", "system", "--rate", "32000", "--seconds", "1")
    assert result.returncode == 2
    assert "32000 Hz is not supported" in result.stderr and "Traceback" not in result.stderr


NO_PORTAUDIO_HERE = """
import sys
from assistant.cli.main import main
code = main(sys.argv[1:])
assert "sounddevice" not in sys.modules, "the command's process imported sounddevice"
print("exit", code)
"""


def hark_here(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`hark ARGS` through main() in a child that then checks it never imported sounddevice."""
    return subprocess.run(
        [sys.executable, "-c", NO_PORTAUDIO_HERE, *args], capture_output=True, text=True, timeout=timeout
    )


def test_listen_runs_in_the_engine_and_never_loads_portaudio_in_the_commands_process(jack_server) -> None:  # type: ignore[no-untyped-def]
    result = hark_here("listen", "--input", "system", "--output", "system", "--seconds", "2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Listening: system -> system at 48000 Hz")
    assert any(" s  running" in line for line in lines)
    assert lines[-2].startswith("Stopped after") and lines[-1] == "exit 0"


def test_devices_are_listed_without_loading_portaudio_in_the_commands_process(jack_server) -> None:  # type: ignore[no-untyped-def]
    result = hark_here("devices")
    assert result.returncode == 0, result.stderr
    assert "system  [JACK Audio Connection Kit]" in result.stdout and result.stdout.endswith("exit 0\n")


def device(name: str, out_latency: float) -> Device:
    return Device(0, name, "ALSA", 0, 2, 48000.0, 0.01, out_latency)


def test_bluetooth_or_slow_outputs_get_a_warning_that_suggests_wired_headphones() -> None:
    for name in ("WH-1000XM4 (bluez_sink.A0_B1.a2dp_sink)", "AirPods Pro", "Bluetooth Headset"):
        warning = warn_if_high_latency(device(name, 0.01))
        assert warning is not None and "Bluetooth" in warning and "Wired headphones" in warning
    slow = warn_if_high_latency(device("USB Audio", 0.12))
    assert slow is not None and "120 ms" in slow
    assert warn_if_high_latency(device("Built-in Audio Analog Stereo", 0.01)) is None


def test_feedback_checks_the_live_stream_and_writes_a_report(jack_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    report = tmp_path / "feedback.json"
    result = hark(
        "feedback", "--input", "system", "--output", "system", "--gain-db", "20", "--report", str(report)
    )
    # JACK's dummy capture is silent: nothing leaks, nothing is hidden by noise.
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Checking for feedback: 0.5 s of quiet, then a rising tone of 2 s")
    assert lines[1] == "No sound from the headphones came back into the microphone: no whistling expected."
    saved = json.loads(report.read_text(encoding="utf-8"))
    assert saved["verdict"] == "clear" and saved["leak_db"] is None and saved["input_device"] == "system"


def test_feedback_rejects_a_bad_setting_in_one_sentence(jack_server) -> None:  # type: ignore[no-untyped-def]
    result = hark("feedback", "--input", "system", "--output", "system", "--max-output-dbfs", "3")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("hark feedback: The output ceiling must be at or below 0 dBFS")


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_ctrl_c_in_the_terminal_stops_the_command_and_its_engine(jack_server) -> None:  # type: ignore[no-untyped-def]
    # A terminal sends Ctrl+C's SIGINT to its whole process group: the command and its engine alike.
    command = subprocess.Popen(
        [sys.executable, "-m", "ui.main", "listen", "--input", "system", "--output", "system"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert command.stdout is not None
        first = command.stdout.readline()
        assert first.startswith("Listening:"), first + command.stderr.read() if command.stderr else first
        engines = [pid for pid in child_pids(command.pid) if "spawn_main" in _command_line(pid)]
        assert len(engines) == 1
        os.killpg(command.pid, signal.SIGINT)
        out, err = command.communicate(timeout=15)
    finally:
        if command.poll() is None:
            os.killpg(command.pid, signal.SIGKILL)
    assert command.returncode == 0, err
    assert "Stopping." in out and "Stopped after" in out and "Traceback" not in err
    deadline = time.monotonic() + 5
    while _running(engines[0]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(engines[0])


def _command_line(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
        return cmdline.read().replace(b"\0", b" ").decode()

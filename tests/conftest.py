"""Shared fixtures: a private JACK dummy server for real-time stream tests.

The dummy driver runs JACK's real scheduling on a timer, with no sound card, so a
real PortAudio stream runs in real time and a JACK client can feed its input and
record its output on the same sample clock.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest


class JackServer:
    """One `jackd -d dummy` under a unique server name, startable and stoppable."""

    def __init__(self, name: str, rate: int = 48000, period: int = 128) -> None:
        self.name, self.rate, self.period = name, rate, period
        self.process: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        # libjack (and so PortAudio's JACK host API) connects to JACK_DEFAULT_SERVER;
        # JACK_NO_START_SERVER stops libjack from launching a server of its own.
        return {"JACK_DEFAULT_SERVER": self.name, "JACK_NO_START_SERVER": "1",
                "JACK_NO_AUDIO_RESERVATION": "1"}

    def start(self, timeout: float = 10.0) -> None:
        import jack

        self.process = subprocess.Popen(
            ["jackd", "-n", self.name, "--no-realtime", "--sync",
             "-d", "dummy", "-r", str(self.rate), "-p", str(self.period)],
            env={**os.environ, **self.env()}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                jack.Client("hark-ready", servername=self.name, no_start_server=True).close()
                break
            except jack.JackError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"jackd '{self.name}' did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture
def jack_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[JackServer]:
    """A running JACK dummy server (48 kHz, period 128) that PortAudio in this process sees."""
    if shutil.which("jackd") is None:
        pytest.skip("jackd is not on PATH (apt-get install jackd2); real-time stream tests need it")
    server = JackServer(f"hark-test-{os.getpid()}-{time.monotonic_ns() % 1_000_000}")
    for key, value in server.env().items():
        monkeypatch.setenv(key, value)
    server.start()
    import sounddevice as sd

    # --sync (in start) makes each cycle wait for every client: without it a late
    # Python client (the GIL) can hand on a half-written buffer and break bit-exactness.
    # PortAudio enumerates host APIs once, at initialisation: re-initialise so it finds JACK.
    sd._terminate()
    sd._initialize()
    try:
        yield server
    finally:
        # Let go of PortAudio's JACK client while the server is alive: terminating
        # PortAudio after its JACK server died aborts the process.
        sd._terminate()
        server.stop()
        sd._initialize()

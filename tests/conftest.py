"""Shared fixtures: a private JACK dummy server for real-time stream tests.

The dummy driver runs JACK's real scheduling on a timer, with no sound card, so a
real PortAudio stream runs in real time and a JACK client can feed its input and
record its output on the same sample clock.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.support.jack_rig import JackServer


@pytest.fixture
def jack_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[JackServer]:
    """A running JACK dummy server (48 kHz, period 128) that PortAudio in this process sees."""
    if shutil.which("jackd") is None:
        pytest.skip("jackd is not on PATH (apt-get install jackd2); real-time stream tests need it")
    from tests.support.jack_rig import JackServer  # imports libjack, which comes with jackd2

    server = JackServer(f"hark-test-{os.getpid()}-{time.monotonic_ns() % 1_000_000}")
    for key, value in server.env().items():
        monkeypatch.setenv(key, value)
    server.start()
    import sounddevice as sd

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

"""A JACK client wired around Hark's live stream, for tests and benchmarks (benchmarks import it from here).

The rig plays a known signal into the stream's input port and records the stream's output
port in the same JACK cycle, so sample j of the recording and sample j of the signal share
one JACK frame: the lag between them is the true end-to-end latency on JACK's sample clock.
`JackServer` is that server: a private `jackd -d dummy`, whose driver runs JACK's real
scheduling on a timer with no sound card. Needs JACK-Client (a test and benchmark extra) and jackd.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time

import jack
import numpy as np

PORTAUDIO_PORTS = "PortAudio.*"


class JackServer:
    """One `jackd -d dummy` under a unique server name, startable and stoppable."""

    def __init__(self, name: str, rate: int = 48000, period: int = 128) -> None:
        self.name, self.rate, self.period = name, rate, period
        self.process: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        # libjack (and so PortAudio's JACK host API) connects to JACK_DEFAULT_SERVER;
        # JACK_NO_START_SERVER stops libjack from launching a server of its own.
        return {
            "JACK_DEFAULT_SERVER": self.name,
            "JACK_NO_START_SERVER": "1",
            "JACK_NO_AUDIO_RESERVATION": "1",
        }

    def start(self, timeout: float = 10.0) -> None:
        # --sync makes each cycle wait for every client: without it a late Python client
        # (the GIL) can hand on a half-written buffer and break bit-exactness.
        self.process = subprocess.Popen(
            [
                "jackd",
                "-n",
                self.name,
                "--no-realtime",
                "--sync",
                "-d",
                "dummy",
                "-r",
                str(self.rate),
                "-p",
                str(self.period),
            ],
            env={**os.environ, **self.env()},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
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
            # A client left behind by a killed process keeps jackd from stopping on SIGTERM (and a
            # killed jackd keeps its place in JACK's registry of 8 servers); a client opened and
            # closed now makes the server clear it.
            with contextlib.suppress(jack.JackError):
                jack.Client("hark-bye", servername=self.name, no_start_server=True).close()
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def wire_stream(
    client: jack.Client,
    feed: jack.Port | None = None,
    rec: jack.Port | None = None,
    *,
    loopback: bool = False,
) -> None:
    """Connect feed -> the stream's input and the stream's output -> rec (the first channel of
    each), or, with `loopback`, the stream's output straight back to its input. Whatever
    JACK auto-connected to the stream's input is disconnected first."""
    pa_in = client.get_ports(PORTAUDIO_PORTS, is_audio=True, is_input=True)[0]
    pa_out = client.get_ports(PORTAUDIO_PORTS, is_audio=True, is_output=True)[0]
    for port in client.get_all_connections(pa_in):
        client.disconnect(port, pa_in)
    if loopback:
        client.connect(pa_out, pa_in)
        return
    if feed is not None:
        client.connect(feed, pa_in)
    if rec is not None:
        client.connect(pa_out, rec)


class Rig:
    """Plays `signal` (silence when empty) into the stream's input and records its left output,
    frame-locked, for `record_frames` frames once armed by `run`."""

    def __init__(self, server: str, signal: np.ndarray, record_frames: int, name: str = "hark-rig") -> None:
        self.client = jack.Client(name, servername=server, no_start_server=True)
        self.feed = self.client.outports.register("feed")
        self.rec = self.client.inports.register("rec")
        period = self.client.blocksize
        self.signal = np.zeros(record_frames + period, dtype=np.float32)
        self.signal[: len(signal)] = signal[: record_frames + period]
        self.recording = np.zeros(record_frames + period, dtype=np.float32)
        self.frames = record_frames
        self.pos = 0
        self.armed = False
        self.client.set_process_callback(self._process)
        self.client.activate()

    def _process(self, frames: int) -> None:
        out = self.feed.get_array()
        if self.armed and self.pos < self.frames:
            heard = self.rec.get_array()
            self.recording[self.pos : self.pos + frames] = heard
            out[:] = self._feed(self.signal[self.pos : self.pos + frames], heard)
            self.pos += frames
        else:
            out.fill(0.0)

    def _feed(self, signal: np.ndarray, heard: np.ndarray) -> np.ndarray:
        """What goes into the stream's input this cycle, given what came out of it."""
        return signal

    def wire(self, loopback: bool = False) -> None:
        wire_stream(self.client, self.feed, self.rec, loopback=loopback)

    def run(self, timeout: float = 30.0, settle_s: float = 0.0) -> np.ndarray:
        """Wait `settle_s`, then play and record; the recording (`record_frames` long)."""
        time.sleep(settle_s)
        self.armed = True
        deadline = time.monotonic() + timeout
        while self.pos < self.frames and time.monotonic() < deadline:
            time.sleep(0.02)
        if self.pos < self.frames:
            raise RuntimeError("the JACK rig stopped running before the recording was complete")
        return self.recording[: self.frames].copy()

    def close(self) -> None:
        self.client.deactivate()
        self.client.close()


class LeakyRig(Rig):
    """A `Rig` whose feed also carries the stream's own output back, through `leak_sos` (second-order
    sections) scaled by `leak_gain`: a headphone leaking into the microphone, in real time. JACK runs
    the rig first in each cycle, so what it feeds back is the output of the cycle before."""

    def __init__(
        self,
        server: str,
        signal: np.ndarray,
        record_frames: int,
        leak_sos: np.ndarray,
        leak_gain: float,
        name: str = "hark-leaky-rig",
    ) -> None:
        from scipy.signal import sosfilt

        self._sosfilt = sosfilt
        self.sos = np.asarray(leak_sos, dtype=np.float64)
        self.zi = np.zeros((self.sos.shape[0], 2))
        self.leak_gain = leak_gain
        super().__init__(server, signal, record_frames, name)

    def _feed(self, signal: np.ndarray, heard: np.ndarray) -> np.ndarray:
        leaked, self.zi = self._sosfilt(self.sos, heard * self.leak_gain, zi=self.zi)
        return signal + leaked

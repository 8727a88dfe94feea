"""End-to-end latency of the live stream through JACK, at 48 kHz, periods 64/128/256.

Two measurements per period, both on JACK's sample clock:
- end to end: a JACK client plays a click train into the stream's input and
  records its output in the same cycle; the lag of the cross-correlation peak
  between that recording and the offline chain's latency-compensated output is
  the mic-to-ear latency.
- `hark latency` (audio/latency.py) through a JACK connection from the stream's
  output to its input: device round trip + the chain's algorithmic latency.

Run: .venv/bin/python -m benchmarks.latency_jack  -> benchmarks/results/latency_jack.json
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jack
import numpy as np
import sounddevice as sd

from audio.chain import ListeningChain
from audio.latency import measure_loopback
from audio.offline import process_signal
from audio.settings import ListeningSettings
from audio.stream import ListeningStream
from tests.support.jack_rig import JackServer, Rig, wire_stream

RESULTS = Path(__file__).resolve().parent / "results"
RATE = 48000


class JackDummy:
    """A private JACK dummy server that PortAudio in this process is pointed at."""

    def __init__(self, period: int, rate: int = RATE) -> None:
        self.server = JackServer(f"hark-bench-{os.getpid()}-{period}", rate, period)
        self.name, self.period, self.rate = self.server.name, period, rate
        os.environ.update(self.server.env())
        self.server.start()
        sd._terminate()
        sd._initialize()

    def close(self) -> None:
        sd._terminate()  # before the server goes: PortAudio aborts if its server vanished
        self.server.stop()
        sd._initialize()


def end_to_end(server: JackDummy, settings: ListeningSettings) -> dict[str, Any]:
    rng = np.random.default_rng(1)
    signal = (0.1 * rng.standard_normal(RATE)).astype(np.float32)  # 1 s of noise: one sharp peak
    rig = Rig(server.name, signal, record_frames=RATE + RATE // 2)
    stream = ListeningStream(ListeningChain(settings), "system", "system", RATE, server.period)
    try:
        stream.start()
        rig.wire()
        recording = rig.run(timeout=20, settle_s=0.3)
        status = stream.status
    finally:
        stream.close()
        rig.close()
    offline = process_signal(signal, RATE, settings, server.period, compensate_latency=True).output[:, 0]
    corr = np.correlate(recording.astype(np.float64), offline.astype(np.float64), mode="valid")
    lag = int(np.argmax(corr))
    chain = status.chain_latency_samples
    return {
        "end_to_end_samples": lag,
        "end_to_end_ms": round(1000 * lag / RATE, 3),
        "device_path_samples": lag - chain,
        "device_path_periods": (lag - chain) / server.period,
        "chain_latency_samples": chain,
        "chain_latency_ms": round(1000 * chain / RATE, 3),
        "portaudio_latency_ms": [round(1000 * v, 3) for v in status.stream_latency_s],
        "xruns": status.xruns,
        "callback_errors": status.callback_errors,
    }


def loopback(server: JackDummy) -> dict[str, Any]:
    client = jack.Client("hark-wire", servername=server.name, no_start_server=True)
    client.activate()

    def wire() -> None:
        wire_stream(client, loopback=True)

    try:
        return measure_loopback("system", "system", RATE, server.period, on_open=wire).as_dict()
    finally:
        client.close()


def main() -> None:
    results: dict[str, Any] = {"sample_rate": RATE, "settings": "ListeningSettings() defaults", "periods": {}}
    for period in (64, 128, 256):
        server = JackDummy(period)
        try:
            e2e = end_to_end(server, ListeningSettings())
            hark = loopback(server)
        finally:
            server.close()
        results["periods"][str(period)] = {"end_to_end": e2e, "hark_latency_loopback": hark}
        print(
            f"period {period:3d}: mic-to-ear {e2e['end_to_end_ms']:.3f} ms"
            f" = {e2e['device_path_periods']:g} periods"
            f" ({e2e['device_path_samples']} samples) + chain {e2e['chain_latency_samples']} samples;"
            f" hark latency: round trip {hark['round_trip_samples']} + chain {hark['chain_latency_samples']}"
            f" = {hark['mic_to_ear_samples']} samples ({hark['mic_to_ear_ms']:.3f} ms);"
            f" PortAudio reports {e2e['portaudio_latency_ms']} ms"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latency_jack.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

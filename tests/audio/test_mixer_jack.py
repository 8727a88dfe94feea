"""Synthetic speech pushed into a running stream on the JACK dummy server, with real speech at the mic."""

from __future__ import annotations

import threading
import time

import numpy as np
from scipy.signal import correlate
from test_mixer import tts  # noqa: F401  (the session fixture: real pyttsx3 speech)
from test_stream_jack import speech_48k

from audio.chain import ListeningChain
from audio.mixer import speech_samples
from audio.settings import ListeningSettings
from audio.stream import ListeningStream
from tests.support.jack_rig import Rig

RATE, PERIOD = 48000, 128
PUSH_AFTER_S = 0.5


def best_match(recording: np.ndarray, sound: np.ndarray) -> tuple[int, float]:
    """(lag, normalised cross-correlation) of `sound`'s best occurrence in `recording`."""
    r = recording.astype(np.float64)
    s = sound.astype(np.float64)
    corr = correlate(r, s, mode="valid", method="fft")
    cumulative = np.concatenate([[0.0], np.cumsum(r**2)])
    energy = cumulative[len(s) :] - cumulative[: len(r) - len(s) + 1]  # over each window of len(s)
    norm = corr / (np.sqrt(np.maximum(energy, 1e-20)) * np.linalg.norm(s))
    lag = int(np.argmax(norm))
    return lag, float(norm[lag])


def test_pushed_speech_reaches_the_ears_under_the_ceiling_with_live_speech_at_the_mic(
    jack_server,
    tts: tuple[np.ndarray, int],  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    ceiling = -6.0
    settings = ListeningSettings(gain_db=30.0, max_output_dbfs=ceiling)
    mic = speech_48k(6.0)
    samples, rate = tts
    stream = ListeningStream(ListeningChain(settings), "system", "system", RATE, PERIOD)
    rig = Rig(jack_server.name, mic, len(mic) + RATE // 2)
    pusher = threading.Timer(PUSH_AFTER_S, stream.speech.push, args=(samples, rate))
    try:
        stream.start()
        rig.wire()
        pusher.start()
        recording = rig.run()
        time.sleep(0.1)
        status = stream.status
    finally:
        pusher.cancel()
        stream.close()
        rig.close()
    assert status.state == "running" and status.callback_errors == 0, stream.last_error
    # Every sample that left the stream is under the person's ceiling.
    assert np.max(np.abs(recording)) <= np.float32(10 ** (ceiling / 20))
    assert np.max(np.abs(recording)) > 0.5 * np.float32(10 ** (ceiling / 20))
    # The synthetic sentence is in what JACK recorded, where it was pushed. The live speech
    # under it is about as loud (both near -25 dBFS before the gain), which alone caps the
    # normalised correlation near 1/sqrt(2); compression, limiting and any xruns take a little more.
    queued = speech_samples(samples, rate, RATE)
    lag, match = best_match(recording, queued)
    assert match > 0.45, f"the pushed speech was not found in the output (correlation {match:.2f})"
    assert PUSH_AFTER_S * RATE * 0.5 < lag < (PUSH_AFTER_S + 0.5) * RATE
    # The same test on a sound that was never pushed finds nothing: the check can fail.
    _, unrelated = best_match(recording, queued[::-1].copy())
    assert unrelated < 0.15
    print(f"match {match:.3f} at {lag / RATE:.3f} s, unrelated {unrelated:.3f}, xruns {status.xruns}")

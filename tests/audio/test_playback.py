"""Playing speech on another device: clear errors without one, and the real samples on a JACK dummy server."""

from __future__ import annotations

import time

import jack
import numpy as np
import pytest
from test_mixer import sine, tts  # noqa: F401  (tts: the session fixture, real pyttsx3 speech)

from audio.devices import list_devices
from audio.errors import AudioError
from audio.mixer import resample
from audio.playback import STOP_FADE_S, play

RATE = 48000


class Recorder:
    """A JACK client that records one port of PortAudio's playback, frame by frame."""

    def __init__(self, server: str, seconds: float) -> None:
        self.client = jack.Client("hark-recorder", servername=server, no_start_server=True)
        self.port = self.client.inports.register("rec")
        self.recording = np.zeros(int(seconds * RATE) + 4096, dtype=np.float32)
        self.pos = 0
        self.client.set_process_callback(self._process)
        self.client.activate()

    def _process(self, frames: int) -> None:
        if self.pos + frames <= len(self.recording):
            self.recording[self.pos : self.pos + frames] = self.port.get_array()
            self.pos += frames

    def listen_to_portaudio(self) -> None:
        source = self.client.get_ports("PortAudio.*", is_audio=True, is_output=True)[0]
        self.client.connect(source, self.port)

    def close(self) -> np.ndarray:
        self.client.deactivate()
        self.client.close()
        return self.recording[: self.pos].copy()


def test_no_output_device_is_a_clear_error() -> None:
    if any(d.max_output_channels > 0 for d in list_devices()):
        pytest.skip("this machine has an output device; the no-device message cannot be seen here")
    with pytest.raises(AudioError, match="Cannot play the sound: No output device found"):
        play(sine(440.0, 22050, 0.2), 22050)


@pytest.mark.parametrize(
    ("device", "match"),
    [
        ("no-such-speaker", "No output device matches 'no-such-speaker'"),
        (999, "There is no device number 999"),
    ],
)
def test_an_unknown_device_is_a_clear_error(device: int | str, match: str) -> None:
    with pytest.raises(AudioError, match=match):
        play(sine(440.0, 22050, 0.2), 22050, device)


def test_bad_audio_is_refused_before_any_device_is_touched() -> None:
    with pytest.raises(AudioError, match="empty"):
        play(np.zeros(0), 22050, "no-such-speaker")
    with pytest.raises(AudioError, match="NaN"):
        play(np.array([0.0, np.inf]), 22050, "no-such-speaker")


def test_played_speech_arrives_sample_for_sample_on_the_jack_side(
    jack_server,
    tts: tuple[np.ndarray, int],  # type: ignore[no-untyped-def]  # noqa: F811
) -> None:
    samples, rate = tts
    # Silence first: the recorder connects to PortAudio's port once play() has opened it.
    sound = np.concatenate([np.zeros(int(0.3 * rate), dtype=np.float32), samples])
    expected = resample(sound, rate, RATE)  # the device runs at JACK's 48 kHz, not pyttsx3's 22050
    for _attempt in range(3):
        recorder = Recorder(jack_server.name, len(sound) / rate + 1.0)
        try:
            handle = play(sound, rate, "system")
            recorder.listen_to_portaudio()
            assert handle.sample_rate == RATE and handle.device.name == "system"
            assert handle.wait(len(sound) / rate + 5.0) and handle.done
        finally:
            recording = recorder.close()
        assert handle.error == ""
        onset = int(np.flatnonzero(recording)[0])
        first = int(np.flatnonzero(expected)[0])
        got = recording[onset : onset + len(expected) - first]
        if np.array_equal(got, expected[first:]) or handle.underflows == 0:
            break  # an underflow (a late Python callback on a busy machine) may cost a block; retry
    assert np.array_equal(got, expected[first:]), f"underflows in the run: {handle.underflows}"


def test_stop_fades_out_quickly_and_lets_the_device_go(jack_server) -> None:  # type: ignore[no-untyped-def]
    tone = sine(500.0, RATE, 5.0, amplitude=0.4).astype(np.float32)
    recorder = Recorder(jack_server.name, 2.0)
    try:
        handle = play(tone, RATE, "system")
        recorder.listen_to_portaudio()
        time.sleep(0.5)
        started = time.monotonic()
        handle.stop()
        took = time.monotonic() - started
    finally:
        recording = recorder.close()
    assert handle.done and took < 0.5
    assert 0.4 < handle.position_s < 1.0
    heard = np.flatnonzero(recording)
    assert heard.size > 0.3 * RATE  # it played until stopped
    tail = recording[heard[-1] - int(STOP_FADE_S * RATE) : heard[-1] + 1]
    # The last 10 ms fall to silence, with no step bigger than the tone's own.
    assert np.max(np.abs(np.diff(recording[heard[0] : heard[-1] + 2]))) <= 1.02 * 2 * np.pi * 500 / RATE * 0.4
    assert np.max(np.abs(tail[-10:])) < 0.01 and np.max(np.abs(tail[:96])) > 0.2  # 96 samples: one period

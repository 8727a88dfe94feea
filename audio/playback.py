"""Play a sound on another output device: the room's speaker or the assessor's headphones.

`play(samples, sample_rate, device)` opens a sounddevice OutputStream on that
device, at the sound's own rate when the device takes it and otherwise at the
device's rate (resampled with the mixer's anti-alias filter), and returns at once
with a `PlaybackHandle`. Mono sound goes to the first two channels alike.

This path is not the person's listening chain: it has no limiter, because it is
for speakers and other people's headphones, whose volume is theirs to set. The
sound is only clamped to digital full scale. Use the listening stream's
`speech` input for the person's own ears.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import sounddevice as sd

from audio.devices import Device, resolve
from audio.errors import AudioError
from audio.mixer import check_sound, resample

STOP_FADE_S = 0.01
_FALLBACK_RATES = (48000, 44100)
# PortAudio is not thread-safe: opening one stream while a reaper closes another corrupts
# its JACK client (seen here as "Insufficient memory"), so every open, abort and close queues.
_PORTAUDIO = threading.Lock()


def _pick_rate(device: Device, wanted: int, channels: int) -> int:
    """The sound's own rate if the device takes it, else the device's own, else a common one."""
    candidates = [wanted, int(device.default_samplerate), *_FALLBACK_RATES]
    for rate in dict.fromkeys(candidates):  # in order, without repeats
        try:
            sd.check_output_settings(device=device.index, channels=channels, dtype="float32", samplerate=rate)
        except (sd.PortAudioError, ValueError):
            continue
        return rate
    tried = ", ".join(str(r) for r in dict.fromkeys(candidates))
    raise AudioError(
        f"The output device '{device.name}' accepts none of the sample rates {tried} Hz; "
        "choose another device ('hark devices' lists them)."
    )


class PlaybackHandle:
    """One sound playing on one device. `done` once it has finished or was stopped."""

    def __init__(self, data: np.ndarray, device: Device, sample_rate: int, channels: int) -> None:
        self.device = device
        self.sample_rate = sample_rate
        self.duration_s = len(data) / sample_rate
        self.error = ""  # what went wrong closing the device, if anything did
        self.underflows = 0  # blocks the device asked for too late (heard as gaps)
        self._data = data
        self._channels = channels
        self._pos = 0
        self._fade = np.linspace(1.0, 0.0, max(1, int(STOP_FADE_S * sample_rate)), dtype=np.float32)
        self._fade_pos = -1  # >= 0 once stop() has asked for the fade-out
        self._stop_requested = False
        self._finished = threading.Event()  # PortAudio has stopped calling back
        self._closed = threading.Event()  # ... and the stream is closed: the handle is done
        try:
            with _PORTAUDIO:
                self._stream = sd.OutputStream(
                    device=device.index,
                    samplerate=sample_rate,
                    channels=channels,
                    dtype="float32",
                    callback=self._callback,
                    finished_callback=self._finished.set,
                )
                self._stream.start()
        except sd.PortAudioError as e:
            raise AudioError(
                f"Could not play on '{device.name}': {e}. Check the device, or choose another."
            ) from e
        # Closing waits for PortAudio, which must not happen on its own thread: a reaper does it.
        threading.Thread(target=self._close_when_finished, name="hark-playback", daemon=True).start()

    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: sd.CallbackFlags) -> None:
        """PortAudio's thread: copy the next samples (fading out after `stop`), then stop the stream."""
        if status.output_underflow:
            self.underflows += 1
        if self._stop_requested and self._fade_pos < 0:
            self._fade_pos = 0
        start = self._pos
        n = min(frames, len(self._data) - start)
        if self._fade_pos >= 0:
            n = min(n, len(self._fade) - self._fade_pos)
        out = outdata[:, 0]
        out[:n] = self._data[start : start + n]
        if self._fade_pos >= 0:
            out[:n] *= self._fade[self._fade_pos : self._fade_pos + n]
            self._fade_pos += n
        out[n:] = 0.0
        for c in range(1, self._channels):
            outdata[:, c] = out
        self._pos = start + n
        if self._pos >= len(self._data) or (self._fade_pos >= len(self._fade)):
            raise sd.CallbackStop  # PortAudio plays out what it holds, then finishes

    def _close_when_finished(self) -> None:
        self._finished.wait()
        try:
            with _PORTAUDIO:
                self._stream.close(ignore_errors=True)
        except Exception as e:  # the device vanished mid-sound: say so, never crash a thread
            self.error = repr(e)
        finally:
            self._closed.set()

    @property
    def done(self) -> bool:
        """True once the sound has finished (or was stopped) and the device is let go."""
        return self._closed.is_set()

    @property
    def position_s(self) -> float:
        """How far into the sound playback has got (as handed to the device)."""
        return self._pos / self.sample_rate

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the sound has finished (or `timeout` s have passed); True when it has."""
        return self._closed.wait(timeout)

    def stop(self, timeout: float = 1.0) -> None:
        """Fade out over 10 ms and stop; returns once stopped (forces it after `timeout` s)."""
        self._stop_requested = True
        if not self._finished.wait(timeout):
            with _PORTAUDIO:
                self._stream.abort(ignore_errors=True)
        self._closed.wait(timeout)


def play(samples: np.ndarray, sample_rate: int, device: int | str | None = None) -> PlaybackHandle:
    """Start playing a mono sound on `device` (index, part of a name, or None for the default output).

    Returns at once. Raises AudioError for bad audio, when there is no output device,
    when `device` matches none (or several), or when the device cannot be opened.
    """
    x = check_sound(samples, sample_rate)
    try:
        dev = resolve(device, "output")
    except AudioError as e:
        raise AudioError(f"Cannot play the sound: {e}") from None
    channels = min(2, dev.max_output_channels)
    rate = _pick_rate(dev, int(sample_rate), channels)
    data = resample(x, int(sample_rate), rate)
    np.clip(data, -1.0, 1.0, out=data)
    return PlaybackHandle(np.ascontiguousarray(data), dev, rate, channels)

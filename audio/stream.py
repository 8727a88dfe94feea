"""The live stream: microphone -> ListeningChain -> both ears, in real time.

`ListeningStream` owns one full-duplex `sounddevice.Stream` and a supervisor
thread. The audio callback only processes, copies the input to the tap and
counts; everything that can block (opening, closing, rescanning devices) happens
on the supervisor or the caller's thread. When the device disappears, the
supervisor says so in `status`, waits for it (or for `choose_devices`), and
reopens with a fade-in, without ever raising into the caller.

The microphone can also be a WAV file played in a loop at the real pace, with the
ears sent nowhere (`source=`): the same callback, chain and supervision run, which
is what a demonstration without a headset and many tests need.

Longer than most modules (about 370 lines) because the callback and the supervisor are one
stream's two halves and share its state; the file source is its own module (file_source.py).
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import sounddevice as sd

from audio.chain import ListeningChain
from audio.devices import Device, check_rate, rescan, resolve
from audio.errors import AudioError
from audio.file_source import FILE_SOURCE_NAME, PacedFileStream
from audio.input_tap import InputTap
from audio.mixer import SpeechInput
from audio.processor import SUPPORTED_RATES
from audio.warmup import compile_kernels

POLL_S = 0.5
STALL_S = 2.0  # no callback for this long while "running" means the device is gone
CLOSE_WAIT_S = 2.0
GIL_SWITCH_INTERVAL_S = 0.0005
WASAPI = "Windows WASAPI"


@dataclass(frozen=True)
class StreamStatus:
    state: str  # "stopped", "running", "disappeared", "waiting", "closed"
    message: str
    input_device: str
    output_device: str
    callbacks: int
    xruns: int  # callbacks that reported an overflow or underflow
    input_overflows: int
    output_underflows: int
    callback_errors: int
    tap_drops: int
    recoveries: int
    stream_latency_s: tuple[float, float]  # PortAudio's (input, output) latency
    chain_latency_samples: int
    sample_rate: int
    block_size: int


class BlockTap(Protocol):
    """Where the callback copies each input block (the captions' tap)."""

    def push(self, indata: np.ndarray) -> None: ...


class ListeningStream:
    def __init__(
        self,
        chain: ListeningChain | None = None,
        input_device: int | str | None = None,
        output_device: int | str | None = None,
        sample_rate: int = 48000,
        block_size: int = 128,
        tap_blocks: int = 256,
        timing_blocks: int = 0,
        source: Path | None = None,
        tap: BlockTap | None = None,
        after_block: Callable[[float, Any], None] | None = None,
    ) -> None:
        """`source`: a WAV file looped as the microphone, the ears sent nowhere (devices ignored).
        `tap`: where input blocks go (an InputTap of `tap_blocks` when not given). `after_block`:
        called at the end of every callback with its start (time.perf_counter) and PortAudio's
        time info; it must follow the callback's rules."""
        if sample_rate not in SUPPORTED_RATES:
            allowed = ", ".join(str(r) for r in SUPPORTED_RATES)
            raise AudioError(f"Sample rate {sample_rate} Hz is not supported; use one of {allowed} Hz.")
        self.chain = chain or ListeningChain()
        self.sample_rate = sample_rate
        self.block_size = block_size
        self.chain.prepare(sample_rate, block_size)
        compile_kernels(self.chain.noise_reduction_method, sample_rate, block_size)
        self.tap = InputTap(block_size, tap_blocks, poll_s=0.5 * block_size / sample_rate)
        self._tap: BlockTap = tap if tap is not None else self.tap
        self._source = source
        self._after_block = after_block
        # Callback durations (s), written cyclically by the callback; see `callback_durations`.
        self._durations = np.zeros(timing_blocks, dtype=np.float64)
        self._specs: tuple[int | str | None, int | str | None] = (input_device, output_device)
        self._devices: tuple[Device, Device] | None = None
        self._stream: sd.Stream | None = None
        self._lock = threading.RLock()  # stream lifecycle (open/close/rescan), never the callback
        self._want_running = False
        self._supervisor: threading.Thread | None = None
        self._stuck: threading.Thread | None = None  # a dead stream PortAudio is still closing
        self._state = "stopped"
        self._message = "Not started."
        self.callbacks = self.xruns = self.input_overflows = self.output_underflows = self.callback_errors = 0
        self.recoveries = 0
        self.last_error = ""
        self.open_error = ""  # why `start(wait=True)` could not open the devices at once
        self.flags = sd.CallbackFlags()

    # --- the audio thread -------------------------------------------------------------
    def _callback(
        self, indata: np.ndarray, outdata: np.ndarray, frames: int, time_info: Any, status: sd.CallbackFlags
    ) -> None:
        """python-sounddevice Stream callback, on PortAudio's real-time thread.

        indata: float32 (frames, 1), outdata: float32 (frames, 1 or 2), frames ==
        block_size. Contract: never block, never allocate beyond the wrappers
        sounddevice already builds, never raise (an exception here would stop the
        stream): any error gives a block of silence and a count.
        """
        started = time.perf_counter()
        try:
            if status:
                self.flags |= status
                self.xruns += 1  # one event, even when PortAudio sets both flags for it (JACK does)
                if status.input_overflow:
                    self.input_overflows += 1
                if status.output_underflow:
                    self.output_underflows += 1
            self.chain.process(indata, outdata)
            self._tap.push(indata)
            if self._after_block is not None:
                self._after_block(started, time_info)
        except Exception as e:  # the stream must survive anything the chain does
            outdata.fill(0.0)
            self.callback_errors += 1
            self.last_error = repr(e)
        n = self._durations.shape[0]
        if n:
            self._durations[self.callbacks % n] = time.perf_counter() - started
        self.callbacks += 1

    # --- opening and closing (caller or supervisor thread) ------------------------------
    def _open(self) -> None:
        """Resolve the devices, check the rate and start a stream (raises AudioError)."""
        if self._source is not None:
            paced = PacedFileStream(
                self._source, self.sample_rate, self.block_size, self._callback, sd.CallbackFlags()
            )
            self.chain.ramp_in()
            paced.start()
            self._stream, self._devices = paced, (_file_device(self._source), _file_device(None))
            self._set("running", f"Listening to the file {self._source.name} in a loop; the ears go nowhere.")
            return
        # The output first: a wrong headphone name is the error to report before a missing microphone.
        out = resolve(self._specs[1], "output")
        inp = resolve(self._specs[0], "input")
        out_channels = 1 if out.max_output_channels == 1 else 2
        if inp.host_api != WASAPI:  # its shared-mode check would refuse rates exclusive mode takes
            check_rate(inp, "input", self.sample_rate, 1)
            check_rate(out, "output", self.sample_rate, out_channels)
        stream = None
        for extra in _host_settings(inp, out):
            try:
                stream = sd.Stream(
                    device=(inp.index, out.index),
                    samplerate=self.sample_rate,
                    blocksize=self.block_size,
                    channels=(1, out_channels),
                    dtype="float32",
                    latency="low",
                    callback=self._callback,
                    extra_settings=extra,
                )
                self.chain.ramp_in()
                stream.start()
                break
            except sd.PortAudioError as e:
                if stream is not None:
                    _close_quietly(stream)
                    stream = None
                error = e
        if stream is None:
            raise AudioError(f"Could not start audio on '{inp.name}' -> '{out.name}': {error}.") from error
        self._stream, self._devices = stream, (inp, out)
        self._set("running", f"Listening: '{inp.name}' -> '{out.name}'.")

    def _close_stream(self) -> None:
        """Close the current stream; give up waiting after CLOSE_WAIT_S (see `_stuck`)."""
        stream, self._stream = self._stream, None
        if stream is None:
            return
        # PortAudio 19.6's JACK back end waits up to 10 minutes to stop a stream whose
        # server has died, so closing happens on a throwaway thread we can stop waiting for.
        closer = threading.Thread(target=_close_quietly, args=(stream,), name="hark-close", daemon=True)
        closer.start()
        closer.join(CLOSE_WAIT_S)
        if closer.is_alive():
            self._stuck = closer

    def _set(self, state: str, message: str) -> None:
        self._state, self._message = state, message

    def start(self, wait: bool = False) -> None:
        """Open the devices and start listening.

        Raises AudioError if that is impossible now, unless `wait`: then the status
        says what is missing and the supervisor opens the devices when they appear.
        """
        # The callback runs Python on PortAudio's thread and needs the GIL within a block
        # period (2.7 ms at 48 kHz/128). CPython lets another busy thread keep the GIL for
        # up to the switch interval, 5 ms by default; 0.5 ms bounds that wait.
        sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_INTERVAL_S))
        # A full garbage collection walks every object the program has ever made and can
        # hold the GIL for milliseconds; freezing what exists now leaves it only new ones.
        gc.collect()
        gc.freeze()
        with self._lock:
            if self._stream is None:
                try:
                    self._open()
                except AudioError as e:
                    if not wait:
                        raise
                    self.open_error = str(e)
                    self._set("waiting", f"{e} Waiting for the device.")
            self._want_running = True
        if self._supervisor is None:
            self._supervisor = threading.Thread(target=self._supervise, name="hark-supervisor", daemon=True)
            self._supervisor.start()

    def stop(self) -> None:
        with self._lock:
            self._want_running = False
            self._close_stream()
            self._set("stopped", "Stopped.")

    def close(self) -> None:
        self.stop()
        self._set("closed", "Closed.")
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None:
            supervisor.join(2 * POLL_S + CLOSE_WAIT_S)

    def choose_devices(self, input_device: int | str | None, output_device: int | str | None) -> None:
        """Switch devices (any thread). The supervisor opens them if this fails now."""
        with self._lock:
            self._specs = (input_device, output_device)
            self._close_stream()
            if self._want_running:
                self._try_reopen()

    def __enter__(self) -> ListeningStream:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- supervision ------------------------------------------------------------------
    def _supervise(self) -> None:
        last_count, last_change = self.callbacks, time.monotonic()
        while self._state != "closed":
            time.sleep(POLL_S)
            try:
                with self._lock:
                    if not self._want_running:
                        continue
                    now = time.monotonic()
                    if self.callbacks != last_count:
                        last_count, last_change = self.callbacks, now
                    if self._stream is not None:
                        if not self._stream.active or now - last_change > STALL_S:
                            self._lost()
                    else:
                        self._try_reopen()
                        last_change = time.monotonic()
            except Exception as e:  # the supervisor must outlive anything PortAudio does
                self._set("waiting", f"Audio problem: {e}. Retrying.")

    def _lost(self) -> None:
        name = self._devices[1].name if self._devices else "?"
        self._set(
            "disappeared",
            f"Output device '{name}' disappeared; waiting for it to come back or choose another.",
        )
        self._close_stream()

    def _try_reopen(self) -> None:
        if self._stuck is not None:
            if self._stuck.is_alive():
                return  # PortAudio is still tearing the dead stream down: rescanning now would hang
            self._stuck = None
        if self._source is None:
            rescan()  # safe: no stream of ours is open
        try:
            self._open()
        except AudioError as e:
            if self._state != "disappeared":
                self._set("waiting", f"{e} Waiting for the device.")
            return
        self.recoveries += 1

    # --- reading, from any thread ----------------------------------------------------
    @property
    def speech(self) -> SpeechInput:
        """Where synthetic speech for the person's ears is pushed (`SpeechInput.push`)."""
        return self.chain.speech

    @property
    def status(self) -> StreamStatus:
        stream, devices = self._stream, self._devices
        latency = (0.0, 0.0)
        if stream is not None:
            with contextlib.suppress(sd.PortAudioError):
                latency = tuple(stream.latency)
        return StreamStatus(
            state=self._state,
            message=self._message,
            input_device=devices[0].name if devices else "",
            output_device=devices[1].name if devices else "",
            callbacks=self.callbacks,
            xruns=self.xruns,
            input_overflows=self.input_overflows,
            output_underflows=self.output_underflows,
            callback_errors=self.callback_errors,
            tap_drops=self.tap.drops,
            recoveries=self.recoveries,
            stream_latency_s=latency,
            chain_latency_samples=self.chain.latency_samples,
            sample_rate=self.sample_rate,
            block_size=self.block_size,
        )

    def callback_durations(self) -> np.ndarray:
        """The recorded callback durations in seconds (the last `timing_blocks` of them)."""
        n = min(self.callbacks, self._durations.shape[0])
        return self._durations[:n].copy()


def _host_settings(inp: Device, out: Device) -> list[Any]:
    """What to ask the host API for, best first. WASAPI in exclusive mode bypasses Windows' mixer and
    its tens of milliseconds; a device another program holds refuses it, so shared mode comes next."""
    if inp.host_api == out.host_api == WASAPI:
        exclusive = sd.WasapiSettings(exclusive=True)
        shared = sd.WasapiSettings(auto_convert=True)  # Windows resamples if its mixer runs at 44.1 kHz
        return [(exclusive, exclusive), (shared, shared)]
    return [None]


def _file_device(path: Path | None) -> Device:
    name = f"{FILE_SOURCE_NAME}: {path.name}" if path is not None else "nowhere"
    return Device(-1, name, FILE_SOURCE_NAME, 1 if path else 0, 0 if path else 2, 0.0, 0.0, 0.0)


def _close_quietly(stream: sd.Stream) -> None:
    try:
        stream.abort(ignore_errors=True)
        stream.close(ignore_errors=True)
    except Exception:
        pass

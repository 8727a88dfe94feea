"""The one way the app runs live audio: `AudioEngine`, a client of the audio engine process.

Every live command (listen, captions, feedback, latency, speech into the headphones) and the app
use this; none can tell which process runs the audio. The engine (audio.engine_process) has the
stream and the chain; this side has the settings, the shared memory and a monitor thread:
- Settings go to the engine whole (`configure`), and the next block takes them all at once.
- Status, meters and the howl guard's state come from a shared snapshot, read without locks.
- The microphone tap (`tap`) and the speech for the person's ears (`speech`) are shared rings.
- Time-stamped events (whistling, device lost and back, restarts, late blocks) arrive by pipe.
If the engine dies, the monitor says so at once and starts another with the same settings and
devices, the howl guard's memory and the usual fade-in; speech that was playing is reported as
interrupted. Only the engine imports sounddevice: on JACK, importing it makes a process a client
that takes part in every cycle.

Longer than most modules (about 400 lines) because it is one class whose parts share one lock
and one state: starting, the monitor that replaces a dead engine, requests and probes waiting on
it, and the status read across restarts. Split, each part would reach into the others' state.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from audio.engine_launch import EngineProcess, Segments
from audio.engine_protocol import (
    ABORT_PROBE,
    CONFIGURE,
    DEVICES,
    EVENT,
    HOWL_MEMORY,
    LIST_DEVICES,
    METERS,
    METHOD,
    PROBE,
    REPLY,
    ROOM,
    ROOM_STOP,
    STATUS,
    TAP,
    EngineConfig,
    EngineEvent,
)
from audio.engine_status import EngineStatus, levels_from, status_from
from audio.engine_tap import EngineTap
from audio.errors import AudioError
from audio.meters import Levels
from audio.mixer import QUEUE_SECONDS, SpeechInput
from audio.noise_reduction import DEFAULT_METHOD, METHODS
from audio.processor import SUPPORTED_RATES
from audio.settings import ListeningSettings

START_TIMEOUT_S = 120.0  # a first run compiles every kernel: slow machines take a minute
REPLY_TIMEOUT_S = 10.0
EVENTS_KEPT = 1000


class AudioEngine:
    def __init__(
        self,
        settings: ListeningSettings | None = None,
        noise_reduction_method: str = DEFAULT_METHOD,
        input_device: int | str | None = None,
        output_device: int | str | None = None,
        sample_rate: int = 48000,
        block_size: int = 128,
        *,
        source: Path | None = None,
        tap_blocks: int = 1024,
        speech_seconds: float = QUEUE_SECONDS,
        timing_blocks: int = 0,
        raise_priority: bool = True,
        inline: bool = False,
        chain: str = "full",
        tap_from_start: bool = False,
        on_event: Callable[[EngineEvent], None] | None = None,
    ) -> None:
        """`source`: a WAV file looped as the microphone, the ears sent nowhere. `inline`: run the
        engine on a thread of this process instead (only to measure what the process buys).
        `tap_from_start`: the tap holds every block the engine receives, from its first (a test that
        replays them offline). `on_event` is called on the monitor thread for every event."""
        if sample_rate not in SUPPORTED_RATES:
            allowed = ", ".join(str(r) for r in SUPPORTED_RATES)
            raise AudioError(f"Sample rate {sample_rate} Hz is not supported; use one of {allowed} Hz.")
        if noise_reduction_method not in METHODS:
            raise AudioError(
                f"Unknown noise reduction {noise_reduction_method!r}; choose one of {', '.join(METHODS)}."
            )
        self.sample_rate, self.block_size, self.source = sample_rate, block_size, source
        self._config = EngineConfig(
            settings or ListeningSettings(), noise_reduction_method, input_device, output_device,
            sample_rate, block_size, source, raise_priority, None, chain, tap_from_start,
        )  # fmt: skip
        self._segments = Segments.create(tap_blocks * block_size, speech_seconds, sample_rate, timing_blocks)
        self.speech = SpeechInput.over(self._segments.speech, sample_rate)
        self.tap = EngineTap(self._segments.tap, block_size, sample_rate, lambda on: self._send(TAP, on))
        self.tap.attached = tap_from_start
        self._inline, self._on_event = inline, on_event
        self._process: EngineProcess | None = None
        self._lock = threading.RLock()  # the engine's lifecycle and the pipe's sending end
        self._release_lock = threading.Lock()  # not _lock: closing waits for the monitor, which takes it
        self._closing = False
        self._tags = itertools.count(1)
        self._tag = 0
        self._ids = itertools.count(1)
        self._waiters: dict[int, list[Any]] = {}  # request or probe id -> [threading.Event, payload]
        self._events: deque[EngineEvent] = deque(maxlen=EVENTS_KEPT)
        self._started = threading.Event()
        self._start_info: dict[str, Any] = {}
        self._state, self._message = "stopped", "Not started."
        self._device_names = ("", "")
        self._offsets = np.zeros(len(STATUS))  # counters of engines that have ended
        self._last = np.zeros(len(STATUS))
        self.engine_restarts = 0
        self.speech_interruptions = 0
        self.priority = ""
        self._monitor: threading.Thread | None = None
        self._released = False

    # --- lifecycle ------------------------------------------------------------------
    def start(self, wait: bool = False) -> None:
        """Start the engine and the stream. Raises AudioError when the devices cannot be opened now,
        unless `wait`: then the status says what is missing and the engine opens them when they appear."""
        with self._lock:
            if self._released:
                raise AudioError("This audio engine was released; make a new one to listen again.")
            if self._process is not None:
                return
            self._closing = False
            self._launch()
        if not self._started.wait(START_TIMEOUT_S):
            self.close()
            raise AudioError("The audio engine did not start within two minutes; see the messages above.")
        if self._process is None:
            raise AudioError(self._message)
        if self._start_info.get("state") != "running" and not wait:
            message = str(self._start_info.get("problem") or self._message)
            self.close()
            raise AudioError(message)

    def _launch(self) -> None:
        self._started.clear()
        self._process = EngineProcess.start(self._config, self._segments, self._inline)
        self._monitor = threading.Thread(target=self._watch, args=(self._process,), name="hark-engine-monitor",
                                         daemon=True)  # fmt: skip
        self._monitor.start()
        if self.tap.attached:
            self._send(TAP, True)

    def close(self) -> None:
        """Stop the engine (it fades the ears out) and let go of the shared memory."""
        with self._lock:
            self._closing = True
            process, self._process = self._process, None
        if process is not None:
            process.stop()
        self._started.set()  # a start() still waiting gives up (it finds no engine and says so)
        monitor = self._monitor
        if monitor is not None and monitor is not threading.current_thread():
            monitor.join(2.0)
        self._state, self._message = "closed", "Closed."

    def release(self) -> None:
        """Close, and remove the shared memory (the engine cannot be started again). Safe to call
        twice and from two threads (a window's closing and the app's end)."""
        with self._release_lock:
            if self._released:
                return
            self.close()
            self._released = True
            self.speech = None  # type: ignore[assignment]  # its views of the memory must go first
            self._segments.close()

    def __enter__(self) -> AudioEngine:
        try:
            self.start()
        except BaseException:
            self.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    # --- the monitor thread -----------------------------------------------------------
    def _watch(self, process: EngineProcess) -> None:
        while True:
            message = process.receive()
            if message is None:
                break
            if message[0] == EVENT:
                self._on_engine_event(message[1])
            elif message[0] == REPLY:
                self._deliver(message[1], message[2])
        ended = time.monotonic()
        with self._lock:
            if self._closing or self._process is not process:
                return
            if not self._started.is_set():
                self._give_up(process)
                return
            self._replace(process)
        # Not under the lock: settings, mute and close must not wait for the new engine to start.
        if self._started.wait(START_TIMEOUT_S) and self._start_info:  # (empty: it gave up)
            gap = time.monotonic() - ended
            self._record(
                EngineEvent("restarted", f"Audio back after {gap:.2f} s", time.time(), {"gap_s": gap})
            )

    def _give_up(self, dead: EngineProcess) -> None:
        """The engine ended before it had started: another would most likely end the same way, and
        replacing each at once would spawn engines without end."""
        self._process, self._start_info = None, {}
        self._state = "stopped"
        self._message = (
            f"The audio engine ended while starting (exit code {dead.exit_code}); see the messages above."
        )
        self._record(EngineEvent("error", self._message, time.time(), {"exit_code": dead.exit_code}))
        self._started.set()  # start() stops waiting and raises with this message

    def _replace(self, dead: EngineProcess) -> None:
        """The engine ended without being asked: say so and start another like it."""
        self._snapshot()  # its last status, which the howl memory and the counters carry over
        self._offsets += self._last
        self._offsets[HOWL_MEMORY] = 0.0
        self._config = dataclasses.replace(self._config, howl_memory=tuple(self._last[HOWL_MEMORY]))
        self._last = np.zeros(len(STATUS))
        # Counted before the queue is emptied: a sink that sees the queue empty then finds the count moved.
        if self.speech.pending_seconds > 0.0:
            self.speech_interruptions += 1
        self.speech.abandon()
        self.engine_restarts += 1
        for waiter in list(self._waiters.values()):  # probes and requests fail: their engine is gone
            waiter[1] = AudioError("The audio engine restarted")
            waiter[0].set()
        self._state, self._message = "restarting", "The audio engine stopped unexpectedly; starting it again."
        self._record(EngineEvent("restarted", self._message, time.time(), {"exit_code": dead.exit_code}))
        self._launch()

    def _on_engine_event(self, event: EngineEvent) -> None:
        if event.kind in ("started", "state"):
            self._state, self._message = str(event.data["state"]), event.message
            self._device_names = (str(event.data.get("input", "")), str(event.data.get("output", "")))
        if event.kind == "started":
            self._start_info = dict(event.data)
            self._started.set()
        elif event.kind == "priority":
            self.priority = event.message
        elif event.kind == "probe":
            self._deliver(int(str(event.data["id"])), event)
        self._record(event)

    def _record(self, event: EngineEvent) -> None:
        self._events.append(event)
        if self._on_event is not None:
            self._on_event(event)

    def _deliver(self, request_id: int, payload: object) -> None:
        waiter = self._waiters.get(request_id)
        if waiter is not None:
            waiter[1] = payload
            waiter[0].set()

    # --- commands -------------------------------------------------------------------
    def _send(self, *command: object) -> None:
        with self._lock:
            if self._process is not None:
                self._process.send(command)

    def configure(self, settings: ListeningSettings) -> int:
        """Send whole new settings; the engine applies the newest at its next block. Returns their tag
        (status.settings_tag reaches it once a block has used them)."""
        with self._lock:
            self._tag = next(self._tags)
            self._config = dataclasses.replace(self._config, settings=settings)
            self._send(CONFIGURE, self._tag, settings)
            return self._tag

    @property
    def settings(self) -> ListeningSettings:
        return self._config.settings

    def mute(self, muted: bool = True) -> None:
        self.configure(dataclasses.replace(self._config.settings, muted=muted))

    def change_noise_reduction(self, method: str) -> None:
        """Switch the noise-reduction method while listening (it crossfades)."""
        if method not in METHODS:
            raise AudioError(f"Unknown noise reduction {method!r}; choose one of {', '.join(METHODS)}.")
        with self._lock:
            self._config = dataclasses.replace(self._config, noise_reduction_method=method)
            self._send(METHOD, method)

    @property
    def noise_reduction_method(self) -> str:
        return self._config.noise_reduction_method

    def choose_devices(self, input_device: int | str | None, output_device: int | str | None) -> None:
        with self._lock:
            self._config = dataclasses.replace(
                self._config, input_device=input_device, output_device=output_device
            )
            self._send(DEVICES, input_device, output_device)

    def _request(self, command: str, *args: object, timeout: float | None = REPLY_TIMEOUT_S) -> Any:
        request_id = next(self._ids)
        waiter: list[Any] = [threading.Event(), None]
        self._waiters[request_id] = waiter
        try:
            self._send(command, request_id, *args)
            if not waiter[0].wait(timeout):
                raise AudioError("The audio engine did not answer; it may be busy or stuck.")
        finally:
            self._waiters.pop(request_id, None)
        if isinstance(waiter[1], AudioError):
            raise waiter[1]
        return waiter[1]

    def list_devices(self) -> list[Any]:
        """The sound devices the engine sees (audio.devices.Device)."""
        return list(self._request(LIST_DEVICES))

    def run_probe(self, played: np.ndarray, what: str, abort: threading.Event | None = None) -> np.ndarray:
        """Play `played` in place of the ears and return the microphone recorded meanwhile (padded to
        whole blocks). Muting silences it; `abort` (set from any thread) stops it; an engine restart
        fails it. Raises AudioError naming `what` in those cases."""
        if self.status.state != "running":
            raise AudioError(f"The sound device is not running, so the {what} cannot run ({self._message}).")
        probe_id = next(self._ids)
        waiter: list[Any] = [threading.Event(), None]
        self._waiters[probe_id] = waiter
        limit = time.monotonic() + len(played) / self.sample_rate + 5.0
        try:
            self._send(PROBE, probe_id, np.ascontiguousarray(played, dtype=np.float32))
            while not waiter[0].wait(0.05):
                if (abort is not None and abort.is_set()) or time.monotonic() > limit:
                    self._send(ABORT_PROBE, probe_id)
                    waiter[0].wait(1.0)
                    raise AudioError(f"The {what} was stopped before it finished.")
        finally:
            self._waiters.pop(probe_id, None)
        result = waiter[1]
        if isinstance(result, AudioError):
            raise AudioError(f"The audio engine restarted during the {what}; run it again.")
        if result.data.get("recorded") is None:
            raise AudioError(f"The {what} was stopped before it finished.")
        return np.asarray(result.data["recorded"])

    def play_in_room(self, samples: np.ndarray, sample_rate: int, device: int | str | None) -> int:
        """Play a sound on another output (the room's speaker), from the engine; returns its id."""
        play_id = next(self._ids)
        self._send(ROOM, play_id, np.ascontiguousarray(samples, dtype=np.float32), sample_rate, device)
        return play_id

    def stop_in_room(self, play_id: int) -> None:
        self._send(ROOM_STOP, play_id)

    # --- reading, from any thread ----------------------------------------------------
    def events(self) -> list[EngineEvent]:
        """Every event kept so far (the newest EVENTS_KEPT), oldest first."""
        return list(self._events)

    def _snapshot(self) -> np.ndarray:
        if self._released:  # the memory is gone; a window's last refresh reads what was there last
            return self._last
        values = self._segments.status.read()
        if values is not None:
            self._last = values
        return self._last

    @property
    def status(self) -> EngineStatus:
        values = self._snapshot()
        return status_from(values, self._offsets, self)

    @property
    def meters(self) -> Levels:
        return levels_from(self._snapshot()[METERS])

    @property
    def chain_latency_samples(self) -> int:
        return int(self._start_info.get("latency_samples", 0))

    @property
    def chain_latency_ms(self) -> float:
        return 1000.0 * self.chain_latency_samples / self.sample_rate

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None else None

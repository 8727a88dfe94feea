"""The audio engine: the live stream and the listening chain, alone in their own process.

`run` is the child's entry point (multiprocessing, spawn). Its interpreter does nothing but audio:
PortAudio's callback, the stream's supervisor, and one control thread that blocks on the pipe from
the app. Before the stream starts, the kernels are compiled and everything made so far is frozen out
of the garbage collector, which then stays off: a collection would hold the interpreter for
milliseconds, and the callback needs it every 2.7 ms. Only this process imports sounddevice.

`EngineCore` is the same engine without the process around it: the benchmark runs it on a thread of
its own process (`inline`) to measure what the process buys.

Longer than most modules (about 370 lines) because the audio thread's hook, the control thread's
commands and the entry point all act on the one `EngineCore`; apart, they would share its
internals across modules.
"""

from __future__ import annotations

import contextlib
import gc
import os
import time
from multiprocessing.connection import Connection, wait
from typing import Any

import numpy as np

from audio.child_processes import ignore_ctrl_c
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
    STATUS_FIELDS,
    STOP,
    TAP,
    EngineConfig,
    EngineEvent,
    SegmentNames,
)
from audio.errors import AudioError

POLL_S = 0.05  # how often the control thread looks at the counters between commands
FADE_OUT_S = 0.05


class SharedTap:
    """The captions' tap in shared memory: blocks are queued only while the app reads them."""

    def __init__(self, ring: Any) -> None:
        self.ring, self.attached = ring, False

    def push(self, indata: np.ndarray) -> None:
        if self.attached:
            self.ring.push(indata)


class EngineCore:
    def __init__(
        self, conn: Connection, config: EngineConfig, names: SegmentNames, own_process: bool
    ) -> None:
        from audio.chain import ListeningChain
        from audio.mixer import SpeechInput
        from audio.shared_ring import SharedQueueMemory, SharedRing, SharedSnapshot
        from audio.stream import ListeningStream

        self.conn, self.config, self.own_process = conn, config, own_process
        self._tap_ring = SharedRing.attach(names.tap)
        self._status = SharedSnapshot.attach(names.status)
        self._speech_memory = SharedQueueMemory.attach(names.speech)
        self._timing = SharedRing.attach(names.timing) if names.timing else None
        self._values = np.zeros(len(STATUS_FIELDS))
        self._timing_row = np.zeros((1, 2), dtype=np.float32)
        speech = SpeechInput.over(self._speech_memory, config.sample_rate)
        chain_class = ListeningChain if config.chain == "full" else PlainCopy
        self.chain = chain_class(config.settings, config.noise_reduction_method, speech=speech)
        self.tap = SharedTap(self._tap_ring)
        self.tap.attached = config.tap_from_start
        self.stream = ListeningStream(
            self.chain,
            config.input_device,
            config.output_device,
            config.sample_rate,
            config.block_size,
            source=config.source,
            tap=self.tap,
            after_block=self._after_block,
        )
        if config.howl_memory is not None:
            self.chain.feedback_guard.remember(np.array(config.howl_memory))
        self._tag = 0
        self._pending_tag = (0, 0)  # (tag, the chain's generation that carries it)
        self._probe: Any = None
        self._probe_id = -1
        self._room: dict[int, Any] = {}
        self._priority_wanted = config.raise_priority
        self.priority = "normal (not raised)" if not config.raise_priority else ""
        self._stopping = False
        self.release_portaudio = False

    # --- the audio thread -----------------------------------------------------------
    def _after_block(self, started: float, time_info: Any) -> None:
        """Runs at the end of every callback: publish the status, record timing, raise priority once."""
        if self._priority_wanted:
            self._priority_wanted = False
            from audio.priority import raise_callback_thread

            self.priority = raise_callback_thread()
        chain, values = self.chain, self._values
        if chain.applied_tag != self._tag:
            self._tag = chain.applied_tag
            values[STATUS["settings_tag"]] = self._tag
            values[STATUS["settings_applied_at"]] = started
        stream = self.stream
        values[0] = stream.callbacks + 1  # this callback counts itself after this hook
        values[1] = stream.xruns
        values[2] = stream.input_overflows
        values[3] = stream.output_underflows
        values[4] = stream.callback_errors
        values[5] = self._tap_ring.dropped
        values[6] = stream.recoveries
        values[METERS] = chain.meters.values
        probe = self._probe
        values[STATUS["probe_frames"]] = probe.pos if probe is not None else 0.0
        values[HOWL_MEMORY] = chain.feedback_guard.memory()
        self._status.publish(values)
        timing = self._timing
        if timing is not None:
            row = self._timing_row
            row[0, 0] = 1e6 * (time.perf_counter() - started)
            row[0, 1] = 1e6 * (time_info.currentTime - time_info.inputBufferAdcTime)
            timing.push(row)

    # --- the control thread ---------------------------------------------------------
    def run(self, parent_sentinel: int | None) -> None:
        """Start the stream and serve commands until told to stop, the pipe closes or the parent dies."""
        from audio.warmup import compile_kernels

        compile_kernels(self.chain.noise_reduction_method, self.config.sample_rate, self.config.block_size)
        if self.own_process:
            gc.collect()
            gc.freeze()
            gc.disable()
        self.stream.start(wait=True)
        status = self.stream.status
        self._send_event("started", status.message, state=status.state, input=status.input_device,
                         output=status.output_device, latency_samples=self.chain.latency_samples,
                         stream_latency_s=status.stream_latency_s, pid=os.getpid(),
                         problem=self.stream.open_error)  # fmt: skip
        watched: list[Any] = [self.conn] + ([parent_sentinel] if parent_sentinel is not None else [])
        watcher = _Watcher(self)
        try:
            while not self._stopping:
                ready = wait(watched, timeout=POLL_S)
                if parent_sentinel is not None and parent_sentinel in ready:
                    break  # the app is gone, however it ended: nobody may be left listening to us
                if self.conn in ready and not self._serve():
                    break
                watcher.look()
        finally:
            self._shut_down()

    def _serve(self) -> bool:
        """Handle every command waiting, the newest settings only; False once the app has gone."""
        commands = []
        try:
            while self.conn.poll():
                commands.append(self.conn.recv())
        except (EOFError, OSError):
            self._apply(commands)
            return False
        self._apply(commands)
        return not self._stopping

    def _apply(self, commands: list[tuple[Any, ...]]) -> None:
        last_settings = max((i for i, c in enumerate(commands) if c[0] == CONFIGURE), default=-1)
        for i, command in enumerate(commands):
            verb, args = command[0], command[1:]
            try:
                if verb == CONFIGURE and i == last_settings:
                    self.chain.configure(args[1], tag=args[0])
                elif verb == METHOD:
                    self.chain.change_noise_reduction(args[0])
                elif verb == DEVICES:
                    self.stream.choose_devices(args[0], args[1])
                elif verb == TAP:
                    self.tap.attached = bool(args[0])
                elif verb == PROBE:
                    self._start_probe(args[0], args[1])
                elif verb == ABORT_PROBE and args[0] == self._probe_id:
                    self._end_probe(aborted=True)
                elif verb == ROOM:
                    self._play_in_room(*args)
                elif verb == ROOM_STOP and args[0] in self._room:
                    self._room.pop(args[0]).stop()
                elif verb == LIST_DEVICES:
                    from audio.devices import list_devices, rescan

                    if self.stream.status.state != "running":
                        rescan()
                    self._reply(args[0], list_devices())
                elif verb == STOP:
                    self._stopping = True
            except AudioError as error:
                play_id = args[0] if verb == ROOM else None  # which room sound failed
                self._send_event("error", str(error), command=verb, id=play_id)

    def _start_probe(self, probe_id: int, samples: np.ndarray) -> None:
        from audio.probe import ReplacingProbe

        if self._probe is not None:
            self._end_probe(aborted=True)
        self._probe, self._probe_id = (
            MutableProbe(ReplacingProbe(samples, self.config.block_size), self),
            probe_id,
        )
        self.chain.probe = self._probe

    def _end_probe(self, aborted: bool) -> None:
        probe, probe_id = self._probe, self._probe_id
        self.chain.probe, self._probe, self._probe_id = None, None, -1
        self.chain.ramp_in()
        if probe is not None:
            self._send_event("probe", "aborted" if aborted else "done", id=probe_id,
                             recorded=None if aborted else probe.inner.recorded)  # fmt: skip

    def _play_in_room(
        self, play_id: int, samples: np.ndarray, sample_rate: int, device: int | str | None
    ) -> None:
        from audio.playback import play

        self._room[play_id] = play(samples, sample_rate, device)

    def _shut_down(self) -> None:
        """Fade the ears out, then close everything."""
        if self.stream.status.state == "running":
            self.chain.configure(_muted(self.chain.settings))
            time.sleep(FADE_OUT_S)
        for handle in self._room.values():
            handle.stop()
        running = self.stream.status.state == "running"
        self.stream.close()
        # A stream that closed while its device was there leaves PortAudio safe to shut down.
        self.release_portaudio = running and self.stream._stuck is None
        del self.chain, self.stream  # the chain's speech queue holds views of shared memory
        for segment in (self._tap_ring, self._status, self._speech_memory, self._timing):
            if segment is not None:
                with contextlib.suppress(BufferError):  # a view still held: the memory goes with the process
                    segment.close()

    def _send_event(self, kind: str, message: str, **data: object) -> None:
        self._send((EVENT, EngineEvent(kind, message, time.time(), dict(data))))

    def _reply(self, request_id: int, payload: object) -> None:
        self._send((REPLY, request_id, payload))

    def _send(self, message: tuple[object, ...]) -> None:
        try:
            self.conn.send(message)
        except (OSError, EOFError, BrokenPipeError):
            self._stopping = True  # the app is gone


class MutableProbe:
    """A probe that obeys mute: while the settings say muted, its sound is silenced too."""

    def __init__(self, inner: Any, core: EngineCore) -> None:
        self.inner, self._core = inner, core

    @property
    def pos(self) -> int:
        return int(self.inner.pos)

    def process(self, indata: np.ndarray, outdata: np.ndarray) -> None:
        self.inner.process(indata, outdata)
        if self._core.chain.settings.muted:
            outdata.fill(0.0)


class _Watcher:
    """Between commands, turn the counters into events the session record needs."""

    def __init__(self, core: EngineCore) -> None:
        self.core = core
        self.state = core.stream.status.state
        self.xruns = 0
        self.howl_events = core.chain.feedback_guard.events
        self.howling = False
        self.priority_sent = False

    def look(self) -> None:
        core = self.core
        status = core.stream.status
        if status.state != self.state:
            self.state = status.state
            core._send_event("state", status.message, state=status.state, input=status.input_device,
                             output=status.output_device, recoveries=status.recoveries)  # fmt: skip
        if status.xruns > self.xruns:
            core._send_event("xruns", f"{status.xruns - self.xruns} late blocks", total=status.xruns)
            self.xruns = status.xruns
        guard = core.chain.feedback_guard
        if guard.events > self.howl_events or (guard.howling and not self.howling):
            self.howl_events = guard.events
            self.howling = True
            core._send_event("howl", f"Whistling at {guard.last_howl_hz:.0f} Hz: gain cut",
                             hz=guard.last_howl_hz, cut_db=guard.reduction_db)  # fmt: skip
        elif self.howling and guard.reduction_db < 0.5:
            self.howling = False
            core._send_event("howl-released", "Whistling gone: gain given back", hz=guard.last_howl_hz)
        if core.priority and not self.priority_sent:
            self.priority_sent = True
            core._send_event("priority", core.priority)
        probe = core._probe
        if probe is not None and probe.inner.done:
            core._end_probe(aborted=False)
        for play_id, handle in list(core._room.items()):
            if handle.done:
                del core._room[play_id]
                core._send_event("room-finished", "played", id=play_id)


def _muted(settings: Any) -> Any:
    import dataclasses

    return dataclasses.replace(settings, muted=True)


def PlainCopy(settings: Any, method: str, speech: Any) -> Any:
    """A chain that copies the microphone to both ears untouched: the benchmark's floor."""
    from audio.chain import ListeningChain

    class _PlainCopy(ListeningChain):
        def process(self, indata: np.ndarray, outdata: np.ndarray) -> None:
            if self._staged is not None:
                self._take_staged()
            outdata[:, 0] = indata[:, 0]
            if outdata.shape[1] > 1:
                outdata[:, 1] = indata[:, 0]

    return _PlainCopy(settings, method, speech=speech)


def run(conn: Connection, config: EngineConfig, names: SegmentNames) -> None:
    """The engine process's entry point."""
    ignore_ctrl_c()  # the app decides when the engine stops
    from multiprocessing import parent_process

    parent = parent_process()
    if config.raise_priority:
        from audio.priority import raise_process

        raise_process()  # Windows: the high priority class (Linux raises the audio thread itself)
    core = EngineCore(conn, config, names, own_process=True)
    core.run(parent.sentinel if parent is not None else None)
    if core.release_portaudio:
        # Close PortAudio's JACK client: one left behind by a process that ended keeps jackd from
        # stopping (it hangs on SIGTERM until killed, and keeps its place in JACK's registry).
        import sounddevice

        sounddevice._terminate()
    # Nothing of ours may keep the process alive (PortAudio threads stuck closing a dead device).
    os._exit(0)

"""What the app and its audio engine process say to each other.

Over the pipe (pickled, never touched by the audio thread): the engine's configuration, commands
as tuples `(verb, *arguments)`, and from the engine `EngineEvent`s and replies. Over shared memory
(audio.shared_ring, lock-free): the microphone tap, the headphone speech queue, the status fields
below, and optionally the callback timings a benchmark reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from audio.settings import ListeningSettings

# The status snapshot the engine publishes after every block: one float64 per field, in this order.
STATUS_FIELDS = (
    "callbacks",
    "xruns",
    "input_overflows",
    "output_underflows",
    "callback_errors",
    "tap_dropped_frames",
    "recoveries",
    # audio.meters.Meters.values, linear, in its order.
    "input_peak",
    "input_rms",
    "left_peak",
    "left_rms",
    "right_peak",
    "right_rms",
    "max_output",
    "max_input",
    "settings_tag",  # the tag of the newest settings a block has used
    "settings_applied_at",  # time.monotonic() at the start of the first block that used them
    "probe_frames",  # frames the running probe has played
    # The howl guard's memory (audio.feedback_guard.REMEMBERED), carried over to a new engine.
    "howl_reduction_db",
    "howl_events",
    "last_howl_hz",
    "howl_last_bin",
    "howl_floor_db",
    "howl_loop_gain_db",
    "howl_db",
    "howl_confirmed",
)
STATUS = {name: i for i, name in enumerate(STATUS_FIELDS)}
METERS = slice(STATUS["input_peak"], STATUS["max_input"] + 1)
HOWL_MEMORY = slice(STATUS["howl_reduction_db"], STATUS["howl_confirmed"] + 1)
# Callback timing rows, when asked for: duration, and start after the input's capture time (µs).
TIMING_CHANNELS = 2

# Commands, parent to engine.
CONFIGURE = "configure"  # (tag, ListeningSettings)
METHOD = "method"  # (noise-reduction method name,)
DEVICES = "devices"  # (input spec, output spec)
TAP = "tap"  # (attached: bool,)
PROBE = "probe"  # (probe id, samples float32): play in place of the ears, record the microphone
ABORT_PROBE = "abort-probe"  # (probe id,)
ROOM = "room"  # (play id, samples, sample rate, device spec): play on another output
ROOM_STOP = "room-stop"  # (play id,)
LIST_DEVICES = "list-devices"  # (request id,)
STOP = "stop"  # ()

# Replies and events, engine to parent: ("event", EngineEvent) or ("reply", request id, payload).
EVENT, REPLY = "event", "reply"


@dataclass(frozen=True)
class EngineConfig:
    settings: ListeningSettings
    noise_reduction_method: str
    input_device: int | str | None = None
    output_device: int | str | None = None
    sample_rate: int = 48000
    block_size: int = 128
    source: Path | None = None  # a WAV file looped as the microphone; the ears go nowhere
    raise_priority: bool = True
    howl_memory: tuple[float, ...] | None = None  # from the engine this one replaces
    chain: str = "full"  # "none": a plain copy of input to output (the benchmark's floor)
    tap_from_start: bool = False  # queue every input block from the first (a reader will take them all)


@dataclass(frozen=True)
class SegmentNames:
    tap: str
    status: str
    speech: str
    timing: str | None


@dataclass(frozen=True)
class EngineEvent:
    """Something the app's record of the session may need: `kind` is one of started, state, howl,
    howl-released, xruns, restarted, probe, room-finished, priority, error."""

    kind: str
    message: str
    at: float  # time.time() when it happened
    data: dict[str, object] = field(default_factory=dict)

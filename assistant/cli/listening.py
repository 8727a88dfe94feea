"""`hark devices`, `hark listen`, `hark process`, `hark latency` and `hark feedback`: the listening
chain from the command line, live through the sound devices (in the audio engine's process, never
this one) or over a recording (`hark process`, here)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.cli.errors import CommandError
from assistant.cli.options import (
    add_block_argument,
    add_device_arguments,
    add_profile_arguments,
    add_settings_arguments,
    device_spec,
    listening_settings_for,
    noise_reduction_method_for,
)
from assistant.personalise.settings import load_profile

if TYPE_CHECKING:
    from audio.engine import AudioEngine
    from audio.engine_protocol import EngineEvent


def say_on_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def devices(args: argparse.Namespace) -> int:
    from audio.engine_devices import list_devices

    found = list_devices()
    if not found:
        print("No audio devices found. Plug in a headset or microphone, or check the sound settings.")
        return 1
    for direction, key in (("Input", "max_input_channels"), ("Output", "max_output_channels")):
        print(f"{direction} devices:")
        for device in found:
            if getattr(device, key) > 0:
                print("  " + device.describe())
    return 0


def _print_status(engine: AudioEngine, started: float) -> None:
    status = engine.status
    levels = engine.meters

    def db(value: float) -> str:
        return f"{max(value, -99.9):5.1f}"

    howl = f", howl guard -{status.howl_reduction_db:.0f} dB" if status.howl_reduction_db > 0.5 else ""
    print(
        f"{time.monotonic() - started:6.1f} s  {status.state:<11} in {db(levels.input_rms_dbfs)} dBFS "
        f"(peak {db(levels.input_peak_dbfs)})  left {db(levels.left_rms_dbfs)}  right {db(levels.right_rms_dbfs)} "
        f"dBFS  xruns {status.xruns}  tap drops {status.tap_drops}{howl}",
        flush=True,
    )
    if status.state not in ("running",):
        print(f"         {status.message}", flush=True)


def _warn_if_high_latency(engine: AudioEngine) -> None:
    from audio.devices import warn_if_high_latency

    name = engine.status.output_device
    for device in engine.list_devices():
        warning = warn_if_high_latency(device) if device.name == name and device.max_output_channels else None
        if warning:
            print(f"Warning: {warning}", file=sys.stderr)
            return


def listen(args: argparse.Namespace) -> int:
    from audio.engine import AudioEngine

    profile = load_profile(args, "listen")
    settings = listening_settings_for(args, profile)
    method = noise_reduction_method_for(args, profile)
    engine = AudioEngine(
        settings, method, device_spec(args.input), device_spec(args.output), args.rate, args.block
    )
    try:
        return _listen(engine, args)
    finally:
        # The engine fades the ears out; one stuck on a vanished device is ended after a few seconds.
        engine.release()


def _listen(engine: AudioEngine, args: argparse.Namespace) -> int:
    from audio.engine_startup import start_engine

    start_engine(engine, say_on_stderr)
    status = engine.status
    _warn_if_high_latency(engine)
    started = time.monotonic()
    last: object = None  # the newest engine event already looked at
    # The try starts before "Listening:" is printed: Ctrl+C pressed as soon as it shows can arrive
    # while print is still returning, and would otherwise skip "Stopping." and the summary.
    try:
        print(
            f"Listening: {status.input_device} -> {status.output_device} at {args.rate} Hz, blocks of "
            f"{args.block}; processing latency {engine.chain_latency_ms:.2f} ms, device latency (reported) "
            f"{1000 * status.stream_latency_s[0]:.1f} ms in / {1000 * status.stream_latency_s[1]:.1f} ms out. "
            f"Output ceiling {engine.settings.max_output_dbfs:g} dBFS. Ctrl+C stops.",
            flush=True,
        )
        while args.seconds is None or time.monotonic() - started < args.seconds:
            remaining = 1.0 if args.seconds is None else args.seconds - (time.monotonic() - started)
            time.sleep(max(0.0, min(1.0, remaining)))
            _print_status(engine, started)
            events = engine.events()
            for event in _after(events, last):
                _print_event(event)
            last = events[-1] if events else last
    except KeyboardInterrupt:
        print("Stopping.", flush=True)
    final = engine.status
    if final.state == "disappeared":
        print(f"Stopped: {final.message}", flush=True)
        return 1
    print(
        f"Stopped after {time.monotonic() - started:.1f} s: {final.xruns} xruns, {final.tap_drops} tap drops, "
        f"{final.callback_errors} callback errors, {final.recoveries} device recoveries."
    )
    return 0


def _after(events: list[EngineEvent], last: object) -> list[EngineEvent]:
    """The events newer than `last` (the engine keeps the newest thousand, so look it up by identity)."""
    for i in range(len(events) - 1, -1, -1):
        if events[i] is last:
            return events[i + 1 :]
    return events


def _print_event(event: EngineEvent) -> None:
    if event.kind == "howl":
        hz = event.data.get("hz", 0.0)
        hz = hz if isinstance(hz, float) else 0.0
        print(
            f"         Howl detected at {hz:.0f} Hz: gain pulled down. Move the microphone "
            "away from the headphones or lower the volume; `hark feedback` checks the new placement.",
            flush=True,
        )
    elif event.kind in ("restarted", "error"):
        print(f"         {event.message}", flush=True)


def latency(args: argparse.Namespace) -> int:
    from audio.latency import measure_loopback

    if args.rate <= 0:
        raise CommandError("The sample rate must be positive.")
    result = measure_loopback(
        device_spec(args.input), device_spec(args.output), args.rate, args.block, on_first_run=say_on_stderr
    )
    print(
        f"Mic-to-ear latency: {result.mic_to_ear_ms:.2f} ms ({result.mic_to_ear_samples} samples at "
        f"{result.sample_rate} Hz) = device round trip {result.round_trip_ms:.2f} ms + processing "
        f"{result.chain_latency_ms:.2f} ms.\nHow: {result.method}. Probe match {result.match:.2f}; "
        f"PortAudio reports {result.stream_latency_ms[0]:.1f} ms in / {result.stream_latency_ms[1]:.1f} ms out."
    )
    if getattr(args, "json", False):
        print(json.dumps(result.as_dict(), indent=2))
    return 0


def feedback(args: argparse.Namespace) -> int:
    from audio.feedback_check import QUIET_S, SWEEP_S, check_feedback

    profile = load_profile(args, "feedback check")
    settings = listening_settings_for(args, profile)
    print(
        f"Checking for feedback: {QUIET_S:g} s of quiet, then a rising tone of {SWEEP_S:g} s in the headphones. "
        "Put the headphones on and the microphone where it will be.",
        flush=True,
    )
    result = check_feedback(
        device_spec(args.input), device_spec(args.output), args.rate, args.block, settings,
        noise_reduction_method=noise_reduction_method_for(args, profile), on_first_run=say_on_stderr,
    )  # fmt: skip
    print(result.advice)
    if result.leak_db is not None:
        print(
            f"Leak from the headphones into the microphone: strongest {result.strongest_leak_db:.1f} dB at "
            f"{result.strongest_leak_hz:.0f} Hz. Loop gain with these settings: {result.loop_gain_db:+.1f} dB at "
            f"{result.worst_hz:.0f} Hz (leak {result.leak_db:.1f} dB + chain up to {result.chain_gain_db:.1f} dB)."
        )
    for hz, leak, loop in result.bands:
        print(f"  {hz:5.0f} Hz band: leak {leak:6.1f} dB, loop gain {loop:+6.1f} dB")
    print(f"How: {result.method}.")
    if args.report:
        report = Path(args.report)
        try:
            report.write_text(json.dumps(result.as_dict(), indent=2) + "\n", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write the report {report}: {error.strerror or error}.") from None
    return {"whistles": 3, "close": 4, "unsure": 5}.get(result.verdict, 0)


def process(args: argparse.Namespace) -> int:
    from audio.offline import process_file

    profile = load_profile(args, "process")
    settings = listening_settings_for(args, profile)
    result = process_file(
        Path(args.input), Path(args.output), settings, args.block, noise_reduction_method_for(args, profile)
    )
    report = result.report
    if args.report:
        report_path = Path(args.report)
        try:
            report_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write the report {report_path}: {error.strerror or error}.") from None
    print(
        f"Processed {report['frames']} samples at {report['sample_rate']} Hz in {report['blocks']} blocks of "
        f"{report['block_size']}: latency {report['algorithmic_latency_ms']} ms "
        f"({report['algorithmic_latency_samples']} samples), took {share_of_real_time(report['realtime_factor'])} "
        f"of real time, peak output {report['peak_output_dbfs']} dBFS -> {report['output']}"
    )
    method_note = method_substituted(report)
    if method_note:
        print(f"hark process: {method_note}", file=sys.stderr)
    return 0


def share_of_real_time(realtime_factor: float) -> str:
    """0.04367 -> "4 %": how much of the recording's own duration processing took (the JSON report keeps
    the precise factor)."""
    percent = 100.0 * realtime_factor
    return f"{percent:.0f} %" if percent >= 1.0 else f"{percent:.1g} %"


def method_substituted(report: dict[str, object]) -> str | None:
    """A sentence when the chain ran another noise reduction than the one asked for (the learned and
    RNNoise methods need 48 kHz; at other rates the chain uses the classic one), else None."""
    used = report.get("noise_reduction_method")
    requested = report.get("noise_reduction_method_requested", used)
    if requested == used:
        return None
    return f"{requested} noise reduction needs 48 kHz; this {report['sample_rate']} Hz file used {used}."


def add_commands(commands: argparse._SubParsersAction) -> None:
    devices_parser = commands.add_parser("devices", help="list audio input and output devices")
    devices_parser.set_defaults(run=devices)

    listen_parser = commands.add_parser("listen", help="live listening: microphone to headphones")
    add_device_arguments(listen_parser)
    listen_parser.add_argument(
        "--seconds", type=float, help="stop after this many seconds (default: until Ctrl+C)"
    )
    add_settings_arguments(listen_parser, with_preset=False)
    add_profile_arguments(listen_parser)
    listen_parser.set_defaults(run=listen)

    process_parser = commands.add_parser("process", help="run the listening chain over a WAV file")
    process_parser.add_argument("input", metavar="IN.wav")
    process_parser.add_argument("output", metavar="OUT.wav")
    add_block_argument(process_parser)
    process_parser.add_argument("--report", metavar="PATH.json", help="write a JSON report here")
    add_settings_arguments(process_parser, with_preset=True)
    add_profile_arguments(process_parser)
    process_parser.set_defaults(run=process)

    latency_parser = commands.add_parser("latency", help="measure mic-to-ear latency through a loopback")
    add_device_arguments(latency_parser, say_defaults=False, list_rates=False)
    latency_parser.set_defaults(run=latency)

    feedback_parser = commands.add_parser(
        "feedback",
        help="before listening: check whether the headphones' sound would whistle through the microphone",
    )
    add_device_arguments(feedback_parser, list_rates=False)
    feedback_parser.add_argument("--report", metavar="PATH.json", help="write the measurement here as JSON")
    add_settings_arguments(feedback_parser, with_preset=False)
    add_profile_arguments(feedback_parser)
    feedback_parser.set_defaults(run=feedback)

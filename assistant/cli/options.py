"""The flags several commands share, each defined once: devices, rate and block size; the listening
settings; the communication profile and its store."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from assistant.captions.engines import ENGINES
from assistant.personalise.settings import Profile, keep_ceiling, listening_settings, profile_view
from assistant.personalise.store import USER_ENV
from audio.noise_reduction import DEFAULT_METHOD, METHODS
from audio.settings import TONE_PRESETS, CompressionSettings, ListeningSettings, tone_preset
from profiles.store import STORE_ENV, default_store_path


def device_spec(value: str | None) -> int | str | None:
    """A --input/--output value as the audio package takes it: a device index or a name."""
    if value is None:
        return None
    return int(value) if value.strip().isdigit() else value


def add_device_arguments(
    parser: argparse.ArgumentParser, *, say_defaults: bool = True, list_rates: bool = True
) -> None:
    """--input, --output, --rate and --block. `say_defaults` and `list_rates` keep each command's
    help as it was: `hark latency` names no default device, only listen and captions list the rates."""
    default = " (default: system default)" if say_defaults else ""
    parser.add_argument("--input", metavar="DEV", help=f"input device name or index{default}")
    parser.add_argument("--output", metavar="DEV", help=f"output device name or index{default}")
    parser.add_argument(
        "--rate",
        type=int,
        default=48000,
        help="sample rate: 16000, 22050, 44100 or 48000 (default)"
        if list_rates
        else "sample rate (default 48000)",
    )
    add_block_argument(parser)


def add_block_argument(
    parser: argparse.ArgumentParser, help: str = "block size in samples (default 128)"
) -> None:
    parser.add_argument("--block", type=int, default=128, help=help)


def add_recogniser_arguments(parser: argparse.ArgumentParser) -> None:
    """--engine, --model and --language: which speech recogniser makes the captions."""
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        help="recogniser (default: Vosk if a model is installed, else pocketsphinx)",
    )
    parser.add_argument("--model", metavar="NAME_OR_PATH", help="Vosk model: installed name or folder")
    parser.add_argument(
        "--language", default="en", help="language of the installed model to use (default en)"
    )


def add_profile_arguments(parser: argparse.ArgumentParser) -> None:
    """--profile, --store and --as: whose communication profile to apply, from which store, and who
    is asking (for the store's audit log). assistant/personalise/settings.py `load_profile` reads them."""
    group = parser.add_argument_group("communication profile")
    group.add_argument(
        "--profile",
        metavar="ID",
        help="apply this person's communication profile "
        "(their settings; flags given here change them for this run only)",
    )
    add_store_arguments(group)


def add_store_arguments(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup, default: Any = None
) -> None:
    """--store and --as: which profile store, and who is asking (for its audit log)."""
    parser.add_argument(
        "--store",
        metavar="PATH",
        default=default,
        help=f"the profile store (default: ${STORE_ENV}, else {default_store_path()})",
    )
    parser.add_argument(
        "--as",
        dest="as_name",
        metavar="NAME",
        default=default,
        help=f"your name in the store's audit log (default: ${USER_ENV}, else your login name)",
    )


def add_settings_arguments(parser: argparse.ArgumentParser, *, with_preset: bool) -> None:
    group = parser.add_argument_group("listening settings")
    if with_preset:
        group.add_argument(
            "--preset",
            choices=("default", "neutral"),
            default="default",
            help="neutral: no gain, flat tone, no compression, no feedback guard; only noise reduction "
            "(default strength 1.0) and a 0 dBFS limiter, to measure noise reduction alone",
        )
    group.add_argument("--gain-db", type=float, help="master gain in dB (default 10)")
    group.add_argument(
        "--noise-reduction",
        type=float,
        metavar="S",
        help="noise reduction strength 0..1 (0 turns it off; default 0.7)",
    )
    group.add_argument(
        "--noise-reduction-method",
        choices=tuple(METHODS),
        help=f"the profile's method, else {DEFAULT_METHOD}; learned: a small trained network joined with the classic "
        "estimate, better on doors and talkers, 48 kHz only (classic at other rates); rnnoise-assisted: "
        "RNNoise side-chain gains, about 3x the CPU, 48 kHz only",
    )
    group.add_argument(
        "--highpass-hz", type=float, help="high-pass cut-off for rumble, 20..500 Hz (default 100)"
    )
    group.add_argument(
        "--max-output-dbfs", type=float, help="hard output ceiling in dBFS, at most 0 (default -6)"
    )
    group.add_argument("--left-gain-db", type=float, help="extra gain for the left ear in dB")
    group.add_argument("--right-gain-db", type=float, help="extra gain for the right ear in dB")
    presets = ", ".join(TONE_PRESETS)
    group.add_argument("--tone", metavar="PRESET", help=f"tone for both ears: {presets}")
    group.add_argument("--left-tone", metavar="PRESET", help="tone for the left ear only")
    group.add_argument("--right-tone", metavar="PRESET", help="tone for the right ear only")
    group.add_argument("--compression", choices=("on", "off"), help="wide-dynamic-range compression")
    group.add_argument("--feedback-guard", choices=("on", "off"), help="howl guard (default on)")


def settings_from_arguments(
    args: argparse.Namespace, base: ListeningSettings | None = None
) -> ListeningSettings:
    """Build validated settings from `base` (a person's profile; else the defaults or the preset)
    changed by the flags given; raises AudioError with a clear sentence for bad values."""
    if base is None:
        neutral = getattr(args, "preset", "default") == "neutral"
        base = ListeningSettings.neutral() if neutral else ListeningSettings()
    changes: dict[str, object] = {}
    if args.gain_db is not None:
        changes["gain_db"] = args.gain_db
    if args.noise_reduction is not None:
        changes["noise_reduction"] = args.noise_reduction
        changes["noise_reduction_enabled"] = args.noise_reduction > 0
    if args.highpass_hz is not None:
        changes["highpass_hz"] = args.highpass_hz
        changes["highpass_enabled"] = True
    if args.max_output_dbfs is not None:
        changes["max_output_dbfs"] = args.max_output_dbfs
    if args.left_gain_db is not None:
        changes["left_gain_db"] = args.left_gain_db
    if args.right_gain_db is not None:
        changes["right_gain_db"] = args.right_gain_db
    if args.tone is not None:
        changes["left_tone_db"] = changes["right_tone_db"] = tone_preset(args.tone)
        changes["tone_enabled"] = True
    if args.left_tone is not None:
        changes["left_tone_db"] = tone_preset(args.left_tone)
        changes["tone_enabled"] = True
    if args.right_tone is not None:
        changes["right_tone_db"] = tone_preset(args.right_tone)
        changes["tone_enabled"] = True
    if args.compression is not None:
        changes["compression"] = dataclasses.replace(
            base.compression if args.compression == "on" else CompressionSettings(),
            enabled=args.compression == "on",
        )
    if args.feedback_guard is not None:
        changes["feedback_guard_enabled"] = args.feedback_guard == "on"
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def noise_reduction_method_for(args: argparse.Namespace, profile: Profile | None) -> str:
    """--noise-reduction-method when given, else the profile's, else the default."""
    if args.noise_reduction_method is not None:
        return str(args.noise_reduction_method)
    return profile_view(profile).listening.noise_reduction_method if profile is not None else DEFAULT_METHOD


def listening_settings_for(args: argparse.Namespace, profile: Profile | None) -> ListeningSettings:
    """Settings for `hark listen`/`process`/`feedback`/`captions`: the profile's (if any) changed by the
    flags, never above the person's own output ceiling."""
    if profile is None:
        return settings_from_arguments(args)
    base = listening_settings(profile)
    return keep_ceiling(base, settings_from_arguments(args, base))

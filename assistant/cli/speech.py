"""`hark speak TEXT` and `hark voices`: speech output from the command line.

`hark speak` plays to the default output device unless told otherwise; `--out FILE.wav`
saves instead (or as well, with `--device`). Each command prints its errors as one line
on stderr with exit status 2. Progress goes to stderr; `hark voices` lists on stdout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from assistant.cli.options import add_profile_arguments
from assistant.personalise.settings import load_profile, speech_preferences
from assistant.speech.errors import SpeechError
from assistant.speech.service import SpeechService, Ticket, TicketState
from assistant.speech.sinks import DeviceSink, FileSink, Sink
from assistant.speech.synthesis import (
    DEFAULT_RATE_WPM,
    RATE_MAX_WPM,
    RATE_MIN_WPM,
    Synthesiser,
    check_settings,
)
from assistant.speech.text import max_chars_for_rate, script_languages, split_utterances
from assistant.speech.voices import Voice, find_voice, voices_for_language


def _script_warning(text: str, voice: Voice) -> str | None:
    wanted = script_languages(text)
    if not wanted or any(voice.languages and lang.split("-")[0] in wanted for lang in voice.languages):
        return None
    return (
        f"Note: this text is in a script the voice {voice.id} ({voice.name}) reads letter by letter. "
        f"For words, choose a voice for {', '.join(wanted)}: `hark voices --language {wanted[0]}`."
    )


def _device_sink(device: str | None) -> DeviceSink:
    sink = DeviceSink(device)
    try:
        sink.check()
    except SpeechError as error:
        raise SpeechError(f"Cannot play the speech: {error} Or save it with --out FILE.wav.") from None
    return sink


def _apply_profile(args: argparse.Namespace, profile: dict[str, Any] | None) -> None:
    """Voice, rate and volume from the profile (flags given win), else the defaults."""
    preferences = speech_preferences(profile) if profile else None
    if args.voice is None and preferences:
        args.voice = preferences.voice
    if args.rate is None:
        args.rate = preferences.rate_wpm if preferences else DEFAULT_RATE_WPM
    if args.volume is None:
        args.volume = preferences.volume if preferences else 1.0


def speak(args: argparse.Namespace) -> int:
    return speak_with_profile(args, load_profile(args, "speak"))


def speak_with_profile(args: argparse.Namespace, profile: dict[str, Any] | None) -> int:
    """`hark speak` with the --profile already opened (`hark phrases say` opens it once for both)."""
    text = sys.stdin.read() if args.text == "-" else args.text
    _apply_profile(args, profile)
    check_settings(args.rate, args.volume)
    parts = split_utterances(text, max_chars_for_rate(args.rate))  # empty text fails here, before any engine
    sinks: list[Sink] = []
    if args.out:
        sinks.append(FileSink(Path(args.out)))
    if args.device is not None or not args.out:
        sinks.append(_device_sink(args.device))
    with Synthesiser() as synthesiser:
        voice = find_voice(synthesiser.voices(), args.voice) if args.voice else None
        shown = voice or find_voice(synthesiser.voices(), synthesiser.default_voice())
        warning = _script_warning(text, shown)
        if warning:
            print(warning, file=sys.stderr)
        with SpeechService(sinks[0], synthesiser) as service:
            tickets: list[Ticket] = []
            try:
                for sink in sinks:
                    tickets.append(service.speak(text, shown.id, args.rate, args.volume, sink))
                for ticket in tickets:
                    ticket.wait()
            except KeyboardInterrupt:
                service.stop()
                return 130
    for ticket in tickets:
        if ticket.state is not TicketState.FINISHED:
            raise SpeechError(ticket.error or f"Speaking to {ticket.sink.label} was {ticket.state.value}.")
        seconds = sum(u.duration_s for u in ticket.spoken)
        print(
            f"Spoke {len(parts)} utterance(s), {seconds:.1f} s, voice {shown.id}, {args.rate} wpm, "
            f"volume {args.volume:g} -> {ticket.sink.label}",
            file=sys.stderr,
        )
    return 0


def voices(args: argparse.Namespace) -> int:
    with Synthesiser() as synthesiser:
        listed = synthesiser.voices()
        default = synthesiser.default_voice()
        driver = synthesiser.start().get("driver", "?")
    if args.language:
        listed = voices_for_language(listed, args.language)
        if not listed:
            raise SpeechError(
                f"No installed voice speaks '{args.language}'. Run `hark voices` for every voice "
                "and its languages (tags like en, en-gb, ar, he, ur)."
            )
    print(f"{'ID (for --voice)':<28} {'NAME':<40} LANGUAGES  GENDER")
    for voice in listed:
        mark = "  (default)" if voice.id == default else ""
        print(voice.describe() + mark)
    print(f"{len(listed)} voice(s) from the {driver} engine.", file=sys.stderr)
    return 0


def _rate(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"the rate is words per minute, a whole number from {RATE_MIN_WPM} to {RATE_MAX_WPM}; got {text!r}"
        ) from None


def _volume(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"the volume is a number from 0 to 1; got {text!r}") from None


def add_commands(subparsers: Any) -> None:
    parser = subparsers.add_parser("speak", help="say some text aloud, or save it as a WAV file")
    parser.add_argument(
        "text", metavar="TEXT", help="what to say (quote it); '-' reads it from standard input"
    )
    parser.add_argument("--voice", metavar="ID", help="voice id from `hark voices` (default: the engine's)")
    parser.add_argument(
        "--rate",
        type=_rate,
        metavar="WPM",
        help=f"words per minute, {RATE_MIN_WPM} to {RATE_MAX_WPM} (default {DEFAULT_RATE_WPM}, "
        "or the profile's)",
    )
    parser.add_argument("--volume", type=_volume, metavar="0..1", help="volume (default 1, or the profile's)")
    parser.add_argument("--out", metavar="FILE.wav", help="save to this WAV file instead of playing")
    parser.add_argument(
        "--device",
        metavar="DEV",
        help="play on this output device, name or number from `hark devices` (default: the "
        "default output device; with --out, play as well as save)",
    )
    add_profile_arguments(parser)
    parser.set_defaults(run=speak)

    listing = subparsers.add_parser("voices", help="list the installed speech voices and their languages")
    listing.add_argument("--language", metavar="TAG", help="only voices for this language, e.g. en, ar, he")
    listing.set_defaults(run=voices)

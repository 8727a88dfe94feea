"""The `hark` command line.

Every failure the user can fix is an `AudioError` (or `HarkError`) whose message
says what was wrong and what is allowed; it is printed as one line and the
command exits with status 2. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.cli import captions as window_commands
from assistant.cli import listening as listening_commands
from assistant.cli import models as model_commands
from assistant.cli import phrases as phrase_commands
from assistant.cli import profiles as profile_commands
from assistant.cli import speech as speech_commands
from assistant.cli import transcribe as caption_commands
from assistant.cli.options import add_settings_arguments
from assistant.personalise.settings import add_profile_arguments, listening_settings_for, load_profile
from assistant.personalise.errors import ProfileUseError
from assistant.speech.errors import SpeechError
from audio.errors import AudioError
from profiles.errors import ProfileError


def _process(args: argparse.Namespace) -> int:
    from audio.offline import process_file

    settings = listening_settings_for(args, load_profile(args, "process"))
    result = process_file(
        Path(args.input), Path(args.output), settings, args.block, args.noise_reduction_method
    )
    report = result.report
    if args.report:
        report_path = Path(args.report)
        try:
            report_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        except OSError as error:
            raise AudioError(f"Cannot write the report {report_path}: {error.strerror or error}.") from None
    print(
        f"Processed {report['frames']} samples at {report['sample_rate']} Hz in {report['blocks']} blocks of "
        f"{report['block_size']}: latency {report['algorithmic_latency_ms']} ms "
        f"({report['algorithmic_latency_samples']} samples), real-time factor {report['realtime_factor']}, "
        f"peak output {report['peak_output_dbfs']} dBFS -> {report['output']}"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hark",
        description="Hark: offline listening support for conversations with people who are deaf or hard of hearing.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    devices = commands.add_parser("devices", help="list audio input and output devices")
    devices.set_defaults(run=listening_commands.devices)

    listen = commands.add_parser("listen", help="live listening: microphone to headphones")
    listen.add_argument("--input", metavar="DEV", help="input device name or index (default: system default)")
    listen.add_argument(
        "--output", metavar="DEV", help="output device name or index (default: system default)"
    )
    listen.add_argument(
        "--rate", type=int, default=48000, help="sample rate: 16000, 22050, 44100 or 48000 (default)"
    )
    listen.add_argument("--block", type=int, default=128, help="block size in samples (default 128)")
    listen.add_argument("--seconds", type=float, help="stop after this many seconds (default: until Ctrl+C)")
    add_settings_arguments(listen, with_preset=False)
    add_profile_arguments(listen)
    listen.set_defaults(run=listening_commands.listen)

    process = commands.add_parser("process", help="run the listening chain over a WAV file")
    process.add_argument("input", metavar="IN.wav")
    process.add_argument("output", metavar="OUT.wav")
    process.add_argument("--block", type=int, default=128, help="block size in samples (default 128)")
    process.add_argument("--report", metavar="PATH.json", help="write a JSON report here")
    add_settings_arguments(process, with_preset=True)
    add_profile_arguments(process)
    process.set_defaults(run=_process)

    latency = commands.add_parser("latency", help="measure mic-to-ear latency through a loopback")
    latency.add_argument("--input", metavar="DEV", help="input device name or index")
    latency.add_argument("--output", metavar="DEV", help="output device name or index")
    latency.add_argument("--rate", type=int, default=48000, help="sample rate (default 48000)")
    latency.add_argument("--block", type=int, default=128, help="block size in samples (default 128)")
    latency.set_defaults(run=listening_commands.latency)

    feedback = commands.add_parser(
        "feedback",
        help="before listening: check whether the headphones' sound would whistle through the microphone",
    )
    feedback.add_argument(
        "--input", metavar="DEV", help="input device name or index (default: system default)"
    )
    feedback.add_argument(
        "--output", metavar="DEV", help="output device name or index (default: system default)"
    )
    feedback.add_argument("--rate", type=int, default=48000, help="sample rate (default 48000)")
    feedback.add_argument("--block", type=int, default=128, help="block size in samples (default 128)")
    feedback.add_argument("--report", metavar="PATH.json", help="write the measurement here as JSON")
    add_settings_arguments(feedback, with_preset=False)
    add_profile_arguments(feedback)
    feedback.set_defaults(run=listening_commands.feedback)

    caption_commands.add_commands(commands)
    window_commands.add_commands(commands)
    model_commands.add_commands(commands)
    profile_commands.add_commands(commands)
    phrase_commands.add_commands(commands)
    speech_commands.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(args.run(args))
    except (AudioError, ProfileError, ProfileUseError, SpeechError) as error:
        print(f"hark {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""`hark caption IN.wav`: captions for a recording, through exactly the live streaming path.

The file is read in 128-sample blocks at its own rate and pushed through the same
resampler, noise reducer and recogniser as the live tap. With `--format txt` stdout holds
only the recognised words, one segment per line; everything else goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from assistant.captions.engines import choose_recognizer
from assistant.captions.errors import CaptionError
from assistant.captions.live import feed_signal
from assistant.captions.resample import StreamingResampler
from assistant.captions.transcript import FORMATS, Transcript
from assistant.cli.options import add_block_argument, add_recogniser_arguments
from audio.errors import AudioError
from audio.processor import SUPPORTED_RATES


def read_recording(path: Path) -> tuple[Any, int]:
    """A mono float32 signal and its rate. Other rates than the listening ones are fine here:
    the resampler handles any rate (8 kHz telephone recordings, for example)."""
    import soundfile as sf

    from audio.offline import read_wav

    try:
        data, rate = read_wav(path)
    except AudioError:
        try:
            info = sf.info(str(path))
        except Exception:
            info = None
        if (
            info is None
            or info.format not in ("WAV", "WAVEX")
            or info.samplerate in SUPPORTED_RATES
            or info.frames == 0
        ):
            raise
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    return data.mean(axis=1).astype("float32"), int(rate)


def check_output(path: Path) -> None:
    """Before any recognition: --output must name a format Hark writes, in a folder that exists, so a
    long recording is not recognised only to fail at the end."""
    suffix = path.suffix.lstrip(".").lower()
    if suffix not in FORMATS:
        raise CaptionError(
            f"--output {path}: the transcript's format comes from the extension; use one of "
            f"{', '.join('.' + name for name in FORMATS)}."
        )
    if path.is_dir():
        raise CaptionError(f"--output {path} is a folder; give a file name such as transcript.{suffix}.")
    if not path.parent.is_dir():
        raise CaptionError(
            f"--output {path}: the folder {path.parent} does not exist; create it or choose another."
        )


def caption(args: argparse.Namespace) -> int:
    if args.output:
        check_output(Path(args.output))
    signal, rate = read_recording(Path(args.input))
    StreamingResampler(rate)  # validates the rate before a model loads
    model = Path(args.model) if args.model else None
    recognizer = choose_recognizer(args.engine, model, args.language, isolate=False)
    print(f"Captioning {args.input} with {recognizer.label}", file=sys.stderr)
    started = time.perf_counter()
    events, feed = feed_signal(signal, rate, recognizer, args.noise_reduction, args.block)
    transcript = Transcript()
    for event in events:
        transcript.add(event)
    if args.format == "txt":
        text = "".join(s.text + "\n" for s in transcript.segments)
    else:
        text = transcript.render(args.format)
    sys.stdout.write(text)
    sys.stdout.flush()
    if args.output:
        transcript.save(Path(args.output))
    print(
        f"{len(transcript.segments)} segments, {len(signal) / rate:.1f} s of audio in "
        f"{time.perf_counter() - started:.1f} s (real-time factor {feed.real_time_factor:.2f})",
        file=sys.stderr,
    )
    return 0


def _strength(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"noise reduction must be between 0 and 1, got {text}")
    return value


def add_commands(subparsers: Any) -> None:
    parser = subparsers.add_parser("caption", help="caption a WAV recording (prints the transcript)")
    parser.add_argument("input", metavar="IN.wav")
    add_recogniser_arguments(parser)
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="txt",
        help="txt: recognised words only, one segment per line (default); srt, vtt, json",
    )
    parser.add_argument(
        "--noise-reduction",
        type=_strength,
        default=0.0,
        metavar="S",
        help="noise reduction for recognition, 0 to 1 (default 0: off)",
    )
    add_block_argument(parser, help="block size in samples, as live (default 128)")
    parser.add_argument(
        "--output", metavar="PATH", help="also save the transcript (format from the extension)"
    )
    parser.set_defaults(run=caption)

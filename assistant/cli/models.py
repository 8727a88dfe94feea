"""`hark models list|install|verify|remove`: managing the offline speech models from the command line.

Each command catches ModelError itself and prints it as one line on stderr with exit
status 2, so the commands behave the same however the main parser dispatches them.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time

from assistant.speech_models import manage as models
from assistant.speech_models.errors import ModelError


def _mb(size_bytes: float | None) -> str:
    return "?" if size_bytes is None else f"{size_bytes / 1e6:,.0f} MB"


def _published_mb(value: float | None) -> str:
    return "?" if value is None else f"{value:,.0f} MB"


def list_models(args: argparse.Namespace) -> int:
    installed = {model.name: model for model in models.installed_models()}
    print(
        "Models you can install (sizes and error rates as published by the Vosk authors; lower WER is better):"
    )
    for entry in models.catalogue():
        mark = "installed" if entry.name in installed else ""
        accuracy = (
            ", ".join(f"{a.wer_percent:g}% WER {a.dataset}" for a in entry.accuracy) or "no published figures"
        )
        print(
            f"  {entry.name:<32} {entry.language:<6} download {_published_mb(entry.download_mb):>9}  "
            f"{entry.licence:<10} {mark}"
        )
        print(f"      {entry.recommendation}")
        print(f"      Accuracy: {accuracy}")
    print(f"\nInstalled in {models.models_dir()}:")
    if not installed:
        print("  none yet: install one with `hark models install NAME`")
    for model in installed.values():
        notes = [] if model.in_catalogue else ["not in the catalogue"]
        if not model.has_manifest:
            notes.append("no checksum record: reinstall with --from-file")
        suffix = f"  ({'; '.join(notes)})" if notes else ""
        print(f"  {model.name:<32} {model.language or '?':<6} on disk {_mb(model.size_bytes):>9}{suffix}")
    return 0


class _ProgressBar:
    """A one-line download bar on stderr, redrawn at most ten times a second."""

    def __init__(self, label: str) -> None:
        self.label, self.last = label, 0.0

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and done != total:
            return
        self.last = now
        if total:
            filled = int(30 * done / total)
            line = f"[{'#' * filled}{'.' * (30 - filled)}] {done / 1e6:7.1f} / {total / 1e6:.1f} MB"
        else:
            line = f"{done / 1e6:7.1f} MB"
        print(f"\r{self.label} {line}", end="", file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self.last:
            print(file=sys.stderr)


def install(args: argparse.Namespace) -> int:
    if args.from_file:
        model = models.install_from_file(args.from_file, args.name)
    else:
        if not args.model:
            raise ModelError("Say which model to install: `hark models install NAME` or `--from-file PATH`.")
        entry = next((e for e in models.catalogue() if e.name == args.model), None)
        url = args.url or (entry.url if entry else None)
        if url is None:
            close = difflib.get_close_matches(args.model, [e.name for e in models.catalogue()], n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise ModelError(
                f"{args.model} is not in the catalogue.{hint} `hark models list` shows the choices; "
                "for another model give --url or --from-file."
            )
        bar = _ProgressBar(f"Downloading {args.model}")
        try:
            model = models.install_from_url(
                url, args.name or args.model, bar, entry.sha256 if entry else None
            )
        finally:
            bar.finish()
    print(f"Installed {model.name} ({_mb(model.size_bytes)}) in {model.path}")
    return 0


def verify(args: argparse.Namespace) -> int:
    names = [args.model] if args.model else [model.name for model in models.installed_models()]
    if not names:
        print("No models are installed.")
        return 0
    failed = 0
    for name in names:
        result = models.verify(name)
        if result.ok:
            print(f"OK      {name}: {result.files_checked} files match the checksums recorded at install")
        else:
            failed += 1
            print(f"FAILED  {name}: {'; '.join(result.problems)}")
            print(f"        Fix: `hark models remove {name}` then install it again.")
    return 1 if failed else 0


def remove(args: argparse.Namespace) -> int:
    models.remove(args.model)
    print(f"Removed {args.model}")
    return 0


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `models` and its sub-commands; each sets `run` to a function(args) -> exit status."""
    parser = subparsers.add_parser("models", help="list, install, check and remove offline speech models")
    commands = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)

    listing = commands.add_parser("list", help="the catalogue and the installed models, with sizes")
    listing.set_defaults(run=list_models)

    adding = commands.add_parser("install", help="download a catalogue model, or install one from a file")
    adding.add_argument("model", nargs="?", metavar="NAME", help="a model name from `hark models list`")
    adding.add_argument(
        "--from-file", metavar="PATH", help="a model .zip or unpacked model folder (e.g. a USB stick)"
    )
    adding.add_argument("--name", help="install under this name instead")
    adding.add_argument("--url", help="download from this address instead of the catalogue's")
    adding.set_defaults(run=install)

    checking = commands.add_parser(
        "verify", help="re-check every file against the checksums recorded at install"
    )
    checking.add_argument("model", nargs="?", metavar="NAME", help="one model (default: all installed)")
    checking.set_defaults(run=verify)

    removing = commands.add_parser("remove", help="delete an installed model")
    removing.add_argument("model", metavar="NAME")
    removing.set_defaults(run=remove)

"""The `hark` command line: assembles the verbs' parsers (one module per verb group) and maps errors.

Every failure the user can fix raises its package's own error (AudioError, ProfileError, SpeechError,
ModelError, CaptionError, ConversationError, or CommandError for usage problems; `hark phrases` and `hark profiles`
print their own the same way), whose message says what was wrong and what is allowed; it is printed
as one line, `hark VERB: message`, and the command exits with status 2. Anything else is a bug and keeps its traceback.

The `hark` console script is ui/main.py, which passes the window side in as `desktop`; run as
`python -m assistant.cli.main`, every command works except the two that need a window.
"""

from __future__ import annotations

import argparse
import sys

from assistant.captions.errors import CaptionError
from assistant.cli import app as app_commands
from assistant.cli import captions as window_commands
from assistant.cli import listening as listening_commands
from assistant.cli import models as model_commands
from assistant.cli import phrases as phrase_commands
from assistant.cli import profiles as profile_commands
from assistant.cli import speech as speech_commands
from assistant.cli import transcribe as caption_commands
from assistant.cli.desktop import Desktop
from assistant.cli.errors import CommandError
from assistant.conversation.errors import ConversationError
from assistant.personalise.errors import ProfileUseError
from assistant.speech.errors import SpeechError
from assistant.speech_models.errors import ModelError
from audio.errors import AudioError
from profiles.errors import ProfileError

USER_ERRORS = (
    AudioError,
    ProfileError,
    SpeechError,
    ModelError,
    CaptionError,
    CommandError,
    ConversationError,
    ProfileUseError,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hark",
        description="Hark: offline listening support for conversations with people who are deaf or hard of "
        "hearing. It never uses the network, except `hark models install NAME`, which downloads only when "
        "asked. `hark` alone opens the assessor's app; `hark --demo FILE.wav` opens it with a recording as "
        "the microphone.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    listening_commands.add_commands(commands)
    caption_commands.add_commands(commands)
    window_commands.add_commands(commands)
    model_commands.add_commands(commands)
    profile_commands.add_commands(commands)
    phrase_commands.add_commands(commands)
    speech_commands.add_commands(commands)
    app_commands.add_commands(commands)
    return parser


def _verb(args: argparse.Namespace) -> str:
    """The command as typed, with its subcommand when it has one (`models install`)."""
    subcommand = getattr(args, f"{args.command}_command", None)
    return f"{args.command} {subcommand}" if subcommand else args.command


def main(argv: list[str] | None = None, desktop: Desktop | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    if desktop is not None and (not argv or argv[0] == "--demo"):
        argv = ["app", *argv]  # `hark` alone, or `hark --demo FILE.wav`: the app
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    args.desktop = desktop
    try:
        return int(args.run(args))
    except USER_ERRORS as error:
        print(f"hark {_verb(args)}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""`hark captions`: live listening with a large caption window for the person.

This module only reads the flags and prepares what the window needs (the person's profile,
the caption style, the listening settings, the phrase library and favourites), then asks the
desktop (assistant/cli/desktop.py; the window itself is ui/captions_app.py) to run it. The stream,
recogniser and caption worker are assistant/captions/session.py.

When something is missing the window still opens and says so, rather than a terminal error
nobody in the room sees: no microphone or headphones, no speech model. Only wrong flags (a bad
colour scheme, a screen that does not exist, a transcript path that is taken) stop before the
window opens, as errors on the terminal where they were typed.

The assessor's keys (ui/desk_controls.py): Ctrl+P quick phrases, Ctrl+T type to say, Ctrl+R
the person types a reply, Ctrl+F check for whistling. Closing the window (or Ctrl+C in the
terminal) stops everything, then saves the conversation to --transcript only when allowed (see
assistant/conversation/transcript_file.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from assistant.captions.style import SCHEMES, CaptionStyle
from assistant.cli.desktop import CaptionsRun, needs_desktop
from assistant.cli.options import (
    add_device_arguments,
    add_profile_arguments,
    add_recogniser_arguments,
    add_settings_arguments,
    device_spec,
    listening_settings_for,
    noise_reduction_method_for,
)
from assistant.personalise.settings import Profile


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "captions",
        help="live listening with a large caption window",
        description="Listen through the headphones and show what is said in a large, high-contrast window. "
        "Keys: F11 full screen, Esc leave full screen, + and - text size, Space pause or carry on; "
        "Ctrl+P quick phrases, Ctrl+T type to say, Ctrl+R the person types a reply, Ctrl+F check for whistling.",
    )
    add_device_arguments(parser)
    add_recogniser_arguments(parser)
    style = parser.add_argument_group("caption window")
    style.add_argument(
        "--font-pt", type=int, metavar="N", help="caption text size, 20..160 (default 48, or the profile's)"
    )
    style.add_argument(
        "--scheme", choices=tuple(SCHEMES), help="colours (default white-on-black, or the profile's)"
    )
    style.add_argument(
        "--lines", type=int, metavar="N", help="lines shown, 2..10 (default 4, or the profile's)"
    )
    style.add_argument(
        "--upper-case", action="store_true", default=None, help="show captions in capital letters"
    )
    style.add_argument(
        "--profanity-filter", action="store_true", default=None, help="mask strong swear words"
    )
    style.add_argument("--fullscreen", action="store_true", help="start full screen (F11 switches)")
    style.add_argument("--screen", type=int, metavar="N", help="show on screen N (0 is the first)")
    talk = parser.add_argument_group("conversation")
    talk.add_argument(
        "--room-output",
        metavar="DEV",
        help="the room speaker, where the person's typed replies "
        "are read out (never their headphones); needed for 'Read it out to me'",
    )
    talk.add_argument("--assessor", metavar="NAME", help="your name, for phrases such as 'My name is ...'")
    talk.add_argument(
        "--person",
        metavar="NAME",
        help="the name the person likes to be called (default: the profile's preferred name)",
    )
    talk.add_argument(
        "--decision", metavar="TEXT", help="the decision in a few plain words, for phrases about it"
    )
    talk.add_argument(
        "--transcript",
        metavar="PATH",
        type=Path,
        help="save the conversation as text here when "
        "the window closes (with --profile only if the person agreed to keeping transcripts)",
    )
    add_settings_arguments(parser, with_preset=False)
    add_profile_arguments(parser)
    parser.set_defaults(run=captions)


def style_from_arguments(args: argparse.Namespace, base: CaptionStyle | None = None) -> CaptionStyle:
    """`base` (the person's profile, else the defaults) changed by the style flags given; a bad value
    raises CaptionStyleError (a CaptionError) naming the setting and what is allowed."""
    given = {
        name: getattr(args, name)
        for name in ("font_pt", "scheme", "lines", "upper_case", "profanity_filter")
        if getattr(args, name) is not None
    }
    return dataclasses.replace(base or CaptionStyle(), **given)


def session_options(args: argparse.Namespace, profile: Profile | None) -> Any:
    """The session's devices, rate and recogniser from the flags (the noise-reduction method from
    the profile when the flag is not given)."""
    from assistant.captions.session import SessionOptions

    return SessionOptions(
        input=device_spec(args.input),
        output=device_spec(args.output),
        rate=args.rate,
        block=args.block,
        noise_reduction_method=noise_reduction_method_for(args, profile),
        engine=args.engine,
        model=Path(args.model) if args.model else None,
        language=args.language,
        room_output=device_spec(args.room_output),
    )


def captions(args: argparse.Namespace) -> int:
    from assistant.captions.session import CaptionSession
    from assistant.conversation.desk_actions import DeskActions, favourites_for, phrase_fields
    from assistant.conversation.phrase_files import load_library
    from assistant.conversation.transcript_file import check_transcript_path, save_transcript
    from assistant.personalise.settings import (
        caption_style,
        load_profile,
        speech_preferences,
    )

    desktop = getattr(args, "desktop", None)
    if desktop is None:
        raise needs_desktop("The caption window")
    if args.transcript is not None:
        check_transcript_path(args.transcript)
    profile = load_profile(args, "captions")
    options = session_options(args, profile)
    if options.room_output is not None:
        from assistant.speech.sinks import DeviceSink

        DeviceSink(options.room_output).check()  # a wrong --room-output stops here, not mid-session
    style = style_from_arguments(args, caption_style(profile) if profile else None)
    settings = listening_settings_for(args, profile)
    library = load_library()
    favourites, warning = favourites_for(profile)
    for problem in (library.warning, warning):
        if problem:
            print(problem, file=sys.stderr)
    preferences = speech_preferences(profile) if profile else None

    def desk(session: CaptionSession) -> DeskActions:
        return DeskActions(
            session.make_desk(preferences), library.library, favourites, phrase_fields(args, profile)
        )

    def finish(session: CaptionSession) -> None:
        print(save_transcript(session.conversation, args.transcript, profile), file=sys.stderr)

    return int(
        desktop.run_captions(
            CaptionsRun(
                style=style,
                screen=args.screen,
                fullscreen=args.fullscreen,
                session=lambda bridge: CaptionSession(options, settings, bridge),
                desk=desk,
                finish=finish,
            )
        )
    )

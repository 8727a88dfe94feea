"""`hark app`: the assessor's window for one session: the listening panel and the record of
practicable steps. With --demo a recording loops as the microphone, so it runs without hardware."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from assistant.cli.desktop import AppRun, needs_desktop
from assistant.cli.errors import CommandError
from assistant.cli.options import (
    add_device_arguments,
    add_profile_arguments,
    add_settings_arguments,
    device_spec,
    listening_settings_for,
    noise_reduction_method_for,
)


def add_commands(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "app", help="the assessor's window: listening controls and the record of practicable steps"
    )
    add_device_arguments(parser)
    parser.add_argument(
        "--demo", metavar="FILE.wav", help="loop this recording as the microphone; the ears go nowhere"
    )
    add_settings_arguments(parser, with_preset=False)
    add_profile_arguments(parser)
    parser.set_defaults(run=app)


def app(args: argparse.Namespace) -> int:
    from assistant.assessment.record import SessionRecord
    from assistant.personalise.settings import profile_view
    from assistant.personalise.store import user_name

    desktop = getattr(args, "desktop", None)
    if desktop is None:
        raise needs_desktop("The assessor's window")
    demo = _demo_file(args.demo)
    store, profile = _open_person(args)
    view = profile_view(profile) if profile is not None else None
    settings = listening_settings_for(args, profile)
    method = noise_reduction_method_for(args, profile)

    def engine(on_event: Any) -> Any:
        from audio.engine import AudioEngine

        return AudioEngine(
            settings, method, device_spec(args.input), device_spec(args.output), args.rate, args.block,
            source=demo, on_event=on_event,
        )  # fmt: skip

    record = SessionRecord(view.id if view else None, keep_words=bool(view and view.keep_transcripts))
    assessor = user_name(args.as_name)
    # Without a profile the tone is Hark's default, the flat preset; a profile's bands may have no name.
    preset = view.listening.tone_preset if view else "flat"
    run = AppRun(
        engine, record, view.preferred_name if view else None, preset, assessor, demo is not None, store
    )
    try:
        return int(desktop.run_app(run))
    finally:
        if store is not None:
            store.close()


def _open_person(args: argparse.Namespace) -> tuple[Any, dict[str, Any] | None]:
    """With --profile: the store, kept open for the session's record, and the person's profile."""
    if not args.profile:
        return None, None
    from assistant.personalise.errors import ProfileUseError
    from assistant.personalise.store import open_store
    from profiles.errors import ProfileError

    try:
        store = open_store(args.store, args.as_name)
    except (ProfileError, ProfileUseError) as error:
        raise ProfileUseError(f"Cannot use profile {args.profile}: {error}") from None
    try:
        return store, store.view(args.profile, action="view", purpose="assessment")
    except ProfileError as error:
        store.close()
        raise ProfileUseError(f"Cannot use profile {args.profile}: {error}") from None


def _demo_file(value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    if not path.is_file():
        raise CommandError(f"There is no recording at {path}; give a WAV file to --demo.")
    if path.suffix.lower() != ".wav":
        raise CommandError(f"{path} is not a WAV file; --demo plays WAV recordings (convert it first).")
    return path

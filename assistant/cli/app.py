"""`hark app` (and `hark` alone): the assessor's app. It opens on the people in the profile store and
a quick session; with --profile ID it goes straight into a session with that person. With --demo a
recording loops as the microphone, so it runs without hardware."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from assistant.app_settings import AppSettings
from assistant.cli.desktop import AppRun, HomeRun, needs_desktop
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
        "app",
        help="the assessor's app (also `hark` alone): people, listening, captions, conversation and the "
        "record of practicable steps",
    )
    add_device_arguments(parser)
    parser.add_argument(
        "--demo", metavar="FILE.wav", help="loop this recording as the microphone; the ears go nowhere"
    )
    parser.add_argument(
        "--quick", action="store_true", help="start a quick session (no profile) at once, without the home"
    )
    add_settings_arguments(parser, with_preset=False)
    add_profile_arguments(parser)
    parser.set_defaults(run=app)


def app(args: argparse.Namespace) -> int:
    desktop = getattr(args, "desktop", None)
    if desktop is None:
        raise needs_desktop("The assessor's app")
    if args.quick and args.profile:
        raise CommandError("--quick is a session with nobody's profile; leave out --profile or --quick.")
    run = home_run(args)
    if args.quick:
        return int(desktop.run_app(run.session(None, None)))
    if not args.profile:
        return int(desktop.run_home(run))
    store, profile = _open_person(args)
    try:
        return int(desktop.run_app(run.session(profile, store)))
    finally:
        store.close()


def home_run(args: argparse.Namespace) -> HomeRun:
    """The app's home from `hark app`'s arguments: the store, the assessor, and how to start a session."""
    from assistant.personalise.store import store_path, user_name

    demo = _demo_file(args.demo)
    assessor = user_name(args.as_name)

    def session(profile: dict[str, Any] | None, store: Any, chosen: AppSettings | None = None) -> AppRun:
        return _session(args, demo, assessor, profile, store, chosen or AppSettings())

    return HomeRun(session, store_path(args.store), assessor, demo is not None)


def _session(
    args: argparse.Namespace,
    demo: Path | None,
    assessor: str,
    profile: dict[str, Any] | None,
    store: Any,
    chosen: AppSettings,
) -> AppRun:
    """One session with `profile` (None: a quick session): its settings are the profile's changed by
    the flags; the devices and a training recording are the flags', else those chosen in the app's
    Settings, else the system's defaults."""
    from assistant.assessment.record import SessionRecord
    from assistant.personalise.settings import profile_view

    view = profile_view(profile) if profile is not None else None
    settings = listening_settings_for(args, profile)
    method = noise_reduction_method_for(args, profile)
    given_input, given_output = device_spec(args.input), device_spec(args.output)
    input_device = given_input if given_input is not None else chosen.input_device
    output_device = given_output if given_output is not None else chosen.headphones_device
    if demo is None and chosen.demo_recording:
        demo = _demo_file(chosen.demo_recording)

    def engine(on_event: Any) -> Any:
        from audio.engine import AudioEngine

        return AudioEngine(
            settings, method, input_device, output_device, args.rate, args.block,
            source=demo, on_event=on_event,
        )  # fmt: skip

    record = SessionRecord(view.id if view else None, keep_words=bool(view and view.keep_transcripts))
    # Without a profile the tone is Hark's default, the flat preset; a profile's bands may have no name.
    preset = view.listening.tone_preset if view else "flat"
    return AppRun(
        engine, record, view.preferred_name if view else None, preset, assessor, demo is not None, store,
        profile, chosen.room_speaker_device,
    )  # fmt: skip


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

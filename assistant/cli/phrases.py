"""`hark phrases list|add|edit|remove|reset|favourites|say`: the quick-phrase library from the command line.

Edits start from the user's own library (or the built-in one when they have none) and save the
whole library atomically to their file. A user file that fails its checks is never edited or
overwritten: `list` falls back to the built-in phrases with a warning, and edits stop with the
reasons. Each command prints a PhraseError as one line on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from assistant.cli.options import add_profile_arguments
from assistant.conversation import plain_english
from assistant.conversation.errors import PhraseError
from assistant.conversation.favourites import (
    DEFAULT_PERSON,
    MAX_FAVOURITES,
    Favourites,
    FavouritesFile,
    ProfileFavourites,
    add_favourite,
    check_person_key,
    favourites_command,
    is_profile_key,
    remove_favourite,
)
from assistant.conversation.phrase_files import (
    load_for_editing,
    load_library,
    reset_library,
    save_library,
    user_library_path,
)
from assistant.conversation.phrases import FIELDS, GROUPS, SAMPLE_FIELDS, Phrase
from assistant.personalise.settings import load_profile


def _advise(phrase: Phrase) -> None:
    """Readability tips for a phrase someone wrote; advice only, the phrase is saved either way."""
    tips = plain_english.problems(phrase.render(**SAMPLE_FIELDS))
    if tips:
        print(
            f"Tip: {phrase.id} may be hard to follow for some people: {'; '.join(tips)}. "
            f"`hark phrases edit {phrase.id} TEXT` changes it.",
            file=sys.stderr,
        )


def list_phrases(args: argparse.Namespace) -> int:
    loaded = load_library()
    if loaded.warning:
        print(f"Warning: {loaded.warning}", file=sys.stderr)
    if loaded.source == "user":
        print(f"Your phrases, from {loaded.path} ({len(loaded.library)}):")
    else:
        print(
            f"The built-in phrases ({len(loaded.library)}). Edits are saved as your own copy in {loaded.path}."
        )
    groups = [args.group] if args.group else list(GROUPS)
    width = max((len(p.id) for p in loaded.library), default=0)
    for group in groups:
        print(f"\n{GROUPS[group]} ({group})")
        phrases = loaded.library.in_group(group)
        if not phrases:
            print("  none: add one with `hark phrases add --group " + group + " TEXT`")
        for phrase in phrases:
            print(f"  {phrase.id:<{width}}  {phrase.text}")
    return 0


def add_phrase(args: argparse.Namespace) -> int:
    library = load_for_editing()
    phrase = library.add(args.group, " ".join(args.text))
    path = save_library(library)
    print(f"Added {phrase.id}: {phrase.text}  (saved in {path})")
    _advise(phrase)
    return 0


def edit_phrase(args: argparse.Namespace) -> int:
    library = load_for_editing()
    old = library.get(args.id)
    phrase = library.edit(args.id, " ".join(args.text))
    path = save_library(library)
    print(f'Changed {phrase.id}: "{old.text}" is now "{phrase.text}"  (saved in {path})')
    _advise(phrase)
    return 0


def remove_phrase(args: argparse.Namespace) -> int:
    library = load_for_editing()
    phrase = library.remove(args.id)
    path = save_library(library)
    print(
        f"Removed {phrase.id}: {phrase.text}  (saved in {path}). "
        "Favourites that name it are kept but skipped."
    )
    return 0


def reset_phrases(args: argparse.Namespace) -> int:
    backup = reset_library()
    if backup is None:
        print(f"Already using the built-in phrases (there is no {user_library_path()}).")
    else:
        print(f"Back to the built-in phrases. Your phrases were kept in {backup}.")
    return 0


def _favourites_key(args: argparse.Namespace) -> str:
    """Whose favourites: --profile ID (a profile id), --list KEY (a list in the favourites file), or
    the old --person KEY, which still works for one release with a note on stderr."""
    if args.old_person is not None:
        print(
            "Note: `hark phrases favourites --person` is deprecated and will be removed in the next "
            "release. Use --profile ID for a person's profile, or --list KEY for a list in your "
            "favourites file; --person means the name spoken, as in `hark phrases say`.",
            file=sys.stderr,
        )
        return check_person_key(args.old_person)
    if args.profile is not None:
        if not is_profile_key(args.profile):
            raise PhraseError(
                f"{args.profile!r} is not a profile id (those start with prf_; `hark profiles list` "
                "shows them). For a list in your favourites file, use --list KEY."
            )
        return check_person_key(args.profile)
    key = check_person_key(args.list)
    if is_profile_key(key):
        raise PhraseError(f"{key} is a profile id: use --profile {key} for that person's favourites.")
    return key


def favourites(args: argparse.Namespace) -> int:
    person = _favourites_key(args)
    if is_profile_key(person):
        from assistant.personalise.store import open_store

        profile_store = open_store(args.store, args.as_name)
        try:
            return _favourites(args, person, ProfileFavourites(profile_store))
        finally:
            profile_store.close()
    return _favourites(args, person, FavouritesFile())


def _favourites(args: argparse.Namespace, person: str, store: Favourites) -> int:
    loaded = load_library()
    if loaded.warning:
        print(f"Warning: {loaded.warning}", file=sys.stderr)
    library = loaded.library
    if args.add:
        phrase = library.get(args.add)  # only phrases that exist can become favourites
        if add_favourite(store, person, phrase.id):
            print(f"Added {phrase.id} to {person}'s favourites.")
        else:
            print(f"{phrase.id} is already one of {person}'s favourites.")
    elif args.remove:
        remove_favourite(store, person, args.remove)
        print(f"Removed {args.remove} from {person}'s favourites.")
    ids = store.get(person)
    print(f"Favourite phrases for {person} ({len(ids)} of at most {MAX_FAVOURITES}):")
    if not ids:
        print(f"  none yet: add one with `{favourites_command(person)} --add ID`")
    for phrase_id in ids:
        text = library.get(phrase_id).text if phrase_id in library else "(not in the phrase library any more)"
        print(f"  {phrase_id}  {text}")
    return 0


def say_phrase(args: argparse.Namespace) -> int:
    """Speak one phrase through the same path as `hark speak`, after filling in its placeholders
    from the flags and, for {person}, the profile's preferred name."""
    from assistant.cli import speech as speech_commands
    from assistant.conversation.desk_actions import missing_field_flags, phrase_fields

    loaded = load_library()
    if loaded.warning:
        print(f"Warning: {loaded.warning}", file=sys.stderr)
    phrase = loaded.library.get(args.id)
    profile = load_profile(args, "speak")
    fields = phrase_fields(args, profile)  # {person} from the profile as in the caption window
    try:
        args.text = phrase.render(**fields)
    except PhraseError as error:  # a gap: say which flags fill it in
        missing = missing_field_flags(phrase, fields)
        raise PhraseError(f"{error} Give {' and '.join(missing)}." if missing else str(error)) from None
    print(args.text, file=sys.stderr)
    return speech_commands.speak_with_profile(args, profile)


def add_commands(subparsers: Any) -> None:
    parser = subparsers.add_parser("phrases", help="the quick-phrase library and per-person favourites")
    commands = parser.add_subparsers(dest="phrases_command", metavar="ACTION", required=True)

    listing = commands.add_parser("list", help="list the phrases, by group")
    listing.add_argument("--group", choices=list(GROUPS), help="only this group")
    listing.set_defaults(run=list_phrases)

    add = commands.add_parser("add", help="add a phrase to a group")
    add.add_argument("--group", choices=list(GROUPS), required=True)
    add.add_argument(
        "text",
        nargs="+",
        metavar="TEXT",
        help="the phrase; {assessor}, {person} and {decision} are filled in when it is used",
    )
    add.set_defaults(run=add_phrase)

    edit = commands.add_parser("edit", help="change a phrase's text (its id stays)")
    edit.add_argument("id", metavar="ID")
    edit.add_argument("text", nargs="+", metavar="TEXT")
    edit.set_defaults(run=edit_phrase)

    remove = commands.add_parser("remove", help="remove a phrase")
    remove.add_argument("id", metavar="ID")
    remove.set_defaults(run=remove_phrase)

    reset = commands.add_parser("reset", help="go back to the built-in phrases, keeping yours as a backup")
    reset.set_defaults(run=reset_phrases)

    favourite = commands.add_parser("favourites", help="show or change a person's favourite phrases")
    whose = favourite.add_mutually_exclusive_group()
    whose.add_argument(
        "--profile", metavar="ID", help="the person's profile id: their favourites, kept in their profile"
    )
    whose.add_argument(
        "--list",
        default=DEFAULT_PERSON,
        metavar="KEY",
        help=f"a list in your favourites file, for someone with no profile (default {DEFAULT_PERSON!r}: "
        "your own list)",
    )
    whose.add_argument(
        "--person", dest="old_person", metavar="KEY", help="deprecated: use --profile ID or --list KEY"
    )
    favourite.add_argument(
        "--store",
        metavar="PATH",
        help="the profile store, for a profile id (default: $HARK_STORE, else the user data folder)",
    )
    favourite.add_argument("--as", dest="as_name", metavar="NAME", help="your name in the store's audit log")
    change = favourite.add_mutually_exclusive_group()
    change.add_argument("--add", metavar="ID", help="add this phrase to their favourites")
    change.add_argument("--remove", metavar="ID", help="remove this phrase from their favourites")
    favourite.set_defaults(run=favourites)

    say = commands.add_parser(
        "say", help="say a phrase aloud (or save it with --out), filled in for this conversation"
    )
    say.add_argument("id", metavar="ID", help="the phrase id from `hark phrases list`")
    for name, meaning in FIELDS.items():
        default = " (default: the --profile's preferred name)" if name == "person" else ""
        metavar = "TEXT" if name == "decision" else "NAME"
        say.add_argument(f"--{name}", metavar=metavar, help=f"fills {{{name}}}: {meaning}{default}")
    say.add_argument("--out", metavar="FILE.wav", help="save to this WAV file instead of playing")
    say.add_argument("--device", metavar="DEV", help="play on this output device (default: the default one)")
    say.add_argument("--voice", metavar="ID", help="voice id from `hark voices`")
    say.add_argument(
        "--rate", type=int, metavar="WPM", help="words per minute (default 150, or the profile's)"
    )
    say.add_argument("--volume", type=float, metavar="0..1", help="volume (default 1, or the profile's)")
    add_profile_arguments(say)
    say.set_defaults(run=say_phrase)

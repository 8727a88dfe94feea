"""What the caption window's desk keys can do: the `Desk` as ui/desk_controls.py uses it.

`DeskActions` offers the phrases (the person's favourites first), fills in their placeholders,
and passes typed text on; each action answers None when it was done, or one sentence saying why
not, for the dialog to show. `phrase_fields` fills placeholders the same way for every command.
No Qt here.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import Any

from assistant.conversation.desk import Desk
from assistant.conversation.errors import DeskError, PhraseError
from assistant.conversation.favourites import DEFAULT_PERSON, FavouritesFile
from assistant.conversation.phrases import GROUPS, Library, Phrase

FAVOURITES_HEADING = "Favourites"
FIELD_FLAGS = {
    "assessor": "--assessor NAME",
    "decision": "--decision TEXT",
    "person": "--person NAME (or --profile ID)",
}


class DeskActions:
    def __init__(
        self, desk: Desk, library: Library, favourites: Sequence[str], fields: Mapping[str, str]
    ) -> None:
        self.desk, self.library, self.fields = desk, library, dict(fields)
        self.favourites = [
            pid for pid in dict.fromkeys(favourites) if pid in library
        ]  # removed ones are skipped

    def phrase_groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """(heading, [(id, text as it will be said)]): favourites first, then the library's groups."""

        def shown(pid: str, text: str) -> tuple[str, str]:
            try:
                return pid, self.library.get(pid).render(**self.fields)
            except PhraseError:
                return pid, text  # a placeholder not filled in shows as {decision}; choosing it says why

        groups = [(FAVOURITES_HEADING, [shown(pid, self.library.get(pid).text) for pid in self.favourites])]
        for key, heading in GROUPS.items():
            groups.append((heading, [shown(p.id, p.text) for p in self.library.in_group(key)]))
        return groups

    def say_phrase(self, phrase_id: str, speak: bool) -> str | None:
        phrase = None
        try:
            phrase = self.library.get(phrase_id)
            self.desk.say_phrase(phrase, self.fields, speak=speak, show=True)
        except (DeskError, PhraseError) as error:
            missing = missing_field_flags(phrase, self.fields) if phrase is not None else []
            hint = f" Start `hark captions` with {' and '.join(missing)} to use it." if missing else ""
            return f"{error}{hint}"
        return None

    def say_typed(self, text: str) -> str | None:
        return _answer(lambda: self.desk.say_typed(text))

    def person_typed(self, text: str, read_aloud: bool) -> str | None:
        return _answer(lambda: self.desk.person_typed(text, speak_aloud=read_aloud))


def _answer(action: Any) -> str | None:
    try:
        action()
    except DeskError as error:
        return str(error)
    return None


def missing_field_flags(phrase: Phrase, fields: Mapping[str, str]) -> list[str]:
    """The flags that would fill the phrase's placeholders that `fields` leaves empty."""
    return [
        flag
        for name, flag in FIELD_FLAGS.items()
        if name in phrase.fields and not fields.get(name, "").strip()
    ]


def phrase_fields(args: argparse.Namespace, profile: Mapping[str, Any] | None) -> dict[str, str]:
    """Placeholder values from --assessor, --person and --decision; with no --person, the preferred
    name from the person's profile. `hark captions` and `hark phrases say` both fill phrases this way."""
    fields = {
        "assessor": getattr(args, "assessor", None) or "",
        "decision": getattr(args, "decision", None) or "",
        "person": getattr(args, "person", None) or "",
    }
    if profile is not None and not fields["person"]:
        fields["person"] = str(profile.get("identity", {}).get("preferred_name") or "")
    return {name: value for name, value in fields.items() if value.strip()}


def favourites_for(profile: Mapping[str, Any] | None) -> tuple[list[str], str | None]:
    """The profile's favourites; with no profile, the assessor's own list from the favourites file.
    A favourites file that cannot be read gives no favourites and a warning, never a failure."""
    if profile is not None:
        return list(profile.get("phrases", {}).get("favourites", [])), None
    try:
        return FavouritesFile().get(DEFAULT_PERSON), None
    except PhraseError as error:
        return [], f"Your favourite phrases were not loaded: {error}"

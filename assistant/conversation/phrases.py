"""Quick phrases: the plain-English phrase library, its checks, edits and look-ups.

A library is an ordered list of phrases in six fixed groups, always valid: an edit is checked
first and changes nothing on error. Reading and writing library files is in phrase_files.py.

Placeholders: a phrase may contain `{assessor}`, `{person}` or `{decision}` (FIELDS says what
each means). `Phrase.render(**fields)` replaces each with the value given, trimmed and with
runs of spaces and line breaks made one space; the value is not searched for placeholders in
turn. A placeholder with no value, or only spaces, is an error naming what is missing, so a
phrase is never spoken or shown with a gap. Braces are allowed in a phrase only as these
placeholders.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from assistant.conversation.errors import PhraseError, PhraseFileError

SCHEMA = "hark.phrases"
VERSION = 1
GROUPS: dict[str, str] = {
    "intro": "Introductions",
    "comfort": "Checking comfort and hearing",
    "decision": "Explaining the decision",
    "understanding": "Checking understanding",
    "choices": "The person's choices",
    "endings": "Breaks and endings",
}
FIELDS: dict[str, str] = {
    "assessor": "your name, as the person should hear it",
    "person": "the name the person likes to be called",
    "decision": "the decision, in a few plain words (for example: where you will live)",
}
# Values used when a phrase is checked for readability or previewed without a session.
SAMPLE_FIELDS = {"assessor": "Sam Jones", "person": "Ada", "decision": "where you will live"}
MAX_TEXT_CHARS = 200  # one or two short sentences that fit the caption window in large type
MAX_ID_CHARS = 100  # the profile schema's limit for a favourite's id
MAX_PHRASES = 500

_ID = re.compile(r"[a-z][a-z0-9]*(?:[.-][a-z0-9]+)*")
_FIELD = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Phrase:
    id: str
    group: str
    text: str

    @property
    def fields(self) -> tuple[str, ...]:
        """The placeholders in the text, in order of first use."""
        return tuple(dict.fromkeys(_FIELD.findall(self.text)))

    def render(self, **fields: str) -> str:
        """The text with its placeholders filled in (see the module's fill-in rule)."""
        values = {name: " ".join(str(fields.get(name) or "").split()) for name in self.fields}
        missing = [name for name, value in values.items() if not value]
        if missing:
            needs = "; ".join(f"{{{name}}} is {FIELDS[name]}" for name in missing)
            raise PhraseError(
                f'The phrase {self.id} ("{self.text}") cannot be used until it is filled in: {needs}.'
            )
        return _FIELD.sub(lambda match: values[match[1]], self.text)


def text_problems(text: str) -> list[str]:
    """Why `text` cannot be a phrase; empty when it can."""
    found: list[str] = []
    if not text.strip():
        return ["the text is empty"]
    if len(text) > MAX_TEXT_CHARS:
        found.append(
            f"the text has {len(text)} characters; a phrase holds at most {MAX_TEXT_CHARS}, "
            "so split it into two phrases"
        )
    if any(unicodedata.category(c) == "Cc" for c in text):
        found.append("the text contains a line break or control character; a phrase is one line")
    unknown = sorted({name for name in _FIELD.findall(text) if name not in FIELDS})
    if unknown:
        found.append(
            f"the text uses {', '.join('{' + n + '}' for n in unknown)}, which Hark cannot fill in; "
            f"the placeholders are {', '.join('{' + n + '}' for n in FIELDS)}"
        )
    if "{" in _FIELD.sub("", text) or "}" in _FIELD.sub("", text):
        found.append("the text has a { or } that is not part of a placeholder such as {assessor}")
    return found


def _clean(text: str) -> str:
    return " ".join(text.split())


class Library:
    """An ordered, always valid phrase library; edits check first and change nothing on error."""

    def __init__(self, phrases: Iterable[Phrase] = ()) -> None:
        self._phrases: list[Phrase] = list(phrases)
        problems = library_problems(self._phrases)
        if problems:
            raise PhraseFileError("given", problems)
        self._sort()

    def _sort(self) -> None:
        order = list(GROUPS)
        self._phrases.sort(key=lambda p: order.index(p.group))  # stable: keeps order within a group

    def __iter__(self) -> Iterator[Phrase]:
        return iter(list(self._phrases))

    def __len__(self) -> int:
        return len(self._phrases)

    def __contains__(self, phrase_id: object) -> bool:
        return any(p.id == phrase_id for p in self._phrases)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Library) and self._phrases == other._phrases

    def in_group(self, group: str) -> list[Phrase]:
        _check_group(group)
        return [p for p in self._phrases if p.group == group]

    def get(self, phrase_id: str) -> Phrase:
        for phrase in self._phrases:
            if phrase.id == phrase_id:
                return phrase
        close = difflib.get_close_matches(phrase_id, [p.id for p in self._phrases], n=3, cutoff=0.85)
        hint = f" Did you mean {' or '.join(close)}?" if close else " `hark phrases list` shows every id."
        raise PhraseError(f"There is no phrase with the id {phrase_id!r}.{hint}")

    def add(self, group: str, text: str) -> Phrase:
        """Add a phrase at the end of its group, with a new id made from the group and the text."""
        _check_group(group)
        text = _clean(text)
        _check_text(text)
        if len(self._phrases) >= MAX_PHRASES:
            raise PhraseError(
                f"The library already holds {MAX_PHRASES} phrases, the most it can; "
                "remove some you no longer use first."
            )
        phrase = Phrase(self._new_id(group, text), group, text)
        self._phrases.append(phrase)
        self._sort()
        return phrase

    def edit(self, phrase_id: str, text: str) -> Phrase:
        """Change a phrase's text; its id stays, so favourites keep pointing at it."""
        old = self.get(phrase_id)
        text = _clean(text)
        _check_text(text)
        new = Phrase(old.id, old.group, text)
        self._phrases[self._phrases.index(old)] = new
        return new

    def remove(self, phrase_id: str) -> Phrase:
        phrase = self.get(phrase_id)
        self._phrases.remove(phrase)
        return phrase

    def _new_id(self, group: str, text: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
        slug = "-".join(re.findall(r"[a-z0-9]+", ascii_text)[:4]) or "phrase"
        base = f"{group}.{slug}"[: MAX_ID_CHARS - 4].rstrip("-")
        candidate, n = base, 2
        while candidate in self:
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def to_data(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "version": VERSION,
            "phrases": [{"id": p.id, "group": p.group, "text": p.text} for p in self._phrases],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_data(), ensure_ascii=False, indent=2) + "\n"


def is_phrase_id(text: str) -> bool:
    return len(text) <= MAX_ID_CHARS and _ID.fullmatch(text) is not None


def _check_group(group: str) -> None:
    if group not in GROUPS:
        raise PhraseError(f"There is no phrase group {group!r}; the groups are {', '.join(GROUPS)}.")


def _check_text(text: str) -> None:
    found = text_problems(text)
    if found:
        raise PhraseError(f"That phrase cannot be used: {'; '.join(found)}.")


def library_problems(phrases: list[Phrase], numbers: list[int] | None = None) -> list[str]:
    """Every problem with the phrases; `numbers` are their places in the file, when some were skipped."""
    found: list[str] = []
    seen: set[str] = set()
    for number, phrase in zip(numbers or range(1, len(phrases) + 1), phrases, strict=True):
        found += [f"phrase {number} ({phrase.id!r}): {p}" for p in _phrase_problems(phrase, seen)]
        seen.add(phrase.id)
    if len(phrases) > MAX_PHRASES:
        found.append(f"it has {len(phrases)} phrases; the most is {MAX_PHRASES}")
    return found


def _phrase_problems(phrase: Phrase, seen: set[str]) -> list[str]:
    found: list[str] = []
    if not is_phrase_id(phrase.id):
        found.append(
            f"the id must be lower-case letters and digits joined by '.' or '-' (for example "
            f"intro.my-name), at most {MAX_ID_CHARS} characters"
        )
    elif phrase.id in seen:
        found.append("the id is used by an earlier phrase too; ids must be unique")
    if phrase.group not in GROUPS:
        found.append(f"the group {phrase.group!r} is not one of {', '.join(GROUPS)}")
    found += text_problems(phrase.text)
    return found

"""Installed voices: what `hark voices` lists and what `--voice` must name."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from assistant.speech.errors import SpeechError


@dataclass(frozen=True)
class Voice:
    id: str  # what --voice takes, e.g. "gmw/en" (eSpeak NG) or a SAPI5 registry key
    name: str
    languages: tuple[str, ...]  # BCP 47-ish tags, most preferred first, e.g. ("en-gb", "en")
    gender: str | None = None  # "male", "female" or None when the engine does not say

    def describe(self) -> str:
        languages = ", ".join(self.languages) or "?"
        gender = f"  {self.gender}" if self.gender else ""
        return f"{self.id:<28} {self.name:<40} {languages}{gender}"


def parse_espeak_languages(raw: bytes) -> tuple[str, ...]:
    """Decode eSpeak NG's `languages` field: repeated (priority byte, name, NUL), ended by a zero byte.

    pyttsx3 reads the field as a C string, which keeps only the first language, so the
    worker hands over the raw bytes and they are decoded here.
    """
    languages: list[str] = []
    i = 0
    while i < len(raw) and raw[i] != 0:
        end = raw.find(b"\0", i + 1)
        end = len(raw) if end < 0 else end
        name = raw[i + 1 : end].decode("utf-8", errors="replace")
        if name:
            languages.append(name)
        i = end + 1
    return tuple(languages)


def find_voice(voices: list[Voice], wanted: str) -> Voice:
    """The voice whose id is `wanted` (case-insensitive), or a SpeechError naming close ids."""
    key = wanted.strip().lower()
    for voice in voices:
        if voice.id.lower() == key:
            return voice
    if not voices:
        raise SpeechError("The speech engine reports no voices at all. Reinstall it (see `hark voices`).")
    ids = [v.id for v in voices]
    close = difflib.get_close_matches(key, [i.lower() for i in ids], n=3, cutoff=0.6)
    by_lower = {i.lower(): i for i in ids}
    hint = f" Did you mean {', '.join(by_lower[c] for c in close)}?" if close else ""
    raise SpeechError(
        f"No voice with the id '{wanted}' is installed.{hint} Run `hark voices` to see the ids "
        f"of the {len(voices)} installed voices."
    )


def voices_for_language(voices: list[Voice], language: str) -> list[Voice]:
    """Voices whose language list has `language` (e.g. "ar") or a regional form of it ("en" -> "en-gb")."""
    tag = language.lower()
    return [v for v in voices if any(lang == tag or lang.startswith(tag + "-") for lang in v.languages)]

"""Exports of the conversation: JSON, plain text, and the session record behind the consent gate."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from assistant.captions.events import Segment, Word
from assistant.conversation.timeline import Conversation, SpeechSettings, keep_transcripts_from

START = datetime(2025, 6, 1, 9, 30, tzinfo=UTC)
VOICE = SpeechSettings(None, 150, 1.0, "room")
UNICODE = [
    "أريد أن أبقى في بيتي",  # Arabic: I want to stay in my home
    "אני רוצה ללכת הביתה",  # Hebrew
    "Dw i eisiau aros gartref. Diolch yn fawr iawn — ŵ ŷ",  # Welsh
    "👩🏽‍🦳 yes 👍🏿",  # emoji with skin tones and a zero-width joiner
    "e\u0301 n\u0303 (combining marks) and ﷺ",
    "mixed: I said لا to that",
]


def sample(clock_steps: list[float]) -> Conversation:
    times = iter(clock_steps)
    talk = Conversation(clock=lambda: next(times), started_at=START)
    words = (Word("hello", 1.0, 1.4, 0.91), Word("ada", 1.5, 1.9, 0.62))
    talk.add_caption(Segment("hello ada", 1.0, 1.9, words, "vosk"))
    talk.add_phrase("intro.my-name", "My name is Sam.", shown_large=True, spoken_aloud=True, speech=VOICE)
    talk.add_person_typed("I am tired.\nCan we stop?")
    talk.add_system("Captions paused.")
    return talk


def test_json_export_keeps_everything() -> None:
    talk = sample([0.0, 2.0, 65.5, 3725.25, 3726.0])
    data = json.loads(talk.to_json())
    assert data == talk.to_data()
    assert json.loads(Conversation(started_at=START).to_json())["entries"] == []
    assert (data["schema"], data["version"], data["started_at"]) == (
        "hark.conversation",
        1,
        "2025-06-01T09:30:00.000+00:00",
    )
    first, phrase, typed, note = data["entries"]
    assert first == {
        "id": 1,
        "t": 2.0,
        "wall_time": "2025-06-01T09:30:02.000+00:00",
        "source": "assessor_speech",
        "text": "hello ada",
        "shown_large": False,
        "spoken_aloud": False,
        "phrase_id": None,
        "speech": None,
        "caption": {
            "start": 1.0,
            "end": 1.9,
            "engine": "vosk",
            "words": [
                {"text": "hello", "start": 1.0, "end": 1.4, "confidence": 0.91},
                {"text": "ada", "start": 1.5, "end": 1.9, "confidence": 0.62},
            ],
        },
        "redacted": False,
    }
    assert phrase["speech"] == {"voice": None, "rate_wpm": 150, "volume": 1.0, "route": "room"}
    assert typed["text"] == "I am tired.\nCan we stop?" and note["t"] == 3726.0


def test_text_export_is_one_timestamped_line_per_entry() -> None:
    text = sample([0.0, 2.0, 65.5, 3725.25, 3726.0]).to_text()
    assert text == (
        "Conversation started 2025-06-01T09:30:00+00:00\n"
        "[00:00:02] Assessor (captions): hello ada\n"
        "[00:01:05] Phrase intro.my-name: My name is Sam. (shown large, spoken aloud)\n"
        "[01:02:05] Person typed: I am tired.\n"
        "    Can we stop?\n"
        "[01:02:06] Note: Captions paused.\n"
    )


def test_unicode_and_right_to_left_text_kept_intact() -> None:
    talk = Conversation(started_at=START)
    for line in UNICODE:
        entry = talk.add_person_typed(line)
        assert entry.text == line
    talk.mark_shown_large(1)
    data = json.loads(talk.to_json())
    assert [e["text"] for e in data["entries"]] == UNICODE
    assert "أريد" in talk.to_json()  # written as characters, not \u escapes
    lines = talk.to_text().splitlines()[1:]
    for line, original in zip(lines, UNICODE, strict=True):
        assert original in line
        rtl = original in (UNICODE[0], UNICODE[1], UNICODE[4], UNICODE[5])  # U+FDFA is Arabic
        assert (f"\u2068{original}\u2069" in line) == rtl  # isolated from the label and flags
    assert lines[0].endswith("\u2069 (shown large)")
    assert re.match(r"\[\d\d:\d\d:\d\d\] Person typed: ", lines[2])


def test_the_session_record_only_with_consent_to_keep_transcripts() -> None:
    talk = sample([0.0, 1.0, 2.0, 3.0, 4.0])
    no_profile = talk.session_record(None)
    assert no_profile.record is None and "No profile is open" in no_profile.reason
    refused = talk.session_record(False)
    assert refused.record is None and "says not to keep transcripts" in refused.reason
    kept = talk.session_record(True)
    assert kept.record == talk.to_data() and kept.reason.startswith("Kept")


def test_consent_is_read_from_the_profile() -> None:
    def profile(agreed: dict[str, bool]) -> dict[str, object]:
        return {"identity": {"preferred_name": "Ada"}, "consent": {"agreed_to": agreed}}

    assert keep_transcripts_from(None) is None
    assert keep_transcripts_from({"identity": {"preferred_name": "Ada"}}) is False  # the schema's default
    assert keep_transcripts_from(profile({"store_profile": True, "keep_transcripts": False})) is False
    assert keep_transcripts_from(profile({"store_profile": True, "keep_transcripts": True})) is True

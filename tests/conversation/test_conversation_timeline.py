"""The conversation timeline: order, times, sources, threads, listeners, marks and redaction."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta

import pytest

from assistant.captions.events import Partial, Segment, Word
from assistant.conversation.timeline import Conversation, ConversationError, Entry, SpeechSettings

START = datetime(2025, 6, 1, 9, 30, tzinfo=UTC)
VOICE = SpeechSettings("gmw/en-GB-x-rp", 140, 0.8, "headphones")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def segment(text: str, start: float = 1.0) -> Segment:
    words = tuple(
        Word(w, start + i * 0.3, start + i * 0.3 + 0.25, 0.5 + i / 10) for i, w in enumerate(text.split())
    )
    return Segment(text, start, start + 0.3 * len(words), words, "pocketsphinx")


def test_entries_keep_order_sources_and_times() -> None:
    clock = FakeClock()
    talk = Conversation(clock=clock, started_at=START)
    clock.now += 2.5
    a = talk.add_caption(segment("hello ada"))
    clock.now += 1.25
    b = talk.add_phrase("intro.my-name", "My name is Sam.", shown_large=True, spoken_aloud=True, speech=VOICE)
    clock.now += 0.5
    c = talk.add_person_typed("hello sam")
    clock.now -= 0.2  # an injected clock that steps back must not reorder the timeline
    d = talk.add_system("Captions paused.")
    e = talk.add_app_spoken("hello sam", VOICE)
    f = talk.add_assessor_typed("Shall we start?")
    assert a is not None
    assert [x.id for x in (a, b, c, d, e, f)] == [1, 2, 3, 4, 5, 6]
    assert [x.source for x in talk.entries()] == [
        "assessor_speech",
        "phrase",
        "person_typed",
        "system",
        "app_spoken",
        "assessor_typed",
    ]
    assert [x.t for x in talk.entries()] == [2.5, 3.75, 4.25, 4.25, 4.25, 4.25]
    assert a.wall_time == "2025-06-01T09:30:02.500+00:00"
    assert b.wall_time == (START + timedelta(seconds=3.75)).isoformat(timespec="milliseconds")
    assert (b.phrase_id, b.shown_large, b.spoken_aloud, b.speech) == ("intro.my-name", True, True, VOICE)
    assert (c.shown_large, c.spoken_aloud) == (False, False)
    assert (e.spoken_aloud, e.speech) == (True, VOICE)
    assert talk.entries(since=4) == [e, f]
    assert talk.get(3) == c


def test_caption_segments_keep_words_and_confidences_and_partials_are_skipped() -> None:
    talk = Conversation(started_at=START)
    talk.on_caption_event(Partial("hel", 0.5))
    talk.on_caption_event(segment("where would you like to live"))
    talk.on_caption_event(Segment("", 3.0, 3.2, (), "vosk"))
    [entry] = talk.entries()
    assert entry.caption is not None
    assert entry.caption.words == segment("where would you like to live").words
    assert (entry.caption.start, entry.caption.engine, entry.text) == (
        1.0,
        "pocketsphinx",
        "where would you like to live",
    )


def test_real_captions_feed_the_timeline() -> None:
    import soundfile as sf

    from assistant.captions.engines import choose_recognizer
    from assistant.captions.live import feed_signal
    from tests.captions.conftest import speech_clips

    path, _ = speech_clips()[1]
    signal, rate = sf.read(str(path), dtype="float32")
    talk = Conversation(started_at=START)
    events, _ = feed_signal(
        signal, rate, choose_recognizer("pocketsphinx", isolate=False), on_event=talk.on_caption_event
    )
    segments = [e for e in events if isinstance(e, Segment) and e.text.strip()]
    assert segments and [e.text for e in talk.entries()] == [s.text for s in segments]
    assert all(e.source == "assessor_speech" and e.caption and e.caption.words for e in talk.entries())


def test_bad_additions_are_refused() -> None:
    talk = Conversation(started_at=START)
    with pytest.raises(ConversationError, match="text is empty"):
        talk.add_person_typed("  \n")
    with pytest.raises(ConversationError, match="at most 10000"):
        talk.add_person_typed("a" * 10_001)
    with pytest.raises(ConversationError, match="shown large, spoken, or both"):
        talk.add_phrase("intro.hello", "Hello.", shown_large=False, spoken_aloud=False)
    with pytest.raises(ConversationError, match="no line 1 in this conversation"):
        talk.redact(1)
    with pytest.raises(ConversationError, match="time zone"):
        Conversation(started_at=datetime(2025, 1, 1))
    assert talk.entries() == []


def test_threads_appending_at_once() -> None:
    talk = Conversation(started_at=START)
    heard: list[Entry] = []
    talk.add_listener(lambda kind, entry: heard.append(entry))
    threads, per_thread = 8, 400
    barrier = threading.Barrier(threads)

    def writer(n: int) -> None:
        barrier.wait()
        for i in range(per_thread):
            talk.add_person_typed(f"{n}:{i}")

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    entries = talk.entries()
    assert [e.id for e in entries] == list(range(1, threads * per_thread + 1))
    assert all(a.t <= b.t for a, b in itertools.pairwise(entries))
    for n in range(threads):
        assert [e.text for e in entries if e.text.startswith(f"{n}:")] == [
            f"{n}:{i}" for i in range(per_thread)
        ]
    assert heard == entries  # every entry heard once, in order


def test_listeners_hear_additions_and_changes_and_can_stop() -> None:
    talk = Conversation(started_at=START)
    heard: list[tuple[str, int, bool, bool]] = []
    stop = talk.add_listener(lambda kind, e: heard.append((kind, e.id, e.shown_large, e.spoken_aloud)))
    reply = talk.add_person_typed("I want to go home")
    talk.mark_shown_large(reply.id)
    talk.mark_spoken_aloud(reply.id, VOICE)
    stop()
    talk.add_system("Captions paused.")
    assert heard == [("added", 1, False, False), ("changed", 1, True, False), ("changed", 1, True, True)]
    assert talk.get(1).speech == VOICE


def test_a_failing_listener_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    talk = Conversation(started_at=START)
    heard: list[int] = []

    def broken(kind: str, entry: Entry) -> None:
        raise RuntimeError("secret text must not be logged")

    talk.add_listener(broken)
    talk.add_listener(lambda kind, entry: heard.append(entry.id))
    talk.add_person_typed("my private words")
    assert heard == [1]
    assert "RuntimeError" in caplog.text
    assert "my private words" not in caplog.text and "secret" not in caplog.text


def test_a_listener_may_add_an_entry() -> None:
    talk = Conversation(started_at=START)
    heard: list[int] = []

    def echo(kind: str, entry: Entry) -> None:
        heard.append(entry.id)
        if entry.source == "person_typed":
            talk.add_app_spoken(entry.text, VOICE)

    talk.add_listener(echo)
    talk.add_person_typed("yes")
    assert heard == [1, 2]
    assert [e.source for e in talk.entries()] == ["person_typed", "app_spoken"]


def test_redaction_removes_the_words_but_keeps_the_place() -> None:
    talk = Conversation(started_at=START)
    talk.add_caption(segment("please do not tell my son"))
    talk.add_phrase("choices.why", "Can you tell me why?", shown_large=True, spoken_aloud=False)
    changes: list[tuple[str, int]] = []
    talk.add_listener(lambda kind, e: changes.append((kind, e.id)))
    redacted = talk.redact(1)
    assert (redacted.id, redacted.text, redacted.redacted, redacted.source) == (
        1,
        "",
        True,
        "assessor_speech",
    )
    assert redacted.caption is not None and redacted.caption.words == ()
    assert talk.redact(1) == redacted  # already removed: nothing more happens
    assert changes == [("changed", 1), ("added", 3)]
    assert talk.get(3).text == "Line 1 was removed at the person's request."
    talk.redact(2)
    assert talk.get(2).phrase_id is None
    for text in (talk.to_json(), talk.to_text()):
        assert "my son" not in text and "tell me why" not in text and "choices.why" not in text

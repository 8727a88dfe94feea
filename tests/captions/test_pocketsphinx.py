"""pocketsphinx on real LibriSpeech clips: accuracy, and the streaming path against one whole pass.

Measured on these five clips (2 test-other + 3 test-clean, 85 scored words), in this order, one
recogniser for all (as in a session: `reset` between clips keeps the decoder's CMN):
one decoder pass over each whole file gives 37.6 % WER. The live path (48 kHz, 128-sample
blocks -> resampler -> endpointer -> decoder) gave 42.4 % when each endpointer region was
its own utterance: the first clip, 2033-164914-0000, went from 58 % (one piece) to 100 %,
cut at its pauses and decoded with the model's default cepstral mean. With the engine's
pre-roll (0.2 s), pause bridging (0.15 s) and first-utterance CMN warm-up it gives 37.6 %
(2033: 79 %; the other four clips are as good as or better than one piece). Also measured:
bridging 0.3 s 36.5 % but segments 0.15 s later; no bridging 40.0 %; each alone, with 0.3 s
bridging: pre-roll 36.5 %, bridging 36.5 %, warm-up 41.2 %; a 0.5 s endpointer window
instead 37.6 %. One word here is 1.2 points and clip 2033 swings 37-100 % between these
variants, so the 2-point gap is checked, not a gain.
Later (CMN warm-up at every session start, as `reset` here starts one per clip, and no fwdflat
second pass): streaming 31.8 % against one piece's 37.6 %.
pocketsphinx's en-us model is known for 30-55 % on LibriSpeech, so 40 % leaves room for
CPU-dependent search pruning without letting a broken pipeline (wrong rate, clipped int16,
lost frames: 70 %+) pass.
"""

from __future__ import annotations

import numpy as np
import pytest
from pocketsphinx import Decoder
from scipy.signal import resample_poly

from assistant.captions.events import Partial, Segment
from assistant.captions.live import RecognitionFeed, feed_signal
from assistant.captions.pocketsphinx_engine import PocketsphinxRecognizer
from tests.support.metrics import one_piece, word_error_rate

MAX_WER = 0.40
MAX_STREAMING_GAP = 0.02


@pytest.fixture(scope="module")
def results(clips):  # type: ignore[no-untyped-def]
    decoder = Decoder(samprate=16000, loglevel="FATAL")
    recognizer = PocketsphinxRecognizer()
    refs, whole, streamed, events = [], [], [], []
    for _, x, text in clips:
        refs.append(text)
        whole.append(one_piece(decoder, x))
        recognizer.reset()
        x48 = resample_poly(x, 3, 1).astype(np.float32)
        evs, _ = feed_signal(x48, 48000, recognizer, block=128)
        events.append((evs, len(x) / 16000))
        streamed.append(" ".join(e.text for e in evs if isinstance(e, Segment)))
    return {
        "whole": word_error_rate(refs, whole),
        "streamed": word_error_rate(refs, streamed),
        "events": events,
    }


def test_one_piece_wer(results) -> None:  # type: ignore[no-untyped-def]
    print(f"one-piece WER {results['whole']:.3f}")
    assert results["whole"] < MAX_WER


def test_streaming_wer_matches_one_piece(results) -> None:  # type: ignore[no-untyped-def]
    print(f"streaming WER {results['streamed']:.3f} vs one-piece {results['whole']:.3f}")
    assert results["streamed"] < MAX_WER
    assert results["streamed"] <= results["whole"] + MAX_STREAMING_GAP


def test_events_are_well_formed(results) -> None:  # type: ignore[no-untyped-def]
    for events, duration in results["events"]:
        segments = [e for e in events if isinstance(e, Segment)]
        assert segments and any(isinstance(e, Partial) for e in events)
        previous_end = 0.0
        for segment in segments:
            assert segment.engine == "pocketsphinx" and segment.text == " ".join(
                w.text for w in segment.words
            )
            for word in segment.words:
                assert previous_end - 1e-6 <= word.start <= word.end <= duration + 0.05
                assert 0.0 <= word.confidence <= 1.0
                assert "(" not in word.text and not word.text.startswith(("<", "["))
                previous_end = word.end


def test_segment_follows_the_end_of_speech_within_a_second(clips) -> None:  # type: ignore[no-untyped-def]
    """Streaming stays streaming: the segment comes while audio is still arriving, not only at
    the end. Measured 1.03 s of audio after the last word's end: the endpointer's 0.27 s
    decision lag, the VAD's trailing speech frames, 0.15 s of pause bridging and this loop's
    50 ms batches; 1.1 s allows one more frame or batch."""
    _, x, _ = clips[1]  # 1089-134686-0000: one sentence, then 2 s of silence
    x = np.concatenate([x, np.zeros(32000, dtype=np.float32)])
    feed = RecognitionFeed(16000, PocketsphinxRecognizer())
    arrivals = []
    for i in range(0, len(x), 800):  # 50 ms batches, as the live worker
        arrivals += [(e, feed.audio_s + 0.05) for e in feed.push(x[i : i + 800]) if isinstance(e, Segment)]
    assert arrivals, "no segment before the end of the stream"
    for segment, at in arrivals:
        assert at - segment.end <= 1.1, (segment.end, at)


def test_silence_gives_no_words() -> None:
    recognizer = PocketsphinxRecognizer()
    quiet = (np.random.default_rng(0).standard_normal(16000 * 4) * 1e-4).astype(np.float32)
    events, _ = feed_signal(quiet, 16000, recognizer)
    assert not [e for e in events if isinstance(e, Segment)]

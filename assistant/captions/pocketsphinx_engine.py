"""pocketsphinx captions: the en-us model from its wheel, segmented by its own endpointer.

Each speech region found by pocketsphinx's `Endpointer` is decoded as one utterance, with
additions that make streaming as accurate as one pass over a whole recording
(docs/captions.md says why and what each was worth):
- pre-roll: the utterance starts PREROLL_S before `speech_start`, so quiet word onsets are kept;
- pause bridging: a pause of up to MERGE_GAP_S does not end the utterance, so a sentence keeps
  its language-model context;
- CMN warm-up: the first utterance of a session is held for CMN_WARMUP_S and its cepstral mean
  measured in one batch pass before decoding starts (streaming CMN starts from a wrong mean);
- no second search pass (`fwdflat=False`): it delayed long captions and did not help accuracy.
Silence beyond those margins is never decoded: that is where pocketsphinx invents words.

Word timings: `seg()` frames are 10 ms from the utterance start, placed on the session clock.
Confidence is the word's lattice posterior (`Segment.prob`), not the acoustic density.
Decoding holds the GIL, so live use runs this in a child process (engines.SubprocessRecognizer).
"""

from __future__ import annotations

import re
from collections import deque

import numpy as np
from pocketsphinx import Decoder, Endpointer, Vad

from assistant.captions.events import CaptionEvent, Partial, Segment, Word
from assistant.speech_models.catalogue import RECOMMENDED_ENGLISH_MODEL

RATE = 16000
FRAMES_PER_S = 100
PARTIAL_EVERY_S = 0.1  # hyp() is a backtrace, cheap: 0.25 s made partials wait 0.08 s longer (median)
WINDOW_S = 0.3  # endpointer decision window
PREROLL_S = 0.2  # audio before speech_start given to the decoder
MERGE_GAP_S = (
    0.15  # pauses up to this long stay inside one utterance (0.3 s: 1.1 points better, 0.15 s later)
)
CMN_WARMUP_S = 1.0  # audio of the decoder's first utterance used to measure its cepstral mean
LABEL = (
    "pocketsphinx: basic accuracy. Install a Vosk model for better captions: "
    f"hark models install {RECOMMENDED_ENGLISH_MODEL}"
)
_ALTERNATE = re.compile(r"\(\d+\)$")  # "for(2)": the dictionary's second pronunciation


def _is_word(token: str) -> bool:
    # <s>, </s>, <sil> and fillers like [NOISE] or ++BREATH++ are not words anyone said.
    return not (token.startswith(("<", "[", "+")) or token == "")


class PocketsphinxRecognizer:
    name = "pocketsphinx"
    label = LABEL
    sample_rate = RATE

    def __init__(
        self,
        vad_mode: int = Vad.LOOSE,
        *,
        window: float = WINDOW_S,
        preroll: float = PREROLL_S,
        merge_gap: float = MERGE_GAP_S,
        cmn_warmup: float = CMN_WARMUP_S,
    ) -> None:
        self._vad_mode = vad_mode
        self._window = window
        self._decoder = Decoder(samprate=RATE, loglevel="FATAL", fwdflat=False)
        probe = self._new_endpointer()
        self._frame = probe.frame_bytes // 2
        self._frame_s = self._frame / RATE
        self._preroll = round(preroll / self._frame_s)
        self._merge = round(merge_gap / self._frame_s)
        self._warmup = round(cmn_warmup / self._frame_s)
        # Frames kept for pre-roll and pauses: the endpointer decides about a frame one window late.
        self._keep = self._preroll + round(window / self._frame_s) + 4
        self._in_utt = False
        self.reset()

    def _new_endpointer(self) -> Endpointer:
        return Endpointer(window=self._window, ratio=0.9, vad_mode=self._vad_mode, sample_rate=RATE)

    def reset(self) -> None:
        if self._in_utt:
            self._decoder.end_utt()
        self._cmn_warm = self._warmup == 0  # a new session measures its own cepstral mean
        self._new_stream(0.0)
        self._fed = 0  # samples given to accept since the session started
        self._in_utt = False
        self._utt_start = 0.0
        self._since_partial = 0
        self._last_partial = ""

    def _new_stream(self, origin: float) -> None:
        self._endpointer = self._new_endpointer()
        self._ep_origin = origin  # session time at which the current endpointer's clock started
        self._pending = np.zeros(0, dtype=np.int16)
        self._history: deque[np.ndarray] = deque(maxlen=self._keep)
        self._count = 0  # frames given to this endpointer
        self._lag = 0  # frames between the newest frame and the one the endpointer decides about
        self._next = 0  # index of the next frame the decoder has not heard
        self._last_speech = -1  # index of the last frame the endpointer called speech
        self._held: list[np.ndarray] = []  # the first utterance's audio, until CMN is measured

    def accept(self, pcm: np.ndarray) -> list[CaptionEvent]:
        pcm = np.asarray(pcm, dtype=np.int16).reshape(-1)
        self._fed += len(pcm)
        buf = np.concatenate([self._pending, pcm]) if len(self._pending) else pcm
        events: list[CaptionEvent] = []
        n = self._frame
        whole = len(buf) // n * n
        for i in range(0, whole, n):
            self._step(buf[i : i + n], events)
        self._pending = buf[whole:].copy()
        return events

    def _step(self, frame: np.ndarray, events: list[CaptionEvent]) -> None:
        was_speech = self._endpointer.in_speech
        speech = self._endpointer.process(frame.tobytes())
        self._history.append(frame)
        self._count += 1
        if speech is not None:
            if not was_speech:  # the endpointer returns the frame at speech_start now, one window late
                self._lag = self._count - 1 - round(self._endpointer.speech_start / self._frame_s)
            j = self._count - 1 - self._lag
            if not self._in_utt:
                first = max(j - self._preroll, self._next, self._count - len(self._history))
                self._start(self._ep_origin + first * self._frame_s)
                self._next = first
            self._feed_through(j, events)
            self._last_speech = j
        elif self._in_utt:
            j = self._count - 1 - self._lag
            if j - self._last_speech > self._merge:
                events.extend(self._end())
            else:  # a pause inside the sentence: the decoder hears it
                self._feed_through(j, events)

    def _feed_through(self, j: int, events: list[CaptionEvent]) -> None:
        """Give the decoder the kept frames from self._next up to and including frame j."""
        oldest = self._count - len(self._history)
        if j < self._next:
            return
        chunk = [self._history[i - oldest] for i in range(max(self._next, oldest), j + 1)]
        self._next = j + 1
        if chunk:
            self._feed(np.concatenate(chunk), events)

    def finish(self) -> list[CaptionEvent]:
        events: list[CaptionEvent] = []
        if self._in_utt:  # the rest of the audio, undecided by the endpointer, belongs to it
            self._feed_through(self._count - 1, events)
            if len(self._pending):
                self._feed(self._pending, events)
            events.extend(self._end())
        # The endpointer's stream is over; later audio starts a new one, on the same session clock.
        self._new_stream(self._fed / RATE)
        return events

    def _start(self, at: float) -> None:
        self._decoder.start_utt()
        self._in_utt, self._utt_start = True, at
        self._since_partial, self._last_partial = 0, ""

    def _feed(self, speech: np.ndarray, events: list[CaptionEvent]) -> None:
        if not self._cmn_warm:
            self._held.append(speech)
            if sum(len(h) for h in self._held) < self._warmup * self._frame:
                return
            speech = self._warm_cmn()
        self._decoder.process_raw(speech.tobytes())
        self._since_partial += len(speech)
        if self._since_partial >= PARTIAL_EVERY_S * RATE:
            self._since_partial = 0
            hyp = self._decoder.hyp()
            text = hyp.hypstr if hyp is not None else ""
            if text and text != self._last_partial:
                self._last_partial = text
                events.append(Partial(text, self._fed / RATE))

    def _warm_cmn(self) -> np.ndarray:
        """Measure the cepstral mean on the held audio in one batch pass, restart the utterance
        with it, and return the held audio for decoding."""
        held = np.concatenate(self._held)
        self._held = []
        self._decoder.process_raw(held.tobytes(), no_search=True, full_utt=True)
        self._decoder.end_utt()  # nothing was searched: the result is empty
        self._decoder.start_utt()
        self._cmn_warm = True
        return held

    def _end(self) -> list[CaptionEvent]:
        if self._held:  # an utterance shorter than the warm-up: measure on what there is
            self._decoder.process_raw(self._warm_cmn().tobytes())
        self._decoder.end_utt()
        self._in_utt = False
        words = []
        for seg in self._decoder.seg():
            if _is_word(seg.word):
                start = self._utt_start + seg.start_frame / FRAMES_PER_S
                end = self._utt_start + (seg.end_frame + 1) / FRAMES_PER_S  # end_frame is inclusive
                conf = float(min(max(seg.prob, 0.0), 1.0))
                words.append(Word(_ALTERNATE.sub("", seg.word), round(start, 3), round(end, 3), conf))
        if not words:
            return []
        text = " ".join(w.text for w in words)
        return [Segment(text, words[0].start, words[-1].end, tuple(words), self.name)]

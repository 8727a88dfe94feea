"""A session's captions as a transcript: TXT, SRT, WebVTT or JSON, saved only when asked.

Times are seconds from the session start. TXT lines are `[HH:MM:SS.mmm] text`.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.captions.errors import CaptionError
from assistant.captions.events import CaptionEvent, Segment, Word

FORMATS = ("txt", "srt", "vtt", "json")


def _clock(seconds: float, separator: str) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{separator}{ms:03d}"


class Transcript:
    def __init__(self, segments: list[Segment] | None = None) -> None:
        self.segments: list[Segment] = list(segments or [])

    def add(self, event: CaptionEvent) -> None:
        """Keep finished segments; partials are only for the live display."""
        if isinstance(event, Segment):
            self.segments.append(event)

    def to_txt(self) -> str:
        return "".join(f"[{_clock(s.start, '.')}] {s.text}\n" for s in self.segments)

    def to_srt(self) -> str:
        blocks = [
            f"{i}\n{_clock(s.start, ',')} --> {_clock(s.end, ',')}\n{s.text}\n"
            for i, s in enumerate(self.segments, 1)
        ]
        return "\n".join(blocks)

    def to_vtt(self) -> str:
        blocks = [f"{_clock(s.start, '.')} --> {_clock(s.end, '.')}\n{s.text}\n" for s in self.segments]
        return "WEBVTT\n\n" + "\n".join(blocks)

    def to_json(self) -> str:
        data = {
            "segments": [
                {
                    "text": s.text,
                    "start": s.start,
                    "end": s.end,
                    "engine": s.engine,
                    "words": [
                        {"text": w.text, "start": w.start, "end": w.end, "confidence": w.confidence}
                        for w in s.words
                    ],
                }
                for s in self.segments
            ]
        }
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Transcript:
        data = json.loads(text)
        return cls(
            [
                Segment(
                    s["text"],
                    s["start"],
                    s["end"],
                    tuple(Word(w["text"], w["start"], w["end"], w["confidence"]) for w in s["words"]),
                    s["engine"],
                )
                for s in data["segments"]
            ]
        )

    def render(self, format: str) -> str:
        if format not in FORMATS:
            raise CaptionError(f"Unknown transcript format {format!r}; choose one of: {', '.join(FORMATS)}.")
        return str(getattr(self, f"to_{format}")())

    def save(self, path: Path | str, format: str | None = None) -> None:
        """Write the transcript; the format defaults to the file's extension."""
        path = Path(path)
        text = self.render(format or path.suffix.lstrip(".").lower())
        partial = path.with_name(path.name + ".partial")
        try:
            partial.write_text(text, encoding="utf-8")
            partial.replace(path)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CaptionError(f"Cannot write the transcript {path}: {error.strerror or error}.") from None

"""The session record as plain text, to paste into the council's case system."""

from __future__ import annotations

from datetime import UTC, datetime

from assistant.assessment.record import SOURCES, SessionRecord, wall_time

_SOURCE_MARK = {"hark": "[Hark]", "assessor": "[Assessor]"}


def record_text(record: SessionRecord, person_name: str | None, assessor: str) -> str:
    """The record, one line per step, then a summary; plain words, no colour or layout needed."""
    summary = record.summary()
    start = datetime.fromtimestamp(record.started, UTC).astimezone()
    end = datetime.fromtimestamp(record.ended, UTC).astimezone() if record.ended is not None else None
    when = (
        f"{start:%d %B %Y}, {start:%H:%M} to {end:%H:%M}" if end else f"{start:%d %B %Y}, from {start:%H:%M}"
    )
    who = person_name if person_name else "Quick session: no profile was used"
    lines = [
        "Record of practicable steps taken to help the person communicate",
        f"Person: {who}",
        f"Session: {when} ({summary['minutes']:g} minutes). Assessor: {assessor}",
        f"{SOURCES['hark']} is marked {_SOURCE_MARK['hark']}; what the assessor noted is marked "
        f"{_SOURCE_MARK['assessor']}. A correction is listed after the step it corrects, which is kept.",
        "",
    ]
    for step in record.steps():
        mark = _SOURCE_MARK[step.source]
        text = step.shown.replace("\r\n", "\n").replace("\n", "\n        ")
        lines.append(f"{step.seq:>3}. {wall_time(step.at)} {mark} {text}")
    if not record.steps():
        lines.append("No steps were recorded.")
    lines += ["", "Summary"]
    lines.append(
        f"- Phrases used: {summary['phrases']}; typed messages: {summary['typed_messages']}"
        + (
            ""
            if record.keep_words
            else " (their words were not kept: there is no agreement to keep transcripts)"
        )
    )
    lines.append(
        f"- Setting changes: {summary['setting_changes']}; feedback checks: {summary['feedback_checks']}; "
        f"whistling turned down: {summary['whistling']}; audio restarts: {summary['audio_restarts']}"
    )
    level = summary["room_level_dbfs"]
    if level:
        lines.append(
            f"- Room level as the microphone heard it: typically {level['median']:.0f} dBFS, loudest "
            f"{level['max']:.0f} dBFS (uncalibrated: the microphone's own scale, not a sound level meter)"
        )
    lines.append(f"- Notes by the assessor: {summary['assessor_notes']}")
    return "\n".join(lines) + "\n"

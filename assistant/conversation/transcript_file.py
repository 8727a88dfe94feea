"""The conversation's transcript file for `hark captions --transcript`: checked before the window
opens, and written when it closes only if allowed (asked for with no profile open, or the
person's profile agrees to keeping transcripts).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assistant.conversation.errors import ConversationError
from assistant.conversation.timeline import Conversation, keep_transcripts_from
from assistant.json_files import write_text_atomic


def check_transcript_path(path: Path) -> None:
    """Before the window opens: the transcript must be a new file in a folder that exists."""
    if path.is_dir():
        raise ConversationError(f"--transcript {path} is a folder; give a file name such as session.txt.")
    if path.exists():
        raise ConversationError(
            f"--transcript {path} already exists and Hark will not overwrite it; choose a new name."
        )
    if not path.parent.is_dir():
        raise ConversationError(
            f"--transcript {path}: the folder {path.parent} does not exist; create it or choose another."
        )


def save_transcript(conversation: Conversation, path: Path | None, profile: Mapping[str, Any] | None) -> str:
    """Save the timeline as text when allowed, and say what happened (for stderr)."""
    lines = len(conversation.entries())
    if path is None:
        return f"The conversation ({lines} lines) was not saved: no --transcript was given."
    if profile is not None:
        decision = conversation.session_record(keep_transcripts_from(dict(profile)))
        if decision.record is None:
            return f"The conversation was not saved to {path}: {decision.reason}"
        why = "the person's profile agrees to keeping transcripts"
    else:
        why = "you asked for it with --transcript (no profile was open)"
    try:
        write_text_atomic(path, conversation.to_text())
    except OSError as error:
        return f"The conversation could NOT be saved to {path}: {error.strerror or error}."
    return f"Saved the conversation ({lines} lines) to {path}, because {why}."

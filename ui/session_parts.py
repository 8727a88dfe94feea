"""A session's captions and conversation, on the session's own audio engine: the caption session
(the recogniser on the engine's microphone tap, speech into the engine), the assessor's captions
panel with the person's caption window in their style, and the conversation panel with the
person's voice settings and favourite phrases first."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from assistant.captions.session import CaptionSession, SessionOptions
from assistant.cli.desktop import AppRun
from assistant.conversation.desk_actions import DeskActions, favourites_for, phrase_fields
from assistant.conversation.phrase_files import load_library
from assistant.personalise.settings import caption_style, speech_preferences
from ui.caption_bridge import CaptionBridge
from ui.captions_panel import CaptionsPanel
from ui.conversation_panel import ConversationPanel


def conversation_parts(run: AppRun, engine: Any) -> tuple[CaptionsPanel, ConversationPanel, list[str]]:
    """The two panels, started (the recogniser loads in the background), and a sentence for each
    thing that could not be loaded (the phrase files, the assessor's favourites)."""
    profile = run.profile
    bridge = CaptionBridge()
    session = CaptionSession(
        SessionOptions(room_output=run.room_output), engine.settings, bridge, engine=engine
    )
    captions = CaptionsPanel(session, bridge, run.record, caption_style(profile) if profile else None)
    captions.start()
    library = load_library()
    favourites, warning = favourites_for(profile)
    fields = phrase_fields(SimpleNamespace(assessor=run.assessor), profile)  # type: ignore[arg-type]
    preferences = speech_preferences(profile) if profile else None
    actions = DeskActions(session.make_desk(preferences), library.library, favourites, fields)
    conversation = ConversationPanel(actions, run.record, captions.person_window_open)
    return captions, conversation, [problem for problem in (library.warning, warning) if problem]

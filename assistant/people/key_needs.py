"""A person's key needs in a few short lines, for the assessor to take in at a glance.

The passport (profiles/passport.py) speaks in the person's own voice and says everything; these
lines speak to the assessor ("Needs a BSL interpreter", "Hears better on the left") and say only
what changes how to begin: who must be in the room, how to be heard and seen, what to avoid.
Most important first, at most `MAX_LINES`, so nothing that matters scrolls out of sight.
"""

from __future__ import annotations

import re
from typing import Any

MAX_LINES = 6
NOTE_CHARS = 60

# (rank, words) per catalogue code (profiles/needs.py); a lower rank is shown first. A code not
# here is shown with its recorded display text, ranked with the information formats.
_NEEDS: dict[str, tuple[int, str]] = {
    "204331000000107": (0, "Needs a BSL interpreter"),
    "936761000000104": (0, "Needs a Sign Supported English interpreter"),
    "957051000000100": (0, "Needs a deafblind manual alphabet interpreter"),
    "945911000000109": (0, "Needs a lipspeaker"),
    "966401000000100": (0, "Needs a speech-to-text reporter"),
    "945891000000106": (1, "Needs someone to take notes"),
    "441092009": (1, "Lip-reads: face the light"),
    "198061000000105": (2, "Uses a hearing loop"),
    "716537007": (3, "Uses a voice amplifier"),
    "957371000000106": (5, "Large print: at least 28 point"),
    "957351000000102": (5, "Large print: at least 24 point"),
    "957331000000109": (5, "Large print: at least 20 point"),
    "796161000000101": (5, "Easy read information"),
    "936701000000103": (6, "Contact by text message"),
    "936741000000100": (6, "Contact by email"),
    "796081000000106": (6, "Contact by text relay"),
    "936581000000101": (6, "Information by email"),
}
_HEARING_AID_CODE = "285055002"
_OTHER_NEED_RANK = 5
_BETTER_EAR = {"left": "Hears better on the left", "right": "Hears better on the right"}
_SIDES = {"left": "the left ear", "right": "the right ear", "both": "both ears"}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def key_needs(profile: dict[str, Any]) -> list[str]:
    """Short plain-English lines from a normalised profile, most important first."""
    ranked: list[tuple[int, str]] = []
    hearing = profile["hearing"]
    for need in profile["needs"]:
        if need["code"] == _HEARING_AID_CODE:
            if not hearing["devices"]:  # the devices say more, when they are recorded
                ranked.append((3, "Wears a hearing aid"))
            continue
        rank, words = _NEEDS.get(need["code"], (_OTHER_NEED_RANK, need["display"].rstrip(".")))
        ranked.append((rank, words + _note(need.get("note") or "")))
    if hearing["better_ear"] in _BETTER_EAR:
        ranked.append((2, _BETTER_EAR[hearing["better_ear"]]))
    if hearing["loudness_discomfort"]:
        ranked.append((2, "Loud sounds hurt: keep the volume low"))
    devices = _devices(hearing["devices"])
    if devices:
        ranked.append((3, devices))
    helps = _first_sentence(profile["communication"]["what_helps"])
    if helps:
        ranked.append((4, f"What helps: {helps}"))
    lines = _unique([words for _, words in sorted(ranked, key=lambda item: item[0])])
    if len(lines) > MAX_LINES:
        hidden = len(lines) - (MAX_LINES - 1)
        lines = [*lines[: MAX_LINES - 1], f"And {hidden} more in the full profile"]
    return lines


def _devices(devices: list[dict[str, Any]]) -> str:
    """'Wears hearing aids in both ears; has a telecoil'."""
    parts = []
    for device in devices:
        side = _SIDES.get(device["side"], "one ear")
        if device["type"] == "hearing_aid":
            parts.append(
                "wears hearing aids in both ears"
                if device["side"] == "both"
                else f"wears a hearing aid in {side}"
            )
        elif device["type"] == "cochlear_implant":
            parts.append(
                "has cochlear implants in both ears"
                if device["side"] == "both"
                else f"has a cochlear implant in {side}"
            )
        else:
            parts.append(f"wears a bone conduction hearing aid on {side}")
    if any(device.get("telecoil") for device in devices):
        parts.append("has a telecoil")
    text = "; ".join(_unique(parts))
    return text[:1].upper() + text[1:]


def _note(note: str) -> str:
    note = " ".join(note.split())
    if not note:
        return ""
    if len(note) > NOTE_CHARS:
        note = note[: NOTE_CHARS - 1].rstrip() + "…"
    return f" ({note.rstrip('.')})"


def _first_sentence(text: str) -> str:
    first_line = next((line.strip() for line in (text or "").splitlines() if line.strip()), "")
    return _SENTENCE_END.split(first_line, maxsplit=1)[0]


def _unique(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(lines))

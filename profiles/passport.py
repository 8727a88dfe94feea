"""The communication passport: a profile told in the person's own voice, in easy-read English.

`build_passport(profile)` turns a normalised profile (every section present, see SCHEMA.md) into
headed sections of short sentences. It has no Qt: ui/passport_pdf.py prints it, and
`Passport.as_text()` gives the same words as plain text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from profiles.needs import find_need

TITLE = "My communication passport"


@dataclass(frozen=True)
class Line:
    """One bullet point: an optional `label` (printed bold) before the text, and `small`, printed
    smaller underneath (codes and contacts, for staff)."""

    text: str
    small: str = ""
    label: str = ""

    @property
    def full_text(self) -> str:
        return f"{self.label} {self.text}" if self.label else self.text


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[Line, ...] = ()
    closing: tuple[str, ...] = ()  # paragraphs after the bullets


@dataclass(frozen=True)
class Passport:
    title: str
    intro: tuple[str, ...]
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def section(self, heading: str) -> Section | None:
        return next((s for s in self.sections if s.heading == heading), None)

    def as_text(self) -> str:
        out = [self.title, "", *self.intro]
        for section in self.sections:
            out += ["", section.heading, *section.paragraphs]
            for line in section.bullets:
                out.append(f"- {line.full_text}")
                if line.small:
                    out.append(f"  ({line.small})")
            out += section.closing
        return "\n".join(out) + "\n"


# The person's words for each catalogue need, in the first person. A code that is not here
# is shown with its recorded display text, which is still true, just less friendly.
PLAIN_WORDS = {
    "204331000000107": "I need a British Sign Language (BSL) interpreter.",
    "936761000000104": "I need a Sign Supported English interpreter.",
    "945911000000109": "I need a lipspeaker.",
    "966401000000100": "I need a speech-to-text reporter. They type what people say.",
    "945891000000106": "I need someone to take notes for me.",
    "957051000000100": "I need a deafblind manual alphabet interpreter.",
    "285055002": "I use a hearing aid.",
    "441092009": "I lip read. Please face me when you speak.",
    "198061000000105": "I use a hearing loop.",
    "716537007": "I use a voice amplifier to help me talk with people.",
    "936701000000103": "Please contact me by text message (SMS).",
    "936741000000100": "Please contact me by email.",
    "796081000000106": "Please contact me by text relay.",
    "957331000000109": "Please give me writing in large print: at least 20 point, plain letters.",
    "957351000000102": "Please give me writing in large print: at least 24 point, plain letters.",
    "957371000000106": "Please give me writing in large print: at least 28 point, plain letters.",
    "796161000000101": "Please give me information in easy read.",
    "936581000000101": "Please send me information by email.",
}

# Month names spelled out here: strftime's %B follows the machine's locale.
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_SIDES = {"left": "my left ear", "right": "my right ear", "both": "both ears"}
_DEVICES = {
    "hearing_aid": "I use a hearing aid in {side}.",
    "cochlear_implant": "I have a cochlear implant in {side}.",
    "bone_conduction": "I use a bone conduction hearing aid in {side}.",
}
_BETTER_EAR = {
    "left": "I hear better with my left ear. Please sit on my left.",
    "right": "I hear better with my right ear. Please sit on my right.",
    "same": "I hear about the same with both ears.",
}
_ROLES = {
    "family": "in my family",
    "friend": "my friend",
    "carer": "my carer",
    "advocate": "my advocate",
    "imca": "my IMCA (Independent Mental Capacity Advocate)",
    "interpreter": "my interpreter",
    "attorney_or_deputy": "my attorney or deputy. They can make some decisions for me",
    "other": "someone who helps me",
}
_BASIS = {
    "consent": "I said yes to keeping this information.",
    "best_interests": (
        "I could not decide about this myself. It was decided in my best interests, "
        "under the Mental Capacity Act 2005."
    ),
    "lpa_or_deputy": (
        "Someone with legal power to decide for me said yes. "
        "This is my attorney (lasting power of attorney) or my deputy."
    ),
}
_AGREED = {
    "store_profile": (
        "Keep this passport safe on the computer.",
        "Do not keep this passport on the computer.",
    ),
    "keep_transcripts": (
        "Keep a written record of what we say when we meet.",
        "Do not keep a written record of what we say.",
    ),
    "share": (
        "Share my passport with other services that help me.",
        "Do not share my passport with other services.",
    ),
}


def build_passport(profile: dict[str, Any]) -> Passport:
    """The passport sections for a normalised profile; sections with nothing to say are left out."""
    identity = profile["identity"]
    preferred = identity["preferred_name"].strip()
    full = (identity.get("full_name") or "").strip() or preferred
    intro = (f"My name is {full}. Please call me {preferred}.",)
    sections = [
        _talk(profile),
        _free_text("What helps me", profile["communication"]["what_helps"]),
        _free_text("What does not help", profile["communication"]["what_does_not_help"]),
        _hearing(profile["hearing"]),
        _where(profile["environment"]),
        _people(profile["supporters"]),
        _needs(profile["needs"]),
        _keeping(profile["consent"]),
    ]
    return Passport(TITLE, intro, tuple(s for s in sections if s.paragraphs or s.bullets))


def _sentences(text: str) -> tuple[str, ...]:
    """The person's own words, one paragraph per line they wrote, kept as they wrote them."""
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def _free_text(heading: str, text: str) -> Section:
    return Section(heading, paragraphs=_sentences(text))


def _talk(profile: dict[str, Any]) -> Section:
    comm, env, captions = profile["communication"], profile["environment"], profile["captions"]
    bullets: list[Line] = []
    labelled = (
        ("The best time to talk with me:", comm["best_times"]),
        ("Please go at my pace:", env["pace"]),
        ("How to tell I am tired or have not understood:", comm["signs_tired_or_not_understood"]),
        ("How to check I understand:", comm["how_to_check_understanding"]),
    )
    for label, text in labelled:
        words = " ".join(_sentences(text))
        if words:
            bullets.append(Line(words, label=label))
    if captions["enabled"]:
        bullets.append(Line("I read what you say on a screen. Please speak clearly and wait for the words."))
    return Section("How to talk with me", bullets=tuple(bullets))


def _hearing(hearing: dict[str, Any]) -> Section:
    bullets: list[Line] = []
    if hearing["better_ear"] in _BETTER_EAR:
        bullets.append(Line(_BETTER_EAR[hearing["better_ear"]]))
    for device in hearing["devices"]:
        template = _DEVICES.get(device["type"], "I use a hearing device in {side}.")
        bullets.append(Line(template.format(side=_SIDES.get(device["side"], "one ear"))))
    if any(device.get("telecoil") for device in hearing["devices"]):
        bullets.append(Line("Please use the hearing loop."))
    if hearing["loudness_discomfort"]:
        bullets.append(Line("Loud sounds hurt my ears. Please do not shout."))
    if hearing["tinnitus"]:
        bullets.append(Line("I have tinnitus. I hear ringing or buzzing in my ears."))
    bullets += [Line(text) for text in _sentences(hearing["notes"])]
    return Section("My hearing", bullets=tuple(bullets))


def _where(env: dict[str, Any]) -> Section:
    bullets: list[Line] = []
    if env["quiet_room"]:
        bullets.append(Line("Please talk with me in a quiet room."))
    if env["light_on_speaker_face"]:
        bullets.append(Line("Please have light on your face, so I can see your lips."))
    if env["no_face_coverings"]:
        bullets.append(Line("Please do not cover your mouth or face."))
    for label, text in (("Where to sit:", env["seating"]), ("Breaks:", env["breaks"])):
        words = " ".join(_sentences(text))
        if words:
            bullets.append(Line(words, label=label))
    return Section("Where to talk with me", bullets=tuple(bullets))


def _people(supporters: list[dict[str, Any]]) -> Section:
    bullets = []
    for person in supporters:
        name = person["name"].strip()
        relationship = (person.get("relationship") or "").strip()
        if person["role"] in ("family", "friend") and relationship:
            text = f"{name} is my {relationship[0].lower()}{relationship[1:]}."
        elif person["role"] == "family":
            text = f"{name} is in my family."
        else:
            who = f"{name} ({relationship})" if relationship else name
            text = f"{who} is {_ROLES.get(person['role'], _ROLES['other'])}."
        contact = (person.get("contact") or "").strip()
        bullets.append(Line(text, small=f"Contact: {contact}" if contact else ""))
    return Section("People who help me", bullets=tuple(bullets))


def _needs(needs: list[dict[str, Any]]) -> Section:
    bullets = []
    for need in needs:
        known = find_need(need["code"])
        display = need.get("display") or (known.display if known else "")
        plain = PLAIN_WORDS.get(need["code"]) or (display.rstrip(".") + ".")
        small = f"SNOMED CT {need['code']}: {display}"
        note = (need.get("note") or "").strip()
        if note:
            plain = f"{plain} {note.rstrip('.')}."
        bullets.append(Line(plain, small=small))
    return Section("My needs", bullets=tuple(bullets))


def _keeping(consent: dict[str, Any]) -> Section:
    paragraphs = [_BASIS.get(consent["basis"], _BASIS["consent"])]
    paragraphs += _sentences(consent.get("basis_note") or "")
    paragraphs.append("What was agreed:")
    bullets = [Line(yes if consent["agreed_to"].get(key) else no) for key, (yes, no) in _AGREED.items()]
    closing = []
    recorder = (consent.get("recorded_by") or "").strip()
    when = _long_date(consent.get("recorded_at"))
    if recorder and when:
        closing.append(f"{recorder} wrote this with me on {when}.")
    elif recorder:
        closing.append(f"{recorder} wrote this with me.")
    elif when:
        closing.append(f"This was written on {when}.")
    review = _long_date(consent.get("review_date"))
    if review:
        closing.append(f"We will check this passport again by {review}.")
    return Section("Keeping my information", tuple(paragraphs), tuple(bullets), tuple(closing))


def _long_date(value: str | None) -> str:
    """'2025-03-03' or an ISO time -> '3 March 2025'; empty when missing or unreadable."""
    if not value:
        return ""
    try:
        day = datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value)
    except ValueError:
        return ""
    return f"{day.day}\u00a0{_MONTHS[day.month - 1]} {day.year}"  # day and month on one line

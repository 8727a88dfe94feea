"""The profile editor's tabs, grouped and headed as the communication passport is (profiles/passport.py).

Each builder fills one `Form` and returns its bindings. The passport's own headings are used for the
parts it prints ("How to talk with me", "My hearing" ...), so what the assessor edits here is what
the person's printed passport says; the settings the passport does not print (listening, captions,
voice) have tabs of their own.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QPlainTextEdit

from profiles.model import validate_profile
from profiles.passport import build_passport
from ui.profile_editor_fields import Binding, Form, block, choice, flag, line, number
from ui.profile_editor_hearing import ToneBands, hearing_page, listening_page
from ui.profile_editor_lists import ItemList, device_row, list_binding, need_row, supporter_row

SCHEMES = {
    "white-on-black": "White text on black",
    "yellow-on-black": "Yellow text on black",
    "cyan-on-black": "Light blue (cyan) text on black",
    "black-on-white": "Black text on white",
    "black-on-cream": "Black text on cream",
}
ROUTES = {"headphones": "Their headphones", "room": "The room speaker"}
BASES = {
    "consent": "They agreed (consent)",
    "best_interests": "Decided in their best interests (Mental Capacity Act 2005)",
    "lpa_or_deputy": "Their attorney or deputy agreed",
}
DATE_HINT = "YYYY-MM-DD, such as 2026-03-31"


def passport_headings() -> dict[str, str]:
    """The passport's headings by part, read from the passport of a profile that fills every part."""
    sample = validate_profile(
        {
            "identity": {"preferred_name": "A"},
            "communication": {"what_helps": "x", "what_does_not_help": "x", "best_times": "x"},
            "hearing": {"better_ear": "left"},
            "supporters": [{"name": "B", "role": "friend"}],
            "needs": [{"category": "communication_support", "code": "285055002", "display": "x"}],
        }
    )
    headings = [section.heading for section in build_passport(sample).sections]
    keys = ("talk", "helps", "not_helps", "hearing", "where", "people", "needs", "keeping")
    return dict(zip(keys, headings, strict=True))


def about_page(form: Form) -> list[Binding]:
    form.note("The passport begins: “My name is (full name). Please call me (preferred name).”")
    form.add(line("identity.preferred_name", "Preferred name (what to call them)"))
    form.add(line("identity.full_name", "Full name (optional)"))
    form.add(line("identity.case_reference", "Case reference (optional)"))
    form.add(line("identity.date_of_birth", "Date of birth (optional)", DATE_HINT))
    return form.bindings


def talk_page(form: Form, headings: dict[str, str]) -> list[Binding]:
    form.note("Write these in the person's own words, as they would say them.")
    form.heading(headings["talk"])
    form.add(block("communication.best_times", "Best times to talk"))
    form.add(block("environment.pace", "Pace"))
    form.add(
        block("communication.signs_tired_or_not_understood", "Signs they are tired or have not understood")
    )
    form.add(block("communication.how_to_check_understanding", "How to check they understand"))
    form.heading(headings["helps"])
    form.add(block("communication.what_helps", "What helps"))
    form.heading(headings["not_helps"])
    form.add(block("communication.what_does_not_help", "What does not help"))
    return form.bindings


def captions_page(form: Form) -> list[Binding]:
    form.add(flag("captions.enabled", "Show captions"))
    form.add(number("captions.font_pt", "Text size", suffix=" pt"))
    form.add(choice("captions.scheme", "Colours", SCHEMES))
    form.add(number("captions.lines", "Lines on screen"))
    form.add(flag("captions.upper_case", "Capital letters only"))
    form.add(flag("captions.profanity_filter", "Hide swear words"))
    return form.bindings


def voice_page(form: Form) -> list[Binding]:
    form.add(line("speech.voice", "Voice (empty for the usual one)", "a voice name from “hark voices”"))
    form.add(number("speech.rate_wpm", "Speaking speed", step=10, suffix=" words a minute"))
    form.add(number("speech.volume", "Speech volume", step=5, decimals=0, scale=100, suffix=" %"))
    form.add(choice("speech.route", "Speak through", ROUTES))
    favourites = form.add(
        block("phrases.favourites", "Favourite quick phrases (one phrase id a line)", rows=4)
    )
    box = favourites.widget
    assert isinstance(box, QPlainTextEdit)
    favourites.read = lambda: [entry for entry in box.toPlainText().splitlines() if entry.strip()]
    favourites.write = lambda ids: box.setPlainText("\n".join(map(str, ids)) if isinstance(ids, list) else "")
    return form.bindings


def where_page(form: Form, headings: dict[str, str]) -> list[Binding]:
    form.heading(headings["where"])
    form.add(flag("environment.quiet_room", "A quiet room"))
    form.add(flag("environment.light_on_speaker_face", "Light on the speaker's face"))
    form.add(flag("environment.no_face_coverings", "No face coverings"))
    form.add(block("environment.seating", "Where to sit"))
    form.add(block("environment.breaks", "Breaks"))
    return form.bindings


def list_page(form: Form, heading: str, items: ItemList, caption: str) -> list[Binding]:
    form.heading(heading)
    form.add_widget(items)
    whole = list_binding(items, caption)
    form.rows.addRow(whole.problem)
    form.bindings.append(whole)
    return form.bindings


def keeping_page(form: Form, headings: dict[str, str]) -> list[Binding]:
    consent = "consent."
    form.heading(headings["keeping"])
    form.add(choice(consent + "basis", "Basis for keeping it", BASES))
    form.add(block(consent + "basis_note", "Who decided and why (or the LPA or deputyship reference)"))
    form.heading("What was agreed")
    form.add(flag(consent + "agreed_to.store_profile", "Keep this passport on the computer"))
    form.add(flag(consent + "agreed_to.keep_transcripts", "Keep a written record of what is said"))
    form.add(flag(consent + "agreed_to.share", "Share the passport with other services"))
    form.add(line(consent + "recorded_by", "Recorded by"))
    form.add(line(consent + "recorded_at", "Recorded at (filled in when saved)", "2026-03-31T14:05:00+00:00"))
    form.add(line(consent + "review_date", "Review date", DATE_HINT))
    return form.bindings


def build_pages(reserved: str) -> tuple[list[tuple[str, Form]], list[ItemList], ToneBands]:
    """Every tab in order with its title, the list editors, and the tone bands."""
    headings = passport_headings()
    needs = ItemList("needs", "need", need_row, "Add a &need")
    devices = ItemList("hearing.devices", "device", device_row, "Add a &device")
    supporters = ItemList("supporters", "supporter", supporter_row, "Add a su&pporter")
    tone = ToneBands()
    pages: list[tuple[str, Form]] = []

    def page(title: str, build: Callable[[Form], object], mnemonics: str = "") -> None:
        form = Form(reserved + mnemonics)
        build(form)
        pages.append((title, form))

    page("About the person", about_page)
    page(headings["talk"], lambda form: talk_page(form, headings))
    page(headings["hearing"], lambda form: hearing_page(form, devices), "d")
    page("Listening", lambda form: listening_page(form, tone))
    page("Captions", captions_page)
    page("Voice and phrases", voice_page)
    page(headings["where"], lambda form: where_page(form, headings))
    page(headings["people"], lambda form: list_page(form, headings["people"], supporters, "Supporters"), "p")
    page(headings["needs"], lambda form: list_page(form, headings["needs"], needs, "Needs"), "n")
    page(headings["keeping"], lambda form: keeping_page(form, headings))
    return pages, [needs, devices, supporters], tone

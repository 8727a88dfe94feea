"""The passport's words: first person, plain, sections skipped when empty."""

from __future__ import annotations

from test_passport_samples import full_profile, minimal_profile

from profiles.model import validate_profile
from profiles.passport import TITLE, build_passport


def test_minimal_profile_has_name_and_only_sections_with_something_to_say():
    passport = build_passport(minimal_profile("Ada"))
    assert passport.title == TITLE == "My communication passport"
    assert passport.intro == ("My name is Ada. Please call me Ada.",)
    headings = [section.heading for section in passport.sections]
    assert "What helps me" not in headings and "My needs" not in headings
    assert "People who help me" not in headings and "My hearing" not in headings
    assert headings[-1] == "Keeping my information"


def test_full_profile_sections_in_order():
    headings = [section.heading for section in build_passport(full_profile()).sections]
    assert headings == [
        "How to talk with me",
        "What helps me",
        "What does not help",
        "My hearing",
        "Where to talk with me",
        "People who help me",
        "My needs",
        "Keeping my information",
    ]


def test_full_name_and_preferred_name():
    assert build_passport(full_profile()).intro == ("My name is Ada Lovelace. Please call me Ada.",)


def test_hearing_in_plain_words():
    hearing = build_passport(full_profile()).section("My hearing")
    assert hearing is not None
    texts = [line.text for line in hearing.bullets]
    assert "I use a hearing aid in both ears." in texts
    assert "Please use the hearing loop." in texts
    assert "Loud sounds hurt my ears. Please do not shout." in texts
    assert texts[0].startswith("I hear better with my left ear.")


def test_no_hearing_loop_line_without_a_telecoil():
    profile = full_profile()
    profile["hearing"]["devices"] = [{"type": "cochlear_implant", "side": "right", "telecoil": False}]
    texts = [line.text for line in build_passport(profile).section("My hearing").bullets]
    assert "I have a cochlear implant in my right ear." in texts
    assert "Please use the hearing loop." not in texts


def test_needs_in_plain_words_with_code_in_small_print():
    needs = build_passport(full_profile()).section("My needs")
    assert [line.text for line in needs.bullets] == [
        "I need a lipspeaker.",
        "I use a voice amplifier to help me talk with people. Left ear only.",
        "Please give me writing in large print: at least 20 point, plain letters.",
        "I use a hearing loop.",
    ]
    assert needs.bullets[0].small == "SNOMED CT 945911000000109: Requires lipspeaker"


def test_a_need_outside_the_catalogue_keeps_its_recorded_words():
    profile = full_profile()
    profile["needs"] = [
        {
            "category": "communication_support",
            "code": "415803005",
            "display": "Uses British sign language",
            "note": "",
        }
    ]
    line = build_passport(validate_profile(profile)).section("My needs").bullets[0]
    assert line.text == "Uses British sign language."
    assert "415803005" in line.small


def test_people_and_their_roles():
    people = build_passport(full_profile()).section("People who help me")
    assert people.bullets[0].text == "Sam Lovelace is my son."
    assert people.bullets[0].small == "Contact: 07700 900123"
    assert people.bullets[1].text == "Priya Shah is my IMCA (Independent Mental Capacity Advocate)."


def test_consent_basis_agreements_and_dates_in_plain_words():
    keeping = build_passport(full_profile()).section("Keeping my information")
    assert "best interests" in keeping.paragraphs[0] and "Mental Capacity Act 2005" in keeping.paragraphs[0]
    assert [line.text for line in keeping.bullets] == [
        "Keep this passport safe on the computer.",
        "Do not keep a written record of what we say.",
        "Share my passport with other services that help me.",
    ]
    assert keeping.closing == (
        "Jo Assessor wrote this with me on 3\u00a0March 2025.",
        "We will check this passport again by 1\u00a0September 2025.",
    )


def test_each_basis_has_its_own_words():
    words = set()
    for basis in ("consent", "best_interests", "lpa_or_deputy"):
        profile = minimal_profile()
        profile["consent"]["basis"] = basis
        words.add(build_passport(profile).section("Keeping my information").paragraphs[0])
    assert len(words) == 3


def test_labelled_lines_keep_the_persons_own_words():
    talk = build_passport(full_profile()).section("How to talk with me")
    assert talk.bullets[0].label == "The best time to talk with me:"
    assert talk.bullets[0].text == "Mornings, after breakfast."


def test_short_sentences():
    # Easy read: the sentences Hark writes (not the person's own words) stay short.
    profile = full_profile()
    own_words = {profile["communication"][key] for key in profile["communication"]}
    for section in build_passport(profile).sections:
        for line in section.bullets:
            if line.text not in own_words and not line.label:
                for sentence in line.text.split(". "):
                    assert len(sentence.split()) <= 14, sentence


def test_as_text_holds_every_heading():
    text = build_passport(full_profile()).as_text()
    for heading in ("My communication passport", "My hearing", "My needs", "Keeping my information"):
        assert heading in text

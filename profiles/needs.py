"""NHS Accessible Information Standard (AIS) needs: the common hearing-related SNOMED CT codes.

Every code shipped here passes `snomed_id_is_well_formed` and was looked up in a published
source; FHIR.md records, code by code, where it was found and with which display.
"""

from __future__ import annotations

from dataclasses import dataclass

CATEGORIES = (
    "contact_method",
    "information_format",
    "communication_professional",
    "communication_support",
)


@dataclass(frozen=True)
class NeedCode:
    code: str
    display: str
    category: str


# Verhoeff tables (dihedral group D5 multiplication, position permutation).
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
# The position permutation for position i is the first one applied i times; deriving
# the table avoids a typo in a hand-copied one (a typo would reject real codes).
_P1 = (1, 5, 7, 6, 2, 8, 3, 0, 9, 4)
_P: tuple[tuple[int, ...], ...] = (tuple(range(10)),)
for _ in range(7):
    _P += (tuple(_P1[x] for x in _P[-1]),)

# Partition identifiers for concepts: 00 in the international release, 10 with a namespace.
# (01/11 are descriptions, 02/12 relationships: valid SCTIDs, but not concept ids.)
CONCEPT_PARTITIONS = ("00", "10")


def verhoeff_is_valid(digits: str) -> bool:
    """True when the last digit is the Verhoeff check digit of the rest."""
    if not digits.isascii() or not digits.isdigit():
        return False
    check = 0
    for position, char in enumerate(reversed(digits)):
        check = _D[check][_P[position % 8][int(char)]]
    return check == 0


def snomed_id_is_well_formed(code: str) -> bool:
    """A SNOMED CT concept id: 6..18 ASCII digits, no leading zero, concept partition, check digit."""
    if not (isinstance(code, str) and code.isascii() and code.isdigit() and 6 <= len(code) <= 18):
        return False
    if code[0] == "0":
        return False
    if code[-3:-1] not in CONCEPT_PARTITIONS:
        return False
    if code[-3:-1] == "10" and len(code) < 11:
        return False  # a namespaced id carries a 7-digit namespace before the partition
    return verhoeff_is_valid(code)


# Each code: Verhoeff check digit and concept partition verified by snomed_id_is_well_formed
# (tests/profiles/test_needs.py), and found with exactly this display in NHS England's
# Reasonable Adjustment flag code value set (NHSDigital/ra-sandbox,
# input/fsh/valuesets/RARecord-FlagCode-1.fsh, https://fhir.nhs.uk/STU3/ValueSet/RARecord-FlagCode-1,
# SNOMED CT system http://snomed.info/sct). The category is the AIS subset the display names
# (contact method, information format, communication professional, communication support);
# FHIR.md lists the check for every code and the codes we left out.
COMMON_NEEDS: tuple[NeedCode, ...] = (
    NeedCode("204331000000107", "British Sign Language interpreter needed", "communication_professional"),
    NeedCode("936761000000104", "Sign Supported English interpreter needed", "communication_professional"),
    NeedCode("945911000000109", "Requires lipspeaker", "communication_professional"),
    NeedCode("966401000000100", "Requires speech to text reporter", "communication_professional"),
    NeedCode("945891000000106", "Requires manual note taker", "communication_professional"),
    NeedCode(
        "957051000000100", "Requires deafblind manual alphabet interpreter", "communication_professional"
    ),
    NeedCode("285055002", "Does use hearing aid", "communication_support"),
    NeedCode("441092009", "Does lip read", "communication_support"),
    NeedCode("198061000000105", "Uses hearing loop", "communication_support"),
    NeedCode("716537007", "Uses voice amplifier to support communication", "communication_support"),
    NeedCode("936701000000103", "Requires contact by short message service text message", "contact_method"),
    NeedCode("936741000000100", "Requires contact by email", "contact_method"),
    NeedCode("796081000000106", "Requires contact by text relay", "contact_method"),
    NeedCode(
        "957331000000109",
        "Requires written information in at least 20 point sans serif font",
        "information_format",
    ),
    NeedCode(
        "957351000000102",
        "Requires written information in at least 24 point sans serif font",
        "information_format",
    ),
    NeedCode(
        "957371000000106",
        "Requires written information in at least 28 point sans serif font",
        "information_format",
    ),
    NeedCode("796161000000101", "Requires information in Easyread", "information_format"),
    NeedCode("936581000000101", "Requires information by email", "information_format"),
)

_BY_CODE = {need.code: need for need in COMMON_NEEDS}


def find_need(code: str) -> NeedCode | None:
    """The catalogue entry for a SNOMED CT code, or None when the code is not in the catalogue."""
    return _BY_CODE.get(code)

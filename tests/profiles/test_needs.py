"""The AIS needs catalogue: every shipped code is a well-formed SNOMED CT concept id."""

from __future__ import annotations

import pytest

from profiles.needs import CATEGORIES, COMMON_NEEDS, find_need, snomed_id_is_well_formed, verhoeff_is_valid


@pytest.mark.parametrize("need", COMMON_NEEDS, ids=lambda need: need.code)
def test_every_shipped_code_is_well_formed_and_categorised(need):
    assert snomed_id_is_well_formed(need.code)
    assert need.category in CATEGORIES
    assert need.display and need.display == need.display.strip()
    assert find_need(need.code) is need


def test_codes_are_unique():
    codes = [need.code for need in COMMON_NEEDS]
    assert len(codes) == len(set(codes))


def test_each_ais_category_is_offered():
    assert {need.category for need in COMMON_NEEDS} == set(CATEGORIES)


@pytest.mark.parametrize(
    "code",
    [
        "138875005",  # SNOMED CT root concept
        "404684003",  # Clinical finding
        "22298006",  # Myocardial infarction
        "900000000000207008",  # International core module (namespaced-length, partition 00)
        "999000011000000103",  # UK clinical extension module, namespace 1000000, partition 10
    ],
)
def test_known_real_concept_ids_pass(code):
    assert snomed_id_is_well_formed(code)


@pytest.mark.parametrize(
    "code",
    [
        "138875004",  # root concept, check digit changed
        "204331000000108",  # BSL interpreter needed, check digit changed
        "204331000000170",  # last two digits swapped: Verhoeff catches transpositions
        "12345",  # too short
        "0138875005",  # leading zero
        "1388750O5",  # letter O, not zero
        "١٣٨٨٧٥٠٠٥",  # Arabic-Indic digits pass str.isdigit but are not SNOMED ids
        "",
    ],
)
def test_malformed_ids_fail(code):
    assert not snomed_id_is_well_formed(code)


@pytest.mark.parametrize("partition", ["01", "02", "11", "12"])
def test_ids_of_descriptions_and_relationships_are_not_concepts(partition):
    body = f"123456789{partition}"  # long enough for a namespace, so only the partition is wrong
    code = next(body + d for d in "0123456789" if verhoeff_is_valid(body + d))
    assert not snomed_id_is_well_formed(code)


def test_verhoeff_reference_values():
    # Published examples of the Verhoeff scheme: 236 -> 2363, 12345 -> 123451, 142857 -> 1428570.
    assert verhoeff_is_valid("2363") and verhoeff_is_valid("123451") and verhoeff_is_valid("1428570")
    assert not verhoeff_is_valid("2364")


def test_unknown_code_is_not_found():
    assert find_need("22298006") is None

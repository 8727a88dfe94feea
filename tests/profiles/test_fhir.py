"""The FHIR R4 bundle: structure, codes, references, determinism, and the checker catching faults."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest
from test_passport_samples import full_profile, minimal_profile

from profiles.fhir import (
    LOCAL_CASE_REFERENCE,
    PATIENT_FLAG_CATEGORY,
    RA_FLAG_CATEGORY,
    RA_PROXY_ROLE,
    SNOMED,
    profile_to_fhir_bundle,
    validate_bundle,
)
from profiles.needs import snomed_id_is_well_formed

NOW = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


def resources(bundle, kind):
    return [entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == kind]


def test_full_profile_bundle_is_valid_and_complete():
    bundle = profile_to_fhir_bundle(full_profile(), now=NOW)
    assert validate_bundle(bundle) == []
    assert bundle["type"] == "collection" and bundle["timestamp"] == "2025-03-04T09:30:00+00:00"
    [patient] = resources(bundle, "Patient")
    assert [name["text"] for name in patient["name"]] == ["Ada", "Ada Lovelace"]
    assert patient["birthDate"] == "1941-12-10"
    assert patient["identifier"][0] == {
        "use": "secondary",
        "type": {"text": "Local case reference"},
        "system": LOCAL_CASE_REFERENCE,
        "value": "DOLS-2025-0042",
    }
    flags = resources(bundle, "Flag")
    assert [flag["code"]["coding"][0]["code"] for flag in flags] == [
        "945911000000109",
        "716537007",
        "957331000000109",
        "198061000000105",
    ]
    assert [flag["category"][1]["coding"][0]["code"] for flag in flags] == ["002", "001", "004", "001"]
    assert flags[1]["extension"][0]["valueAnnotation"]["text"] == "Left ear only"
    assert len(resources(bundle, "Observation")) == 1
    assert "hearing aid in both ears" in resources(bundle, "Observation")[0]["valueString"]


def test_every_flag_and_the_consent_point_at_the_patient_by_full_url():
    bundle = profile_to_fhir_bundle(full_profile(), now=NOW)
    patient_url = next(e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    assert patient_url.startswith("urn:uuid:")
    for flag in resources(bundle, "Flag"):
        assert flag["subject"] == {"reference": patient_url}
        assert flag["status"] == "active"
        assert flag["category"][0]["coding"][0]["system"] == PATIENT_FLAG_CATEGORY
        assert flag["category"][1]["coding"][0]["system"] == RA_FLAG_CATEGORY
        coding = flag["code"]["coding"][0]
        assert coding["system"] == SNOMED and snomed_id_is_well_formed(coding["code"])
    [consent] = resources(bundle, "Consent")
    assert consent["patient"] == {"reference": patient_url}


def test_consent_records_basis_and_what_was_agreed():
    [consent] = resources(profile_to_fhir_bundle(full_profile(), now=NOW), "Consent")
    assert consent["status"] == "active"
    assert consent["scope"]["coding"][0]["code"] == "patient-privacy"
    assert consent["dateTime"] == "2025-03-03T10:15:00+00:00"
    assert consent["policyRule"]["coding"][0] == {
        "system": RA_PROXY_ROLE,
        "code": "002",
        "display": "Best interest decision made on behalf of the patient (Mental Capacity Act 2005)",
    }
    assert consent["policy"][0]["uri"] == "https://www.legislation.gov.uk/ukpga/2005/9/section/4"
    assert [rule["type"] for rule in consent["provision"]["provision"]] == ["permit", "deny", "permit"]
    summary = consent["extension"][0]["valueAnnotation"]
    assert summary["authorString"] == "Jo Assessor" and "two visits" in summary["text"]
    assert consent["extension"][1]["valueDate"] == "2025-09-01"


@pytest.mark.parametrize(
    ("basis", "code"), [("consent", "001"), ("best_interests", "002"), ("lpa_or_deputy", "003")]
)
def test_each_basis_maps_to_its_proxy_role(basis, code):
    profile = minimal_profile()
    profile["consent"]["basis"] = basis
    bundle = profile_to_fhir_bundle(profile, now=NOW)
    assert validate_bundle(bundle) == []
    assert resources(bundle, "Consent")[0]["policyRule"]["coding"][0]["code"] == code


def test_minimal_profile_bundle_is_valid():
    bundle = profile_to_fhir_bundle(minimal_profile(), now=NOW)
    assert validate_bundle(bundle) == []
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds == ["Patient", "Consent"]
    [patient] = resources(bundle, "Patient")
    assert "identifier" not in patient and "birthDate" not in patient
    # The store fills recorded_at; without it the export time stands in.
    assert resources(bundle, "Consent")[0]["dateTime"] == "2025-03-04T09:30:00+00:00"


def test_deterministic_for_the_same_profile_and_time():
    first = profile_to_fhir_bundle(full_profile(), now=NOW)
    again = profile_to_fhir_bundle(full_profile(), now=NOW)
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    other = full_profile()
    other["id"] = "prf_QRSTUVWXYZ234567"
    assert profile_to_fhir_bundle(other, now=NOW)["entry"][0]["fullUrl"] != first["entry"][0]["fullUrl"]
    json.dumps(first, ensure_ascii=False)  # plain JSON types only


def test_naive_time_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        profile_to_fhir_bundle(minimal_profile(), now=datetime(2025, 3, 4, 9, 30))


def broken(mutate):
    bundle = profile_to_fhir_bundle(full_profile(), now=NOW)
    bundle = copy.deepcopy(bundle)
    mutate(bundle)
    return validate_bundle(bundle)


def test_checker_catches_a_dangling_reference():
    def dangle(bundle):
        bundle["entry"][1]["resource"]["subject"]["reference"] = (
            "urn:uuid:00000000-0000-4000-8000-000000000000"
        )

    problems = broken(dangle)
    assert any("does not match any entry's fullUrl" in p for p in problems)
    assert any("is not the Patient" in p for p in problems)


def test_checker_catches_a_bad_snomed_code():
    def bad(bundle):
        bundle["entry"][1]["resource"]["code"]["coding"][0]["code"] = "945911000000108"

    assert any("not a well-formed SNOMED CT concept id" in p for p in broken(bad))


def test_checker_catches_a_code_outside_its_code_system():
    def bad(bundle):
        bundle["entry"][1]["resource"]["category"][1]["coding"][0]["code"] = "099"

    assert any("'099' is not a code of" in p for p in broken(bad))


def test_checker_catches_a_missing_subject():
    def drop(bundle):
        del bundle["entry"][1]["resource"]["subject"]

    assert any("subject is missing" in p for p in broken(drop))


def test_checker_catches_missing_patient_and_consent_basis():
    def no_patient(bundle):
        del bundle["entry"][0]

    assert any("exactly one Patient" in p for p in broken(no_patient))

    def no_rule(bundle):
        del bundle["entry"][-1]["resource"]["policyRule"]

    assert any("policyRule" in p for p in broken(no_rule))


def test_checker_catches_structure_faults():
    assert validate_bundle({"resourceType": "Patient"}) != []

    def faults(bundle):
        bundle["type"] = "document"
        bundle["entry"][1]["fullUrl"] = bundle["entry"][0]["fullUrl"]
        bundle["entry"][2]["resource"]["status"] = "on"
        bundle["entry"][3]["resource"]["resourceType"] = "Basic"

    problems = broken(faults)
    assert any("Bundle.type" in p for p in problems)
    assert any("used twice" in p for p in problems)
    assert any("not a FHIR R4 Flag status" in p for p in problems)
    assert any("'Basic' is not one Hark exports" in p for p in problems)

"""A profile as a FHIR R4 Bundle: Patient, one Reasonable Adjustment Flag per need, Consent, and a
hearing Observation. FHIR.md says which parts follow NHS England's Reasonable Adjustments IG
(draft, FHIR 4.0.1) and which are Hark's choice; `validate_bundle` checks exactly that structure.

Output is deterministic for a given profile and `now`: every id is a uuid5 of the profile id.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from profiles.needs import find_need, snomed_id_is_well_formed
from profiles.passport import build_passport

SNOMED = "http://snomed.info/sct"
PATIENT_FLAG_CATEGORY = "https://fhir.nhs.uk/England/CodeSystem/PatientFlagCategory"
RA_FLAG_CATEGORY = "https://fhir.nhs.uk/England/CodeSystem/RA-FlagCategory"
RA_PROXY_ROLE = "https://fhir.nhs.uk/England/CodeSystem/RA-ProxyRole"
RA_CONSENT_PURPOSE = "https://fhir.nhs.uk/England/CodeSystem/RA-ConsentPurpose"
FLAG_NOTES = "https://fhir.nhs.uk/England/StructureDefinition/Extension-FlagNotes"
CONSENT_SUMMARY = "https://fhir.nhs.uk/England/StructureDefinition/Extension-ConsentCreateSummary"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_ACTION = "http://terminology.hl7.org/CodeSystem/consentaction"
# Hark's own: ".invalid" (RFC 2606) never resolves, which says plainly "local; map to your own".
LOCAL_CASE_REFERENCE = "https://hark.invalid/fhir/sid/local-case-reference"
REVIEW_DATE = "https://hark.invalid/fhir/StructureDefinition/consent-review-date"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://hark.invalid/fhir")

NRAF = {"system": PATIENT_FLAG_CATEGORY, "code": "NRAF", "display": "National Reasonable Adjustments Flag"}
FLAG_CATEGORIES = {  # AIS subset -> RA-FlagCategory
    "communication_support": ("001", "Communication support"),
    "communication_professional": ("002", "Requires communication professional"),
    "contact_method": ("003", "Requires specific contact method"),
    "information_format": ("004", "Requires specific information format"),
}
PROXY_ROLES = {  # consent basis -> RA-ProxyRole
    "consent": ("001", "Patient consent"),
    "best_interests": (
        "002",
        "Best interest decision made on behalf of the patient (Mental Capacity Act 2005)",
    ),
    "lpa_or_deputy": (
        "003",
        "Lasting power of attorney for health and welfare, or court-appointed deputy, or equivalent",
    ),
}
MCA_2005 = "https://www.legislation.gov.uk/ukpga/2005/9"
POLICIES = {"best_interests": f"{MCA_2005}/section/4", "lpa_or_deputy": MCA_2005}
AGREEMENTS = {  # agreed_to key -> (consentaction code, what it covers)
    "store_profile": ("collect", "Store this communication profile in Hark"),
    "keep_transcripts": ("collect", "Keep transcripts of assessment conversations"),
    "share": ("disclose", "Share this communication profile with other services"),
}


def profile_to_fhir_bundle(profile: dict[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
    """A FHIR R4 collection Bundle for a normalised profile. `now` must carry a UTC offset."""
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("The export time needs a time zone (for example datetime.now(UTC)).")
    stamp = now.isoformat(timespec="seconds")
    seed = profile.get("id") or hashlib.sha256(json.dumps(profile, sort_keys=True).encode()).hexdigest()

    def url(kind: str) -> str:
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{seed}/{kind}')}"

    patient_url = url("patient")
    subject = {"reference": patient_url}
    resources = [(patient_url, _patient(profile["identity"]))]
    for index, need in enumerate(profile["needs"]):
        resources.append((url(f"flag/{index}"), _flag(need, subject)))
    hearing = build_passport(profile).section("My hearing")
    lines = [line.full_text for line in hearing.bullets] if hearing else []
    lines += _audiogram_lines(profile["hearing"].get("audiogram"))
    if lines:
        resources.append((url("hearing"), _observation(lines, subject, profile["consent"], stamp)))
    resources.append((url("consent"), _consent(profile["consent"], subject, stamp)))
    entries = []
    for full_url, resource in resources:
        entries.append(
            {
                "fullUrl": full_url,
                "resource": {
                    "resourceType": resource.pop("resourceType"),
                    "id": full_url.removeprefix("urn:uuid:"),
                    **resource,
                },
            }
        )
    return {
        "resourceType": "Bundle",
        "id": url("bundle").removeprefix("urn:uuid:"),
        "meta": {"lastUpdated": stamp},
        "identifier": {"system": "urn:ietf:rfc:3986", "value": url(f"bundle/{stamp}")},
        "type": "collection",
        "timestamp": stamp,
        "entry": entries,
    }


def _patient(identity: dict[str, Any]) -> dict[str, Any]:
    preferred = identity["preferred_name"]
    names = [{"use": "usual", "text": preferred}]
    if identity.get("full_name"):
        names.append({"use": "official", "text": identity["full_name"]})
    patient: dict[str, Any] = {"resourceType": "Patient", "name": names}
    if identity.get("case_reference"):
        patient["identifier"] = [
            {
                "use": "secondary",
                "type": {"text": "Local case reference"},
                "system": LOCAL_CASE_REFERENCE,
                "value": identity["case_reference"],
            }
        ]
    if identity.get("date_of_birth"):
        patient["birthDate"] = identity["date_of_birth"]
    return patient


def _flag(need: dict[str, Any], subject: dict[str, str]) -> dict[str, Any]:
    code, display = FLAG_CATEGORIES[need["category"]]
    known = find_need(need["code"])
    need_display = need.get("display") or (known.display if known else need["code"])
    flag: dict[str, Any] = {
        "resourceType": "Flag",
        "status": "active",
        "category": [
            {"coding": [NRAF]},
            {"coding": [{"system": RA_FLAG_CATEGORY, "code": code, "display": display}]},
        ],
        "code": {
            "coding": [{"system": SNOMED, "code": need["code"], "display": need_display}],
            "text": need_display,
        },
        "subject": dict(subject),
    }
    if need.get("note"):
        flag["extension"] = [{"url": FLAG_NOTES, "valueAnnotation": {"text": need["note"]}}]
    return flag


def _audiogram_lines(audiogram: dict[str, dict[str, float]] | None) -> list[str]:
    lines = []
    for ear in ("left", "right"):
        points = (audiogram or {}).get(ear) or {}
        if points:
            values = ", ".join(f"{hz} Hz {points[hz]:g}" for hz in sorted(points, key=int))
            lines.append(f"Audiogram, {ear} ear, thresholds in dB HL: {values}.")
    return lines


def _observation(
    lines: list[str], subject: dict[str, str], consent: dict[str, Any], stamp: str
) -> dict[str, Any]:
    # Text only: no code we could confirm offline names "hearing summary"; FHIR.md explains.
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "Hearing and listening summary, in the person's own words (Hark profile)"},
        "subject": dict(subject),
        "effectiveDateTime": consent.get("recorded_at") or stamp,
        "valueString": " ".join(lines),
    }


def _consent(consent: dict[str, Any], subject: dict[str, str], stamp: str) -> dict[str, Any]:
    role, role_display = PROXY_ROLES[consent["basis"]]
    nested = [
        {
            "type": "permit" if consent["agreed_to"].get(key) else "deny",
            "action": [{"coding": [{"system": CONSENT_ACTION, "code": action}]}],
            "code": [{"text": text}],
        }
        for key, (action, text) in AGREEMENTS.items()
    ]
    resource: dict[str, Any] = {
        "resourceType": "Consent",
        "status": "active",
        "scope": {
            "coding": [{"system": CONSENT_SCOPE, "code": "patient-privacy", "display": "Privacy Consent"}]
        },
        "category": [{"coding": [NRAF]}],
        "patient": dict(subject),
        "dateTime": consent.get("recorded_at") or stamp,
        "policyRule": {"coding": [{"system": RA_PROXY_ROLE, "code": role, "display": role_display}]},
        "provision": {
            "purpose": [
                {
                    "system": RA_CONSENT_PURPOSE,
                    "code": "RACONSENT",
                    "display": "Reasonable Adjustments - Consent to record Reasonable Adjustments",
                }
            ],
            "provision": nested,
        },
    }
    if consent["basis"] in POLICIES:
        resource["policy"] = [
            {"authority": "https://www.legislation.gov.uk", "uri": POLICIES[consent["basis"]]}
        ]
    if consent.get("recorded_by"):
        resource["performer"] = [{"display": consent["recorded_by"]}]
    summary = {
        key: value
        for key, value in (
            ("authorString", consent.get("recorded_by")),
            ("time", consent.get("recorded_at")),
            ("text", consent.get("basis_note")),
        )
        if value
    }
    extensions = []
    if summary.get("text"):
        extensions.append({"url": CONSENT_SUMMARY, "valueAnnotation": summary})
    if consent.get("review_date"):
        extensions.append({"url": REVIEW_DATE, "valueDate": consent["review_date"]})
    if extensions:
        resource["extension"] = extensions
    return resource


# ---------------------------------------------------------------- checking a bundle (FHIR.md)

_UUID_URL = re.compile(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
_KNOWN_CODES = {
    PATIENT_FLAG_CATEGORY: {"NRAF"},
    RA_FLAG_CATEGORY: {f"{n:03d}" for n in range(1, 12)},  # the whole published CodeSystem
    RA_PROXY_ROLE: {code for code, _ in PROXY_ROLES.values()},
    RA_CONSENT_PURPOSE: {"RACONSENT"},
    CONSENT_SCOPE: {"patient-privacy"},
    CONSENT_ACTION: {"collect", "access", "use", "disclose", "correct"},
}
_STATUS = {
    "Flag": {"active", "inactive", "entered-in-error"},
    "Consent": {"draft", "proposed", "active", "rejected", "inactive", "entered-in-error"},
    "Observation": {"registered", "preliminary", "final", "amended"},
}


def validate_bundle(bundle: Any) -> list[str]:
    """Every way `bundle` departs from the structure in FHIR.md, one sentence each (empty: valid)."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        return ['The export is not a FHIR Bundle (resourceType must be "Bundle").']
    problems: list[str] = []
    if bundle.get("type") != "collection":
        problems.append(f'Bundle.type is {bundle.get("type")!r}; Hark writes "collection".')
    if not _INSTANT.fullmatch(str(bundle.get("timestamp", ""))):
        problems.append("Bundle.timestamp is missing or not an instant with a time zone.")
    entries = bundle.get("entry")
    if not isinstance(entries, list) or not entries:
        return [*problems, "Bundle.entry is missing or empty."]
    types: dict[str, str] = {}
    for i, entry in enumerate(entries):
        full_url = entry.get("fullUrl") if isinstance(entry, dict) else None
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(full_url, str) or not _UUID_URL.fullmatch(full_url):
            problems.append(f"entry[{i}].fullUrl must be urn:uuid: and a lower-case UUID.")
        elif full_url in types:
            problems.append(f"entry[{i}].fullUrl {full_url} is used twice.")
        if not isinstance(resource, dict):
            problems.append(f"entry[{i}] has no resource.")
            continue
        if isinstance(full_url, str):
            types[full_url] = str(resource.get("resourceType"))
            if resource.get("id") != full_url.removeprefix("urn:uuid:"):
                problems.append(f"entry[{i}].resource.id must be the UUID of its fullUrl.")
    patients = [url for url, kind in types.items() if kind == "Patient"]
    if len(patients) != 1:
        problems.append(f"The bundle must hold exactly one Patient; it holds {len(patients)}.")
    for i, entry in enumerate(entries):
        if isinstance(entry, dict) and isinstance(entry.get("resource"), dict):
            problems += _check_resource(entry["resource"], f"entry[{i}].resource", types)
    _check_everywhere(bundle, "Bundle", types, problems)
    return problems


def _check_resource(resource: dict[str, Any], at: str, types: dict[str, str]) -> list[str]:
    kind, problems = resource.get("resourceType"), []
    if kind not in ("Patient", "Flag", "Consent", "Observation"):
        return [f"{at}.resourceType {kind!r} is not one Hark exports (Patient, Flag, Consent, Observation)."]
    if kind in _STATUS and resource.get("status") not in _STATUS[kind]:
        problems.append(f"{at}.status {resource.get('status')!r} is not a FHIR R4 {kind} status.")
    subject_key = {"Flag": "subject", "Observation": "subject", "Consent": "patient"}.get(kind)
    if subject_key:
        reference = (resource.get(subject_key) or {}).get("reference")
        if not reference:
            problems.append(f"{at}.{subject_key} is missing: a {kind} must point at the Patient.")
        elif types.get(reference) != "Patient":
            problems.append(f"{at}.{subject_key}.reference {reference} is not the Patient in this bundle.")
    if kind == "Patient":
        if not any(isinstance(n, dict) and n.get("text") for n in resource.get("name") or []):
            problems.append(f"{at}.name needs at least one name with text.")
        if "birthDate" in resource and not _DATE.fullmatch(str(resource["birthDate"])):
            problems.append(f"{at}.birthDate is not a FHIR date (YYYY-MM-DD).")
        for identifier in resource.get("identifier") or []:
            if not identifier.get("system") or not identifier.get("value"):
                problems.append(f"{at}.identifier needs both system and value.")
    elif kind == "Flag":
        systems = [c.get("system") for cat in resource.get("category") or [] for c in cat.get("coding") or []]
        if PATIENT_FLAG_CATEGORY not in systems or RA_FLAG_CATEGORY not in systems:
            problems.append(f"{at}.category needs the NRAF flag category and an RA-FlagCategory code.")
        if not any(c.get("system") == SNOMED for c in (resource.get("code") or {}).get("coding") or []):
            problems.append(f"{at}.code needs a SNOMED CT coding ({SNOMED}).")
    elif kind == "Consent":
        if not resource.get("scope") or not resource.get("category"):
            problems.append(f"{at} needs scope and category.")
        if not _INSTANT.fullmatch(str(resource.get("dateTime", ""))):
            problems.append(f"{at}.dateTime is missing or not a time with a time zone.")
        rules = (resource.get("policyRule") or {}).get("coding") or []
        if not any(c.get("system") == RA_PROXY_ROLE for c in rules):
            problems.append(f"{at}.policyRule needs the RA-ProxyRole code for the basis of the record.")
        for j, rule in enumerate((resource.get("provision") or {}).get("provision") or []):
            if rule.get("type") not in ("permit", "deny"):
                problems.append(f"{at}.provision.provision[{j}].type must be permit or deny.")
    elif kind == "Observation" and not (resource.get("code") or {}).get("text"):
        problems.append(f"{at}.code needs text.")
    return problems


def _check_everywhere(node: Any, at: str, types: dict[str, str], problems: list[str]) -> None:
    """Every reference resolves inside the bundle; every coding from a known system is a known code."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            _check_everywhere(item, f"{at}[{i}]", types, problems)
        return
    if not isinstance(node, dict):
        return
    reference = node.get("reference")
    if isinstance(reference, str) and reference not in types:
        problems.append(f"{at}.reference {reference} does not match any entry's fullUrl.")
    system, code = node.get("system"), node.get("code")
    if isinstance(system, str) and "code" in node:
        if system == SNOMED and not snomed_id_is_well_formed(str(code)):
            problems.append(f"{at}.code {code!r} is not a well-formed SNOMED CT concept id.")
        elif system in _KNOWN_CODES and code not in _KNOWN_CODES[system]:
            problems.append(f"{at}.code {code!r} is not a code of {system}.")
    for key, value in node.items():
        _check_everywhere(value, f"{at}.{key}", types, problems)

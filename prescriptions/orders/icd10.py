"""ICD-10-CM indications offered for the conditions the practice treats.

Codes checked against the FY2026 ICD-10-CM tabular list (effective 2025-10-01). Multiple sclerosis
is G35.x since then: the bare category G35 is no longer billable, so the choices use G35.D
(unspecified) and G35.A (relapsing-remitting)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# An ICD-10-CM code: a letter, a digit, a letter or digit, then optionally a dot and 1–4 more.
ICD10_CM_RE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")

# condition key (patients.models.Condition) → [(code, description)]
CODES_BY_CONDITION: dict[str, list[tuple[str, str]]] = {
    "fibromyalgia": [("M79.7", "Fibromyalgia")],
    "crps": [
        ("G90.50", "Complex regional pain syndrome I, unspecified"),
        ("G90.511", "Complex regional pain syndrome I of right upper limb"),
        ("G90.512", "Complex regional pain syndrome I of left upper limb"),
        ("G90.521", "Complex regional pain syndrome I of right lower limb"),
        ("G90.522", "Complex regional pain syndrome I of left lower limb"),
        ("G90.59", "Complex regional pain syndrome I of other specified site"),
    ],
    "neuropathic": [
        ("G62.9", "Polyneuropathy, unspecified"),
        ("M79.2", "Neuralgia and neuritis, unspecified"),
    ],
    "ms": [
        ("G35.D", "Multiple sclerosis, unspecified"),
        ("G35.A", "Relapsing-remitting multiple sclerosis"),
    ],
    "crohns": [("K50.90", "Crohn's disease, unspecified, without complications")],
    "long_covid": [("U09.9", "Post COVID-19 condition, unspecified")],
    "ra": [("M06.9", "Rheumatoid arthritis, unspecified")],
    "spondylosis": [
        ("M47.9", "Spondylosis, unspecified"),
        ("M47.816", "Spondylosis without myelopathy or radiculopathy, lumbar region"),
    ],
}

COMMON_CODES: dict[str, str] = {code: text for codes in CODES_BY_CONDITION.values() for code, text in codes}


def normalize_code(code: str) -> str:
    return (code or "").strip().upper()


def validate_icd10_code(code: str) -> str:
    code = normalize_code(code)
    if not ICD10_CM_RE.match(code):
        raise ValidationError(
            {"indication_code": f"“{code}” is not an ICD-10-CM code; they look like M79.7 or G90.511."}
        )
    return code


def suggested_codes(conditions: list[str]) -> list[tuple[str, str]]:
    """The usual codes for a patient's conditions first, then the rest of the common list."""
    first = [pair for condition in conditions for pair in CODES_BY_CONDITION.get(condition, [])]
    seen = {code for code, _ in first}
    rest = [(code, text) for code, text in COMMON_CODES.items() if code not in seen]
    return first + rest

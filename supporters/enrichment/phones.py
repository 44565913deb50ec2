"""Phones to E.164 with a line type, offline (Google's libphonenumber metadata)."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType

NAME = "phones"
VERSION = 1

_LINE_TYPES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
}


@dataclass(frozen=True)
class PhoneResult:
    e164: str
    line_type: str  # mobile, landline or unknown
    is_valid: bool


def enrich_phone(number: str, region: str = "US") -> PhoneResult:
    """Parse ``number`` as typed. Invalid numbers are flagged (``is_valid`` False), not dropped."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return PhoneResult(e164="", line_type="unknown", is_valid=False)
    if not phonenumbers.is_valid_number(parsed):
        return PhoneResult(e164="", line_type="unknown", is_valid=False)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    line_type = _LINE_TYPES.get(phonenumbers.number_type(parsed), "unknown")
    return PhoneResult(e164=e164, line_type=line_type, is_valid=True)

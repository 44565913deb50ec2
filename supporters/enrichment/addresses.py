"""US addresses standardized (usaddress) and ZIP codes mapped to place and time zone offline.

The ZIP data ships inside the ``zipcodes`` package: no network lookup, ever.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import usaddress
import zipcodes

NAME = "addresses"
VERSION = 1

# USPS Publication 28 abbreviations for the commonest street suffixes and unit words.
_SUFFIXES = {
    "avenue": "AVE", "av": "AVE", "ave": "AVE", "street": "ST", "st": "ST", "str": "ST",
    "road": "RD", "rd": "RD", "boulevard": "BLVD", "blvd": "BLVD", "drive": "DR", "dr": "DR",
    "lane": "LN", "ln": "LN", "court": "CT", "ct": "CT", "place": "PL", "pl": "PL",
    "terrace": "TER", "ter": "TER", "parkway": "PKWY", "pkwy": "PKWY", "highway": "HWY",
    "hwy": "HWY", "circle": "CIR", "cir": "CIR", "way": "WAY", "square": "SQ", "sq": "SQ",
    "trail": "TRL", "trl": "TRL", "expressway": "EXPY", "plaza": "PLZ",
}  # fmt: skip
_DIRECTIONS = {
    "north": "N", "south": "S", "east": "E", "west": "W", "n": "N", "s": "S", "e": "E",
    "w": "W", "northeast": "NE", "northwest": "NW", "southeast": "SE", "southwest": "SW",
    "ne": "NE", "nw": "NW", "se": "SE", "sw": "SW",
}  # fmt: skip
_UNITS = {
    "apartment": "APT", "apt": "APT", "unit": "UNIT", "suite": "STE", "ste": "STE",
    "floor": "FL", "fl": "FL", "room": "RM", "rm": "RM", "#": "#", "building": "BLDG",
}  # fmt: skip
_ZIP = re.compile(r"^\s*(\d{5})(?:-?(\d{4}))?\s*$")


@dataclass
class AddressResult:
    standardized: dict[str, str] = field(default_factory=dict)
    zip5: str = ""
    county: str = ""
    latitude: float | None = None
    longitude: float | None = None
    time_zone: str = ""
    is_valid: bool = False


@lru_cache(maxsize=50_000)
def zip_place(zip5: str) -> dict[str, str] | None:
    """City, state, county, latitude, longitude and time zone of a 5-digit ZIP, or None."""
    try:
        matches = zipcodes.matching(zip5)
    except (TypeError, ValueError):
        return None
    return matches[0] if matches else None


def _word(value: str, table: dict[str, str]) -> str:
    key = value.lower().rstrip(".")
    return table.get(key, value.upper().rstrip("."))


_FAST_STREET = re.compile(
    r"^(?P<number>\d+[A-Z]?)\s+"
    r"(?:(?P<pre>north|south|east|west|[NSEW])\.?\s+)?"
    r"(?P<name>(?:\d+(?:st|nd|rd|th)|[A-Z][A-Za-z'-]*)(?:\s+[A-Z][A-Za-z'-]*)?)\s+"
    r"(?P<suffix>avenue|ave?|street|str?|road|rd|boulevard|blvd|drive|dr|lane|ln|court|ct|"
    r"place|pl|terrace|ter|parkway|pkwy|way|circle|cir|highway|hwy)\.?"
    r"(?:\s+(?P<post>[NSEW])\.?)?$",
    re.IGNORECASE,
)
_FAST_UNIT = re.compile(
    r"^(?:(?P<kind>apartment|apt|unit|suite|ste|floor|fl|room|rm)\.?\s*#?\s*|#\s*)"
    r"(?P<id>[A-Za-z0-9-]+)$",
    re.IGNORECASE,
)


def _fast_street(line1: str, line2: str) -> dict[str, str] | None:
    """The common "1432 N Ashland Ave" + "Apt 2F" shape without the CRF tagger; else None."""
    street = _FAST_STREET.match(" ".join(line1.replace(",", " ").split()))
    unit = _FAST_UNIT.match(" ".join(line2.split())) if line2.strip() else None
    if street is None or (line2.strip() and unit is None):
        return None
    parts = [street["number"].upper()]
    if street["pre"]:
        parts.append(_word(street["pre"], _DIRECTIONS))
    parts += [street["name"].upper(), _word(street["suffix"], _SUFFIXES)]
    if street["post"]:
        parts.append(_word(street["post"], _DIRECTIONS))
    line2_parts = []
    if unit is not None:
        line2_parts = [_word(unit["kind"], _UNITS) if unit["kind"] else "#", unit["id"].upper()]
    return {"line1": " ".join(parts), "line2": " ".join(line2_parts)}


def standardize_street(line1: str, line2: str = "") -> tuple[dict[str, str], bool]:
    """USPS-style street line and unit from what was typed; (parts, parsed cleanly).

    The commonest shapes take a fast path; anything else goes to usaddress's tagger.
    """
    fast = _fast_street(line1, line2)
    if fast is not None:
        return fast, True
    text = " ".join(f"{line1} {line2}".replace(",", " ").split())
    try:
        tagged, kind = usaddress.tag(text)
    except usaddress.RepeatedLabelError:
        return {}, False
    if kind not in ("Street Address",) or "AddressNumber" not in tagged:
        return {}, False
    street = [tagged.get("AddressNumber", "")]
    for label, table in (
        ("StreetNamePreDirectional", _DIRECTIONS),
        ("StreetNamePreType", {}),
        ("StreetName", {}),
        ("StreetNamePostType", _SUFFIXES),
        ("StreetNamePostDirectional", _DIRECTIONS),
    ):
        if tagged.get(label):
            street.append(_word(tagged[label], table) if table else tagged[label].upper())
    unit = []
    if tagged.get("OccupancyType"):
        unit.append(_word(tagged["OccupancyType"], _UNITS))
    if tagged.get("OccupancyIdentifier"):
        identifier = tagged["OccupancyIdentifier"].upper()
        if identifier.startswith("#") and unit:
            identifier = identifier.lstrip("#")
        unit.append(identifier)
    parts = {"line1": " ".join(p for p in street if p), "line2": " ".join(unit)}
    return parts, True


def enrich_address(
    *, line1: str, line2: str = "", city: str = "", state: str = "", postal_code: str = ""
) -> AddressResult:
    """Standardize a US address as typed and place its ZIP. Unknown ZIPs leave place fields empty."""
    result = AddressResult()
    street, parsed = standardize_street(line1, line2)
    match = _ZIP.match(postal_code or "")
    place = zip_place(match.group(1)) if match else None
    if place is not None:
        result.zip5 = match.group(1)
        result.county = place.get("county", "")
        result.time_zone = place.get("timezone", "")
        try:
            result.latitude = float(place["lat"])
            result.longitude = float(place["long"])
        except (KeyError, TypeError, ValueError):
            pass
    standardized = dict(street)
    standardized["city"] = (place or {}).get("city", "").upper() or city.strip().upper()
    standardized["state"] = (place or {}).get("state", "") or state.strip().upper()
    standardized["zip"] = result.zip5 or (match.group(1) if match else "")
    if match and match.group(2):
        standardized["zip4"] = match.group(2)
    result.standardized = standardized
    state_agrees = not state.strip() or place is None or place.get("state") == state.strip().upper()
    result.is_valid = bool(parsed and place is not None and state_agrees)
    return result

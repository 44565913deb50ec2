"""Doors on the map: households geocoded by the US Census batch geocoder (through
``censusgeocode``) or a Nominatim-style service, in batches of at most 10,000.

A household is the cache: one answer per standardized address, kept with its provenance
(``geocode_source``: which service and what kind of match; ``geocoded_at``) and precision.
Until a geocoder answers — none configured (``GEOCODER=off``), no network, no match, a tie —
the door keeps its ZIP's centre from the offline ``zipcodes`` data, marked precision "zip",
which the map shows as such and drawing cannot split.

Precision: the Census geocoder interpolates along the street's address range, so its matches
are "street"; a Nominatim answer that is a house or building is "rooftop", a street "street".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import requests
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from supporters.models import Household

NAME = "geocoder"
MAX_BATCH = 10_000  # the Census batch service's upper limit per file
RETRY_AFTER = timedelta(days=30)  # an address no one could place is tried again after this
CENSUS_BENCHMARK = "Public_AR_Current"
CENSUS_VINTAGE = "Current_Current"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Placed:
    latitude: float
    longitude: float
    precision: str
    source: str


def households_needing_geocode():
    """Households placed only by their ZIP's centre (or not at all), with a street line, not
    tried in the last ``RETRY_AFTER``."""
    return (
        Household.objects.filter(
            Q(geocode_precision=Household.Precision.ZIP) | Q(geocode_precision="")
        )
        .exclude(line1="")
        .filter(
            Q(geocode_attempted_at__isnull=True)
            | Q(geocode_attempted_at__lt=timezone.now() - RETRY_AFTER)
        )
    )


def _census_batch(households: list[Household]) -> dict[int, Placed]:
    """One file to the Census batch service: ``censusgeocode`` unchanged, pointed at
    ``GEOCODER_URL`` when set (its base, e.g. ``http://127.0.0.1:8765/geocoder``)."""
    from censusgeocode import CensusGeocode

    geocoder = CensusGeocode(benchmark=CENSUS_BENCHMARK, vintage=CENSUS_VINTAGE)
    if settings.GEOCODER_URL:
        geocoder._url = settings.GEOCODER_URL.rstrip("/") + "/{returntype}/{searchtype}"
    rows = geocoder.addressbatch(
        [
            {
                "id": household.pk,
                "street": " ".join(p for p in (household.line1, household.unit) if p),
                "city": household.city,
                "state": household.state,
                "zip": household.zip5,
            }
            for household in households
        ],
        returntype="locations",
        timeout=settings.GEOCODER_TIMEOUT_SECONDS,
    )
    placed = {}
    for row in rows:
        try:
            pk = int(row["id"])
        except (KeyError, TypeError, ValueError):
            continue
        if row.get("match") and row.get("lat") is not None and row.get("lon") is not None:
            kind = (row.get("matchtype") or "match").strip().lower()
            placed[pk] = Placed(
                latitude=row["lat"],
                longitude=row["lon"],
                precision=Household.Precision.STREET,
                source=f"census:{kind}",
            )
    return placed


def _nominatim_one(household: Household) -> Placed | None:
    response = requests.get(
        settings.GEOCODER_URL.rstrip("/") + "/search",
        params={
            "street": " ".join(p for p in (household.line1, household.unit) if p),
            "city": household.city,
            "state": household.state,
            "postalcode": household.zip5,
            "countrycodes": "us",
            "format": "jsonv2",
            "limit": 1,
        },
        headers={"User-Agent": "Earshot geocoder"},
        timeout=settings.GEOCODER_TIMEOUT_SECONDS,
    )
    response.raise_for_status()
    answers = response.json()
    if not answers:
        return None
    best = answers[0]
    rank = int(best.get("place_rank") or 0)
    kind = best.get("addresstype") or best.get("type") or ""
    if rank >= 30 or kind in {"house", "building"}:
        precision = Household.Precision.ROOFTOP
    elif rank >= 26:
        precision = Household.Precision.STREET
    else:
        return None  # a town or a ZIP is no better than what we have
    return Placed(
        latitude=float(best["lat"]),
        longitude=float(best["lon"]),
        precision=precision,
        source=f"nominatim:{kind or rank}",
    )


def _nominatim_batch(households: list[Household]) -> dict[int, Placed]:
    placed = {}
    for household in households:
        answer = _nominatim_one(household)
        if answer is not None:
            placed[household.pk] = answer
    return placed


def geocode_households(household_ids: list[int]) -> tuple[int, int]:
    """Geocode these households (at most ``MAX_BATCH``) with the configured service; returns
    (placed, tried). Safe twice: households already better than a ZIP centre are skipped.
    A service that cannot be reached raises; nothing is marked tried then, so the next run
    tries again, and the doors keep their ZIP centre meanwhile."""
    service = settings.GEOCODER
    if service == "off":
        return 0, 0
    households = list(households_needing_geocode().filter(pk__in=household_ids[:MAX_BATCH]))
    if not households:
        return 0, 0
    if service == "census":
        placed = _census_batch(households)
    elif service == "nominatim":
        if not settings.GEOCODER_URL:
            raise ValueError("GEOCODER=nominatim needs GEOCODER_URL (the service's address).")
        placed = _nominatim_batch(households)
    else:
        raise ValueError(f"Unknown GEOCODER {service!r}: use census, nominatim or off.")
    now = timezone.now()
    for household in households:
        household.geocode_attempted_at = now
        answer = placed.get(household.pk)
        if answer is not None:
            household.latitude, household.longitude = answer.latitude, answer.longitude
            household.geocode_precision, household.geocode_source = answer.precision, answer.source
            household.geocoded_at = now
    Household.objects.bulk_update(
        households,
        [
            "latitude",
            "longitude",
            "geocode_precision",
            "geocode_source",
            "geocoded_at",
            "geocode_attempted_at",
        ],
        batch_size=1000,
    )
    # The same address in households made by a split takes the same answer.
    answered = {h.address_key: h for h in households if h.pk in placed and h.address_key}
    siblings = list(
        Household.objects.filter(
            address_key__in=list(answered), geocode_precision=Household.Precision.ZIP
        )
    )
    for sibling in siblings:
        source = answered[sibling.address_key]
        sibling.latitude, sibling.longitude = source.latitude, source.longitude
        sibling.geocode_precision, sibling.geocode_source = (
            source.geocode_precision,
            source.geocode_source,
        )
        sibling.geocoded_at = sibling.geocode_attempted_at = now
    Household.objects.bulk_update(
        siblings,
        [
            "latitude",
            "longitude",
            "geocode_precision",
            "geocode_source",
            "geocoded_at",
            "geocode_attempted_at",
        ],
    )
    return len(placed), len(households)

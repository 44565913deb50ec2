"""The geocoder enricher against a local fake of the Census batch service (never the
internet), with ``censusgeocode`` unchanged pointed at it."""

from __future__ import annotations

import socket

import pytest

from supporters.enrichment import geocoder
from supporters.models import Household
from supporters.tasks import household_geocode_task
from tests.canvass.helpers import person_at
from tests.fakes.census_geocoder import FakeCensusGeocoder


@pytest.fixture
def doors(organizer, eastside):
    return {
        "match": person_at(organizer, eastside, "Ana", "11 W Division St").household,
        "none": person_at(organizer, eastside, "Ben", "99 Nowhere Rd").household,
        "tie": person_at(organizer, eastside, "Cy", "1 Main St").household,
    }


def test_households_start_at_their_zip_centre_flagged_as_such(doors):
    household = doors["match"]
    assert household.geocode_precision == Household.Precision.ZIP
    assert household.geocode_source == "zipcodes"
    assert household.latitude is not None


def test_census_batch_places_matches_and_leaves_no_match_and_ties_at_the_zip(settings, doors):
    with FakeCensusGeocoder({"11 W DIVISION ST": (-87.6301, 41.9035), "1 MAIN ST": "Tie"}) as fake:
        settings.GEOCODER, settings.GEOCODER_URL = "census", fake.url
        placed, tried = geocoder.geocode_households([h.pk for h in doors.values()])
    assert (placed, tried) == (1, 3)
    sent = fake.requests[0]
    assert sent["path"] == "/geocoder/locations/addressbatch"
    assert sent["form"]["benchmark"] == "Public_AR_Current"
    assert sorted(row[1] for row in sent["rows"]) == [
        "1 MAIN ST",
        "11 W DIVISION ST",
        "99 NOWHERE RD",
    ]
    match = Household.objects.get(pk=doors["match"].pk)
    assert (match.latitude, match.longitude) == (41.9035, -87.6301)
    assert (match.geocode_precision, match.geocode_source) == ("street", "census:exact")
    assert match.geocoded_at is not None
    for key in ("none", "tie"):
        left = Household.objects.get(pk=doors[key].pk)
        assert left.geocode_precision == "zip" and left.geocode_source == "zipcodes"
        assert left.geocode_attempted_at is not None
    # Tried once: a second run asks nothing (the household is the cache).
    with FakeCensusGeocoder({}) as again:
        settings.GEOCODER_URL = again.url
        assert geocoder.geocode_households([h.pk for h in doors.values()]) == (0, 0)
    assert again.requests == []


def test_batches_never_exceed_the_limit(settings, doors, monkeypatch):
    assert geocoder.MAX_BATCH == 10_000  # the Census batch service's limit per file
    monkeypatch.setattr(geocoder, "MAX_BATCH", 2)
    with FakeCensusGeocoder({}) as fake:
        settings.GEOCODER, settings.GEOCODER_URL = "census", fake.url
        geocoder.geocode_households([h.pk for h in doors.values()])
    assert len(fake.requests[0]["rows"]) == 2


def test_an_unreachable_geocoder_leaves_the_zip_centre_and_tries_again_later(settings, doors):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.GEOCODER, settings.GEOCODER_URL = "census", f"http://127.0.0.1:{port}/geocoder"
    assert household_geocode_task() == 0
    household = Household.objects.get(pk=doors["match"].pk)
    assert household.geocode_precision == "zip" and household.geocode_attempted_at is None


def test_geocoder_off_keeps_everything_offline(settings, doors):
    settings.GEOCODER = "off"
    assert geocoder.geocode_households([h.pk for h in doors.values()]) == (0, 0)

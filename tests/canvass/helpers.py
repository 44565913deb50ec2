"""People at addresses, enriched as the worker would, for the canvassing tests."""

from __future__ import annotations

from supporters.enrichment.pipeline import enrich_supporters
from supporters.models import Household, Supporter
from supporters.services import supporter_create


def person_at(actor, team, given, line1, *, line2="", zip5="60622", family="Doe", point=None):
    """A supporter living at ``line1`` (Chicago ZIP by default), enriched so they have a
    household; ``point`` (lat, lon) places the household as a geocoder would, on the street."""
    supporter = supporter_create(
        actor=actor,
        team=team,
        given_name=given,
        family_name=family,
        address={
            "line1": line1,
            "line2": line2,
            "city": "Chicago",
            "state": "IL",
            "postal_code": zip5,
        },
    )
    enrich_supporters([supporter.pk])
    supporter.refresh_from_db()
    if point is not None:
        Household.objects.filter(pk=supporter.household_id).update(
            latitude=point[0],
            longitude=point[1],
            geocode_precision=Household.Precision.STREET,
            geocode_source="test",
        )
    return Supporter.objects.select_related("household").get(pk=supporter.pk)

"""Building call lists for tests: people with phones and time zones, through the services."""

from __future__ import annotations

from datetime import datetime, time

from django.utils import timezone

from calling.services import call_list_create
from supporters.models import SupporterEnrichment, SupporterPhone
from tests.factories import SupporterFactory

SCRIPT = "Hi {first_name}, this is {caller_name} with Eastside Neighbors."


def person(team, *, phone: str | None = "312-555-0100", zone: str = "", **fields):
    supporter = SupporterFactory(team=team, **fields)
    if phone:
        SupporterPhone.objects.create(supporter=supporter, number=phone, is_primary=True)
    if zone:
        SupporterEnrichment.objects.create(
            supporter=supporter, time_zone=zone, enriched_at=timezone.now()
        )
    return supporter


def call_list(actor, team, **options):
    options.setdefault("name", "Rent campaign calls")
    options.setdefault("scripts", {"en": SCRIPT})
    options.setdefault("calling_starts", time(0, 0))
    options.setdefault("calling_ends", time(23, 59, 59))
    options.setdefault("recent_days", 0)
    return call_list_create(actor=actor, team=team, **options)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)

"""Server time for a long history: the history page and the brief of a supporter with 500
timeline events, beside one indexed query for the same page of events on the same data."""

from __future__ import annotations

import uuid
from datetime import timedelta


def run(*, line, timed, team, volunteer) -> None:
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from conversations.models import Issue
    from conversations.services import conversation_log
    from organizing.roles import SYSTEM
    from supporters.models import HistoryEvent, Supporter
    from supporters.services import assignment_create

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Pages render without a collectstatic run (as in the tests); the manifest is deploy-time.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    supporter = Supporter.objects.create(given_name="Long", family_name="History", team=team)
    assignment_create(actor=SYSTEM, supporter=supporter, volunteer=volunteer)
    rent = Issue.objects.create(name="Rent (bench)")
    now = timezone.now()
    n = 0
    while HistoryEvent.objects.filter(supporter=supporter).count() < 500:
        conversation_log(
            actor=volunteer,
            supporter=supporter,
            client_uuid=uuid.uuid4(),
            channel="door",
            outcome="talked",
            heard=f"Conversation {n}: rent is up again and the landlord won't fix the heat.",
            happened_at=now - timedelta(hours=n),
            issues=[rent],
            remember=[(f"Detail number {n}", n % 9 == 0)],
            followup=(now + timedelta(days=n), f"Reason {n}"),
        )
        n += 1
    events = HistoryEvent.objects.filter(supporter=supporter).count()

    client = Client()
    client.force_login(volunteer)
    history_url = reverse("conversations:history", args=[supporter.pk])
    brief_url = reverse("conversations:brief", args=[supporter.pk])
    assert client.get(history_url).status_code == 200

    def one_indexed_query():
        list(HistoryEvent.objects.filter(supporter=supporter).order_by("-at", "-id")[:50])

    reference = timed(one_indexed_query, repeat=25) * 1000
    for label, url in (("history page", history_url), ("brief", brief_url)):
        server = timed(lambda url=url: client.get(url), repeat=25) * 1000
        line(
            f"{label} of a supporter with {events} events, server time",
            server,
            "ms",
            reference,
            "one indexed query (50 events)",
            reference / server,
        )

"""Match-then-create, atomically: identical requests racing each other store one person.

Real threads, each with its own PostgreSQL connection, against the real database (a
transactional test, so every request commits). Without the advisory lock, 20 identical OSDI
signups stored two or more people in most bursts.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, transaction

from organizing.dispatch import advisory_xact_lock
from supporters.models import Supporter, SupporterEmail
from supporters.services import (
    supporter_create,
    supporter_identity_keys,
    supporter_match_or_create,
)
from tests.organizing.test_osdi import osdi_client, signup

RACERS = 20


def _race(work) -> list:
    """Run ``work()`` in RACERS threads released together; their results, in any order."""
    barrier = threading.Barrier(RACERS)
    results: list = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            results.append(work())
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(results) == RACERS
    return results


@pytest.mark.django_db(transaction=True)
def test_twenty_identical_concurrent_signups_store_one_person(organizer, eastside):
    clients = [osdi_client(organizer) for _ in range(RACERS)]
    handed = iter(clients)
    lock = threading.Lock()

    def one_signup():
        with lock:
            client = next(handed)
        return signup(
            client,
            given_name="Ana",
            family_name="Ruiz",
            email_addresses=[{"address": "ana@example.org"}],
            phone_numbers=[{"number": "(512) 555-0100"}],
        ).status_code

    statuses = _race(one_signup)

    assert Counter(statuses) == {201: 1, 200: RACERS - 1}
    assert Supporter.objects.count() == 1
    assert SupporterEmail.objects.filter(address__iexact="ana@example.org").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_service_matches_other_spellings_of_the_same_email_under_one_lock(organizer, eastside):
    spellings = iter(["Ana@Example.org", " ana@example.org", "ANA@EXAMPLE.ORG"] * 7)
    lock = threading.Lock()

    def one_call():
        with lock:
            email = next(spellings)
        _supporter, created = supporter_match_or_create(
            actor=organizer,
            emails=[email],
            phones=[],
            write=lambda match: (
                match
                or supporter_create(
                    actor=organizer, team=eastside, given_name="Ana", email=email.strip()
                )
            ),
        )
        return created

    assert Counter(_race(one_call)) == {True: 1, False: RACERS - 1}
    assert Supporter.objects.count() == 1


def test_identity_keys_are_normalized_and_sorted():
    assert supporter_identity_keys(
        emails=[" Ana@Example.org", "", "ana@example.org"], phones=["(512) 555-0100", "--"]
    ) == [
        "supporter-identity:email:ana@example.org",
        "supporter-identity:phone:5125550100",
    ]


@pytest.mark.django_db(transaction=True)
def test_the_blocking_lock_needs_a_transaction():
    with transaction.atomic():
        advisory_xact_lock("supporter-identity:email:ana@example.org")
    with pytest.raises(RuntimeError):
        advisory_xact_lock("supporter-identity:email:ana@example.org")

"""Constraints on supporters and their contact points."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from supporters.models import (
    DoNotContact,
    ExternalId,
    Relationship,
    Supporter,
    SupporterEmail,
    SupporterPhone,
)
from tests.factories import SupporterFactory, UserFactory

pytestmark = pytest.mark.django_db


def refused(**kwargs):
    return pytest.raises(IntegrityError, **kwargs)


@pytest.mark.parametrize("level", [0, 6])
def test_support_level_is_one_to_five(level):
    with refused(), transaction.atomic():
        SupporterFactory(support_level=level)


def test_support_level_may_be_unknown():
    assert SupporterFactory(support_level=None).support_level is None


def test_a_supporter_needs_some_name():
    with refused(), transaction.atomic():
        SupporterFactory(given_name="", family_name="", preferred_name="")
    assert (
        SupporterFactory(given_name="", family_name="", preferred_name="Tía Rosa").display_name
        == "Tía Rosa"
    )


def test_one_primary_email_and_phone_each():
    supporter = SupporterFactory()
    SupporterEmail.objects.create(supporter=supporter, address="a@example.org", is_primary=True)
    SupporterEmail.objects.create(supporter=supporter, address="b@example.org", is_primary=False)
    with refused(), transaction.atomic():
        SupporterEmail.objects.create(supporter=supporter, address="c@example.org", is_primary=True)
    SupporterPhone.objects.create(supporter=supporter, number="312-555-0100", is_primary=True)
    with refused(), transaction.atomic():
        SupporterPhone.objects.create(supporter=supporter, number="312-555-0199", is_primary=True)


def test_same_email_twice_on_one_person_is_refused_whatever_the_case():
    supporter = SupporterFactory()
    SupporterEmail.objects.create(supporter=supporter, address="Maria@Example.org")
    with refused(), transaction.atomic():
        SupporterEmail.objects.create(supporter=supporter, address="maria@example.org")


def test_external_ids_are_unique_per_system():
    first, second = SupporterFactory(), SupporterFactory()
    ExternalId.objects.create(supporter=first, system="van", value="100234")
    ExternalId.objects.create(
        supporter=second, system="voter_file", value="100234"
    )  # other system: fine
    with refused(), transaction.atomic():
        ExternalId.objects.create(supporter=second, system="van", value="100234")


def test_do_not_contact_once_per_channel_and_respected_by_contactable_by():
    supporter, other = SupporterFactory(), SupporterFactory()
    DoNotContact.objects.create(supporter=supporter, channel="call", set_by=UserFactory())
    with refused(), transaction.atomic():
        DoNotContact.objects.create(supporter=supporter, channel="call")
    assert set(Supporter.objects.contactable_by("call")) == {other}
    assert set(Supporter.objects.contactable_by("text")) == {supporter, other}


def test_relationship_has_exactly_one_counterpart():
    supporter, other = SupporterFactory(), SupporterFactory()
    with refused(), transaction.atomic():
        Relationship.objects.create(supporter=supporter, kind="friend")
    with refused(), transaction.atomic():
        Relationship.objects.create(
            supporter=supporter, known_by=UserFactory(), other_supporter=other, kind="friend"
        )
    with refused(), transaction.atomic():
        Relationship.objects.create(supporter=supporter, other_supporter=supporter, kind="family")
    Relationship.objects.create(supporter=supporter, other_supporter=other, kind="household")
    with refused(), transaction.atomic():
        Relationship.objects.create(supporter=supporter, other_supporter=other, kind="family")


def test_user_emails_are_unique_whatever_the_case():
    UserFactory(email="dana@example.org")
    with refused(), transaction.atomic():
        UserFactory(email="DANA@example.org")

"""factory_boy factories for the models tests touch most."""

from __future__ import annotations

import uuid

import factory
from django.utils import timezone

from conversations.models import Conversation, FollowUp, Note
from organizing.models import Invitation, Membership, Team, User
from supporters.models import Assignment, Relationship, Supporter


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = Membership.Role.VOLUNTEER


class SupporterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supporter

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    team = factory.SubFactory(TeamFactory)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    supporter = factory.SubFactory(SupporterFactory)
    volunteer = factory.SubFactory(UserFactory)


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relationship

    supporter = factory.SubFactory(SupporterFactory)
    known_by = factory.SubFactory(UserFactory)
    kind = Relationship.Kind.FRIEND


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    supporter = factory.SubFactory(SupporterFactory)
    volunteer = factory.SubFactory(UserFactory)
    channel = Conversation.Channel.DOOR
    outcome = Conversation.Outcome.TALKED
    heard = "Worried about rent going up again."
    client_uuid = factory.LazyFunction(uuid.uuid4)


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    supporter = factory.SubFactory(SupporterFactory)
    author = factory.SubFactory(UserFactory)
    kind = Note.Kind.REMEMBER
    body = "Son is an Iraq war veteran"


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    supporter = factory.SubFactory(SupporterFactory)
    assignee = factory.SubFactory(UserFactory)
    due_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=2))
    reason = "Retry door knock"


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    team = factory.SubFactory(TeamFactory)
    role = Membership.Role.VOLUNTEER


def enriched_active_volunteer(team, **fields) -> Supporter:
    """Someone the enrichment worker computes as an Active volunteer (two events attended,
    strong support), enriched as the worker would."""
    from supporters.enrichment.pipeline import enrich_supporters

    person = SupporterFactory(team=team, support_level=1, **fields)
    ConversationFactory.create_batch(2, supporter=person, channel="event", outcome="talked")
    enrich_supporters([person.pk])
    person.refresh_from_db()
    return person

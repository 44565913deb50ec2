"""factory_boy factories for the models tests touch most."""

from __future__ import annotations

import uuid

import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.utils import timezone

from conversations.models import Conversation, FollowUp, Note
from organizing.models import Invitation, Membership, Team, User
from organizing.roles import user_must_have_mfa
from supporters.models import Assignment, Relationship, Supporter

# Every user whose role needs a second factor gets an authenticator app with this secret
# (pass ``mfa=False`` for one who has none); ``totp_code()`` is what the app shows now.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TOTP_SECRET, *, offset: int = 0) -> str:
    """The code an authenticator app shows now (``offset`` periods later or earlier)."""
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def mfa_add(user, secret: str = TOTP_SECRET) -> Authenticator:
    return TOTP.activate(user, secret).instance


def _ensure_mfa(user, wanted) -> None:
    if wanted is False:
        return
    user.__dict__.pop("_earshot_memberships", None)
    needed = wanted or user_must_have_mfa(user)
    # Roles are read afresh later: the membership being made is not in this cache yet.
    user.__dict__.pop("_earshot_memberships", None)
    if needed and not Authenticator.objects.filter(user=user, type="totp").exists():
        mfa_add(user)


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

    @factory.post_generation
    def mfa(obj, create, extracted, **kwargs):
        """Staff and superusers get an authenticator app unless ``mfa=False``."""
        if create:
            _ensure_mfa(obj, extracted)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = Membership.Role.VOLUNTEER

    @factory.post_generation
    def mfa(obj, create, extracted, **kwargs):
        """A role that needs a second factor comes with an authenticator app, unless
        ``mfa=False`` (the user has none yet)."""
        if create:
            _ensure_mfa(obj.user, extracted)


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

"""Property: after any sequence of writes through the services, with every rollup task
delivered (some twice, in any order), the rollups give the figures the raw tables give —
before any re-derivation, and again after one. Each seed is one random history."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta
from functools import partial

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from conversations.models import Conversation, FollowUp, Suggestion
from conversations.services import (
    conversation_create,
    followup_complete,
    followup_create,
    note_create,
    suggestion_confirm,
    suggestion_dismiss,
)
from metrics.figures import Scope, figures_from_raw, summary
from metrics.models import RollupEvent
from metrics.rollups import rollup_event_apply, rollup_rederive
from metrics.tasks import rollup_event_apply_task
from organizing.dispatch import send_now
from organizing.models import AuditEvent, Membership
from supporters.models import Supporter
from supporters.services import relationship_create, supporter_create, supporter_update
from tests.factories import MembershipFactory, UserFactory

START = date(2026, 10, 26)


def _moment(rng: random.Random) -> datetime:
    day = START + timedelta(days=rng.randrange(28))
    return datetime.combine(day, time(rng.randrange(7, 21)), tzinfo=timezone.get_current_timezone())


def _deliver(callbacks, rng: random.Random) -> int:
    """Run the rollup tasks the writes enqueued: shuffled, a third of them twice."""
    deliveries = [
        cb.args[1:]
        for cb in callbacks
        if isinstance(cb, partial) and cb.func is send_now and cb.args[0] is rollup_event_apply_task
    ]
    deliveries += [d for d in deliveries if rng.random() < 0.33]
    rng.shuffle(deliveries)
    for supporter_id, key in deliveries:
        rollup_event_apply(supporter_id=supporter_id, event_key=key)
    return len(deliveries)


SCOPES = [
    (None, START, START + timedelta(days=27)),  # four weeks
    (None, START + timedelta(days=3), START + timedelta(days=10)),  # across a week's end
    (None, START + timedelta(days=7), START + timedelta(days=13)),  # one week
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_equal_the_raw_figures_after_random_writes_and_duplicates(
    seed, eastside, westside, organizer, django_capture_on_commit_callbacks
):
    rng = random.Random(seed)
    volunteers = [UserFactory() for _ in range(3)]
    MembershipFactory(user=volunteers[0], team=eastside, role=Membership.Role.VOLUNTEER)
    MembershipFactory(user=volunteers[1], team=westside, role=Membership.Role.VOLUNTEER)
    MembershipFactory(user=volunteers[2], team=eastside, role=Membership.Role.ORGANIZER)
    MembershipFactory(user=volunteers[2], team=westside, role=Membership.Role.ORGANIZER)
    staff = UserFactory()
    MembershipFactory(user=staff, team=eastside, role=Membership.Role.ADMIN)
    with django_capture_on_commit_callbacks() as callbacks:
        people = [
            supporter_create(actor=staff, team=rng.choice([eastside, westside]), given_name=f"P{n}")
            for n in range(8)
        ]
        conversations: list[Conversation] = []
        followups: list[FollowUp] = []
        for _step in range(70):
            person = rng.choice(people)
            volunteer = rng.choice(volunteers)
            action = rng.random()
            if action < 0.4:
                happened = _moment(rng)
                if rng.random() < 0.5:
                    viewed = AuditEvent.objects.create(
                        actor=volunteer,
                        action="supporter.brief_viewed",
                        object_type=ContentType.objects.get_for_model(Supporter),
                        object_id=str(person.pk),
                    )
                    AuditEvent.objects.filter(pk=viewed.pk).update(
                        at=happened - timedelta(hours=rng.choice([1, 5, 30]))
                    )
                conversation, _ = conversation_create(
                    actor=staff,
                    supporter=person,
                    client_uuid=uuid.uuid4(),
                    channel=rng.choice(["door", "phone", "relational"]),
                    outcome=rng.choice(["talked", "talked", "not_home"]),
                    happened_at=happened,
                )
                Conversation.objects.filter(pk=conversation.pk).update(volunteer=volunteer)
                conversations.append(conversation)
            elif action < 0.5 and conversations:
                conversation = rng.choice(conversations)
                note_create(
                    actor=staff,
                    supporter=conversation.supporter,
                    body=f"remember {rng.random()}",
                    kind="remember",
                    conversation=conversation,
                )
            elif action < 0.57 and conversations:
                conversation = rng.choice(conversations)
                suggestion = Suggestion.objects.create(
                    supporter=conversation.supporter,
                    conversation=conversation,
                    category="family",
                    text=f"s{rng.random()}",
                    enricher="test",
                )
                (suggestion_confirm if rng.random() < 0.5 else suggestion_dismiss)(
                    suggestion=suggestion, actor=staff
                )
            elif action < 0.72:
                followup, _ = followup_create(
                    actor=staff,
                    supporter=person,
                    assignee=None,
                    due_at=_moment(rng),
                    reason=f"call {rng.random()}",
                )
                # Given to a volunteer of any team (the activity is their team's).
                FollowUp.objects.filter(pk=followup.pk).update(
                    assignee=rng.choice([volunteer, None])
                )
                followups.append(followup)
            elif action < 0.82 and followups:
                followup = rng.choice(followups)
                followup_complete(
                    actor=staff,
                    followup=followup,
                    status=rng.choice(["done", "done", "cancelled"]),
                    at=followup.due_at + timedelta(days=rng.randrange(4)),
                )
            elif action < 0.92:
                supporter_update(
                    actor=staff,
                    supporter=Supporter.objects.get(pk=person.pk),
                    engagement_level=rng.choice([None, 1, 2, 3, 4]),
                    at=_moment(rng),
                )
            else:
                relationship_create(
                    actor=staff, supporter=person, kind="friend", known_by=volunteer
                )
    assert _deliver(callbacks, rng) > 0
    assert RollupEvent.objects.exists()
    teams = [None, (eastside.pk,), (westside.pk,), (eastside.pk, westside.pk)]
    for team_ids in teams:
        for _, start, end in SCOPES:
            scope = Scope(team_ids, start, end)
            assert summary(scope) == figures_from_raw(scope), (team_ids, start, end)
    volunteer_scope = Scope(None, SCOPES[0][1], SCOPES[0][2], volunteer_id=volunteers[2].pk)
    assert summary(volunteer_scope) == figures_from_raw(volunteer_scope)
    before = {(t, s, e): summary(Scope(t, s, e)) for t in teams for _, s, e in SCOPES}
    assert rollup_rederive() == len(people)
    for (team_ids, start, end), figures in before.items():
        assert summary(Scope(team_ids, start, end)) == figures

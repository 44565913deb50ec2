"""Listening and scheduling in the database: suggestions, issues, rules, digest, escalation."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from conversations.listening import rules as listening
from conversations.models import (
    Conversation,
    DigestSent,
    FollowUp,
    FollowUpRule,
    Issue,
    IssueMention,
    IssuePhrase,
    Suggestion,
)
from conversations.services import conversation_create, followup_create
from conversations.tasks import (
    conversation_listen_sweep_task,
    conversation_listen_task,
    followup_digest_task,
    followup_escalate_overdue_task,
    followup_notify_due_task,
)
from organizing.roles import SYSTEM
from supporters.models import HistoryEvent, SupporterAddress, SupporterPhone
from supporters.services import consent_set
from tests.factories import (
    AssignmentFactory,
    ConversationFactory,
    NoteFactory,
    RelationshipFactory,
    SupporterFactory,
)

pytestmark = pytest.mark.django_db

VETERAN = "Her son is an Iraq war veteran and she's worried about wait times at the VA."


@pytest.fixture
def maria(eastside):
    supporter = SupporterFactory(team=eastside, given_name="Maria", family_name="Delgado")
    SupporterPhone.objects.create(supporter=supporter, number="(773) 555-0142", is_primary=True)
    SupporterAddress.objects.create(
        supporter=supporter, line1="1432 N Ashland Ave", postal_code="60622", is_primary=True
    )
    return supporter


def _talk(supporter, volunteer, *, outcome="talked", heard="", channel="door", **fields):
    return ConversationFactory(
        supporter=supporter,
        volunteer=volunteer,
        outcome=outcome,
        heard=heard,
        channel=channel,
        **fields,
    )


def test_listening_suggests_things_to_remember_with_provenance(maria, volunteer):
    talk = _talk(maria, volunteer, heard=VETERAN)
    assert conversation_listen_task(talk.pk) is True

    suggestion = Suggestion.objects.get(supporter=maria)
    assert suggestion.text == "Son is an Iraq war veteran"
    assert suggestion.category == Suggestion.Category.MILITARY
    assert suggestion.status == Suggestion.Status.SUGGESTED
    assert suggestion.evidence == VETERAN
    assert (suggestion.enricher, suggestion.version) == (listening.ENRICHER, listening.VERSION)
    assert suggestion.conversation == talk
    line = HistoryEvent.objects.get(supporter=maria, kind=HistoryEvent.Kind.SUGGESTION)
    assert line.actor is None
    assert line.details["enricher"] == listening.ENRICHER
    talk.refresh_from_db()
    assert talk.heard == VETERAN
    assert talk.listening_version == listening.VERSION
    assert talk.listened_at is not None
    assert talk.sentiment is not None


def test_listen_task_runs_twice_and_acts_once(maria, volunteer):
    talk = _talk(maria, volunteer, outcome="not_home", heard=VETERAN)
    assert conversation_listen_task(talk.pk) is True
    assert conversation_listen_task(talk.pk) is False
    assert Suggestion.objects.count() == 1
    assert FollowUp.objects.count() == 1
    assert HistoryEvent.objects.filter(kind=HistoryEvent.Kind.SUGGESTION).count() == 1


def test_the_same_thing_heard_again_is_not_suggested_again_even_when_dismissed(maria, volunteer):
    conversation_listen_task(_talk(maria, volunteer, heard=VETERAN).pk)
    Suggestion.objects.update(status="dismissed", decided_at=timezone.now())
    conversation_listen_task(_talk(maria, volunteer, heard=VETERAN).pk)
    assert Suggestion.objects.count() == 1


def test_issue_heard_through_an_organizer_phrase(maria, volunteer):
    housing = Issue.objects.create(name="Rent and housing")
    IssuePhrase.objects.create(issue=housing, phrase="landlord")
    Issue.objects.create(name="Transit")
    talk = _talk(maria, volunteer, heard="Landlord won't fix the heat.")
    conversation_listen_task(talk.pk)
    mention = IssueMention.objects.get(conversation=talk)
    assert (mention.issue, mention.phrase) == (housing, "landlord")
    assert talk.issues.count() == 0  # what a person picked stays theirs


def test_not_home_schedules_a_retry_in_two_days_for_the_volunteer_who_knows_them(
    maria, volunteer, teammate
):
    RelationshipFactory(supporter=maria, known_by=teammate)
    talk = _talk(maria, volunteer, outcome="not_home")
    conversation_listen_task(talk.pk)

    followup = FollowUp.objects.get(supporter=maria)
    assert followup.assignee == teammate
    assert followup.source_rule == "rule:not_home"
    assert followup.source_conversation == talk
    assert followup.channel == "visit"
    assert followup.due_at == talk.happened_at + timedelta(hours=48)


def test_without_a_relationship_the_last_volunteer_gets_it(maria, volunteer):
    talk = _talk(maria, volunteer, outcome="not_home")
    conversation_listen_task(talk.pk)
    assert FollowUp.objects.get().assignee == volunteer


def test_without_any_volunteer_the_team_organizer_gets_it(maria, organizer):
    talk = _talk(maria, None, outcome="not_home")
    conversation_listen_task(talk.pk)
    assert FollowUp.objects.get().assignee == organizer


def test_callback_is_scheduled_at_the_asked_time_in_their_time_zone(maria, volunteer):
    # A Thursday, 4 pm in Chicago (Maria's ZIP); her time zone comes from enrichment.
    from supporters.enrichment.pipeline import enrich_supporters

    enrich_supporters([maria.pk])
    now = timezone.now()
    talk = _talk(
        maria,
        volunteer,
        outcome="callback_requested",
        channel="phone",
        heard="Call me back tomorrow after 5",
        happened_at=now,
    )
    conversation_listen_task(talk.pk)
    followup = FollowUp.objects.get()
    local = followup.due_at.astimezone(__import__("zoneinfo").ZoneInfo("America/Chicago"))
    assert (local.hour, local.minute) == (17, 0)
    assert local.date() == (now.astimezone(local.tzinfo) + timedelta(days=1)).date()
    assert followup.channel == "call"


def test_refused_schedules_nothing(maria, volunteer):
    conversation_listen_task(_talk(maria, volunteer, outcome="refused").pk)
    assert not FollowUp.objects.exists()


def test_undecided_gets_a_week_and_supporter_gets_nothing(maria, volunteer):
    maria.support_level = 3
    maria.save()
    talk = _talk(maria, volunteer)
    conversation_listen_task(talk.pk)
    assert FollowUp.objects.get().due_at == talk.happened_at + timedelta(days=7)
    other = SupporterFactory(team=maria.team, support_level=1)
    conversation_listen_task(_talk(other, volunteer).pk)
    assert FollowUp.objects.count() == 1


def test_moved_is_flagged_for_data_staff(maria, volunteer, data_staff):
    conversation_listen_task(_talk(maria, volunteer, outcome="moved").pk)
    followup = FollowUp.objects.get()
    assert followup.assignee == data_staff
    assert followup.reason == "Moved: update their address"


def test_rules_are_data_an_organizer_can_change(maria, volunteer):
    FollowUpRule.objects.filter(trigger="not_home").update(delay_hours=24 * 5, reason="Knock again")
    talk = _talk(maria, volunteer, outcome="not_home")
    conversation_listen_task(talk.pk)
    followup = FollowUp.objects.get()
    assert (followup.reason, followup.due_at) == (
        "Knock again",
        talk.happened_at + timedelta(days=5),
    )


def test_never_on_a_channel_they_said_no_to(maria, volunteer):
    consent_set(actor=SYSTEM, supporter=maria, channel="visit")
    conversation_listen_task(_talk(maria, volunteer, outcome="not_home").pk)
    assert FollowUp.objects.get().channel == "call"


def test_no_follow_up_when_every_channel_is_refused(maria, volunteer):
    for channel in ("visit", "call", "text", "email"):
        consent_set(actor=SYSTEM, supporter=maria, channel=channel)
    conversation_listen_task(_talk(maria, volunteer, outcome="not_home").pk)
    assert not FollowUp.objects.exists()


def test_rule_adds_nothing_when_the_volunteer_chose_a_follow_up_from_the_same_conversation(
    maria, volunteer
):
    AssignmentFactory(supporter=maria, volunteer=volunteer)
    talk = _talk(maria, volunteer, outcome="callback_requested", heard="call back next week")
    followup_create(
        actor=volunteer,
        supporter=maria,
        assignee=volunteer,
        due_at=timezone.now() + timedelta(days=3),
        reason="Call back Friday",
        source_conversation=talk,
    )
    conversation_listen_task(talk.pk)
    assert FollowUp.objects.count() == 1


def test_never_two_open_follow_ups_for_the_same_reason(maria, volunteer):
    conversation_listen_task(_talk(maria, volunteer, outcome="not_home").pk)
    conversation_listen_task(_talk(maria, volunteer, outcome="not_home").pk)
    assert FollowUp.objects.filter(status="open").count() == 1


def test_an_old_or_superseded_conversation_schedules_nothing(maria, volunteer):
    old = _talk(
        maria, volunteer, outcome="not_home", happened_at=timezone.now() - timedelta(days=30)
    )
    conversation_listen_task(old.pk)
    earlier = _talk(
        maria, volunteer, outcome="not_home", happened_at=timezone.now() - timedelta(hours=3)
    )
    _talk(maria, volunteer, outcome="refused")
    conversation_listen_task(earlier.pk)
    assert not FollowUp.objects.exists()


def test_conversation_create_enqueues_listening_after_commit(
    maria, volunteer, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        "organizing.dispatch.send_now",
        # The depth-of-listening rollups hear every write too (metrics); not this test's.
        lambda task, *args: task.name.startswith("metrics.") or sent.append((task.name, args)),
    )
    AssignmentFactory(supporter=maria, volunteer=volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        talk, created = conversation_create(
            actor=volunteer,
            supporter=maria,
            client_uuid=uuid.uuid4(),
            channel="door",
            outcome="talked",
        )
    assert created
    assert sent == [("conversations.tasks.conversation_listen_task", (talk.pk,))]


def test_listen_sweep_enqueues_only_unheard_conversations(maria, volunteer, monkeypatch):
    sent = []
    monkeypatch.setattr(
        "conversations.tasks.send_now", lambda task, *args: sent.append(args) or True
    )
    heard, unheard = _talk(maria, volunteer), _talk(maria, volunteer)
    Conversation.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    conversation_listen_task(heard.pk)
    assert conversation_listen_sweep_task(recent_only=True) == 1
    assert sent == [([unheard.pk],)]


# --- beat: due, digest, overdue ---------------------------------------------------------------


def _followup(supporter, assignee, *, due_in, reason="Retry door knock", channel="visit"):
    followup, _ = followup_create(
        actor=SYSTEM,
        supporter=supporter,
        assignee=assignee,
        due_at=timezone.now() + due_in,
        reason=reason,
        channel=channel,
    )
    return followup


def test_due_follow_ups_are_announced_once(maria, volunteer):
    _followup(maria, volunteer, due_in=timedelta(minutes=-1))
    _followup(maria, volunteer, due_in=timedelta(days=1), reason="Later")
    assert followup_notify_due_task() == 1
    assert followup_notify_due_task() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [volunteer.email]
    assert "Retry door knock" in mail.outbox[0].body


def test_due_follow_up_on_a_channel_since_refused_is_not_announced(maria, volunteer):
    _followup(maria, volunteer, due_in=timedelta(minutes=-1))
    consent_set(actor=SYSTEM, supporter=maria, channel="visit")
    assert followup_notify_due_task() == 0
    assert mail.outbox == []


def test_daily_digest_lists_due_today_and_overdue_once_a_day(maria, volunteer, teammate):
    _followup(maria, volunteer, due_in=timedelta(days=-2), reason="Overdue knock")
    _followup(maria, volunteer, due_in=timedelta(days=20), reason="Far away")
    assert followup_digest_task() == 1
    assert followup_digest_task() == 0
    (message,) = mail.outbox
    assert message.to == [volunteer.email]
    assert "Overdue knock" in message.body
    assert "Far away" not in message.body
    assert DigestSent.objects.get(user=volunteer).followup_count == 1


def test_overdue_by_more_than_three_days_is_raised_to_the_team_organizer_once(
    maria, volunteer, organizer, other_organizer
):
    _followup(maria, volunteer, due_in=timedelta(days=-4), reason="Long overdue")
    _followup(maria, volunteer, due_in=timedelta(days=-1), reason="Just overdue")
    assert followup_escalate_overdue_task() == 1
    assert followup_escalate_overdue_task() == 0
    (message,) = mail.outbox
    assert message.to == [organizer.email]
    assert "Long overdue" in message.body
    assert "Just overdue" not in message.body
    assert FollowUp.objects.get(reason="Long overdue").escalated_at is not None


def test_listen_batch_task_runs_twice_and_acts_once(maria, volunteer):
    from conversations.tasks import conversation_listen_batch_task

    other = SupporterFactory(team=maria.team)
    ids = [
        _talk(maria, volunteer, heard=VETERAN).pk,
        _talk(other, volunteer, outcome="not_home", heard="Has two dogs.").pk,
    ]
    assert conversation_listen_batch_task(ids) == 2
    assert conversation_listen_batch_task(ids) == 0
    assert Suggestion.objects.count() == 2
    assert FollowUp.objects.count() == 1
    assert IssueMention.objects.count() == 0


def test_digest_whose_sending_failed_goes_out_on_the_next_run(maria, volunteer, monkeypatch):
    _followup(maria, volunteer, due_in=timedelta(hours=-1))

    def broken(**kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("conversations.notifications.send_mail", broken)
    assert followup_digest_task() == 0
    assert not DigestSent.objects.exists()
    monkeypatch.undo()
    assert followup_digest_task() == 1
    assert len(mail.outbox) == 1


def test_what_a_person_already_wrote_down_is_not_suggested(maria, volunteer):
    NoteFactory(supporter=maria, author=volunteer, body="Son is an Iraq war veteran")
    conversation_listen_task(_talk(maria, volunteer, heard=VETERAN).pk)
    assert not Suggestion.objects.filter(supporter=maria).exists()


def test_talked_with_a_call_me_back_time_in_what_we_heard_schedules_the_callback(maria, volunteer):
    talk = _talk(
        maria,
        volunteer,
        channel="phone",
        heard="Call me back tomorrow after 5, I'm cooking now.",
        happened_at=timezone.now(),
    )
    conversation_listen_task(talk.pk)
    followup = FollowUp.objects.get(supporter=maria)
    talk.refresh_from_db()
    assert followup.due_at == talk.asked_followup_at
    assert followup.source_conversation == talk

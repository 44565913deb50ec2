"""Follow-up emails: claimed per recipient, then sent, so a failure half-way repeats nothing.

Each test has three recipients and makes the second one's email fail on the first run: over
two runs each of the others gets exactly one email, and the failed one gets it on the second.
"""

from __future__ import annotations

import smtplib
from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from conversations import notifications
from conversations.models import DigestSent, EscalationSent, FollowUp
from conversations.services import followup_create
from conversations.tasks import (
    followup_digest_task,
    followup_escalate_overdue_task,
    followup_notify_due_task,
)
from organizing.models import Membership
from organizing.roles import SYSTEM
from tests.factories import MembershipFactory, SupporterFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_fails_for(monkeypatch):
    """A set of addresses whose email fails to send (the mail server refuses them)."""
    failing: set[str] = set()
    real_send_mail = notifications.send_mail

    def send_mail(*, recipient_list, **kwargs):
        if failing & set(recipient_list):
            raise smtplib.SMTPRecipientsRefused({address: (550, b"no") for address in failing})
        return real_send_mail(recipient_list=recipient_list, **kwargs)

    monkeypatch.setattr(notifications, "send_mail", send_mail)
    return failing


def _mails_per_recipient() -> Counter:
    return Counter(address for message in mail.outbox for address in message.to)


def _followup(supporter, assignee, *, due_in: timedelta, reason: str) -> FollowUp:
    followup, created = followup_create(
        actor=SYSTEM,
        supporter=supporter,
        assignee=assignee,
        due_at=timezone.now() + due_in,
        reason=reason,
        channel="visit",
    )
    assert created
    return followup


@pytest.fixture
def three_assignees(eastside, volunteer, teammate, organizer):
    """Alice, Bob and Olivia (in that order of id) each have one follow-up due a minute ago."""
    supporter = SupporterFactory(team=eastside)
    for user in (volunteer, teammate, organizer):
        _followup(supporter, user, due_in=timedelta(minutes=-1), reason=f"Call back for {user}")
    return [volunteer, teammate, organizer]


def test_due_email_failing_for_the_second_of_three_is_sent_once_to_each_over_two_runs(
    three_assignees, mail_fails_for
):
    first, second, third = three_assignees
    mail_fails_for.add(second.email)

    assert followup_notify_due_task() == 2
    assert _mails_per_recipient() == {first.email: 1, third.email: 1}
    # The failed email's claim was rolled back with it; the others' claims stand.
    assert list(
        FollowUp.objects.filter(notified_at__isnull=True).values_list("assignee", flat=True)
    ) == [second.pk]

    mail_fails_for.clear()
    assert followup_notify_due_task() == 1
    assert followup_notify_due_task() == 0
    assert _mails_per_recipient() == {first.email: 1, second.email: 1, third.email: 1}
    assert "Call back for" in mail.outbox[-1].body


def test_digest_failing_for_the_second_of_three_is_sent_once_to_each_over_two_runs(
    three_assignees, mail_fails_for
):
    first, second, third = three_assignees
    mail_fails_for.add(second.email)

    assert followup_digest_task() == 2
    assert _mails_per_recipient() == {first.email: 1, third.email: 1}
    mail_fails_for.clear()
    assert followup_digest_task() == 1
    assert followup_digest_task() == 0
    assert _mails_per_recipient() == {first.email: 1, second.email: 1, third.email: 1}
    assert DigestSent.objects.count() == 3


@pytest.fixture
def three_organizers(eastside, organizer):
    """Olivia and two more organizers of Eastside, in that order of id."""
    more = []
    for name in ("dana", "eli"):
        user = UserFactory(email=f"{name}@example.org")
        MembershipFactory(user=user, team=eastside, role=Membership.Role.ORGANIZER)
        more.append(user)
    return [organizer, *more]


def test_overdue_email_failing_for_the_second_of_three_organizers_is_sent_once_to_each(
    eastside, volunteer, three_organizers, mail_fails_for
):
    first, second, third = three_organizers
    supporter = SupporterFactory(team=eastside)
    long_overdue = _followup(supporter, volunteer, due_in=timedelta(days=-4), reason="Long overdue")
    _followup(supporter, volunteer, due_in=timedelta(days=-1), reason="Just overdue")
    mail_fails_for.add(second.email)

    # Not raised yet: one of the team's organizers has not heard of it.
    assert followup_escalate_overdue_task() == 0
    assert _mails_per_recipient() == {first.email: 1, third.email: 1}
    long_overdue.refresh_from_db()
    assert long_overdue.escalated_at is None

    mail_fails_for.clear()
    assert followup_escalate_overdue_task() == 1
    assert followup_escalate_overdue_task() == 0
    assert _mails_per_recipient() == {first.email: 1, second.email: 1, third.email: 1}
    assert all("Long overdue" in m.body and "Just overdue" not in m.body for m in mail.outbox)
    long_overdue.refresh_from_db()
    assert long_overdue.escalated_at is not None
    assert EscalationSent.objects.filter(followup=long_overdue).count() == 3


def test_an_organizer_already_told_is_not_told_again_when_the_batch_comes_back(
    eastside, volunteer, organizer, mail_fails_for
):
    supporter = SupporterFactory(team=eastside)
    followup = _followup(supporter, volunteer, due_in=timedelta(days=-5), reason="Long overdue")
    # Olivia was told on an earlier run, which then stopped before marking it raised.
    EscalationSent.objects.create(followup=followup, organizer=organizer)

    assert followup_escalate_overdue_task() == 1
    assert mail.outbox == []

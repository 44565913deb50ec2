"""Follow-up dates (issue 16, item 10): one in the past is refused with a field error on the
log form and the follow-up API, and nothing is stored; dates outside this year show the year."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from conversations.models import Conversation, FollowUp
from tests.api_helpers import key_client
from tests.conversations.test_pages import form_data
from tests.factories import AssignmentFactory, FollowUpFactory

pytestmark = pytest.mark.django_db

PAST = "That's in the past — log it as already done?"


@pytest.fixture
def maria(volunteer, eastside):
    return AssignmentFactory(
        volunteer=volunteer, supporter__given_name="Maria", supporter__team=eastside
    ).supporter


def test_the_log_form_refuses_a_follow_up_date_in_the_past(client, volunteer, maria):
    client.force_login(volunteer)
    yesterday = timezone.localdate() - timedelta(days=1)
    data = form_data(followup="date", followup_date=yesterday.isoformat())
    response = client.post(reverse("conversations:log", args=[maria.pk]), data)
    assert response.status_code == 400
    assert response.context["form"].errors["followup_date"] == [PAST]
    assert escape(PAST) in response.content.decode()
    assert Conversation.objects.count() == 0 and FollowUp.objects.count() == 0
    # What was typed is still there to send again.
    assert "Iraq war veteran" in response.content.decode()


def test_the_log_form_refuses_a_call_back_time_in_the_past(client, volunteer, maria):
    client.force_login(volunteer)
    an_hour_ago = timezone.localtime() - timedelta(hours=1)
    data = form_data(followup="callback", callback_at=an_hour_ago.strftime("%Y-%m-%dT%H:%M"))
    response = client.post(reverse("conversations:log", args=[maria.pk]), data)
    assert response.context["form"].errors["callback_at"] == [PAST]
    assert Conversation.objects.count() == 0


def test_the_log_form_takes_today_and_later(client, volunteer, maria):
    client.force_login(volunteer)
    data = form_data(followup="date", followup_date=timezone.localdate().isoformat())
    response = client.post(reverse("conversations:log", args=[maria.pk]), data)
    assert response.status_code == 302
    assert FollowUp.objects.filter(supporter=maria).count() == 1


def test_the_follow_up_api_refuses_a_due_time_in_the_past(volunteer, maria):
    client = key_client(volunteer, ["read", "write"])
    body = {
        "supporter": maria.pk,
        "due_at": (timezone.now() - timedelta(days=2)).isoformat(),
        "reason": "Call back",
    }
    response = client.post(reverse("api:followup-list"), body, format="json")
    assert response.status_code == 400
    assert PAST in str(response.json())
    assert "due_at" in str(response.json())
    assert FollowUp.objects.count() == 0


def test_follow_up_dates_show_the_year_when_not_this_year(volunteer, organizer, maria):
    this_year = timezone.localtime().replace(month=6, day=3, hour=18, minute=0)
    next_year = this_year.replace(year=this_year.year + 1)
    render = Template("{% load earshot %}{{ when|due_when }}").render
    assert str(this_year.year) not in render(Context({"when": this_year}))
    assert f"Jun 3 {next_year.year}, 6:00 PM" in render(Context({"when": next_year}))


def test_the_follow_ups_page_and_my_people_show_the_year_outside_this_year(
    client, organizer, volunteer, maria
):
    now = timezone.localtime()
    next_year = now.replace(year=now.year + 1, month=1, day=5, hour=10, minute=0)
    last_year = now.replace(year=now.year - 1, month=12, day=30, hour=10, minute=0)
    FollowUpFactory(supporter=maria, due_at=next_year, assignee=volunteer)
    FollowUpFactory(supporter=maria, due_at=last_year, assignee=volunteer, reason="Overdue")
    client.force_login(organizer)
    queue = client.get(reverse("conversations:followup_queue"), {"show": "all"})
    assert f"Jan 5 {next_year.year}" in queue.content.decode()
    assert f"Dec 30 {last_year.year}" in queue.content.decode()
    client.force_login(volunteer)
    mine = client.get(reverse("home")).content.decode()
    assert f"Dec 30 {last_year.year}" in mine


def test_the_daily_digest_shows_the_year_of_a_follow_up_from_another_year(volunteer, maria):
    from django.core import mail

    from conversations.notifications import followup_digest

    long_ago = timezone.now() - timedelta(days=400)
    FollowUpFactory(supporter=maria, due_at=long_ago, assignee=volunteer, reason="Old one")
    FollowUpFactory(
        supporter=maria, due_at=timezone.now() - timedelta(minutes=1), assignee=volunteer
    )
    assert followup_digest() == 1
    body = mail.outbox[0].body
    old_line = next(line for line in body.splitlines() if "Old one" in line)
    assert str(timezone.localtime(long_ago).year) in old_line
    other = next(
        line for line in body.splitlines() if line.startswith("- ") and "Old one" not in line
    )
    assert str(timezone.localtime().year) not in other

"""The demo campaign loads once and looks like a real one."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from conversations.models import Conversation, FollowUp, Note
from organizing.models import Membership, Team, User
from supporters.models import DoNotContact, Supporter
from supporters.selectors import supporter_list

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_a_campaign_once():
    call_command("seed_demo")
    counts = (
        Team.objects.count(),
        User.objects.count(),
        Supporter.objects.count(),
        Conversation.objects.count(),
    )
    assert counts[0] == 3
    assert counts[1] == 10
    assert 450 <= counts[2] <= 550
    assert 1400 <= counts[3] <= 1600
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Membership.Role.values)
    assert DoNotContact.objects.exists()
    assert FollowUp.objects.filter(status="open").count() >= 100
    ana = User.objects.get(email="ana@example.org")
    maria_note = Note.objects.get(
        body="Son is an Iraq war veteran", kind=Note.Kind.REMEMBER, supporter__given_name="Maria"
    )
    assert maria_note.supporter in supporter_list(viewer=ana)

    call_command("seed_demo")  # second run: nothing added
    assert (
        Team.objects.count(),
        User.objects.count(),
        Supporter.objects.count(),
        Conversation.objects.count(),
    ) == counts


def test_demo_logins_work_with_the_published_password(client):
    from demo.text_organization import DEMO_LOGINS, DEMO_PASSWORD

    call_command("seed_demo")
    for email, _role in DEMO_LOGINS:
        response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        client.logout()

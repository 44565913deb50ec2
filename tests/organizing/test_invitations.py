"""Invitation-only sign-up: nobody gets an account without an organizer's invitation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from organizing.models import Invitation, Membership, User
from organizing.services import invitation_create, invitation_send
from tests.factories import InvitationFactory
from tests.mfa_helpers import give_totp_code

pytestmark = pytest.mark.django_db

SIGNUP = {
    "full_name": "Nadia Newcomer",
    "password1": "a long walk at dusk",
    "password2": "a long walk at dusk",
}


def test_signup_is_closed_without_an_invitation(client):
    response = client.get(reverse("account_signup"))
    assert "closed" in response.content.decode().lower()
    client.post(reverse("account_signup"), {"email": "stranger@example.org", **SIGNUP})
    assert not User.objects.filter(email="stranger@example.org").exists()


def test_organizer_invites_and_the_worker_task_emails_the_link(
    client, organizer, eastside, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("organizing:invitation_list"),
            {"email": "Nadia@Example.org", "team": eastside.pk, "role": Membership.Role.VOLUNTEER},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.team, invitation.invited_by) == (
        "nadia@example.org",
        eastside,
        organizer,
    )
    assert len(callbacks) == 1  # the send task is enqueued only after commit

    assert invitation_send(invitation_id=invitation.pk) is True
    assert invitation_send(invitation_id=invitation.pk) is False  # runs twice, sends once
    [message] = mail.outbox
    assert message.to == ["nadia@example.org"]
    assert reverse("organizing:invitation_accept", args=[invitation.token]) in message.body


def test_accepting_an_invitation_creates_a_verified_member_with_the_role(
    client, organizer, eastside
):
    invitation = InvitationFactory(
        email="nadia@example.org",
        team=eastside,
        role=Membership.Role.ORGANIZER,
        invited_by=organizer,
    )
    response = client.get(reverse("organizing:invitation_accept", args=[invitation.token]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_signup"))

    response = client.post(reverse("account_signup"), {"email": "nadia@example.org", **SIGNUP})
    assert response.status_code == 302
    user = User.objects.get(email="nadia@example.org")
    assert user.full_name == "Nadia Newcomer"
    assert Membership.objects.get(user=user).role == Membership.Role.ORGANIZER
    assert EmailAddress.objects.get(user=user).verified
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    # Signed in straight away (an organizer is asked to set up a second factor first), and the
    # invitation cannot be used twice.
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")
    client.logout()
    assert (
        client.get(reverse("organizing:invitation_accept", args=[invitation.token])).status_code
        == 404
    )


def test_an_invitation_is_for_its_own_address_only(client, eastside):
    invitation = InvitationFactory(email="nadia@example.org", team=eastside)
    client.get(reverse("organizing:invitation_accept", args=[invitation.token]))
    response = client.post(
        reverse("account_signup"), {"email": "someone.else@example.org", **SIGNUP}
    )
    assert response.status_code == 200
    assert "nadia@example.org" in response.content.decode()
    assert not User.objects.filter(email="someone.else@example.org").exists()


def test_expired_and_revoked_invitations_open_nothing(client, eastside):
    expired = InvitationFactory(team=eastside, expires_at=timezone.now() - timedelta(minutes=1))
    revoked = InvitationFactory(team=eastside, revoked_at=timezone.now())
    for invitation in (expired, revoked):
        assert (
            client.get(reverse("organizing:invitation_accept", args=[invitation.token])).status_code
            == 404
        )
        client.post(reverse("account_signup"), {"email": invitation.email, **SIGNUP})
        assert not User.objects.filter(email=invitation.email).exists()


@pytest.mark.parametrize("viewer_name", ["volunteer", "other_organizer"])
def test_only_the_teams_organizers_may_invite_into_it(client, request, eastside, viewer_name):
    viewer = request.getfixturevalue(viewer_name)
    client.force_login(viewer)
    response = client.post(
        reverse("organizing:invitation_list"),
        {"email": "x@example.org", "team": eastside.pk, "role": "volunteer"},
    )
    assert response.status_code in (400, 403)
    assert not Invitation.objects.exists()


def test_organizers_cannot_hand_out_organization_wide_roles(client, organizer, eastside):
    client.force_login(organizer)
    response = client.post(
        reverse("organizing:invitation_list"),
        {"email": "x@example.org", "team": eastside.pk, "role": "data_staff"},
    )
    assert response.status_code == 400
    assert "role" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_admin_may_invite_data_staff(admin, eastside):
    invitation = invitation_create(
        actor=admin, team=eastside, email="d@example.org", role=Membership.Role.DATA_STAFF
    )
    assert invitation.role == Membership.Role.DATA_STAFF


def test_inviting_an_existing_member_is_a_field_error(client, organizer, volunteer, eastside):
    client.force_login(organizer)
    response = client.post(
        reverse("organizing:invitation_list"),
        {"email": volunteer.email, "team": eastside.pk, "role": "volunteer"},
    )
    assert response.status_code == 400
    assert "already a member" in str(response.context["form"].errors["email"])
    # What the organizer typed is still in the form.
    assert response.context["form"]["email"].value() == volunteer.email


def test_volunteer_signs_in_with_an_emailed_code(client, volunteer):
    EmailAddress.objects.create(user=volunteer, email=volunteer.email, verified=True, primary=True)
    response = client.post(reverse("account_request_login_code"), {"email": volunteer.email})
    assert response.status_code == 302
    [message] = mail.outbox
    code = next(
        line.strip()
        for line in message.body.splitlines()
        if line.strip().isupper() and len(line.strip()) >= 6
    )
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == volunteer


def test_password_login_works_for_members(client, organizer):
    EmailAddress.objects.create(user=organizer, email=organizer.email, verified=True, primary=True)
    response = client.post(
        reverse("account_login"), {"login": organizer.email, "password": "correct horse battery"}
    )
    # An organizer's password is the first factor; the authenticator code completes it.
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert give_totp_code(client).status_code == 302
    assert client.get(reverse("home")).context["user"] == organizer

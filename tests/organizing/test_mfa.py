"""The second factor: who must have one, on every kind of session request; setting one up;
signing in with it (after a password, an emailed code or with a recovery code); API keys
needing a recent one; an admin resetting it."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from organizing.mfa_demo import DEMO_TOTP_SECRET, demo_mfa_setup, demo_totp_code
from organizing.models import ApiKey, AuditEvent, Membership
from organizing.services import user_mfa_reset
from tests.api_helpers import error_of, key_client
from tests.conftest import PASSWORD
from tests.factories import (
    TOTP_SECRET,
    MembershipFactory,
    TeamFactory,
    UserFactory,
    totp_code,
)
from tests.mfa_helpers import force_login_with_mfa, force_login_with_password, give_totp_code

pytestmark = pytest.mark.django_db

ROLES = ["volunteer", "organizer", "data_staff", "admin"]
KINDS = ["page", "session_api", "session_osdi", "admin"]


def _person(role: str, *, has_mfa: bool):
    team = TeamFactory()
    user = UserFactory(is_staff=role == "admin", mfa=has_mfa if has_mfa else False)
    MembershipFactory(user=user, team=team, role=role, mfa=has_mfa if has_mfa else False)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _verified(user):
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("has_mfa", [True, False])
@pytest.mark.parametrize("role", ROLES)
def test_mfa_enforcement_matrix(client, role, has_mfa, kind):
    user = _person(role, has_mfa=has_mfa)
    assert Authenticator.objects.filter(user=user).exists() is has_mfa
    client.force_login(user)
    blocked = role != "volunteer" and not has_mfa

    if kind == "page":
        response = client.get(reverse("home"))
        if blocked:
            assert response.status_code == 302
            assert response["Location"] == reverse("mfa_index")
        else:
            assert response.status_code == 200
    elif kind == "session_api":
        response = client.get(reverse("api:team-list"))
        if blocked:
            assert response.status_code == 403
            assert error_of(response)["code"] == "mfa_required"
        else:
            assert response.status_code == 200
    elif kind == "session_osdi":
        response = client.get(reverse("osdi:people"))
        if blocked:
            assert response.status_code == 403
            assert error_of(response)["code"] == "mfa_required"
        else:
            # OSDI takes API keys only: a session is not enough, whoever holds it.
            assert response.status_code == 401
    else:
        response = client.get(reverse("admin:index"))
        if blocked:
            assert response.status_code == 302
            assert response["Location"] == reverse("mfa_index")
        elif role == "admin":
            assert response.status_code == 200
        else:
            # Not staff: the admin's login step refuses a signed-in non-staff user.
            assert response.status_code == 302
            assert client.get(response["Location"]).status_code == 403


def test_api_keys_are_unaffected_by_the_sessions_rule():
    organizer = _person("organizer", has_mfa=False)
    response = key_client(organizer).get(reverse("api:team-list"))
    assert response.status_code == 200


def test_the_two_factor_pages_stay_open_to_who_must_set_one_up(client):
    force_login_with_password(client, _person("data_staff", has_mfa=False))
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_htmx_requests_are_told_to_load_the_setup_page(client):
    client.force_login(_person("organizer", has_mfa=False))
    response = client.get(reverse("home"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("mfa_index")


def test_mfa_required_roles_setting_decides_who_must(client, settings):
    settings.MFA_REQUIRED_ROLES = ("admin",)
    client.force_login(_person("organizer", has_mfa=False))
    assert client.get(reverse("home")).status_code == 200
    settings.MFA_REQUIRED_ROLES = ("volunteer", "organizer")
    volunteer = _person("volunteer", has_mfa=False)
    client.force_login(volunteer)
    assert client.get(reverse("home"))["Location"] == reverse("mfa_index")


def test_django_admin_login_form_sends_people_to_the_allauth_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    # The admin's own password-only form is never offered.
    staff = _person("admin", has_mfa=True)
    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_organizer_sets_up_totp_gets_recovery_codes_and_signs_in_with_a_code(client):
    organizer = _person("organizer", has_mfa=False)
    response = client.post(
        reverse("account_login"), {"login": organizer.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("mfa_index")

    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    assert secret in page.content.decode()
    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=organizer).exists()
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert set(Authenticator.objects.filter(user=organizer).values_list("type", flat=True)) == {
        "totp",
        "recovery_codes",
    }
    codes = client.get(reverse("mfa_view_recovery_codes")).context["unused_codes"]
    assert len(codes) == 10
    assert client.get(reverse("home")).status_code == 200

    client.post(reverse("account_logout"))
    response = client.post(
        reverse("account_login"), {"login": organizer.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302  # not signed in yet
    # A code already used (at activation) is refused; the next period's code is accepted.
    assert client.post(reverse("mfa_authenticate"), {"code": "123456"}).status_code == 200
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, offset=1)})
    if response.status_code == 200:  # the clock has not moved a period on: the current code
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == organizer


def test_a_recovery_code_signs_in_once(client, organizer):
    _verified(organizer)
    codes = RecoveryCodes.activate(organizer).generate_codes()
    client.post(reverse("account_login"), {"login": organizer.email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == organizer

    client.post(reverse("account_logout"))
    client.post(reverse("account_login"), {"login": organizer.email, "password": PASSWORD})
    again = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert again.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_by_code_is_a_first_factor_only(client, admin):
    _verified(admin)
    response = client.post(reverse("account_request_login_code"), {"email": admin.email})
    assert response.status_code == 302
    [message] = mail.outbox
    code = next(
        line.strip()
        for line in message.body.splitlines()
        if line.strip().isupper() and len(line.strip()) >= 6
    )
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # The emailed code alone does not sign an admin in.
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302
    assert give_totp_code(client).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_required_second_factor_cannot_be_removed_by_its_owner(client, organizer):
    force_login_with_mfa(client, organizer)
    client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=organizer, type="totp").exists()


def test_a_volunteer_may_turn_a_second_factor_on_and_off(client, volunteer):
    _verified(volunteer)
    force_login_with_password(client, volunteer)
    assert client.get(reverse("home")).status_code == 200
    client.get(reverse("mfa_activate_totp"))
    response = client.post(
        reverse("mfa_activate_totp"), {"code": totp_code(_session_secret(client))}
    )
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=volunteer, type="totp").exists()
    client.post(reverse("mfa_deactivate_totp"))
    assert not Authenticator.objects.filter(user=volunteer, type="totp").exists()


def _session_secret(client) -> str:
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

    return client.session[SECRET_SESSION_KEY]


# --- API keys need a recent second factor ----------------------------------------------------


def test_making_an_api_key_without_a_recent_second_factor_asks_for_it_again(client, organizer):
    force_login_with_mfa(client, organizer, seconds_ago=10 * 60)
    url = reverse("organizing:apikey_list")
    response = client.post(url, {"name": "sync", "scopes": ["read"]})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_reauthenticate')}?next={url.replace('/', '%2F')}"
    assert not ApiKey.objects.exists()
    # The list itself still shows.
    assert client.get(url).status_code == 200

    back = client.post(
        f"{reverse('mfa_reauthenticate')}?next={url}", {"code": totp_code(TOTP_SECRET)}
    )
    assert back.status_code == 302 and back["Location"] == url
    assert client.post(url, {"name": "sync", "scopes": ["read"]}).status_code == 200
    assert ApiKey.objects.filter(user=organizer).count() == 1


def test_making_an_api_key_needs_a_second_factor_at_all(client, volunteer):
    client.force_login(volunteer)
    response = client.post(reverse("organizing:apikey_list"), {"name": "x", "scopes": ["read"]})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")
    assert not ApiKey.objects.exists()


def test_a_second_factor_given_at_sign_in_is_recent_enough(client, data_staff):
    force_login_with_mfa(client, data_staff, seconds_ago=60)
    response = client.post(reverse("organizing:apikey_list"), {"name": "x", "scopes": ["read"]})
    assert response.status_code == 200
    assert ApiKey.objects.filter(user=data_staff).exists()


# --- An admin resets someone's second factor --------------------------------------------------


def test_admin_resets_a_users_mfa_from_the_django_admin_audited(client, organizer):
    admin = UserFactory(is_staff=True, is_superuser=True)
    RecoveryCodes.activate(organizer)
    force_login_with_mfa(client, admin)
    response = client.post(
        reverse("admin:organizing_user_changelist"),
        {"action": "reset_mfa", "_selected_action": [organizer.pk]},
    )
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=organizer).exists()
    event = AuditEvent.objects.get(action="user.mfa_reset")
    assert event.actor == admin
    assert event.object_id == str(organizer.pk)
    assert event.details["authenticators"] == 2
    assert event.details["types"] == ["recovery_codes", "totp"]
    # At the next request the organizer is asked to set up a new one.
    client.force_login(organizer)
    assert client.get(reverse("home"))["Location"] == reverse("mfa_index")


def test_only_admins_reset_someones_mfa(organizer, data_staff):
    with pytest.raises(PermissionDenied):
        user_mfa_reset(actor=data_staff, user=organizer)
    assert Authenticator.objects.filter(user=organizer).exists()
    assert not AuditEvent.objects.filter(action="user.mfa_reset").exists()


# --- The demo ---------------------------------------------------------------------------------


def test_demo_staff_get_the_published_secret_and_its_code_signs_them_in(client):
    organizer = _person("organizer", has_mfa=False)
    volunteer = _person("volunteer", has_mfa=False)
    assert demo_mfa_setup(users=[organizer, volunteer]) == [organizer]
    assert demo_mfa_setup(users=[organizer, volunteer]) == []  # safe twice
    assert not Authenticator.objects.filter(user=volunteer).exists()
    assert re.fullmatch(r"\d{6}", demo_totp_code())
    assert demo_totp_code() == totp_code(DEMO_TOTP_SECRET)
    client.post(reverse("account_login"), {"login": organizer.email, "password": PASSWORD})
    assert client.post(reverse("mfa_authenticate"), {"code": demo_totp_code()}).status_code == 302
    assert client.get(reverse("home")).context["user"] == organizer


def test_role_predicate_counts_superusers_as_admins():
    from organizing.roles import user_must_have_mfa

    superuser = UserFactory(is_superuser=True, mfa=False)
    assert user_must_have_mfa(superuser)
    assert not user_must_have_mfa(UserFactory(mfa=False))
    member = MembershipFactory(role=Membership.Role.DATA_STAFF, mfa=False).user
    assert user_must_have_mfa(member)


@pytest.mark.parametrize(
    "path,headers",
    [
        ("/", {"Authorization": "Bearer es_made_up"}),
        ("/supporters/", {"OSDI-API-Token": "es_made_up"}),
        ("/api/v1/teams/", {"OSDI-API-Token": "es_made_up"}),
        ("/api/v1/teams/", {"Authorization": "Basic b2xpdmlhOnB3"}),
    ],
)
def test_a_key_header_the_view_ignores_does_not_skip_the_rule(client, path, headers):
    client.force_login(_person("organizer", has_mfa=False))
    response = client.get(path, headers=headers)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == reverse("mfa_index")
    else:
        assert error_of(response)["code"] == "mfa_required"


def test_a_made_up_key_on_the_api_is_a_401_not_the_session(client):
    client.force_login(_person("organizer", has_mfa=False))
    response = client.get(reverse("api:team-list"), headers={"Authorization": "Bearer es_x_y"})
    assert response.status_code == 401


def test_passkeys_and_security_keys_can_be_added(client, volunteer):
    _verified(volunteer)
    force_login_with_password(client, volunteer)
    index = client.get(reverse("mfa_index"))
    assert reverse("mfa_add_webauthn") in index.content.decode()
    page = client.get(reverse("mfa_add_webauthn"))
    assert page.status_code == 200
    assert "passwordless" in page.content.decode()

"""Sign in as the people who use Earshot, in a real browser."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.conftest import PASSWORD
from tests.factories import AssignmentFactory, SupporterFactory, totp_code

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, live_server, user):
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    page.goto(f"{live_server.url}/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if user.authenticator_set.filter(type="totp").exists():
        # Organizers and above give their authenticator app's code (tests.factories.TOTP_SECRET).
        page.get_by_role("heading", name="Two-Factor Authentication").wait_for()
        page.get_by_placeholder("Code").fill(totp_code())
        page.get_by_role("button", name="Sign In").click()


def test_organizer_signs_in_and_sees_their_teams_people(
    live_server, page_factory, organizer, eastside, westside
):
    SupporterFactory(given_name="Maria", family_name="Delgado", team=eastside)
    SupporterFactory(given_name="Walter", family_name="Westside", team=westside)
    page = page_factory(DESKTOP)
    sign_in(page, live_server, organizer)
    page.get_by_role("heading", name="Depth of listening").wait_for()  # an organizer's home
    page.get_by_role("link", name="Supporters").click()
    page.get_by_role("heading", name="Supporters").wait_for()
    body = page.content()
    screenshot(page, "foundation-organizer-people-desktop")
    assert "Maria Delgado" in body
    assert "Walter Westside" not in body


def test_volunteer_on_a_phone_sees_only_assigned_people(
    live_server, page_factory, volunteer, eastside
):
    AssignmentFactory(
        volunteer=volunteer,
        supporter=SupporterFactory(given_name="Maria", family_name="Delgado", team=eastside),
    )
    SupporterFactory(given_name="Nobody", family_name="Assigned", team=eastside)
    page = page_factory(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    screenshot(page, "foundation-login-phone")
    sign_in(page, live_server, volunteer)
    page.get_by_role("heading", name="My people").wait_for()
    screenshot(page, "foundation-volunteer-people-phone")
    assert "Maria Delgado" in page.content()
    assert "Nobody Assigned" not in page.content()
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

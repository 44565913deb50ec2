"""An organizer's first sign-in on a phone: sent to set up an authenticator app, then in."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from tests.browser.conftest import PHONE, screenshot
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory, SupporterFactory, UserFactory, totp_code

pytestmark = pytest.mark.django_db(transaction=True)


def test_organizer_sets_up_totp_on_a_phone_and_reaches_the_supporters_page(
    live_server, page_factory, eastside
):
    organizer = UserFactory(email="nadia@example.org", full_name="Nadia Organizer", mfa=False)
    MembershipFactory(user=organizer, team=eastside, role="organizer", mfa=False)
    EmailAddress.objects.create(user=organizer, email=organizer.email, verified=True, primary=True)
    SupporterFactory(given_name="Maria", family_name="Delgado", team=eastside)
    page = page_factory(PHONE)
    page.goto(f"{live_server.url}/supporters/")
    page.get_by_label("Email").fill(organizer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    # Straight to two-factor setup, with a message saying why.
    page.get_by_text("Your role needs a second factor").first.wait_for()
    screenshot(page, "mfa-setup-required-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("link", name="Activate").first.click()
    secret_field = page.locator("#authenticator_secret")
    secret_field.wait_for()
    secret = secret_field.input_value()
    screenshot(page, "mfa-totp-activate-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("input[name=code]").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()

    page.get_by_role("heading", name="Recovery Codes").wait_for()
    screenshot(page, "mfa-recovery-codes-phone")
    assert Authenticator.objects.filter(user=organizer, type="totp").exists()

    page.goto(f"{live_server.url}/supporters/")
    page.get_by_role("heading", name="Supporters").wait_for()
    screenshot(page, "mfa-organizer-supporters-phone")
    assert "Maria Delgado" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

"""The erasure confirmation and the audit trail in Chromium, on a phone and a laptop: what
they say, the flow through them, and no Content-Security-Policy violation on the way."""

from __future__ import annotations

import pytest

from organizing.services import audit_record
from supporters.models import Erasure
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.browser.test_sign_in import sign_in
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("viewport, label", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_an_admin_erases_a_person_after_typing_their_name(
    live_server, page_factory, admin, eastside, viewport, label
):
    person = SupporterFactory(team=eastside, given_name="Rosa", family_name="Erasmo")
    page = page_factory(viewport)
    sign_in(page, live_server, admin)
    page.goto(f"{live_server.url}/people/{person.pk}/")
    page.get_by_role("link", name="Erase on request").click()
    page.get_by_role("heading", name="This cannot be undone").wait_for()
    screenshot(page, f"erasure-confirm-{label}")
    page.get_by_label("Type their name to confirm").fill("Rosa")
    page.get_by_label("Why").fill("Asked by letter")
    page.get_by_role("button", name="Erase for good").click()
    page.get_by_text("exactly as it is shown").wait_for()
    assert page.get_by_label("Why").input_value() == "Asked by letter"  # nothing lost
    screenshot(page, f"erasure-wrong-name-{label}")
    page.get_by_label("Type their name to confirm").fill("Rosa Erasmo")
    page.get_by_role("button", name="Erase for good").click()
    page.get_by_text("was erased").wait_for()
    assert Erasure.objects.filter(supporter=person).exists()


@pytest.mark.parametrize("viewport, label", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_audit_trail_page_filters_by_supporter(
    live_server, page_factory, admin, organizer, eastside, viewport, label
):
    person = SupporterFactory(team=eastside, given_name="Tomas", family_name="Audited")
    audit_record(actor=organizer, action="supporter.brief_viewed", obj=person)
    audit_record(actor=organizer, action="supporter.list", ids=[person.pk, person.pk + 1])
    page = page_factory(viewport)
    sign_in(page, live_server, admin)
    page.get_by_role("link", name="Audit trail").click()
    page.get_by_role("heading", name="Audit trail").wait_for()
    page.get_by_label("About supporter (id)").fill(str(person.pk))
    page.get_by_role("button", name="Show").click()
    page.get_by_text("supporter.brief_viewed").wait_for()
    body = page.content()
    assert "Tomas Audited" in body and "2 people shown" in body
    screenshot(page, f"audit-trail-{label}")

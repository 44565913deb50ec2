"""Issue 16 in Chromium: an organizer edits a person at a desk (item 1); the brief keeps its
essentials high on a phone, suggestions folded to one line (item 12)."""

from __future__ import annotations

import pytest

from conversations.models import Suggestion
from supporters.models import HistoryEvent, Tag
from supporters.services import contact_points_add
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.browser.test_sign_in import sign_in
from tests.factories import AssignmentFactory, ConversationFactory, SupporterFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_organizer_corrects_a_phone_and_adds_a_tag_on_the_edit_page(
    live_server, page_factory, organizer, eastside
):
    person = SupporterFactory(given_name="Rosa", family_name="Marquez", team=eastside)
    contact_points_add(actor=organizer, supporter=person, phones=[("312-555-0100", "unknown")])
    Tag.objects.create(name="tenant-leader")
    page = page_factory(DESKTOP)
    sign_in(page, live_server, organizer)
    page.goto(f"{live_server.url}/people/{person.pk}/")
    page.get_by_role("link", name="Edit details").click()
    page.get_by_role("heading", name="Edit Rosa Marquez").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    phone = person.phones.get()
    page.get_by_label("Phone", exact=True).fill("(312) 555-0188")
    page.locator(f"#id_phone-{phone.pk}-kind").select_option("mobile")
    page.get_by_label("tenant-leader").check()
    screenshot(page, "edit-person-desktop")
    page.get_by_role("button", name="Save", exact=True).click()

    page.get_by_text("Rosa Marquez saved.").wait_for()
    assert "(312) 555-0188" in page.locator("section[aria-labelledby=contact-heading]").inner_text()
    assert "tenant-leader" in page.content()
    screenshot(page, "brief-after-edit-desktop")
    phone.refresh_from_db()
    assert (phone.number, phone.kind) == ("(312) 555-0188", "mobile")
    assert set(person.tags.values_list("name", flat=True)) == {"tenant-leader"}
    lines = set(
        HistoryEvent.objects.filter(supporter=person, actor=organizer).values_list(
            "summary", flat=True
        )
    )
    assert {"Corrected 312-555-0100 → (312) 555-0188", "Tagged tenant-leader"} <= lines


def test_a_bad_phone_on_the_edit_page_comes_back_with_what_was_typed(
    live_server, page_factory, volunteer, eastside
):
    person = AssignmentFactory(
        volunteer=volunteer,
        supporter__given_name="Rosa",
        supporter__family_name="Marquez",
        supporter__team=eastside,
    ).supporter
    page = page_factory(PHONE)
    sign_in(page, live_server, volunteer)
    page.goto(f"{live_server.url}/supporters/{person.pk}/edit/")
    page.get_by_label("Pronouns").fill("she/her")
    page.get_by_label("Add a phone").fill("55")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("A phone number needs at least 7 digits.").wait_for()
    assert page.get_by_label("Pronouns").input_value() == "she/her"
    assert page.get_by_label("Add a phone").input_value() == "55"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "edit-person-error-phone")
    person.refresh_from_db()
    assert person.pronouns == ""


def test_the_brief_on_a_phone_folds_suggestions_and_shows_how_to_reach_them_high(
    live_server, page_factory, volunteer, eastside
):
    person = AssignmentFactory(
        volunteer=volunteer,
        supporter__given_name="Maria",
        supporter__family_name="Delgado",
        supporter__team=eastside,
    ).supporter
    contact_points_add(
        actor=volunteer,
        supporter=person,
        phones=[("312-555-0100", "mobile")],
        emails=["maria@example.org"],
    )
    conversation = ConversationFactory(supporter=person, volunteer=volunteer)
    for n, text in enumerate(["Son is a veteran", "Works nights", "Diabetic", "Tenant leader"]):
        Suggestion.objects.create(
            supporter=person,
            conversation=conversation,
            category=Suggestion.Category.FAMILY,
            text=text,
            evidence=f"evidence {n}",
            enricher="listening.family",
        )
    page = page_factory(PHONE)
    sign_in(page, live_server, volunteer)
    page.goto(f"{live_server.url}/people/{person.pk}/")
    page.get_by_role("heading", name="Maria Delgado").wait_for()
    summary = page.locator("details.suggestions-fold > summary")
    assert summary.inner_text() == "4 suggestions to review"
    # Folded: one line, the suggestions' inputs out of sight until opened.
    assert not page.get_by_role("button", name="Confirm").first.is_visible()
    reach = page.get_by_role("heading", name="How to reach them").bounding_box()
    conversations = page.get_by_role("heading", name="Last conversations").bounding_box()
    assert reach["y"] < conversations["y"]
    assert reach["y"] < PHONE["height"]  # in view without scrolling
    assert page.get_by_role("link", name="312-555-0100").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "brief-folded-suggestions-phone")
    summary.click()
    page.get_by_role("button", name="Confirm").first.wait_for()
    screenshot(page, "brief-suggestions-open-phone")

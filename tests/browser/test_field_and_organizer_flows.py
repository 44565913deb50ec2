"""The issue's flows in Chromium: a volunteer at the door on a phone, an organizer at a desk."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import Conversation, FollowUp, Note, SurveyChoice, SurveyQuestion
from conversations.services import note_create
from supporters.models import Assignment
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.browser.test_sign_in import sign_in
from tests.factories import AssignmentFactory, FollowUpFactory, SupporterFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def maria(volunteer, organizer, eastside):
    supporter = AssignmentFactory(
        volunteer=volunteer,
        supporter__given_name="Maria",
        supporter__family_name="Delgado",
        supporter__pronouns="she/her",
        supporter__team=eastside,
    ).supporter
    note_create(
        actor=organizer, supporter=supporter, body="Son is an Iraq war veteran", kind="remember"
    )
    question = SurveyQuestion.objects.create(
        slug="support", prompt="How likely are you to support us?"
    )
    for value, label in [("1", "Strong support"), ("3", "Undecided")]:
        SurveyChoice.objects.create(question=question, value=value, label=label)
    return supporter


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def fill_log_form(page, remember: str):
    page.get_by_text("Door", exact=True).click()
    page.get_by_text("Talked", exact=True).click()
    page.get_by_text("Survey questions and issues").click()  # folded below (issue 16, item 7)
    page.get_by_text("Strong support").click()
    page.get_by_label("What we heard").fill(
        "Her daughter starts at the community college in the fall. Rent is up again."
    )
    page.get_by_label("Thing to remember 1").fill(remember)


def test_volunteer_on_a_phone_finds_reads_logs_and_sees_it_in_history(
    live_server, page_factory, volunteer, maria
):
    page = page_factory(PHONE)
    sign_in(page, live_server, volunteer)
    page.get_by_role("heading", name="My people").wait_for()
    page.get_by_label("Find a person").fill("delg")
    page.locator("#search-results").get_by_role("link", name="Maria Delgado").click()

    page.get_by_role("heading", name="Maria Delgado").wait_for()
    assert "Son is an Iraq war veteran" in page.content()
    screenshot(page, "brief-phone")
    no_sideways_scroll(page)

    page.get_by_role("link", name="Log a conversation").click()
    fill_log_form(page, "Daughter starts college in the fall")
    screenshot(page, "log-form-phone")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Save conversation").click()

    page.get_by_text("Conversation saved.").wait_for()
    conversation = Conversation.objects.get()
    assert page.url.endswith(f"#conversation-{conversation.pk}")
    assert page.locator(f"#conversation-{conversation.pk}").is_visible()
    assert "Daughter starts college in the fall" in page.content()
    screenshot(page, "brief-after-logging-phone")

    page.get_by_role("link", name="History", exact=True).click()
    page.get_by_role("heading", name="History: Maria Delgado").wait_for()
    history = page.locator("#history")
    assert "Daughter starts college in the fall" in history.inner_text()
    assert "community college" in history.inner_text()
    screenshot(page, "history-phone")
    no_sideways_scroll(page)

    # The narrowest phones in use: 360 px, still no sideways scrolling on the door pages.
    page.set_viewport_size({"width": 360, "height": 780})
    for path in (f"/people/{maria.pk}/", f"/people/{maria.pk}/log/", "/"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    screenshot(page, "home-360")


def test_double_submit_and_resubmit_store_one_conversation(
    live_server, page_factory, volunteer, maria
):
    page = page_factory(PHONE)
    sign_in(page, live_server, volunteer)
    page.goto(f"{live_server.url}/people/{maria.pk}/log/")
    fill_log_form(page, "Prefers calls after 6pm")
    # A first attempt whose answer is lost on a bad connection: the server stored it, the
    # phone never heard back. The volunteer then taps Save twice.
    status = page.evaluate(
        """async () => {
            const form = document.querySelector("form[data-draft-key]");
            const response = await fetch(location.href, {method: "POST", body: new FormData(form)});
            return response.status;
        }"""
    )
    assert status == 200  # followed the redirect to the brief
    page.get_by_role("button", name="Save conversation").dblclick()
    page.get_by_text("Already saved").wait_for()
    screenshot(page, "double-submit-phone")
    assert Conversation.objects.count() == 1
    assert Note.objects.filter(body="Prefers calls after 6pm").count() == 1


def test_organizer_assigns_a_person_and_reassigns_a_follow_up(
    live_server, page_factory, organizer, volunteer, teammate, eastside
):
    walk = SupporterFactory(given_name="Walter", family_name="Ames", team=eastside)
    followup = FollowUpFactory(
        supporter=AssignmentFactory(volunteer=volunteer, supporter__team=eastside).supporter,
        assignee=volunteer,
        due_at=timezone.now() - timedelta(days=1),
        reason="Call about the tenant meeting",
    )
    page = page_factory(DESKTOP)
    sign_in(page, live_server, organizer)
    page.get_by_role("link", name="Supporters").click()
    page.get_by_label("Select Walter Ames").check()
    page.get_by_label("Do this").select_option(label="Assign to a volunteer")
    page.get_by_label("Volunteer", exact=True).select_option(label="Bob Teammate")
    page.get_by_role("button", name="Do it for the ticked people").click()
    page.get_by_text("Assign to a volunteer: done for 1 person.").wait_for()
    screenshot(page, "supporters-assigned-desktop")
    assert Assignment.objects.active().get(supporter=walk).volunteer == teammate

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Follow-ups").click()
    page.get_by_role("heading", name=re.compile("Alice Volunteer")).wait_for()
    screenshot(page, "followup-queue-desktop")
    page.get_by_label(re.compile("Give “Call about the tenant meeting”")).select_option(
        label="Bob Teammate"
    )
    page.get_by_role("button", name="Reassign").click()
    page.get_by_text("now goes to Bob Teammate").wait_for()
    screenshot(page, "followup-reassigned-desktop")
    followup.refresh_from_db()
    assert followup.assignee == teammate
    assert FollowUp.objects.filter(status="open").count() == 1


def test_volunteer_cannot_see_a_sensitive_note_or_another_teams_supporter(
    live_server, page_factory, volunteer, organizer, maria, westside
):
    note_create(
        actor=organizer, supporter=maria, body="Husband passed away in May", kind="sensitive"
    )
    elsewhere = SupporterFactory(given_name="Wendy", family_name="West", team=westside)
    page = page_factory(DESKTOP)
    sign_in(page, live_server, volunteer)
    page.goto(f"{live_server.url}/people/{maria.pk}/")
    page.get_by_text("only organizers read").wait_for()
    assert "Husband passed away" not in page.content()
    assert "Ask Olivia Organizer" in page.content()
    screenshot(page, "brief-sensitive-hidden-desktop")
    response = page.goto(f"{live_server.url}/people/{elsewhere.pk}/")
    assert response.status == 404
    assert "Wendy" not in page.content()
    screenshot(page, "other-team-404-desktop")

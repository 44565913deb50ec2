"""Phone banking in Chromium: a caller takes three calls on a phone; the organizer's queue."""

from __future__ import annotations

import pytest

from calling.models import CallAttempt, CallTarget
from conversations.models import Conversation, Note, SurveyChoice, SurveyQuestion
from conversations.services import note_create
from supporters.models import Channel
from supporters.services import consent_set
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.browser.test_sign_in import sign_in
from tests.calling.helpers import call_list, person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone_bank(organizer, eastside):
    question = SurveyQuestion.objects.create(
        slug="support", prompt="How likely are you to support us?"
    )
    for value, label in [("1", "Strong support"), ("3", "Undecided")]:
        SurveyChoice.objects.create(question=question, value=value, label=label)
    maria = person(eastside, given_name="Maria", family_name="Delgado", phone="(312) 555-0101")
    note_create(
        actor=organizer, supporter=maria, body="Son is an Iraq war veteran", kind="remember"
    )
    person(eastside, given_name="Rosa", family_name="Nunez", language="es", phone="312-555-0102")
    person(eastside, given_name="Tom", family_name="Baker", phone="312-555-0103")
    stop = person(eastside, given_name="Dina", family_name="Stop")
    consent_set(actor=organizer, supporter=stop, channel=Channel.CALL)
    person(eastside, given_name="Nora", family_name="Nophone", phone=None)
    return call_list(
        organizer,
        eastside,
        name="Rent calls",
        scripts={
            "en": "Hi {first_name}, this is {caller_name} from Eastside Neighbors.",
            "es": "Hola {first_name}, habla {caller_name} de Eastside Neighbors.",
        },
        questions=[question],
    )


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_caller_takes_three_calls_on_a_phone(live_server, page_factory, volunteer, phone_bank):
    page = page_factory(PHONE)
    sign_in(page, live_server, volunteer)
    page.get_by_role("heading", name="My people").wait_for()
    page.get_by_role("link", name="Calls").click()
    page.get_by_role("link", name="Rent calls").click()
    screenshot(page, "calling-start-phone")
    page.get_by_role("button", name="Next call").click()

    # 1: Maria — the brief's things to remember, the script with both names, a tel: button.
    page.get_by_role("heading", name="Maria Delgado").wait_for()
    assert "Hi Maria, this is Alice from Eastside Neighbors." in page.content()
    assert "Son is an Iraq war veteran" in page.content()
    assert page.get_by_role("link", name="Call (312) 555-0101").get_attribute("href") == (
        "tel:(312) 555-0101"
    )
    no_sideways_scroll(page)
    screenshot(page, "calling-call-phone")
    page.get_by_text("Talked", exact=True).click()
    page.get_by_text("Strong support").click()
    page.get_by_label("What we heard").fill("Rent is up again; her son just got back.")
    page.get_by_label("Thing to remember 1").fill("Son home from deployment in December")
    page.get_by_label("Message to the organizer").fill("Wants to host a house meeting")
    screenshot(page, "calling-form-phone")
    page.get_by_role("button", name="Save and next call").click()

    # 2: Rosa, in her language — a wrong number, one tap.
    page.get_by_role("heading", name="Rosa Nunez").wait_for()
    assert "Hola Rosa, habla Alice de Eastside Neighbors." in page.content()
    page.get_by_text("Call saved.").wait_for()
    page.get_by_role("button", name="Wrong number").click()

    # 3: Tom — left a message.
    page.get_by_role("heading", name="Tom Baker").wait_for()
    page.get_by_text("Left a message", exact=True).click()
    page.get_by_role("button", name="Save and next call").click()

    # The queue has run dry, and says why.
    page.get_by_text("Why nobody is ready:").wait_for()
    body = page.content()
    assert "Do not call: 1" in body and "No phone number: 1" in body
    no_sideways_scroll(page)
    screenshot(page, "calling-dry-phone")

    results = dict(CallAttempt.objects.values_list("supporter__given_name", "result"))
    assert results == {"Maria": "talked", "Rosa": "wrong_number", "Tom": "left_message"}
    assert Conversation.objects.filter(channel="phone").count() == 3
    assert Note.objects.filter(body="Son home from deployment in December").exists()
    assert not CallTarget.objects.filter(claimed_by__isnull=False, lease_expires_at__isnull=False)


def test_the_organizer_reads_the_queue_and_progress(
    live_server, page_factory, organizer, volunteer, phone_bank
):
    import uuid

    from calling.services import call_claim, call_record

    held = call_claim(actor=volunteer, call_list=phone_bank)
    call_record(
        actor=volunteer,
        target=held,
        client_uuid=uuid.uuid4(),
        result="talked",
        remember=[("Plays trumpet", False)],
        message_to_organizer="Ask her to speak at the rally",
    )
    call_claim(actor=volunteer, call_list=phone_bank)  # Alice holds the next one now
    page = page_factory(DESKTOP)
    sign_in(page, live_server, organizer)
    page.goto(f"{live_server.url}/calling/{phone_bank.pk}/")
    page.get_by_role("heading", name="The queue").wait_for()
    body = page.content()
    assert "With a caller now" in body and "Alice Volunteer (1)" in body
    assert "Ask her to speak at the rally" in body
    page.get_by_text("Who is held back, and why").click()
    screenshot(page, "calling-organizer-desktop")

"""A Spanish-speaking volunteer at 390x844 (issue 18): signs in, logs a conversation in
Spanish, and finds what the listener heard on the brief, every label in Spanish."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress

from conversations.models import Conversation, Suggestion
from conversations.tasks import conversation_listen_task
from organizing.services import user_language_set
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.conftest import PASSWORD
from tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db(transaction=True)

# English a page must not show once it is in Spanish (words of the interface, not of people).
ENGLISH_LABELS = re.compile(
    r"\b(My people|Sign out|Things to remember|What we heard|Log a conversation|"
    r"Save conversation|How to reach them|Open follow-ups|Relationships|Last conversations|"
    r"Top issues|History|Suggestion|Confirm|Dismiss|Your account|What happened|Talked|"
    r"Not home|Follow up|Speaks)\b"
)


@pytest.fixture
def rosa(volunteer, eastside):
    user_language_set(actor=volunteer, user=volunteer, language="es")
    EmailAddress.objects.get_or_create(
        user=volunteer, email=volunteer.email, defaults={"verified": True, "primary": True}
    )
    return AssignmentFactory(
        volunteer=volunteer,
        supporter__given_name="Rosa",
        supporter__family_name="Jiménez",
        supporter__language="es",
        supporter__team=eastside,
    ).supporter


def _visible_text(page) -> str:
    return page.locator("body").inner_text()


def test_a_spanish_speaking_volunteer_logs_in_spanish_and_sees_the_suggestion(
    live_server, page_factory, volunteer, rosa
):
    page = page_factory(PHONE, locale="es-MX")
    page.goto(f"{live_server.url}/")
    # The sign-in page follows the browser: Spanish.
    page.get_by_role("heading", name="Entrar").wait_for()
    screenshot(page, "es-sign-in-390")
    page.get_by_label("Correo").fill(volunteer.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()

    page.get_by_role("heading", name="Mi gente").wait_for()
    screenshot(page, "es-home-390")
    assert not ENGLISH_LABELS.search(_visible_text(page))

    page.goto(f"{live_server.url}/people/{rosa.pk}/log/")
    page.get_by_role("heading", name="Anotar: Rosa Jiménez").wait_for()
    assert page.get_by_label("Español").is_checked()  # the person's language, chosen already
    page.get_by_text("Hablamos", exact=True).click()
    page.get_by_label("Lo que escuchamos").fill(
        "Su hijo es veterano de Irak. Le subieron la renta otra vez."
    )
    screenshot(page, "es-log-form-390")
    assert not ENGLISH_LABELS.search(_visible_text(page))
    page.get_by_role("button", name="Guardar conversación").click()
    page.get_by_text("Conversación guardada.").wait_for()

    conversation = Conversation.objects.get(supporter=rosa)
    assert conversation.language == "es"
    # What the worker does after the save (tests/workers.py runs a real one elsewhere).
    assert conversation_listen_task(conversation.pk) is True
    heard = {(s.category, s.text) for s in Suggestion.objects.filter(supporter=rosa)}
    assert heard == {
        ("military", "Su hijo es veterano de Irak"),
        ("housing", "Le subieron la renta otra vez"),
    }

    page.goto(f"{live_server.url}/people/{rosa.pk}/")
    page.get_by_text("Habla español").wait_for()
    page.get_by_text("2 sugerencias por revisar").click()
    veteran = page.locator("li", has_text="De: «Su hijo es veterano de Irak.»")
    veteran.wait_for()
    assert veteran.get_by_role("button", name="Confirmar").is_visible()
    assert veteran.get_by_role("button", name="Descartar").is_visible()
    screenshot(page, "es-brief-390")
    text = _visible_text(page)
    assert "Cosas para recordar" in text and "Lo que escuchamos" not in text
    assert not ENGLISH_LABELS.search(text), ENGLISH_LABELS.search(text)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate("document.documentElement.lang") == "es"

    veteran.get_by_role("button", name="Confirmar").click()
    page.get_by_text("Guardado: Su hijo es veterano de Irak").wait_for()
    assert Suggestion.objects.get(supporter=rosa, category="military").status == "confirmed"


def test_the_spanish_brief_on_a_laptop(live_server, page_factory, volunteer, rosa):
    page = page_factory(DESKTOP, locale="en-US")  # the account's language wins over this
    page.goto(f"{live_server.url}/")
    page.get_by_label("Email").fill(volunteer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("heading", name="Mi gente").wait_for()
    page.goto(f"{live_server.url}/people/{rosa.pk}/")
    page.get_by_text("Habla español").wait_for()
    screenshot(page, "es-brief-desktop")
    assert not ENGLISH_LABELS.search(_visible_text(page))
    # Back to English from Your account: the next page is in English again.
    page.goto(f"{live_server.url}/account/")
    page.get_by_role("heading", name="Idioma").wait_for()
    screenshot(page, "es-account-desktop")
    page.get_by_role("combobox", name="Idioma").select_option("en")
    page.get_by_role("button", name="Guardar idioma").click()
    page.get_by_text("Language saved.").wait_for()
    assert page.get_by_role("heading", name="Your account").is_visible()

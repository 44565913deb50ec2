"""Earshot in Spanish: the catalogue is complete and keeps its glossary, each user reads
their own language (chosen on Your account, else the browser's), and emails go out in the
recipient's language."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from organizing.models import Invitation, Membership
from organizing.services import invitation_create, invitation_send, user_language_set
from organizing.translations import catalogue_problems, compile_catalogs, translated
from tests.factories import AssignmentFactory, FollowUpFactory

pytestmark = pytest.mark.django_db

SPANISH = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
GLOSSARY = Path(settings.BASE_DIR) / "locale" / "es" / "GLOSSARY.md"


def _glossary() -> list[tuple[str, str]]:
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] not in {"English", "---"}:
            rows.append((cells[0], cells[1]))
    return rows


def test_the_spanish_catalogue_is_complete_and_nothing_is_fuzzy():
    problems = catalogue_problems(SPANISH)
    assert not problems.untranslated, problems.untranslated[:10]
    assert not problems.fuzzy, problems.fuzzy[:10]
    assert not problems.obsolete, problems.obsolete[:10]
    assert not problems.format_errors, problems.format_errors[:10]


def test_the_glossary_has_about_thirty_terms_and_the_catalogue_keeps_every_one():
    terms = _glossary()
    assert len(terms) >= 30
    catalogue = translated(SPANISH)
    wrong = {
        english: (catalogue.get(("", english)), spanish)
        for english, spanish in terms
        if catalogue.get(("", english)) != spanish
    }
    assert wrong == {}


def test_the_catalogue_speaks_tu_never_usted():
    # A few forms that only usted would use; the glossary settles on tú.
    usted = re.compile(r"\b(usted|ustedes|su cuenta|Corrija|Escriba|Elija|Pida|Espere)\b")
    offenders = [
        text
        for text in translated(SPANISH).values()
        for text in (text.values() if isinstance(text, dict) else [text])
        if usted.search(text)
    ]
    assert offenders == []


def test_compiling_writes_a_mo_file_django_reads(tmp_path):
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text(SPANISH.read_text(encoding="utf-8"), encoding="utf-8")
    assert compile_catalogs(tmp_path) == [folder / "django.mo"]
    assert compile_catalogs(tmp_path) == []  # up to date: nothing written twice
    import gettext

    catalogue = gettext.GNUTranslations((folder / "django.mo").open("rb"))
    assert catalogue.gettext("My people") == "Mi gente"
    assert catalogue.ngettext("%(count)d hour", "%(count)d hours", 3) == "%(count)d horas"


def test_a_browser_asking_for_spanish_gets_the_sign_in_page_in_spanish(client):
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    body = page.content.decode()
    assert '<html lang="es">' in body
    assert "A Earshot se entra por invitación" in body
    english = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US")
    assert "Earshot is by invitation" in english.content.decode()


def test_the_users_own_language_wins_over_the_browsers(client, volunteer):
    client.force_login(volunteer)
    assert "My people" in client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(reverse("organizing:language_set"), {"language": "es"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    volunteer.refresh_from_db()
    assert volunteer.language == "es"
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert "Mi gente" in home and "My people" not in home
    assert home.count("Idioma guardado.") == 1  # the message is in Spanish too


def test_blank_language_follows_the_browser_again(client, volunteer):
    user_language_set(actor=volunteer, user=volunteer, language="es")
    client.force_login(volunteer)
    response = client.post(reverse("organizing:language_set"), {"language": ""})
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.language == ""
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My people" in page


def test_an_unknown_language_is_a_field_error_and_changes_nothing(client, volunteer):
    client.force_login(volunteer)
    response = client.post(reverse("organizing:language_set"), {"language": "xx"})
    assert response.status_code == 400
    assert "xx" in response.content.decode()  # Django's choice error names the value
    volunteer.refresh_from_db()
    assert volunteer.language == ""


def test_no_one_chooses_anothers_language(volunteer, teammate):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        user_language_set(actor=teammate, user=volunteer, language="es")
    volunteer.refresh_from_db()
    assert volunteer.language == ""


def test_form_errors_come_in_spanish(client, volunteer, eastside):
    maria = AssignmentFactory(volunteer=volunteer, supporter__team=eastside).supporter
    user_language_set(actor=volunteer, user=volunteer, language="es")
    client.force_login(volunteer)
    response = client.post(
        reverse("conversations:log", args=[maria.pk]),
        {"client_uuid": "not-a-uuid", "channel": "door", "outcome": "talked"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Corrige los campos marcados abajo" in body
    assert "Anotar:" in body


def test_the_api_answers_errors_in_the_language_asked_for(client, volunteer):
    client.force_login(volunteer)
    response = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Esa dirección no existe en la API."


def test_dates_on_pages_follow_the_language():
    from django.template import Context, Template

    moment = timezone.make_aware(timezone.datetime(2026, 12, 1, 17, 30))
    template = Template('{{ moment|date:"SHORT_DATE_FORMAT" }} {{ moment|date:"TIME_FORMAT" }}')
    with translation.override("en"):
        assert template.render(Context({"moment": moment})) == "Dec 1, 2026 5:30 PM"
    with translation.override("es"):
        assert template.render(Context({"moment": moment})) == "1 dic 2026 17:30"


def test_an_invitation_goes_out_in_the_language_it_was_made_in(organizer, eastside):
    with translation.override("es"):
        invitation = invitation_create(
            actor=organizer, team=eastside, email="rosa@example.org", role="volunteer"
        )
    assert invitation.language == "es"
    english = invitation_create(
        actor=organizer,
        team=eastside,
        email="nadia@example.org",
        role=Membership.Role.VOLUNTEER,
        language="en",
    )
    assert invitation_send(invitation_id=invitation.pk)
    assert invitation_send(invitation_id=english.pk)
    spanish_mail, english_mail = mail.outbox
    assert "Te invitan a" in spanish_mail.subject
    assert "te invitó a unirte" in spanish_mail.body and "voluntario" in spanish_mail.body
    assert "You're invited to" in english_mail.subject
    assert Invitation.objects.get(pk=invitation.pk).sent_at is not None


def test_the_invitation_form_offers_the_language(client, organizer, eastside):
    client.force_login(organizer)
    client.post(
        reverse("organizing:invitation_list"),
        {"email": "rosa@example.org", "team": eastside.pk, "role": "volunteer", "language": "es"},
    )
    assert Invitation.objects.get().language == "es"


def test_the_digest_goes_out_in_each_volunteers_language(volunteer, teammate):
    from conversations.notifications import followup_digest

    user_language_set(actor=volunteer, user=volunteer, language="es")
    now = timezone.now()
    FollowUpFactory(assignee=volunteer, due_at=now - timedelta(days=2), reason="Llamar a Rosa")
    FollowUpFactory(assignee=teammate, due_at=now - timedelta(days=2), reason="Call Rosa")
    assert followup_digest() == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    spanish = by_recipient[volunteer.email]
    assert "Tus seguimientos" in spanish.subject
    assert spanish.body.startswith("Buenos días,") and "Atrasados:" in spanish.body
    english = by_recipient[teammate.email]
    assert english.body.startswith("Good morning,") and "Overdue:" in english.body

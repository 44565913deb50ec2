"""A conversation's language, stored and listened in: chosen on the log form (the person's by
default), detected for an API post that does not say; Spanish issue phrases editable per
language; the brief shows the person's language."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from conversations.models import Conversation, Issue, IssueMention, IssuePhrase, Suggestion
from conversations.services import (
    conversation_language,
    issue_phrases_add_defaults,
    issue_phrases_set,
)
from conversations.tasks import conversation_listen_task
from organizing.services import user_language_set
from tests.api_helpers import error_of, key_client
from tests.factories import AssignmentFactory, ConversationFactory, SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rosa(volunteer, eastside):
    return AssignmentFactory(
        volunteer=volunteer,
        supporter__team=eastside,
        supporter__given_name="Rosa",
        supporter__language="es",
    ).supporter


def _log(client, supporter, **fields):
    return client.post(
        reverse("conversations:log", args=[supporter.pk]),
        {
            "client_uuid": str(uuid.uuid4()),
            "channel": "door",
            "outcome": "talked",
            "followup": "none",
            **fields,
        },
    )


def test_the_log_form_starts_in_the_persons_language(client, volunteer, rosa):
    client.force_login(volunteer)
    form = client.get(reverse("conversations:log", args=[rosa.pk])).context["form"]
    assert form.initial["language"] == "es"
    english = SupporterFactory(team=rosa.team, language="vi")
    AssignmentFactory(volunteer=volunteer, supporter=english)
    form = client.get(reverse("conversations:log", args=[english.pk])).context["form"]
    assert form.initial["language"] == "en"  # Earshot listens in English and Spanish only


def test_a_spanish_conversation_is_stored_and_heard_in_spanish(client, volunteer, rosa):
    client.force_login(volunteer)
    response = _log(client, rosa, language="es", heard="Su hijo es veterano de Irak.")
    assert response.status_code == 302
    conversation = Conversation.objects.get(supporter=rosa)
    assert conversation.language == "es"
    assert conversation_listen_task(conversation.pk) is True
    suggestion = Suggestion.objects.get(supporter=rosa)
    assert (suggestion.category, suggestion.text) == ("military", "Su hijo es veterano de Irak")
    conversation.refresh_from_db()
    assert conversation.sentiment is None  # no Spanish lexicon: no score, never an English one


def test_the_chosen_language_wins_over_what_the_words_look_like(client, volunteer, rosa):
    client.force_login(volunteer)
    _log(client, rosa, language="en", heard="Su hijo es veterano de Irak.")
    assert Conversation.objects.get(supporter=rosa).language == "en"


def test_a_bad_language_on_the_form_is_a_field_error_and_keeps_what_was_typed(
    client, volunteer, rosa
):
    client.force_login(volunteer)
    response = _log(client, rosa, language="fr", heard="Tiene dos perros.")
    assert response.status_code == 400
    assert "language" in response.context["form"].errors
    assert "Tiene dos perros." in response.content.decode()
    assert not Conversation.objects.exists()


def test_the_follow_up_time_is_read_in_spanish_in_the_persons_time_zone(volunteer, rosa):
    chicago = ZoneInfo("America/Chicago")
    talk = ConversationFactory(
        supporter=rosa,
        volunteer=volunteer,
        outcome="callback_requested",
        heard="Llámame el martes después de las 5",
        language="es",
        happened_at=datetime(2026, 11, 19, 16, 0, tzinfo=chicago),
    )
    conversation_listen_task(talk.pk)
    talk.refresh_from_db()
    assert talk.asked_followup_at == datetime(2026, 11, 24, 17, 0, tzinfo=chicago)


def test_an_api_post_without_a_language_is_detected_from_what_was_heard(volunteer, rosa):
    english_speaker = AssignmentFactory(volunteer=volunteer, supporter__team=rosa.team).supporter
    client = key_client(volunteer, scopes=("read", "write"))
    body = {"channel": "phone", "outcome": "talked"}
    spanish = client.post(
        reverse("api:conversation-list"),
        {
            **body,
            "client_uuid": str(uuid.uuid4()),
            "supporter": english_speaker.pk,
            "heard": "Le subieron la renta otra vez y el casero no arregla nada.",
        },
        format="json",
    )
    assert spanish.status_code == 201
    assert spanish.json()["language"] == "es"
    english = client.post(
        reverse("api:conversation-list"),
        {
            **body,
            "client_uuid": str(uuid.uuid4()),
            "supporter": rosa.pk,
            "heard": "She says the rent went up again and the landlord fixes nothing.",
        },
        format="json",
    )
    assert english.json()["language"] == "en"
    silent = client.post(
        reverse("api:conversation-list"),
        {**body, "client_uuid": str(uuid.uuid4()), "supporter": rosa.pk},
        format="json",
    )
    assert silent.json()["language"] == "es"  # nothing heard: the person's language
    bad = client.post(
        reverse("api:conversation-list"),
        {**body, "client_uuid": str(uuid.uuid4()), "supporter": rosa.pk, "language": "fr"},
        format="json",
    )
    assert bad.status_code == 400
    assert "language" in error_of(bad)["fields"]
    assert Conversation.objects.count() == 3


def test_conversation_language_rules(rosa):
    assert conversation_language(supporter=rosa, heard="Rent went up.", chosen="") == "en"
    assert conversation_language(supporter=rosa, heard="", chosen="") == "es"
    assert conversation_language(supporter=rosa, heard="Rent went up.", chosen="es") == "es"


def test_spanish_issue_phrases_hear_spanish_conversations_only(volunteer, rosa, organizer):
    housing = Issue.objects.create(name="Rent and housing")
    issue_phrases_set(actor=organizer, issue=housing, phrases=["landlord"], language="en")
    issue_phrases_set(actor=organizer, issue=housing, phrases=["casero"], language="es")
    spanish = ConversationFactory(
        supporter=rosa, volunteer=volunteer, heard="El casero no contesta.", language="es"
    )
    english = ConversationFactory(
        supporter=rosa, volunteer=volunteer, heard="The casero story was funny.", language="en"
    )
    conversation_listen_task(spanish.pk)
    conversation_listen_task(english.pk)
    assert IssueMention.objects.get(conversation=spanish).phrase == "casero"
    assert not IssueMention.objects.filter(conversation=english).exists()


def test_the_same_phrase_may_be_kept_in_both_languages(organizer):
    health = Issue.objects.create(name="Healthcare")
    issue_phrases_set(actor=organizer, issue=health, phrases=["Medicaid"], language="en")
    issue_phrases_set(actor=organizer, issue=health, phrases=["Medicaid"], language="es")
    assert IssuePhrase.objects.filter(issue=health).count() == 2


def test_default_phrases_come_in_both_languages_once(organizer):
    Issue.objects.create(name="Rent and housing")
    assert issue_phrases_add_defaults() > 0
    assert issue_phrases_add_defaults() == 0
    languages = set(IssuePhrase.objects.values_list("language", flat=True))
    assert languages == {"en", "es"}


def test_issue_phrases_page_edits_each_language(client, organizer, volunteer):
    housing = Issue.objects.create(name="Rent and housing")
    issue_phrases_set(actor=organizer, issue=housing, phrases=["landlord"], language="en")
    client.force_login(organizer)
    url = reverse("rules:issue_phrase_edit", args=[housing.pk])
    page = client.get(url)
    assert page.context["form"].initial == {"phrases": "landlord", "phrases_es": ""}
    response = client.post(url, {"phrases": "landlord\neviction", "phrases_es": "casero\ndesalojo"})
    assert response.status_code == 302
    assert set(housing.phrases.filter(language="es").values_list("phrase", flat=True)) == {
        "casero",
        "desalojo",
    }
    assert set(housing.phrases.filter(language="en").values_list("phrase", flat=True)) == {
        "landlord",
        "eviction",
    }
    listing = client.get(reverse("rules:issue_phrase_list")).content.decode()
    assert "desalojo" in listing
    too_long = client.post(url, {"phrases": "", "phrases_es": "x" * 81})
    assert too_long.status_code == 400
    assert "phrases_es" in too_long.context["form"].errors
    assert housing.phrases.count() == 4  # nothing changed
    client.force_login(volunteer)
    assert client.post(url, {"phrases": "", "phrases_es": ""}).status_code == 403
    assert housing.phrases.count() == 4


def test_the_brief_shows_the_persons_language_where_it_cannot_be_missed(client, volunteer, rosa):
    client.force_login(volunteer)
    body = client.get(reverse("conversations:brief", args=[rosa.pk])).content.decode()
    assert '<span class="speaks-badge">Speaks Spanish</span>' in body
    user_language_set(actor=volunteer, user=volunteer, language="es")
    body = client.get(reverse("conversations:brief", args=[rosa.pk])).content.decode()
    assert '<span class="speaks-badge">Habla español</span>' in body


def test_a_spanish_speaking_volunteer_gets_the_log_form_in_spanish(client, volunteer, rosa):
    user_language_set(actor=volunteer, user=volunteer, language="es")
    client.force_login(volunteer)
    body = client.get(reverse("conversations:log", args=[rosa.pk])).content.decode()
    for label in ("Lo que escuchamos", "Cosas para recordar", "La conversación fue en", "Puerta"):
        assert label in body
    assert "What we heard" not in body


def test_listening_a_spanish_note_twice_acts_once(volunteer, rosa):
    talk = ConversationFactory(
        supporter=rosa,
        volunteer=volunteer,
        heard="Tiene dos perros, cuidado con el portón. Su hijo es veterano de Irak.",
        language="es",
    )
    assert conversation_listen_task(talk.pk) is True
    assert conversation_listen_task(talk.pk) is False
    assert Suggestion.objects.filter(supporter=rosa).count() == 2

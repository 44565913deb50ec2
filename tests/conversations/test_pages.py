"""The brief, logging a conversation and the history, as volunteers and organizers use them."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from conversations.models import (
    Conversation,
    FollowUp,
    Issue,
    Note,
    Suggestion,
    SurveyChoice,
    SurveyQuestion,
)
from conversations.services import conversation_log, note_create
from organizing.models import AuditEvent
from supporters.models import DoNotContact, HistoryEvent
from supporters.services import consent_set
from tests.factories import (
    AssignmentFactory,
    FollowUpFactory,
    RelationshipFactory,
    SupporterFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def maria(volunteer, eastside):
    return AssignmentFactory(
        volunteer=volunteer,
        supporter__given_name="Maria",
        supporter__family_name="Delgado",
        supporter__pronouns="she/her",
        supporter__language="es",
        supporter__team=eastside,
    ).supporter


@pytest.fixture
def questions(db):
    support = SurveyQuestion.objects.create(
        slug="support", prompt="How likely are you to support us?", position=0
    )
    for value, label in [("1", "Strong support"), ("3", "Undecided")]:
        SurveyChoice.objects.create(question=support, value=value, label=label)
    SurveyQuestion.objects.create(slug="anything", prompt="Anything else?", kind="text", position=1)
    SurveyQuestion.objects.create(slug="old", prompt="Retired question", is_active=False)
    return support


def log(supporter, actor, n, *, spread=True, **extra):
    """Log conversation ``n``; spread out, conversation 0 is the newest."""
    return conversation_log(
        actor=actor,
        supporter=supporter,
        client_uuid=uuid.uuid4(),
        channel="door",
        outcome="talked",
        heard=f"Conversation number {n}",
        happened_at=timezone.now() - timedelta(hours=n) if spread else None,
        **extra,
    )


# --- The brief ----------------------------------------------------------------------------


def test_brief_shows_what_a_volunteer_needs_before_knocking(client, volunteer, maria, organizer):
    consent_set(actor=organizer, supporter=maria, channel="call")
    rent = Issue.objects.create(name="Rent")
    for n in range(5):
        log(maria, volunteer, n, issues=[rent])
    note_create(
        actor=volunteer, supporter=maria, body="Son is an Iraq war veteran", kind="remember"
    )
    FollowUpFactory(supporter=maria, assignee=volunteer, reason="Bring the flyer")
    RelationshipFactory(known_by=organizer, supporter=maria, kind="neighbor")
    client.force_login(volunteer)
    response = client.get(reverse("conversations:brief", args=[maria.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Do not call" in body and "she/her" in body and "Spanish" in body
    assert "Son is an Iraq war veteran" in body and "Alice Volunteer" in body
    assert (
        "Rent" in body
        and "Bring the flyer" in body
        and "Olivia Organizer knows Maria Delgado" in body
    )
    assert [c.heard for c in response.context["brief"].last_conversations] == [
        "Conversation number 0",
        "Conversation number 1",
        "Conversation number 2",
    ]


def test_opening_a_brief_or_history_is_audited(client, volunteer, maria):
    client.force_login(volunteer)
    client.get(reverse("conversations:brief", args=[maria.pk]))
    client.get(reverse("conversations:history", args=[maria.pk]))
    assert list(
        AuditEvent.objects.filter(actor=volunteer).order_by("id").values_list("action", "object_id")
    ) == [
        ("supporter.brief_viewed", str(maria.pk)),
        ("supporter.history_viewed", str(maria.pk)),
    ]


@pytest.mark.parametrize("page", ["brief", "history", "log"])
def test_supporters_outside_my_scope_are_404(client, volunteer, westside, eastside, page):
    for outsider in (SupporterFactory(team=westside), SupporterFactory(team=eastside)):
        client.force_login(volunteer)
        assert client.get(reverse(f"conversations:{page}", args=[outsider.pk])).status_code == 404
    assert not AuditEvent.objects.exists()


def test_sensitive_notes_are_for_organizers_and_volunteers_learn_whom_to_ask(
    client, volunteer, organizer, maria
):
    note_create(
        actor=organizer, supporter=maria, body="Husband recently passed away", kind="sensitive"
    )
    client.force_login(volunteer)
    for url in (
        reverse("conversations:brief", args=[maria.pk]),
        reverse("conversations:history", args=[maria.pk]),
    ):
        body = client.get(url).content.decode()
        assert "Husband recently passed away" not in body
    assert (
        "Ask Olivia Organizer"
        in client.get(reverse("conversations:brief", args=[maria.pk])).content.decode()
    )
    client.force_login(organizer)
    assert (
        "Husband recently passed away"
        in client.get(reverse("conversations:brief", args=[maria.pk])).content.decode()
    )
    assert (
        "Husband recently passed away"
        in client.get(reverse("conversations:history", args=[maria.pk])).content.decode()
    )


def test_a_note_later_marked_sensitive_disappears_from_the_volunteers_history(
    client, volunteer, organizer, maria
):
    note = note_create(
        actor=volunteer, supporter=maria, body="Going through a divorce", kind="remember"
    )
    client.force_login(organizer)
    client.post(
        reverse("conversations:note_edit", args=[maria.pk, note.pk]),
        {"body": note.body, "kind": "sensitive"},
    )
    client.force_login(volunteer)
    assert (
        "divorce"
        not in client.get(reverse("conversations:history", args=[maria.pk])).content.decode()
    )


def _queries_for(client, url, django_assert_max_num_queries):
    client.get(url)  # warm per-process caches (content types) before counting
    with django_assert_max_num_queries(15) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("page", ["brief", "history"])
def test_brief_and_history_run_the_same_queries_for_5_or_200_conversations(
    client, volunteer, organizer, eastside, page, django_assert_max_num_queries
):
    counts = []
    for size in (5, 200):
        supporter = AssignmentFactory(volunteer=volunteer, supporter__team=eastside).supporter
        rent = Issue.objects.get_or_create(name="Rent")[0]
        for n in range(size):
            # Not spread: every kind of line (conversation, note, follow-up) reaches page one.
            log(
                supporter,
                volunteer,
                n,
                spread=False,
                issues=[rent],
                remember=[(f"Remember {n}", n % 7 == 0)],
                followup=(timezone.now() + timedelta(days=n), f"Reason {n}"),
            )
        client.force_login(volunteer)
        counts.append(
            _queries_for(
                client,
                reverse(f"conversations:{page}", args=[supporter.pk]),
                django_assert_max_num_queries,
            )
        )
    assert counts[0] == counts[1]


def test_history_pages_newest_first_and_loads_older_entries_by_htmx(client, volunteer, maria):
    for n in range(60):
        log(maria, volunteer, n)
    client.force_login(volunteer)
    first = client.get(reverse("conversations:history", args=[maria.pk]))
    page = first.context["page"]
    assert len(page.events) == 50 and page.next_cursor
    assert page.events[0].conversation.heard == "Conversation number 0"
    more = client.get(
        reverse("conversations:history", args=[maria.pk]),
        {"before": page.next_cursor},
        headers={"HX-Request": "true"},
    )
    rest = more.context["page"].events
    assert "<html" not in more.content.decode()
    assert len(rest) == 10 and rest[-1].conversation.heard == "Conversation number 59"
    assert not more.context["page"].next_cursor
    assert (
        client.get(
            reverse("conversations:history", args=[maria.pk]), {"before": "garbage"}
        ).status_code
        == 200
    )


def test_correcting_a_note_keeps_the_earlier_text_in_the_history(client, volunteer, maria):
    note = note_create(actor=volunteer, supporter=maria, body="Son served in Irak", kind="remember")
    client.force_login(volunteer)
    response = client.post(
        reverse("conversations:note_edit", args=[maria.pk, note.pk]),
        {"body": "Son served in Iraq", "kind": "remember"},
    )
    assert response.status_code == 302
    body = client.get(reverse("conversations:history", args=[maria.pk])).content.decode()
    assert (
        "Son served in Iraq" in body
        and "<s>Son served in Irak</s>" in body
        and "changed by Alice Volunteer" in body
    )


def test_volunteer_cannot_correct_someone_elses_note(client, volunteer, organizer, maria):
    note = note_create(actor=organizer, supporter=maria, body="Prefers Spanish", kind="remember")
    client.force_login(volunteer)
    response = client.post(
        reverse("conversations:note_edit", args=[maria.pk, note.pk]),
        {"body": "changed", "kind": "remember"},
    )
    assert response.status_code == 403
    note.refresh_from_db()
    assert note.body == "Prefers Spanish"


# --- Logging a conversation -------------------------------------------------------------


def form_data(**overrides):
    data = {
        "client_uuid": str(uuid.uuid4()),
        "channel": "door",
        "outcome": "talked",
        "followup": "none",
        "heard": "Her son is an Iraq war veteran; worried about rent.",
        "q_support": "1",
        "q_anything": "Wants a yard sign",
        "remember_0": "Son is an Iraq war veteran",
        "remember_1": "Lost her job in March",
        "remember_1_sensitive": "on",
        "consent": ["call"],
    }
    data.update(overrides)
    return data


def test_log_form_shows_active_questions_only(client, volunteer, maria, questions):
    client.force_login(volunteer)
    body = client.get(reverse("conversations:log", args=[maria.pk])).content.decode()
    assert "How likely are you to support us?" in body and "Anything else?" in body
    assert "Retired question" not in body and 'name="client_uuid"' in body


def test_logging_stores_the_conversation_and_returns_to_the_brief_showing_it(
    client, volunteer, maria, questions
):
    client.force_login(volunteer)
    response = client.post(reverse("conversations:log", args=[maria.pk]), form_data())
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert (
        response["Location"]
        == reverse("conversations:brief", args=[maria.pk]) + f"#conversation-{conversation.pk}"
    )
    assert conversation.volunteer == volunteer and conversation.responses.count() == 2
    assert DoNotContact.objects.filter(supporter=maria, channel="call").exists()
    assert set(Note.objects.values_list("body", "kind")) == {
        ("Son is an Iraq war veteran", "remember"),
        ("Lost her job in March", "sensitive"),
    }
    brief = client.get(response["Location"]).content.decode()
    assert f'id="conversation-{conversation.pk}"' in brief and "Conversation saved." in brief


def test_a_double_submit_stores_one_conversation(client, volunteer, maria, questions):
    client.force_login(volunteer)
    data = form_data()
    first = client.post(reverse("conversations:log", args=[maria.pk]), data)
    second = client.post(reverse("conversations:log", args=[maria.pk]), data)
    assert first["Location"] == second["Location"]
    assert Conversation.objects.count() == 1 and Note.objects.count() == 2
    assert HistoryEvent.objects.filter(kind="conversation").count() == 1


def test_bad_input_comes_back_field_by_field_with_everything_kept(
    client, volunteer, maria, questions
):
    client.force_login(volunteer)
    data = form_data(
        outcome="exploded",
        q_support="9",
        followup="callback",
        callback_at="soon",
        remember_2="x" * 201,
    )
    response = client.post(reverse("conversations:log", args=[maria.pk]), data)
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {
        "outcome",
        "q_support",
        "callback_at",
        "remember_2",
    }
    body = response.content.decode()
    assert "Her son is an Iraq war veteran; worried about rent." in body
    assert 'value="Son is an Iraq war veteran"' in body and data["client_uuid"] in body
    assert not Conversation.objects.exists()


def test_a_server_error_keeps_the_form(client, volunteer, maria, questions, monkeypatch):
    def broken(**kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr("conversations.views.conversation_log", broken)
    client.force_login(volunteer)
    data = form_data()
    response = client.post(reverse("conversations:log", args=[maria.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "couldn&#x27;t save this just now" in body and data["client_uuid"] in body
    assert "Her son is an Iraq war veteran; worried about rent." in body


def test_callback_requested_creates_a_follow_up_for_me(client, volunteer, maria, questions):
    client.force_login(volunteer)
    client.post(
        reverse("conversations:log", args=[maria.pk]),
        form_data(followup="callback", callback_at="2030-03-05T17:30", consent=[]),
    )
    followup = FollowUp.objects.get()
    assert followup.assignee == volunteer and timezone.localtime(followup.due_at).hour == 17


# --- Suggestions and follow-ups on the brief --------------------------------------------


def test_volunteer_confirms_or_dismisses_suggestions_on_the_brief(client, volunteer, maria):
    keep = Suggestion.objects.create(
        supporter=maria, category="military", text="Son is an Iraq war veteran", enricher="t"
    )
    drop = Suggestion.objects.create(
        supporter=maria, category="pets", text="Has a cat", enricher="t"
    )
    client.force_login(volunteer)
    assert (
        "Son is an Iraq war veteran"
        in client.get(reverse("conversations:brief", args=[maria.pk])).content.decode()
    )
    url = reverse("conversations:suggestion_decide", args=[maria.pk, keep.pk])
    response = client.post(
        url, {"decision": "confirm", "text": "Son served in Iraq"}, headers={"HX-Request": "true"}
    )
    assert "Kept: Son served in Iraq" in response.content.decode()
    client.post(
        reverse("conversations:suggestion_decide", args=[maria.pk, drop.pk]),
        {"decision": "dismiss"},
    )
    assert list(Note.objects.values_list("body", "author")) == [
        ("Son served in Iraq", volunteer.pk)
    ]
    assert client.post(url, {"decision": "maybe"}).status_code == 400


def test_suggestions_of_people_outside_my_scope_are_404(client, volunteer, eastside):
    other = SupporterFactory(team=eastside)
    suggestion = Suggestion.objects.create(
        supporter=other, category="pets", text="Has a dog", enricher="t"
    )
    client.force_login(volunteer)
    response = client.post(
        reverse("conversations:suggestion_decide", args=[other.pk, suggestion.pk]),
        {"decision": "confirm"},
    )
    assert response.status_code == 404
    assert Suggestion.objects.get(pk=suggestion.pk).status == "suggested"


def test_follow_up_done_from_the_brief_only_by_its_holder_or_an_organizer(
    client, volunteer, teammate, organizer, maria
):
    mine = FollowUpFactory(supporter=maria, assignee=volunteer)
    theirs = FollowUpFactory(supporter=maria, assignee=teammate, reason="Other")
    client.force_login(volunteer)
    assert (
        client.post(
            reverse("conversations:followup_complete", args=[maria.pk, theirs.pk])
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("conversations:followup_complete", args=[maria.pk, mine.pk])
        ).status_code
        == 302
    )
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert (mine.status, theirs.status) == ("done", "open")
    client.force_login(organizer)
    response = client.post(
        reverse("conversations:followup_complete", args=[maria.pk, theirs.pk]),
        {"next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("conversations:brief", args=[maria.pk])


# --- the access model (issue 10): regressions -------------------------------------------------


def test_item_12_a_notes_earlier_sensitive_text_stays_hidden_once_it_is_made_general(
    client, volunteer, organizer, maria
):
    from conversations.services import note_update

    note = note_create(
        actor=organizer, supporter=maria, body="Her son is in rehab", kind="sensitive"
    )
    # The organizer rewrites it for everyone and makes it general: the revision keeps the
    # words it had while it was sensitive.
    note_update(
        note=note, actor=organizer, body="Ask about her son", kind="general", is_pinned=False
    )
    history = reverse("conversations:history", args=[maria.pk])
    client.force_login(volunteer)
    body = client.get(history).content.decode()
    assert "Ask about her son" in body
    assert "rehab" not in body
    assert "Earlier text (1)" in body and "sensitive text — organizers can read it" in body
    client.force_login(organizer)
    assert "Her son is in rehab" in client.get(history).content.decode()


def test_item_10_heard_marked_sensitive_on_the_log_form_is_for_organizers_only(
    client, volunteer, organizer, maria, questions
):
    client.force_login(volunteer)
    data = {**form_data(), "heard": "Afraid of being deported", "heard_is_sensitive": "on"}
    response = client.post(reverse("conversations:log", args=[maria.pk]), data)
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert conversation.heard_is_sensitive
    for page in ("brief", "history"):
        url = reverse(f"conversations:{page}", args=[maria.pk])
        client.force_login(volunteer)
        body = client.get(url).content.decode()
        assert "deported" not in body and "marked sensitive" in body
        client.force_login(organizer)
        assert "Afraid of being deported" in client.get(url).content.decode()


def test_item_9_the_brief_shows_an_engagement_override_as_set_by_hand(
    client, volunteer, organizer, maria
):
    from supporters.services import supporter_update

    supporter_update(actor=organizer, supporter=maria, engagement_level=4)
    client.force_login(volunteer)
    body = client.get(reverse("conversations:brief", args=[maria.pk])).content.decode()
    assert "Active volunteer" in body and "set by hand by Olivia Organizer" in body

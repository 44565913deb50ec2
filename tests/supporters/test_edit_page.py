"""The page that edits a person (issue 16, item 1): who may change what, a history line for
each kind of change, bad input that keeps everything, and a save over someone else's newer
change that loses neither."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from conversations.models import SurveyChoice, SurveyQuestion
from conversations.services import conversation_log
from supporters.models import (
    ExternalId,
    HistoryEvent,
    Relationship,
    Supporter,
    SupporterAddress,
    SupporterPhone,
    SupporterTag,
    Tag,
)
from supporters.selectors import supporter_access
from supporters.services import (
    contact_point_remove,
    contact_point_update,
    contact_points_add,
    external_id_set,
    relationship_create,
    relationship_end,
    supporter_create,
    supporter_update,
    tag_add,
)
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

HIDDEN = ("updated_at", "opened", "shown_at", "tags_shown")


def edit_url(supporter) -> str:
    return reverse("supporters:edit", args=[supporter.pk])


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def opened(client, supporter) -> dict:
    """What a browser would send back unchanged: the inputs the page shows this viewer."""
    response = client.get(edit_url(supporter))
    assert response.status_code == 200
    form = response.context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if name != "tags" and (name in HIDDEN or form.may(name))
    }
    data["tags"] = [str(pk) for pk in form.initial["tags"]]
    return data


def snapshot(supporter) -> tuple:
    supporter = Supporter.objects.get(pk=supporter.pk)
    return (
        supporter.given_name,
        supporter.family_name,
        supporter.pronouns,
        supporter.support_level,
        supporter.custom_fields,
        sorted(supporter.phones.values_list("number", flat=True)),
        sorted(supporter.emails.values_list("address", flat=True)),
        sorted(SupporterTag.objects.filter(supporter=supporter).values_list("tag_id", flat=True)),
        HistoryEvent.objects.filter(supporter=supporter).count(),
    )


# --- who may change what -----------------------------------------------------------------

SEES_MARIA = {"alice", "bob", "olivia", "charlie", "priya", "ada"}
ORGANIZES_MARIA = {"olivia", "priya", "ada"}


@pytest.mark.parametrize(
    "name", ["alice", "bob", "olivia", "charlie", "priya", "ada", "evan", "lou", "ines"]
)
def test_the_edit_page_answers_each_member_of_the_cast_by_the_access_model(maria_case, name):
    maria, user = maria_case.maria, maria_case.cast[name]
    client = signed_in(user)
    response = client.get(edit_url(maria))
    if name == "ines":
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
        return
    if name not in SEES_MARIA:
        assert response.status_code == 404
        before = snapshot(maria)
        assert client.post(edit_url(maria), {"pronouns": "they/them"}).status_code == 404
        assert snapshot(maria) == before
        return
    assert response.status_code == 200
    form = response.context["form"]
    # Everyone who sees her corrects how to reach and address her; only her organizers
    # change the rest (names as registered, support level, custom fields, external IDs).
    assert form.may("phone-new-number") and form.may("pronouns") and form.may("language")
    organizes = name in ORGANIZES_MARIA
    for field in (
        "given_name",
        "family_name",
        "support_level",
        "custom-new-key",
        "external-new-value",
    ):
        assert form.may(field) is organizes, field
    body = response.content.decode()
    assert ('name="family_name"' in body) is organizes
    assert ('name="support_level"' in body) is organizes


@pytest.mark.parametrize("name", sorted(SEES_MARIA))
def test_everyone_who_sees_maria_corrects_her_contact_details(maria_case, name):
    maria = maria_case.maria
    client = signed_in(maria_case.cast[name])
    data = opened(client, maria)
    phone = maria.emails.get()
    data.update(
        {
            "pronouns": "she/her",
            "phone-new-number": "(312) 555-0199",
            "phone-new-kind": "mobile",
            f"email-{phone.pk}-address": "maria.lopez@example.org",
        }
    )
    response = client.post(edit_url(maria), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    maria.refresh_from_db()
    assert maria.pronouns == "she/her"
    assert list(maria.phones.values_list("number", "kind")) == [("(312) 555-0199", "mobile")]
    assert list(maria.emails.values_list("address", flat=True)) == ["maria.lopez@example.org"]


@pytest.mark.parametrize(
    "name, field, value",
    [
        (name, field, value)
        for name in sorted(SEES_MARIA)
        for field, value in [("family_name", "López"), ("support_level", "2")]
    ],
)
def test_only_her_organizers_change_her_typed_fields(maria_case, name, field, value):
    maria = maria_case.maria
    client = signed_in(maria_case.cast[name])
    data = opened(client, maria)
    data[field] = value
    data["pronouns"] = "she/her"  # allowed alone, but the save is one: all or nothing
    before = snapshot(maria)
    response = client.post(edit_url(maria), data)
    maria.refresh_from_db()
    if name in ORGANIZES_MARIA:
        assert response.status_code == 302
        assert str(getattr(maria, field)) == value and maria.pronouns == "she/her"
    else:
        assert response.status_code == 403
        assert snapshot(maria) == before


def test_a_volunteer_sets_support_only_through_a_conversation_answer(maria_case):
    alice, maria = maria_case.cast["alice"], maria_case.maria
    with pytest.raises(PermissionDenied):
        supporter_update(actor=alice, supporter=maria, support_level=1)
    question = SurveyQuestion.objects.get_or_create(
        slug="support", defaults={"prompt": "Support?"}
    )[0]
    choice = SurveyChoice.objects.get_or_create(
        question=question, value="1", defaults={"label": "Strong support"}
    )[0]
    conversation, _ = conversation_log(
        actor=alice,
        supporter=maria,
        client_uuid=uuid.uuid4(),
        channel="door",
        outcome="talked",
        answers={question: choice},
    )
    maria.refresh_from_db()
    assert maria.support_level == 1
    line = HistoryEvent.objects.filter(supporter=maria, details__fields=["support_level"]).get()
    assert (line.actor, line.details["conversation"]) == (alice, conversation.pk)


# --- a history line for each kind of change ----------------------------------------------


def _lines_since(supporter, last_id):
    return list(
        HistoryEvent.objects.filter(supporter=supporter, pk__gt=last_id)
        .order_by("id")
        .values_list("actor__email", "summary")
    )


def test_each_kind_of_edit_writes_a_history_line_saying_who(maria_case):
    olivia, maria = maria_case.cast["olivia"], maria_case.maria
    client = signed_in(olivia)
    relative = SupporterFactory(team=maria.team, given_name="José", family_name="Lopez")
    contact_points_add(
        actor=olivia,
        supporter=maria,
        phones=[("312-555-0100", "unknown")],
        addresses=[{"line1": "1 Main St", "postal_code": "60601"}],
    )
    rent = Tag.objects.create(name="rent")
    tag_add(actor=olivia, supporter=maria, tag=Tag.objects.create(name="old-tag"))
    supporter_update(actor=olivia, supporter=maria, custom_fields={"shift": "night"})
    ExternalId.objects.create(supporter=maria, system="van", value="V-1")
    old_relative = SupporterFactory(team=maria.team, given_name="Ana", family_name="Lopez")
    relationship_create(actor=olivia, supporter=maria, kind="family", other_supporter=old_relative)
    last = HistoryEvent.objects.order_by("-id").first().pk
    maria.refresh_from_db()
    phone = maria.phones.get()
    email = maria.emails.get()
    address = maria.addresses.get()
    van = maria.external_ids.get()
    ending = Relationship.objects.get(supporter=maria, other_supporter=old_relative)
    data = opened(client, maria)
    data.update(
        {
            "family_name": "López",
            "support_level": "2",
            f"phone-{phone.pk}-number": "312-555-0111",
            f"email-{email.pk}-remove": "on",
            "email-new-address": "m.lopez@example.org",
            f"address-{address.pk}-line1": "2 Main St",
            f"external-{van.pk}-value": "V-2",
            "external-new-system": "action_network",
            "external-new-value": "AN-9",
            "custom-new-key": "shirt",
            "custom-new-value": "M",
            "tags": [str(rent.pk)],
            f"relationship-{ending.pk}-end": "on",
            "relationship-new-person": f"#{relative.pk}",
            "relationship-new-kind": "household",
        }
    )
    response = client.post(edit_url(maria), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    lines = _lines_since(maria, last)
    summaries = [summary for _, summary in lines]
    assert {email for email, _ in lines} == {olivia.email}
    assert "Changed family name, support level, custom fields" in summaries
    assert "Corrected 312-555-0100 → 312-555-0111" in summaries
    assert "Removed maria@example.org" in summaries
    assert "Added m.lopez@example.org" in summaries
    assert "Corrected 1 Main St, 60601 → 2 Main St, 60601" in summaries
    assert "VAN id V-1 → V-2" in summaries
    assert "Action Network id AN-9 added" in summaries
    assert "Tagged rent" in summaries and "Tag old-tag removed" in summaries
    assert "No longer recorded: Ana Lopez (family)" in summaries
    assert "Known by José Lopez (same household)" in summaries
    # Ending a relationship between two people says so on both timelines.
    assert HistoryEvent.objects.filter(
        supporter=old_relative, actor=olivia, summary="No longer recorded: Maria López (family)"
    ).exists()
    maria.refresh_from_db()
    assert maria.custom_fields == {"shift": "night", "shirt": "M"}
    assert maria.emails.get().is_primary  # the new email became the main one
    # The corrected phone is enriched again from what was typed.
    corrected = maria.phones.get()
    assert (corrected.e164, corrected.enricher_version) == ("", 0)
    # The history page reads them, who and when.
    history = client.get(reverse("conversations:history", args=[maria.pk])).content.decode()
    assert "Corrected 312-555-0100 → 312-555-0111" in history
    assert "Olivia Organizer" in history


def test_removing_the_main_phone_makes_the_next_one_main(maria_case):
    olivia, maria = maria_case.cast["olivia"], maria_case.maria
    contact_points_add(
        actor=olivia,
        supporter=maria,
        phones=[("312-555-0100", "unknown"), ("312-555-0101", "mobile")],
    )
    main = maria.phones.get(is_primary=True)
    assert contact_point_remove(actor=olivia, contact_point=main)
    assert list(maria.phones.values_list("number", "is_primary")) == [("312-555-0101", True)]
    assert not contact_point_remove(actor=olivia, contact_point=main)


def test_a_volunteer_may_not_set_external_ids_or_end_someone_elses_relationship(maria_case):
    alice, bob, maria = maria_case.cast["alice"], maria_case.cast["bob"], maria_case.maria
    before = HistoryEvent.objects.count()
    with pytest.raises(PermissionDenied):
        external_id_set(actor=alice, supporter=maria, system="van", value="V-1")
    bobs = Relationship.objects.get(supporter=maria, known_by=bob)
    with pytest.raises(PermissionDenied):
        relationship_end(actor=alice, relationship=bobs)
    assert HistoryEvent.objects.count() == before and ExternalId.objects.count() == 0
    # Bob ends his own; Olivia may end anyone's.
    assert relationship_end(actor=bob, relationship=bobs)
    charlies = Relationship.objects.get(supporter=maria, known_by=maria_case.cast["charlie"])
    assert relationship_end(actor=maria_case.cast["olivia"], relationship=charlies)


def test_a_correction_to_a_number_she_already_has_is_refused_by_field(maria_case):
    olivia, maria = maria_case.cast["olivia"], maria_case.maria
    contact_points_add(
        actor=olivia,
        supporter=maria,
        phones=[("312-555-0100", "unknown"), ("312-555-0101", "mobile")],
    )
    first = maria.phones.get(number="312-555-0100")
    with pytest.raises(Exception) as refused:
        contact_point_update(actor=olivia, contact_point=first, number="312-555-0101")
    assert refused.value.message_dict == {"number": ["They already have this number."]}


# --- bad input keeps everything ----------------------------------------------------------


def test_bad_values_come_back_field_by_field_with_everything_typed_and_nothing_saved(maria_case):
    olivia, maria = maria_case.cast["olivia"], maria_case.maria
    client = signed_in(olivia)
    data = opened(client, maria)
    data.update(
        {
            "pronouns": "she/her",
            "family_name": "Lopez-Garcia",
            "phone-new-number": "12",
            "address-new-line1": "5 Elm St",
            "address-new-postal_code": "6060",
            "address-new-state": "Illinois",
            "email-new-address": "not an email",
            "support_level": "9",
            "custom-new-value": "orphan value",
        }
    )
    before = snapshot(maria)
    response = client.post(edit_url(maria), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["phone-new-number"] == ["A phone number needs at least 7 digits."]
    assert errors["address-new-postal_code"] == ["A ZIP code is five digits (or ZIP+4)."]
    # Past a field's length limit is refused with the limit, never cut.
    assert errors["address-new-state"] == ["Ensure this value has at most 2 characters (it has 8)."]
    assert errors["email-new-address"] == ["That doesn't look like an email address."]
    assert "support_level" in errors and errors["custom-new-key"] == ["Name the field."]
    body = response.content.decode()
    for typed in (
        "she/her",
        "Lopez-Garcia",
        "5 Elm St",
        "6060",
        "Illinois",
        "not an email",
        "orphan value",
    ):
        assert f'value="{typed}"' in body, typed
    assert "Nothing was saved" in body
    assert snapshot(maria) == before


def test_a_value_a_service_refuses_saves_nothing_else_and_keeps_the_typing(maria_case):
    olivia, maria = maria_case.cast["olivia"], maria_case.maria
    other = SupporterFactory(team=maria.team)
    ExternalId.objects.create(supporter=other, system="van", value="V-7")
    client = signed_in(olivia)
    data = opened(client, maria)
    data.update({"pronouns": "she/her", "external-new-system": "van", "external-new-value": "V-7"})
    before = snapshot(maria)
    response = client.post(edit_url(maria), data)
    assert response.status_code == 400
    assert response.context["form"].errors["external-new-value"] == [
        "Another person already has VAN id V-7."
    ]
    assert 'value="she/her"' in response.content.decode()
    assert snapshot(maria) == before
    # A relationship to someone the viewer cannot identify is a field error too.
    data.update(
        {
            "external-new-system": "",
            "external-new-value": "",
            "relationship-new-person": "Nobody Here",
            "relationship-new-kind": "friend",
        }
    )
    response = client.post(edit_url(maria), data)
    assert response.status_code == 400
    assert response.context["form"].errors["relationship-new-person"] == [
        "No one you can see has that number or name."
    ]
    assert snapshot(maria) == before


# --- a save over someone else's newer change ---------------------------------------------


def test_a_stale_save_shows_their_change_beside_what_was_typed_and_loses_neither(maria_case):
    olivia, priya, maria = maria_case.cast["olivia"], maria_case.cast["priya"], maria_case.maria
    contact_points_add(actor=olivia, supporter=maria, phones=[("312-555-0100", "unknown")])
    phone = maria.phones.get()
    client = signed_in(olivia)
    data = opened(client, maria)
    # Meanwhile Priya changes the pronouns, the phone, and adds a tag.
    supporter_update(actor=priya, supporter=maria, pronouns="ella")
    contact_point_update(actor=priya, contact_point=phone, number="312-555-0177")
    theirs_tag = Tag.objects.create(name="theirs")
    tag_add(actor=priya, supporter=maria, tag=theirs_tag)
    mine_tag = Tag.objects.create(name="mine")
    # Olivia, from the page she opened before: pronouns (both changed), last name (only she).
    data.update({"pronouns": "she/her", "family_name": "López", "tags": [str(mine_tag.pk)]})
    before = snapshot(maria)
    response = client.post(edit_url(maria), data)
    assert response.status_code == 409
    assert snapshot(maria) == before  # nothing saved
    form = response.context["form"]
    body = response.content.decode()
    assert "Someone else changed" in body
    assert "Priya Data" in body  # who, with their lines
    # What happened since the page was shown, not what was written before it.
    assert "Changed pronouns" in body and "Door: Talked" not in body
    assert form["keep-pronouns"].value() == "mine"  # what was typed, until they choose
    assert form.theirs == {"pronouns": "ella"}
    assert "“ella”" in body and 'value="she/her"' in body  # theirs beside what was typed
    assert 'value="López"' in body  # only Olivia changed it: kept as typed
    assert 'value="312-555-0177"' in body  # only Priya changed it: theirs now shown
    # Saving again as shown keeps both: her last name and Priya's phone and tag.
    again = {key: form.data.getlist(key) if key == "tags" else form.data[key] for key in form.data}
    again.pop("csrfmiddlewaretoken", None)
    assert sorted(again["tags"]) == sorted([str(theirs_tag.pk), str(mine_tag.pk)])
    again["keep-pronouns"] = "mine"
    response = client.post(edit_url(maria), again)
    assert response.status_code == 302, response.content.decode()[:2000]
    maria.refresh_from_db()
    assert (maria.pronouns, maria.family_name) == ("she/her", "López")
    assert list(maria.phones.values_list("number", flat=True)) == ["312-555-0177"]
    assert set(maria.tags.values_list("name", flat=True)) == {"theirs", "mine"}


def test_on_a_conflict_the_viewer_may_keep_theirs(maria_case):
    olivia, priya, maria = maria_case.cast["olivia"], maria_case.cast["priya"], maria_case.maria
    client = signed_in(olivia)
    data = opened(client, maria)
    supporter_update(actor=priya, supporter=maria, pronouns="ella")
    data["pronouns"] = "she/her"
    response = client.post(edit_url(maria), data)
    assert response.status_code == 409
    form = response.context["form"]
    again = {key: form.data[key] for key in form.data if key != "tags"}
    again["keep-pronouns"] = "theirs"
    assert client.post(edit_url(maria), again).status_code == 302
    maria.refresh_from_db()
    assert maria.pronouns == "ella"


def test_the_brief_and_history_link_to_the_edit_page(maria_case):
    client = signed_in(maria_case.cast["alice"])
    for page in ("conversations:brief", "conversations:history"):
        body = client.get(reverse(page, args=[maria_case.maria.pk])).content.decode()
        assert f'href="{edit_url(maria_case.maria)}"' in body, page


def test_access_model_says_who_may_edit_which_field(maria_case):
    maria = maria_case.maria
    for name, user in maria_case.cast.items():
        if name not in SEES_MARIA:
            continue
        access = supporter_access(viewer=user, supporter=maria)
        assert access.may_edit_field("phones") and access.may_edit_field("pronouns")
        assert access.may_edit_field("support_level") is (name in ORGANIZES_MARIA)
        assert access.may_edit_field("external_ids") is (name in ORGANIZES_MARIA)


def test_a_volunteer_adding_someone_still_gives_them_their_first_details(eastside, volunteer):
    # supporter_create is not an edit: the rule for changing fields does not stop it.
    person = supporter_create(
        actor=volunteer, team=eastside, given_name="Nia", phone="312-555-0142"
    )
    assert SupporterPhone.objects.filter(supporter=person).count() == 1
    assert not SupporterAddress.objects.filter(supporter=person).exists()

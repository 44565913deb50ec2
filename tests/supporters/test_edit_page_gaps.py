"""The edit page's gaps (issue 16): ending a "user knows person" relationship, renaming a
custom field, and a contact point's label — each through the services and the access model."""

from __future__ import annotations

import pytest

from supporters.models import HistoryEvent, Relationship, Supporter, SupporterPhone
from supporters.services import contact_points_add, supporter_update
from tests.supporters.test_edit_page import edit_url, opened, signed_in

pytestmark = pytest.mark.django_db


def test_bob_ends_his_own_knowing_maria_and_sees_no_one_elses(maria_case):
    bob, maria = maria_case.cast["bob"], maria_case.maria
    client = signed_in(bob)
    form = client.get(edit_url(maria)).context["form"]
    rows = [row["row"] for row in form.relationship_rows()]
    # Bob may end only his own: Charlie's and Ines's are not offered to him.
    assert [row.known_by_id for row in rows if row.known_by_id] == [bob.pk]
    mine = Relationship.objects.get(supporter=maria, known_by=bob)
    data = opened(client, maria)
    data[f"relationship-{mine.pk}-end"] = "on"
    response = client.post(edit_url(maria), data)
    assert response.status_code == 302, response.context["form"].errors
    assert not Relationship.objects.filter(pk=mine.pk).exists()
    assert Relationship.objects.filter(supporter=maria, known_by__isnull=False).count() == 2
    assert HistoryEvent.objects.filter(supporter=maria, summary__startswith="No longer").exists()


def test_her_organizer_may_end_anyones_knowing_her_and_bob_cannot_post_it(maria_case):
    olivia, bob, maria = maria_case.cast["olivia"], maria_case.cast["bob"], maria_case.maria
    charlies = Relationship.objects.get(supporter=maria, known_by=maria_case.cast["charlie"])
    # Bob posting Charlie's end (not offered to him) changes nothing.
    client = signed_in(bob)
    data = opened(client, maria)
    data[f"relationship-{charlies.pk}-end"] = "on"
    client.post(edit_url(maria), data)
    assert Relationship.objects.filter(pk=charlies.pk).exists()
    client = signed_in(olivia)
    data = opened(client, maria)
    assert f"relationship-{charlies.pk}-end" in client.get(edit_url(maria)).context["form"].fields
    data[f"relationship-{charlies.pk}-end"] = "on"
    assert client.post(edit_url(maria), data).status_code == 302
    assert not Relationship.objects.filter(pk=charlies.pk).exists()


def test_an_organizer_renames_a_custom_field_keeping_its_value(maria_case):
    olivia, maria = maria_case.cast["olivia"], maria_case.maria
    supporter_update(actor=olivia, supporter=maria, custom_fields={"shift": "night", "unit": 4})
    client = signed_in(olivia)
    data = opened(client, maria)
    name = [key for key in data if key.startswith("custom-") and key.endswith("-key")]
    shift = next(key for key in name if data[key] == "shift")
    data[shift] = "work shift"
    response = client.post(edit_url(maria), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Supporter.objects.get(pk=maria.pk).custom_fields == {"work shift": "night", "unit": 4}


def test_renaming_onto_another_fields_name_is_refused_by_field(maria_case):
    olivia, maria = maria_case.cast["olivia"], maria_case.maria
    supporter_update(actor=olivia, supporter=maria, custom_fields={"shift": "night", "unit": 4})
    client = signed_in(olivia)
    data = opened(client, maria)
    shift = next(k for k in data if k.endswith("-key") and data[k] == "shift")
    data[shift] = "unit"
    response = client.post(edit_url(maria), data)
    assert response.status_code == 400
    assert "Another field is called that" in " ".join(response.context["form"].errors[shift])
    assert Supporter.objects.get(pk=maria.pk).custom_fields == {"shift": "night", "unit": 4}


def test_a_volunteer_cannot_rename_a_custom_field(maria_case):
    olivia, alice, maria = maria_case.cast["olivia"], maria_case.cast["alice"], maria_case.maria
    supporter_update(actor=olivia, supporter=maria, custom_fields={"shift": "night"})
    client = signed_in(alice)
    form = client.get(edit_url(maria)).context["form"]
    shift = next(k for k in form.fields if k.endswith("-key"))
    assert not form.may(shift)
    data = opened(client, maria)
    data[shift] = "renamed"
    client.post(edit_url(maria), data)
    assert Supporter.objects.get(pk=maria.pk).custom_fields == {"shift": "night"}


def test_anyone_who_sees_her_labels_her_phone(maria_case):
    olivia, alice, maria = maria_case.cast["olivia"], maria_case.cast["alice"], maria_case.maria
    contact_points_add(actor=olivia, supporter=maria, phones=[("312-555-0199", "mobile")])
    phone = SupporterPhone.objects.get(supporter=maria)
    client = signed_in(alice)
    data = opened(client, maria)
    data[f"phone-{phone.pk}-label"] = "work"
    data[f"email-{maria.emails.get().pk}-label"] = "personal"
    response = client.post(edit_url(maria), data)
    assert response.status_code == 302, response.context["form"].errors
    phone.refresh_from_db()
    assert phone.label == "work" and maria.emails.get().label == "personal"
    data = opened(client, maria)
    data[f"phone-{phone.pk}-label"] = "x" * 31
    response = client.post(edit_url(maria), data)
    assert response.status_code == 400
    assert f"phone-{phone.pk}-label" in response.context["form"].errors

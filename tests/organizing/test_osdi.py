"""The OSDI API at /api/osdi/v1/: HAL+JSON, OSDI-API-Token, paging, filters, people both ways."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from organizing.models import AuditEvent, WebhookDelivery
from organizing.webhooks import webhook_create
from supporters.models import (
    DoNotContact,
    HistoryEvent,
    Segment,
    Supporter,
    SupporterAddress,
    SupporterEmail,
    SupporterTag,
    Tag,
)
from supporters.services import supporter_create, tag_add
from tests.api_helpers import error_of, key_for
from tests.factories import AssignmentFactory, SupporterFactory

BASE = "/api/osdi/v1/"


def osdi_client(user, scopes=("read", "write")) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_OSDI_API_TOKEN=key_for(user, scopes))
    return client


def person(supporter_id: int, client: APIClient):
    return client.get(f"{BASE}people/{supporter_id}")


def signup(client, **person_fields):
    tags = person_fields.pop("add_tags", None)
    body = {"person": person_fields}
    if tags is not None:
        body["add_tags"] = tags
    return client.post(f"{BASE}people", body, format="json")


@pytest.fixture
def maria(organizer, eastside):
    return supporter_create(
        actor=organizer,
        team=eastside,
        given_name="Maria",
        family_name="Lopez",
        email="maria@example.org",
        phone="+1 512 555 0142",
        address={"line1": "12 Elm St", "city": "Austin", "state": "TX", "postal_code": "78701"},
        custom_fields={"shift": "night"},
    )


# --- entry point, auth ------------------------------------------------------------------------


def test_entry_point_describes_the_server_with_usable_links(organizer):
    response = osdi_client(organizer).get(BASE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/hal+json")
    body = response.json()
    assert body["max_pagesize"] == 100
    assert body["vendor_name"] == "Earshot" and body["product_name"] == "Earshot"
    links = body["_links"]
    assert links["osdi:people"]["href"] == "http://testserver/api/osdi/v1/people"
    for rel in ("osdi:tags", "osdi:lists", "osdi:person_signup_helper", "self"):
        assert links[rel]["href"].startswith("http://testserver/api/osdi/v1/")
    assert reverse("osdi:entry") == BASE


@pytest.mark.parametrize(
    "path", ["", "people", "people/1", "tags", "tags/1/taggings", "lists", "metadata"]
)
def test_without_a_token_every_resource_is_401_in_the_api_error_shape(db, path):
    response = APIClient().get(BASE + path)
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_a_bad_token_is_401(db):
    client = APIClient()
    client.credentials(HTTP_OSDI_API_TOKEN="es_nope_nope")
    assert client.get(BASE + "people").status_code == 401


def test_the_usual_bearer_key_works_too(organizer, maria):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key_for(organizer, ['read'])}")
    assert client.get(BASE + "people").json()["total_records"] == 1


def test_a_read_only_key_may_not_write_and_nothing_changes(organizer, maria):
    client = osdi_client(organizer, scopes=["read"])
    response = signup(client, given_name="Ana", email_addresses=[{"address": "ana@example.org"}])
    assert response.status_code == 403
    response = client.put(f"{BASE}people/{maria.pk}", {"given_name": "X"}, format="json")
    assert response.status_code == 403
    assert Supporter.objects.count() == 1
    assert Supporter.objects.get().given_name == "Maria"


def test_unknown_addresses_are_404_in_the_api_shape(organizer):
    response = osdi_client(organizer).get(BASE + "donations")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


# --- people: reading ---------------------------------------------------------------------------


def test_person_maps_names_contacts_consent_languages_and_custom_fields(organizer, maria):
    DoNotContact.objects.create(supporter=maria, channel="email")
    body = person(maria.pk, osdi_client(organizer)).json()
    assert body["identifiers"] == [f"earshot:{maria.pk}", f"action_network:{maria.pk}"]
    assert (body["given_name"], body["family_name"]) == ("Maria", "Lopez")
    assert body["languages_spoken"] == ["en"]
    assert body["email_addresses"] == [
        {"primary": True, "address": "maria@example.org", "status": "unsubscribed"}
    ]
    assert body["phone_numbers"][0]["number"] == "+1 512 555 0142"
    assert body["phone_numbers"][0]["status"] == "subscribed"
    assert body["postal_addresses"] == [
        {
            "primary": True,
            "address_lines": ["12 Elm St"],
            "locality": "Austin",
            "region": "TX",
            "postal_code": "78701",
            "country": "US",
        }
    ]
    assert body["custom_fields"] == {"shift": "night"}
    assert body["created_date"].endswith("Z")
    assert body["_links"]["self"]["href"].endswith(f"/api/osdi/v1/people/{maria.pk}")
    assert AuditEvent.objects.filter(action="supporter.view", object_id=str(maria.pk)).exists()


def test_people_outside_the_callers_scope_are_404(volunteer, maria):
    response = person(maria.pk, osdi_client(volunteer))
    assert response.status_code == 404
    assert osdi_client(volunteer).get(BASE + "people").json()["total_records"] == 0


def test_volunteers_see_their_own_people(volunteer, maria):
    AssignmentFactory(supporter=maria, volunteer=volunteer)
    assert person(maria.pk, osdi_client(volunteer)).status_code == 200


def test_people_page_through_with_next_links_and_totals(organizer, eastside):
    people = [SupporterFactory(team=eastside) for _ in range(5)]
    client = osdi_client(organizer)
    first = client.get(BASE + "people", {"per_page": 2}).json()
    assert (first["total_records"], first["total_pages"], first["page"]) == (5, 3, 1)
    assert [p["identifiers"][0] for p in first["_embedded"]["osdi:people"]] == [
        f"earshot:{people[0].pk}",
        f"earshot:{people[1].pk}",
    ]
    assert "page=2" in first["_links"]["next"]["href"]
    second = client.get(first["_links"]["next"]["href"]).json()
    assert second["page"] == 2 and "page=1" in second["_links"]["prev"]["href"]
    third = client.get(BASE + "people", {"per_page": 2, "page": 3}).json()
    assert len(third["_embedded"]["osdi:people"]) == 1
    assert "next" not in third["_links"]


def test_a_page_past_the_end_is_200_with_an_empty_list(organizer, maria):
    response = osdi_client(organizer).get(BASE + "people", {"page": 9})
    assert response.status_code == 200
    assert response.json()["_embedded"] == {"osdi:people": []}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"per_page": "101"}, "per_page"),
        ({"per_page": "-1"}, "per_page"),
    ],
)
def test_bad_paging_is_400(organizer, params, field):
    response = osdi_client(organizer).get(BASE + "people", params)
    assert response.status_code == 400
    assert field in error_of(response)["fields"]


def test_filters_by_email_names_and_postal_code(organizer, eastside, maria):
    SupporterFactory(team=eastside, given_name="Ana", family_name="Ruiz")
    client = osdi_client(organizer)

    def found(expression):
        body = client.get(BASE + "people", {"filter": expression}).json()
        return [p["given_name"] for p in body["_embedded"]["osdi:people"]]

    assert found("email_address eq 'MARIA@example.org'") == ["Maria"]
    assert found("given_name eq 'ana'") == ["Ana"]
    assert found("family_name eq 'Lopez' and postal_code eq '78701'") == ["Maria"]
    assert found("family_name eq 'Ruiz' and postal_code eq '78701'") == []


def test_filters_by_created_and_modified_dates(organizer, eastside, maria):
    client = osdi_client(organizer)
    past = "2000-01-01"
    future = (timezone.now() + timezone.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def total(expression):
        return client.get(BASE + "people", {"filter": expression}).json()["total_records"]

    assert total(f"modified_date gt '{past}'") == 1
    assert total(f"modified_date lt '{past}'") == 0
    assert total(f"created_date gt '{past}' and created_date lt '{future}'") == 1
    assert total(f"created_date gt '{future}'") == 0


@pytest.mark.parametrize(
    "expression",
    [
        "pronouns eq 'she'",
        "given_name gt 'A'",
        "email_address eq maria@example.org",
        "modified_date gt 'yesterday'",
        "given_name eq 'Maria' or family_name eq 'Lopez'",
        "modified_date gt '0001-01-01T00:00:00+10:00'",
        "modified_date gt '2026-02-30'",
        "modified_date lt '2026-13-01T00:00:00Z'",
        "given_name eq 'nul\x00'",
    ],
)
def test_unsupported_filters_are_a_clear_400(organizer, expression):
    response = osdi_client(organizer).get(BASE + "people", {"filter": expression})
    assert response.status_code == 400
    assert "filter" in error_of(response)["fields"]


# --- people: writing ---------------------------------------------------------------------------


def test_signup_creates_a_person_in_the_keys_team_with_tags(organizer, eastside):
    Tag.objects.create(name="volunteer-lead")
    response = signup(
        osdi_client(organizer),
        given_name="Ana",
        family_name="Ruiz",
        email_addresses=[{"address": "ana@example.org", "primary": True}],
        phone_numbers=[{"number": "5125550100", "number_type": "Mobile"}],
        postal_addresses=[{"postal_code": "78702", "address_lines": ["1 Oak St"], "region": "tx"}],
        languages_spoken=["es"],
        custom_fields={"shift": "day"},
        add_tags=["Volunteer-Lead"],
    )
    assert response.status_code == 201, response.json()
    supporter = Supporter.objects.get(given_name="Ana")
    assert response.json()["identifiers"][1] == f"action_network:{supporter.pk}"
    assert (supporter.team, supporter.source, supporter.language) == (eastside, "api", "es")
    assert supporter.custom_fields == {"shift": "day"}
    assert supporter.emails.get().address == "ana@example.org"
    assert supporter.phones.get().kind == "mobile"
    assert supporter.addresses.get().state == "TX"
    assert list(supporter.tags.values_list("name", flat=True)) == ["volunteer-lead"]
    kinds = set(HistoryEvent.objects.filter(supporter=supporter).values_list("kind", flat=True))
    assert {"created", "tag_added"} <= kinds


def test_signup_with_a_known_email_updates_that_person(organizer, maria):
    Tag.objects.create(name="tenant-leader")
    response = signup(
        osdi_client(organizer),
        given_name="María",
        email_addresses=[{"address": "MARIA@example.org", "status": "unsubscribed"}],
        postal_addresses=[{"postal_code": "78704"}],
        custom_fields={"team_captain": "yes"},
        add_tags=["tenant-leader"],
    )
    assert response.status_code == 200
    assert Supporter.objects.count() == 1
    maria.refresh_from_db()
    assert maria.given_name == "María" and maria.family_name == "Lopez"
    assert maria.custom_fields == {"shift": "night", "team_captain": "yes"}
    assert maria.emails.count() == 1  # matched, not added again
    assert maria.addresses.count() == 2  # added; the one typed before stays
    assert DoNotContact.objects.filter(supporter=maria, channel="email").exists()
    assert SupporterTag.objects.filter(supporter=maria, tag__name="tenant-leader").exists()


def test_signup_does_not_match_people_the_caller_cannot_see(volunteer, maria, eastside):
    response = signup(
        osdi_client(volunteer),
        given_name="Maria",
        email_addresses=[{"address": maria.emails.get().address}],
    )
    assert response.status_code == 201
    created = Supporter.objects.exclude(pk=maria.pk).get()
    # A volunteer's new person is assigned to them, so they can see who they added.
    assert person(created.pk, osdi_client(volunteer)).status_code == 200


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "person"),
        ({"person": "Ana"}, "person"),
        ({"person": {"given_name": "Ana"}}, "person.email_addresses"),
        (
            {"person": {"given_name": "Ana", "email_addresses": [{"address": "nope"}]}},
            "person.email_addresses[0].address",
        ),
        (
            {
                "person": {
                    "given_name": "A" * 101,
                    "email_addresses": [{"address": "a@example.org"}],
                }
            },
            "person.given_name",
        ),
        ({"person": {"email_addresses": [{"address": "a@example.org"}]}}, "given_name"),
        (
            {"person": {"given_name": "Ana", "email_addresses": "a@example.org"}},
            "person.email_addresses",
        ),
        (
            {
                "person": {
                    "given_name": "Ana",
                    "email_addresses": [{"address": "a@example.org"}],
                    "gender": "x",
                }
            },
            "person.gender",
        ),
        (
            {
                "person": {
                    "given_name": "Ana",
                    "email_addresses": [{"address": "a@example.org"}],
                    "postal_addresses": [{"region": "Texas"}],
                }
            },
            "person.postal_addresses[0].region",
        ),
        (
            {
                "person": {
                    "given_name": "Ana",
                    "email_addresses": [{"address": "a@example.org"}],
                    "custom_fields": {"x": {"nested": 1}},
                }
            },
            "person.custom_fields.x",
        ),
        (
            {
                "person": {"given_name": "Ana", "email_addresses": [{"address": "a@example.org"}]},
                "add_tags": ["no-such-tag"],
            },
            "add_tags",
        ),
        (
            {
                "person": {"given_name": "Ana", "email_addresses": [{"address": "a@example.org"}]},
                "add_tags": "x",
            },
            "add_tags",
        ),
        (
            {
                "person": {"given_name": "Ana", "email_addresses": [{"address": "a@example.org"}]},
                "tags": [],
            },
            "tags",
        ),
    ],
)
def test_bad_signups_are_400_by_field_and_store_nothing(organizer, body, field):
    response = osdi_client(organizer).post(f"{BASE}people", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in error_of(response)["fields"], error_of(response)
    assert not Supporter.objects.exists()


@pytest.mark.parametrize(
    "person",
    [
        {"given_name": "A\x00", "email_addresses": [{"address": "a@example.org"}]},
        {
            "given_name": "A",
            "email_addresses": [{"address": "a@example.org"}],
            "custom_fields": {"k": "\x00"},
        },
        {
            "given_name": "A",
            "email_addresses": [{"address": "a@example.org"}],
            "phone_numbers": [{"number": "1\x00"}],
        },
    ],
)
def test_null_characters_are_400_not_500(organizer, person):
    response = osdi_client(organizer).post(f"{BASE}people", {"person": person}, format="json")
    assert response.status_code == 400
    response = osdi_client(organizer).post(
        f"{BASE}people",
        {
            "person": {"given_name": "A", "email_addresses": [{"address": "a@example.org"}]},
            "add_tags": ["x\x00"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert (
        osdi_client(organizer).post(f"{BASE}tags", {"name": "x\x00"}, format="json").status_code
        == 400
    )
    assert not Supporter.objects.exists() and not Tag.objects.exists()


def test_a_list_body_or_bad_json_is_400(organizer):
    client = osdi_client(organizer)
    assert client.post(f"{BASE}people", [1], format="json").status_code == 400
    response = client.generic("POST", f"{BASE}people", "{nope", content_type="application/json")
    assert response.status_code == 400


def test_put_updates_names_language_and_custom_fields_with_history(organizer, maria):
    client = osdi_client(organizer)
    response = client.put(
        f"{BASE}people/{maria.pk}",
        {
            "family_name": "López",
            "languages_spoken": ["es"],
            "custom_fields": {"shift": None, "ward": "3"},
            "phone_numbers": [{"number": "+1 512 555 0199", "number_type": "Home"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    maria.refresh_from_db()
    assert (maria.given_name, maria.family_name, maria.language) == ("Maria", "López", "es")
    assert maria.custom_fields == {"ward": "3"}
    assert maria.phones.count() == 2
    assert response.json()["family_name"] == "López"
    assert HistoryEvent.objects.filter(supporter=maria, kind="updated").count() == 2


def test_put_may_not_leave_a_person_without_a_name(organizer, eastside):
    supporter = SupporterFactory(team=eastside, given_name="Ana", family_name="")
    response = osdi_client(organizer).put(
        f"{BASE}people/{supporter.pk}", {"given_name": ""}, format="json"
    )
    assert response.status_code == 400
    supporter.refresh_from_db()
    assert supporter.given_name == "Ana"


def test_put_on_someone_out_of_scope_is_404_and_changes_nothing(volunteer, maria):
    response = osdi_client(volunteer).put(
        f"{BASE}people/{maria.pk}", {"given_name": "X"}, format="json"
    )
    assert response.status_code == 404
    maria.refresh_from_db()
    assert maria.given_name == "Maria"


def test_osdi_writes_reach_webhooks(organizer, maria):
    webhook_create(actor=organizer, url="https://example.org/h", events=["supporter.updated"])
    osdi_client(organizer).put(f"{BASE}people/{maria.pk}", {"given_name": "M"}, format="json")
    assert WebhookDelivery.objects.filter(event="supporter.updated").count() == 1


def test_a_key_whose_user_has_no_team_may_not_add_people(db):
    from tests.factories import UserFactory

    loner = UserFactory(email="loner@example.org")
    response = signup(osdi_client(loner), given_name="A", email_addresses=[{"address": "a@b.org"}])
    # A 400 that names the fix (issue 10, item 11), not a bare 403.
    assert response.status_code == 400
    assert "OSDI_DEFAULT_TEAM" in response.content.decode()
    assert not Supporter.objects.exists()


def test_osdi_default_team_setting_names_the_team(data_staff, westside, settings):
    settings.OSDI_DEFAULT_TEAM = "westside"
    signup(osdi_client(data_staff), given_name="A", email_addresses=[{"address": "a@b.org"}])
    assert Supporter.objects.get().team == westside


# --- tags and taggings -------------------------------------------------------------------------


def test_tags_list_create_and_read(organizer):
    client = osdi_client(organizer)
    response = client.post(f"{BASE}tags", {"name": "phone-bank"}, format="json")
    assert response.status_code == 201
    tag = Tag.objects.get()
    assert response.json()["identifiers"] == [f"earshot:{tag.pk}", f"action_network:{tag.pk}"]
    again = client.post(f"{BASE}tags", {"name": "Phone-Bank"}, format="json")
    assert again.status_code == 200 and Tag.objects.count() == 1
    body = client.get(f"{BASE}tags").json()
    assert [t["name"] for t in body["_embedded"]["osdi:tags"]] == ["phone-bank"]
    assert (
        client.get(f"{BASE}tags/{tag.pk}")
        .json()["_links"]["osdi:taggings"]["href"]
        .endswith(f"/tags/{tag.pk}/taggings")
    )


def test_volunteers_may_not_add_tags(volunteer):
    response = osdi_client(volunteer).post(f"{BASE}tags", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert not Tag.objects.exists()


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "x" * 81}, {"name": 5}, {"name": "x", "color": "red"}]
)
def test_bad_tags_are_400(organizer, body):
    assert osdi_client(organizer).post(f"{BASE}tags", body, format="json").status_code == 400
    assert not Tag.objects.exists()


def test_tagging_and_untagging_a_person(organizer, maria):
    tag = Tag.objects.create(name="phone-bank")
    client = osdi_client(organizer)
    href = f"http://testserver{BASE}people/{maria.pk}"
    response = client.post(
        f"{BASE}tags/{tag.pk}/taggings", {"_links": {"osdi:person": {"href": href}}}, format="json"
    )
    assert response.status_code == 201
    tagging = SupporterTag.objects.get()
    assert response.json()["_links"]["osdi:person"]["href"] == href

    listed = client.get(f"{BASE}tags/{tag.pk}/taggings").json()
    assert listed["total_records"] == 1
    assert listed["_embedded"]["osdi:taggings"][0]["identifiers"][0] == f"earshot:{tagging.pk}"

    deleted = client.delete(f"{BASE}tags/{tag.pk}/taggings/{tagging.pk}")
    assert deleted.status_code == 200
    assert not SupporterTag.objects.exists()
    assert HistoryEvent.objects.filter(supporter=maria, kind="tag_removed").exists()
    assert client.delete(f"{BASE}tags/{tag.pk}/taggings/{tagging.pk}").status_code == 404


def test_a_persons_taggings_are_linked_from_the_person(organizer, volunteer, maria):
    tag = Tag.objects.create(name="phone-bank")
    tag_add(actor=organizer, supporter=maria, tag=tag)
    client = osdi_client(organizer)
    href = person(maria.pk, client).json()["_links"]["osdi:taggings"]["href"]
    body = client.get(href).json()
    assert body["total_records"] == 1
    tagging = body["_embedded"]["osdi:taggings"][0]
    assert tagging["_links"]["osdi:tag"]["href"].endswith(f"/tags/{tag.pk}")
    assert osdi_client(volunteer).get(href).status_code == 404


def test_taggings_of_people_out_of_scope_are_hidden_and_untouchable(volunteer, organizer, maria):
    tag = Tag.objects.create(name="phone-bank")
    tag_add(actor=organizer, supporter=maria, tag=tag)
    tagging = SupporterTag.objects.get()
    client = osdi_client(volunteer)
    assert client.get(f"{BASE}tags/{tag.pk}/taggings").json()["total_records"] == 0
    assert client.delete(f"{BASE}tags/{tag.pk}/taggings/{tagging.pk}").status_code == 404
    response = client.post(
        f"{BASE}tags/{tag.pk}/taggings",
        {"_links": {"osdi:person": {"href": f"{BASE}people/{maria.pk}"}}},
        format="json",
    )
    assert response.status_code == 400
    assert SupporterTag.objects.count() == 1


@pytest.mark.parametrize(
    "body", [{}, {"_links": "x"}, {"_links": {"osdi:person": {"href": "/people/abc"}}}]
)
def test_a_tagging_without_a_person_is_400(organizer, body):
    tag = Tag.objects.create(name="phone-bank")
    response = osdi_client(organizer).post(f"{BASE}tags/{tag.pk}/taggings", body, format="json")
    assert response.status_code == 400
    assert not SupporterTag.objects.exists()


# --- lists and items, metadata -----------------------------------------------------------------


def test_lists_are_segments_and_items_are_their_visible_people(
    organizer, eastside, westside, maria
):
    hidden = SupporterFactory(team=westside)  # not the organizer's to see
    SupporterAddress.objects.create(
        supporter=hidden, line1="1 Elm", postal_code="78701", is_primary=True
    )
    SupporterFactory(team=eastside)  # not in the segment
    segment = Segment.objects.create(name="Downtown", filter={"zip": "78701"})
    client = osdi_client(organizer)

    lists = client.get(f"{BASE}lists").json()
    assert [entry["name"] for entry in lists["_embedded"]["osdi:lists"]] == ["Downtown"]
    one = client.get(f"{BASE}lists/{segment.pk}").json()
    assert one["identifiers"][1] == f"action_network:{segment.pk}"

    items = client.get(one["_links"]["osdi:items"]["href"]).json()
    assert items["total_records"] == 1
    item = items["_embedded"]["osdi:items"][0]
    assert item["_links"]["osdi:person"]["href"].endswith(f"/people/{maria.pk}")
    assert client.get(item["_links"]["self"]["href"]).status_code == 200
    assert client.get(f"{BASE}lists/{segment.pk}/items/999999").status_code == 404


def test_metadata_and_custom_fields(organizer, maria, eastside):
    SupporterFactory(team=eastside, custom_fields={"ward": "3", "shift": "day"})
    client = osdi_client(organizer)
    metadata = client.get(f"{BASE}metadata").json()
    assert metadata["_links"]["osdi:custom_fields"]["href"].endswith("/metadata/custom_fields")
    fields = client.get(f"{BASE}metadata/custom_fields").json()
    assert fields["action_network:custom_fields"] == [{"name": "shift"}, {"name": "ward"}]


def test_osdi_is_left_out_of_the_openapi_document(db):
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert not [path for path in schema["paths"] if path.startswith("/api/osdi")]


def test_addresses_with_a_trailing_slash_work_too(organizer, maria):
    client = osdi_client(organizer)
    assert client.get(f"{BASE}people/").status_code == 200
    assert client.get(f"{BASE}people/{maria.pk}/").status_code == 200
    assert SupporterEmail.objects.count() == 1


def test_a_retried_signup_with_the_same_idempotency_key_acts_once(organizer):
    client = osdi_client(organizer)
    body = {"person": {"given_name": "Ana", "email_addresses": [{"address": "ana@example.org"}]}}
    first = client.post(f"{BASE}people", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(f"{BASE}people", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Supporter.objects.count() == 1
    assert HistoryEvent.objects.filter(kind="created").count() == 1


def test_a_people_page_costs_the_same_queries_however_many_people(
    organizer, eastside, django_assert_max_num_queries
):
    client = osdi_client(organizer)
    for _ in range(3):
        SupporterFactory(team=eastside)
    with django_assert_max_num_queries(20) as few:
        client.get(BASE + "people")
    for _ in range(20):
        SupporterFactory(team=eastside)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(BASE + "people").json()["_embedded"]["osdi:people"]) == 23


def test_item_11_a_superuser_with_no_team_is_told_about_osdi_default_team(db, eastside, settings):
    from tests.factories import UserFactory

    root = UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
    client = osdi_client(root)
    response = signup(client, given_name="A", email_addresses=[{"address": "a@b.org"}])
    assert response.status_code == 400
    assert "OSDI_DEFAULT_TEAM" in str(error_of(response))
    assert not Supporter.objects.exists()
    settings.OSDI_DEFAULT_TEAM = "eastside"
    response = signup(client, given_name="A", email_addresses=[{"address": "a@b.org"}])
    assert response.status_code == 201
    assert Supporter.objects.get().team == eastside

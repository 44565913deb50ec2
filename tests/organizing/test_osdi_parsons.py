"""Action Network client code, unchanged, against Earshot: parsons' ActionNetwork connector
pointed at a live server's /api/osdi/v1/.
"""

from __future__ import annotations

import pytest
from parsons import ActionNetwork
from parsons.utilities.api_connector import APIConnector
from requests import HTTPError

from organizing.models import Membership
from supporters.models import DoNotContact, HistoryEvent, Segment, Supporter, SupporterTag
from tests.api_helpers import key_for
from tests.factories import MembershipFactory, TeamFactory, UserFactory


def action_network(base_url: str, token: str) -> ActionNetwork:
    """The connector as data staff use it, with only its base URL changed."""
    connector = ActionNetwork(api_token=token)
    connector.api_url = base_url.rstrip("/")
    connector.api = APIConnector(connector.api_url, headers=connector.headers)
    return connector


@pytest.fixture
def staff_connector(live_server, transactional_db):
    team = TeamFactory(name="Eastside Neighbors", slug="eastside")
    user = UserFactory(email="priya@example.org", full_name="Priya Data")
    MembershipFactory(user=user, team=team, role=Membership.Role.DATA_STAFF)
    token = key_for(user, ["read", "write"])
    return action_network(f"{live_server.url}/api/osdi/v1/", token), team


def an_id(resource: dict) -> str:
    return next(i.split(":")[1] for i in resource["identifiers"] if i.startswith("action_network:"))


def test_parsons_round_trip_people_tags_taggings_and_lists(staff_connector):
    an, team = staff_connector

    # Tags first, as Action Network wants them to exist before they are applied.
    volunteer_tag = an.add_tag("volunteer")
    donor_tag = an.add_tag("donor")

    # Upsert people with tags, languages, addresses and custom fields.
    created = an.upsert_person(
        email_address="maria@example.org",
        given_name="Maria",
        family_name="Lopez",
        tags=["volunteer"],
        languages_spoken=["es"],
        postal_addresses=[{"postal_code": "78701", "address_lines": ["12 Elm St"]}],
        shift="night",
    )
    maria_id = an_id(created)
    maria = Supporter.objects.get(pk=maria_id)
    assert (maria.team, maria.language, maria.custom_fields) == (team, "es", {"shift": "night"})

    updated = an.upsert_person(
        email_address=[{"address": "maria@example.org", "status": "unsubscribed"}],
        given_name="María",
        tags=["donor"],
    )
    assert an_id(updated) == maria_id  # matched by email: the same person
    maria.refresh_from_db()
    assert maria.given_name == "María" and maria.family_name == "Lopez"
    assert set(maria.tags.values_list("name", flat=True)) == {"volunteer", "donor"}
    assert DoNotContact.objects.filter(supporter=maria, channel="email").exists()

    for number in range(30):
        an.upsert_person(
            email_address=f"neighbor{number}@example.org",
            given_name=f"Neighbor {number}",
            family_name="Smith",
            tags=["volunteer"] if number % 2 else None,
        )

    # Paging: parsons walks page after page (25 at most) until a page comes back empty.
    people = an.get_people()
    assert people.num_rows == 31
    assert len({an_id(row) for row in people}) == 31
    first_page = an.get_people(page=1, per_page=10)
    assert first_page["total_records"] == 31 and first_page["total_pages"] == 4
    assert len(first_page["_embedded"]["osdi:people"]) == 10
    past_the_end = an.get_people(page=9)
    assert past_the_end["_embedded"]["osdi:people"] == []
    only_maria = an.get_people(filter="email_address eq 'maria@example.org'")
    assert [an_id(row) for row in only_maria] == [maria_id]

    # One person, and an update by id.
    person = an.get_person(maria_id)
    assert person["given_name"] == "María"
    assert person["email_addresses"][0]["status"] == "unsubscribed"
    assert person["postal_addresses"][0]["postal_code"] == "78701"
    an.update_person(maria_id, family_name="López", custom_fields={"ward": "3"})
    maria.refresh_from_db()
    assert maria.family_name == "López"
    assert maria.custom_fields == {"shift": "night", "ward": "3"}
    with pytest.raises(HTTPError, match="404"):
        an.get_person(99999999)

    # Tags and taggings: read, tag, untag.
    assert set(an.get_tags()["name"]) == {"volunteer", "donor"}
    assert an.get_tag(an_id(donor_tag))["name"] == "donor"
    volunteer_id = an_id(volunteer_tag)
    assert an.get_taggings(volunteer_id).num_rows == 16  # Maria and 15 neighbors
    neighbor = Supporter.objects.get(given_name="Neighbor 0")
    tagging = an.create_tagging(
        volunteer_id,
        {"_links": {"osdi:person": {"href": f"{an.api_url}/people/{neighbor.pk}"}}},
    )
    assert an.get_taggings(volunteer_id).num_rows == 17
    assert an.get_tagging(volunteer_id, an_id(tagging))["item_type"] == "osdi:person"
    an.delete_tagging(volunteer_id, an_id(tagging))
    assert not SupporterTag.objects.filter(supporter=neighbor, tag__name="volunteer").exists()
    assert HistoryEvent.objects.filter(supporter=neighbor, kind="tag_removed").exists()

    # Lists are segments; their items are the people in them.
    segment = Segment.objects.create(name="Volunteers", filter={"tags": {"any": ["volunteer"]}})
    lists = an.get_lists()
    assert list(lists["name"]) == ["Volunteers"]
    assert an.get_list(segment.pk)["name"] == "Volunteers"
    items = an.get_items(segment.pk)
    assert items.num_rows == 16
    first_item = items[0]
    assert an.get_item(segment.pk, an_id(first_item))["item_type"] == "osdi:person"

    # Metadata.
    assert an.get_metadata()["_links"]["osdi:custom_fields"]["href"].endswith(
        "/metadata/custom_fields"
    )
    fields = an.get_custom_fields()["action_network:custom_fields"]
    assert {"name": "shift"} in fields and {"name": "ward"} in fields


def test_parsons_sees_the_api_errors_for_bad_input(staff_connector):
    an, _ = staff_connector
    with pytest.raises(HTTPError, match="400"):
        an.upsert_person(email_address="not-an-email", given_name="X")
    with pytest.raises(HTTPError, match="400"):
        an.upsert_person(email_address="x@example.org", given_name="X", tags=["no-such-tag"])
    with pytest.raises(HTTPError, match="400"):
        an.get_people(filter="pronouns eq 'she'")
    assert not Supporter.objects.exists()

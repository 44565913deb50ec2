"""Search: one condition (supporters.selectors.supporter_search_condition) for the search page,
the organizer's list, the API and OSDI; forgiving case, accents and a typo; phones whatever the
punctuation; indexed; never past the visibility rule."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from supporters.models import Supporter, SupporterPhone
from supporters.selectors import supporter_search, supporter_search_condition
from tests.api_helpers import key_client
from tests.factories import AssignmentFactory, SupporterFactory
from tests.organizing.test_osdi import BASE, osdi_client

pytestmark = pytest.mark.django_db


def _mine(volunteer, team, given, family):
    return AssignmentFactory(
        volunteer=volunteer,
        supporter__given_name=given,
        supporter__family_name=family,
        supporter__team=team,
    ).supporter


@pytest.fixture
def people(volunteer, eastside):
    """Volunteer Alice's own people: Ana Chávez (with a phone) and Luis Núñez, and Ana Chaves,
    who is like Chávez; Carla Chávez is on Alice's team but not hers, so Alice never finds her."""
    chavez = _mine(volunteer, eastside, "Ana", "Chávez")
    SupporterPhone.objects.create(supporter=chavez, number="(312) 555-0199", is_primary=True)
    nunez = _mine(volunteer, eastside, "Luis", "Núñez")
    chaves = _mine(volunteer, eastside, "Ana", "Chaves")
    hidden = SupporterFactory(given_name="Carla", family_name="Chávez", team=eastside)
    return {"chavez": chavez, "nunez": nunez, "chaves": chaves, "hidden": hidden}


# The question, and who answers it: best match first.
SEARCHES = [
    ("Chavez", ["chavez", "chaves"]),
    ("chávez", ["chavez", "chaves"]),
    ("CHAVEZ ana", ["chavez", "chaves"]),
    ("Nunez", ["nunez"]),
    ("núñez", ["nunez"]),
    ("Nunex", ["nunez"]),  # a typo
    ("Luis Nuñes", ["nunez"]),  # a typo, half an accent
    ("555-0199", ["chavez"]),
    ("312.555.0199", ["chavez"]),
    ("+1 3125550199", []),  # a country code the stored number does not have
    ("Zebedee", []),
]


@pytest.mark.parametrize("query,expected", SEARCHES)
def test_the_search_page_forgives_case_accents_and_a_typo(
    client, volunteer, people, query, expected
):
    client.force_login(volunteer)
    results = client.get(reverse("supporters:search"), {"q": query}).context["results"]
    assert results == [people[name] for name in expected]


@pytest.mark.parametrize("query,expected", SEARCHES)
def test_the_api_searches_with_the_same_condition(volunteer, people, query, expected):
    response = key_client(volunteer).get(reverse("api:supporter-list"), {"search": query})
    assert response.status_code == 200
    found = {row["id"] for row in response.json()["results"]}
    assert found == {people[name].pk for name in expected}


def test_the_api_search_matches_phones_whatever_the_punctuation(data_staff, people):
    client = key_client(data_staff)
    for query in ("(312) 555-0199", "3125550199", "555 0199"):
        rows = client.get(reverse("api:supporter-list"), {"search": query}).json()["results"]
        assert [row["id"] for row in rows] == [people["chavez"].pk], query


def test_search_never_reveals_someone_the_viewer_cannot_see(client, volunteer, data_staff, people):
    hidden = people["hidden"]
    client.force_login(volunteer)
    page = client.get(reverse("supporters:search"), {"q": "Carla Chavez"})
    assert page.context["results"] == []
    assert "Chávez" not in page.content.decode()  # the query is echoed back, not her name
    api = key_client(volunteer).get(reverse("api:supporter-list"), {"search": "Carla Chavez"})
    assert api.json()["results"] == []
    osdi = osdi_client(volunteer).get(BASE + "people", {"filter": "given_name eq 'Carla'"})
    assert osdi.json()["total_records"] == 0
    # The same search by someone who sees everyone finds her: the rule, not the search, hid her.
    assert list(supporter_search(viewer=data_staff, query="Carla Chavez")) == [hidden]


def test_osdi_name_filters_ignore_case_and_accents(volunteer, people):
    client = osdi_client(volunteer)

    def found(text):
        body = client.get(BASE + "people", {"filter": text}).json()
        return sorted(p["family_name"] for p in body["_embedded"]["osdi:people"])

    assert found("family_name eq 'Nunez'") == ["Núñez"]
    assert found("family_name eq 'CHAVEZ'") == ["Chávez"]
    assert found("given_name eq 'ana' and family_name eq 'chaves'") == ["Chaves"]


def test_a_phone_search_reads_the_digits_trigram_index(people):
    searched = Supporter.objects.filter(supporter_search_condition("(312) 555-0199"))
    assert list(searched) == [people["chavez"]]
    plan = plan_of(searched)
    assert "supporterphone_digits_trgm" in plan, plan


def test_nothing_to_search_for_matches_no_one(people):
    for query in ("", "  ", "12", "--"):
        assert not Supporter.objects.filter(supporter_search_condition(query)).exists(), query


def test_earshot_unaccent_is_immutable_and_strips_accents():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT provolatile, earshot_unaccent('Chávez Núñez Ñandú') FROM pg_proc "
            "WHERE proname = 'earshot_unaccent'"
        )
        assert cursor.fetchone() == ("i", "Chavez Nunez Nandu")


def plan_of(queryset) -> str:
    """The query plan PostgreSQL would pick if the tables were big: on tables this small it
    would rather read a table whole, or walk another index whole, than use the one that
    answers the query; with both off, it shows which index answers it."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        try:
            return queryset.explain()
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_indexscan")


def test_the_query_plan_reads_the_trigram_index(people):
    for query in ("Chavez", "Nunex ana", "Ward 1234"):
        plan = plan_of(Supporter.objects.filter(supporter_search_condition(query)))
        assert "supporter_search_name_trgm" in plan, plan


def test_the_organizers_list_filters_with_the_same_search(client, organizer, people):
    client.force_login(organizer)
    response = client.get(reverse("supporters:list"), {"q": "nunez"})
    assert response.status_code == 200
    assert "Núñez" in response.content.decode()
    assert "Chaves" not in response.content.decode()

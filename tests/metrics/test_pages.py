"""The dashboard, the people behind a number, the CSVs and the API: who sees what, and the
query count does not grow with the data."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrics.rollups import rollup_refresh
from supporters.models import Supporter
from tests.factories import ConversationFactory, SupporterFactory
from tests.mfa_helpers import force_login_with_mfa

from .conftest import WEEK_A, WEEK_B, at

RANGE = {"start": WEEK_A[0].isoformat(), "end": WEEK_B[1].isoformat()}


def _refresh_all():
    rollup_refresh(Supporter.objects.values_list("pk", flat=True))


def test_organizer_home_is_the_dashboard_and_a_volunteer_keeps_my_people(client, history):
    _refresh_all()
    force_login_with_mfa(client, history.cast["olivia"])
    page = client.get(reverse("home"), RANGE)
    assert page.status_code == 200
    assert "Depth of listening" in page.text
    assert "Due today and overdue" in page.text
    assert "<script" not in page.text.split("<main", 1)[1]
    assert "<style" not in page.text and ' style="' not in page.text
    client.force_login(history.cast["alice"])
    mine = client.get(reverse("home"))
    assert mine.status_code == 200 and "My people" in mine.text
    assert "Depth of listening" not in mine.text
    assert client.get(reverse("metrics:dashboard")).status_code == 403


def test_an_organizer_sees_only_their_teams(client, history):
    _refresh_all()
    east = history.cast["eastside"].pk
    force_login_with_mfa(client, history.cast["charlie"])
    assert client.get(reverse("metrics:dashboard"), {"team": east}).status_code == 404
    api = client.get(reverse("api:metrics"), {"team": east})
    assert api.status_code == 404
    own = client.get(reverse("api:metrics"), {"from": RANGE["start"], "to": RANGE["end"]})
    assert own.status_code == 200
    assert own.json()["activity"]["attempts"] == 0
    assert own.json()["team_ids"] == [history.cast["westside"].pk]


def test_data_staff_see_the_whole_organization_and_the_api_matches(client, history):
    _refresh_all()
    force_login_with_mfa(client, history.cast["priya"])
    body = client.get(
        reverse("api:metrics"), {"from": RANGE["start"], "to": RANGE["end"], "by": "volunteer"}
    ).json()
    assert body["team_ids"] is None
    assert body["activity"]["attempts"] == 6
    assert body["repeat"]["people_repeat"] == 2
    assert {row["label"] for row in body["rows"]} == {"Alice Volunteer", "Bob Teammate"}
    assert "how" in body and body["how"]["prepared"]


def test_bad_dates_get_field_errors(client, history):
    force_login_with_mfa(client, history.cast["olivia"])
    response = client.get(reverse("api:metrics"), {"from": "2026-13-01", "to": "2026-11-01"})
    assert response.status_code == 400
    assert "from" in response.json()["error"]["fields"]
    page = client.get(reverse("metrics:dashboard"), {"start": "2026-11-09", "end": "2026-11-01"})
    assert page.status_code == 400
    assert "The end comes before the start." in page.text


def test_people_behind_a_number_say_how_many_are_hidden(client, history):
    _refresh_all()
    # Alice sees Maria (she knows her) but not Jo or Sam: she is not an organizer, though;
    # an organizer of Westside who knows Maria sees one of the three people talked to.
    from tests.factories import RelationshipFactory

    RelationshipFactory(supporter=history.maria, known_by=history.cast["charlie"])
    _refresh_all()
    force_login_with_mfa(client, history.cast["priya"])
    everyone = client.get(reverse("metrics:people"), {**RANGE, "figure": "talked"})
    assert everyone.status_code == 200
    assert "3 people are behind this number." in everyone.text
    assert "You may see all of them." in everyone.text
    force_login_with_mfa(client, history.cast["olivia"])
    east = client.get(reverse("metrics:people"), {**RANGE, "figure": "repeat"})
    assert "2 people are behind this number." in east.text
    assert "Maria" in east.text and "Jo" in east.text and "Sam" not in east.text
    # Charlie organizes Westside: the Eastside figure is not his to open.
    force_login_with_mfa(client, history.cast["charlie"])
    west = client.get(
        reverse("metrics:people"),
        {**RANGE, "figure": "talked", "team": history.cast["eastside"].pk},
    )
    assert west.status_code == 404


def test_hidden_people_are_counted(client, history, data_staff):
    """An organizer of all teams' figures … is data staff; here an organizer whose scope is
    their team sees a number whose people partly stand in another team (ladder by the
    supporter's team, activity by the volunteer's)."""
    west_person = SupporterFactory(team=history.cast["westside"])
    ConversationFactory(supporter=west_person, volunteer=history.cast["alice"], happened_at=at(12))
    _refresh_all()
    force_login_with_mfa(client, history.cast["olivia"])
    # Alice belongs to Eastside only: her conversation with a Westside person is Eastside's
    # activity, but Olivia may not see that person.
    page = client.get(reverse("metrics:people"), {**RANGE, "figure": "talked"})
    assert "4 people are behind this number." in page.text
    assert "1 of them is outside what you may see." in page.text


def test_csv_per_table(client, history):
    _refresh_all()
    force_login_with_mfa(client, history.cast["olivia"])
    response = client.get(reverse("metrics:csv", args=["weeks"]), RANGE)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["key"], r["talked"]) for r in rows] == [("2026-11-02", "3"), ("2026-11-09", "2")]
    api = client.get(
        reverse("api:metrics-csv"),
        {"from": RANGE["start"], "to": RANGE["end"], "table": "channels"},
    )
    assert api.status_code == 200
    assert "door" in api.content.decode()
    assert client.get(reverse("api:metrics-csv"), {"table": "nope"}).status_code == 400


@pytest.mark.parametrize("extra_people", [0, 30])
def test_dashboard_query_count_does_not_grow_with_data(client, history, extra_people):
    for n in range(extra_people):
        person = SupporterFactory(team=history.cast["eastside"])
        ConversationFactory(
            supporter=person, volunteer=history.cast["bob"], happened_at=at(3 + n % 10)
        )
    _refresh_all()
    force_login_with_mfa(client, history.cast["olivia"])
    client.get(reverse("home"), RANGE)  # warm the session and content types
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home"), RANGE).status_code == 200
    assert len(queries) == 14


def test_the_people_behind_a_number_are_saved_as_a_segment(client, history):
    import json

    from supporters.models import Segment

    _refresh_all()
    force_login_with_mfa(client, history.cast["olivia"])
    page = client.get(reverse("metrics:people"), {**RANGE, "figure": "repeat"})
    filter_json = page.context["filter_json"]
    assert json.loads(filter_json)["metric"]["figure"] == "repeat"
    preview = client.post(
        reverse("segments:create"), {"name": "Talked to again", "filter": filter_json}
    )
    assert preview.status_code == 200 and preview.context["count"] == 2
    client.post(
        reverse("segments:create"),
        {"name": "Talked to again", "filter": filter_json, "save": "1"},
    )
    segment = Segment.objects.get(name="Talked to again")
    assert segment.filter == json.loads(filter_json)

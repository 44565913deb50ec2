"""Cutting a walk list: a segment of up to 50,000 households (SCALE caps it) cut into packets
of 40 in walking order, through the services, beside one ordered query over the same
households (read to the last row). Lower is better; the ratio is cut / query."""

from __future__ import annotations

import time

HOUSEHOLDS = 50_000
STREETS = 250  # a grid of streets, each 2 blocks of 100 numbers per 1,000 doors or so


def _make(count: int):
    from canvass import services
    from organizing.models import Membership, Team, User
    from supporters.models import Household, Segment, Supporter

    team = Team.objects.create(name="Walk list bench", slug="walklist-bench")
    organizer = User.objects.create_user(
        "walklist-bench@example.org", None, full_name="Bench Organizer"
    )
    Membership.objects.create(user=organizer, team=team, role=Membership.Role.ORGANIZER)
    households = []
    per_street = max(1, count // STREETS)
    for i in range(count):
        street, place = divmod(i, per_street)
        number = 100 + place * 2 + (1 if place % 2 else 0)
        households.append(
            Household(
                address_key=f"{number} STREET {street} AVE||78701",
                line1=f"{number} STREET {street} AVE",
                street=f"STREET {street} AVE",
                house_number=number,
                zip5="78701",
                latitude=30.25 + (street % 50) * 0.002 + place * 0.00001,
                longitude=-97.75 + (street // 50) * 0.01 + place * 0.00002,
                geocode_precision=Household.Precision.STREET,
                geocode_source="bench",
            )
        )
    households = Household.objects.bulk_create(households, batch_size=5000)
    Supporter.objects.bulk_create(
        [
            Supporter(given_name="Door", family_name=str(i), team=team, household=h)
            for i, h in enumerate(households)
        ],
        batch_size=5000,
    )
    segment = Segment.objects.create(
        name="Bench doors", filter={"team": team.pk}, created_by=organizer
    )
    return services, organizer, team, segment


def run(scale: int, line) -> None:
    from django.db import connection

    count = min(HOUSEHOLDS, scale)
    services, organizer, team, segment = _make(count)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE supporters_household; ANALYZE supporters_supporter")

    def reference() -> float:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT h.id, h.street, h.house_number, h.house_suffix, h.unit, h.latitude, h.longitude"
                " FROM supporters_household h WHERE h.id IN"
                " (SELECT household_id FROM supporters_supporter WHERE team_id = %s)"
                " ORDER BY h.zip5, h.street, h.house_number, h.unit",
                [team.pk],
            )
            rows = cursor.fetchall()
        assert len(rows) == count
        return time.perf_counter() - started

    def cut() -> float:
        started = time.perf_counter()
        walk_list = services.walk_list_cut(
            actor=organizer, name="Bench", team=team, segment=segment
        )
        services.packets_by_count(actor=organizer, walk_list=walk_list, doors_per_packet=40)
        elapsed = time.perf_counter() - started
        assert walk_list.door_count == count
        return elapsed

    reference()  # warm the cache for both
    plain = min(reference() for _ in range(3))
    cutting = min(cut() for _ in range(2))
    line(
        f"walklist: cut {count:,} households into packets of 40 (walking order)",
        cutting * 1000,
        "ms",
        plain * 1000,
        "one ordered query over the same households",
        cutting / plain,
    )

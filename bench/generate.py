"""A campaign of SCALE supporters and (by default) 3 x SCALE conversations, written with COPY.

1M supporters (with emails, phones, addresses, tags, do-not-contact flags) and 3M
conversations take a few minutes: rows stream straight into COPY, never through the ORM.
Everything goes into teams of its own ("Export team N"), so a segment on those teams is
exactly the generated people.
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import timedelta

GIVEN = [
    "Maria", "Jose", "Ana", "Luis", "Aisha", "Ben", "Carmen", "Dev", "Elena", "Farid",
    "Grace", "Hiro", "Ines", "Jamal", "Kim", "Lena", "Mateo", "Nia", "Omar", "Priya",
]  # fmt: skip
FAMILY = [
    "Lopez", "Nguyen", "Smith", "Garcia", "Okafor", "Kim", "Patel", "Johnson", "Silva",
    "Haddad", "Cohen", "Brown", "Martinez", "O'Neil", "Rossi", "Chen", "Diaz", "Khan",
]  # fmt: skip
CITIES = [("Austin", "TX", "787"), ("Dallas", "TX", "752"), ("Houston", "TX", "770")]
HEARD = [
    "Rent went up again, thinking about moving.",
    'Her son is an Iraq war veteran; says "call after the 15th".',
    "Worried about the school closing.",
    "",
]
CHANNELS = ["door", "phone", "text", "relational"]
OUTCOMES = ["talked", "not_home", "refused", "callback_requested", "left_message"]


# Columns the workers fill in (issue 4): empty and version 0, so the sweep would enrich them.
UNENRICHED_EMAIL = ", normalized, problem, enricher_version"
UNENRICHED_PHONE = ", e164, line_type, enricher_version"
UNENRICHED_ADDRESS = ", county, standardized, time_zone, zip5, enricher_version"


def _copy(cursor, table: str, columns: str, rows) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def generate(scale: int, *, seed: int = 11, conversations_per_supporter: int = 3) -> dict:
    """Write the campaign; returns the new teams' ids, a volunteer and timings."""
    from django.db import connection, transaction
    from django.utils import timezone

    from organizing.models import Membership, Team, User

    rng = random.Random(seed)
    started = time.perf_counter()
    teams = [
        Team.objects.create(name=f"Export team {n}", slug=f"export-team-{n}") for n in range(5)
    ]
    team_ids = [team.id for team in teams]
    volunteers = []
    for n in range(20):
        user = User.objects.create_user(f"export-volunteer-{n}@bench.example", None)
        Membership.objects.create(user=user, team=teams[n % 5], role=Membership.Role.VOLUNTEER)
        volunteers.append(user.id)

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM supporters_supporter")
        first_id = cursor.fetchone()[0] + 1

        def supporters():
            for n in range(scale):
                yield (
                    rng.choice(GIVEN),
                    rng.choice(FAMILY),
                    "",
                    "",
                    "es" if n % 5 == 0 else "en",
                    rng.choice((None, 1, 2, 3, 4, 5)),
                    rng.randrange(6),
                    '{"shift": "night"}' if n % 7 == 0 else "{}",
                    team_ids[n % 5],
                    "canvass",
                    "now",
                    "now",
                )

        _copy(
            cursor,
            "supporters_supporter",
            "given_name, family_name, preferred_name, pronouns, language, support_level, "
            "engagement_level, custom_fields, team_id, source, created_at, updated_at",
            supporters(),
        )
        cursor.execute(
            "SELECT MIN(id), MAX(id) FROM supporters_supporter WHERE id >= %s", [first_id]
        )
        low, high = cursor.fetchone()
        ids = range(low, high + 1)
        _copy(
            cursor,
            "supporters_supporteremail",
            "supporter_id, address, is_primary, label, created_at" + UNENRICHED_EMAIL,
            ((i, f"person{i}@example.org", True, "", "now", "", "", 0) for i in ids if i % 10 < 7),
        )
        _copy(
            cursor,
            "supporters_supporterphone",
            "supporter_id, number, kind, is_primary, label, created_at" + UNENRICHED_PHONE,
            (
                (i, f"+1512555{i % 10000:04d}", "mobile", True, "", "now", "", "", 0)
                for i in ids
                if i % 10 < 6
            ),
        )

        def addresses():
            for i in ids:
                if i % 10 < 8:
                    city, state, zip_prefix = CITIES[i % 3]
                    yield (i, f"{i % 9000 + 1} Elm St", "", city, state,
                           f"{zip_prefix}{i % 100:02d}", "US", True, "", "now",
                           "", "{}", "", "", 0)  # fmt: skip

        _copy(
            cursor,
            "supporters_supporteraddress",
            "supporter_id, line1, line2, city, state, postal_code, country, is_primary, "
            "label, created_at" + UNENRICHED_ADDRESS,
            addresses(),
        )
        _copy(
            cursor,
            "supporters_donotcontact",
            "supporter_id, channel, reason, set_at",
            ((i, "text", "", "now") for i in ids if i % 20 == 0),
        )
        cursor.execute(
            "INSERT INTO supporters_tag (name, description, created_at) "
            "SELECT 'export-tag-' || n, '', now() FROM generate_series(1, 10) n RETURNING id"
        )
        tag_ids = [row[0] for row in cursor.fetchall()]
        _copy(
            cursor,
            "supporters_supportertag",
            "supporter_id, tag_id, added_at",
            ((i, tag_ids[i % 10], "now") for i in ids if i % 3 == 0),
        )
        supporters_done = time.perf_counter()

        now = timezone.now()
        days = [now - timedelta(days=n) for n in range(365)]

        def conversations():
            span = high - low + 1
            for _ in range(scale * conversations_per_supporter):
                yield (
                    low + rng.randrange(span),
                    rng.choice(volunteers),
                    rng.choice(CHANNELS),
                    rng.choice(OUTCOMES),
                    rng.choice(days),
                    rng.choice(HEARD),
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    now,
                    now,
                    0,
                )

        _copy(
            cursor,
            "conversations_conversation",
            "supporter_id, volunteer_id, channel, outcome, happened_at, heard, client_uuid, "
            "created_at, updated_at, listening_version",
            conversations(),
        )
        cursor.execute("ANALYZE")
    finished = time.perf_counter()
    return {
        "team_ids": team_ids,
        "supporters": high - low + 1,
        "conversations": scale * conversations_per_supporter,
        "supporter_seconds": supporters_done - started,
        "seconds": finished - started,
    }

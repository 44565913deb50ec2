"""The depth-of-listening dashboard (issue 15): its server time at SCALE supporters with 5 x
SCALE conversations, against the same figures computed by GROUP BY over the raw tables in the
same run, and its query count (which does not grow with the data).

The campaign is written with COPY: ten teams, forty volunteers, sixty days of conversations,
things to remember on a fifth of the talked ones, brief views before half, follow-ups, ladder
steps and "someone I know" relationships; then the rollups are derived once (the nightly
re-derivation) and the dashboard reads them.
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import timedelta

CHANNELS = ["door", "phone", "text", "relational", "event"]
OUTCOMES = ["talked", "talked", "not_home", "refused", "left_message"]


def _copy(cursor, table: str, columns: str, rows) -> None:
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def generate(scale: int, *, seed: int = 15) -> dict:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone

    from organizing.models import Membership, Team, User
    from supporters.models import Supporter

    rng = random.Random(seed)
    teams = [Team.objects.create(name=f"Depth team {n}", slug=f"depth-team-{n}") for n in range(10)]
    team_ids = [team.id for team in teams]
    volunteers = []
    for n in range(40):
        user = User.objects.create_user(f"depth-volunteer-{n}@bench.example", None)
        Membership.objects.create(user=user, team=teams[n % 10], role=Membership.Role.VOLUNTEER)
        volunteers.append((user.id, team_ids[n % 10]))
    staff = User.objects.create_user("depth-staff@bench.example", None)
    Membership.objects.create(user=staff, team=teams[0], role=Membership.Role.DATA_STAFF)
    supporter_type = ContentType.objects.get_for_model(Supporter).pk
    now = timezone.now()
    minutes = 60 * 24 * 60
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM supporters_supporter")
        first = cursor.fetchone()[0] + 1
        _copy(
            cursor,
            "supporters_supporter",
            "given_name, family_name, preferred_name, pronouns, language, support_level, "
            "engagement_level, custom_fields, team_id, source, created_at, updated_at",
            (
                (f"G{n}", f"F{n % 5000}", "", "", "en", rng.choice((None, 1, 2, 3)),
                 rng.randrange(6), "{}", team_ids[n % 10], "canvass", now, now)
                for n in range(scale)
            ),
        )  # fmt: skip
        low, high = first, first + scale - 1
        by_team: dict[int, list[int]] = {}
        for user_id, team_id in volunteers:
            by_team.setdefault(team_id, []).append(user_id)
        conversations, views, notes = [], [], []
        for _ in range(scale * 5):
            supporter = low + rng.randrange(scale)
            team = team_ids[(supporter - first) % 10]
            volunteer = (
                rng.choice(by_team[team]) if rng.random() < 0.9 else rng.choice(volunteers)[0]
            )
            happened = now - timedelta(minutes=rng.randrange(minutes))
            outcome = rng.choice(OUTCOMES)
            conversations.append(
                (supporter, volunteer, rng.choice(CHANNELS), outcome, happened, "",
                 uuid.UUID(int=rng.getrandbits(128), version=4), now, now, 0)
            )  # fmt: skip
            if rng.random() < 0.5:
                views.append(
                    (volunteer, "supporter.brief_viewed", supporter_type, str(supporter), "",
                     happened - timedelta(minutes=rng.randrange(5, 600)), "", "{}")
                )  # fmt: skip
        _copy(
            cursor,
            "conversations_conversation",
            "supporter_id, volunteer_id, channel, outcome, happened_at, heard, client_uuid, "
            "created_at, updated_at, listening_version",
            conversations,
        )
        _copy(
            cursor,
            "organizing_auditevent",
            "actor_id, action, object_type_id, object_id, object_repr, at, user_agent, details",
            views,
        )
        cursor.execute(
            "SELECT id, supporter_id, volunteer_id, happened_at FROM conversations_conversation "
            "WHERE supporter_id >= %s AND outcome = 'talked'",
            [low],
        )
        for pk, supporter, volunteer, happened in cursor.fetchall():
            if rng.random() < 0.2:
                notes.append(
                    (supporter, pk, volunteer, "remember", "Works nights", False, happened, now)
                )
        _copy(
            cursor,
            "conversations_note",
            "supporter_id, conversation_id, author_id, kind, body, is_pinned, created_at, updated_at",
            notes,
        )

        def followups():
            for n in range(scale):
                supporter = low + rng.randrange(scale)
                volunteer = rng.choice(by_team[team_ids[(supporter - first) % 10]])
                due = now - timedelta(minutes=rng.randrange(minutes))
                done = rng.random() < 0.6
                closed = due + timedelta(days=rng.randrange(5)) if done else None
                yield (supporter, volunteer, due, f"Call back {n}", "done" if done else "open",
                       "", "", now, now, closed)  # fmt: skip

        _copy(
            cursor,
            "conversations_followup",
            "supporter_id, assignee_id, due_at, reason, status, source_rule, channel, "
            "created_at, updated_at, completed_at",
            followups(),
        )
        _copy(
            cursor,
            "supporters_engagementchange",
            "supporter_id, from_level, to_level, at, rule",
            (
                (
                    low + rng.randrange(scale),
                    a,
                    b,
                    now - timedelta(minutes=rng.randrange(minutes)),
                    "talked",
                )
                for a, b in ((rng.randrange(5), rng.randrange(6)) for _ in range(scale // 2))
                if a != b
            ),
        )
        _copy(
            cursor,
            "supporters_relationship",
            "supporter_id, known_by_id, kind, note, created_at",
            (
                (s, rng.choice(by_team[team_ids[(s - first) % 10]]), "friend", "",
                 now - timedelta(minutes=rng.randrange(minutes)))
                for s in rng.sample(range(low, high + 1), scale // 5)
            ),
        )  # fmt: skip
        cursor.execute("ANALYZE")
    return {"staff": staff, "team": teams[0]}


def run(scale: int, line, timed) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import RequestFactory, override_settings
    from django.test.utils import CaptureQueriesContext

    from metrics.figures import figures_from_raw
    from metrics.rollups import rollup_rederive
    from metrics.selectors import metrics_scope
    from metrics.views import dashboard_view

    started = time.perf_counter()
    made = generate(scale)
    print(f"# dashboard: campaign written in {time.perf_counter() - started:,.1f} s")
    started = time.perf_counter()
    rollup_rederive(batch=2000)
    print(f"# dashboard: rollups derived from {scale:,} supporters and {scale * 5:,} conversations "
          f"in {time.perf_counter() - started:,.1f} s (the nightly re-derivation)")  # fmt: skip
    staff = made["staff"]
    request = RequestFactory().get("/")
    request.user = staff

    # The page as served, without a collected static manifest (as the tests read it).
    plain_static = override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    )

    def dashboard():
        with plain_static:
            response = dashboard_view(request)
        assert response.status_code == 200

    def raw():
        figures_from_raw(metrics_scope(viewer=staff))

    with CaptureQueriesContext(connection) as queries:
        dashboard()
    served = timed(dashboard, repeat=5) * 1000
    reference = timed(raw, repeat=3) * 1000
    line(
        f"dashboard, whole organization, 8 weeks, from the rollups ({len(queries)} queries)",
        served,
        "ms",
        reference,
        "the same figures by GROUP BY over the raw tables",
        reference / served,
    )

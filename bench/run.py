"""Earshot benchmarks: `make bench` (SCALE=N supporters, default 10000).

Prints one line per figure: its name, the value with units, a reference measured in the same
run on the same data, and ``ratio X.XX`` (value / reference, oriented so that higher is better
for rates and lower is better for times, as each line says).

``ONLY=export`` (or ``insert``, ``visibility``, ``search``, ``history``, ``enrichment``, ``walklist``;
comma-separated) runs only those figures.

Works in a database of its own, ``<DATABASE_URL's name>_bench``, dropped and made anew each run,
so it never touches the data `make run` serves.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def bench_database_url() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    name = parts.path.lstrip("/") + "_bench"
    return urlunsplit(parts._replace(path="/" + name))


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')


def line(
    name: str, value: float, unit: str, reference: float, ref_label: str, ratio: float
) -> None:
    print(
        f"{name}: {value:,.1f} {unit} | reference {ref_label}: {reference:,.1f} {unit} | ratio {ratio:.2f}"
    )


def timed(function, repeat: int = 5) -> float:
    """Median wall time of ``function`` in seconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> int:
    scale = int(os.environ.get("SCALE", "10000"))
    only = {name.strip() for name in os.environ.get("ONLY", "").split(",") if name.strip()}

    def wanted(name: str) -> bool:
        return not only or name in only

    os.environ["DATABASE_URL"] = bench_database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organizing.settings")
    recreate_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)

    from organizing.models import Membership, Team, User
    from supporters.models import Assignment, Supporter
    from supporters.selectors import supporter_list

    rng = random.Random(7)
    teams = [Team.objects.create(name=f"Team {n}", slug=f"team-{n}") for n in range(10)]
    organizer = User.objects.create_user("organizer@bench.example", "x")
    Membership.objects.create(user=organizer, team=teams[0], role=Membership.Role.ORGANIZER)
    volunteer = User.objects.create_user("volunteer@bench.example", "x")
    Membership.objects.create(user=volunteer, team=teams[0], role=Membership.Role.VOLUNTEER)

    def rows(count: int):
        for n in range(count):
            yield (f"Given{n}", f"Family{rng.randrange(5000)}", "en", rng.choice(teams).id)

    print(
        f"# Earshot benchmarks, SCALE={scale} supporters, PostgreSQL {connection.cursor().connection.info.server_version}"
    )

    if wanted("insert") or wanted("visibility") or wanted("history"):
        # 1. Writing supporters: the ORM's bulk_create against PostgreSQL COPY of the same rows.
        half = max(1, scale // 2)
        orm_rows = list(rows(half))
        copy_rows = list(rows(half))

        def orm_insert():
            with transaction.atomic():
                Supporter.objects.bulk_create(
                    [
                        Supporter(given_name=g, family_name=f, language=lang, team_id=t)
                        for g, f, lang, t in orm_rows
                    ],
                    batch_size=2000,
                )

        def copy_insert():
            columns = (
                "given_name, family_name, language, team_id, preferred_name, pronouns, "
                "engagement_level, custom_fields, source, created_at, updated_at"
            )
            with (
                transaction.atomic(),
                connection.cursor() as cursor,
                cursor.copy(f"COPY supporters_supporter ({columns}) FROM STDIN") as copy,
            ):
                for g, f, lang, t in copy_rows:
                    copy.write_row((g, f, lang, t, "", "", 0, "{}", "other", "now", "now"))

        orm_seconds = timed(orm_insert, repeat=1)
        copy_seconds = timed(copy_insert, repeat=1)
        orm_rate, copy_rate = half / orm_seconds, half / copy_seconds
        line(
            "supporter insert, ORM bulk_create",
            orm_rate,
            "rows/s",
            copy_rate,
            "PostgreSQL COPY",
            orm_rate / copy_rate,
        )

    if wanted("visibility") or wanted("history"):
        # 2. The visibility rule: an organizer's first page through supporter_list, against the
        #    same page read with a plain indexed query on the team (no rule at all).
        ids = list(Supporter.objects.filter(team=teams[0]).values_list("id", flat=True)[:200])
        Assignment.objects.bulk_create(
            [Assignment(supporter_id=i, volunteer=volunteer) for i in ids]
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

        def page_via_rule(viewer):
            return lambda: list(supporter_list(viewer=viewer).select_related("team")[:50])

        def page_plain():
            list(Supporter.objects.filter(team=teams[0]).select_related("team")[:50])

    if wanted("visibility"):
        plain = timed(page_plain, repeat=15) * 1000
        for label, viewer in (("organizer", organizer), ("volunteer", volunteer)):
            ruled = timed(page_via_rule(viewer), repeat=15) * 1000
            line(
                f"first page of people, visibility rule ({label})",
                ruled,
                "ms",
                plain,
                "indexed team query",
                plain / ruled,
            )

        # 3. The organizer's supporters list: first page by name through the rule narrowed to
        #    their team, against the same ordered page read with a plain team query.
        by_name = ("family_name", "given_name", "id")

        def list_page_via_rule():
            rule = supporter_list(viewer=organizer, teams=[teams[0].id])
            list(rule.select_related("team").order_by(*by_name)[:50])

        def list_page_plain():
            list(
                Supporter.objects.filter(team=teams[0])
                .select_related("team")
                .order_by(*by_name)[:50]
            )

        plain_sorted = timed(list_page_plain, repeat=15) * 1000
        narrowed = timed(list_page_via_rule, repeat=15) * 1000
        line(
            "organizer's supporters list, first page by name (rule narrowed to their team)",
            narrowed,
            "ms",
            plain_sorted,
            "indexed team query, same order",
            plain_sorted / narrowed,
        )

    if wanted("search"):
        # 4. Search: a name with a typo through the search box's condition (case, accents and
        #    trigram similarity, the GIN index), best match first, against a plain indexed query
        #    for the exact name (the case-insensitive btree index on family and given name).
        from django.db.models.functions import Lower

        from supporters.selectors import supporter_search

        def search_typo():
            list(supporter_search(viewer=organizer, query="Famly4321"))

        def exact_plain():
            list(
                Supporter.objects.annotate(family=Lower("family_name"))
                .filter(family="family4321")
                .select_related("team")[:20]
            )

        plain_exact = timed(exact_plain, repeat=15) * 1000
        searched = timed(search_typo, repeat=15) * 1000
        line(
            "search, a name with a typo (accents, case, trigram index; organizer)",
            searched,
            "ms",
            plain_exact,
            "indexed exact-name query",
            plain_exact / searched,
        )

        # 5. Search by phone whatever the punctuation (the digits' trigram index), against the
        #    plain indexed lookup of the number exactly as stored.
        from supporters.models import SupporterPhone

        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO supporters_supporterphone (supporter_id, number, is_primary, label, "
                "created_at, kind, e164, enricher_version, line_type) "
                "SELECT id, '(512) ' || lpad((id % 1000)::text, 3, '0') || '-' || "
                "lpad((id % 10000)::text, 4, '0'), true, '', now(), 'unknown', '', 0, '' "
                "FROM supporters_supporter"
            )
            cursor.execute("ANALYZE supporters_supporterphone")
        phone_id = Supporter.objects.order_by("id").values_list("id", flat=True)[scale // 3]
        stored = SupporterPhone.objects.get(supporter_id=phone_id).number
        typed = "".join(filter(str.isdigit, stored))  # typed without the punctuation

        def search_phone():
            list(supporter_search(viewer=organizer, query=typed))

        def phone_plain():
            list(Supporter.objects.filter(phones__number=stored).select_related("team")[:20])

        plain_phone = timed(phone_plain, repeat=15) * 1000
        searched_phone = timed(search_phone, repeat=15) * 1000
        line(
            "search, a phone typed without its punctuation (digits' trigram index; organizer)",
            searched_phone,
            "ms",
            plain_phone,
            "indexed exact-number query",
            plain_phone / searched_phone,
        )

    from bench import enrichment, history

    if wanted("history"):
        history.run(line=line, timed=timed, team=teams[0], volunteer=volunteer)
    if wanted("enrichment"):
        enrichment.run(scale, line)
    if wanted("walklist"):
        from bench import walklist

        walklist.run(scale, line)
    if wanted("export"):
        from bench.export import run_export_bench

        run_export_bench(scale, line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

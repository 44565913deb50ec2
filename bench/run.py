"""Earshot benchmarks: `make bench` (SCALE=N supporters, default 10000).

Prints one line per figure: its name, the value with units, a reference measured in the same
run on the same data, and ``ratio X.XX`` (value / reference, oriented so that higher is better
for rates and lower is better for times, as each line says).

``ONLY=export`` (or ``insert``, ``visibility``, ``search``, ``history``, ``enrichment``,
``queues``, ``load``, ``dashboard``, ``import``, ``calling``, ``walklist``; comma-separated) runs
only those figures.

Works in a database of its own, ``<DATABASE_URL's name>_bench``, made anew each run as a copy of
the SCALE's dataset, which is generated once and kept (bench/dataset.py), so it never touches
the data `make run` serves.
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

    from bench.dataset import prepare

    os.environ["DATABASE_URL"] = bench_database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organizing.settings")
    manifest = prepare(os.environ["DATABASE_URL"], scale)

    import django

    django.setup()
    from django.db import connection, transaction

    from organizing.models import Team, User
    from supporters.models import Supporter
    from supporters.selectors import supporter_list

    rng = random.Random(7)
    # The dataset's first team, its organizer, and a volunteer of it with their people.
    team = Team.objects.get(pk=manifest["team_ids"][0])
    organizer = User.objects.get(pk=manifest["organizer_ids"][0])
    volunteer = User.objects.get(pk=manifest["volunteer_ids"][0])
    staff = User.objects.get(pk=manifest["staff_id"])
    insert_teams = [
        Team.objects.create(name=f"Insert team {n}", slug=f"insert-team-{n}") for n in range(10)
    ]

    def rows(count: int):
        for n in range(count):
            yield (f"Given{n}", f"Family{rng.randrange(5000)}", "en", rng.choice(insert_teams).id)

    print(
        f"# Earshot benchmarks, SCALE={scale} supporters ({manifest['supporters']:,} generated, "
        f"{manifest['conversations']:,} conversations), "
        f"PostgreSQL {connection.cursor().connection.info.server_version}"
    )

    if wanted("insert") or wanted("search"):
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

    if wanted("visibility"):
        # 2. The visibility rule, whole (no teams=, as search and org-wide roles read it): the
        #    first page in the default order (family name, given name, id) through
        #    supporter_list, against the same page read with a plain indexed team query.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

        def page_via_rule(viewer):
            return lambda: list(supporter_list(viewer=viewer).select_related("team")[:50])

        def page_plain():
            list(Supporter.objects.filter(team=team).select_related("team")[:50])

        plain = timed(page_plain, repeat=15) * 1000
        for label, viewer in (
            ("organizer", organizer),
            ("volunteer", volunteer),
            ("data staff", staff),
        ):
            ruled = timed(page_via_rule(viewer), repeat=15) * 1000
            line(
                f"first page of people, whole visibility rule ({label})",
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
            rule = supporter_list(viewer=organizer, teams=[team.id])
            list(rule.select_related("team").order_by(*by_name)[:50])

        def list_page_plain():
            list(Supporter.objects.filter(team=team).select_related("team").order_by(*by_name)[:50])

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

    from bench import enrichment, history, load, queues

    if wanted("history"):
        history.run(line=line, timed=timed, team=team, volunteer=volunteer)
    if wanted("enrichment"):
        enrichment.run(scale, line)
    if wanted("import"):
        from bench.imports import run_import_bench

        run_import_bench(scale, line)

    if wanted("calling"):
        from bench import calling

        calling.run(line=line)

    if wanted("walklist"):
        from bench import walklist

        walklist.run(scale, line)
    if wanted("export"):
        from bench.export import run_export_bench

        run_export_bench(manifest, line)
    if wanted("queues"):
        queues.run(manifest, line)
    if wanted("load"):
        load.run(manifest, line)
    if wanted("dashboard"):
        from bench import dashboard

        dashboard.run(scale, line, timed)
    return 0


if __name__ == "__main__":
    sys.exit(main())

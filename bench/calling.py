"""Next call under load: 20 callers claiming from a 100,000-person call list at once, through
``calling.services.call_claim`` (lease, do-not-call, phone, calling hours, "called recently"),
beside the bare ``SELECT … FOR UPDATE SKIP LOCKED LIMIT 1`` on the same table. Each claim is
then marked done with one UPDATE in both, so every claim takes a fresh person; the line after
counts people claimed twice (it must be 0)."""

from __future__ import annotations

import os
import threading
import time
from datetime import time as clock

CALLERS = 20
SECONDS = float(os.environ.get("CALLING_BENCH_SECONDS", "4"))


def _people(cursor, team_id: int, count: int) -> None:
    from bench.generate import _copy

    columns = (
        "given_name, family_name, language, team_id, preferred_name, pronouns, "
        "engagement_level, custom_fields, source, created_at, updated_at"
    )
    _copy(
        cursor,
        "supporters_supporter",
        columns,
        (
            (f"Caller{n}", f"Person{n}", "en", team_id, "", "", 0, "{}", "other", "now", "now")
            for n in range(count)
        ),
    )
    cursor.execute(
        """
        INSERT INTO supporters_supporterphone
            (supporter_id, number, kind, is_primary, label, created_at, e164, line_type,
             enricher_version)
        SELECT id, '312-555-' || lpad((id %% 10000)::text, 4, '0'), 'unknown', true, '', now(),
               '', '', 0
        FROM supporters_supporter WHERE team_id = %s
        """,
        [team_id],
    )


def _run_threads(work, callers) -> tuple[int, float, list[int]]:
    from django.db import connection

    claimed: list[list[int]] = [[] for _ in callers]
    start = threading.Barrier(len(callers) + 1)
    stop_at: list[float] = []

    def loop(index, caller):
        try:
            start.wait()
            while time.perf_counter() < stop_at[0]:
                target_id = work(caller)
                if target_id is None:
                    break
                claimed[index].append(target_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=loop, args=(n, caller)) for n, caller in enumerate(callers)]
    for thread in threads:
        thread.start()
    stop_at.append(time.perf_counter() + SECONDS)
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    every = [target for per_caller in claimed for target in per_caller]
    return len(every), elapsed, every


def run(*, line, people: int = 100_000) -> None:
    from django.db import connection, transaction

    from calling.models import CallList
    from calling.services import call_claim, call_list_create
    from organizing.models import Membership, Team, User

    team = Team.objects.create(name="Phone bank (bench)", slug="phone-bank-bench")
    organizer = User.objects.create_user("calling-organizer@bench.example", "x")
    Membership.objects.create(user=organizer, team=team, role=Membership.Role.ORGANIZER)
    callers = []
    for n in range(CALLERS):
        caller = User.objects.create_user(f"caller{n}@bench.example", "x", full_name=f"C {n}")
        Membership.objects.create(user=caller, team=team, role=Membership.Role.VOLUNTEER)
        callers.append(caller)
    with transaction.atomic(), connection.cursor() as cursor:
        _people(cursor, team.id, people)
    settings = {
        "team": team,
        "scripts": {"en": "Hi {first_name}, this is {caller_name}."},
        "filter_json": {},
        "calling_starts": clock(0, 0),
        "calling_ends": clock(23, 59, 59),
        "recent_days": 7,
    }
    built = time.perf_counter()
    ours = call_list_create(actor=organizer, name="Claims", **settings)
    build_seconds = time.perf_counter() - built
    bare = call_list_create(actor=organizer, name="Bare", **settings)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    size = CallList.objects.get(pk=ours.pk).targets.count()
    print(f"# call list of {size:,} people built in {build_seconds:.1f} s (one INSERT … SELECT)")

    done = "UPDATE calling_calltarget SET status = 'reached', claimed_by_id = NULL, "
    done += "lease_expires_at = NULL WHERE id = %s"

    def claim_through_service(caller):
        target = call_claim(actor=caller, call_list=ours)
        if target is None:
            return None
        with connection.cursor() as cursor:
            cursor.execute(done, [target.pk])
        return target.pk

    def claim_bare(caller):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM calling_calltarget WHERE call_list_id = %s AND status = 'queued'"
                " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
                [bare.pk],
            )
            row = cursor.fetchone()
            if row is None:
                return None
            cursor.execute(done, [row[0]])
            return row[0]

    reference_claims, reference_seconds, _ = _run_threads(claim_bare, callers)
    claims, seconds, claimed = _run_threads(claim_through_service, callers)
    rate, reference = claims / seconds, reference_claims / reference_seconds
    line(
        f"next-call claim, {CALLERS} callers on a {size:,}-person list",
        rate,
        "claims/s",
        reference,
        "bare SELECT … FOR UPDATE SKIP LOCKED LIMIT 1 (+ the same done UPDATE)",
        rate / reference,
    )
    print(f"people claimed twice: {len(claimed) - len(set(claimed))} of {len(claimed):,} claims")

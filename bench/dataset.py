"""The benchmarks' dataset for a SCALE: generated once, kept, and cloned for every run.

``make bench`` works in ``<DATABASE_URL's name>_bench``, made anew each run as a copy
(``CREATE DATABASE … TEMPLATE``, a file copy in PostgreSQL) of a template database holding the
migrated schema and the generated campaign (bench/generate.py): SCALE supporters with contact
points, tags and consent, 5 x SCALE conversations, volunteers with assigned people, an
organizer per team (with an authenticator, as their role needs), data staff with an API key,
and two segments. What the run needs to know about it (ids, the key) is a manifest under
``var/bench/datasets/``.

The template is named after the SCALE and a fingerprint of what makes it: this file,
bench/generate.py and every migration. When any of them changes, the next run generates a new
one and drops the old.

    python bench/dataset.py build <template database URL> <scale> <manifest path>
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-2026"  # noqa: S105 (the bench database's own users)
ASSIGNED_PER_VOLUNTEER = 100


def fingerprint() -> str:
    digest = hashlib.sha256()
    sources = [BASE_DIR / "bench" / "dataset.py", BASE_DIR / "bench" / "generate.py"]
    sources += sorted(BASE_DIR.glob("*/migrations/[0-9]*.py"))
    for path in sources:
        digest.update(str(path.relative_to(BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cache_dir() -> Path:
    var = Path(os.environ.get("VAR_DIR") or BASE_DIR / "var")
    return var / "bench" / "datasets"


def _admin(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


def _name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _with_name(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def prepare(bench_url: str, scale: int) -> dict:
    """Make the bench database a fresh copy of SCALE's dataset; returns its manifest."""
    bench = _name(bench_url)
    print_ = lambda text: print(f"# {text}", flush=True)  # noqa: E731
    mark = fingerprint()
    template = f"{bench}_s{scale}_{mark}"
    manifest_path = cache_dir() / f"{bench}-scale-{scale}-{mark}.json"
    with _admin(bench_url) as db:
        exists = db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone()
        if not (exists and manifest_path.exists()):
            stale = db.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                [f"{bench}\\_s{scale}\\_%"],
            ).fetchall()
            for (name,) in stale:
                db.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            for old in cache_dir().glob(f"{bench}-scale-{scale}-*.json"):
                old.unlink()
            db.execute(f'CREATE DATABASE "{template}"')
            print_(f"generating the dataset for SCALE={scale:,} (kept as {template})")
            started = time.perf_counter()
            manifest_path.parent.mkdir(parents=True, exist_ok=True)
            built = subprocess.run(
                [
                    sys.executable,
                    str(Path(__file__)),
                    "build",
                    _with_name(bench_url, template),
                    str(scale),
                    str(manifest_path),
                ],
                cwd=BASE_DIR,
                check=False,
            )
            if built.returncode:
                db.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
                manifest_path.unlink(missing_ok=True)
                raise SystemExit("generating the bench dataset failed")
            print_(f"dataset generated in {time.perf_counter() - started:,.1f} s")
        else:
            print_(f"dataset for SCALE={scale:,} from the cache ({template})")
        db.execute(f'DROP DATABASE IF EXISTS "{bench}" WITH (FORCE)')
        started = time.perf_counter()
        db.execute(f'CREATE DATABASE "{bench}" TEMPLATE "{template}"')
        print_(f"bench database copied from it in {time.perf_counter() - started:,.1f} s")
    return json.loads(manifest_path.read_text())


def build(scale: int, manifest_path: Path) -> None:
    """In a migrated-here template database: the campaign, its people and the manifest."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organizing.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.core.management import call_command
    from django.db import connection

    from bench.generate import generate
    from organizing.models import Membership, Team, User
    from organizing.services import api_key_create
    from supporters.models import Assignment, Segment, Supporter

    call_command("migrate", verbosity=0)
    made = generate(scale, conversations_per_supporter=5)
    teams = list(Team.objects.filter(pk__in=made["team_ids"]).order_by("pk"))
    volunteers = list(User.objects.filter(email__startswith="export-volunteer-").order_by("pk"))
    for user in volunteers:
        user.set_password(PASSWORD)
    User.objects.bulk_update(volunteers, ["password"])
    # Each volunteer's people: the first ASSIGNED_PER_VOLUNTEER of their team not yet taken.
    assignments = []
    for team in teams:
        members = [v for v in volunteers if v.memberships.filter(team=team).exists()]
        people = iter(
            Supporter.objects.filter(team=team)
            .order_by("pk")
            .values_list("pk", flat=True)[: ASSIGNED_PER_VOLUNTEER * len(members)]
        )
        for volunteer in members:
            for _ in range(ASSIGNED_PER_VOLUNTEER):
                assignments.append(Assignment(supporter_id=next(people), volunteer=volunteer))
    Assignment.objects.bulk_create(assignments, batch_size=5000)

    organizers = []
    for n, team in enumerate(teams):
        user = User.objects.create_user(f"organizer-{n}@bench.example", PASSWORD)
        Membership.objects.create(user=user, team=team, role=Membership.Role.ORGANIZER)
        TOTP.activate(user, generate_totp_secret())  # their role needs a second factor
        organizers.append(user.pk)
    staff = User.objects.create_user("export-staff@bench.example", PASSWORD)
    Membership.objects.create(user=staff, team=teams[0], role=Membership.Role.DATA_STAFF)
    TOTP.activate(staff, generate_totp_secret())
    _, raw_key = api_key_create(actor=staff, user=staff, scopes=["read", "export"])
    segment = Segment.objects.create(
        name="Everyone generated", filter={"team": {"in": made["team_ids"]}}, created_by=staff
    )
    small = Segment.objects.create(
        name="Warm-up", filter={"and": [{"team": made["team_ids"][0]}, {"zip": "78700"}]}
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    manifest = {
        "scale": scale,
        "fingerprint": fingerprint(),
        "supporters": made["supporters"],
        "conversations": made["conversations"],
        "generated_seconds": made["seconds"],
        "team_ids": made["team_ids"],
        "volunteer_ids": [v.pk for v in volunteers],
        "organizer_ids": organizers,
        "staff_id": staff.pk,
        "raw_key": raw_key,
        "segment_id": segment.pk,
        "small_segment_id": small.pk,
        "password": PASSWORD,
    }
    manifest_path.write_text(json.dumps(manifest, indent=2))
    manifest_path.chmod(0o600)


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] != "build":
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    os.environ["DATABASE_URL"] = sys.argv[2]
    build(int(sys.argv[3]), Path(sys.argv[4]))

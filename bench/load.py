"""Many people at once: a Locust load test against the app served as `make run` serves it.

- gunicorn with the launcher's own arguments (organizing.launcher.web_arguments: its
  configured workers), on a free port of 127.0.0.1, against the SCALE's bench database;
- 50 users (LOAD_USERS) each starting LOAD_RATE tasks a second (a constant arrival rate;
  by default half of what the web workers serve one request at a time, times their number,
  so below saturation on whatever machine runs it), volunteers, organizers and an API client mixed as
  bench/locustfile.py says, for LOAD_SECONDS (60) or LOAD_MAX_REQUESTS (20,000) requests,
  whichever comes first;
- the reference: each kind of user alone (one user, one request at a time) in the same run.

Printed per page: requests/s, p50, p95 and errors under load, and the p95 under load beside the
single-user p95 (ratio single / load: 0.33 is "3x slower"). Then the queries each page runs
here and on the SCALE=10,000 dataset (ratio 1.00: the count does not grow with the data).
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PAGES = [
    "My people",
    "brief",
    "history",
    "log a conversation",
    "Supporters list (filters)",
    "search",
    "segment preview",
    "API supporters page",
]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _plan(manifest: dict) -> dict:
    """Signed-in sessions for the dataset's volunteers and organizers, and the API key."""
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    from organizing.models import Membership, User
    from supporters.models import Assignment

    def session(user) -> dict:
        client = Client()
        client.force_login(user)
        return {"sessionid": client.cookies["sessionid"].value, "csrftoken": _get_new_csrf_string()}

    volunteers = []
    for user in User.objects.filter(pk__in=manifest["volunteer_ids"]):
        people = list(
            Assignment.objects.filter(volunteer=user).values_list("supporter_id", flat=True)[:50]
        )
        volunteers.append({**session(user), "people": people})
    organizers = []
    for user in User.objects.filter(pk__in=manifest["organizer_ids"]):
        team = Membership.objects.filter(user=user).values_list("team_id", flat=True).first()
        organizers.append({**session(user), "team": team})
    return {"volunteers": volunteers, "organizers": organizers, "raw_key": manifest["raw_key"]}


def _serve(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    from organizing.launcher import web_arguments

    subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "collectstatic", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    port = _free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), *web_arguments(f"127.0.0.1:{port}"), "--log-level", "warning"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2).read()  # noqa: S310 (loopback)
            return server, base
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not answer")


def _locust(
    host: str, plan_path: Path, *, users: int, rate: float, seconds: int, classes=()
) -> dict:
    """One headless Locust run; returns its stats per page name."""
    folder = Path(tempfile.mkdtemp(prefix="earshot-load-"))
    env = {
        **os.environ,
        "LOAD_PLAN": str(plan_path),
        "LOAD_RATE": str(rate),
        "LOAD_MAX_REQUESTS": os.environ.get("LOAD_MAX_REQUESTS", "20000"),
    }
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(BASE_DIR / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            host,
            "--csv",
            str(folder / "run"),
            "--only-summary",
            "--loglevel",
            "WARNING",
            *classes,
        ],
        cwd=BASE_DIR,
        env=env,
        check=False,  # Locust exits 1 when any request failed; the errors are counted
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=seconds + 120,
    )
    with open(folder / "run_stats.csv") as stats:
        return {row["Name"]: row for row in csv.DictReader(stats) if row["Name"] != "Aggregated"}


def _query_counts(url: str, manifest_path: Path) -> dict[str, int]:
    output = subprocess.run(
        [sys.executable, str(Path(__file__)), "querycount", str(manifest_path)],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def query_counts(manifest: dict) -> dict[str, int]:
    """The queries each page runs, for the dataset's first volunteer and organizer."""
    import uuid

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from organizing.models import User
    from supporters.models import Assignment

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    volunteer = User.objects.get(pk=manifest["volunteer_ids"][0])
    organizer = User.objects.get(pk=manifest["organizer_ids"][0])
    person = Assignment.objects.filter(volunteer=volunteer).values_list("supporter_id", flat=True)[
        0
    ]
    team = manifest["team_ids"][0]
    segment_filter = json.dumps({"and": [{"team": team}, {"tags": {"any": ["export-tag-3"]}}]})
    as_volunteer, as_organizer, as_api = Client(), Client(), Client()
    as_volunteer.force_login(volunteer)
    as_organizer.force_login(organizer)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {manifest['raw_key']}"}
    requests = {
        "My people": lambda: as_volunteer.get("/"),
        "brief": lambda: as_volunteer.get(f"/people/{person}/"),
        "history": lambda: as_volunteer.get(f"/people/{person}/history/"),
        "log a conversation": lambda: as_volunteer.post(
            f"/people/{person}/log/",
            {
                "client_uuid": str(uuid.uuid4()),
                "channel": "door",
                "outcome": "talked",
                "heard": "Rent went up again.",
                "followup": "none",
            },
        ),
        "Supporters list (filters)": lambda: as_organizer.get(
            "/supporters/", {"support_level": "1", "assigned": "yes"}
        ),
        "search": lambda: as_organizer.get("/supporters/search/", {"q": "Nguyen"}),
        "segment preview": lambda: as_organizer.post(
            "/segments/new/", {"name": "Preview", "description": "", "filter": segment_filter}
        ),
        "API supporters page": lambda: as_api.get(
            "/api/v1/supporters/", {"page_size": "100"}, **bearer
        ),
    }
    counts = {}
    for name, request in requests.items():
        request()  # warm: sessions touched, caches filled
        with CaptureQueriesContext(connection) as captured:
            response = request()
        assert response.status_code in (200, 302), (name, response.status_code)
        counts[name] = len(captured)
    return counts


def run(manifest: dict, line) -> None:
    from bench.dataset import cache_dir, prepare
    from organizing.launcher import web_arguments

    users = int(os.environ.get("LOAD_USERS", "50"))
    seconds = int(os.environ.get("LOAD_SECONDS", "60"))
    plan_path = Path(tempfile.mkdtemp(prefix="earshot-plan-")) / "plan.json"
    plan_path.write_text(json.dumps(_plan(manifest)))
    plan_path.chmod(0o600)
    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(64),
        API_KEY_RATE="1000000/min",
        API_SESSION_RATE="1000000/min",
        STATIC_ROOT=str(cache_dir().parent / "static"),
    )
    server, base = _serve(env)
    try:
        # Each kind of user alone first: one user, one request at a time.
        single: dict = {}
        for kind in ("Volunteer", "Organizer", "ApiClient"):
            single.update(
                _locust(
                    base, plan_path, users=1, rate=5, seconds=max(10, seconds // 3), classes=[kind]
                )
            )
        # Below saturation: unless LOAD_RATE says otherwise, offer the users together half of
        # what the web workers served one request at a time, times their number.
        alone_rps = sum(float(row["Requests/s"]) for row in single.values()) / 3
        workers = int(web_arguments("x")[web_arguments("x").index("--workers") + 1])
        rate = float(os.environ.get("LOAD_RATE") or 0.5 * workers * alone_rps / users)
        rate = round(rate, 3)
        loaded = _locust(base, plan_path, users=users, rate=rate, seconds=seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    total = sum(float(row["Requests/s"]) for row in loaded.values())
    errors = sum(int(row["Failure Count"]) for row in loaded.values())
    print(
        f"# load: {users} users at {rate}/s each ({users * rate:.1f} tasks/s offered; one user "
        f"alone was served {alone_rps:.1f} requests/s), "
        f"{seconds} s; served {total:,.1f} requests/s, {errors} errors"
    )
    for page in PAGES:
        row, alone = loaded.get(page), single.get(page)
        if row is None or alone is None:
            print(f"# load, {page}: no requests made")
            continue
        p95, alone_p95 = float(row["95%"]), float(alone["95%"])
        print(
            f"# load, {page}: {float(row['Requests/s']):,.1f} requests/s, p50 {row['50%']} ms, "
            f"p95 {row['95%']} ms, errors {row['Failure Count']} of {row['Request Count']}"
        )
        line(
            f"load, {page}, p95 with {users} users",
            p95,
            "ms",
            alone_p95,
            "p95 with a single user",
            alone_p95 / p95 if p95 else 0.0,
        )

    here = _query_counts(os.environ["DATABASE_URL"], _manifest_file(manifest))
    small_url = os.environ["DATABASE_URL"] + "_q10k"
    small = prepare(small_url, 10_000)
    there = _query_counts(small_url, _manifest_file(small))
    for page in PAGES:
        line(
            f"queries per request, {page} (lower is better)",
            here[page],
            "queries",
            there[page],
            "the same at SCALE=10,000",
            there[page] / here[page] if here[page] else 0.0,
        )


def _manifest_file(manifest: dict) -> Path:
    path = Path(tempfile.mkdtemp(prefix="earshot-manifest-")) / "manifest.json"
    path.write_text(json.dumps(manifest))
    path.chmod(0o600)
    return path


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "querycount":
        sys.path.insert(0, str(BASE_DIR))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organizing.settings")
        import django

        django.setup()
        print(json.dumps(query_counts(json.loads(Path(sys.argv[2]).read_text()))))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)

"""The load test's users (Locust), run headless by bench/load.py against 127.0.0.1 only.

- volunteers: My people, a person's brief, their history, and logging a conversation;
- organizers: the supporters list with filters, search, and a segment's preview;
- an API client paging through supporters with its key.

Each user starts tasks at a constant rate (``constant_throughput``), so the arrival rate is
users x LOAD_RATE per second whatever the response times. The run stops after LOAD_MAX_REQUESTS
requests even if its time is not up. Sessions, people and the key come from the JSON file
named by LOAD_PLAN (written by bench/load.py).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, constant_throughput, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115
RATE = float(os.environ.get("LOAD_RATE", "0.5"))
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "20000"))
_sessions = {kind: itertools.cycle(PLAN[kind]) for kind in ("volunteers", "organizers")}
_count = itertools.count(1)


@events.test_start.add_listener
def _only_loopback(environment, **kwargs):
    host = urlsplit(environment.host or "").hostname
    if host != "127.0.0.1":
        raise SystemExit(f"the load test only runs against 127.0.0.1, not {host!r}")


_environment = {}


@events.init.add_listener
def _keep(environment, **kwargs):
    _environment["it"] = environment


@events.request.add_listener
def _bounded(**kwargs):
    if next(_count) == MAX_REQUESTS:
        gevent.spawn(_environment["it"].runner.quit)


def _stagger() -> None:
    """Start somewhere in the first period, so that users arrive spread out, not in waves."""
    gevent.sleep(random.uniform(0, 1 / RATE))


class _SessionUser(HttpUser):
    abstract = True
    wait_time = constant_throughput(RATE)
    kind = ""

    def on_start(self) -> None:
        _stagger()
        self.me = next(_sessions[self.kind])
        self.client.cookies.set("sessionid", self.me["sessionid"])
        self.client.cookies.set("csrftoken", self.me["csrftoken"])


class Volunteer(_SessionUser):
    weight = 6
    kind = "volunteers"

    def _person(self) -> int:
        return random.choice(self.me["people"])

    @task(3)
    def my_people(self) -> None:
        self.client.get("/", name="My people")

    @task(3)
    def brief(self) -> None:
        self.client.get(f"/people/{self._person()}/", name="brief")

    @task(2)
    def history(self) -> None:
        self.client.get(f"/people/{self._person()}/history/", name="history")

    @task(1)
    def log(self) -> None:
        with self.client.post(
            f"/people/{self._person()}/log/",
            data={
                "client_uuid": str(uuid.uuid4()),
                "channel": "door",
                "outcome": "talked",
                "heard": "Rent went up again; she wants to come to the tenants' meeting.",
                "followup": "none",
            },
            headers={"X-CSRFToken": self.me["csrftoken"]},
            allow_redirects=False,
            name="log a conversation",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"expected a redirect, got {response.status_code}")


class Organizer(_SessionUser):
    weight = 3
    kind = "organizers"

    @task(3)
    def supporters_list(self) -> None:
        self.client.get(
            "/supporters/",
            params={"support_level": random.choice(["1", "2"]), "assigned": "yes"},
            name="Supporters list (filters)",
        )

    @task(2)
    def search(self) -> None:
        self.client.get(
            "/supporters/search/",
            params={"q": random.choice(["Nguyen", "Garsia", "Maria Lopez", "Okafor"])},
            name="search",
        )

    @task(1)
    def segment_preview(self) -> None:
        with self.client.post(
            "/segments/new/",
            data={
                "name": "Preview",
                "description": "",
                "filter": json.dumps(
                    {"and": [{"team": self.me["team"]}, {"tags": {"any": ["export-tag-3"]}}]}
                ),
            },
            headers={"X-CSRFToken": self.me["csrftoken"]},
            name="segment preview",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"expected the form with its count, got {response.status_code}")


class ApiClient(HttpUser):
    weight = 1
    wait_time = constant_throughput(RATE)

    def on_start(self) -> None:
        _stagger()
        self.client.headers["Authorization"] = f"Bearer {PLAN['raw_key']}"
        self.next_url = None

    @task
    def page(self) -> None:
        url = self.next_url or "/api/v1/supporters/?page_size=100"
        response = self.client.get(url, name="API supporters page")
        if response.ok:
            self.next_url = response.json().get("next")

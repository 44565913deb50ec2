"""Webhooks: who hears what, signing, retries with backoff, replay, pages, a real worker.

Receivers are real HTTP servers on loopback (``webhook_receiver``). Retry logic is driven
by calling the delivery function directly and moving ``next_attempt_at`` instead of waiting;
one test runs a real Celery worker against a receiver that never answers.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from conversations.models import Conversation, FollowUp
from conversations.services import conversation_create, followup_complete, followup_create
from organizing.models import AuditEvent, Webhook, WebhookDelivery
from organizing.webhooks import (
    retry_delay,
    webhook_create,
    webhook_deliver,
    webhook_deliveries_due,
    webhook_delivery_replay,
    webhook_payload_data,
    webhook_sign,
    webhook_signature_is_valid,
    webhook_url_refusal,
)
from supporters.exporting import export_job_run
from supporters.models import ExportJob, Segment
from supporters.services import supporter_create, supporter_update
from tests.api_helpers import error_of, key_client
from tests.factories import SupporterFactory
from tests.organizing.test_worker import wait_for, worker  # noqa: F401 (the worker fixture)

from .webhook_receiver import DeadReceiver, Receiver


@pytest.fixture(autouse=True)
def _loopback_receivers_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True


@pytest.fixture
def receiver():
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def dead_receiver():
    running = DeadReceiver().start()
    yield running
    running.stop()


def hook(owner, url, events=("supporter.created",), team=None) -> Webhook:
    return webhook_create(actor=owner, url=url, events=list(events), team=team)


def deliver_all() -> list[bool]:
    return [webhook_deliver(delivery_id=pk) for pk in webhook_deliveries_due()]


def make_due(delivery: WebhookDelivery) -> None:
    """Pretend the backoff has passed, without waiting for it."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


# --- signing and delivery ------------------------------------------------------------------


def test_new_supporter_is_posted_to_the_receiver_signed_with_the_secret(
    organizer, eastside, receiver
):
    webhook = hook(organizer, receiver.url)
    supporter = supporter_create(
        actor=organizer, team=eastside, given_name="Maria", email="maria@example.org"
    )

    assert deliver_all() == [True]

    [request] = receiver.received
    assert request.path == "/hooks/earshot"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Earshot-Event"] == "supporter.created"
    assert webhook_signature_is_valid(
        secret=webhook.secret, header=request.headers["Earshot-Signature"], body=request.body
    )
    assert not webhook_signature_is_valid(
        secret="not-the-secret", header=request.headers["Earshot-Signature"], body=request.body
    )
    body = json.loads(request.body)
    assert body["event"] == "supporter.created"
    assert body["id"] == request.headers["Earshot-Delivery"]
    assert body["data"]["id"] == supporter.pk
    assert body["data"]["email"] == "maria@example.org"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert (delivery.attempts, delivery.last_status_code, delivery.last_error) == (1, 200, "")


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    import hashlib
    import hmac

    expected = hmac.new(b"s3cret", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert webhook_sign(secret="s3cret", timestamp=1700000000, body=b"{}") == (
        f"t=1700000000,v1={expected}"
    )


def test_the_request_that_causes_an_event_only_queues_it(
    organizer, eastside, dead_receiver, django_capture_on_commit_callbacks
):
    hook(organizer, dead_receiver.url)
    with django_capture_on_commit_callbacks() as callbacks:
        supporter_create(actor=organizer, team=eastside, given_name="Maria")

    assert dead_receiver.accepted == []  # nobody called the receiver while saving
    # The delivery is enqueued after commit (beside the enrichment the save also enqueues).
    assert len([c for c in callbacks if "webhook_deliver_task" in repr(c)]) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.PENDING, 0)


def test_a_500_is_retried_later_with_backoff_and_then_delivered(
    organizer, eastside, receiver, settings
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    receiver.statuses = [500]
    hook(organizer, receiver.url)
    supporter_create(actor=organizer, team=eastside, given_name="Maria")

    assert deliver_all() == [False]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert (delivery.attempts, delivery.last_status_code) == (1, 500)
    assert delivery.last_error.startswith("HTTP 500")
    assert delivery.next_attempt_at > timezone.now()

    # Not due yet: the sweep and a second run of the task leave it alone.
    assert webhook_deliveries_due() == []
    assert webhook_deliver(delivery_id=delivery.pk) is False
    assert len(receiver.received) == 1

    make_due(delivery)
    assert deliver_all() == [True]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 2, "")
    first, second = receiver.received
    assert first.body == second.body
    assert first.headers["Earshot-Delivery"] == second.headers["Earshot-Delivery"]


def test_backoff_doubles_and_is_capped():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert retry_delay(30) == timedelta(hours=6)


def test_gives_up_after_the_last_attempt(organizer, eastside, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.statuses = [503, 503, 503]
    hook(organizer, receiver.url)
    supporter_create(actor=organizer, team=eastside, given_name="Maria")
    delivery = WebhookDelivery.objects.get()

    webhook_deliver(delivery_id=delivery.pk)
    make_due(delivery)
    webhook_deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 2, None)
    assert webhook_deliveries_due() == []


def test_a_receiver_that_never_answers_times_out_and_is_retried_later(
    organizer, eastside, dead_receiver, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    hook(organizer, dead_receiver.url)
    supporter_create(actor=organizer, team=eastside, given_name="Maria")

    assert deliver_all() == [False]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert "Timeout" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()


@pytest.mark.parametrize("host", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "[::1]"])
def test_private_addresses_are_refused_without_retrying(
    organizer, eastside, receiver, settings, host
):
    hook(organizer, receiver.url.replace("127.0.0.1", host))
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False  # switched off after registration
    supporter_create(actor=organizer, team=eastside, given_name="Maria")

    assert deliver_all() == [False]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "private address" in delivery.last_error
    assert receiver.received == []


def test_a_switched_off_webhook_gets_nothing_new(organizer, eastside, receiver):
    webhook = hook(organizer, receiver.url)
    Webhook.objects.filter(pk=webhook.pk).update(is_active=False)
    supporter_create(actor=organizer, team=eastside, given_name="Maria")
    assert not WebhookDelivery.objects.exists()


def test_replay_sends_the_same_event_again_as_a_new_log_entry(organizer, eastside, receiver):
    hook(organizer, receiver.url)
    supporter_create(actor=organizer, team=eastside, given_name="Maria")
    deliver_all()
    first = WebhookDelivery.objects.get()

    again = webhook_delivery_replay(actor=organizer, delivery=first)
    assert deliver_all() == [True]

    again.refresh_from_db()
    assert again.pk != first.pk and again.status == "delivered"
    assert again.event_id == first.event_id and again.payload == first.payload
    assert len(receiver.received) == 2
    assert AuditEvent.objects.filter(action="webhook.replay").count() == 1


# --- who hears what ----------------------------------------------------------------------------


def test_only_owners_who_may_see_the_supporter_hear_about_them(
    organizer, other_organizer, data_staff, eastside, westside, receiver
):
    mine = hook(organizer, receiver.url)
    theirs = hook(other_organizer, receiver.url)
    everyone = hook(data_staff, receiver.url)
    westside_only = hook(data_staff, receiver.url, team=westside)

    supporter_create(actor=organizer, team=eastside, given_name="Maria")

    heard = set(WebhookDelivery.objects.values_list("webhook_id", flat=True))
    assert heard == {mine.pk, everyone.pk}
    assert theirs.pk not in heard and westside_only.pk not in heard


def test_no_one_hears_about_a_person_when_no_visibility_rule_is_registered(
    organizer, data_staff, eastside, receiver, monkeypatch
):
    """The base app knows no supporter: the supporters app registers who may see one. Without
    that registration, nobody hears about a person (fail closed)."""
    hook(organizer, receiver.url)
    hook(data_staff, receiver.url)
    monkeypatch.setattr("organizing.webhooks._person_visibility", [])

    supporter_create(actor=organizer, team=eastside, given_name="Maria")

    assert not WebhookDelivery.objects.exists()


def test_payloads_are_what_the_owning_app_registered(organizer, eastside):
    supporter = SupporterFactory(team=eastside, given_name="Maria")
    assert webhook_payload_data(supporter)["given_name"] == "Maria"
    assert webhook_payload_data(eastside) == {"id": eastside.pk}  # nobody registered teams


def test_webhooks_hear_only_the_events_they_chose(organizer, eastside, receiver):
    hook(organizer, receiver.url, events=["supporter.updated"])
    supporter = supporter_create(actor=organizer, team=eastside, given_name="Maria")
    assert not WebhookDelivery.objects.exists()

    supporter_update(actor=organizer, supporter=supporter, given_name="María")
    supporter_update(actor=organizer, supporter=supporter, given_name="María")  # no change

    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "supporter.updated"
    assert delivery.payload["data"]["fields"] == ["given_name"]
    assert delivery.payload["data"]["given_name"] == "María"


def test_conversations_and_followups_emit_their_events(organizer, eastside, receiver):
    hook(
        organizer,
        receiver.url,
        events=["conversation.created", "followup.created", "followup.completed"],
    )
    supporter = SupporterFactory(team=eastside)
    client_uuid = uuid.uuid4()
    conversation_create(
        actor=organizer,
        supporter=supporter,
        client_uuid=client_uuid,
        channel=Conversation.Channel.DOOR,
        outcome=Conversation.Outcome.TALKED,
    )
    conversation_create(  # the same UUID again stores nothing and tells no one
        actor=organizer,
        supporter=supporter,
        client_uuid=client_uuid,
        channel=Conversation.Channel.DOOR,
        outcome=Conversation.Outcome.TALKED,
    )
    followup, _ = followup_create(
        actor=organizer,
        supporter=supporter,
        assignee=organizer,
        due_at=timezone.now() + timedelta(days=2),
        reason="Call back",
    )
    followup_complete(actor=organizer, followup=followup)
    followup_complete(actor=organizer, followup=followup)  # closed already: nothing

    events = list(WebhookDelivery.objects.order_by("id").values_list("event", flat=True))
    assert events == ["conversation.created", "followup.created", "followup.completed"]
    done = WebhookDelivery.objects.get(event="followup.completed")
    assert done.payload["data"]["status"] == FollowUp.Status.DONE
    assert done.payload["data"]["supporter_id"] == supporter.pk


def test_a_finished_export_is_told_to_its_requesters_webhooks_only(
    data_staff, admin, eastside, receiver, settings, tmp_path
):
    settings.EXPORT_DIR = tmp_path
    mine = hook(data_staff, receiver.url, events=["export.finished"])
    hook(admin, receiver.url, events=["export.finished"])
    SupporterFactory(team=eastside)
    segment = Segment.objects.create(name="All", filter={})
    job = ExportJob.objects.create(segment=segment, requested_by=data_staff, format="csv")

    assert export_job_run(job_id=job.pk) is True

    delivery = WebhookDelivery.objects.get()
    assert delivery.webhook_id == mine.pk
    assert delivery.payload["data"]["id"] == job.pk
    assert delivery.payload["data"]["status"] == "done"


def test_volunteers_may_not_register_webhooks(volunteer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        hook(volunteer, "https://example.org/hook")
    assert not Webhook.objects.exists()


# --- pages -------------------------------------------------------------------------------------

FORM = {"url": "https://example.org/hook", "events": ["supporter.created"], "description": "x"}


def test_anonymous_is_sent_to_sign_in_and_nothing_is_made(client, db):
    response = client.post(reverse("organizing:webhook_list"), FORM)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Webhook.objects.exists()


def test_volunteers_get_403_on_every_webhook_page(client, volunteer, organizer):
    webhook = hook(organizer, "https://example.org/hook")
    client.force_login(volunteer)
    assert client.get(reverse("organizing:webhook_list")).status_code == 403
    assert client.post(reverse("organizing:webhook_list"), FORM).status_code == 403
    assert client.get(reverse("organizing:webhook_detail", args=[webhook.pk])).status_code == 403
    for name in ("webhook_toggle", "webhook_delete"):
        assert client.post(reverse(f"organizing:{name}", args=[webhook.pk])).status_code == 403
    assert Webhook.objects.filter(is_active=True).count() == 1


@pytest.mark.parametrize("role", ["organizer", "data_staff", "admin"])
def test_organizers_and_above_register_a_webhook_and_see_its_secret(db, request, client, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    response = client.post(reverse("organizing:webhook_list"), FORM, follow=True)
    webhook = Webhook.objects.get()
    assert webhook.created_by == user and webhook.events == ["supporter.created"]
    assert webhook.secret in response.content.decode()


def test_bad_form_is_400_and_makes_nothing(client, organizer):
    client.force_login(organizer)
    response = client.post(
        reverse("organizing:webhook_list"), {"url": "not a url", "events": ["nope"]}
    )
    assert response.status_code == 400
    assert not Webhook.objects.exists()


def test_organizer_may_not_narrow_to_a_team_they_do_not_organize(client, organizer, westside):
    client.force_login(organizer)
    response = client.post(reverse("organizing:webhook_list"), {**FORM, "team": westside.pk})
    assert response.status_code == 400
    assert not Webhook.objects.exists()


def test_someone_elses_webhook_is_404_and_unchanged(client, organizer, other_organizer, eastside):
    webhook = hook(organizer, "https://example.org/hook")
    supporter_create(actor=organizer, team=eastside, given_name="Maria")
    delivery = WebhookDelivery.objects.get()
    client.force_login(other_organizer)

    assert client.get(reverse("organizing:webhook_detail", args=[webhook.pk])).status_code == 404
    for name in ("webhook_toggle", "webhook_delete"):
        assert client.post(reverse(f"organizing:{name}", args=[webhook.pk])).status_code == 404
    replay = reverse("organizing:webhook_delivery_replay", args=[webhook.pk, delivery.pk])
    assert client.post(replay).status_code == 404
    assert Webhook.objects.filter(pk=webhook.pk, is_active=True).exists()
    assert WebhookDelivery.objects.count() == 1
    assert (
        client.get(reverse("organizing:webhook_list")).content.decode().count("example.org/hook")
        == 0
    )


def test_owner_sees_the_delivery_log_replays_switches_off_and_deletes(
    client, organizer, eastside, receiver
):
    webhook = hook(organizer, receiver.url)
    receiver.statuses = [500]
    supporter_create(actor=organizer, team=eastside, given_name="Maria")
    deliver_all()
    delivery = WebhookDelivery.objects.get()
    client.force_login(organizer)

    page = client.get(reverse("organizing:webhook_detail", args=[webhook.pk])).content.decode()
    assert "HTTP 500" in page and "supporter.created" in page

    replay = reverse("organizing:webhook_delivery_replay", args=[webhook.pk, delivery.pk])
    assert client.post(replay).status_code == 302
    assert WebhookDelivery.objects.count() == 2

    client.post(reverse("organizing:webhook_toggle", args=[webhook.pk]))
    assert not Webhook.objects.get(pk=webhook.pk).is_active
    client.post(reverse("organizing:webhook_delete", args=[webhook.pk]))
    assert not Webhook.objects.exists()


def test_admins_see_everyones_webhooks(client, organizer, admin):
    webhook = hook(organizer, "https://example.org/hook")
    client.force_login(admin)
    assert client.get(reverse("organizing:webhook_detail", args=[webhook.pk])).status_code == 200


# --- a real worker -----------------------------------------------------------------------------


@pytest.fixture
def _short_webhook_timeouts(monkeypatch):
    monkeypatch.setenv("WEBHOOK_TIMEOUT_SECONDS", "1")
    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE_HOSTS", "true")


@pytest.mark.worker
def test_real_worker_a_dead_receiver_delays_nothing_else(
    _short_webhook_timeouts,
    worker,  # noqa: F811 (the fixture imported above)
    organizer,
    eastside,
    receiver,
    dead_receiver,
):
    from organizing.tasks import webhook_deliver_task

    queue, _, process = worker
    dead = hook(organizer, dead_receiver.url)
    alive = hook(organizer, receiver.url)
    supporter_create(actor=organizer, team=eastside, given_name="Maria")
    to_dead = WebhookDelivery.objects.get(webhook=dead)
    to_alive = WebhookDelivery.objects.get(webhook=alive)

    # The dead receiver's delivery goes first, on a single-process worker.
    webhook_deliver_task.apply_async(args=[to_dead.pk], queue=queue)
    webhook_deliver_task.apply_async(args=[to_alive.pk], queue=queue)

    def alive_delivered() -> bool:
        assert process.poll() is None, "the worker died"
        return WebhookDelivery.objects.filter(pk=to_alive.pk, status="delivered").exists()

    assert wait_for(alive_delivered), "the live receiver never got its delivery"
    assert len(receiver.received) == 1
    to_dead.refresh_from_db()
    # One attempt timed out and a retry waits in the database; the worker moved on.
    assert (to_dead.status, to_dead.attempts) == ("pending", 1)
    assert "Timeout" in to_dead.last_error
    assert to_dead.next_attempt_at > timezone.now()


# --- the JSON API --------------------------------------------------------------------------------

API = "/api/v1/webhooks/"
API_BODY = {"url": "https://example.org/hook", "events": ["supporter.created"]}


def test_api_registers_a_webhook_and_shows_its_secret(organizer):
    client = key_client(organizer, ["read", "write"])
    response = client.post(API, API_BODY, format="json")
    assert response.status_code == 201
    webhook = Webhook.objects.get()
    assert response.json()["secret"] == webhook.secret
    assert client.get(API).json()["results"][0]["id"] == webhook.pk


@pytest.mark.parametrize(
    "body, field",
    [
        ({**API_BODY, "url": "ftp://example.org/x"}, "url"),
        ({**API_BODY, "url": "not a url"}, "url"),
        ({**API_BODY, "events": []}, "events"),
        ({**API_BODY, "events": ["supporter.deleted"]}, "events"),
        ({**API_BODY, "secret": "mine"}, "secret"),
    ],
)
def test_api_bad_webhooks_are_400_and_make_nothing(organizer, body, field):
    response = key_client(organizer, ["read", "write"]).post(API, body, format="json")
    assert response.status_code == 400
    assert field in error_of(response)["fields"]
    assert not Webhook.objects.exists()


def test_api_team_must_be_one_the_caller_organizes(organizer, westside):
    client = key_client(organizer, ["read", "write"])
    response = client.post(API, {**API_BODY, "team": westside.pk}, format="json")
    assert response.status_code == 400 and "team" in error_of(response)["fields"]
    assert not Webhook.objects.exists()


def test_api_authorization_matrix(db, volunteer, organizer, other_organizer):
    webhook = hook(organizer, "https://example.org/hook")
    assert APIClient().get(API).status_code == 401
    volunteer_client = key_client(volunteer, ["read", "write"])
    assert volunteer_client.get(API).status_code == 403
    assert volunteer_client.post(API, API_BODY, format="json").status_code == 403
    other = key_client(other_organizer, ["read", "write"])
    assert other.get(f"{API}{webhook.pk}/").status_code == 404
    assert (
        other.patch(f"{API}{webhook.pk}/", {"is_active": False}, format="json").status_code == 404
    )
    assert other.delete(f"{API}{webhook.pk}/").status_code == 404
    read_only = key_client(organizer, ["read"])
    assert read_only.post(API, API_BODY, format="json").status_code == 403
    assert read_only.delete(f"{API}{webhook.pk}/").status_code == 403
    assert Webhook.objects.filter(pk=webhook.pk, is_active=True).count() == 1
    assert Webhook.objects.count() == 1


def test_api_log_replay_switch_off_and_delete(organizer, eastside, receiver):
    webhook = hook(organizer, receiver.url)
    receiver.statuses = [500]
    supporter_create(actor=organizer, team=eastside, given_name="Maria")
    deliver_all()
    delivery = WebhookDelivery.objects.get()
    client = key_client(organizer, ["read", "write"])

    log = client.get(f"{API}{webhook.pk}/deliveries/").json()["results"]
    assert [(row["status"], row["attempts"], row["last_status_code"]) for row in log] == [
        ("pending", 1, 500)
    ]
    replayed = client.post(f"{API}{webhook.pk}/replay/", {"delivery": delivery.pk}, format="json")
    assert replayed.status_code == 202
    assert replayed.json()["event_id"] == str(delivery.event_id)
    missing = client.post(f"{API}{webhook.pk}/replay/", {"delivery": 999999}, format="json")
    assert missing.status_code == 400

    assert (
        client.patch(f"{API}{webhook.pk}/", {"is_active": False}, format="json").json()["is_active"]
        is False
    )
    assert client.delete(f"{API}{webhook.pk}/").status_code == 204
    assert not Webhook.objects.exists()


def test_the_admin_never_shows_a_webhooks_secret(client, organizer):
    from tests.factories import UserFactory

    webhook = hook(organizer, "https://example.org/hook")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:organizing_webhook_change", args=[webhook.pk]))
    assert page.status_code == 200
    assert webhook.secret not in page.content.decode()


def test_the_sweep_enqueues_deliveries_overdue_by_a_minute_only(
    organizer, eastside, receiver, monkeypatch
):
    from organizing import tasks

    sent = []
    monkeypatch.setattr(tasks, "send_now", lambda task, *args: sent.extend(args))
    hook(organizer, receiver.url)
    supporter_create(actor=organizer, team=eastside, given_name="Maria")
    supporter_create(actor=organizer, team=eastside, given_name="Ana")
    _fresh, due = WebhookDelivery.objects.order_by("id")
    # The fresh one's own task is on its way; the other one's was due two minutes ago.
    WebhookDelivery.objects.filter(pk=due.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=2)
    )

    assert tasks.webhook_deliveries_sweep_task() == 1
    assert sent == [due.pk]


def test_webhook_payloads_carry_no_note_or_heard_text(request, admin, receiver):
    """Every event about Maria, told to an admin who may read everything: still no note,
    no heard, no suggestion in any payload (issue 10)."""
    from tests.conftest import SECRETS

    hook(admin, receiver.url, events=[event.value for event in Webhook.Event])
    case = request.getfixturevalue("maria_case")  # logs, notes, follow-ups, after the hook
    supporter_update(actor=admin, supporter=case.maria, support_level=1)
    payloads = list(WebhookDelivery.objects.values_list("payload", flat=True))
    events = {payload["event"] for payload in payloads}
    assert {"supporter.created", "conversation.created", "followup.created"} <= events
    assert "supporter.updated" in events
    text = json.dumps(payloads)
    assert [secret for secret in SECRETS if secret in text] == []


# --- private addresses at registration, and DNS rebinding ----------------------------------------

PRIVATE_URLS = [
    "http://127.0.0.1:9/hook",
    "http://[::1]/hook",
    "http://10.1.2.3/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://localhost/hook",
]


class StubResolver:
    """Stands in for DNS: answers each name from a script of answers, one per lookup."""

    def __init__(self, monkeypatch, answers: dict[str, list[str]]) -> None:
        import socket

        self.answers = {name: list(script) for name, script in answers.items()}
        self.asked: list[str] = []
        real = socket.getaddrinfo

        def getaddrinfo(host, port, *args, **kwargs):
            if host not in self.answers:
                return real(host, port, *args, **kwargs)
            self.asked.append(host)
            script = self.answers[host]
            address = script.pop(0) if len(script) > 1 else script[0]
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (address, port or 0))]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_private_urls_are_refused_at_registration(organizer, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    assert "private address" in webhook_url_refusal(url)
    with pytest.raises(ValueError, match="private address"):
        hook(organizer, url)
    assert not Webhook.objects.exists()


def test_a_name_that_resolves_to_a_private_address_is_refused_at_registration(
    organizer, settings, monkeypatch
):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    StubResolver(monkeypatch, {"inside.example.test": ["10.0.0.7"]})
    with pytest.raises(ValueError, match="private address"):
        hook(organizer, "https://inside.example.test/hook")


def test_private_urls_are_allowed_when_the_setting_says_so(organizer, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    assert webhook_url_refusal("http://127.0.0.1/hook") is None
    assert hook(organizer, "http://127.0.0.1/hook").pk


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_the_page_refuses_a_private_url_and_makes_nothing(client, organizer, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    client.force_login(organizer)
    response = client.post(
        reverse("organizing:webhook_list"), {"url": url, "events": ["supporter.created"]}
    )
    assert response.status_code == 400
    assert b"private address" in response.content
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_the_api_refuses_a_private_url_and_makes_nothing(organizer, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    response = key_client(organizer, ["read", "write"]).post(
        API, {**API_BODY, "url": url}, format="json"
    )
    assert response.status_code == 400
    assert "private address" in str(error_of(response)["fields"]["url"])
    assert not Webhook.objects.exists()


def test_delivery_connects_to_the_checked_address_not_a_rebound_one(
    organizer, eastside, receiver, settings, monkeypatch
):
    """DNS rebinding: the name is public when checked and loopback a moment later. The
    request goes to the address that was checked; the loopback receiver hears nothing."""
    import urllib3.util.connection

    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    port = receiver.url.split(":")[2].split("/")[0]
    url = f"http://rebind.example.test:{port}/hook"
    resolver = StubResolver(monkeypatch, {"rebind.example.test": ["8.8.8.8", "127.0.0.1"]})
    connected_to = []

    def create_connection(address, *args, **kwargs):
        connected_to.append(address)
        raise OSError("no route in the test")  # never leave the machine

    monkeypatch.setattr(urllib3.util.connection, "create_connection", create_connection)
    hook(organizer, url)  # registration: resolves to 8.8.8.8, accepted
    resolver.answers["rebind.example.test"] = ["8.8.8.8", "127.0.0.1"]
    resolver.asked.clear()
    supporter_create(actor=organizer, team=eastside, given_name="Maria")

    assert deliver_all() == [False]
    assert connected_to == [("8.8.8.8", int(port))]
    assert resolver.asked == ["rebind.example.test"]  # resolved once, by the check
    assert receiver.received == []


def test_a_pinned_delivery_keeps_the_hosts_name_in_the_host_header(
    organizer, eastside, receiver, monkeypatch
):
    """Pinned to the checked address, the request still names the host, as virtual hosts
    and TLS (SNI, certificate checks) need; a later lookup is never made."""
    port = receiver.url.split(":")[2].split("/")[0]
    path = receiver.url.split(port, 1)[1]
    resolver = StubResolver(monkeypatch, {"hooks.example.test": ["127.0.0.1", "10.9.9.9"]})
    hook(organizer, f"http://hooks.example.test:{port}{path}")
    resolver.answers["hooks.example.test"] = ["127.0.0.1", "10.9.9.9"]
    supporter_create(actor=organizer, team=eastside, given_name="Maria")

    assert deliver_all() == [True]
    (request,) = receiver.received
    assert request.headers["Host"] == f"hooks.example.test:{port}"

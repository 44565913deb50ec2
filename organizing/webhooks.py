"""Webhooks: who is told about which event, signing, delivery with retries, replay.

Services write ``WebhookDelivery`` rows inside the transaction of the change that caused
them (``webhook_emit``) and enqueue delivery after commit; the request never waits on a
receiver. The worker sends each delivery on its own with short timeouts, so a slow or dead
receiver only ever costs one timeout per attempt and never holds up anyone else's.

Signature, for receivers (also in the README)::

    Earshot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

Receivers should recompute the HMAC over the raw body, compare in constant time, and refuse
timestamps older than a few minutes. ``Earshot-Delivery`` carries the event's UUID (the
same on every retry and replay), to let receivers drop duplicates.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.adapters
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .dispatch import enqueue_on_commit
from .models import Team, User, Webhook, WebhookDelivery
from .roles import (
    team_ids_organized_by,
    user_is_admin,
    user_is_organization_wide,
    user_is_organizer_or_above,
)
from .services import audit_record

SIGNATURE_HEADER = "Earshot-Signature"
USER_AGENT = "Earshot-Webhooks/1"


# --- who may, what they see --------------------------------------------------------------------


def user_may_manage_webhooks(user: User) -> bool:
    """Organizers, data staff and admins register webhooks."""
    return user_is_organizer_or_above(user)


def webhook_team_choices(user: User) -> QuerySet[Team]:
    """Teams a webhook of ``user`` may be narrowed to."""
    if user_is_organization_wide(user):
        return Team.objects.all()
    return Team.objects.filter(pk__in=team_ids_organized_by(user))


def webhook_list(*, viewer: User) -> QuerySet[Webhook]:
    """Webhooks ``viewer`` may see and manage: their own (admins: everyone's)."""
    if not viewer.is_authenticated or not viewer.is_active:
        return Webhook.objects.none()
    webhooks = Webhook.objects.select_related("team", "created_by")
    if user_is_admin(viewer):
        return webhooks
    return webhooks.filter(created_by=viewer)


# --- writes ------------------------------------------------------------------------------------


def webhook_create(
    *,
    actor: User,
    url: str,
    events: list[str],
    team: Team | None = None,
    description: str = "",
) -> Webhook:
    """Register ``url`` for ``events``. Raises PermissionDenied for volunteers, ValueError
    for unknown events or a private address (``webhook_url_refusal``)."""
    if not user_may_manage_webhooks(actor):
        raise PermissionDenied(_("Only organizers, data staff and admins register webhooks."))
    if team is not None and not webhook_team_choices(actor).filter(pk=team.pk).exists():
        raise PermissionDenied(_("You may not watch that team."))
    unknown = set(events) - set(Webhook.Event.values)
    if unknown or not events:
        raise ValueError(f"Unknown events: {', '.join(sorted(unknown)) or '(none given)'}.")
    if (refusal := webhook_url_refusal(url.strip())) is not None:
        raise ValueError(refusal)
    with transaction.atomic():
        webhook = Webhook.objects.create(
            url=url.strip(),
            events=sorted(set(events)),
            team=team,
            description=description.strip(),
            created_by=actor,
        )
        audit_record(actor=actor, action="webhook.create", obj=webhook, events=webhook.events)
    return webhook


def webhook_set_active(*, actor: User, webhook: Webhook, is_active: bool) -> Webhook:
    with transaction.atomic():
        webhook.is_active = is_active
        webhook.save(update_fields=["is_active"])
        audit_record(actor=actor, action="webhook.update", obj=webhook, is_active=is_active)
    return webhook


def webhook_delete(*, actor: User, webhook: Webhook) -> None:
    with transaction.atomic():
        audit_record(actor=actor, action="webhook.delete", obj=webhook, url=webhook.url)
        webhook.delete()


def iso_or_none(value: datetime | None) -> str | None:
    """A datetime as payloads carry it (ISO 8601), or None."""
    return value.isoformat() if value is not None else None


# --- what the apps above tell us at app-ready time ---------------------------------------------
# The base app knows no supporter or conversation: each app registers, in its
# ``AppConfig.ready()``, how its rows read in a payload and who may hear about a person.

PayloadBuilder = Callable[[Any], dict[str, Any]]
PersonVisibility = Callable[[User, models.Model], bool]

_payload_builders: dict[type[models.Model], PayloadBuilder] = {}
_person_visibility: list[PersonVisibility] = []


def register_payload(model: type[models.Model], builder: PayloadBuilder) -> None:
    """Events about a ``model`` row carry ``builder(row)`` as their ``data``."""
    _payload_builders[model] = builder


def register_person_visibility(check: PersonVisibility) -> None:
    """``check(user, person)``: may ``user`` see ``person``? The supporters app registers
    its visibility rule; without one, no webhook hears about a person (fail closed)."""
    _person_visibility[:] = [check]


def webhook_payload_data(subject: models.Model) -> dict[str, Any]:
    """What an event says about the row it is about, as its app registered it (ids and plain
    fields, no notes); just the id for a model nobody registered."""
    builder = _payload_builders.get(type(subject))
    return builder(subject) if builder is not None else {"id": subject.pk}


def _person_visible_to(user: User, person: models.Model) -> bool:
    return bool(_person_visibility) and _person_visibility[0](user, person)


def webhook_emit(
    *,
    event: str,
    subject: models.Model,
    supporter=None,
    owner: User | None = None,
    **extra: Any,
) -> list[WebhookDelivery]:
    """Queue ``event`` about ``subject`` for every active webhook allowed to hear it.

    About a supporter (``supporter``): webhooks whose owner may see them
    (the visibility rule the supporters app registered) and, when a webhook names a team, of that team.
    Not about a supporter (an export): only webhooks owned by ``owner``. Call it inside the
    writing service's transaction; delivery is enqueued after commit. ``extra`` is added to
    the payload's ``data`` (e.g. which fields changed).
    """
    webhooks = Webhook.objects.filter(is_active=True, events__contains=[event]).select_related(
        "created_by"
    )
    if supporter is None:
        webhooks = webhooks.filter(created_by=owner) if owner is not None else webhooks.none()
    else:
        webhooks = webhooks.filter(Q(team__isnull=True) | Q(team_id=supporter.team_id))
    webhooks = list(webhooks)
    if not webhooks:
        return []
    data = {**webhook_payload_data(subject), **extra}
    deliveries = []
    for webhook in webhooks:
        owner_sees = supporter is None or _person_visible_to(webhook.created_by, supporter)
        if not owner_sees:
            continue
        delivery = WebhookDelivery(webhook=webhook, event=event, payload={})
        delivery.payload = {
            "id": str(delivery.event_id),
            "event": event,
            "created_at": timezone.now().isoformat(),
            "data": data,
        }
        delivery.save()
        deliveries.append(delivery)
    from .tasks import webhook_deliver_task

    for delivery in deliveries:
        # After commit, never failing the write; the sweep delivers it if Redis is down.
        enqueue_on_commit(webhook_deliver_task, delivery.pk)
    return deliveries


def webhook_delivery_replay(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again as a new log entry (same event id and payload, fresh signature)."""
    from .tasks import webhook_deliver_task

    with transaction.atomic():
        again = WebhookDelivery.objects.create(
            webhook=delivery.webhook,
            event=delivery.event,
            event_id=delivery.event_id,
            payload=delivery.payload,
        )
        audit_record(actor=actor, action="webhook.replay", obj=delivery.webhook, delivery=again.pk)
    enqueue_on_commit(webhook_deliver_task, again.pk)
    return again


# --- delivery ----------------------------------------------------------------------------------


def webhook_sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The ``Earshot-Signature`` header value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def webhook_signature_is_valid(*, secret: str, header: str, body: bytes) -> bool:
    """For receivers written in Python (and the tests): does ``header`` sign ``body``?"""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    expected = webhook_sign(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected, header)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after ``attempts`` failures: base, twice that, four times … at most 6 hours."""
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, 6 * 3600))


def _claim(delivery_id: int) -> WebhookDelivery | None:
    """Take a due delivery for one attempt, or None when it is not due (or done)."""
    now = timezone.now()
    # Long enough for one attempt with its timeouts; if the worker dies mid-send, the sweep
    # sees it due again afterwards.
    lease = timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 2 + 30)
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("webhook")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + lease
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery


def webhook_deliver(*, delivery_id: int) -> bool:
    """Make one attempt at a due delivery. Safe to run twice: a claimed, delivered or
    not-yet-due delivery is left alone. Returns True when the receiver took it (2xx)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return False
    webhook = delivery.webhook
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Earshot-Event": delivery.event,
        "Earshot-Delivery": str(delivery.event_id),
        SIGNATURE_HEADER: webhook_sign(
            secret=webhook.secret, timestamp=int(time.time()), body=body
        ),
    }
    status_code, error, final = None, "", False
    if not webhook.is_active:
        error, final = "The webhook was switched off.", True
    elif (checked := _checked_address(webhook.url))[0] is None:
        error, final = checked[1], True
    else:
        try:
            # Streamed, so a receiver answering with a huge body costs us 1 KB, not memory.
            with (
                _pinned_session(checked[0]) as session,
                session.post(
                    webhook.url,
                    data=body,
                    headers=headers,
                    timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
                    allow_redirects=False,
                    stream=True,
                ) as response,
            ):
                status_code = response.status_code
                if not 200 <= status_code < 300:
                    answer = response.raw.read(1024, decode_content=True) or b""
                    error = f"HTTP {status_code}: {answer.decode(errors='replace')[:200]}"
        except (requests.RequestException, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
    now = timezone.now()
    fields = {"last_status_code": status_code, "last_error": error[:300]}
    if not error:
        fields.update(status=WebhookDelivery.Status.DELIVERED, delivered_at=now)
        fields["next_attempt_at"] = None
    elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS or final:
        fields.update(status=WebhookDelivery.Status.FAILED, next_attempt_at=None)
    else:
        fields["next_attempt_at"] = now + retry_delay(delivery.attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    return not error


def _resolve(host: str) -> list[str]:
    """The addresses ``host`` resolves to, in the resolver's order (an IP literal: itself)."""
    return list(dict.fromkeys(info[4][0] for info in socket.getaddrinfo(host, None)))


def _private_refusal(host: str, addresses: list[str]) -> str | None:
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global or ip.is_multicast:
            return f"Refused: {host} is a private address ({ip}); see WEBHOOK_ALLOW_PRIVATE_HOSTS."
    return None


def webhook_url_refusal(url: str) -> str | None:
    """At registration: why ``url`` may not be registered (a private address), or None.

    Unless WEBHOOK_ALLOW_PRIVATE_HOSTS, a host that resolves to a loopback, private,
    link-local or reserved address is refused. A name that does not resolve today is
    accepted (DNS may be down); delivery checks again, on every attempt.
    """
    if settings.WEBHOOK_ALLOW_PRIVATE_HOSTS:
        return None
    host = urlsplit(url).hostname or ""
    if not host:
        return "The URL has no host."
    try:
        addresses = _resolve(host)
    except (socket.gaierror, UnicodeError, ValueError):
        return None
    return _private_refusal(host, addresses)


def _checked_address(url: str) -> tuple[str | None, str | None]:
    """At delivery: ``(address to connect to, None)`` or ``(None, why not)``.

    The name is resolved once, here; the request is then pinned to the address that was
    checked (``_PinnedAdapter``), so a DNS answer that changes between the check and the
    connection (rebinding) cannot send it to a private network.
    """
    host = urlsplit(url).hostname or ""
    if not host:
        return None, "The URL has no host."
    try:
        addresses = _resolve(host)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        return None, f"Cannot resolve {host}: {exc}"[:300]
    if not addresses:
        return None, f"Cannot resolve {host}."
    if not settings.WEBHOOK_ALLOW_PRIVATE_HOSTS:
        refusal = _private_refusal(host, addresses)
        if refusal is not None:
            return None, refusal
    return addresses[0], None


class _PinnedAdapter(requests.adapters.HTTPAdapter):
    """Connects to one given IP address whatever the URL's host resolves to by then.

    Only the socket's destination changes: the pool is still keyed by the URL's host, so
    the Host header, TLS SNI and certificate verification all use the original name.
    """

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        address = self.address

        def pinned(connection_class):
            class Pinned(connection_class):
                def _new_conn(self):
                    # urllib3 resolves and connects to _dns_host; the name stays in .host.
                    self._dns_host = address
                    return super()._new_conn()

            return Pinned

        pools = {}
        for scheme, pool_class in self.poolmanager.pool_classes_by_scheme.items():
            pools[scheme] = type(
                f"Pinned{pool_class.__name__}",
                (pool_class,),
                {"ConnectionCls": pinned(pool_class.ConnectionCls)},
            )
        self.poolmanager.pool_classes_by_scheme = pools


def _pinned_session(address: str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: it would resolve the name itself
    adapter = _PinnedAdapter(address)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def webhook_deliveries_due(
    *, now: datetime | None = None, grace: timedelta = timedelta(0), batch: int = 200
) -> list[int]:
    """Pending deliveries whose next attempt was due ``grace`` ago or more (retries, and any
    whose task was lost). The sweep leaves a minute's grace, so it does not enqueue again a
    fresh delivery whose own task is about to run."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now - grace
        )
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:batch]
    )

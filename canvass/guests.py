"""Day volunteers: one packet handed out as a short-lived link with a PIN (and its QR code).

Whoever opens the link and gives the PIN is signed in as the named guest — a user with no
team and no password, whose only people are that packet's, through the packet's check-out.
Revoking the link, or its time passing, ends the check-out and so everything it opened.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import uuid
from datetime import datetime

import segno
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from organizing.models import User
from organizing.roles import Actor, as_user

from .models import GuestLink, Packet
from .services import _may_organize_team, checkout_return, packet_checkout

MAX_FAILED_PINS = 5
GUEST_EMAIL_DOMAIN = "guests.earshot.invalid"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_is_guest(user) -> bool:
    """A day volunteer's account (made by ``guest_link_create``)."""
    return bool(getattr(user, "email", "").endswith("@" + GUEST_EMAIL_DOMAIN))


def guest_link_create(
    *, actor: Actor, packet: Packet, guest_name: str, until: datetime
) -> tuple[GuestLink, str, str]:
    """Hand ``packet`` to a day volunteer named ``guest_name`` until ``until``. Returns the
    link and, once only, its token and six-digit PIN (neither is stored in the clear).

    The rule: the list's team organizers (``packet_checkout`` checks it, and exclusivity)."""
    _may_organize_team(actor, packet.walk_list.team_id)
    guest_name = (guest_name or "").strip()
    if not guest_name:
        raise ValidationError(
            {"guest_name": _("Name the day volunteer, so their results say who.")}
        )
    with transaction.atomic():
        guest = User.objects.create_user(
            email=f"guest-{uuid.uuid4().hex[:16]}@{GUEST_EMAIL_DOMAIN}",
            password=None,
            full_name=guest_name[:150],
        )
        checkout = packet_checkout(
            actor=actor, packet=packet, volunteer=guest, until=until, guest=True
        )
        token = secrets.token_urlsafe(24)
        pin = f"{secrets.randbelow(1_000_000):06d}"
        link = GuestLink.objects.create(
            packet=packet,
            guest=guest,
            guest_name=guest_name[:120],
            checkout=checkout,
            token_hash=_token_hash(token),
            pin_hash=make_password(pin),
            until=until,
            created_by=as_user(actor),
        )
    return link, token, pin


def guest_link_find(token: str) -> GuestLink | None:
    """The usable link for ``token`` (not revoked, not expired, not locked), or None."""
    link = (
        GuestLink.objects.select_related("guest", "packet__walk_list", "checkout")
        .filter(token_hash=_token_hash(token or ""))
        .first()
    )
    if link is None or not link.is_usable or link.failed_pins >= MAX_FAILED_PINS:
        return None
    return link


def guest_link_open(*, token: str, pin: str) -> GuestLink:
    """Check the PIN for a link; five wrong PINs lock the link. Raises PermissionDenied."""
    link = guest_link_find(token)
    if link is None:
        raise PermissionDenied(_("This link has ended or been revoked. Ask your organizer."))
    if not check_password((pin or "").strip(), link.pin_hash):
        GuestLink.objects.filter(pk=link.pk).update(failed_pins=F("failed_pins") + 1)
        raise ValidationError({"pin": _("That PIN is not right.")})
    return link


def guest_link_revoke(*, actor: Actor, link: GuestLink) -> GuestLink:
    """End a link at once: its check-out is returned, so the guest sees no one from now on.
    The rule: the list's team organizers."""
    _may_organize_team(actor, link.packet.walk_list.team_id)
    with transaction.atomic():
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.save(update_fields=["revoked_at"])
        checkout_return(actor=actor, checkout=link.checkout)
    return link


def guest_link_qr_svg(url: str) -> str:
    """The link as a QR code, an SVG drawing (no script, no inline style)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=5, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()

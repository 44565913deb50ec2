"""Canvassing: walk lists cut into packets, checked out to volunteers, worked door by door."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WalkList(models.Model):
    """The doors an organizer will send canvassers to, in walking order.

    Cut once from a saved segment or the Supporters filters (``filter`` keeps the filter as
    it was); the doors and the people at each are stored, so the list does not shift under a
    volunteer while they walk it.
    """

    name = models.CharField(max_length=120)
    team = models.ForeignKey("organizing.Team", on_delete=models.PROTECT, related_name="+")
    segment = models.ForeignKey(
        "supporters.Segment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filter = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    door_count = models.PositiveIntegerField(default=0)
    left_out = models.JSONField(
        default=dict, blank=True, help_text="Why doors or people were left out, with counts."
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Packet(models.Model):
    """A share of a walk list one volunteer (or pair) walks. ``outline`` is the polygon it was
    drawn as on the map ([[lat, lon], …]), empty when it was cut by count."""

    walk_list = models.ForeignKey(WalkList, on_delete=models.CASCADE, related_name="packets")
    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)
    outline = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["walk_list", "position", "id"]

    def __str__(self) -> str:
        return self.name


class Door(models.Model):
    """One household on a walk list, at its place in walking order (``position``)."""

    walk_list = models.ForeignKey(WalkList, on_delete=models.CASCADE, related_name="doors")
    household = models.ForeignKey(
        "supporters.Household", on_delete=models.CASCADE, related_name="+"
    )
    packet = models.ForeignKey(
        Packet, on_delete=models.SET_NULL, null=True, blank=True, related_name="doors"
    )
    position = models.PositiveIntegerField()
    people = models.ManyToManyField("supporters.Supporter", related_name="+", through="DoorPerson")

    class Meta:
        ordering = ["walk_list", "position"]
        constraints = [
            models.UniqueConstraint(fields=["walk_list", "household"], name="door_once_per_list"),
        ]
        indexes = [
            # Serves a packet's doors in walking order.
            models.Index(fields=["packet", "position"], name="door_packet_position_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.position + 1}. {self.household}"


class DoorPerson(models.Model):
    """Someone the walk list was cut for, at this door (others may live there too)."""

    door = models.ForeignKey(Door, on_delete=models.CASCADE, related_name="door_people")
    supporter = models.ForeignKey(
        "supporters.Supporter", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["door", "supporter"], name="doorperson_once"),
        ]
        indexes = [models.Index(fields=["supporter"], name="doorperson_supporter_idx")]

    def __str__(self) -> str:
        return f"{self.supporter_id} at door {self.door_id}"


class CheckoutQuerySet(models.QuerySet):
    def current(self) -> CheckoutQuerySet:
        """Check-outs in force now: not returned, ``until`` still ahead (in SQL)."""
        return self.filter(returned_at__isnull=True, until__gt=models.functions.Now())


class Checkout(models.Model):
    """A packet given to a volunteer (and maybe a partner) until ``until``.

    While it is in force nobody else gets the packet, and the volunteers see its people
    through the visibility rule (``canvass.selectors.checkout_visibility_grant``); returning
    it, or ``until`` passing, ends both at once. A day volunteer's check-out names their
    guest account (``guest_link``).
    """

    packet = models.ForeignKey(Packet, on_delete=models.CASCADE, related_name="checkouts")
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    partner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    until = models.DateTimeField()
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    checked_out_at = models.DateTimeField(default=timezone.now)
    returned_at = models.DateTimeField(null=True, blank=True)

    objects = CheckoutQuerySet.as_manager()

    class Meta:
        ordering = ["-checked_out_at", "-id"]
        constraints = [
            # One open check-out per packet; an expired one is closed (returned_at = until)
            # by the next check-out of the packet, under the packet's row lock.
            models.UniqueConstraint(
                fields=["packet"], condition=Q(returned_at__isnull=True), name="checkout_one_open"
            ),
            models.CheckConstraint(
                condition=~Q(partner=models.F("volunteer")), name="checkout_partner_not_self"
            ),
        ]
        indexes = [
            # Serve the visibility grant: "packets checked out to me, still in force".
            models.Index(
                fields=["volunteer", "until"],
                condition=Q(returned_at__isnull=True),
                name="checkout_volunteer_open_idx",
            ),
            models.Index(
                fields=["partner", "until"],
                condition=Q(returned_at__isnull=True, partner__isnull=False),
                name="checkout_partner_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.packet} → {self.volunteer}"

    @property
    def is_current(self) -> bool:
        return self.returned_at is None and self.until > timezone.now()


class DoorResult(models.Model):
    """What happened at a door: the whole door at once (not home, moved, refused,
    inaccessible, no soliciting) or a contact (a conversation logged with someone there).

    Each door-wide result also stores an ordinary conversation per person at the door, so
    follow-up rules, the listener and webhooks apply; ``client_uuid`` (made on the phone)
    makes a retry store nothing twice.
    """

    class Result(models.TextChoices):
        NOT_HOME = "not_home", _("Not home")
        MOVED = "moved", _("Moved")
        REFUSED = "refused", _("Refused")
        INACCESSIBLE = "inaccessible", _("Couldn't reach the door")
        NO_SOLICITING = "no_soliciting", _("No soliciting")
        CONTACT = "contact", _("Talked with someone")
        NEW_PERSON = "new_person", _("Someone new lives here")

    door = models.ForeignKey(Door, on_delete=models.CASCADE, related_name="results")
    packet = models.ForeignKey(Packet, on_delete=models.SET_NULL, null=True, related_name="results")
    result = models.CharField(max_length=20, choices=Result.choices)
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    supporter = models.ForeignKey(
        "supporters.Supporter", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    client_uuid = models.UUIDField(unique=True)
    at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["door", "-at"], name="doorresult_door_idx"),
            # Serves progress by volunteer and day, and the "seconds apart" check.
            models.Index(fields=["packet", "volunteer", "at"], name="doorresult_progress_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.door}: {self.get_result_display()}"


class GuestLink(models.Model):
    """A day volunteer's way into one packet: a short-lived link and a PIN, revocable.

    The token is stored only as its SHA-256; the PIN as a password hash. Opening the link
    with the PIN signs the browser in as the named guest (``guest``, a user with no team and
    no password), whose check-out of the packet ends with the link.
    """

    packet = models.ForeignKey(Packet, on_delete=models.CASCADE, related_name="guest_links")
    guest = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    guest_name = models.CharField(max_length=120)
    checkout = models.OneToOneField(Checkout, on_delete=models.CASCADE, related_name="guest_link")
    token_hash = models.CharField(max_length=64, unique=True)
    pin_hash = models.CharField(max_length=128)
    until = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    failed_pins = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.guest_name} · {self.packet}"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.until > timezone.now()

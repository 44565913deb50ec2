"""Reads of walk lists and packets for a viewer, and the visibility a check-out grants."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404

from conversations import field_checks
from conversations.models import Note
from organizing.models import User
from organizing.roles import (
    as_user,
    team_ids_organized_by,
    user_is_organization_wide,
    user_organizes,
)
from supporters.models import DO_NOT_LABELS, DoNotContact, Household
from supporters.selectors import supporter_list

from .models import Checkout, Door, DoorPerson, DoorResult, GuestLink, Packet, WalkList

# What to check by hand: one rule for walk and call lists (conversations.field_checks).
SECONDS_APART = field_checks.SECONDS_APART["door"]


def checkout_visibility_grant(viewer: User) -> QuerySet:
    """Part of THE visibility rule (registered into ``supporters.selectors.supporter_list``):
    the people at the doors of packets checked out to ``viewer`` (as volunteer or partner),
    while the check-out is in force — ``returned_at IS NULL AND until > now()``, in SQL, so
    it ends by itself at ``until`` and at once on return."""
    packets = (
        Checkout.objects.current()
        .filter(Q(volunteer=viewer) | Q(partner=viewer))
        .values("packet_id")
    )
    return DoorPerson.objects.filter(door__packet_id__in=packets).values("supporter_id")


def walk_list_list(*, viewer: User) -> QuerySet[WalkList]:
    """Walk lists the viewer may see: those of the teams they organize (everyone's for data
    staff and admins), and those with a packet checked out to them now."""
    if not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return WalkList.objects.none()
    lists = WalkList.objects.select_related("team", "created_by")
    if user_is_organization_wide(viewer):
        return lists
    mine = Checkout.objects.current().filter(Q(volunteer=viewer) | Q(partner=viewer))
    return lists.filter(
        Q(team_id__in=team_ids_organized_by(viewer)) | Q(pk__in=mine.values("packet__walk_list_id"))
    )


def walk_list_may_organize(*, viewer: User, walk_list: WalkList) -> bool:
    """Cut, split, check out, take back: the list's team organizers, data staff, admins."""
    return user_organizes(viewer, walk_list.team_id)


def walk_list_get(*, viewer: User, pk: int) -> WalkList:
    """One walk list the viewer may see (see ``walk_list_list``); otherwise a 404."""
    walk_list = walk_list_list(viewer=viewer).filter(pk=pk).first()
    if walk_list is None:
        raise Http404("No such walk list.")
    return walk_list


def packet_list(*, viewer: User) -> QuerySet[Packet]:
    """Packets the viewer may see: every packet of the lists they organize; otherwise the
    packets checked out to them now."""
    packets = Packet.objects.select_related("walk_list__team")
    if not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return packets.none()
    if user_is_organization_wide(viewer):
        return packets
    mine = Checkout.objects.current().filter(Q(volunteer=viewer) | Q(partner=viewer))
    return packets.filter(
        Q(walk_list__team_id__in=team_ids_organized_by(viewer)) | Q(pk__in=mine.values("packet_id"))
    )


def packet_get(*, viewer: User, pk: int) -> Packet:
    packet = packet_list(viewer=viewer).filter(pk=pk).first()
    if packet is None:
        raise Http404("No such packet.")
    return packet


def packets_checked_out_to(viewer: User) -> list[Checkout]:
    """The viewer's packets now, soonest due back first."""
    user = as_user(viewer)
    if user is None:
        return []
    return list(
        Checkout.objects.current()
        .filter(Q(volunteer=user) | Q(partner=user))
        .select_related("packet__walk_list")
        .order_by("until")
    )


@dataclass
class DoorPersonView:
    pk: int
    name: str
    warnings: list[str]
    remember: list[str]


@dataclass
class DoorView:
    pk: int
    number: int  # 1-based, in the packet's walking order
    address: str
    unit: str
    latitude: float | None
    longitude: float | None
    precision: str
    no_soliciting: bool
    people: list[DoorPersonView] = field(default_factory=list)
    result: str = ""
    result_label: str = ""

    @property
    def is_done(self) -> bool:
        return bool(self.result)

    @property
    def zip_only(self) -> bool:
        return self.precision == Household.Precision.ZIP


def packet_doors(*, viewer: User, packet: Packet) -> list[DoorView]:
    """The packet's doors in walking order with the people at each whom ``viewer`` may see
    (the visibility rule), their do-not-contact warnings and things to remember (never
    sensitive notes), and the door's latest result. Five queries, whatever the size."""
    doors = list(
        Door.objects.filter(packet=packet).select_related("household").order_by("position")
    )
    door_ids = [door.pk for door in doors]
    visible = supporter_list(viewer=viewer)
    people: dict[int, list] = defaultdict(list)
    person_ids = set()
    for row in (
        DoorPerson.objects.filter(door_id__in=door_ids, supporter__in=visible)
        .select_related("supporter")
        .order_by("supporter__given_name", "supporter__family_name", "supporter_id")
    ):
        people[row.door_id].append(row.supporter)
        person_ids.add(row.supporter_id)
    warnings: dict[int, list[str]] = defaultdict(list)
    for supporter_id, channel in DoNotContact.objects.filter(
        supporter_id__in=person_ids
    ).values_list("supporter_id", "channel"):
        warnings[supporter_id].append(str(DO_NOT_LABELS.get(channel, channel)))
    remember: dict[int, list[str]] = defaultdict(list)
    for supporter_id, body in (
        Note.objects.filter(supporter_id__in=person_ids, kind=Note.Kind.REMEMBER)
        .order_by("-created_at", "-id")
        .values_list("supporter_id", "body")
    ):
        if len(remember[supporter_id]) < 3:
            remember[supporter_id].append(body)
    latest: dict[int, str] = {}
    for door_id, result in (
        DoorResult.objects.filter(door_id__in=door_ids)
        .order_by("door_id", "-at", "-id")
        .distinct("door_id")
        .values_list("door_id", "result")
    ):
        latest[door_id] = result
    labels = dict(DoorResult.Result.choices)
    views = []
    for number, door in enumerate(doors, start=1):
        household = door.household
        views.append(
            DoorView(
                pk=door.pk,
                number=number,
                address=household.line1,
                unit=household.unit,
                latitude=household.latitude,
                longitude=household.longitude,
                precision=household.geocode_precision,
                no_soliciting=household.no_soliciting,
                people=[
                    DoorPersonView(
                        pk=person.pk,
                        name=person.display_name,
                        warnings=warnings.get(person.pk, []),
                        remember=remember.get(person.pk, []),
                    )
                    for person in people.get(door.pk, [])
                ],
                result=latest.get(door.pk, ""),
                result_label=str(labels.get(latest.get(door.pk, ""), "")),
            )
        )
    return views


@dataclass
class Progress:
    doors: int
    knocked: int
    contacts: int
    by_volunteer: list[dict]
    by_day: list[dict]
    flags: list[str]

    @property
    def contact_rate(self) -> float:
        return self.contacts / self.knocked if self.knocked else 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.knocked / self.doors) if self.doors else 0


def progress(*, doors: QuerySet[Door]) -> Progress:
    """Doors knocked (any result), contacts (a conversation with someone there), the contact
    rate, by volunteer and by day, and what to check by hand: a contact rate near 100%, and
    results logged seconds apart at different doors."""
    from django.utils.translation import gettext as _

    total = doors.count()
    results = DoorResult.objects.filter(door__in=doors)
    knocked = results.values("door_id").distinct().count()
    contacts = results.filter(result=DoorResult.Result.CONTACT).values("door_id").distinct().count()
    by_volunteer = list(
        results.values("volunteer_id", "volunteer__full_name", "volunteer__email")
        .annotate(
            knocked=Count("door_id", distinct=True),
            contacts=Count("door_id", distinct=True, filter=Q(result=DoorResult.Result.CONTACT)),
        )
        .order_by("volunteer__full_name", "volunteer_id")
    )
    by_day = list(
        results.annotate(day=TruncDate("at"))
        .values("day")
        .annotate(
            knocked=Count("door_id", distinct=True),
            contacts=Count("door_id", distinct=True, filter=Q(result=DoorResult.Result.CONTACT)),
        )
        .order_by("day")
    )
    flags = []
    for row in by_volunteer:
        name = row["volunteer__full_name"] or row["volunteer__email"] or _("someone")
        if field_checks.contact_rate_suspicious(row["knocked"], row["contacts"]):
            flags.append(
                _("%(name)s: contact rate %(rate)d%% over %(doors)d doors — worth a look.")
                % {
                    "name": name,
                    "rate": round(100 * row["contacts"] / row["knocked"]),
                    "doors": row["knocked"],
                }
            )
    fast: dict[int, int] = defaultdict(int)
    previous: dict[int, tuple] = {}
    for volunteer_id, door_id, at in results.order_by("volunteer_id", "at", "id").values_list(
        "volunteer_id", "door_id", "at"
    ):
        last = previous.get(volunteer_id)
        if last and last[0] != door_id and at - last[1] < timedelta(seconds=SECONDS_APART):
            fast[volunteer_id] += 1
        previous[volunteer_id] = (door_id, at)
    names = {
        row["volunteer_id"]: row["volunteer__full_name"] or row["volunteer__email"]
        for row in by_volunteer
    }
    for volunteer_id, count in fast.items():
        flags.append(
            _(
                "%(name)s: %(count)d doors logged less than %(seconds)d seconds after the one before."
            )
            % {
                "name": names.get(volunteer_id) or _("someone"),
                "count": count,
                "seconds": SECONDS_APART,
            }
        )
    for row in by_volunteer:
        row["contact_rate"] = row["contacts"] / row["knocked"] if row["knocked"] else 0.0
    for row in by_day:
        row["contact_rate"] = row["contacts"] / row["knocked"] if row["knocked"] else 0.0
    return Progress(
        doors=total,
        knocked=knocked,
        contacts=contacts,
        by_volunteer=by_volunteer,
        by_day=by_day,
        flags=flags,
    )


def walk_list_progress(walk_list: WalkList) -> Progress:
    return progress(doors=Door.objects.filter(walk_list=walk_list))


def packet_progress(packet: Packet) -> Progress:
    return progress(doors=Door.objects.filter(packet=packet))


@dataclass
class PacketRow:
    packet: Packet
    doors: int
    done: int
    checkout: Checkout | None
    guest_link: GuestLink | None
    checkout_form: object = None  # the page's forms for this packet
    guest_form: object = None


def walk_list_packets(walk_list: WalkList) -> list[PacketRow]:
    """The list's packets with door counts, doors done, and who has each now (two queries
    and one per current check-out's guest link at most)."""
    packets = list(
        walk_list.packets.annotate(
            door_total=Count("doors", distinct=True),
            done=Count("doors", filter=Q(doors__results__isnull=False), distinct=True),
        ).order_by("position", "id")
    )
    current = {
        checkout.packet_id: checkout
        for checkout in Checkout.objects.current()
        .filter(packet__walk_list=walk_list)
        .select_related("volunteer", "partner")
    }
    links = {
        link.checkout_id: link
        for link in GuestLink.objects.filter(checkout__in=list(current.values()))
    }
    return [
        PacketRow(
            packet=packet,
            doors=packet.door_total,
            done=packet.done,
            checkout=current.get(packet.pk),
            guest_link=links.get(current[packet.pk].pk) if packet.pk in current else None,
        )
        for packet in packets
    ]

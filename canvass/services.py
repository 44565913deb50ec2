"""Writes for canvassing: cut a walk list, split it into packets, check packets out, and
record what happened at each door. Each service checks its actor itself."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations.models import Conversation
from conversations.services import conversation_log
from organizing.models import Membership, Team, User
from organizing.roles import Actor, as_user, is_system, user_organizes
from supporters.households import household_move, household_set_no_soliciting
from supporters.models import Channel, DoNotContact, Household, Segment, Supporter
from supporters.segments import segment_compile
from supporters.selectors import supporter_access, supporter_list
from supporters.services import supporter_create

from .models import Checkout, Door, DoorPerson, DoorResult, Packet, WalkList
from .ordering import DoorPlace, point_in_polygon, walking_order

MAX_CHECKOUT = timedelta(days=31)
DOOR_OUTCOMES = {
    DoorResult.Result.NOT_HOME: Conversation.Outcome.NOT_HOME,
    DoorResult.Result.MOVED: Conversation.Outcome.MOVED,
    DoorResult.Result.REFUSED: Conversation.Outcome.REFUSED,
    DoorResult.Result.INACCESSIBLE: Conversation.Outcome.INACCESSIBLE,
}


def _may_organize_team(actor: Actor, team_id: int) -> None:
    if not (is_system(actor) or user_organizes(actor, team_id)):
        raise PermissionDenied(
            _("Only this team's organizers cut walk lists and hand out packets.")
        )


# --- cutting ---------------------------------------------------------------------------------


def walk_list_people(
    *, actor: Actor, team: Team, people: QuerySet[Supporter]
) -> tuple[QuerySet[Supporter], dict[str, int]]:
    """Of ``people`` (already narrowed to what ``actor`` sees), those a walk list visits:
    with a household, not asked us not to visit, not behind a "no soliciting" door. Returns
    them and how many were left out, and why."""
    people = people.filter(team=team)
    do_not_visit = Exists(
        DoNotContact.objects.filter(supporter=OuterRef("pk"), channel=Channel.VISIT)
    )
    left_out = {
        "do_not_visit": people.filter(do_not_visit).count(),
        "no_soliciting": people.filter(household__no_soliciting=True).exclude(do_not_visit).count(),
        "no_address": people.filter(household__isnull=True).exclude(do_not_visit).count(),
    }
    visited = people.filter(household__isnull=False, household__no_soliciting=False).exclude(
        do_not_visit
    )
    return visited, left_out


def walk_list_cut(
    *,
    actor: Actor,
    name: str,
    team: Team,
    segment: Segment | None = None,
    filter_json: dict | None = None,
    people: QuerySet[Supporter] | None = None,
    at: datetime | None = None,
) -> WalkList:
    """Make a walk list of ``team``'s households with at least one person in the segment
    (or ``filter_json`` in the segment language, or ``people``, the Supporters page's
    filters), leaving out do-not-visit people and "no soliciting" doors, in walking order
    (``canvass.ordering``).

    The rule: organizers of ``team`` (and data staff, admins). Everyone on it is someone the
    actor may see. Bad filters raise ValidationError on ``filter``.
    """
    _may_organize_team(actor, team.pk)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the walk list a name.")})
    chosen = supporter_list(viewer=actor, teams=[team.pk])
    if segment is not None:
        filter_json = segment.filter
    if filter_json:
        try:
            chosen = chosen.filter(segment_compile(filter_json))
        except ValueError as error:
            raise ValidationError({"filter": str(error)}) from None
    if people is not None:
        chosen = chosen.filter(pk__in=people.values("pk"))
    visited, left_out = walk_list_people(actor=actor, team=team, people=chosen)
    household_ids = list(visited.order_by().values_list("household_id", flat=True).distinct())
    places = [
        DoorPlace(
            key=row[0],
            street=row[1],
            house_number=row[2],
            house_suffix=row[3],
            unit=row[4],
            zip5=row[5],
            latitude=row[6],
            longitude=row[7],
            precise=row[8] != Household.Precision.ZIP,
        )
        for row in Household.objects.filter(pk__in=household_ids).values_list(
            "pk",
            "street",
            "house_number",
            "house_suffix",
            "unit",
            "zip5",
            "latitude",
            "longitude",
            "geocode_precision",
        )
    ]
    ordered = walking_order(places)
    with transaction.atomic():
        walk_list = WalkList.objects.create(
            name=name[:120],
            team=team,
            segment=segment,
            filter=filter_json or {},
            created_by=as_user(actor),
            created_at=at or timezone.now(),
            door_count=len(ordered),
            left_out=left_out,
        )
        # Two statements whatever the size: the doors from arrays (walking order is the
        # array's), the people at them joined in SQL from the same chosen people.
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO canvass_door (walk_list_id, household_id, position)"
                " SELECT %s, t.household, t.n - 1 FROM unnest(%s::bigint[]) WITH ORDINALITY"
                " AS t(household, n)",
                [walk_list.pk, [place.key for place in ordered]],
            )
            people_sql, people_params = (
                visited.order_by().values("pk", "household_id").query.sql_with_params()
            )
            cursor.execute(
                # The ORM's own SQL for the chosen people, its values bound: no injection.
                "INSERT INTO canvass_doorperson (door_id, supporter_id)"  # noqa: S608
                f" SELECT d.id, v.id FROM ({people_sql}) AS v(id, household_id)"
                " JOIN canvass_door d ON d.household_id = v.household_id AND d.walk_list_id = %s",
                [*people_params, walk_list.pk],
            )
    return walk_list


def walk_list_delete(*, actor: Actor, walk_list: WalkList) -> None:
    """Remove a walk list with no packet out. The rule: its team's organizers."""
    _may_organize_team(actor, walk_list.team_id)
    if Checkout.objects.current().filter(packet__walk_list=walk_list).exists():
        raise ValidationError(_("A packet of this list is checked out; take it back first."))
    walk_list.delete()


# --- packets ---------------------------------------------------------------------------------


def _next_position(walk_list: WalkList) -> int:
    last = walk_list.packets.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


def _locked_doors(walk_list: WalkList) -> QuerySet[Door]:
    """Doors in a packet that is checked out now, or already worked: they stay where they are."""
    out = Checkout.objects.current().filter(packet=OuterRef("packet"))
    return Door.objects.filter(walk_list=walk_list).filter(
        Exists(out) | Exists(DoorResult.objects.filter(door=OuterRef("pk")))
    )


def packets_by_count(
    *, actor: Actor, walk_list: WalkList, doors_per_packet: int, name: str = ""
) -> list[Packet]:
    """Split the doors not yet in a packet into packets of ``doors_per_packet`` in walking
    order ("Packet 1", "Packet 2"…, or ``name`` 1, 2…). The rule: the list's team organizers."""
    _may_organize_team(actor, walk_list.team_id)
    if not isinstance(doors_per_packet, int) or not 1 <= doors_per_packet <= 1000:
        raise ValidationError({"doors_per_packet": _("Choose between 1 and 1,000 doors a packet.")})
    base = (name or "").strip() or _("Packet")
    with transaction.atomic():
        WalkList.objects.select_for_update().filter(pk=walk_list.pk).first()
        loose = Door.objects.filter(walk_list=walk_list, packet__isnull=True).count()
        position = _next_position(walk_list)
        packets = Packet.objects.bulk_create(
            [
                Packet(
                    walk_list=walk_list,
                    name=f"{base} {position + i + 1}"[:120],
                    position=position + i,
                )
                for i in range((loose + doors_per_packet - 1) // doors_per_packet)
            ]
        )
        if packets:
            # One statement: the n-th loose door (in walking order) joins packet n // size.
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE canvass_door d SET packet_id = (%s::bigint[])[((r.n - 1) / %s) + 1]"
                    " FROM (SELECT id, row_number() OVER (ORDER BY position) AS n FROM canvass_door"
                    " WHERE walk_list_id = %s AND packet_id IS NULL) r WHERE d.id = r.id",
                    [[p.pk for p in packets], doors_per_packet, walk_list.pk],
                )
    return packets


def packets_clear(*, actor: Actor, walk_list: WalkList) -> int:
    """Undo the split: packets never checked out and never worked are removed and their doors
    are free again. The rule: the list's team organizers. Returns how many were removed."""
    _may_organize_team(actor, walk_list.team_id)
    with transaction.atomic():
        kept = set(_locked_doors(walk_list).values_list("packet_id", flat=True))
        kept |= set(
            Checkout.objects.filter(packet__walk_list=walk_list).values_list("packet_id", flat=True)
        )
        removable = walk_list.packets.exclude(pk__in=kept)
        Door.objects.filter(packet__in=removable).update(packet=None)
        count, _detail = removable.delete()
    return count


def _polygon(outline: Any) -> list[list[float]]:
    try:
        points = [[float(lat), float(lon)] for lat, lon in outline]
    except (TypeError, ValueError):
        raise ValidationError(
            {"outline": _("Draw a shape on the map: a list of [lat, lon] points.")}
        ) from None
    if len(points) < 3 or len(points) > 2000:
        raise ValidationError({"outline": _("A shape needs 3 to 2,000 corners.")})
    if not all(-90 <= lat <= 90 and -180 <= lon <= 180 for lat, lon in points):
        raise ValidationError({"outline": _("A corner lies off the map.")})
    return points


def packet_draw(
    *, actor: Actor, walk_list: WalkList, name: str, outline: Sequence[Sequence[float]]
) -> tuple[Packet, dict[str, int]]:
    """Make a packet of the doors inside a shape drawn on the map (the server decides, by a
    point-in-polygon test on each door's coordinates). Doors placed only by their ZIP's centre
    cannot be split by drawing, and doors in a packet that is out or worked stay put.

    The rule: the list's team organizers. Returns the packet and counts: ``moved``,
    ``zip_only`` (inside the ZIP area but not placeable), ``locked``.
    """
    _may_organize_team(actor, walk_list.team_id)
    polygon = _polygon(outline)
    name = (name or "").strip()
    with transaction.atomic():
        WalkList.objects.select_for_update().filter(pk=walk_list.pk).first()
        locked = set(_locked_doors(walk_list).values_list("pk", flat=True))
        lats = [p[0] for p in polygon]
        lons = [p[1] for p in polygon]
        candidates = Door.objects.filter(
            walk_list=walk_list,
            household__latitude__gte=min(lats),
            household__latitude__lte=max(lats),
            household__longitude__gte=min(lons),
            household__longitude__lte=max(lons),
        ).values_list(
            "pk", "household__latitude", "household__longitude", "household__geocode_precision"
        )
        inside, zip_only, held = [], 0, 0
        for pk, lat, lon, precision in candidates:
            if not point_in_polygon(lat, lon, polygon):
                continue
            if precision == Household.Precision.ZIP:
                zip_only += 1
            elif pk in locked:
                held += 1
            else:
                inside.append(pk)
        if not inside:
            raise ValidationError(
                {
                    "outline": _(
                        "No door that can be moved lies inside that shape "
                        "(%(zip)d placed only by ZIP, %(held)d in packets that are out)."
                    )
                    % {"zip": zip_only, "held": held}
                }
            )
        position = _next_position(walk_list)
        packet = Packet.objects.create(
            walk_list=walk_list,
            name=(name or _("Packet %(number)d") % {"number": position + 1})[:120],
            position=position,
            outline=polygon,
        )
        Door.objects.filter(pk__in=inside).update(packet=packet)
        # Packets emptied by the drawing go; their names would only confuse.
        walk_list.packets.exclude(pk=packet.pk).filter(
            doors__isnull=True, checkouts__isnull=True
        ).delete()
    return packet, {"moved": len(inside), "zip_only": zip_only, "locked": held}


def packet_rename(*, actor: Actor, packet: Packet, name: str) -> Packet:
    """Rename a packet. The rule: the list's team organizers."""
    _may_organize_team(actor, packet.walk_list.team_id)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the packet a name.")})
    packet.name = name[:120]
    packet.save(update_fields=["name"])
    return packet


# --- check-out ---------------------------------------------------------------------------------


def _team_member(user: User, team_id: int) -> bool:
    return Membership.objects.filter(user=user, team_id=team_id).exists()


def packet_checkout(
    *,
    actor: Actor,
    packet: Packet,
    volunteer: User,
    until: datetime,
    partner: User | None = None,
    guest: bool = False,
) -> Checkout:
    """Give ``packet`` to ``volunteer`` (and ``partner``) until ``until``.

    Exclusive: while one check-out of the packet is in force, another is refused, and so is a
    packet with a door that is out in another list's packet now. An expired check-out is
    closed here (``returned_at`` = its ``until``) under the packet's row lock. The volunteers
    see the packet's people through the visibility rule until it ends; nothing is copied.

    The rule: the list's team organizers; the volunteers are members of that team (a day
    volunteer's guest account with ``guest``).
    """
    walk_list = packet.walk_list
    _may_organize_team(actor, walk_list.team_id)
    now = timezone.now()
    errors: dict[str, str] = {}
    if until is None or until <= now:
        errors["until"] = _("Choose a time in the future.")
    elif until > now + MAX_CHECKOUT:
        errors["until"] = _("A packet goes out for at most 31 days.")
    for field, person in (("volunteer", volunteer), ("partner", partner)):
        if person is not None and not guest and not _team_member(person, walk_list.team_id):
            errors[field] = _("%(name)s is not on %(team)s.") % {
                "name": person,
                "team": walk_list.team,
            }
    if partner is not None and partner == volunteer:
        errors["partner"] = _("Choose someone else as the partner.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Packet.objects.select_for_update().filter(pk=packet.pk).first()
        for stale in Checkout.objects.filter(
            packet=packet, returned_at__isnull=True, until__lte=now
        ):
            stale.returned_at = stale.until
            stale.save(update_fields=["returned_at"])
        current = (
            Checkout.objects.filter(packet=packet, returned_at__isnull=True)
            .select_related("volunteer")
            .first()
        )
        if current is not None:
            raise ValidationError(
                {
                    "volunteer": _("This packet is out with %(name)s until %(until)s.")
                    % {
                        "name": current.volunteer,
                        "until": timezone.localtime(current.until).strftime("%Y-%m-%d %H:%M"),
                    }
                }
            )
        elsewhere = Door.objects.filter(
            household__in=Door.objects.filter(packet=packet).values("household"),
            packet__in=Checkout.objects.current().exclude(packet=packet).values("packet"),
        )
        if elsewhere.exists():
            raise ValidationError(
                {
                    "volunteer": _(
                        "Some of these doors are out in another packet now; take it back first."
                    )
                }
            )
        try:
            checkout = Checkout.objects.create(
                packet=packet,
                volunteer=volunteer,
                partner=partner,
                until=until,
                checked_out_by=as_user(actor),
                checked_out_at=now,
            )
        except IntegrityError:
            raise ValidationError(
                {"volunteer": _("This packet was just checked out by someone else.")}
            ) from None
    return checkout


def checkout_return(*, actor: Actor, checkout: Checkout) -> Checkout:
    """Take a packet back: the volunteers lose sight of its people at once. The rule: the
    list's team organizers, or one of the volunteers it is out with."""
    user = as_user(actor)
    mine = user is not None and user.pk in {checkout.volunteer_id, checkout.partner_id}
    if not mine:
        _may_organize_team(actor, checkout.packet.walk_list.team_id)
    if checkout.returned_at is None:
        checkout.returned_at = min(timezone.now(), checkout.until)
        checkout.save(update_fields=["returned_at"])
    return checkout


# --- at the door -------------------------------------------------------------------------------


def door_checkout_for(*, actor: Actor, door: Door) -> Checkout | None:
    """The check-out in force that lets ``actor`` work ``door`` (None for its organizers)."""
    user = as_user(actor)
    checkout = (
        Checkout.objects.current()
        .filter(packet_id=door.packet_id)
        .filter(Q(volunteer=user) | Q(partner=user))
        .first()
        if user is not None and door.packet_id is not None
        else None
    )
    if checkout is None and not (is_system(actor) or user_organizes(actor, door.walk_list.team_id)):
        raise PermissionDenied(_("This door is not in a packet checked out to you."))
    return checkout


def _existing_result(client_uuid: uuid.UUID, actor: Actor) -> DoorResult | None:
    existing = DoorResult.objects.filter(client_uuid=client_uuid).first()
    if existing is not None and existing.volunteer_id != getattr(as_user(actor), "pk", None):
        raise PermissionDenied(_("This client_uuid belongs to another door result."))
    return existing


def door_result_record(
    *,
    actor: Actor,
    door: Door,
    result: str,
    client_uuid: uuid.UUID,
    at: datetime | None = None,
) -> tuple[DoorResult, bool]:
    """One tap for the whole door: not home, moved, refused, inaccessible, or "no
    soliciting". Each of the first four stores an ordinary conversation (channel door) with
    every person the list was cut for there, so follow-up rules, the listener and webhooks
    apply; "no soliciting" marks the household, so later lists leave it out.

    Idempotent by ``client_uuid`` (each person's conversation UUID is derived from it):
    a repeat returns the first result with ``created`` False. The rule: a volunteer the
    door's packet is checked out to, or the list's team organizers.
    """
    if result not in DOOR_OUTCOMES and result != DoorResult.Result.NO_SOLICITING:
        raise ValidationError(
            {"result": _("Choose not home, moved, refused, inaccessible or no soliciting.")}
        )
    existing = _existing_result(client_uuid, actor)
    if existing is not None:
        return existing, False
    door_checkout_for(actor=actor, door=door)
    at = at or timezone.now()
    with transaction.atomic():
        if result == DoorResult.Result.NO_SOLICITING:
            household_set_no_soliciting(actor=actor, household=door.household, value=True)
        else:
            visible = supporter_list(viewer=actor).filter(
                pk__in=door.door_people.values("supporter_id")
            )
            for person in visible.order_by("pk"):
                conversation_log(
                    actor=actor,
                    supporter=person,
                    client_uuid=uuid.uuid5(client_uuid, str(person.pk)),
                    channel=Conversation.Channel.DOOR,
                    outcome=DOOR_OUTCOMES[result],
                    happened_at=at,
                )
        try:
            with transaction.atomic():
                row = DoorResult.objects.create(
                    door=door,
                    packet_id=door.packet_id,
                    result=result,
                    volunteer=as_user(actor),
                    client_uuid=client_uuid,
                    at=at,
                )
        except IntegrityError:
            return DoorResult.objects.get(client_uuid=client_uuid), False
    return row, True


def door_conversation_log(
    *, actor: Actor, door: Door, supporter: Supporter, client_uuid: uuid.UUID, **details: Any
) -> tuple[Conversation, bool]:
    """Log a conversation with someone at the door (``conversations.services.conversation_log``,
    channel door, with ``details``) and count the door as a contact. Idempotent by
    ``client_uuid``. The rule: as ``door_result_record``, and the person lives at the door."""
    door_checkout_for(actor=actor, door=door)
    if not DoorPerson.objects.filter(door=door, supporter=supporter).exists() and (
        supporter.household_id != door.household_id
    ):
        raise ValidationError({"supporter": _("This person is not at this door.")})
    details.setdefault("channel", Conversation.Channel.DOOR)
    with transaction.atomic():
        conversation, created = conversation_log(
            actor=actor, supporter=supporter, client_uuid=client_uuid, **details
        )
        DoorResult.objects.get_or_create(
            client_uuid=client_uuid,
            defaults={
                "door": door,
                "packet_id": door.packet_id,
                "result": DoorResult.Result.CONTACT,
                "volunteer": as_user(actor),
                "conversation": conversation,
                "supporter": supporter,
                "at": conversation.happened_at,
            },
        )
    return conversation, created


def door_person_add(
    *,
    actor: Actor,
    door: Door,
    client_uuid: uuid.UUID,
    given_name: str = "",
    family_name: str = "",
    phone: str = "",
    email: str = "",
    at: datetime | None = None,
) -> tuple[Supporter, bool]:
    """ "Someone new lives here": add a person at the door's address to its household and to
    the door (assigned to whoever met them, so they keep seeing them). Idempotent by
    ``client_uuid``. The rule: as ``door_result_record``; ``supporter_create`` checks the team."""
    door_checkout_for(actor=actor, door=door)
    if not (given_name or "").strip() and not (family_name or "").strip():
        raise ValidationError({"given_name": _("Give at least a first or a last name.")})
    household = door.household
    with transaction.atomic():
        supporter = supporter_create(
            actor=actor,
            team=door.walk_list.team,
            given_name=given_name.strip()[:100],
            family_name=family_name.strip()[:100],
            phone=phone.strip(),
            email=email.strip(),
            source=Supporter.Source.CANVASS,
            address={
                "line1": household.line1,
                "line2": household.unit,
                "city": household.city.title(),
                "state": household.state,
                "postal_code": household.zip5,
            },
            client_uuid=client_uuid,
            at=at,
        )
        if not supporter.is_new:
            supporter_access(viewer=actor, supporter=supporter)  # a 404 unless they see them
            return supporter, False
        household_move(actor=actor, supporter=supporter, household=household)
        DoorPerson.objects.get_or_create(door=door, supporter=supporter)
        DoorResult.objects.create(
            door=door,
            packet_id=door.packet_id,
            result=DoorResult.Result.NEW_PERSON,
            volunteer=as_user(actor),
            supporter=supporter,
            client_uuid=client_uuid,
            at=at or timezone.now(),
        )
    return supporter, True

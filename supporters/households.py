"""Households: the people at one standardized address and unit.

The enrichment worker places people by the address it standardized (``households_assign``);
organizers fix what it got wrong (``household_move``, ``household_split``,
``household_merge``), after which the worker leaves those people where they were put. The
"same household" kind of ``Relationship`` is turned into shared households by the worker's
backfill (``household_backfill``), in bounded batches, never in a migration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from organizing.models import User
from organizing.roles import Actor, is_system

from .history import history_record
from .models import HistoryEvent, Household, Relationship, Supporter, SupporterAddress
from .selectors import supporter_access, supporter_list

# "12", "12A", "12-B", "12½", "12 1/2" at the start of a standardized street line.
_NUMBER = re.compile(
    r"^(?P<number>\d+)(?P<suffix>½|\s+1/2|-?[A-Z](?=\s)|-\d+(?=\s))?\s+(?P<street>.+)$"
)


@dataclass(frozen=True)
class AddressParts:
    street: str
    house_number: int | None
    house_suffix: str
    unit: str


def address_parts(line1: str, unit: str = "") -> AddressParts:
    """The walking-order parts of a standardized street line: "12 1/2 MAIN ST" → street
    "MAIN ST", number 12, suffix "½"; "12A MAIN ST" → 12, "A". A line without a leading number
    (a PO box, a building name) keeps it whole as the street, with no number."""
    text = " ".join((line1 or "").upper().split())
    match = _NUMBER.match(text)
    if match is None:
        return AddressParts(street=text, house_number=None, house_suffix="", unit=unit.upper())
    suffix = (match["suffix"] or "").strip()
    if suffix == "1/2":
        suffix = "½"
    return AddressParts(
        street=match["street"],
        house_number=int(match["number"]),
        house_suffix=suffix.lstrip("-"),
        unit=" ".join(unit.upper().split()),
    )


def address_key(standardized: dict) -> str:
    """What makes two addresses one door: the standardized street line, unit and ZIP."""
    line1 = " ".join(str(standardized.get("line1", "")).upper().split())
    zip5 = str(standardized.get("zip", ""))[:5]
    if not line1 or not zip5:
        return ""
    unit = " ".join(str(standardized.get("line2", "")).upper().split())
    return f"{line1}|{unit}|{zip5}"


def _household_from(address: SupporterAddress) -> Household:
    standardized = address.standardized or {}
    parts = address_parts(standardized.get("line1", ""), standardized.get("line2", ""))
    has_point = address.latitude is not None and address.longitude is not None
    return Household(
        address_key=address_key(standardized),
        line1=standardized.get("line1", "") or address.line1.upper(),
        unit=parts.unit,
        city=standardized.get("city", ""),
        state=standardized.get("state", ""),
        zip5=address.zip5,
        street=parts.street,
        house_number=parts.house_number,
        house_suffix=parts.house_suffix,
        # The address enricher's coordinates are the ZIP's centre (the zipcodes data); the
        # geocoder (supporters.enrichment.geocoder) replaces them with better ones.
        latitude=address.latitude,
        longitude=address.longitude,
        geocode_precision=Household.Precision.ZIP if has_point else "",
        geocode_source="zipcodes" if has_point else "",
        geocoded_at=timezone.now() if has_point else None,
    )


def _home_address(supporter: Supporter) -> SupporterAddress | None:
    """The address a person lives at: their primary, else their first, standardized one."""
    addresses = [a for a in supporter.addresses.all() if address_key(a.standardized or {})]
    addresses.sort(key=lambda a: (not a.is_primary, a.pk))
    return addresses[0] if addresses else None


def households_assign(supporters: Iterable[Supporter]) -> int:
    """Place each of these supporters (with ``addresses`` prefetched) in the household of
    their standardized home address, making households that do not exist yet. People an
    organizer placed (``household_fixed``) stay put. Returns how many moved. Call it inside
    the worker's transaction; safe twice (a second run moves no one)."""
    wanted: dict[int, SupporterAddress] = {}
    people = [s for s in supporters if not s.household_fixed]
    for supporter in people:
        address = _home_address(supporter)
        if address is not None:
            wanted[supporter.pk] = address
    if not wanted:
        return 0
    keys = {address_key(a.standardized) for a in wanted.values()}
    existing: dict[str, int] = {}
    # The oldest household with the key is the address's; a split made others beside it.
    for pk, key in (
        Household.objects.filter(address_key__in=keys)
        .order_by("-id")
        .values_list("pk", "address_key")
    ):
        existing[key] = pk
    missing = {}
    for address in wanted.values():
        key = address_key(address.standardized)
        if key not in existing and key not in missing:
            missing[key] = _household_from(address)
    for household in Household.objects.bulk_create(list(missing.values())):
        existing[household.address_key] = household.pk
    current_keys = dict(
        Household.objects.filter(
            pk__in={s.household_id for s in people if s.household_id is not None}
        ).values_list("pk", "address_key")
    )
    moved = []
    for supporter in people:
        address = wanted.get(supporter.pk)
        if address is None:
            continue
        key = address_key(address.standardized)
        # Already in a household with this key (one made by a split): that is still right.
        if supporter.household_id is not None and current_keys.get(supporter.household_id) == key:
            continue
        supporter.household_id = existing[key]
        moved.append(supporter)
    Supporter.objects.bulk_update(moved, ["household"])
    return len(moved)


BACKFILL_BATCH = 500


def household_backfill(*, batch_size: int = BACKFILL_BATCH) -> int:
    """One bounded batch of the backfill; returns how much it did (0: nothing left).

    First the old "same household" relationships between two supporters: both people join
    one household (the first one's, else the other's, else one made from the first one's
    address), are marked as placed by a person (it was a person who said so), and the row is
    deleted. Then supporters with a standardized address and no household are placed.
    Safe to run twice and beside the enrichment worker (rows are locked, skipping held ones).
    """
    done = 0
    with transaction.atomic():
        rows = list(
            Relationship.objects.select_for_update(skip_locked=True)
            .filter(kind=Relationship.Kind.HOUSEHOLD, other_supporter__isnull=False)
            .select_related("supporter", "other_supporter")
            .order_by("pk")[:batch_size]
        )
        for row in rows:
            first, second = row.supporter, row.other_supporter
            first.refresh_from_db(fields=["household", "household_fixed"])
            second.refresh_from_db(fields=["household", "household_fixed"])
            household_id = first.household_id or second.household_id
            if household_id is None:
                address = _home_address(first) or _home_address(second)
                household = _household_from(address) if address else Household(line1="", street="")
                household.save()
                household_id = household.pk
            Supporter.objects.filter(pk__in=[first.pk, second.pk]).update(
                household_id=household_id, household_fixed=True
            )
            for person in (first, second):
                history_record(
                    supporter=person,
                    kind=HistoryEvent.Kind.UPDATED,
                    summary=_("Household: from the “same household” relationship"),
                    household=household_id,
                    enricher="households.backfill",
                )
            row.delete()
            done += 1
        # The "household" relationships a volunteer (not a supporter) had stay relationships:
        # a volunteer is not a door. They read as "family" from now on.
        done += Relationship.objects.filter(
            kind=Relationship.Kind.HOUSEHOLD, known_by__isnull=False
        ).update(kind=Relationship.Kind.FAMILY)
        people = list(
            Supporter.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(household__isnull=True, household_fixed=False)
            .filter(
                Exists(
                    SupporterAddress.objects.filter(supporter=OuterRef("pk"), zip5__gt="").exclude(
                        standardized={}
                    )
                )
            )
            .order_by("pk")
            .prefetch_related("addresses")[:batch_size]
        )
        if people:
            households_assign(people)
            done += len(people)
    return done


# --- what organizers and volunteers do -------------------------------------------------


def _may_organize(actor: Actor, supporter: Supporter) -> None:
    if not supporter_access(viewer=actor, supporter=supporter).can_organize:
        raise PermissionDenied(_("Only this person's organizers change their household."))


def _record_move(actor: Actor, supporter: Supporter, household: Household, why: str) -> None:
    history_record(
        supporter=supporter,
        kind=HistoryEvent.Kind.UPDATED,
        actor=actor,
        subject=household,
        summary=_("Household: %(why)s (%(address)s)") % {"why": why, "address": household},
    )


def household_move(*, actor: Actor, supporter: Supporter, household: Household) -> Supporter:
    """Put one person in another household. The rule: those who organize the person
    (``SupporterAccess.can_organize``); someone with no household yet (a person just met at
    the door: "someone new lives here") may also be placed by anyone who may write about them
    and sees someone who lives there. The worker leaves them there from now on."""
    access = supporter_access(viewer=actor, supporter=supporter)
    newcomer = (
        supporter.household_id is None
        and access.can_edit
        and (is_system(actor) or bool(household_members_visible(viewer=actor, household=household)))
    )
    if not (access.can_organize or newcomer):
        raise PermissionDenied(_("Only this person's organizers change their household."))
    with transaction.atomic():
        Supporter.objects.filter(pk=supporter.pk).update(
            household=household, household_fixed=True, updated_at=timezone.now()
        )
        supporter.household, supporter.household_fixed = household, True
        _record_move(actor, supporter, household, _("moved"))
    return supporter


def household_split(
    *, actor: Actor, household: Household, supporters: Iterable[Supporter]
) -> Household:
    """Move some of a household's people to a new household at the same address (two
    families in one house). The rule: the actor organizes each person moved."""
    people = list(supporters)
    if not people:
        raise ValidationError({"supporters": _("Choose who moves to the new household.")})
    for person in people:
        if person.household_id != household.pk:
            raise ValidationError(
                {"supporters": _("%(name)s does not live here.") % {"name": person}}
            )
        _may_organize(actor, person)
    with transaction.atomic():
        new = Household.objects.get(pk=household.pk)
        new.pk = None
        new.no_soliciting = False
        new.no_soliciting_set_by = None
        new.no_soliciting_set_at = None
        new.save()
        for person in people:
            household_move(actor=actor, supporter=person, household=new)
    return new


def household_merge(*, actor: Actor, kept: Household, merged: Household) -> Household:
    """Everyone in ``merged`` joins ``kept`` (two records of one door); ``merged`` is deleted.
    The rule: the actor organizes every person who moves."""
    if kept.pk == merged.pk:
        raise ValidationError({"merged": _("A household cannot be merged with itself.")})
    people = list(merged.members.all())
    for person in people:
        _may_organize(actor, person)
    with transaction.atomic():
        for person in people:
            household_move(actor=actor, supporter=person, household=kept)
        if merged.no_soliciting and not kept.no_soliciting:
            Household.objects.filter(pk=kept.pk).update(
                no_soliciting=True,
                no_soliciting_set_by=merged.no_soliciting_set_by,
                no_soliciting_set_at=merged.no_soliciting_set_at,
            )
        merged.delete()
    kept.refresh_from_db()
    return kept


def household_set_no_soliciting(
    *, actor: Actor, household: Household, value: bool = True
) -> Household:
    """Mark a door "no soliciting" (one tap at the door), or clear it. The rule: anyone who
    may see one of the people who live there (or Earshot itself). Walk lists cut later leave
    the door out."""
    if not is_system(actor) and not household_members_visible(viewer=actor, household=household):
        raise PermissionDenied(_("You may not mark this door."))
    now = timezone.now()
    with transaction.atomic():
        Household.objects.filter(pk=household.pk).update(
            no_soliciting=value,
            no_soliciting_set_by=actor if isinstance(actor, User) else None,
            no_soliciting_set_at=now if value else None,
        )
        for person in household.members.all():
            history_record(
                supporter=person,
                kind=HistoryEvent.Kind.UPDATED,
                actor=actor,
                subject=household,
                summary=_("Door marked “no soliciting”") if value else _("“No soliciting” cleared"),
                at=now,
            )
    household.refresh_from_db()
    return household


# --- reads ---------------------------------------------------------------------------------


def household_members_visible(*, viewer: User, household: Household) -> list[Supporter]:
    """The people living at ``household`` whom ``viewer`` may see (the visibility rule)."""
    return list(supporter_list(viewer=viewer).filter(household=household).order_by("pk"))


@dataclass(frozen=True)
class Housemate:
    """Someone else at the same door: their name, and ``may_open`` when the viewer may see
    them (the brief links them only then)."""

    pk: int
    name: str
    may_open: bool


def housemates(*, viewer: User, supporter: Supporter) -> list[Housemate]:
    """Who else lives at ``supporter``'s door, for the brief: everyone there by name, with a
    link only to those the viewer may see (two queries)."""
    if supporter.household_id is None:
        return []
    others = list(
        Supporter.objects.filter(household_id=supporter.household_id)
        .exclude(pk=supporter.pk)
        .order_by("given_name", "family_name", "pk")
        .only("pk", "given_name", "family_name", "preferred_name")[:20]
    )
    if not others:
        return []
    visible = set(
        supporter_list(viewer=viewer)
        .filter(pk__in=[o.pk for o in others])
        .values_list("pk", flat=True)
    )
    return [Housemate(pk=o.pk, name=o.display_name, may_open=o.pk in visible) for o in others]


def households_without_members() -> Q:
    """Condition over Household: no one lives there (after moves and merges)."""
    return ~Q(Exists(Supporter.objects.filter(household=OuterRef("pk"))))

"""Reads of supporters for a viewer. ``supporter_list`` is THE visibility rule.

Every page, API endpoint, search, export and webhook reads supporters through
``supporter_list(viewer=…)`` (or ``supporter_get``, which is built on it). Nothing else
decides who may see whom.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.http import Http404

from organizing.models import Membership, User
from organizing.roles import team_ids_organized_by, user_is_organization_wide, user_memberships

from .models import (
    Assignment,
    DuplicateCandidate,
    Relationship,
    Supporter,
    SupporterAddress,
    SupporterEmail,
    SupporterPhone,
)


def supporter_list(*, viewer: User, teams: Iterable[int] | None = None) -> QuerySet[Supporter]:
    """The supporters ``viewer`` may see (within ``teams``, when given).

    - data staff, admins (and superusers): everyone;
    - organizers: every supporter owned by a team they organize;
    - everyone signed in (volunteers included): the people assigned to them and
      their own relational contacts;
    - anyone inactive or anonymous: no one.

    ``teams`` narrows the answer to supporters owned by those teams. When the viewer sees
    every supporter of each of those teams (they organize them, or see everyone), the rule
    is a plain indexed team filter, which keeps the organizer's pages quick at any size.
    """
    if not viewer.is_authenticated or not viewer.is_active:
        return Supporter.objects.none()
    team_ids = None if teams is None else set(teams)
    if user_is_organization_wide(viewer):
        everyone = Supporter.objects.all()
        return everyone if team_ids is None else everyone.filter(team_id__in=team_ids)
    organized_teams = {
        team_id for team_id, role in user_memberships(viewer) if role == Membership.Role.ORGANIZER
    }
    if team_ids is not None and team_ids <= organized_teams:
        return Supporter.objects.filter(team_id__in=team_ids)
    # A volunteer's own people are a short list of ids; as one semi-join PostgreSQL reads
    # them through the primary key instead of testing every supporter (see bench/).
    own_people = (
        Assignment.objects.active()
        .filter(volunteer=viewer)
        .values("supporter_id")
        .union(Relationship.objects.filter(known_by=viewer).values("supporter_id"))
    )
    if not organized_teams:
        visible = Supporter.objects.filter(pk__in=own_people)
    else:
        visible = Supporter.objects.filter(Q(team_id__in=organized_teams) | Q(pk__in=own_people))
    return visible if team_ids is None else visible.filter(team_id__in=team_ids)


def supporter_get(*, viewer: User, pk: int) -> Supporter:
    """One supporter the viewer may see; anything outside their scope is a 404."""
    supporter = supporter_list(viewer=viewer).filter(pk=pk).first()
    if supporter is None:
        raise Http404("No such supporter.")
    return supporter


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def _phone_digits() -> Func:
    return Func(F("number"), Value(r"\D"), Value(""), Value("g"), function="regexp_replace")


def supporter_search_condition(query: str) -> Q:
    """Who matches a search box: every word part of a name (given, family or preferred);
    four or more digits also match phones whatever their punctuation; text with an @ or a
    dot also matches emails."""
    query = query.strip()[:100]
    by_name = Q()
    for word in query.split()[:5]:
        by_name &= (
            Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(preferred_name__icontains=word)
        )
    condition = by_name
    digits = _digits(query)
    if len(digits) >= 4:
        condition |= Exists(
            SupporterPhone.objects.annotate(digits=_phone_digits()).filter(
                supporter=OuterRef("pk"), digits__contains=digits
            )
        )
    if "@" in query or "." in query:
        condition |= Exists(
            SupporterEmail.objects.filter(supporter=OuterRef("pk"), address__icontains=query)
        )
    return condition


def supporter_search(*, viewer: User, query: str, limit: int = 20) -> QuerySet[Supporter]:
    """People the viewer may see who match ``query`` (see ``supporter_search_condition``)."""
    if not query.strip():
        return Supporter.objects.none()
    return (
        supporter_list(viewer=viewer)
        .filter(supporter_search_condition(query))
        .select_related("team")[:limit]
    )


def supporter_matches(
    *,
    viewer: User,
    phone: str = "",
    email: str = "",
    given_name: str = "",
    family_name: str = "",
    postal_code: str = "",
) -> list[tuple[Supporter, list[str]]]:
    """Supporters the viewer may see who may be the person about to be added, with why.

    Matches on the same phone (last ten digits), the same email (ignoring case), or the
    same given and family name with the same ZIP.
    """
    conditions: dict[str, Q] = {}
    phone_digits = _digits(phone)[-10:]
    if len(phone_digits) >= 7:
        conditions["same phone"] = Exists(
            SupporterPhone.objects.annotate(digits=_phone_digits()).filter(
                supporter=OuterRef("pk"), digits__endswith=phone_digits
            )
        )
    if email.strip():
        conditions["same email"] = Exists(
            SupporterEmail.objects.filter(supporter=OuterRef("pk"), address__iexact=email.strip())
        )
    if given_name.strip() and family_name.strip() and postal_code.strip():
        conditions["same name and ZIP"] = Q(
            given_name__iexact=given_name.strip(), family_name__iexact=family_name.strip()
        ) & Exists(
            SupporterAddress.objects.filter(
                supporter=OuterRef("pk"), postal_code__startswith=postal_code.strip()[:5]
            )
        )
    if not conditions:
        return []
    any_match = Q()
    for condition in conditions.values():
        any_match |= condition
    candidates = (
        supporter_list(viewer=viewer)
        .filter(any_match)
        .annotate(
            **{
                f"match_{i}": ExpressionWrapper(c, output_field=BooleanField())
                for i, c in enumerate(conditions.values())
            }
        )
        .select_related("team")[:10]
    )
    labels = list(conditions)
    return [
        (supporter, [labels[i] for i in range(len(labels)) if getattr(supporter, f"match_{i}")])
        for supporter in candidates
    ]


# Columns of the organizer's list that the apps above compute (conversations: the last
# contact, open follow-ups), registered at app-ready time.
_list_columns: dict[str, Callable[[], Any]] = {}


def supporter_list_column_register(name: str, expression: Callable[[], Any]) -> None:
    """``expression()``: an annotation over Supporter (``OuterRef("pk")`` is the supporter)."""
    _list_columns[name] = expression


def supporter_list_columns() -> dict[str, Any]:
    """The registered columns, as keyword arguments for ``QuerySet.annotate``."""
    return {name: expression() for name, expression in _list_columns.items()}


def supporter_may_organize(*, viewer: User, supporter: Supporter) -> bool:
    """Organizers of the supporter's team, data staff and admins may review and merge them."""
    return user_is_organization_wide(viewer) or supporter.team_id in team_ids_organized_by(viewer)


def duplicate_list(*, viewer: User) -> QuerySet[DuplicateCandidate]:
    """Open duplicate candidates the viewer may review: both people in teams they organize
    (everyone's for data staff and admins), best score first."""
    pairs = DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN)
    if not user_is_organization_wide(viewer):
        teams = team_ids_organized_by(viewer)
        pairs = pairs.filter(first__team_id__in=teams, second__team_id__in=teams)
    return pairs.select_related("first__team", "second__team").order_by("-score", "id")


def duplicate_get(*, viewer: User, pk: int) -> DuplicateCandidate:
    """A pair both of whose people the viewer may see (else 404); permission is the view's."""
    visible = supporter_list(viewer=viewer)
    pair = (
        DuplicateCandidate.objects.select_related("first__team", "second__team")
        .filter(pk=pk, first__in=visible, second__in=visible)
        .first()
    )
    if pair is None:
        raise Http404("No such pair.")
    return pair

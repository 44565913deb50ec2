"""Reads of supporters for a viewer. ``supporter_list`` is THE visibility rule.

Every page, API endpoint, search, export and webhook reads supporters through
``supporter_list(viewer=…)`` (or ``supporter_get``, which is built on it). Nothing else
decides who may see whom.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import TrigramWordSimilarity
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.lookups import Contains
from django.http import Http404
from django.utils.translation import gettext as _

from organizing.models import Team, User
from organizing.roles import (
    is_system,
    team_ids_organized_by,
    team_ids_user_may_add_people_to,
    user_is_organization_wide,
    user_may_erase,
    user_may_see_recent_readers,
    user_organizes,
    user_team_ids,
)

from .models import (
    Assignment,
    DuplicateCandidate,
    Relationship,
    Supporter,
    SupporterAddress,
    SupporterEmail,
    SupporterPhone,
    phone_digits,
    search_text,
    supporter_search_name,
)


def supporter_list(*, viewer: User, teams: Iterable[int] | None = None) -> QuerySet[Supporter]:
    """The supporters ``viewer`` may see (within ``teams``, when given).

    - data staff, admins (and superusers): everyone;
    - organizers: every supporter owned by a team they organize;
    - everyone signed in (volunteers included): the people assigned to them, their own
      relational contacts, and those a registered grant gives them for a while
      (``supporter_visibility_grant_register``: the person a caller holds on a lease; the
      doors of a packet checked out to them, until the check-out ends or is returned);
    - anyone inactive or anonymous: no one.

    ``teams`` narrows the answer to supporters owned by those teams. When the viewer sees
    every supporter of each of those teams (they organize them, or see everyone), the rule
    is a plain indexed team filter, which keeps the organizer's pages quick at any size.
    """
    if not viewer.is_authenticated or not viewer.is_active:
        return Supporter.objects.none()
    team_ids = None if teams is None else set(teams)
    # An erased person's tombstone (supporters.erasure) is nobody's to see.
    living = Supporter.objects.filter(erased_at__isnull=True)
    if user_is_organization_wide(viewer):
        return living if team_ids is None else living.filter(team_id__in=team_ids)
    organized_teams = set(team_ids_organized_by(viewer))
    if team_ids is not None and team_ids <= organized_teams:
        return living.filter(team_id__in=team_ids)
    # A volunteer's own people are a short list of ids; as one semi-join PostgreSQL reads
    # them through the primary key instead of testing every supporter (see bench/).
    own_people = (
        Assignment.objects.active()
        .filter(volunteer=viewer)
        .values("supporter_id")
        .union(
            Relationship.objects.filter(known_by=viewer).values("supporter_id"),
            *(grant(viewer) for grant in _visibility_grants.values()),
        )
    )
    if not organized_teams:
        visible = living.filter(pk__in=own_people)
    else:
        visible = living.filter(Q(team_id__in=organized_teams) | Q(pk__in=own_people))
    return visible if team_ids is None else visible.filter(team_id__in=team_ids)


def supporter_list_downloadable(*, viewer: User) -> QuerySet[Supporter]:
    """The supporters ``viewer`` may download (``roles.user_may_download_segments``): data
    staff and admins, everyone; organizers, the people of the teams they organize (not those
    of other teams they merely know); anyone else, no one. Narrower than ``supporter_list``,
    never wider."""
    if user_is_organization_wide(viewer):
        return supporter_list(viewer=viewer)
    return supporter_list(viewer=viewer, teams=team_ids_organized_by(viewer))


# More of a volunteer's own people that the apps above hand out for a while (calling: the
# person a caller holds on a lease), registered at app-ready time. Each is part of the rule
# above, never a copy of who may see whom.
_visibility_grants: dict[str, Callable[[User], QuerySet]] = {}


def supporter_visibility_grant_register(name: str, grant: Callable[[User], QuerySet]) -> None:
    """``grant(viewer)``: a query of ``supporter_id`` values the viewer may see because of
    something that lasts a while (a lease, a check-out), tested in the database at read time
    (``Now()``), so the grant ends by itself when it expires."""
    _visibility_grants[name] = grant


def supporter_get(*, viewer: User, pk: int) -> Supporter:
    """One supporter the viewer may see; anything outside their scope is a 404."""
    supporter = supporter_list(viewer=viewer).filter(pk=pk).first()
    if supporter is None:
        raise Http404(_("No such supporter."))
    return supporter


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def _has_letter(text: str) -> bool:
    return any(character.isalpha() for character in text)


def supporter_search_condition(query: str) -> Q:
    """Who matches a search box, for the pages, the API and OSDI alike.

    - Text with a letter matches names (given, family or preferred), ignoring case and
      accents ("nunez" finds "Núñez"): every word must be part of a name, or like one word
      of it (trigram word similarity above ``pg_trgm.word_similarity_threshold``, 0.6 by
      default), which forgives a typo ("Chavex" finds "Chávez"). The index
      ``supporter_search_name_trgm`` serves both tests.
    - Four or more digits, and no letters, match phones whatever their punctuation
      ("555-0199", "(312) 555.0199").
    - Text with an @ matches emails (part of one, ignoring case).

    No permissions here: the caller narrows to ``supporter_list(viewer=…)`` first.
    A query with nothing to search for matches no one.
    """
    query = query.strip()[:100]
    condition = Q(pk__in=[])
    if _has_letter(query):
        name = supporter_search_name()
        by_name = Q()
        for word in query.split()[:5]:
            word_text = search_text(Value(word))
            by_name &= Q(Contains(name, word_text)) | Q(TrigramWordSimilar(name, word_text))
        condition |= by_name
    digits = _digits(query)
    # Only a query without letters is a phone number: "Ward 12" looks for a name, and an OR
    # with the phones' subquery would keep PostgreSQL off the name index.
    if len(digits) >= 4 and not _has_letter(query):
        condition |= Exists(
            SupporterPhone.objects.annotate(digits=phone_digits()).filter(
                supporter=OuterRef("pk"), digits__contains=digits
            )
        )
    if "@" in query:
        condition |= Exists(
            SupporterEmail.objects.filter(supporter=OuterRef("pk"), address__icontains=query)
        )
    return condition


def supporter_search_rank(query: str) -> TrigramWordSimilarity:
    """How like ``query`` a supporter's names are (0 to 1), for ordering results best first."""
    return TrigramWordSimilarity(search_text(Value(query.strip()[:100])), supporter_search_name())


def supporter_search(*, viewer: User, query: str, limit: int = 20) -> QuerySet[Supporter]:
    """People the viewer may see who match ``query`` (see ``supporter_search_condition``),
    the names most like it first."""
    if not query.strip():
        return Supporter.objects.none()
    return (
        supporter_list(viewer=viewer)
        .filter(supporter_search_condition(query))
        .annotate(search_rank=supporter_search_rank(query))
        .order_by("-search_rank", "family_name", "given_name", "id")
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
    last_ten = _digits(phone)[-10:]
    if len(last_ten) >= 7:
        conditions["same phone"] = Exists(
            SupporterPhone.objects.annotate(digits=phone_digits()).filter(
                supporter=OuterRef("pk"), digits__endswith=last_ten
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


def supporter_match(
    *, viewer: User, emails: Iterable[str] = (), phones: Iterable[str] = ()
) -> Supporter | None:
    """The person ``viewer`` sees with one of these emails (ignoring case), else one of these
    phone numbers (as typed, around spaces); the oldest when several do. None when nobody does."""
    people = supporter_list(viewer=viewer)
    for address in filter(None, (address.strip() for address in emails)):
        match = people.filter(emails__address__iexact=address).order_by("id").first()
        if match is not None:
            return match
    for number in filter(None, (number.strip() for number in phones)):
        match = people.filter(phones__number=number).order_by("id").first()
        if match is not None:
            return match
    return None


# Columns of the organizer's list that the apps above compute (conversations: the last
# contact, open follow-ups), registered at app-ready time.
_list_columns: dict[str, Callable[[], Any]] = {}


def supporter_list_column_register(name: str, expression: Callable[[], Any]) -> None:
    """``expression()``: an annotation over Supporter (``OuterRef("pk")`` is the supporter)."""
    _list_columns[name] = expression


def supporter_list_column(name: str) -> Any | None:
    """One registered column's annotation, or None when no app registered it."""
    expression = _list_columns.get(name)
    return None if expression is None else expression()


def supporter_list_columns() -> dict[str, Any]:
    """The registered columns, as keyword arguments for ``QuerySet.annotate``."""
    return {name: expression() for name, expression in _list_columns.items()}


def _duplicates_reviewable_by(viewer: User) -> QuerySet[DuplicateCandidate]:
    """THE rule for duplicate review: pairs both of whose people the viewer organizes
    (organizers of both people's teams; data staff and admins: every pair)."""
    pairs = DuplicateCandidate.objects.all()
    if not user_is_organization_wide(viewer):
        teams = team_ids_organized_by(viewer)
        pairs = pairs.filter(first__team_id__in=teams, second__team_id__in=teams)
    return pairs.select_related("first__team", "second__team")


def duplicate_list(*, viewer: User) -> QuerySet[DuplicateCandidate]:
    """Open duplicate candidates the viewer may review, best score first."""
    return (
        _duplicates_reviewable_by(viewer)
        .filter(status=DuplicateCandidate.Status.OPEN)
        .order_by("-score", "id")
    )


def duplicate_get(*, viewer: User, pk: int) -> DuplicateCandidate:
    """One pair the viewer may review, by the same rule as ``duplicate_list`` (any status).

    A pair with someone the viewer may not see is a 404; one they see but may not review
    (a volunteer, an organizer of only one side) raises PermissionDenied.
    """
    visible = supporter_list(viewer=viewer)
    pair = (
        DuplicateCandidate.objects.select_related("first__team", "second__team")
        .filter(pk=pk, first__in=visible, second__in=visible)
        .first()
    )
    if pair is None:
        raise Http404(_("No such pair."))
    if not _duplicates_reviewable_by(viewer).filter(pk=pk).exists():
        raise PermissionDenied(_("You may not review these people."))
    return pair


# --- what a viewer may do with one supporter ----------------------------------------------


# What anyone who may write about a person may correct (``SupporterAccess.may_edit_field``).
CONTACT_FIELDS = frozenset(
    {"phones", "emails", "addresses", "preferred_name", "pronouns", "language"}
)


@dataclass(frozen=True)
class SupporterAccess:
    """A supporter the viewer may see, with what the viewer may do with them.

    In the spirit of healthchecks' ``_get_check_for_user`` (the check *and* ``rw``): pages,
    the API, OSDI, exports, webhooks and offline packets read these answers; none computes
    its own. Services ask for one themselves (``supporter_access``) and raise
    ``PermissionDenied`` when a capability is missing.

    - ``can_see_sensitive``: sensitive notes, their revisions and history lines, and what was
      heard when marked sensitive — organizers of the person's team, data staff, admins;
    - ``can_edit``: write about them (notes, conversations), tag them, record consent, relate
      them to people they know, and correct their contact details (``may_edit_field``) —
      everyone who may see them;
    - ``can_organize``: assign, reassign follow-ups, merge, review duplicates, and change
      every detail of the record (``may_edit_field``) — organizers of the person's team,
      data staff, admins.
    """

    supporter: Supporter
    viewer: User
    can_see_sensitive: bool
    can_edit: bool
    can_organize: bool

    @property
    def can_erase(self) -> bool:
        """Erase them everywhere on request (``supporters.erasure``): admins; data staff when
        ``ERASURE_BY_DATA_STAFF`` is on (``organizing.roles.user_may_erase``)."""
        return user_may_erase(self.viewer)

    @property
    def can_see_recent_readers(self) -> bool:
        """See who opened their record lately (from the audit log): those who organize them."""
        return user_may_see_recent_readers(self.viewer, self.supporter.team_id)

    def may_edit_field(self, name: str) -> bool:
        """Change one of the record's own fields (``supporter_update``'s names), or one of
        its kinds of rows: ``phones``, ``emails``, ``addresses`` (contact points) and
        ``external_ids``.

        The rule for editing a person: those who organize them (their team's organizers,
        data staff, admins) change everything. Someone who sees them without organizing them
        (a volunteer with the person assigned or known, an organizer of another team who
        knows them) corrects their contact details only: how to reach them (phones, emails,
        addresses) and how to address them (``CONTACT_FIELDS``: preferred name, pronouns,
        language), which is what a volunteer hears at the door. Typed judgements and records
        — names as registered, support level, custom fields, external IDs, the engagement
        override — are the organizers'. A volunteer's support level still reaches the record
        from a survey answer in a conversation they log, where it carries that conversation
        (``supporter_update(answered_in=…)``), never as a bare edit.
        """
        if self.can_organize:
            return True
        return self.can_edit and name in CONTACT_FIELDS

    def may_assign_to(self, volunteer: User) -> bool:
        """Give this person to ``volunteer``: those who organize them, to an active member
        of the person's team (any role)."""
        return (
            self.can_organize
            and volunteer.is_active
            and self.supporter.team_id in user_team_ids(volunteer)
        )

    def may_complete(self, followup) -> bool:
        """Close a follow-up: the person it is given to, or someone who organizes them."""
        return self.can_organize or (
            followup.assignee_id is not None and followup.assignee_id == self.viewer.pk
        )

    def may_reassign(self, followup) -> bool:
        """Give a follow-up to someone else: those who organize the person."""
        return self.can_organize

    def may_edit_note(self, note) -> bool:
        """Correct a note: sensitive ones only with ``can_see_sensitive``; others their author
        or someone who may read sensitive text (the person's organizers and above)."""
        if note.kind == "sensitive":
            return self.can_see_sensitive
        return self.can_see_sensitive or (
            note.author_id is not None and note.author_id == self.viewer.pk
        )

    def may_mark_sensitive(self) -> bool:
        """Turn a note (or a confirmed suggestion) sensitive: anyone who may write about the
        person may hide something; reading it back is ``can_see_sensitive``'s."""
        return self.can_edit


def supporter_access_of_visible(viewer: User, supporter: Supporter) -> SupporterAccess:
    """The capabilities for a supporter just read through ``supporter_list(viewer=…)`` (the
    brief's one query): no second visibility check. Everyone else uses ``supporter_access``."""
    return _access(viewer, supporter)


def _access(viewer: User, supporter: Supporter) -> SupporterAccess:
    organizes = user_organizes(viewer, supporter.team_id)
    return SupporterAccess(
        supporter=supporter,
        viewer=viewer,
        can_see_sensitive=organizes,
        can_edit=True,
        can_organize=organizes,
    )


def supporter_access_get(*, viewer: User, pk: int) -> SupporterAccess:
    """Supporter ``pk`` with what ``viewer`` may do with them; outside their scope a 404."""
    return _access(viewer, supporter_get(viewer=viewer, pk=pk))


def supporter_access(*, viewer: User, supporter: Supporter) -> SupporterAccess:
    """What ``viewer`` may do with a supporter already in hand; a 404 when they may not see
    them at all. Free of queries for the system, data staff, admins and the person's team
    organizers; one indexed query otherwise."""
    if viewer is None:
        raise TypeError("Pass an actor: a user, or organizing.roles.SYSTEM for Earshot's own work.")
    if is_system(viewer) or user_organizes(viewer, supporter.team_id):
        return _access(viewer, supporter)
    if not supporter_list(viewer=viewer).filter(pk=supporter.pk).exists():
        raise Http404(_("No such supporter."))
    return _access(viewer, supporter)


def supporter_list_importable(*, viewer: User) -> QuerySet[Supporter]:
    """THE rule for what an import by ``viewer`` may match and update: the people they
    organize (their teams' for an organizer; everyone for data staff and admins, and the
    system). A row that matches someone outside it is never shown or changed: it counts as
    new in the importer's counts, and the pair goes to duplicate review, which only those who
    organize both people see (``duplicate_list``)."""
    if is_system(viewer) or user_is_organization_wide(viewer):
        return Supporter.objects.all()
    return Supporter.objects.filter(team_id__in=team_ids_organized_by(viewer))


def supporter_importable_team_ids(*, viewer: User) -> set[int] | None:
    """The teams of ``supporter_list_importable`` as ids; None means every team."""
    if is_system(viewer) or user_is_organization_wide(viewer):
        return None
    return set(team_ids_organized_by(viewer))


def sensitive_team_ids(viewer: User) -> set[int] | None:
    """Teams whose people's sensitive text ``viewer`` may read; None means every team.

    The same rule as ``SupporterAccess.can_see_sensitive``, for lists that span many people
    (the notes and conversations APIs, history, exports, webhooks)."""
    if user_is_organization_wide(viewer):
        return None
    return set(team_ids_organized_by(viewer))


def team_for_new_person(*, viewer: User, team_id: int | None = None) -> Team:
    """The team a person added by ``viewer`` joins, for the page, the API and OSDI alike.

    ``team_id`` when given (it must be one ``viewer`` may add to); otherwise
    ``OSDI_DEFAULT_TEAM`` (a slug) when set; otherwise ``viewer``'s first team. When none can
    be chosen, a ValidationError on ``team`` says how to fix it.
    """
    allowed = set(team_ids_user_may_add_people_to(viewer))
    if team_id is not None:
        team = Team.objects.filter(pk=team_id).first()
        if team is None or team.pk not in allowed:
            raise ValidationError({"team": _("You may not add people to this team.")})
        return team
    if settings.OSDI_DEFAULT_TEAM:
        team = Team.objects.filter(slug=settings.OSDI_DEFAULT_TEAM).first()
        if team is None:
            raise ValidationError(
                {
                    "team": _(
                        "OSDI_DEFAULT_TEAM names the team %(slug)r, which does not exist; set it "
                        "to an existing team's slug."
                    )
                    % {"slug": settings.OSDI_DEFAULT_TEAM}
                }
            )
        if team.pk not in allowed:
            raise ValidationError(
                {
                    "team": _("You may not add people to %(team)s (OSDI_DEFAULT_TEAM).")
                    % {"team": team}
                }
            )
        return team
    first = next(iter(user_team_ids(viewer)), None)
    if first is None:
        raise ValidationError(
            {
                "team": _(
                    "You belong to no team, so say which one new people join: send `team` "
                    "(a team id) with the person, or set OSDI_DEFAULT_TEAM to a team's slug (for "
                    "OSDI clients such as parsons, which cannot send one)."
                )
            }
        )
    return Team.objects.get(pk=first)


def segment_may_change(*, viewer: User, segment) -> bool:
    """THE segment rule: its maker, data staff and admins change or delete it (organizers and
    above save new ones: ``organizing.roles.user_is_organizer_or_above``)."""
    return user_is_organization_wide(viewer) or (
        segment.created_by_id is not None and segment.created_by_id == getattr(viewer, "pk", None)
    )

"""Every role predicate, once. Pages, the API, OSDI, services and tasks call these; none
re-types a role check (``is_superuser``, ``Membership.Role.…``) of its own.

Who may see which supporter builds on these in ``supporters.selectors.supporter_list``; what a
viewer may do with one supporter comes back from ``supporters.selectors.supporter_access``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings

from .models import Membership, Team, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


@dataclass(frozen=True)
class SystemActor:
    """Work Earshot does by itself (a scheduling rule, the enrichment worker, a sweep).

    Only tasks and management commands pass ``SYSTEM``: no request can produce it, since pages,
    the API and OSDI always pass ``request.user``. Services accept it wherever they take an
    ``actor``, let it through every check, and record it as nobody (``actor=None`` in history
    and audit rows, with the machine named in ``details``).
    """

    name: str = "earshot"

    is_authenticated = True
    is_active = True
    pk = None
    id = None

    def __str__(self) -> str:
        return f"Earshot ({self.name})"


SYSTEM = SystemActor()

Actor = User | SystemActor


def is_system(actor: object) -> bool:
    return isinstance(actor, SystemActor)


def as_user(actor: Actor | None) -> User | None:
    """The user to store as who did something: nobody for the system."""
    if actor is None or is_system(actor) or not getattr(actor, "is_authenticated", False):
        return None
    return actor  # type: ignore[return-value]


def _is_live(user: User | AnonymousUser | SystemActor | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def user_memberships(user: User) -> list[tuple[int, str]]:
    """The user's ``(team_id, role)`` pairs, read once per user instance.

    Cached on the instance the way Django caches permissions (``_perm_cache``): a request
    loads its user afresh, so a page asks the database once however many checks it makes.
    Code that changes someone's roles and re-checks them must re-read the user.
    """
    if is_system(user):
        return []
    cached = getattr(user, "_earshot_memberships", None)
    if cached is None:
        cached = list(user.memberships.values_list("team_id", "role"))
        user._earshot_memberships = cached
    return cached


def user_is_organization_wide(user) -> bool:
    """Data staff, admins and superusers see every supporter, whatever their team."""
    if is_system(user):
        return True
    if not _is_live(user):
        return False
    if user.is_superuser:
        return True
    return any(role in Membership.ORGANIZATION_WIDE_ROLES for _, role in user_memberships(user))


def user_is_admin(user) -> bool:
    """Admins and superusers: users, roles, every team's keys and webhooks."""
    if is_system(user):
        return True
    if not _is_live(user):
        return False
    return user.is_superuser or any(
        role == Membership.Role.ADMIN for _, role in user_memberships(user)
    )


def team_ids_organized_by(user) -> list[int]:
    """Teams in which ``user`` is an organizer (admins and superusers: every team)."""
    if not _is_live(user):
        return []
    if user_is_admin(user):
        return list(Team.objects.values_list("id", flat=True))
    return [
        team_id for team_id, role in user_memberships(user) if role == Membership.Role.ORGANIZER
    ]


def team_ids_with_role(user, role: str) -> set[int]:
    """Teams in which ``user`` holds ``role`` itself (no implied roles)."""
    if not _is_live(user):
        return set()
    return {team_id for team_id, held in user_memberships(user) if held == role}


def user_organizes(user, team_id: int | None) -> bool:
    """May ``user`` act as an organizer for ``team_id`` (sensitive text, assignments, merges)?

    Organizers of that team, data staff, admins and superusers.
    """
    if not _is_live(user):
        return False
    return user_is_organization_wide(user) or any(
        t == team_id and role == Membership.Role.ORGANIZER for t, role in user_memberships(user)
    )


def user_team_ids(user) -> list[int]:
    """Teams the user belongs to in any role."""
    if not _is_live(user):
        return []
    return sorted({team_id for team_id, _ in user_memberships(user)})


def user_works_for_team(user, team_id: int | None) -> bool:
    """May ``user`` work ``team_id``'s field lists (call lists: "Next call")? Any member of
    the team, in any role, and whoever organizes it (data staff, admins: every team)."""
    if not _is_live(user) or team_id is None:
        return False
    return user_organizes(user, team_id) or any(t == team_id for t, _ in user_memberships(user))


def user_is_organizer_or_above(user) -> bool:
    """Organizers of any team, data staff, admins: who keeps the shared lists and pages
    (tags, issues, survey questions, rules, segments, webhooks, duplicate review)."""
    return user_is_organization_wide(user) or bool(team_ids_organized_by(user))


def team_ids_overseen_by(user) -> list[int]:
    """Teams whose supporters ``user`` looks after on the organizer pages.

    Organizers: the teams they organize; data staff, admins and superusers: every team.
    """
    if user_is_organization_wide(user):
        return list(Team.objects.values_list("id", flat=True))
    return team_ids_organized_by(user)


def team_ids_user_may_add_people_to(user) -> list[int]:
    """Teams ``user`` may add supporters to: any team they belong to; every team for data
    staff, admins and superusers."""
    if user_is_organization_wide(user):
        return list(Team.objects.values_list("id", flat=True))
    return user_team_ids(user)


def team_ids_user_may_import_into(user) -> list[int]:
    """Teams ``user`` may import a file of people into: the teams they organize; every team
    for data staff, admins and superusers. Volunteers import nobody."""
    return team_ids_overseen_by(user)


def user_may_export(user) -> bool:
    """Whole-organization exports (segments, export jobs, export keys): data staff and admins."""
    return user_is_organization_wide(user)


def user_may_download_segments(user) -> bool:
    """Download a segment (the page's CSV, the API's streamed export): organizers, of the
    people of the teams they organize only; data staff and admins, of everyone
    (``user_may_export``). Export jobs and org-wide files stay ``user_may_export``'s."""
    return user_is_organizer_or_above(user)


def user_roles(user) -> set[str]:
    """The roles ``user`` holds in any team; superusers and Django staff count as admins."""
    if not _is_live(user) or is_system(user):
        return set()
    roles = {role for _, role in user_memberships(user)}
    if user.is_superuser or user.is_staff:
        roles.add(Membership.Role.ADMIN)
    return roles


def user_must_have_mfa(user) -> bool:
    """Must ``user`` sign in with a second factor? Anyone holding a role in
    ``settings.MFA_REQUIRED_ROLES`` (default: organizers, data staff, admins)."""
    return bool(user_roles(user) & set(settings.MFA_REQUIRED_ROLES))


def user_session_idle_minutes(user) -> int:
    """How long a session of ``user`` may sit unused: ``SESSION_IDLE_MINUTES`` for organizers
    and above, ``SESSION_IDLE_MINUTES_VOLUNTEER`` for everyone else."""
    if user_is_organizer_or_above(user) or Membership.Role.ADMIN in user_roles(user):
        return settings.SESSION_IDLE_MINUTES
    return settings.SESSION_IDLE_MINUTES_VOLUNTEER


def user_may_erase(user) -> bool:
    """Erase a person everywhere on request: admins; data staff too when
    ``settings.ERASURE_BY_DATA_STAFF`` is on. Never the system actor (a person decides)."""
    if is_system(user) or not _is_live(user):
        return False
    if user_is_admin(user):
        return True
    return settings.ERASURE_BY_DATA_STAFF and any(
        role == Membership.Role.DATA_STAFF for _, role in user_memberships(user)
    )


def user_may_read_audit(user) -> bool:
    """Read the audit trail (the page, its CSV and the API): admins and data staff."""
    if is_system(user):
        return True
    return user_is_organization_wide(user)


def user_may_see_recent_readers(user, team_id: int | None) -> bool:
    """See, on a supporter's page, who opened it lately: those who organize the person."""
    return user_organizes(user, team_id)

"""The shared cast, in the spirit of healthchecks' alice/bob/charlie (``hc/test.py``).

What each person may access (the access model of issue 10; ``maria_case`` builds the person
who splits the rules):

- ``volunteer`` (Alice) volunteers on Eastside. She sees her own people (assigned, known);
  Maria is assigned to her, so she may read Maria's brief, write about her and close the
  follow-up given to her, but never read Maria's sensitive text, assign, reassign or merge.
- ``teammate`` (Bob) volunteers on Eastside and knows Maria but is not assigned her: he sees
  Maria and may write about her, but may not close Alice's follow-up, and reads no
  sensitive text.
- ``organizer`` (Olivia) organizes Eastside: every Eastside person, their sensitive text,
  assigning, reassigning, merging. She may not export.
- ``other_organizer`` (Charlie) organizes Westside. He knows Maria (Eastside) personally, so
  he sees her as a volunteer would: no sensitive text, no organizing her, no closing others'
  follow-ups. He organizes Westside's people only.
- ``data_staff`` (Priya) and ``admin`` (Ada) see everyone and everything, and export.
- ``ended_volunteer`` (Evan) volunteers on Eastside; Maria was assigned to him once, but
  that assignment ended: Maria is outside his scope now (404 everywhere).
- ``loner`` (Lou) belongs to no team: he sees nobody (404 everywhere), adds nobody.
- ``inactive`` (Ines) was an Eastside volunteer who knows Maria; her account is switched
  off, so every way in asks her to sign in (pages) or refuses her key (401).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from organizing.models import Membership
from organizing.translations import compile_catalogs
from tests.factories import MembershipFactory, TeamFactory, UserFactory

PASSWORD = "correct horse battery"


def _member(email: str, name: str, team, role: str, **user_fields):
    # Organizers, data staff and admins sign in with a second factor: an authenticator app
    # with tests.factories.TOTP_SECRET (MembershipFactory adds it).
    user = UserFactory(email=email, full_name=name, **user_fields)
    MembershipFactory(user=user, team=team, role=role)
    return user


@pytest.fixture
def eastside(db):
    return TeamFactory(name="Eastside Neighbors", slug="eastside")


@pytest.fixture
def westside(db):
    return TeamFactory(name="Westside Tenants", slug="westside")


@pytest.fixture
def volunteer(eastside):
    return _member("alice@example.org", "Alice Volunteer", eastside, Membership.Role.VOLUNTEER)


@pytest.fixture
def teammate(eastside):
    return _member("bob@example.org", "Bob Teammate", eastside, Membership.Role.VOLUNTEER)


@pytest.fixture
def organizer(eastside):
    return _member("olivia@example.org", "Olivia Organizer", eastside, Membership.Role.ORGANIZER)


@pytest.fixture
def other_organizer(westside):
    return _member("charlie@example.org", "Charlie Organizer", westside, Membership.Role.ORGANIZER)


@pytest.fixture
def data_staff(eastside):
    return _member("priya@example.org", "Priya Data", eastside, Membership.Role.DATA_STAFF)


@pytest.fixture
def admin(eastside):
    return _member("ada@example.org", "Ada Admin", eastside, Membership.Role.ADMIN, is_staff=True)


@pytest.fixture
def ended_volunteer(eastside):
    return _member("evan@example.org", "Evan Ended", eastside, Membership.Role.VOLUNTEER)


@pytest.fixture
def loner(db):
    return UserFactory(email="lou@example.org", full_name="Lou Noteam")


@pytest.fixture
def inactive(eastside):
    # Made active (so the tests can give her a key and a relationship the usual way), then
    # switched off by ``maria_case``: what she had must no longer open anything.
    return _member("ines@example.org", "Ines Inactive", eastside, Membership.Role.VOLUNTEER)


# The words the cast must not read unless they may see Maria's sensitive text.
SENSITIVE_NOTE = "Undocumented; never send anyone in uniform"
LATER_SENSITIVE_NOTE = "Sleeping at the shelter on Fifth for now"
SENSITIVE_HEARD = "Her brother was detained by immigration last week"
SUGGESTION_EVIDENCE = "brother was detained by immigration"
SECRETS = (SENSITIVE_NOTE, LATER_SENSITIVE_NOTE, SENSITIVE_HEARD, SUGGESTION_EVIDENCE)


@dataclass
class MariaCase:
    """Maria Lopez of Eastside and what the cast says about her (see the module docstring)."""

    maria: Any
    duplicate: Any  # "Maria L.", a probable duplicate of Maria, seen by the same people
    pair: Any  # the DuplicateCandidate of the two
    sensitive_note: Any
    later_sensitive_note: Any  # written general by Alice, marked sensitive by Olivia
    conversation: Any  # heard marked sensitive
    suggestion: Any  # quotes what was heard
    followup: Any  # open, given to Alice
    cast: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def maria_case(
    eastside,
    volunteer,
    teammate,
    organizer,
    other_organizer,
    data_staff,
    admin,
    ended_volunteer,
    loner,
    inactive,
) -> MariaCase:
    import uuid

    from django.utils import timezone

    from conversations.models import Note, Suggestion
    from conversations.services import conversation_log, followup_create, note_create, note_update
    from supporters.models import DuplicateCandidate, Relationship
    from supporters.services import assignment_create, relationship_create, supporter_create

    maria = supporter_create(
        actor=organizer,
        team=eastside,
        given_name="Maria",
        family_name="Lopez",
        email="maria@example.org",
    )
    duplicate = supporter_create(
        actor=organizer, team=eastside, given_name="Maria", family_name="L."
    )
    # Evan had her first; the assignment to Alice ends his.
    assignment_create(actor=organizer, supporter=maria, volunteer=ended_volunteer)
    assignment_create(actor=organizer, supporter=maria, volunteer=volunteer)
    assignment_create(actor=organizer, supporter=duplicate, volunteer=volunteer)
    for person in (maria, duplicate):
        for knower in (teammate, other_organizer, inactive):
            relationship_create(
                actor=organizer, supporter=person, kind=Relationship.Kind.FRIEND, known_by=knower
            )
    sensitive_note = note_create(
        actor=organizer, supporter=maria, kind=Note.Kind.SENSITIVE, body=SENSITIVE_NOTE
    )
    later = note_create(
        actor=volunteer, supporter=maria, kind=Note.Kind.GENERAL, body=LATER_SENSITIVE_NOTE
    )
    later = note_update(
        note=later,
        actor=organizer,
        body=f"{LATER_SENSITIVE_NOTE}; ask Olivia before visiting",
        kind=Note.Kind.SENSITIVE,
        is_pinned=False,
    )
    conversation, _ = conversation_log(
        actor=volunteer,
        supporter=maria,
        client_uuid=uuid.uuid4(),
        channel="door",
        outcome="talked",
        heard=SENSITIVE_HEARD,
        heard_is_sensitive=True,
    )
    suggestion = Suggestion.objects.create(
        supporter=maria,
        conversation=conversation,
        category=Suggestion.Category.FAMILY,
        text="Brother detained",
        evidence=SUGGESTION_EVIDENCE,
        enricher="listening.family",
    )
    followup, _ = followup_create(
        actor=organizer,
        supporter=maria,
        assignee=volunteer,
        due_at=timezone.now() + timezone.timedelta(days=2),
        reason="Call back after the hearing",
    )
    pair = DuplicateCandidate.objects.create(
        first=maria, second=duplicate, score=90, reasons=["name"], enricher="duplicates"
    )
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    return MariaCase(
        maria=maria,
        duplicate=duplicate,
        pair=pair,
        sensitive_note=sensitive_note,
        later_sensitive_note=later,
        conversation=conversation,
        suggestion=suggestion,
        followup=followup,
        cast={
            "alice": volunteer,
            "bob": teammate,
            "olivia": organizer,
            "charlie": other_organizer,
            "priya": data_staff,
            "ada": admin,
            "evan": ended_volunteer,
            "lou": loner,
            "ines": inactive,
        },
    )


@pytest.fixture
def redis_down():
    """(down, up): point this process's Celery producer at a port where no Redis listens, and
    back. Undone at the end of the test either way."""
    from organizing.celery import app

    original = app.conf.broker_url

    def use(url):
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    yield (lambda: use("redis://127.0.0.1:9/0")), (lambda: use(original))
    use(original)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # Pages render without a collectstatic run; the manifest is the launcher's concern.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _default_followup_rules(request):
    # Migration 0005 seeds the default rules, but a transactional test's flush removes them
    # for the tests after it; put them back wherever a test uses the database.
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if "transactional_db" in names or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker:
        request.getfixturevalue("db")
    else:
        return
    from conversations.followups import followup_rules_ensure_defaults

    followup_rules_ensure_defaults()


def pytest_sessionstart(session) -> None:
    """Build the .mo files from the committed .po files (they are never committed), so a
    plain `pytest` reads the same Spanish as `make test` and `make run`."""
    compile_catalogs()

"""The shared cast, in the spirit of healthchecks' alice/bob/charlie.

- ``volunteer`` (Alice) and ``teammate`` (Bob) volunteer on the Eastside team;
- ``organizer`` (Olivia) organizes Eastside;
- ``other_organizer`` (Charlie) organizes Westside, another team;
- ``data_staff`` (Priya) and ``admin`` (Ada) see everyone.
"""

from __future__ import annotations

import pytest

from organizing.models import Membership
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

"""The demo campaign loads once, looks like a real one, and was written the way real use
writes: through the services, by people the access model allows, dated as the story goes.

The demo is loaded once for this module (it writes ~8,000 things through the services) and
rolled back after it; each test runs in a savepoint inside that load.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Min
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from conversations.models import Conversation, FollowUp, Note, NoteRevision, Suggestion
from conversations.tasks import conversation_listen_task
from demo.text_organization import DEMO_LOGINS, DEMO_PASSWORD
from organizing.models import Membership, Team, User
from organizing.roles import user_organizes
from supporters.models import (
    Assignment,
    DoNotContact,
    HistoryEvent,
    Relationship,
    Supporter,
    SupporterTag,
)
from supporters.selectors import supporter_list

pytestmark = pytest.mark.django_db

FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as tests/conftest.py sets


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    """``seed_demo`` once for the module, in a transaction rolled back at the end."""
    out = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=FAST_HASHING):
            call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def counts():
    return (
        Team.objects.count(),
        User.objects.count(),
        Supporter.objects.count(),
        Conversation.objects.count(),
        HistoryEvent.objects.count(),
    )


def test_seed_demo_loads_a_campaign_once(demo):
    assert "Loaded demo data" in demo
    loaded = counts()
    assert loaded[0] == 3
    assert loaded[1] == 10
    assert 450 <= loaded[2] <= 550
    assert 1400 <= loaded[3] <= 1600
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Membership.Role.values)
    assert DoNotContact.objects.exists()
    assert FollowUp.objects.filter(status="open").count() >= 100
    ana = User.objects.get(email="ana@example.org")
    maria_note = Note.objects.get(
        body="Son is an Iraq war veteran", kind=Note.Kind.REMEMBER, supporter__given_name="Maria"
    )
    assert maria_note.supporter in supporter_list(viewer=ana)

    out = io.StringIO()
    call_command("seed_demo", stdout=out)  # second run: nothing added
    assert out.getvalue().strip() == "Demo data already loaded."
    assert counts() == loaded


def test_demo_logins_work_with_the_published_password(client):
    for email, _role in DEMO_LOGINS:
        response = client.post("/accounts/login/", {"login": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        client.logout()


def test_every_history_line_follows_the_person_being_added_and_none_is_in_the_future():
    now = timezone.now()
    assert not HistoryEvent.objects.filter(at__gt=now).exists()
    first_added = {
        row["supporter_id"]: row["first"]
        for row in HistoryEvent.objects.filter(kind=HistoryEvent.Kind.CREATED)
        .values("supporter_id")
        .annotate(first=Min("at"))
    }
    earliest = dict(
        HistoryEvent.objects.values("supporter_id")
        .annotate(first=Min("at"))
        .values_list("supporter_id", "first")
    )
    assert set(first_added) == set(Supporter.objects.values_list("pk", flat=True))
    assert all(earliest[pk] == first_added[pk] for pk in earliest)
    # Rows carry the dates their lines do.
    happened = dict(Conversation.objects.values_list("pk", "happened_at"))
    for subject_id, at in HistoryEvent.objects.filter(
        kind=HistoryEvent.Kind.CONVERSATION
    ).values_list("subject_id", "at"):
        assert at == happened[subject_id]
    written = dict(Note.objects.values_list("pk", "created_at"))
    for subject_id, at in HistoryEvent.objects.filter(
        kind__in=[HistoryEvent.Kind.NOTE, HistoryEvent.Kind.REMEMBER]
    ).values_list("subject_id", "at"):
        assert at == written[subject_id]
    assert Supporter.objects.filter(created_at__lt=now - timedelta(days=30)).count() > 100


def test_the_history_has_every_kind_the_services_write():
    kinds = set(HistoryEvent.objects.values_list("kind", flat=True))
    assert {
        HistoryEvent.Kind.CREATED,
        HistoryEvent.Kind.ASSIGNED,
        HistoryEvent.Kind.TAG_ADDED,
        HistoryEvent.Kind.CONSENT_SET,
        HistoryEvent.Kind.CONVERSATION,
        HistoryEvent.Kind.REMEMBER,
        HistoryEvent.Kind.NOTE,
        HistoryEvent.Kind.NOTE_EDITED,
        HistoryEvent.Kind.FOLLOW_UP_CREATED,
        HistoryEvent.Kind.FOLLOW_UP_REASSIGNED,
        HistoryEvent.Kind.FOLLOW_UP_DONE,
        HistoryEvent.Kind.MERGED,
        HistoryEvent.Kind.UPDATED,
    } <= kinds
    assert NoteRevision.objects.exists()


def test_every_act_is_one_the_access_model_allows():
    visible = {
        user.pk: set(supporter_list(viewer=user).values_list("pk", flat=True))
        for user in User.objects.all()
    }

    def sees(user: User, supporter_id: int) -> bool:
        return supporter_id in visible[user.pk]

    # A volunteer logs conversations only with people they see; others are the organizer's.
    for conversation in Conversation.objects.select_related("volunteer", "supporter"):
        assert sees(conversation.volunteer, conversation.supporter_id), conversation.pk
    # Tags and consent come from someone who sees the person.
    for tagging in SupporterTag.objects.select_related("added_by"):
        assert sees(tagging.added_by, tagging.supporter_id)
    for flag in DoNotContact.objects.select_related("set_by"):
        assert sees(flag.set_by, flag.supporter_id)
    # Assignments, merges, relationships recorded for someone else: the team's organizer.
    for assignment in Assignment.objects.select_related("assigned_by", "supporter"):
        assert user_organizes(assignment.assigned_by, assignment.supporter.team_id)
    for line in HistoryEvent.objects.filter(
        kind__in=[HistoryEvent.Kind.MERGED, HistoryEvent.Kind.FOLLOW_UP_REASSIGNED]
    ).select_related("actor", "supporter"):
        assert user_organizes(line.actor, line.supporter.team_id)
    for relationship in Relationship.objects.exclude(created_by=F("known_by")).select_related(
        "created_by", "supporter"
    ):
        assert user_organizes(relationship.created_by, relationship.supporter.team_id)
    # Sensitive notes by the team's organizers; corrections by the note's author.
    for note in Note.objects.filter(kind=Note.Kind.SENSITIVE).select_related("supporter"):
        assert user_organizes(note.author, note.supporter.team_id)
    for revision in NoteRevision.objects.select_related("note"):
        assert revision.edited_by_id == revision.note.author_id
    # Follow-ups: given to someone who sees the person, done by their assignee.
    for followup in FollowUp.objects.select_related("assignee"):
        assert sees(followup.assignee, followup.supporter_id)
    assert not FollowUp.objects.filter(status="done").exclude(completed_by=F("assignee")).exists()


def test_marias_story_from_the_design_brief(client):
    ana = User.objects.get(email="ana@example.org")
    maria = Note.objects.get(
        body="Son is an Iraq war veteran",
        supporter__given_name="Maria",
        supporter__family_name="Delgado",
    ).supporter
    conversations = list(maria.conversations.order_by("happened_at"))
    assert [(c.volunteer, c.outcome) for c in conversations] == [
        (ana, "not_home"),
        (ana, "talked"),
        (ana, "talked"),
    ]
    assert maria.followups.get(status="open").assignee == ana
    # The worker listens to what she told Ana (here run in-process) and suggests the rest.
    for conversation in conversations:
        conversation_listen_task(conversation.pk)
    assert Suggestion.objects.filter(supporter=maria, status="suggested").exists()
    client.force_login(ana)
    home = client.get(reverse("home"))
    assert "Maria Delgado" in home.content.decode()
    brief = client.get(reverse("conversations:brief", args=[maria.pk])).content.decode()
    assert "Son is an Iraq war veteran" in brief
    assert 'class="suggestions"' in brief


def test_the_organizer_reads_a_sensitive_note_the_volunteer_only_knows_of(client):
    assignment = (
        Assignment.objects.active()
        .filter(supporter__notes__kind=Note.Kind.SENSITIVE)
        .select_related("supporter", "volunteer")
        .first()
    )
    note = assignment.supporter.notes.get(kind=Note.Kind.SENSITIVE)
    organizer = Membership.objects.get(
        team=assignment.supporter.team, role=Membership.Role.ORGANIZER
    ).user
    url = reverse("conversations:brief", args=[note.supporter_id])
    client.force_login(organizer)
    # The page escapes what people typed ("don't" is "don&#x27;t" in the HTML), and which
    # demo note this is depends on the order of rows made in one transaction.
    assert escape(note.body) in client.get(url).content.decode()
    client.force_login(assignment.volunteer)
    brief = client.get(url)
    assert brief.status_code == 200
    assert escape(note.body) not in brief.content.decode()


def test_a_merged_person_keeps_both_histories():
    merged = HistoryEvent.objects.filter(kind=HistoryEvent.Kind.MERGED)
    assert merged.count() == 3
    for line in merged:
        created = HistoryEvent.objects.filter(
            supporter_id=line.supporter_id, kind=HistoryEvent.Kind.CREATED
        )
        assert created.count() == 2  # their own, and the duplicate's from the import


def test_demo_staff_sign_in_with_the_published_totp_secret_and_volunteers_need_none():
    from allauth.mfa.models import Authenticator

    from organizing.mfa_demo import demo_totp_code
    from organizing.roles import user_must_have_mfa

    users = list(User.objects.all())
    staff = [user for user in users if user_must_have_mfa(user)]
    assert staff and len(staff) < len(users)
    with_app = set(
        Authenticator.objects.filter(type=Authenticator.Type.TOTP).values_list("user_id", flat=True)
    )
    assert with_app == {user.pk for user in staff}
    assert len(demo_totp_code()) == 6


def test_the_dashboard_shows_non_trivial_figures_from_the_demo_history():
    """The rollups are derived after the load: sixty days of listening, counted."""
    from metrics.figures import Scope, figures_from_raw, summary

    today = timezone.localdate()
    scope = Scope(None, today - timedelta(days=60), today)
    figures = summary(scope)
    assert figures["activity"]["talked"] > 50
    assert figures["repeat"]["people_repeat"] > 5
    assert figures["repeat"]["median_days_between"] is not None
    assert figures["remembered"]["remembered"] > 10
    assert figures["prepared"]["prepared"] > 20
    assert figures["followups"]["kept"] > 0 and figures["followups"]["due"] > 0
    assert figures["reach"]["relational"] > 0
    assert figures["ladder"]["up"] > 5
    assert figures_from_raw(scope) == figures


def test_the_demo_has_a_past_import_made_through_the_import_services():
    from supporters.importing.models import Import

    job = Import.objects.get()
    assert job.status == Import.Status.DONE
    assert job.counts == {"created": 3, "updated": 2, "error": 1}
    assert (
        HistoryEvent.objects.filter(
            kind=HistoryEvent.Kind.IMPORTED,
            summary__startswith="Imported from sign-in-sheet-2026-11.csv",
        ).count()
        == 5
    )


def test_the_demo_has_a_call_list_ready(demo):
    from calling.models import CallList
    from calling.selectors import Blocked, call_list_queue

    call_list = CallList.objects.get(name="Eastside rent calls")
    assert set(call_list.scripts.values_list("language", flat=True)) == {"en", "es"}
    queue = call_list_queue(call_list=call_list)
    assert queue.total == Supporter.objects.filter(team=call_list.team).count() > 100
    assert queue.by_reason.get(Blocked.DO_NOT_CALL, 0) >= 1  # held back, and the queue says so


def test_the_demo_has_a_walk_list_with_packets_one_out_with_ana():
    from canvass.models import Checkout, WalkList

    walk_list = WalkList.objects.get()
    assert walk_list.door_count > 0
    assert walk_list.packets.count() >= 2
    checkout = Checkout.objects.current().select_related("volunteer").get()
    assert checkout.volunteer.email == "ana@example.org"
    people = set(
        walk_list.doors.filter(packet=checkout.packet).values_list(
            "door_people__supporter", flat=True
        )
    )
    assert people <= set(supporter_list(viewer=checkout.volunteer).values_list("pk", flat=True))

"""The Supporters list (issue 16, item 4): sortable chosen columns, and bulk actions on all
who match — not only the page of 50 — asked of the access model per person, by the worker
with a progress page beyond a hundred people, with who was done and who refused and why."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations.models import FollowUp
from organizing.models import Membership
from supporters.bulk import bulk_action_create, bulk_action_run_chunk
from supporters.models import (
    Assignment,
    BulkAction,
    SupporterAddress,
    SupporterPhone,
    SupporterTag,
    Tag,
)
from supporters.tasks import bulk_action_chunk_task
from tests.factories import ConversationFactory, MembershipFactory, SupporterFactory
from tests.workers import start_worker, stop_worker, wait_for

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    assert response.status_code == 200, response.context["form"].errors
    return [supporter.given_name for supporter in response.context["page"].object_list]


def test_columns_sort_both_ways_with_empty_values_last(client, organizer, eastside):
    ana = SupporterFactory(given_name="Ana", family_name="A", team=eastside, support_level=2)
    ben = SupporterFactory(given_name="Ben", family_name="B", team=eastside, support_level=None)
    cy = SupporterFactory(given_name="Cy", family_name="C", team=eastside, support_level=1)
    SupporterAddress.objects.create(supporter=ben, line1="1", postal_code="60601", is_primary=True)
    SupporterAddress.objects.create(supporter=cy, line1="2", postal_code="10001", is_primary=True)
    ConversationFactory(supporter=ana, happened_at=timezone.now() - timedelta(days=9))
    ConversationFactory(supporter=cy, happened_at=timezone.now() - timedelta(days=1))
    client.force_login(organizer)
    url = reverse("supporters:list")
    assert names(client.get(url)) == ["Ana", "Ben", "Cy"]
    assert names(client.get(url, {"sort": "-name"})) == ["Cy", "Ben", "Ana"]
    assert names(client.get(url, {"sort": "support"})) == ["Cy", "Ana", "Ben"]
    assert names(client.get(url, {"sort": "-support"})) == ["Ana", "Cy", "Ben"]
    assert names(client.get(url, {"sort": "-last_contact"})) == ["Cy", "Ana", "Ben"]
    # A column that is not shown does not sort; neither does nonsense.
    assert names(client.get(url, {"sort": "zip"})) == ["Ana", "Ben", "Cy"]
    assert names(client.get(url, {"sort": "'; drop"})) == ["Ana", "Ben", "Cy"]
    client.get(url, {"columns": ["zip", "phone"], "columns_chosen": "1"})
    assert names(client.get(url, {"sort": "zip"})) == ["Cy", "Ben", "Ana"]
    page = client.get(url, {"sort": "zip"}).content.decode()
    assert 'aria-sort="ascending"' in page and "sort=-zip" in page


def test_chosen_columns_show_phone_email_and_zip(client, organizer, eastside):
    person = SupporterFactory(given_name="Dee", team=eastside)
    SupporterPhone.objects.create(supporter=person, number="(312) 555-0199", is_primary=True)
    SupporterAddress.objects.create(
        supporter=person, line1="1", postal_code="60601", is_primary=True
    )
    client.force_login(organizer)
    url = reverse("supporters:list")
    assert "555-0199" not in client.get(url).content.decode()
    page = client.get(url, {"columns": ["phone", "zip"], "columns_chosen": "1"}).content.decode()
    assert 'href="tel:(312) 555-0199"' in page and "60601" in page
    response = client.get(url)
    assert [head["key"] for head in response.context["headers"]] == ["name", "phone", "zip"]
    assert "60601" in response.content.decode()  # remembered for the next visit


def test_bulk_tag_reaches_everyone_matching_not_only_the_page(client, organizer, eastside):
    tag = Tag.objects.create(name="Tenant")
    SupporterFactory.create_batch(70, team=eastside, language="es")
    SupporterFactory.create_batch(3, team=eastside, language="en")
    client.force_login(organizer)
    response = client.post(
        reverse("supporters:list") + "?q=&support_level=",
        {"action": "tag_add", "tag": tag.pk, "scope": "all"},
    )
    assert response.status_code == 302
    assert SupporterTag.objects.filter(tag=tag).count() == 73  # beyond the page of 50
    job = BulkAction.objects.get()
    assert (job.status, job.done_count, job.refused_count) == ("done", 73, 0)


def test_bulk_on_all_matching_uses_the_lists_filters(client, organizer, eastside):
    tag = Tag.objects.create(name="Tenant")
    SupporterFactory.create_batch(4, team=eastside, support_level=1)
    SupporterFactory.create_batch(2, team=eastside, support_level=4)
    client.force_login(organizer)
    client.post(
        reverse("supporters:list") + "?support_level=1",
        {"action": "tag_add", "tag": tag.pk, "scope": "all"},
    )
    assert set(
        SupporterTag.objects.filter(tag=tag).values_list("supporter__support_level", flat=True)
    ) == {1}
    assert SupporterTag.objects.count() == 4


def test_each_person_is_asked_and_refusals_say_why(
    client, data_staff, volunteer, eastside, westside
):
    """Priya sees both teams; Alice is on Eastside only: Westside's people are refused, named,
    with why, and nothing is done for them."""
    ours = SupporterFactory.create_batch(3, team=eastside, given_name="Ours")
    SupporterFactory.create_batch(2, team=westside, given_name="Theirs")
    client.force_login(data_staff)
    response = client.post(
        reverse("supporters:list"),
        {"action": "assign", "volunteer": volunteer.pk, "scope": "all"},
        follow=True,
    )
    shown = " ".join(str(message) for message in response.context["messages"])
    assert "Assign to a volunteer: done for 3 people." in shown
    assert "Refused for 2: Not on Alice Volunteer's team (2). Who: Theirs" in shown
    assert set(Assignment.objects.active().values_list("supporter_id", flat=True)) == {
        s.pk for s in ours
    }


def test_a_volunteer_may_not_start_a_bulk_action(client, volunteer, eastside):
    tag = Tag.objects.create(name="Tenant")
    SupporterFactory(team=eastside)
    client.force_login(volunteer)
    response = client.post(
        reverse("supporters:list"), {"action": "tag_add", "tag": tag.pk, "scope": "all"}
    )
    assert response.status_code == 403
    assert not BulkAction.objects.exists() and not SupporterTag.objects.exists()


@pytest.mark.parametrize(
    "data,words",
    [
        ({"action": "assign", "scope": "all"}, "Choose the volunteer"),
        ({"action": "tag_add", "scope": "all"}, "Choose the tag"),
        ({"action": "tag_add", "tag": "TAG", "scope": "ticked"}, "Tick the people first"),
        ({"action": "followup", "scope": "all", "followup_reason": "Call"}, "Say by when"),
        (
            {
                "action": "followup",
                "scope": "all",
                "followup_date": "2020-01-01",
                "followup_reason": "x",
            },
            "in the past",
        ),
    ],
)
def test_bad_bulk_choices_say_what_is_missing_and_do_nothing(
    client, organizer, eastside, data, words
):
    tag = Tag.objects.create(name="Tenant")
    SupporterFactory(team=eastside)
    data = {key: (tag.pk if value == "TAG" else value) for key, value in data.items()}
    client.force_login(organizer)
    response = client.post(reverse("supporters:list"), data, follow=True)
    assert words in " ".join(str(message) for message in response.context["messages"])
    assert not BulkAction.objects.exists() and not SupporterTag.objects.exists()


def test_bulk_follow_ups_for_a_volunteer_who_sees_them(client, organizer, volunteer, eastside):
    mine = [
        Assignment.objects.create(supporter=SupporterFactory(team=eastside), volunteer=volunteer)
        for _ in range(2)
    ]
    SupporterFactory(team=eastside, given_name="Unseen")  # Alice does not see this one
    client.force_login(organizer)
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(
        reverse("supporters:list"),
        {
            "action": "followup",
            "scope": "all",
            "followup_assignee": volunteer.pk,
            "followup_date": due,
            "followup_reason": "Invite to the meeting",
        },
        follow=True,
    )
    assert set(FollowUp.objects.values_list("supporter_id", flat=True)) == {
        a.supporter_id for a in mine
    }
    assert FollowUp.objects.filter(assignee=volunteer).count() == 2
    shown = " ".join(str(message) for message in response.context["messages"])
    assert "Refused for 1" in shown and "Unseen" in shown


def test_over_a_hundred_people_go_to_the_worker_with_a_progress_page(
    client, organizer, eastside, settings
):
    settings.BULK_ACTION_CHUNK = 50
    tag = Tag.objects.create(name="Tenant")
    SupporterFactory.create_batch(120, team=eastside)
    client.force_login(organizer)
    response = client.post(
        reverse("supporters:list"), {"action": "tag_add", "tag": tag.pk, "scope": "all"}
    )
    job = BulkAction.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "supporters:bulk", args=[job.pk]
    )
    assert (job.status, job.total, SupporterTag.objects.count()) == ("queued", 120, 0)
    progress = client.get(reverse("supporters:bulk", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert (
        'hx-trigger="every 1s"' in progress.content.decode()
        and "0 of 120" in progress.content.decode()
    )

    cursor = bulk_action_run_chunk(bulk_id=job.pk, after_id=0)  # what the worker does, a chunk
    assert cursor is not None
    # Runs twice, acts once: the same chunk again finds the cursor moved.
    assert bulk_action_run_chunk(bulk_id=job.pk, after_id=0) is None
    job.refresh_from_db()
    assert (job.status, job.done_count, SupporterTag.objects.count()) == ("running", 50, 50)
    assert "50 of 120" in client.get(reverse("supporters:bulk", args=[job.pk])).content.decode()

    bulk_action_chunk_task(job.pk, cursor)  # the task goes on to the end
    job.refresh_from_db()
    assert (job.status, job.done_count, SupporterTag.objects.count()) == ("done", 120, 120)
    done = client.get(reverse("supporters:bulk", args=[job.pk])).content.decode()
    assert "Add a tag: done for 120 people." in done and "hx-trigger" not in done


def test_only_the_requester_follows_a_bulk_action(client, organizer, data_staff, eastside):
    tag = Tag.objects.create(name="Tenant")
    SupporterFactory(team=eastside)
    job = bulk_action_create(
        actor=organizer, action="tag_add", params={"tag": tag.pk}, filter_json={}
    )
    client.force_login(data_staff)
    assert client.get(reverse("supporters:bulk", args=[job.pk])).status_code == 404


def test_a_bulk_action_whose_tag_is_gone_fails_saying_so(organizer, eastside):
    tag = Tag.objects.create(name="Tenant")
    SupporterFactory.create_batch(2, team=eastside)
    job = bulk_action_create(
        actor=organizer, action="tag_add", params={"tag": tag.pk}, filter_json={}, worker_above=0
    )
    tag.delete()
    assert bulk_action_run_chunk(bulk_id=job.pk, after_id=0) is None
    job.refresh_from_db()
    assert job.status == "failed" and "no longer exists" in job.error


def test_an_organizer_who_lost_the_team_since_gets_nothing_done(organizer, eastside):
    tag = Tag.objects.create(name="Tenant")
    SupporterFactory.create_batch(2, team=eastside)
    job = bulk_action_create(
        actor=organizer, action="tag_add", params={"tag": tag.pk}, filter_json={}
    )
    Membership.objects.filter(user=organizer).update(role=Membership.Role.VOLUNTEER)
    bulk_action_chunk_task(job.pk, 0)
    job.refresh_from_db()
    assert job.status == "done" and job.done_count == 0 and not SupporterTag.objects.exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_does_a_bulk_action_in_chunks_once(tmp_path):
    """A real worker against the real Redis, ten people a chunk: 25 people in three chunks,
    and the task delivered twice tags each once."""
    from tests.factories import TeamFactory, UserFactory

    team = TeamFactory()
    organizer = UserFactory()
    MembershipFactory(user=organizer, team=team, role=Membership.Role.ORGANIZER)
    tag = Tag.objects.create(name="Tenant")
    SupporterFactory.create_batch(25, team=team)
    job = bulk_action_create(
        actor=organizer, action="tag_add", params={"tag": tag.pk}, filter_json={}
    )
    queue = f"test-bulk-{uuid.uuid4().hex[:8]}"
    process = start_worker(queue, tmp_path, BULK_ACTION_CHUNK="10")
    try:
        # The test's own queue (the worker listens there only); twice, as a redelivery would.
        bulk_action_chunk_task.apply_async(args=[job.pk, 0], queue=queue)
        bulk_action_chunk_task.apply_async(args=[job.pk, 0], queue=queue)

        def done() -> bool:
            assert process.poll() is None, "the worker died"
            return BulkAction.objects.filter(pk=job.pk, status="done").exists()

        assert wait_for(done), "the worker never finished the bulk action"
    finally:
        stop_worker(process)
    job.refresh_from_db()
    assert (job.done_count, job.cursor) == (
        25,
        max(SupporterTag.objects.values_list("supporter_id", flat=True)),
    )
    assert SupporterTag.objects.filter(tag=tag).count() == 25

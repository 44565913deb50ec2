"""Organizer pages: the follow-up queue with reassignment, and the tidy lists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations.models import FollowUp, Issue, SurveyQuestion
from supporters.models import Assignment, Tag
from supporters.services import tag_add
from tests.factories import AssignmentFactory, FollowUpFactory, SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "status"),
    [("volunteer", 403), ("organizer", 200), ("data_staff", 200), ("admin", 200)],
)
@pytest.mark.parametrize("url_name", ["conversations:followup_queue", "conversations:lists"])
def test_organizer_pages_authorization(client, request, who, status, url_name):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(url_name)).status_code == status


def test_queue_groups_due_and_overdue_by_volunteer_and_leaves_out_other_teams(
    client, organizer, volunteer, teammate, eastside, westside
):
    overdue = FollowUpFactory(
        supporter__team=eastside, assignee=volunteer, due_at=timezone.now() - timedelta(days=4)
    )
    FollowUpFactory(
        supporter__team=eastside, assignee=teammate, due_at=timezone.now() + timedelta(days=9)
    )
    FollowUpFactory(supporter__team=westside, assignee=volunteer, due_at=timezone.now())
    client.force_login(organizer)
    due = client.get(reverse("conversations:followup_queue"))
    assert list(due.context["page"].object_list) == [overdue]
    assert "Overdue" in due.content.decode()
    every = client.get(reverse("conversations:followup_queue"), {"show": "all"})
    assert len(every.context["page"].object_list) == 2


def test_reassigning_gives_the_follow_up_and_access_to_the_new_volunteer(
    client, organizer, volunteer, teammate, eastside
):
    supporter = AssignmentFactory(volunteer=volunteer, supporter__team=eastside).supporter
    followup = FollowUpFactory(supporter=supporter, assignee=volunteer)
    client.force_login(organizer)
    response = client.post(
        reverse("conversations:followup_reassign", args=[followup.pk]), {"assignee": teammate.pk}
    )
    assert response.status_code == 302
    followup.refresh_from_db()
    assert followup.assignee == teammate
    assert Assignment.objects.active().get(supporter=supporter).volunteer == teammate


def test_cannot_reassign_to_someone_off_the_persons_team(
    client, organizer, volunteer, other_organizer, eastside
):
    followup = FollowUpFactory(supporter__team=eastside, assignee=volunteer)
    client.force_login(organizer)
    client.post(
        reverse("conversations:followup_reassign", args=[followup.pk]),
        {"assignee": other_organizer.pk},
    )
    followup.refresh_from_db()
    assert followup.assignee == volunteer


def test_volunteer_and_other_teams_organizer_cannot_reassign(
    client, volunteer, teammate, other_organizer, eastside
):
    followup = FollowUpFactory(
        supporter=AssignmentFactory(volunteer=volunteer, supporter__team=eastside).supporter,
        assignee=volunteer,
    )
    for user, status in ((volunteer, 403), (other_organizer, 404)):
        client.force_login(user)
        response = client.post(
            reverse("conversations:followup_reassign", args=[followup.pk]),
            {"assignee": teammate.pk},
        )
        assert response.status_code == status
    followup.refresh_from_db()
    assert followup.assignee == volunteer


def test_lists_add_issue_question_and_tag_with_clear_errors(client, organizer):
    client.force_login(organizer)
    url = reverse("conversations:lists")
    client.post(url, {"add": "issue", "issue-name": "Rent", "issue-is_active": "on"})
    clash = client.post(url, {"add": "issue", "issue-name": "rent"})
    assert clash.status_code == 400 and "already an issue" in clash.content.decode()
    client.post(
        url,
        {
            "add": "question",
            "question-prompt": "Will you host a meeting?",
            "question-kind": "choice",
            "question-is_active": "on",
            "question-position": "3",
            "question-new_choices": "Yes\nMaybe\nNo",
        },
    )
    question = SurveyQuestion.objects.get()
    assert question.slug == "will-you-host-a-meeting"
    assert list(question.choices.values_list("value", flat=True)) == ["yes", "maybe", "no"]
    bad = client.post(url, {"add": "tag", "tag-name": ""})
    assert bad.status_code == 400 and "tag-name" in bad.content.decode()
    assert Issue.objects.count() == 1 and not Tag.objects.exists()


def test_tag_merge_and_delete_from_the_lists(client, organizer, eastside):
    old, new = Tag.objects.create(name="Tenant"), Tag.objects.create(name="Tenants")
    tag_add(actor=organizer, supporter=SupporterFactory(team=eastside), tag=old)
    client.force_login(organizer)
    url = reverse("conversations:tag_edit", args=[new.pk])
    refused = client.post(reverse("conversations:tag_edit", args=[old.pk]), {"action": "delete"})
    assert refused.status_code == 400 and Tag.objects.filter(pk=old.pk).exists()
    client.post(
        reverse("conversations:tag_edit", args=[old.pk]), {"action": "merge", "target": new.pk}
    )
    assert list(Tag.objects.values_list("name", flat=True)) == ["Tenants"]
    assert new.taggings.count() == 1
    assert client.get(url).status_code == 200


def test_volunteer_cannot_change_lists(client, volunteer):
    client.force_login(volunteer)
    response = client.post(reverse("conversations:lists"), {"add": "issue", "issue-name": "Rent"})
    assert response.status_code == 403 and not Issue.objects.exists()
    assert FollowUp.objects.count() == 0

"""Every model's admin pages open for an admin, and stay shut to everyone else."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import ConversationFactory, FollowUpFactory, NoteFactory, UserFactory

pytestmark = pytest.mark.django_db

MODEL_ADMINS = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in {"organizing", "supporters", "conversations"}
)


@pytest.mark.parametrize(("app_label", "model_name"), MODEL_ADMINS)
def test_admin_changelist_and_add_pages_render(client, app_label, model_name):
    ConversationFactory()
    NoteFactory()
    FollowUpFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert changelist.status_code == 200
    add = client.get(reverse(f"admin:{app_label}_{model_name}_add"))
    assert add.status_code in (200, 403)  # 403: the audit log can't be added to by hand


def test_admin_is_closed_to_volunteers(client, volunteer):
    client.force_login(volunteer)
    response = client.get(reverse("admin:supporters_supporter_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_editing_a_note_in_the_admin_keeps_a_revision(client):
    note = NoteFactory(body="Son served in Iraq")
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    url = reverse("admin:conversations_note_change", args=[note.pk])
    response = client.post(
        url,
        {
            "supporter": note.supporter_id,
            "author": note.author_id,
            "kind": "remember",
            "body": "Son is an Iraq war veteran",
            "created_at_0": note.created_at.strftime("%Y-%m-%d"),
            "created_at_1": note.created_at.strftime("%H:%M:%S"),
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
            "revisions-MIN_NUM_FORMS": "0",
            "revisions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    note.refresh_from_db()
    assert note.body == "Son is an Iraq war veteran"
    assert note.revisions.get().body == "Son served in Iraq"

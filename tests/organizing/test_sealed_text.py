"""Sensitive text encrypted at rest (issue 17, item 11): sensitive notes, their revisions and
what was heard when marked sensitive are stored sealed with FIELD_ENCRYPTION_KEYS, read back
as typed, and re-encrypted by field_keys_rotate; the listener's never-suggest topics seal the
text by themselves."""

from __future__ import annotations

import io
import uuid

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from conversations.listening.services import conversation_listen
from conversations.models import Conversation, Note, NoteRevision
from conversations.services import conversation_log, note_create, note_update
from organizing.sealed import PREFIX, SealedTextUnreadable, sealed_text_reseal
from tests.factories import SupporterFactory

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
SECRET = "Her brother was held at the county jail in March"
PLAIN = "Wants a yard sign for the corner"


def stored(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def keys(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    return settings


@pytest.fixture
def person(eastside):
    return SupporterFactory(team=eastside)


def log(actor, person, heard, sensitive):
    conversation, _ = conversation_log(
        actor=actor,
        supporter=person,
        client_uuid=uuid.uuid4(),
        channel="door",
        outcome="talked",
        heard=heard,
        heard_is_sensitive=sensitive,
    )
    return conversation


def test_what_was_heard_in_confidence_is_sealed_in_the_database(keys, organizer, person):
    sensitive = log(organizer, person, SECRET, True)
    plain = log(organizer, person, PLAIN, False)
    raw = stored("conversations_conversation", "heard", sensitive.pk)
    assert raw.startswith(PREFIX) and "jail" not in raw
    assert stored("conversations_conversation", "heard", plain.pk) == PLAIN
    assert Conversation.objects.get(pk=sensitive.pk).heard == SECRET
    assert list(Conversation.objects.filter(pk=sensitive.pk).values_list("heard", flat=True)) == [
        SECRET
    ]


def test_sensitive_notes_and_their_revisions_are_sealed_and_unsealed_with_the_kind(
    keys, organizer, person
):
    note = note_create(actor=organizer, supporter=person, body=SECRET, kind=Note.Kind.SENSITIVE)
    assert stored("conversations_note", "body", note.pk).startswith(PREFIX)
    note = note_update(
        note=note, actor=organizer, body=PLAIN, kind=Note.Kind.GENERAL, is_pinned=False
    )
    assert stored("conversations_note", "body", note.pk) == PLAIN
    revision = NoteRevision.objects.get(note=note)
    assert revision.body == SECRET  # what it said while sensitive…
    assert stored("conversations_noterevision", "body", revision.pk).startswith(PREFIX)  # …sealed


def test_the_listener_seals_never_suggested_topics_by_itself(keys, volunteer, person, organizer):
    from supporters.services import assignment_create

    assignment_create(actor=organizer, supporter=person, volunteer=volunteer)
    conversation = log(volunteer, person, SECRET, False)
    assert stored("conversations_conversation", "heard", conversation.pk) == SECRET
    assert conversation_listen(conversation.pk)
    conversation.refresh_from_db()
    assert conversation.heard_is_sensitive and conversation.heard == SECRET
    assert stored("conversations_conversation", "heard", conversation.pk).startswith(PREFIX)


def test_rotation_re_encrypts_with_the_new_key_and_seals_what_was_left_plain(
    keys, organizer, person
):
    sealed = log(organizer, person, SECRET, True)
    # A row marked sensitive by an update() that did not seal it (the backfill's job).
    left_plain = log(organizer, person, "Asked us not to come on Sundays", False)
    Conversation.objects.filter(pk=left_plain.pk).update(heard_is_sensitive=True)
    keys.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    out = io.StringIO()
    call_command("field_keys_rotate", "--now", "--batch", "1", stdout=out)
    assert "conversations.Conversation.heard: 2 rows re-stored." in out.getvalue()
    keys.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key can go now
    assert Conversation.objects.get(pk=sealed.pk).heard == SECRET
    assert stored("conversations_conversation", "heard", left_plain.pk).startswith(PREFIX)
    # Twice is harmless: nothing left to do.
    assert sealed_text_reseal(label="conversations.Conversation.heard") == (0, left_plain.pk)


def test_a_missing_key_is_said_plainly(keys, organizer, person):
    conversation = log(organizer, person, SECRET, True)
    keys.FIELD_ENCRYPTION_KEYS = [NEW]
    with pytest.raises(SealedTextUnreadable, match="FIELD_ENCRYPTION_KEYS"):
        Conversation.objects.get(pk=conversation.pk)


def test_the_command_hands_the_work_to_the_worker_by_default(keys, monkeypatch):
    sent = []
    monkeypatch.setattr(
        "organizing.management.commands.field_keys_rotate.send_now",
        lambda task, *args: sent.append((task.name, args)) or True,
    )
    out = io.StringIO()
    call_command("field_keys_rotate", stdout=out)
    labels = {args[0] for _, args in sent}
    assert labels == {
        "conversations.Conversation.heard",
        "conversations.Note.body",
        "conversations.NoteRevision.body",
    }
    assert "queued for the worker" in out.getvalue()


def test_new_key_prints_a_usable_key():
    out = io.StringIO()
    call_command("field_keys_rotate", "--new-key", stdout=out)
    Fernet(out.getvalue().strip().encode())

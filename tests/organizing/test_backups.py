"""Backups that restore (issue 17, item 12): ``backup`` dumps the database to a 0600 file,
``restore`` puts it into a fresh database, where the data is found — sensitive text still
sealed in the file."""

from __future__ import annotations

import io
import stat
import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from conversations.services import conversation_log
from supporters.services import supporter_create

SECRET = "Sleeping in her car since the eviction"


def _url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{db['USER']}{password}@{host}{port}/{name}"


@pytest.fixture
def fresh_database():
    name = f"earshot_restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_the_data(
    tmp_path, fresh_database, organizer, eastside
):
    maria = supporter_create(
        actor=organizer, team=eastside, given_name="Maria", family_name="Backedup"
    )
    conversation_log(
        actor=organizer,
        supporter=maria,
        client_uuid=uuid.uuid4(),
        channel="door",
        outcome="talked",
        heard=SECRET,
        heard_is_sensitive=True,
    )
    target = tmp_path / "earshot.dump"
    out = io.StringIO()
    call_command("backup", "--output", str(target), stdout=out)
    assert "Backup written" in out.getvalue()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    call_command(
        "restore", str(target), "--database-url", _url(fresh_database), "--yes", stdout=out
    )
    with psycopg.connect(_url(fresh_database)) as restored:
        names = restored.execute(
            "SELECT family_name FROM supporters_supporter WHERE id = %s", [maria.pk]
        ).fetchone()
        heard = restored.execute(
            "SELECT heard FROM conversations_conversation WHERE supporter_id = %s", [maria.pk]
        ).fetchone()[0]
        migrations = restored.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
    assert names == ("Backedup",)
    assert heard.startswith("sealed:v1:") and "eviction" not in heard
    assert migrations > 10
    assert b"eviction" not in target.read_bytes()


def test_restore_asks_for_yes_and_names_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path / "x.dump"))
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", str(tmp_path / "x.dump"), "--yes")


@pytest.mark.django_db
def test_backup_refuses_to_overwrite(tmp_path):
    target = tmp_path / "taken.dump"
    target.write_text("keep me")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", "--output", str(target))
    assert target.read_text() == "keep me"

"""Files holding personal data are owner-only (0600) whatever the umask."""

from __future__ import annotations

import os

from django.core import mail

from organizing.private_files import PrivateFileEmailBackend, open_private


def test_file_mail_is_written_owner_only(tmp_path):
    folder = tmp_path / "mail"
    old_umask = os.umask(0o022)
    try:
        connection = mail.get_connection(
            "organizing.private_files.PrivateFileEmailBackend", file_path=str(folder)
        )
        mail.EmailMessage(
            "Hi", "Maria's son served", "a@example.org", ["b@example.org"], connection=connection
        ).send()
    finally:
        os.umask(old_umask)
    (path,) = list(folder.iterdir())
    assert b"Maria's son served" in path.read_bytes()
    assert path.stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700
    assert isinstance(connection, PrivateFileEmailBackend)


def test_open_private_tightens_an_existing_file(tmp_path):
    path = tmp_path / "old.csv"
    path.write_bytes(b"x")
    path.chmod(0o644)
    with open_private(path) as out:
        out.write(b"y")
    assert path.read_bytes() == b"y"
    assert path.stat().st_mode & 0o777 == 0o600


def test_settings_use_the_private_mail_backend(settings):
    from organizing.settings import env_email

    os.environ["EARSHOT_TEST_MAIL"] = "file:///tmp/earshot-mail"
    try:
        assert env_email("EARSHOT_TEST_MAIL", "console:")["EMAIL_BACKEND"] == (
            "organizing.private_files.PrivateFileEmailBackend"
        )
    finally:
        del os.environ["EARSHOT_TEST_MAIL"]

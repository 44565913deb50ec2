"""Files holding personal data are written owner-only (0600), in owner-only folders (0700).

Exports, imports and mail files carry names, addresses and what people said; on a shared host
any local account could read them at the default 0644. Every such file is opened through
``open_private``, which creates it with mode 0600 whatever the process umask, and
``PrivateFileEmailBackend`` is Django's file mail backend doing the same.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from django.core.mail.backends.filebased import EmailBackend

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(path: Path | str) -> Path:
    """Create ``path`` (and parents) if missing; a folder we create is owner-only."""
    path = Path(path)
    if not path.is_dir():
        path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    return path


def open_private(path: Path | str, mode: str = "wb") -> BinaryIO:
    """Open ``path`` for binary writing (``wb`` truncates, ``ab`` appends), created 0600.

    ``os.open`` sets the mode at creation, so the file is never readable by others even for
    an instant; a file that already existed is brought to 0600 as well.
    """
    flags = {"wb": os.O_TRUNC, "ab": os.O_APPEND}[mode] | os.O_WRONLY | os.O_CREAT
    descriptor = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)
        return os.fdopen(descriptor, mode)
    except BaseException:
        os.close(descriptor)
        raise


class PrivateFileEmailBackend(EmailBackend):
    """Django's file-based mail backend, writing each message file 0600 in a 0700 folder."""

    def __init__(self, *args, file_path=None, **kwargs) -> None:
        super().__init__(*args, file_path=file_path, **kwargs)
        # Django has made the folder with the umask's mode; a fresh one is tightened.
        if not any(Path(self.file_path).iterdir()):
            os.chmod(self.file_path, FOLDER_MODE)

    def open(self) -> bool:
        if self.stream is None:
            self.stream = open_private(self._get_filename(), "ab")
            return True
        return False

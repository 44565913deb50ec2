"""The translation catalogues in ``locale/``: compiled here, checked by ``translations_check``.

The ``.po`` files are the source (committed); the ``.mo`` files Django reads are built from
them with polib (pure Python, so no gettext tools are needed to run Earshot) and are never
committed: several people add strings at once, and a binary file cannot be merged. The
launcher (``make run``, ``make test``, ``make manage``), the test suite and the Dockerfile all
call :func:`compile_catalogs` before Django reads a catalogue.

This module imports nothing from Django, so the launcher can call it before settings exist.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polib

BASE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = BASE_DIR / "locale"

# What `makemessages` reads: the project's own code and templates, never the virtualenv,
# local data, vendored files or the tests (their strings are fixtures, not the interface).
MAKEMESSAGES_IGNORE = ["var/*", "static/*", "tests/*", "bench/*", "node_modules/*"]


def catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def compile_catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Write each ``.po`` file's ``.mo`` beside it when missing or older than the ``.po``.
    Safe to run at once from several processes: each ``.mo`` is written to a temporary file
    and renamed into place. Fuzzy entries are left out, as ``msgfmt`` does. Returns the
    ``.mo`` files written."""
    written = []
    for po_path in catalogues(locale_dir):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        catalogue = polib.pofile(str(po_path))
        handle, temporary = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
        os.close(handle)
        try:
            catalogue.save_as_mofile(temporary)
            os.replace(temporary, mo_path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        written.append(mo_path)
    return written


@dataclass
class CatalogueProblems:
    """What is wrong with one ``.po`` file, message by message."""

    path: Path
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    obsolete: list[str] = field(default_factory=list)
    format_errors: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.untranslated or self.fuzzy or self.obsolete or self.format_errors)


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)", text or ""))


def catalogue_problems(po_path: Path) -> CatalogueProblems:
    """Untranslated, fuzzy and obsolete messages, and translations whose placeholders
    (``%(name)s``) differ from the English, which would fail or say the wrong thing."""
    problems = CatalogueProblems(po_path)
    catalogue = polib.pofile(str(po_path))
    for entry in catalogue:
        label = entry.msgid if not entry.msgctxt else f"{entry.msgctxt} | {entry.msgid}"
        if entry.obsolete:
            problems.obsolete.append(label)
            continue
        if "fuzzy" in entry.flags:
            problems.fuzzy.append(label)
            continue
        if not entry.translated():
            problems.untranslated.append(label)
            continue
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        wanted = _placeholders(entry.msgid) | _placeholders(entry.msgid_plural)
        for translation in translations:
            extra = _placeholders(translation) - wanted
            if extra:
                problems.format_errors.append(f"{label} (unknown {', '.join(sorted(extra))})")
    return problems


def translated(po_path: Path) -> dict[tuple[str, str], str | dict[int, str]]:
    """Each (context, English) to its translation, for comparisons and tests."""
    out: dict[tuple[str, str], str | dict[int, str]] = {}
    for entry in polib.pofile(str(po_path)):
        if entry.obsolete:
            continue
        key = (entry.msgctxt or "", entry.msgid)
        out[key] = (
            {int(k): v for k, v in entry.msgstr_plural.items()}
            if entry.msgid_plural
            else entry.msgstr
        )
    return out


# Header lines makemessages rewrites on every run: dropped, so two branches that each add
# strings do not conflict over the date at the top of the catalogue.
VOLATILE_HEADERS = ('"POT-Creation-Date: ', '"PO-Revision-Date: ', '"Report-Msgid-Bugs-To: ')


def tidy_catalogs(locale_dir: Path = LOCALE_DIR) -> None:
    """Drop the volatile header lines; everything else stays as makemessages wrote it."""
    for po_path in catalogues(locale_dir):
        text = po_path.read_text(encoding="utf-8")
        kept = [
            line for line in text.splitlines(keepends=True) if not line.startswith(VOLATILE_HEADERS)
        ]
        if len(kept) != len(text.splitlines()):
            po_path.write_text("".join(kept), encoding="utf-8")


def main(argv: list[str]) -> int:
    """``python -m organizing.translations`` builds the .mo files (the Dockerfile);
    ``… tidy`` then builds them (``make messages``, after makemessages)."""
    if argv[:1] == ["tidy"]:
        tidy_catalogs()
    for path in compile_catalogs():
        print(f"compiled {path.relative_to(BASE_DIR)}")
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))

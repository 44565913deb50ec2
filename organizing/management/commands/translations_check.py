"""Fail when the Spanish (or any) catalogue is behind the code: `make lint` and CI run it.

Two checks, each naming the messages at fault:

1. every message in ``locale/*/LC_MESSAGES/*.po`` is translated, none is fuzzy or obsolete,
   and no translation names a placeholder the English lacks;
2. ``makemessages`` (run into a temporary copy of ``locale/``, so the tree is left as it is)
   would add no message and drop none: every string the code and templates mark for
   translation is in the catalogue.

The fix for either is the README's "Translations" step: ``make messages``, fill in the
Spanish, commit ``locale/es/LC_MESSAGES/django.po``.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from organizing.translations import (
    LOCALE_DIR,
    MAKEMESSAGES_IGNORE,
    catalogue_problems,
    catalogues,
    translated,
)

SHOWN = 20


def _list(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    lines = [f"  {title} ({len(items)}):"]
    lines += [f"    {item!r}" for item in items[:SHOWN]]
    if len(items) > SHOWN:
        lines.append(f"    … and {len(items) - SHOWN} more")
    return lines


class Command(BaseCommand):
    help = "Fail when a catalogue in locale/ is incomplete, fuzzy, or behind makemessages."

    def handle(self, *args, **options) -> None:
        if not shutil.which("xgettext") or not shutil.which("msgmerge"):
            raise CommandError(
                "makemessages needs GNU gettext (xgettext, msgmerge): apt-get install gettext"
            )
        report: list[str] = []
        languages = [code for code, _name in settings.LANGUAGES if code != "en"]
        for po_path in catalogues():
            problems = catalogue_problems(po_path)
            if problems:
                report.append(f"{po_path.relative_to(settings.BASE_DIR)}:")
                report += _list("untranslated", problems.untranslated)
                report += _list("fuzzy", problems.fuzzy)
                report += _list("obsolete (delete them)", problems.obsolete)
                report += _list("placeholders the English lacks", problems.format_errors)
        for language in languages:
            report += self._behind_code(language)
        if report:
            raise CommandError(
                "The translations are behind the code:\n"
                + "\n".join(report)
                + "\nRun `make messages`, fill in the Spanish in "
                "locale/es/LC_MESSAGES/django.po, and commit it (README, Translations)."
            )
        self.stdout.write("Translations complete: " + ", ".join(languages))

    def _behind_code(self, language: str) -> list[str]:
        committed = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
        if not committed.exists():
            return [f"locale/{language}/LC_MESSAGES/django.po is missing."]
        with tempfile.TemporaryDirectory() as temporary:
            copy = Path(temporary) / "locale"
            shutil.copytree(LOCALE_DIR, copy, ignore=shutil.ignore_patterns("*.mo"))
            here = os.getcwd()
            os.chdir(settings.BASE_DIR)  # makemessages reads the tree it is run in
            try:
                with override_settings(LOCALE_PATHS=[copy]):
                    call_command(
                        "makemessages",
                        locale=[language],
                        no_location=True,
                        ignore_patterns=MAKEMESSAGES_IGNORE,
                        verbosity=0,
                        stdout=io.StringIO(),
                    )
            finally:
                os.chdir(here)
            fresh = translated(copy / language / "LC_MESSAGES" / "django.po")
        before = translated(committed)
        added = sorted(msgid for (context, msgid) in set(fresh) - set(before))
        dropped = sorted(msgid for (context, msgid) in set(before) - set(fresh))
        new_untranslated = sorted(
            msgid
            for (context, msgid), text in fresh.items()
            if msgid and not (any(text.values()) if isinstance(text, dict) else text)
        )
        lines: list[str] = []
        if added or dropped or new_untranslated:
            lines.append(f"makemessages -l {language} would change the catalogue:")
            lines += _list("new strings, untranslated", sorted(set(added) | set(new_untranslated)))
            lines += _list("strings no longer in the code", dropped)
        return lines

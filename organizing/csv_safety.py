"""Spreadsheet-formula neutralisation for every CSV Earshot writes (the OWASP rule).

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets (``=HYPERLINK("http://…","y")`` becomes a live
link). OWASP's advice: prefix such a cell with a single quote, which spreadsheets show as text
and never evaluate. Only free text is neutralised: typed columns (ids, numbers, dates,
booleans) cannot begin with those characters in a harmful way, and a phone number that is
only a phone number (``+15125550142``, ``+1 (512) 555-0142``) is left exact, so E.164 numbers
survive a round trip.

Two forms of one rule: ``csv_safe_text`` for CSVs written in Python, and ``CsvSafeText`` /
``CsvSafePhone``, SQL expressions for CSVs PostgreSQL writes itself (``COPY … TO STDOUT``), so
exports keep COPY's speed.
"""

from __future__ import annotations

import re

from django.db.models import Func, TextField

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A phone number and nothing else: an optional leading +, then digits and the usual punctuation.
PHONE_ONLY = r"^\+?[0-9][0-9 ().-]*$"
_PHONE_ONLY = re.compile(PHONE_ONLY)
# The same first characters as code points: ascii() of the first character costs PostgreSQL
# far less than a regular expression on every cell.
_SQL_FORMULA_START = (
    "ascii(%(expressions)s) IN (" + ", ".join(str(ord(c)) for c in FORMULA_STARTS) + ")"
)
_QUOTED = "'''' || %(expressions)s"  # SQL: a single quote, then the cell


def csv_safe_text(value: str | None) -> str | None:
    """``value`` with a leading single quote when a spreadsheet would read it as a formula."""
    if value and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_safe_phone(value: str | None) -> str | None:
    """A phone cell: left exact when it is only a phone number, neutralised otherwise."""
    if value and _PHONE_ONLY.match(value):
        return value
    return csv_safe_text(value)


class CsvSafeText(Func):
    """SQL form of csv_safe_text: ``CASE WHEN ascii(x) IN (61, 43, ...) THEN quote || x``."""

    output_field = TextField()
    template = f"(CASE WHEN {_SQL_FORMULA_START} THEN {_QUOTED} ELSE %(expressions)s END)"
    arity = 1

    def as_sql(self, compiler, connection, **extra_context):
        return _repeat_params(self, super().as_sql(compiler, connection, **extra_context))


class CsvSafePhone(Func):
    """SQL form of csv_safe_phone (the regular expression runs only on a formula start)."""

    output_field = TextField()
    template = (
        f"(CASE WHEN {_SQL_FORMULA_START} AND %(expressions)s !~ '{PHONE_ONLY}' "
        f"THEN {_QUOTED} ELSE %(expressions)s END)"
    )
    arity = 1

    def as_sql(self, compiler, connection, **extra_context):
        return _repeat_params(self, super().as_sql(compiler, connection, **extra_context))


def _repeat_params(func: Func, compiled: tuple[str, list]) -> tuple[str, tuple]:
    """The template names its one argument several times, so its parameters repeat too."""
    sql, params = compiled
    return sql, tuple(params) * func.template.count("%(expressions)s")

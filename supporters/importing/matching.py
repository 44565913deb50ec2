"""Who each row is: external ID, then email, then phone (E.164), then name with address or
ZIP (rapidfuzz). A batch of rows costs four queries, whatever its size.

Both sides are normalised here: the file's values (``interpret``) and the stored ones the
enrichment worker may not have reached yet (emails compared lower-cased as typed as well as
normalized, phones by E.164 or, when not yet enriched, by their last ten digits), so a dry run
never depends on the worker having run.

Scope (``selectors.supporter_importable_team_ids``): a match the importer may not organize is
never returned as a match. The row is "new" for them, and ``hidden_id`` carries the other
person so that commit opens a duplicate candidate, which only those who organize both review.
Near matches (a similar name at the same address or ZIP) are ``review``: never merged.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Lower, Right
from rapidfuzz import fuzz

from ..enrichment.duplicates import comparable_name, name_similarity
from ..models import (
    ExternalId,
    SupporterAddress,
    SupporterEmail,
    SupporterPhone,
    phone_digits,
    search_text,
)
from ..selectors import supporter_importable_team_ids
from .interpret import PersonRow

SAME_NAME = 95.0
NEAR_NAME = 85.0
SAME_ADDRESS = 90.0

NEW, MATCHED, REVIEW = "new", "matched", "review"


@dataclass(frozen=True)
class Match:
    kind: str  # new, matched or review
    reason: str = ""  # external_id, email, phone, name_address (matched); name_zip… (review)
    supporter_id: int | None = None
    hidden_id: int | None = None  # someone to open a duplicate candidate with
    score: float = 0.0


def _plain(text: str) -> str:
    """As ``search_text`` compares in SQL: lower case, without accents."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def match_rows(rows: list[PersonRow], *, actor) -> dict[int, Match]:
    """A Match per row number, for rows without errors."""
    rows = [row for row in rows if not row.errors]
    scope = supporter_importable_team_ids(viewer=actor)

    def in_scope(team_id: int) -> bool:
        return scope is None or team_id in scope

    by_external: dict[tuple[str, str], tuple[int, int]] = {}
    wanted: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        for system, value in row.external_ids.items():
            wanted[system].add(value)
    if wanted:
        condition = Q()
        for system, values in wanted.items():
            condition |= Q(system=system, value__in=values)
        for system, value, supporter_id, team_id in ExternalId.objects.filter(
            condition
        ).values_list("system", "value", "supporter_id", "supporter__team_id"):
            by_external[(system, value)] = (supporter_id, team_id)

    by_email: dict[str, list[tuple[int, int]]] = defaultdict(list)
    emails = {e.lower() for row in rows for e in row.emails}
    if emails:
        for address, normalized, supporter_id, team_id in (
            SupporterEmail.objects.annotate(lowered=Lower("address"))
            .filter(Q(lowered__in=emails) | Q(normalized__in=emails))
            .values_list("lowered", "normalized", "supporter_id", "supporter__team_id")
            .order_by("supporter_id")
        ):
            for key in {address, normalized} & emails:
                by_email[key].append((supporter_id, team_id))

    by_phone: dict[str, list[tuple[int, int]]] = defaultdict(list)
    e164s = {p[2] for row in rows for p in row.phones}
    if e164s:
        last_ten = {_digits(e)[-10:] for e in e164s}
        for e164, tail, supporter_id, team_id in (
            SupporterPhone.objects.annotate(tail=Right(phone_digits(), 10))
            .filter(Q(e164__in=e164s) | Q(e164="", tail__in=last_ten))
            .values_list("e164", "tail", "supporter_id", "supporter__team_id")
            .order_by("supporter_id")
        ):
            for e in e164s:
                if e == e164 or (not e164 and _digits(e)[-10:] == tail):
                    by_phone[e].append((supporter_id, team_id))

    by_zip: dict[str, list[tuple]] = defaultdict(list)
    needs_name = [
        row
        for row in rows
        if row.family_name
        and row.zip5
        and not any((s, v) in by_external for s, v in row.external_ids.items())
        and not any(e.lower() in by_email for e in row.emails)
        and not any(p[2] in by_phone for p in row.phones)
    ]
    if needs_name:
        zips = {row.zip5 for row in needs_name}
        families = {_plain(row.family_name) for row in needs_name}
        givens = {_plain(row.given_name) for row in needs_name if row.given_name}
        for values in (
            SupporterAddress.objects.annotate(
                family=search_text("supporter__family_name"),
                given=search_text("supporter__given_name"),
            )
            .filter(Q(zip5__in=zips) | Q(postal_code__in=zips))
            .filter(Q(family__in=families) | Q(given__in=givens))
            .values_list(
                "zip5",
                "postal_code",
                "line1",
                "supporter_id",
                "supporter__team_id",
                "supporter__given_name",
                "supporter__family_name",
            )
            .order_by("supporter_id")
        ):
            zip5 = values[0] or _digits(values[1])[:5]
            by_zip[zip5].append(values[2:])

    answers: dict[int, Match] = {}
    for row in rows:
        answers[row.number] = _decide(row, by_external, by_email, by_phone, by_zip, in_scope)
    return answers


def _decide(row, by_external, by_email, by_phone, by_zip, in_scope) -> Match:
    hidden = None
    keyed = [
        ("external_id", [by_external[k] for k in row.external_ids.items() if k in by_external]),
        ("email", [hit for e in row.emails for hit in by_email.get(e.lower(), [])]),
        ("phone", [hit for p in row.phones for hit in by_phone.get(p[2], [])]),
    ]
    for reason, hits in keyed:
        for supporter_id, team_id in hits:
            if in_scope(team_id):
                return Match(MATCHED, reason, supporter_id, score=100.0)
            hidden = hidden or supporter_id
    if hidden is not None:
        return Match(NEW, "", None, hidden_id=hidden)
    best: Match | None = None
    name = comparable_name(row.given_name, row.family_name)
    line1 = row.address.get("line1", "").lower()
    for stored_line1, supporter_id, team_id, given, family in by_zip.get(row.zip5, []):
        similarity = name_similarity(name, comparable_name(given, family))
        if similarity < NEAR_NAME:
            continue
        same_address = bool(line1) and fuzz.ratio(line1, stored_line1.lower()) >= SAME_ADDRESS
        if similarity >= SAME_NAME and same_address and in_scope(team_id):
            return Match(MATCHED, "name_address", supporter_id, score=similarity)
        if not in_scope(team_id):
            candidate = Match(NEW, "", None, hidden_id=supporter_id, score=similarity)
        else:
            reason = "name_address" if same_address else "name_zip"
            candidate = Match(REVIEW, reason, None, hidden_id=supporter_id, score=similarity)
        if best is None or candidate.score > best.score:
            best = candidate
    return best or Match(NEW)

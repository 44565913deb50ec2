"""Duplicate candidates: block on shared phone, email or ZIP, then compare names (rapidfuzz).

Pairs are only *candidates*: an organizer reviews each one (merge, or "not a duplicate").
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz, process

from supporters.models import Supporter, SupporterAddress, SupporterEmail, SupporterPhone

NAME = "duplicates"
VERSION = 1

# A shared phone or address is common in a household (Maria and José Delgado); a shared
# email less so. Names must agree closely unless an email is shared too.
NAME_NEEDED = {"email": 70.0, "phone": 85.0, "zip": 90.0}
MIN_SCORE = 75.0
ZIP_BLOCK_LIMIT = 2_000


@lru_cache(maxsize=65_536)
def comparable_name(given: str, family: str) -> str:
    """Lower case, no accents, hyphens as spaces, single spaces. Names repeat a great deal
    across a campaign (and across the batches of a sweep), so each pair is worked out once."""
    text = unicodedata.normalize("NFKD", f"{given} {family}")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.lower().replace("-", " ").split())


def name_similarity(a: str, b: str) -> float:
    return float(fuzz.token_sort_ratio(a, b))


def pair_score(similarity: float, shared: set[str]) -> float:
    """0 to 100: the name's similarity, raised by each shared contact point."""
    bonus = 25 * ("email" in shared) + 15 * ("phone" in shared) + 5 * ("zip" in shared)
    return min(100.0, round(similarity * 0.8 + bonus, 1))


def find_candidates(batch: Iterable[int]) -> list[tuple[int, int, float, list[str]]]:
    """Candidate pairs ``(first_id, second_id, score, reasons)`` for supporters in ``batch``.

    Reads contact points already enriched (E.164 phones, normalized emails, ZIP5), in a few
    batch-wide queries.
    """
    batch = list(batch)
    if not batch:
        return []
    mine: dict[str, dict[int, set[str]]] = {"phone": defaultdict(set), "email": defaultdict(set)}
    for supporter_id, value in SupporterPhone.objects.filter(
        supporter_id__in=batch, is_valid=True
    ).values_list("supporter_id", "e164"):
        mine["phone"][supporter_id].add(value)
    for supporter_id, value in SupporterEmail.objects.filter(
        supporter_id__in=batch, is_valid=True
    ).values_list("supporter_id", "normalized"):
        mine["email"][supporter_id].add(value)
    zips: dict[int, set[str]] = defaultdict(set)
    for supporter_id, value in (
        SupporterAddress.objects.filter(supporter_id__in=batch).exclude(zip5="")
    ).values_list("supporter_id", "zip5"):
        zips[supporter_id].add(value)

    # Who else holds each value, with their names: blocks read through the indexes on the
    # enriched values (e164, normalized, zip5), each joined to its supporter in the same query,
    # so no list of thousands of ids travels back to PostgreSQL.
    holders: dict[tuple[str, str], set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    all_phones = {v for values in mine["phone"].values() for v in values}
    all_emails = {v for values in mine["email"].values() for v in values}
    all_zips = {v for values in zips.values() for v in values}
    name_columns = ("supporter__given_name", "supporter__family_name")
    for supporter_id, value, given, family in SupporterPhone.objects.filter(
        e164__in=all_phones
    ).values_list("supporter_id", "e164", *name_columns):
        holders[("phone", value)].add(supporter_id)
        names[supporter_id] = comparable_name(given, family)
    for supporter_id, value, given, family in SupporterEmail.objects.filter(
        normalized__in=all_emails
    ).values_list("supporter_id", "normalized", *name_columns):
        holders[("email", value)].add(supporter_id)
        names[supporter_id] = comparable_name(given, family)
    zip_members: dict[str, list[int]] = defaultdict(list)
    for supporter_id, value, given, family in SupporterAddress.objects.filter(
        zip5__in=all_zips
    ).values_list("supporter_id", "zip5", *name_columns)[: ZIP_BLOCK_LIMIT * max(1, len(all_zips))]:
        zip_members[value].append(supporter_id)
        names[supporter_id] = comparable_name(given, family)
    missing = set(batch) - names.keys()
    for pk, given, family in Supporter.objects.filter(pk__in=missing).values_list(
        "pk", "given_name", "family_name"
    ):
        names[pk] = comparable_name(given, family)
    # Each ZIP's members and their names once, for every supporter of the batch in it.
    zip_choices = {
        zip5: (members, [names[m] for m in members]) for zip5, members in zip_members.items()
    }

    pairs: dict[tuple[int, int], dict[str, object]] = {}

    def note(a: int, b: int, why: str, detail: str) -> None:
        if a == b:
            return
        key = (min(a, b), max(a, b))
        entry = pairs.setdefault(key, {"shared": set(), "reasons": []})
        if why not in entry["shared"]:
            entry["shared"].add(why)
            entry["reasons"].append(detail)

    for supporter_id in batch:
        for kind in ("phone", "email"):
            for value in mine[kind].get(supporter_id, ()):
                for other in holders[(kind, value)]:
                    note(supporter_id, other, kind, f"same {kind} {value}")
        for zip5 in zips.get(supporter_id, ()):
            members, choices = zip_choices.get(zip5, ((), ()))
            if not members or supporter_id not in names:
                continue
            # The best 20 others: asked of the whole ZIP, with room for the supporter's own
            # entries (one per address there), which are then left out.
            matches = process.extract(
                names[supporter_id],
                choices,
                scorer=fuzz.token_sort_ratio,
                score_cutoff=NAME_NEEDED["zip"],
                limit=20 + members.count(supporter_id),
            )
            others = [members[index] for _, _, index in matches if members[index] != supporter_id]
            for other in others[:20]:
                note(supporter_id, other, "zip", f"same ZIP {zip5}")

    found = []
    for (first, second), entry in pairs.items():
        if first not in names or second not in names:
            continue
        similarity = name_similarity(names[first], names[second])
        shared: set[str] = entry["shared"]  # type: ignore[assignment]
        needed = min(NAME_NEEDED[kind] for kind in shared)
        if similarity < needed:
            continue
        score = pair_score(similarity, shared)
        if score < MIN_SCORE:
            continue
        reasons = [*entry["reasons"], f"names {similarity:.0f}% alike"]  # type: ignore[misc]
        found.append((first, second, score, reasons))
    return found

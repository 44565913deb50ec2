"""Listening: what we heard → sentiment, issues, suggested things to remember, a follow-up time.

Pure functions over text (no database, no network) so they can be tested on labelled
sentences; ``conversations.listening.services`` stores what they find, with ``ENRICHER`` and ``VERSION``.
Precision over recall: a suggestion a volunteer must dismiss costs more than one missed,
so each rule needs a clear cue and refuses negated or hypothetical sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from . import spanish
from .language import languages_in

ENRICHER = "conversations.listening"
# Version 1 read English only. Spanish (and mixed) notes are read since; English notes are read
# exactly as before, so stored results need no second pass.
VERSION = 1

# --- Sentiment -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    # Built on first use: loading VADER's lexicon takes a moment no page should wait for.
    return SentimentIntensityAnalyzer()


def sentiment(text: str, language: str = "en") -> float | None:
    """VADER's compound score, from -1 (negative) to 1 (positive); None when nothing was heard.

    VADER's lexicon is English. No Spanish lexicon is packaged offline, so a conversation in
    Spanish gets no score at all: never an English score on Spanish words."""
    if not text.strip() or language != "en":
        return None
    return round(_analyzer().polarity_scores(text)["compound"], 3)


# --- Issues ----------------------------------------------------------------------------------


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in phrase.lower().split()]
    # Whole words; a trailing "s" or "es" is allowed so "eviction" also finds "evictions".
    return re.compile(r"\b" + r"\s+".join(words) + r"(?:e?s)?\b", re.IGNORECASE)


def issues_heard(text: str, phrases: dict[int, list[str]]) -> dict[int, str]:
    """``{issue_id: phrase}`` for each issue one of whose phrases appears in ``text``."""
    found: dict[int, str] = {}
    for issue_id, issue_phrases in phrases.items():
        for phrase in sorted(issue_phrases, key=len, reverse=True):
            if phrase.strip() and _phrase_pattern(phrase).search(text):
                found[issue_id] = phrase
                break
    return found


# --- Suggested things to remember ------------------------------------------------------------


@dataclass(frozen=True)
class Suggested:
    category: str
    text: str
    evidence: str


_RELATIVE = (
    r"son|daughter|sons|daughters|kids?|children|child|baby|wife|husband|spouse|partner|"
    r"mother|father|mom|dad|brother|sister|grandson|granddaughter|grandkids|grandchildren|"
    r"grandma|grandmother|grandpa|grandfather|cousin|nephew|niece|aunt|uncle|stepson|stepdaughter"
)
_PRONOUN = r"(?:her|his|their|my|our)"
_MILITARY = re.compile(
    r"\b(?:veterans?|served\s+in|army|navy|marines?|marine\s+corps|air\s+force|"
    r"national\s+guard|coast\s+guard|deployed|stationed|military|active\s+duty)\b",
    re.IGNORECASE,
)
_FAMILY = re.compile(
    rf"^(?:{_PRONOUN}\s+)?(?:(?:two|three|four|five|\d+)\s+|(?:youngest|oldest|eldest|older|younger)\s+)?"
    rf"(?:{_RELATIVE})(?:'s)?\b",
    re.IGNORECASE,
)
_FAMILY_ANYWHERE = re.compile(
    rf"\b(?:{_PRONOUN}\s+(?:{_RELATIVE})\b|just\s+had\s+a\s+baby|expecting\s+a\s+baby|is\s+pregnant|lives\s+with\s+{_PRONOUN}\s+"
    rf"(?:\w+\s+)?(?:{_RELATIVE})|cares?\s+for\s+{_PRONOUN}\s+(?:{_RELATIVE})|"
    rf"{_PRONOUN}\s+(?:\d+-year-old|newborn|twins))\b",
    re.IGNORECASE,
)
_HEALTH = re.compile(
    r"\b(?:insulin|diabet\w*|cancer|chemo\w*|asthma|dementia|alzheimer\w*|surgery|dialysis|"
    r"disabled|disability|wheelchair|stroke|heart\s+(?:attack|condition|disease)|"
    r"medicare|medicaid|prescriptions?|chronic|copd|kidney|blind|deaf|in\s+recovery|"
    r"mental\s+health|depression|therapy|hospice|injur(?:ed|y)|long\s+covid)\b",
    re.IGNORECASE,
)
_JOB_LOSS = re.compile(
    r"\b(?:lost\s+(?:(?:her|his|their|my)\s+)?job|laid\s+off|got\s+fired|unemployed|"
    r"out\s+of\s+work)\b",
    re.IGNORECASE,
)
_WORK = re.compile(
    r"\b(?:lost\s+(?:(?:her|his|their|my)\s+)?job|laid\s+off|got\s+fired|unemployed|out\s+of\s+work|"
    r"works?\s+(?:nights|days|two\s+jobs|at|as|for|in)|working\s+two\s+jobs|"
    r"retired|union\s+(?:steward|member)|on\s+strike|"
    r"(?:nurse|teacher|teaches|driver|drives\s+for|aide|mechanic|cashier|janitor|electrician|"
    r"cooks\s+at|cleans\s+(?:houses|offices)|"
    r"plumber|carpenter|cook|chef|firefighter|machinist|welder)|"
    r"owns\s+(?:the|a)\s+\w+|runs\s+a\s+\w+|small\s+business|no\s+raise|\$\d+(?:\.\d\d)?\s+an\s+hour)\b",
    re.IGNORECASE,
)
_HOUSING = re.compile(
    r"\b(?:rent\s+(?:went|is|was|going)\s+up|behind\s+on\s+(?:rent|the\s+mortgage)|landlord|"
    r"evict\w*|(?:\d+-day|eviction)\s+notices?|voucher|foreclos\w*|homeless|"
    r"two-bedroom|one-bedroom|studio\s+apartment|no\s+heat|no\s+ac|no\s+air\s+conditioning|"
    r"basement\s+floods?|mold|building\s+was\s+sold|moving\s+in\s+with|housing\s+court)\b",
    re.IGNORECASE,
)
_FAITH = re.compile(
    r"\b(?:church|mosque|temple|synagogue|parish|congregation|deacon|pastor|priest|imam|rabbi|"
    r"friday\s+prayers|sunday\s+service|mass\s+on|bible\s+study|baptist|catholic|methodist|"
    r"lutheran|pentecostal|goes\s+to\s+st\.\s+\w+)\b",
    re.IGNORECASE,
)
_PETS = re.compile(
    r"\b(?:has|have|with)\s+(?:a|an|two|three|four|\d+|some)?\s*(?:big\s+|small\s+|little\s+|old\s+)?"
    r"(?:dogs?|cats?|puppy|puppies|kittens?|parrot|pit\s*bulls?|german\s+shepherds?|chihuahuas?)\b"
    r"|\b(?:beware\s+of\s+(?:the\s+)?dog|dog\s+(?:barks|bites))\b",
    re.IGNORECASE,
)
_DATES = re.compile(
    r"\b(?:birthday|anniversary|due\s+date|graduat\w+|wedding|quinceañera|quinceanera|"
    r"just\s+had\s+a\s+baby\s+in\s+\w+|born\s+(?:in|on)\s+\w+)\b",
    re.IGNORECASE,
)
_BEST_TIME = re.compile(
    r"\b(?:best\s+(?:time\s+)?to\s+(?:call|reach|text|catch|visit)|"
    r"(?:call|text|reach|visit|come\s+by)\s+(?:her|him|them|me)?\s*(?:only\s+)?(?:after|before)\s+\d|"
    r"(?:come|call|stop)\s+back\s+when|sleeps\s+(?:until|till|during)|prefers\s+(?:texts?|calls?|email|mornings?|evenings?|weekends?)|"
    r"off\s+only\s+on|free\s+(?:on\s+)?(?:sundays?|saturdays?|mondays?|tuesdays?|wednesdays?|"
    r"thursdays?|fridays?|weekends?|evenings?|mornings?)(?:\s+only)?|only\s+home\s+(?:on|after|in))\b",
    re.IGNORECASE,
)
# A sentence that denies, doubts or reports someone else's situation is not a fact to remember.
_NEGATED = re.compile(
    r"\b(?:no|not|never|doesn't|don't|didn't|isn't|wasn't|aren't|hasn't|haven't|won't|without|"
    r"nobody|none|neither)\b",
    re.IGNORECASE,
)
_HEDGED = re.compile(
    r"\b(?:maybe|might|not\s+sure|i\s+think|if\s+(?:she|he|they)|wondering\s+whether|"
    r"asked\s+(?:if|whether|about)|rumou?r|someone\s+said|heard\s+that)\b",
    re.IGNORECASE,
)
# Negations that are the fact itself ("no heat", "no raise", "no AC").
_NEGATION_IS_THE_FACT = re.compile(
    r"\b(?:no\s+(?:heat|ac|air\s+conditioning|raise|buzzer)|hasn't\s+fixed|won't\s+fix|"
    r"can't\s+(?:find|get|afford))\b",
    re.IGNORECASE,
)

# Which rule applies when a clause matches several: the most specific first.
_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("military", _MILITARY),
    ("dates", _DATES),
    ("best_time", _BEST_TIME),
    ("faith", _FAITH),
    ("pets", _PETS),
    ("health", _HEALTH),
    ("job_loss", _JOB_LOSS),
    ("housing", _HOUSING),
    ("work", _WORK),
]
# Sentence ends, but not after "St." (St. Pius), "Dr.", "Mr." and the like.
# A clause about a relative ("Daughter's school lost its art teacher") is about family, unless
# it tells of their service, health, a lost job or a date.
_FAMILY_MAY_BE = {"military", "health", "dates", "job_loss"}
_SENTENCES = re.compile(
    r"(?<!\bSt\.)(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bAve\.)(?<!\bJr\.)"
    r"(?<=[.!?])\s+|\n+"
)
# Never suggested, whatever else matches: status and safety details a person must choose to
# record themselves (as a sensitive note), not a machine.
_NEVER = re.compile(
    r"\b(?:asylum|ice|undocumented|deport\w*|immigration\s+status|green\s+card|daca|visa|"
    r"abus\w*|protective\s+order|arrest\w*|jail|prison|probation|parole|recovery|rehab|"
    r"hiv|pregnan\w*|abortion|suicid\w*|overdose)\b",
    re.IGNORECASE,
)
_CLAUSES = re.compile(
    r";\s*|,\s*(?:and|but|so)\s+|\s+(?:and|but|so)\s+(?=(?:she|he|they|i|we)(?:'s|'re)?\b)|"
    r"\s+and\s+(?:she|he|they)(?:'s|'re)?\s+(?=worried|says|said|wants|thinks)",
    re.IGNORECASE,
)
_LEADING_SUBJECT = re.compile(
    r"^(?:(?:she|he|they)\s+(?:says|said|mentioned|told\s+us)\s+(?:that\s+)?|"
    r"(?:says|said|asked\s+us)\s+(?:that\s+|to\s+)?|mentioned\s+(?:that\s+)?|"
    r"(?:she|he|they)\s+(?=\w))",
    re.IGNORECASE,
)
_LEADING_PRONOUN = re.compile(rf"^{_PRONOUN}\s+", re.IGNORECASE)
MAX_LENGTH = 120


def _tidy(clause: str) -> str:
    clause = clause.strip().strip(" .,;:!\"'")
    clause = _LEADING_SUBJECT.sub("", clause)
    clause = _LEADING_PRONOUN.sub("", clause)
    clause = " ".join(clause.split())
    if len(clause) > MAX_LENGTH:
        clause = clause[:MAX_LENGTH].rsplit(" ", 1)[0] + "…"
    return clause[:1].upper() + clause[1:]


def _is_negated(clause: str) -> bool:
    without_facts = _NEGATION_IS_THE_FACT.sub("", clause)
    return bool(_NEGATED.search(without_facts) or _HEDGED.search(clause))


def _clauses(text: str, language: str = "en") -> list[tuple[str, str]]:
    """``(clause, sentence)`` pairs: each sentence cut where a new thought starts (in Spanish
    too when the sentence has Spanish words)."""
    pairs = []
    for sentence in _SENTENCES.split(text):
        sentence = sentence.strip()
        if not sentence:
            continue
        clauses = _CLAUSES.split(sentence)
        if language == "es" or "es" in languages_in(sentence):
            clauses = [part for clause in clauses for part in spanish.CLAUSES.split(clause)]
        for clause in clauses:
            if clause and clause.strip():
                pairs.append((clause.strip(), sentence))
    return pairs


def _is_negated_es(clause: str) -> bool:
    without_facts = spanish.NEGATION_IS_THE_FACT.sub("", _NEGATION_IS_THE_FACT.sub("", clause))
    return bool(
        spanish.NEGATED.search(without_facts)
        or _NEGATED.search(without_facts)
        or spanish.HEDGED.search(clause)
        or _HEDGED.search(clause)
    )


def _never(sentence: str) -> bool:
    """The never-suggest list, in both languages, whatever language the note is in."""
    return bool(_NEVER.search(sentence) or spanish.NEVER.search(sentence))


def _category(clause: str, tidy_clause: str, languages: list[str]) -> str | None:
    """The first category any of ``languages``' rules give the clause, most specific first;
    family when only a relative is named."""
    about_family = (bool(_FAMILY.match(tidy_clause)) if "en" in languages else False) or (
        "es" in languages and bool(spanish.FAMILY.match(tidy_clause))
    )
    for language in languages:
        for name, pattern in _RULES if language == "en" else spanish.RULES:
            if about_family and name not in _FAMILY_MAY_BE:
                continue
            if pattern.search(clause):
                return "work" if name == "job_loss" else name
    if about_family:
        return "family"
    if "en" in languages and _FAMILY_ANYWHERE.search(clause):
        return "family"
    if "es" in languages and spanish.FAMILY_ANYWHERE.search(clause):
        return "family"
    return None


def _tidy_es(clause: str) -> str:
    """A Spanish or mixed line keeps its possessive ("Su hijo es veterano de Irak")."""
    clause = clause.strip().strip(" .,;:!¡?¿\"'")
    clause = spanish.LEADING_SUBJECT.sub("", clause)
    clause = _LEADING_SUBJECT.sub("", clause)
    clause = " ".join(clause.split())
    if len(clause) > MAX_LENGTH:
        clause = clause[:MAX_LENGTH].rsplit(" ", 1)[0] + "…"
    return clause[:1].upper() + clause[1:]


def _clause_languages(clause: str, language: str) -> list[str]:
    """The rule sets that read a clause: the conversation's language first, then the other one
    when its words are there too (a mixed clause is read by both)."""
    present = languages_in(clause)
    ordered = [language] if language in {"en", "es"} else ["en"]
    other = "es" if ordered[0] == "en" else "en"
    if other in present:
        ordered.append(other)
    return ordered


def things_to_remember(text: str, language: str = "en") -> list[Suggested]:
    """Short lines a volunteer can read at the door, each with the sentence it came from.

    One suggestion per clause at most; negated, hypothetical or hedged clauses give none, nor
    does a sentence with a word of the never-suggest list in either language. ``language`` is
    the conversation's; a clause with words of the other language is read by both rule sets.
    A note read in English alone is read exactly as it always was.
    """
    found: list[Suggested] = []
    seen: set[str] = set()
    for clause, sentence in _clauses(text, language):
        if _never(sentence):
            continue
        languages = _clause_languages(clause, language)
        if languages == ["en"]:
            if _is_negated(clause):
                continue
            tidy_clause = _LEADING_SUBJECT.sub("", clause.strip())
        else:
            if _is_negated_es(clause):
                continue
            tidy_clause = spanish.LEADING_SUBJECT.sub("", clause.strip())
            tidy_clause = _LEADING_SUBJECT.sub("", tidy_clause)
        category = _category(clause, tidy_clause, languages)
        if category is None:
            continue
        line = _tidy(clause) if languages == ["en"] else _tidy_es(clause)
        if len(line) < 8 or line.lower() in seen:
            continue
        seen.add(line.lower())
        found.append(Suggested(category=category, text=line, evidence=sentence[:500]))
    return found


# --- A follow-up time ------------------------------------------------------------------------

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "a couple of": 2, "a couple": 2,
    "a few": 3, "few": 3,
}  # fmt: skip
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
_NUMBER_WORDS = "|".join(sorted((re.escape(k) for k in _NUMBERS), key=len, reverse=True))
_CUE = re.compile(
    r"\b(?:call|text|come|stop|try|reach|visit|talk|back|again|follow\s+up|check\s+in|"
    r"free|available|home|around|after|busy|callback|later)\b",
    re.IGNORECASE,
)
_IN_N = re.compile(rf"\bin\s+({_NUMBER_WORDS}|\d+)\s+(day|week|month)s?\b", re.IGNORECASE)
_NEXT_WEEK = re.compile(r"\bnext\s+week(?:end)?\b", re.IGNORECASE)
_THIS_WEEKEND = re.compile(r"\b(?:this\s+)?weekend\b", re.IGNORECASE)
_TOMORROW = re.compile(r"\btomorrow\b", re.IGNORECASE)
_TONIGHT = re.compile(r"\b(?:tonight|this\s+evening|later\s+today)\b", re.IGNORECASE)
_WEEKDAY = re.compile(
    r"\b(?:(next|this|on|until|after)\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b",
    re.IGNORECASE,
)
_ORDINAL_DAY = re.compile(
    rf"\b(after|on|before|by|around)\s+(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)"
    rf"(?:\s+of\s+({'|'.join(_MONTHS)}))?\b",
    re.IGNORECASE,
)
_MONTH_DAY = re.compile(
    rf"\b(after|on|before|by|around)\s+({'|'.join(_MONTHS)})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b",
    re.IGNORECASE,
)
_CLOCK = re.compile(
    r"\b(after|before|at|around|by)\s+(\d{1,2})(?::(\d\d))?\s*(am|pm|a\.m\.|p\.m\.)?(?!\s*(?:st|nd|rd|th|%|\$|-year|years|days|weeks|months|kids|dogs))\b",
    re.IGNORECASE,
)
_PART_OF_DAY = re.compile(r"\b(morning|afternoon|evening|night|noon|lunch)\b", re.IGNORECASE)
DEFAULT_HOUR = 17  # people we call are mostly reachable after work


def _hour_from(text: str) -> time | None:
    match = _CLOCK.search(text)
    if match:
        kind, hour, minute, meridiem = match.groups()
        hour, minute = int(hour), int(minute or 0)
        if hour > 23 or minute > 59:
            return None
        meridiem = (meridiem or "").replace(".", "").lower()
        if meridiem == "pm" and hour < 12:
            hour += 12
        elif meridiem == "am" and hour == 12:
            hour = 0
        elif not meridiem and 1 <= hour <= 7:
            hour += 12  # "after 5" at the door means the evening
        if kind.lower() == "before":
            hour = max(hour - 2, 8)
        return time(hour, minute)
    part = _PART_OF_DAY.search(text)
    if part:
        return {
            "morning": time(10),
            "noon": time(12),
            "lunch": time(12),
            "afternoon": time(14),
            "evening": time(18),
            "night": time(19),
        }[part.group(1).lower()]
    return None


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError("unreachable")


def _day_from(text: str, today: date) -> date | None:
    match = _IN_N.search(text)
    if match:
        count, unit = _number(match.group(1)), match.group(2).lower()
        if unit == "day":
            return today + timedelta(days=count)
        if unit == "week":
            return today + timedelta(weeks=count)
        return _add_months(today, count)
    if _TOMORROW.search(text):
        return today + timedelta(days=1)
    if _TONIGHT.search(text):
        return today
    match = _MONTH_DAY.search(text)
    if match:
        kind, month, day = (
            match.group(1).lower(),
            _MONTHS[match.group(2).lower()],
            int(match.group(3)),
        )
        return _dated(today, month, day, after=kind == "after")
    match = _ORDINAL_DAY.search(text)
    if match:
        kind, day, month = match.group(1).lower(), int(match.group(2)), match.group(3)
        month_number = _MONTHS[month.lower()] if month else None
        return _dated(today, month_number, day, after=kind == "after")
    match = _WEEKDAY.search(text)
    if match:
        qualifier, name = (match.group(1) or "").lower(), match.group(2).lower()
        ahead = (_WEEKDAYS.index(name) - today.weekday()) % 7
        if ahead == 0:
            ahead = 7
        if qualifier == "after":
            ahead += 1
        return today + timedelta(days=ahead)
    if _NEXT_WEEK.search(text):
        if "weekend" in _NEXT_WEEK.search(text).group(0).lower():
            return today + timedelta(days=(5 - today.weekday()) % 7 + 7)
        return today + timedelta(days=7 - today.weekday())
    if _THIS_WEEKEND.search(text):
        ahead = (5 - today.weekday()) % 7
        return today + timedelta(days=ahead or 7)
    return None


def _dated(today: date, month: int | None, day: int, *, after: bool) -> date | None:
    """The next date with this day (of this month, if named) on or after today."""
    year, month_number = today.year, month or today.month
    for _ in range(13):
        try:
            candidate = date(year, month_number, day)
        except ValueError:
            if month:
                return None  # "the 31st of April"
            candidate = None  # no 31st this month: try the next
        if candidate is not None and candidate >= today:
            return candidate + timedelta(days=1) if after else candidate
        if month:
            year += 1
        else:
            month_number += 1
            if month_number > 12:
                year, month_number = year + 1, 1
    return None


def followup_time(
    text: str, *, heard_at: datetime, time_zone: str, language: str = "en"
) -> datetime | None:
    """When they asked us to come back, read in their time zone; None when they did not say.

    "call me back next Tuesday after 5" → next Tuesday 17:00; "after the 15th" → the 16th;
    "in two weeks" → 14 days later at the same hour of day as usual (17:00); a bare hour
    ("after 6pm") → today if still ahead, else tomorrow. Always in the future of ``heard_at``.
    Spanish too, when the conversation is in Spanish or the words are: "el martes después de
    las 5", "mañana por la tarde", "después del 15", "en dos semanas", "la próxima semana".
    """
    if not text.strip():
        return None
    in_spanish = language == "es" or "es" in languages_in(text)
    if not (_CUE.search(text) or (in_spanish and spanish.CUE.search(text))):
        return None
    zone = ZoneInfo(time_zone)
    local = heard_at.astimezone(zone)
    day = hour = None
    if in_spanish:
        day = spanish.day_from(text, local.date(), add_months=_add_months, dated=_dated)
        hour = spanish.hour_from(text)
    if language != "es" or "en" in languages_in(text):
        day = day or _day_from(text, local.date())
        hour = hour or _hour_from(text)
    if day is None and hour is None:
        return None
    if day is None:
        day = local.date()
    moment = datetime.combine(day, hour or time(DEFAULT_HOUR), tzinfo=zone)
    if moment <= local:
        moment += timedelta(days=1)
    return moment

"""The demo's people, made in memory from fixed seeds: who they are, where they live, how to
reach them and what they will tell us over time. Nothing here writes to the database;
``demo.loader`` adds each person through ``supporters.services.supporter_create``.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from faker import Faker

from . import text_heard, text_organization, text_people

if TYPE_CHECKING:
    from organizing.models import User
    from supporters.models import Supporter

TEAM_SIZES = {"eastside": 180, "westside": 170, "riverside": 150}
ISSUE_KEYS = [key for key, _, _ in text_organization.ISSUES]
ZIPS = {slug: zips for slug, _, _, zips in text_organization.TEAMS}
SOURCES = {"canvass": 45, "import": 20, "event": 10, "web": 10, "relational": 10, "other": 5}


def heard_index(start: str) -> int:
    """The index in ``text_heard.HEARD`` of the sentence starting with ``start``."""
    return next(
        i for i, (sentence, *_) in enumerate(text_heard.HEARD) if sentence.startswith(start)
    )


VETERAN_SON, ST_PIUS, FLOODED = (
    heard_index("{Pos} son is an Iraq"),
    heard_index("Goes to St. Pius"),
    heard_index("Basement floods"),
)


@dataclass(eq=False)
class Persona:
    """A person to be added, with what the story knows about them beyond the model."""

    team: str
    given_name: str
    family_name: str
    preferred_name: str
    pronouns: str
    language: str
    source: str
    support: int | None
    engagement: int
    custom_fields: dict[str, Any]
    background: str
    family_base: str  # the family name before any gendered ending (Kowalski, not Kowalska)
    gender: str  # "f", "m", or "x" for people who use they/them
    story: list[int]  # indexes into text_heard.HEARD, what they will tell us over time
    top_issue: str
    street: tuple[str, str, str]  # line1, line2, ZIP
    told: set[int] = field(default_factory=set)
    email: str = ""
    phones: list[tuple[str, str]] = field(default_factory=list)  # (as typed, kind); first primary
    has_address: bool = False
    external_ids: list[tuple[str, str]] = field(default_factory=list)  # (system, value)
    # Filled in by the campaign: who looks after them and when they were added.
    assigned_to: User | None = None
    known_by: list[tuple[User, str, str]] = field(default_factory=list)  # (user, kind, note)
    added_at: datetime | None = None
    # Filled in by the loader once they are stored.
    supporter: Supporter | None = None

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def may_be_seen_by(self, user: User) -> bool:
        """Whether a volunteer sees them: assigned to them, or known to them."""
        return user == self.assigned_to or any(known == user for known, _, _ in self.known_by)


def _ascii(name: str) -> str:
    name = name.replace("ł", "l").replace("Ł", "L")
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


class PeopleMaker:
    """Makes the ~500 people of the three teams, Maria Delgado first."""

    def __init__(self, rng: random.Random, seed: int) -> None:
        self.rng = rng
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)
        self.used_emails: set[str] = set()
        self.used_numbers: set[str] = set()

    def pick(self, weights: dict[str, float]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def make(self) -> tuple[list[Persona], list[tuple[Persona, Persona, str, str]]]:
        """Everyone, and the pairs of relatives among them: ``(first, second, kind, note)``."""
        personas: list[Persona] = [self.maria()]
        pairs: list[tuple[Persona, Persona, str, str]] = []
        for team, size in TEAM_SIZES.items():
            made = 1 if team == "eastside" else 0
            while made < size:
                persona = self.new_persona(team)
                personas.append(persona)
                made += 1
                if made < size and self.rng.random() < 0.07:
                    partner = self.new_persona(team, like=persona)
                    personas.append(partner)
                    pairs.append((persona, partner, "household", ""))
                    made += 1
        self.add_family_pairs(personas, pairs, 10)
        for persona in personas:
            self.add_contact_points(persona)
        self.add_external_ids(personas)
        return personas, pairs

    def family_name_for(self, family: str, gender: str, background: str) -> str:
        if background == "polish" and gender == "f" and family.endswith("ski"):
            return family[:-1] + "a"
        return family

    def new_persona(self, team: str, *, like: Persona | None = None) -> Persona:
        """A person on ``team``; with ``like``, someone in the same household."""
        rng = self.rng
        background = like.background if like else self.pick(text_people.BACKGROUND_WEIGHTS[team])
        if rng.random() < 0.03:
            gender = "x"
        elif like and like.gender in "fm" and rng.random() < 0.8:
            gender = "m" if like.gender == "f" else "f"
        else:
            gender = "f" if rng.random() < 0.53 else "m"
        as_female = gender == "f" or (gender == "x" and rng.random() < 0.5)
        if background == "general":
            given = self.fake.first_name_female() if as_female else self.fake.first_name_male()
            family = self.fake.last_name()
        else:
            female, male, families = text_people.NAMES[background]
            given, family = rng.choice(female if as_female else male), rng.choice(families)
        if like and rng.random() < 0.8:
            family = like.family_base
        family_base = family
        family = self.family_name_for(family, gender, background)
        if not like and rng.random() < 0.01:
            family = ""  # met once at an event, only gave a first name
        language = "en"
        if background in text_people.LANGUAGE_BY_BACKGROUND:
            tag, share = text_people.LANGUAGE_BY_BACKGROUND[background]
            language = tag if rng.random() < share else "en"
        support = rng.choices([None, 1, 2, 3, 4, 5], weights=[35, 20, 20, 15, 6, 4])[0]
        engagement = rng.choices(range(6), weights=[30, 30, 20, 10, 6, 4])[0]
        if support in (4, 5):
            engagement = min(engagement, 1)
        pronouns = ""
        if gender == "x":
            pronouns = "they/them"
        elif rng.random() < 0.18:
            pronouns = "she/her" if gender == "f" else "he/him"
        preferred = text_people.NICKNAMES.get(given, "") if rng.random() < 0.5 else ""
        custom_fields = self.custom_fields()
        source = self.pick(SOURCES)
        eligible = [
            index
            for index, (sentence, _, _, only_for) in enumerate(text_heard.HEARD)
            if only_for in (None, background) and (gender != "x" or "{" not in sentence)
        ]
        story = rng.sample(eligible, rng.randint(2, 4))
        issues = [text_heard.HEARD[index][2] for index in story if text_heard.HEARD[index][2]]
        top_issue = issues[0] if issues else rng.choice(ISSUE_KEYS)
        if like:
            street = like.street
        else:
            postal_code = rng.choice(ZIPS[team])
            name, low, high = rng.choice(text_people.STREETS[postal_code])
            unit = rng.choice(text_people.UNITS) if rng.random() < 0.45 else ""
            street = (f"{rng.randrange(low, high, 2)} {name}", unit, postal_code)
        return Persona(
            team=team,
            given_name=given,
            family_name=family,
            preferred_name=preferred,
            pronouns=pronouns,
            language=language,
            source=source,
            support=support,
            engagement=engagement,
            custom_fields=custom_fields,
            background=background,
            family_base=family_base,
            gender=gender,
            story=story,
            top_issue=top_issue,
            street=street,
        )

    def custom_fields(self) -> dict[str, Any]:
        rng = self.rng
        if rng.random() > 0.3:
            return {}
        options = {
            "shift": lambda: rng.choice(["night", "day", "swing"]),
            "union_member": lambda: rng.random() < 0.6,
            "household_size": lambda: rng.randint(1, 7),
            "best_time": lambda: rng.choice(["evenings", "weekends", "after 2pm", "mornings"]),
        }
        keys = rng.sample(list(options), rng.randint(1, 3))
        return {key: options[key]() for key in keys}

    def maria(self) -> Persona:
        """The story from the design brief: Maria's son is an Iraq war veteran."""
        maria = self.new_persona("eastside")
        maria.given_name, maria.family_name, maria.preferred_name = "Maria", "Delgado", ""
        maria.pronouns, maria.language, maria.support = "she/her", "en", 2
        maria.engagement, maria.source = 1, "canvass"
        maria.background, maria.family_base, maria.gender = "latino", "Delgado", "f"
        maria.story, maria.top_issue = [VETERAN_SON, ST_PIUS, FLOODED], "veterans"
        return maria

    def add_family_pairs(
        self, personas: list[Persona], pairs: list[tuple[Persona, Persona, str, str]], count: int
    ) -> None:
        """Make ``count`` pairs of relatives living apart: the second takes the first's name."""
        paired = {id(p) for pair in pairs for p in pair[:2]} | {id(personas[0])}  # not Maria
        for first in self.rng.sample(personas, len(personas)):
            if count == 0:
                break
            if id(first) in paired or not first.family_name:
                continue
            relatives = [
                p
                for p in personas
                if p.team == first.team
                and p.background == first.background
                and id(p) not in paired
                and p.given_name != first.given_name
            ]
            if not relatives:
                continue
            second = self.rng.choice(relatives)
            second.family_base = first.family_base
            second.family_name = self.family_name_for(
                first.family_base, second.gender, second.background
            )
            words = {"f": ["Sister", "Cousin", "Daughter"], "m": ["Brother", "Cousin", "Son"]}
            note = self.rng.choice(words.get(second.gender, ["Sibling", "Cousin"]))
            pairs.append((first, second, "family", note))
            paired |= {id(first), id(second)}
            count -= 1

    def add_contact_points(self, persona: Persona) -> None:
        """An email (most people), one phone or two as typed at the door, and their address."""
        rng = self.rng
        given, family = _ascii(persona.given_name), _ascii(persona.family_name)
        if rng.random() < 0.78:
            local = rng.choice(
                [
                    f"{given}.{family}",
                    f"{given}{family}",
                    f"{given[0]}{family}",
                    f"{given}{family}{rng.randint(1, 99)}",
                    f"{family}.{given}",
                    f"{given}_{rng.randint(1955, 2004)}",
                ]
            ).strip(".")
            address = f"{local}@{rng.choice(text_people.EMAIL_DOMAINS)}"
            while address in self.used_emails:
                address = f"{local}{rng.randint(2, 999)}@{rng.choice(text_people.EMAIL_DOMAINS)}"
            self.used_emails.add(address)
            persona.email = address
        for is_primary in (True, False):
            if rng.random() > (0.85 if is_primary else 0.07):
                break
            area, line = rng.choice(text_people.AREA_CODES), f"{rng.randint(0, 9999):04d}"
            while area + line in self.used_numbers:
                area, line = rng.choice(text_people.AREA_CODES), f"{rng.randint(0, 9999):04d}"
            self.used_numbers.add(area + line)
            # As typed at the door or in an import, so the enricher has work to do.
            number = rng.choices(
                [
                    f"({area}) 555-{line}",
                    f"{area}-555-{line}",
                    f"{area}555{line}",
                    f"+1 {area} 555 {line}",
                ],
                weights=[75, 12, 8, 5],
            )[0]
            persona.phones.append(
                (number, self.pick({"mobile": 70, "landline": 15, "unknown": 15}))
            )
        persona.has_address = rng.random() < 0.92 or persona.source == "canvass"

    def add_external_ids(self, personas: list[Persona]) -> None:
        rng = self.rng
        voter_ids = iter(rng.sample(range(10**8, 10**9), len(personas)))
        van_ids = iter(rng.sample(range(10**6, 10**8), len(personas)))
        for persona in personas:
            if rng.random() < 0.85:
                persona.external_ids.append(("voter_file", str(next(voter_ids))))
            if rng.random() < (0.8 if persona.source == "import" else 0.15):
                persona.external_ids.append(("van", str(next(van_ids))))

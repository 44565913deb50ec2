"""Load demo data that looks like a real campaign, once.

Three Chicago teams, their organizers and volunteers, ~500 supporters with contact points,
consent flags, tags and relationships, two months of conversations with what was heard,
things to remember and follow-ups. Does nothing when any team exists, so the launcher may
call it on every start. Names and stories come from fixed seeds; dates are relative to now.
"""

from __future__ import annotations

import random
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from conversations.models import (
    Conversation,
    FollowUp,
    Issue,
    Note,
    SurveyChoice,
    SurveyQuestion,
    SurveyResponse,
)
from organizing.models import Membership, Team, User
from supporters.models import (
    Assignment,
    DoNotContact,
    ExternalId,
    HistoryEvent,
    Relationship,
    Supporter,
    SupporterAddress,
    SupporterEmail,
    SupporterPhone,
    SupporterTag,
    Tag,
)

from . import _demo_text as text

DEMO_LOGINS, DEMO_PASSWORD = text.DEMO_LOGINS, text.DEMO_PASSWORD

SEED = 2026
# Serializes concurrent loads (two launchers starting at once): the second waits, then skips.
_LOCK_ID = 4_202_620_260
TEAM_SIZES = {"eastside": 180, "westside": 170, "riverside": 150}
CONVERSATIONS = 1490
DAYS = 60


def _heard(start: str) -> int:
    return next(i for i, (sentence, *_) in enumerate(text.HEARD) if sentence.startswith(start))


VETERAN_SON, ST_PIUS, FLOODED = (
    _heard("{Pos} son is an Iraq"),
    _heard("Goes to St. Pius"),
    _heard("Basement floods"),
)
# Maria's conversations with Ana: (days ago, local time, channel, outcome, what she told us).
MARIA_HISTORY = [
    (38, (16, 10), "door", "not_home", []),
    (24, (17, 40), "door", "talked", [VETERAN_SON, ST_PIUS]),  # the knock from the design brief
    (9, (18, 15), "phone", "talked", [FLOODED]),
]

SUPPORT_CHOICES = [
    ("1", "Strong support"),
    ("2", "Lean support"),
    ("3", "Undecided"),
    ("4", "Lean against"),
    ("5", "Strong opposition"),
]
CHANNEL_WEIGHTS = {"door": 48, "phone": 32, "text": 13, "event": 7}
OUTCOME_WEIGHTS = {
    "door": {
        "talked": 32,
        "not_home": 46,
        "refused": 6,
        "moved": 3,
        "inaccessible": 3,
        "callback_requested": 6,
    },
    "phone": {
        "talked": 38,
        "left_message": 28,
        "wrong_number": 9,
        "refused": 7,
        "callback_requested": 14,
    },
    "text": {
        "talked": 50,
        "left_message": 35,
        "wrong_number": 8,
        "refused": 4,
        "callback_requested": 3,
    },
    "relational": {"talked": 88, "callback_requested": 8, "left_message": 4},
    "event": {"talked": 100},
}
# (first minute, last minute) of the local day when each kind of contact happens.
HOURS = {
    "door": (10 * 60, 19 * 60 + 30),
    "phone": (11 * 60, 20 * 60 + 30),
    "text": (9 * 60, 21 * 60),
    "relational": (8 * 60, 21 * 60),
    "event": (18 * 60, 20 * 60),
}


@dataclass(eq=False)
class Persona:
    """A supporter being made, with what the generator knows about them beyond the model."""

    supporter: Supporter
    background: str
    family_base: str  # the family name before any gendered ending (Kowalski, not Kowalska)
    gender: str  # "f", "m", or "x" for people who use they/them
    story: list[int]  # indexes into text.HEARD, what they will tell us over time
    top_issue: str
    street: tuple[str, str, str]  # line1, line2, ZIP
    told: set[int] = field(default_factory=set)
    assigned_to: User | None = None


@dataclass(eq=False)
class Talk:
    """A conversation being made, with the sentences heard in it."""

    conversation: Conversation
    persona: Persona
    told: list[int] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)


class Command(BaseCommand):
    help = "Load demo data (teams, people, two months of conversations) unless a team exists."

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])
            if Team.objects.exists():
                self.stdout.write("Demo data already loaded.")
                return
            counts = DemoLoader().load()
        summary = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in counts.items())
        elapsed = time.monotonic() - started
        # The demo logins are printed once, by `make run`'s banner (and listed in README.md).
        self.stdout.write(self.style.SUCCESS(f"Loaded demo data in {elapsed:.1f}s: {summary}."))


def _ascii(name: str) -> str:
    name = name.replace("ł", "l").replace("Ł", "L")
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


class DemoLoader:
    """Builds everything in memory, then writes each table with one bulk insert."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.fake = Faker("en_US")
        self.fake.seed_instance(SEED)
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.counts: dict[str, int] = {}

    def pick(self, weights: dict[str, float]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def load(self) -> dict[str, int]:
        self.load_organization()
        self.load_catalog()
        self.load_supporters()
        self.load_contact_points()
        self.load_consent_ids_and_tags()
        self.load_assignments_and_relationships()
        self.load_conversations()
        self.load_notes()
        self.load_followups()
        self.load_history()
        return self.counts

    # --- The organization -------------------------------------------------------------

    def load_organization(self) -> None:
        self.teams = {
            slug: Team(name=name, slug=slug, description=description)
            for slug, name, description, _ in text.TEAMS
        }
        Team.objects.bulk_create(self.teams.values())
        self.zips = {slug: zips for slug, _, _, zips in text.TEAMS}
        self.users: dict[str, User] = {}
        self.volunteers: dict[str, list[User]] = {slug: [] for slug in self.teams}
        self.organizer: dict[str, User] = {}
        memberships = []
        for email, full_name, roles, is_superuser in text.DEMO_USERS:
            user = User.objects.create_user(
                email, None, full_name=full_name, is_staff=is_superuser, is_superuser=is_superuser
            )
            self.users[email.split("@")[0]] = user
            for slug, role in roles:
                memberships.append(Membership(user=user, team=self.teams[slug], role=role))
                if role == Membership.Role.VOLUNTEER:
                    self.volunteers[slug].append(user)
                elif role == Membership.Role.ORGANIZER:
                    self.organizer[slug] = user
        Membership.objects.bulk_create(memberships)
        # One hash for everyone: hashing per user would take seconds, and it is one public password.
        User.objects.filter(pk__in=[u.pk for u in self.users.values()]).update(
            password=make_password(DEMO_PASSWORD)
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True)
            for user in self.users.values()
        )
        self.all_volunteers = [user for team in self.volunteers.values() for user in team]
        self.team_of = {user.pk: slug for slug, team in self.volunteers.items() for user in team}
        self.counts.update(teams=len(self.teams), users=len(self.users))

    def load_catalog(self) -> None:
        self.tags = {name: Tag(name=name, description=desc) for name, desc in text.TAGS}
        Tag.objects.bulk_create(self.tags.values())
        self.issues = {key: Issue(name=name, description=desc) for key, name, desc in text.ISSUES}
        Issue.objects.bulk_create(self.issues.values())
        from conversations.services import issue_phrases_add_defaults  # the listener's phrases

        issue_phrases_add_defaults()
        questions = [
            ("support", "How likely are you to support us?", "choice", SUPPORT_CHOICES),
            (
                "top-issue",
                "What's the top issue for your family?",
                "choice",
                [(slugify(issue.name), issue.name) for issue in self.issues.values()],
            ),
            (
                "meeting",
                "Would you come to a neighborhood meeting?",
                "choice",
                [("yes", "Yes"), ("maybe", "Maybe"), ("no", "No")],
            ),
            ("anything-else", "Anything else we should know?", "text", []),
        ]
        self.questions = {
            slug: SurveyQuestion(slug=slug, prompt=prompt, kind=kind, position=position)
            for position, (slug, prompt, kind, _) in enumerate(questions)
        }
        SurveyQuestion.objects.bulk_create(self.questions.values())
        self.choices = {
            (slug, value): SurveyChoice(
                question=self.questions[slug], value=value, label=label, position=position
            )
            for slug, _, _, options in questions
            for position, (value, label) in enumerate(options)
        }
        SurveyChoice.objects.bulk_create(self.choices.values())
        self.counts.update(issues=len(self.issues), survey_questions=len(self.questions))

    # --- People -----------------------------------------------------------------------

    def family_name_for(self, family: str, gender: str, background: str) -> str:
        if background == "polish" and gender == "f" and family.endswith("ski"):
            return family[:-1] + "a"
        return family

    def new_persona(self, team: str, *, like: Persona | None = None) -> Persona:
        """A person on ``team``; with ``like``, someone in the same household."""
        rng = self.rng
        background = like.background if like else self.pick(text.BACKGROUND_WEIGHTS[team])
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
            female, male, families = text.NAMES[background]
            given, family = rng.choice(female if as_female else male), rng.choice(families)
        if like and rng.random() < 0.8:
            family = like.family_base
        family_base = family
        family = self.family_name_for(family, gender, background)
        if not like and rng.random() < 0.01:
            family = ""  # met once at an event, only gave a first name
        language = "en"
        if background in text.LANGUAGE_BY_BACKGROUND:
            tag, share = text.LANGUAGE_BY_BACKGROUND[background]
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
        supporter = Supporter(
            given_name=given,
            family_name=family,
            preferred_name=text.NICKNAMES.get(given, "") if rng.random() < 0.5 else "",
            pronouns=pronouns,
            language=language,
            support_level=support,
            engagement_level=engagement,
            custom_fields=self.custom_fields(),
            team=self.teams[team],
            source=self.pick(
                {"canvass": 45, "import": 20, "event": 10, "web": 10, "relational": 10, "other": 5}
            ),
            created_by=rng.choice([self.organizer[team], *self.volunteers[team]]),
        )
        eligible = [
            index
            for index, (sentence, _, _, only_for) in enumerate(text.HEARD)
            if only_for in (None, background) and (gender != "x" or "{" not in sentence)
        ]
        story = rng.sample(eligible, rng.randint(2, 4))
        issues = [text.HEARD[index][2] for index in story if text.HEARD[index][2]]
        top_issue = issues[0] if issues else rng.choice(list(self.issues))
        if like:
            street = like.street
        else:
            postal_code = rng.choice(self.zips[team])
            name, low, high = rng.choice(text.STREETS[postal_code])
            unit = rng.choice(text.UNITS) if rng.random() < 0.45 else ""
            street = (f"{rng.randrange(low, high, 2)} {name}", unit, postal_code)
        return Persona(supporter, background, family_base, gender, story, top_issue, street)

    def custom_fields(self) -> dict:
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

    def load_supporters(self) -> None:
        self.personas: list[Persona] = []
        self.pairs: list[tuple[Persona, Persona, str, str]] = []
        self.maria = self.new_maria()
        self.personas.append(self.maria)
        for team, size in TEAM_SIZES.items():
            made = 1 if team == "eastside" else 0
            while made < size:
                persona = self.new_persona(team)
                self.personas.append(persona)
                made += 1
                if made < size and self.rng.random() < 0.07:
                    partner = self.new_persona(team, like=persona)
                    self.personas.append(partner)
                    self.pairs.append((persona, partner, "household", ""))
                    made += 1
        self.add_family_pairs(10)
        Supporter.objects.bulk_create(p.supporter for p in self.personas)
        self.by_team: dict[str, list[Persona]] = {slug: [] for slug in self.teams}
        for persona in self.personas:
            self.by_team[persona.supporter.team.slug].append(persona)
        self.counts["supporters"] = len(self.personas)

    def new_maria(self) -> Persona:
        """The story from the design brief: Maria's son is an Iraq war veteran."""
        maria = self.new_persona("eastside")
        supporter = maria.supporter
        supporter.given_name, supporter.family_name, supporter.preferred_name = (
            "Maria",
            "Delgado",
            "",
        )
        supporter.pronouns, supporter.language, supporter.support_level = "she/her", "en", 2
        supporter.engagement_level = Supporter.EngagementLevel.CONTACTED
        supporter.source = Supporter.Source.CANVASS
        maria.background, maria.family_base, maria.gender = "latino", "Delgado", "f"
        maria.story, maria.top_issue = [VETERAN_SON, ST_PIUS, FLOODED], "veterans"
        return maria

    def add_family_pairs(self, count: int) -> None:
        """Make ``count`` pairs of relatives living apart: the second takes the first's name."""
        paired = {id(p) for pair in self.pairs for p in pair[:2]} | {id(self.maria)}
        for first in self.rng.sample(self.personas, len(self.personas)):
            if count == 0:
                break
            if id(first) in paired or not first.supporter.family_name:
                continue
            relatives = [
                p
                for p in self.personas
                if p.supporter.team == first.supporter.team
                and p.background == first.background
                and id(p) not in paired
                and p.supporter.given_name != first.supporter.given_name
            ]
            if not relatives:
                continue
            second = self.rng.choice(relatives)
            second.family_base = first.family_base
            second.supporter.family_name = self.family_name_for(
                first.family_base, second.gender, second.background
            )
            words = {"f": ["Sister", "Cousin", "Daughter"], "m": ["Brother", "Cousin", "Son"]}
            note = self.rng.choice(words.get(second.gender, ["Sibling", "Cousin"]))
            self.pairs.append((first, second, "family", note))
            paired |= {id(first), id(second)}
            count -= 1

    def load_contact_points(self) -> None:
        rng = self.rng
        emails, phones, addresses = [], [], []
        used_emails: set[str] = set()
        used_numbers: set[str] = set()
        for persona in self.personas:
            supporter = persona.supporter
            given, family = _ascii(supporter.given_name), _ascii(supporter.family_name)
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
                address = f"{local}@{rng.choice(text.EMAIL_DOMAINS)}"
                while address in used_emails:
                    address = f"{local}{rng.randint(2, 999)}@{rng.choice(text.EMAIL_DOMAINS)}"
                used_emails.add(address)
                emails.append(
                    SupporterEmail(
                        supporter=supporter,
                        address=address,
                        is_primary=True,
                        label=rng.choice(["personal", "personal", "", "work"]),
                    )
                )
            for is_primary in (True, False):
                if rng.random() > (0.85 if is_primary else 0.07):
                    break
                area, line = rng.choice(text.AREA_CODES), f"{rng.randint(0, 9999):04d}"
                while area + line in used_numbers:
                    area, line = rng.choice(text.AREA_CODES), f"{rng.randint(0, 9999):04d}"
                used_numbers.add(area + line)
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
                kind = self.pick({"mobile": 70, "landline": 15, "unknown": 15})
                label = {"mobile": "cell", "landline": "home"}.get(kind, "")
                phones.append(
                    SupporterPhone(
                        supporter=supporter,
                        number=number,
                        kind=kind,
                        label=label,
                        is_primary=is_primary,
                    )
                )
            if rng.random() < 0.92 or supporter.source == Supporter.Source.CANVASS:
                line1, line2, postal_code = persona.street
                addresses.append(
                    SupporterAddress(
                        supporter=supporter,
                        line1=line1,
                        line2=line2,
                        city="Chicago",
                        state="IL",
                        postal_code=postal_code,
                        is_primary=True,
                        label="home",
                    )
                )
        SupporterEmail.objects.bulk_create(emails)
        SupporterPhone.objects.bulk_create(phones)
        SupporterAddress.objects.bulk_create(addresses)
        self.counts.update(emails=len(emails), phones=len(phones), addresses=len(addresses))

    def load_consent_ids_and_tags(self) -> None:
        rng = self.rng
        flags = []
        self.do_not_contact: set[int] = set()
        for channel, share in (("call", 0.05), ("text", 0.03), ("visit", 0.02)):
            for persona in rng.sample(self.personas, round(share * len(self.personas))):
                if persona is self.maria:
                    continue
                team = persona.supporter.team.slug
                flags.append(
                    DoNotContact(
                        supporter=persona.supporter,
                        channel=channel,
                        set_by=rng.choice(self.volunteers[team]),
                        reason=rng.choice(text.DO_NOT_CONTACT_REASONS[channel]),
                    )
                )
                self.do_not_contact.add(persona.supporter.pk)
        DoNotContact.objects.bulk_create(flags)

        external_ids = []
        voter_ids = iter(rng.sample(range(10**8, 10**9), len(self.personas)))
        van_ids = iter(rng.sample(range(10**6, 10**8), len(self.personas)))
        for persona in self.personas:
            supporter = persona.supporter
            if rng.random() < 0.85:
                external_ids.append(
                    ExternalId(supporter=supporter, system="voter_file", value=str(next(voter_ids)))
                )
            if rng.random() < (0.8 if supporter.source == Supporter.Source.IMPORT else 0.15):
                external_ids.append(
                    ExternalId(supporter=supporter, system="van", value=str(next(van_ids)))
                )
        ExternalId.objects.bulk_create(external_ids)

        taggings = []
        for persona in self.personas:
            supporter = persona.supporter
            team = supporter.team.slug
            chances = {
                "tenant": 0.45 if team != "westside" else 0.7,
                "parent": 0.3,
                "senior": 0.15,
                "small business": 0.05,
                "faith leader": 0.06 if team == "riverside" else 0.02,
                "union member": 1.0 if supporter.custom_fields.get("union_member") else 0.04,
                "spanish speaker": {"es": 0.9}.get(supporter.language, 0.0)
                + (0.15 if persona.background == "latino" and supporter.language == "en" else 0),
                "volunteer prospect": 0.35
                if supporter.engagement_level >= 2 and (supporter.support_level or 9) <= 2
                else 0.0,
            }
            added_by = [self.organizer[team], *self.volunteers[team]]
            taggings.extend(
                SupporterTag(
                    supporter=supporter, tag=self.tags[name], added_by=rng.choice(added_by)
                )
                for name, chance in chances.items()
                if rng.random() < chance
            )
        SupporterTag.objects.bulk_create(taggings)
        self.counts.update(
            do_not_contact_flags=len(flags), external_ids=len(external_ids), taggings=len(taggings)
        )

    def load_assignments_and_relationships(self) -> None:
        rng = self.rng
        assignments, relationships = [], []
        self.assigned: dict[int, list[Persona]] = {}
        self.known: dict[int, list[Persona]] = {}
        for team, volunteers in self.volunteers.items():
            people = [p for p in self.by_team[team] if p is not self.maria]
            rng.shuffle(people)
            if team == "eastside":
                people.insert(0, self.maria)  # Maria is one of Ana's people
            start = 0
            for volunteer in volunteers:
                size = rng.randint(27, 33)
                mine = people[start : start + size]
                start += size
                self.assigned[volunteer.pk] = mine
                for persona in mine:
                    persona.assigned_to = volunteer
                    assignments.append(
                        Assignment(
                            supporter=persona.supporter,
                            volunteer=volunteer,
                            assigned_by=self.organizer[team],
                        )
                    )
                known = rng.sample(
                    [p for p in self.by_team[team] if p not in mine], rng.randint(7, 9)
                )
                self.known[volunteer.pk] = known
                for persona in known:
                    kind = self.pick(
                        {
                            "friend": 30,
                            "family": 12,
                            "neighbor": 25,
                            "coworker": 15,
                            "congregation": 40 if team == "riverside" else 12,
                        }
                    )
                    relationships.append(
                        Relationship(
                            supporter=persona.supporter,
                            known_by=volunteer,
                            kind=kind,
                            note=rng.choice(text.RELATIONSHIP_NOTES[kind]),
                            created_by=volunteer,
                        )
                    )
        for first, second, kind, note in self.pairs:
            relationships.append(
                Relationship(
                    supporter=first.supporter,
                    other_supporter=second.supporter,
                    kind=kind,
                    note=note,
                    created_by=self.organizer[first.supporter.team.slug],
                )
            )
        Assignment.objects.bulk_create(assignments)
        Relationship.objects.bulk_create(relationships)
        known_ids = {p.supporter.pk for people in self.known.values() for p in people}
        Supporter.objects.filter(pk__in=known_ids).update(source=Supporter.Source.RELATIONAL)
        self.counts.update(assignments=len(assignments), relationships=len(relationships))

    # --- Listening --------------------------------------------------------------------

    def when(self, channel: str) -> datetime:
        """A local time in the last DAYS days, busier lately, at an hour that suits the channel."""
        days_ago = int(DAYS * self.rng.random() ** 1.4)
        day = (self.now.astimezone(self.tz) - timedelta(days=days_ago)).date()
        first, last = HOURS[channel]
        if channel == "event" and day.weekday() == 5:
            first, last = 10 * 60, 12 * 60  # Saturday morning events
        moment = datetime(day.year, day.month, day.day, tzinfo=self.tz) + timedelta(
            minutes=self.rng.randint(first, last)
        )
        return moment - timedelta(days=1) if moment > self.now else moment

    def new_talk(
        self, volunteer: User, persona: Persona, channel: str, outcome: str, happened_at: datetime
    ) -> Talk:
        conversation = Conversation(
            supporter=persona.supporter,
            volunteer=volunteer,
            channel=channel,
            outcome=outcome,
            happened_at=happened_at,
            client_uuid=uuid.UUID(int=self.rng.getrandbits(128), version=4),
        )
        return Talk(conversation, persona)

    def load_conversations(self) -> None:
        rng = self.rng
        activity = dict(zip(self.all_volunteers, [1.4, 0.8, 1.2, 1.0, 0.9, 0.7], strict=True))
        talks = []
        while len(talks) < CONVERSATIONS:
            volunteer = rng.choices(list(activity), weights=list(activity.values()))[0]
            draw = rng.random()
            if draw < 0.55:
                persona, channel = rng.choice(self.assigned[volunteer.pk]), None
            elif draw < 0.7:
                persona = rng.choice(self.known[volunteer.pk])
                channel = self.pick({"relational": 55, "phone": 25, "text": 20})
            else:  # working the team's turf
                persona, channel = rng.choice(self.by_team[self.team_of[volunteer.pk]]), None
            if persona is self.maria:
                continue  # her history is scripted below
            channel = channel or self.pick(CHANNEL_WEIGHTS)
            outcome = self.pick(OUTCOME_WEIGHTS[channel])
            talks.append(self.new_talk(volunteer, persona, channel, outcome, self.when(channel)))
        scripted = []
        for days_ago, (hour, minute), channel, outcome, told in MARIA_HISTORY:
            day = self.now.astimezone(self.tz) - timedelta(days=days_ago)
            moment = day.replace(hour=hour, minute=minute, second=0, microsecond=0)
            talk = self.new_talk(self.users["ana"], self.maria, channel, outcome, moment)
            talk.told = told
            scripted.append(talk)
        self.maria_talk = scripted[1]
        talks += scripted
        talks.sort(key=lambda talk: talk.conversation.happened_at)
        for talk in talks:
            if talk.persona is not self.maria:  # her talks are scripted
                self.listen(talk)
            talk.issues = list(
                dict.fromkeys(text.HEARD[index][2] for index in talk.told if text.HEARD[index][2])
            )[:2]
            if talk.conversation.outcome == "talked" and not talk.issues and rng.random() < 0.35:
                talk.issues = [talk.persona.top_issue]
            talk.conversation.heard = self.heard_text(talk)
        Conversation.objects.bulk_create(talk.conversation for talk in talks)
        through = Conversation.issues.through
        links = [
            through(conversation_id=talk.conversation.pk, issue_id=self.issues[key].pk)
            for talk in talks
            for key in talk.issues
        ]
        through.objects.bulk_create(links)
        responses = [
            r
            for talk in talks
            if talk.conversation.outcome == "talked"
            for r in self.survey_answers(talk)
        ]
        SurveyResponse.objects.bulk_create(responses)
        # Anyone we have really talked with is at least "contacted".
        Supporter.objects.filter(
            engagement_level=Supporter.EngagementLevel.UNKNOWN,
            conversations__outcome=Conversation.Outcome.TALKED,
        ).update(engagement_level=Supporter.EngagementLevel.CONTACTED)
        self.talks = talks
        self.counts.update(
            conversations=len(talks), issue_links=len(links), survey_responses=len(responses)
        )

    def listen(self, talk: Talk) -> None:
        """Choose what this person tells us this time: the next parts of their story."""
        if talk.conversation.outcome != "talked":
            return
        persona, rng = talk.persona, self.rng
        wanted = rng.choices([1, 2, 3], weights=[40, 40, 20])[0]
        fresh = [index for index in persona.story if index not in persona.told]
        if len(fresh) < wanted:
            extra = [
                index
                for index, (sentence, _, _, only_for) in enumerate(text.HEARD)
                if index not in persona.told
                and only_for in (None, persona.background)
                and (persona.gender != "x" or "{" not in sentence)
            ]
            fresh += rng.sample(extra, wanted - len(fresh))
        talk.told = fresh[:wanted]
        persona.told.update(talk.told)

    def heard_text(self, talk: Talk) -> str:
        if talk.conversation.outcome != "talked":
            return self.rng.choice(text.BRIEF_HEARD.get(talk.conversation.outcome, [""]))
        she = talk.persona.gender == "f"
        words = {
            "sub": "she" if she else "he",
            "Sub": "She" if she else "He",
            "obj": "her" if she else "him",
            "pos": "her" if she else "his",
            "Pos": "Her" if she else "His",
        }
        return " ".join(text.HEARD[index][0].format(**words) for index in talk.told)

    def survey_answers(self, talk: Talk) -> list[SurveyResponse]:
        rng, supporter = self.rng, talk.persona.supporter
        answers = []

        def answer(slug: str, value: str = "", text_answer: str = "") -> None:
            answers.append(
                SurveyResponse(
                    conversation=talk.conversation,
                    question=self.questions[slug],
                    choice=self.choices[(slug, value)] if value else None,
                    text=text_answer,
                )
            )

        if supporter.support_level and rng.random() < 0.75:
            answer("support", str(supporter.support_level))
        if rng.random() < 0.55:
            key = talk.issues[0] if talk.issues else talk.persona.top_issue
            answer("top-issue", slugify(self.issues[key].name))
        if rng.random() < 0.4:
            level = supporter.support_level or 3
            weights = {1: [50, 35, 15], 2: [40, 40, 20], 3: [15, 45, 40]}.get(level, [3, 12, 85])
            answer("meeting", rng.choices(["yes", "maybe", "no"], weights=weights)[0])
        if rng.random() < 0.08:
            answer("anything-else", text_answer=rng.choice(text.ANYTHING_ELSE))
        return answers

    # --- Notes and follow-ups ---------------------------------------------------------

    def soon_after(self, moment: datetime, most_minutes: int = 20) -> datetime:
        return min(moment + timedelta(minutes=self.rng.randint(1, most_minutes)), self.now)

    def load_notes(self) -> None:
        rng = self.rng
        notes = []
        remembered: dict[int, set[str]] = {}
        talked = [t for t in self.talks if t.told and t is not self.maria_talk]
        rng.shuffle(talked)
        for talk in [self.maria_talk, *talked]:
            # About 200 people get a thing to remember; a quarter of them a second one later.
            lines = remembered.get(talk.persona.supporter.pk)
            if lines is None and len(remembered) >= 200:
                continue
            if lines is not None and (len(lines) >= 2 or rng.random() > 0.25):
                continue
            lines = lines or set()
            body = next(
                (
                    text.HEARD[i][1]
                    for i in talk.told
                    if text.HEARD[i][1] and text.HEARD[i][1] not in lines
                ),
                None,
            )
            if body is None:
                continue
            remembered[talk.persona.supporter.pk] = lines | {body}
            notes.append(
                Note(
                    supporter=talk.persona.supporter,
                    conversation=talk.conversation,
                    author=talk.conversation.volunteer,
                    kind=Note.Kind.REMEMBER,
                    body=body,
                    is_pinned=talk is self.maria_talk or rng.random() < 0.03,
                    created_at=self.soon_after(talk.conversation.happened_at),
                )
            )
        by_supporter: dict[int, list[Talk]] = {}
        for talk in self.talks:
            if talk.conversation.outcome == "talked":
                by_supporter.setdefault(talk.persona.supporter.pk, []).append(talk)
        for persona in rng.sample(self.personas, 70):
            talk = rng.choice(by_supporter.get(persona.supporter.pk, [None]))
            team = persona.supporter.team.slug
            author = talk.conversation.volunteer if talk else rng.choice(self.volunteers[team])
            moment = talk.conversation.happened_at if talk else self.when("relational")
            notes.append(
                Note(
                    supporter=persona.supporter,
                    conversation=talk.conversation if talk else None,
                    author=author,
                    kind=Note.Kind.GENERAL,
                    body=rng.choice(text.GENERAL_NOTES),
                    created_at=self.soon_after(moment, 120),
                )
            )
        immigrants = [p for p in self.personas if p.background not in ("general", "polish")]
        for index, body in enumerate(text.SENSITIVE_NOTES):
            persona = rng.choice(immigrants if index == 0 else self.personas)
            notes.append(
                Note(
                    supporter=persona.supporter,
                    author=self.organizer[persona.supporter.team.slug],
                    kind=Note.Kind.SENSITIVE,
                    body=body,
                    is_pinned=index == 0,
                    created_at=self.when("relational"),
                )
            )
        Note.objects.bulk_create(notes)
        self.counts.update(notes=len(notes), supporters_with_things_to_remember=len(remembered))

    def load_followups(self) -> None:
        rng = self.rng
        latest: dict[int, Talk] = {}
        for talk in self.talks:
            latest[talk.persona.supporter.pk] = talk  # talks are in time order
        recent = self.now - timedelta(days=21)
        candidates = [
            talk
            for pk, talk in latest.items()
            if pk not in self.do_not_contact
            and talk.persona is not self.maria
            and talk.conversation.happened_at > recent
            and (
                talk.conversation.outcome in ("not_home", "callback_requested", "left_message")
                or (
                    talk.conversation.outcome == "talked"
                    and (talk.persona.supporter.support_level or 9) <= 2
                )
            )
        ]
        chosen = rng.sample(candidates, min(130, len(candidates)))
        followups = [
            FollowUp(
                supporter=self.maria.supporter,
                assignee=self.users["ana"],
                due_at=self.local_hour(self.now + timedelta(days=2), 17),
                reason="Invite to veterans' services town hall",
                source_conversation=self.maria_talk.conversation,
                created_by=self.users["ana"],
            )
        ]
        for talk in chosen:
            conversation = talk.conversation
            reason = text.FOLLOWUP_REASONS[conversation.outcome]
            if conversation.outcome == "talked" and talk.persona.supporter.team.slug != "westside":
                reason = "Invite to neighborhood meeting"
            due = max(self.due_soon(), conversation.happened_at + timedelta(days=1))
            followups.append(
                FollowUp(
                    supporter=talk.persona.supporter,
                    assignee=conversation.volunteer,
                    due_at=due,
                    reason=reason,
                    source_conversation=conversation,
                    created_by=conversation.volunteer,
                )
            )
        taken = {f.supporter.pk for f in followups} | self.do_not_contact
        others = [p for p in self.personas if p.supporter.pk not in taken]
        for persona in rng.sample(others, 150 - len(followups)):
            team = persona.supporter.team.slug
            followups.append(
                FollowUp(
                    supporter=persona.supporter,
                    assignee=persona.assigned_to or rng.choice(self.volunteers[team]),
                    due_at=self.due_soon(),
                    reason=rng.choice(text.OTHER_FOLLOWUP_REASONS),
                    created_by=self.organizer[team],
                )
            )
        open_count = len(followups)
        for persona in rng.sample(self.personas, 100):
            team = persona.supporter.team.slug
            assignee = persona.assigned_to or rng.choice(self.volunteers[team])
            due = self.local_hour(self.now - timedelta(days=rng.uniform(3, 55)), 17)
            source = next(
                (
                    t.conversation
                    for t in reversed(self.talks)
                    if t.persona is persona and t.conversation.happened_at < due
                ),
                None,
            )
            followups.append(
                FollowUp(
                    supporter=persona.supporter,
                    assignee=assignee,
                    due_at=due,
                    reason=rng.choice(
                        [*text.FOLLOWUP_REASONS.values(), *text.OTHER_FOLLOWUP_REASONS]
                    ),
                    status=FollowUp.Status.DONE,
                    source_conversation=source,
                    created_by=assignee,
                    completed_by=assignee,
                    completed_at=min(due + timedelta(hours=rng.uniform(-24, 48)), self.now),
                )
            )
        FollowUp.objects.bulk_create(followups)
        self.counts.update(open_followups=open_count, done_followups=len(followups) - open_count)

    def due_soon(self) -> datetime:
        """From five days ago to ten days ahead, at a local hour people get things done."""
        moment = self.now + timedelta(days=self.rng.uniform(-5, 10))
        return self.local_hour(moment, self.rng.choice([10, 12, 17, 18]))

    def local_hour(self, moment: datetime, hour: int) -> datetime:
        return moment.astimezone(self.tz).replace(hour=hour, minute=0, second=0, microsecond=0)

    # --- The timeline -----------------------------------------------------------------

    def load_history(self) -> None:
        """Write the timeline lines the services would have written, dated as the demo story
        goes: added just before their first conversation, then talks, notes and follow-ups."""
        first_talk: dict[int, datetime] = {}
        last_talk: dict[int, datetime] = {}
        events: list[HistoryEvent] = []
        for talk in self.talks:
            conversation = talk.conversation
            pk, at = conversation.supporter_id, conversation.happened_at
            first_talk[pk] = min(first_talk.get(pk, at), at)
            last_talk[pk] = max(last_talk.get(pk, at), at)
            events.append(
                HistoryEvent(
                    supporter_id=pk,
                    kind=HistoryEvent.Kind.CONVERSATION,
                    at=at,
                    actor_id=conversation.volunteer_id,
                    summary=f"{conversation.get_channel_display()}: "
                    f"{conversation.get_outcome_display()}",
                    subject_type="conversation",
                    subject_id=conversation.pk,
                )
            )
        added: dict[int, datetime] = {}
        for persona in self.personas:
            supporter = persona.supporter
            at = first_talk.get(supporter.pk, self.now - timedelta(days=70)) - timedelta(days=1)
            added[supporter.pk] = at
            events.append(
                HistoryEvent(
                    supporter_id=supporter.pk,
                    kind=HistoryEvent.Kind.CREATED,
                    at=at,
                    actor_id=supporter.created_by_id,
                    summary=f"Added ({supporter.get_source_display()})",
                    subject_type="supporter",
                    subject_id=supporter.pk,
                )
            )
        for tagging in SupporterTag.objects.select_related("tag"):
            events.append(
                HistoryEvent(
                    supporter_id=tagging.supporter_id,
                    kind=HistoryEvent.Kind.TAG_ADDED,
                    at=added[tagging.supporter_id] + timedelta(minutes=5),
                    actor_id=tagging.added_by_id,
                    summary=f"Tagged {tagging.tag.name}",
                    subject_type="tag",
                    subject_id=tagging.tag_id,
                )
            )
        for assignment in Assignment.objects.select_related("volunteer"):
            events.append(
                HistoryEvent(
                    supporter_id=assignment.supporter_id,
                    kind=HistoryEvent.Kind.ASSIGNED,
                    at=added[assignment.supporter_id] + timedelta(minutes=10),
                    actor_id=assignment.assigned_by_id,
                    summary=f"Assigned to {assignment.volunteer}",
                    subject_type="assignment",
                    subject_id=assignment.pk,
                )
            )
        for flag in DoNotContact.objects.all():
            at = last_talk.get(flag.supporter_id, added[flag.supporter_id]) + timedelta(minutes=1)
            events.append(
                HistoryEvent(
                    supporter_id=flag.supporter_id,
                    kind=HistoryEvent.Kind.CONSENT_SET,
                    at=at,
                    actor_id=flag.set_by_id,
                    summary=f"Do not contact by {flag.get_channel_display().lower()}: {flag.reason}",
                    details={"channel": flag.channel},
                )
            )
        for note in Note.objects.all():
            sensitive = note.kind == Note.Kind.SENSITIVE
            events.append(
                HistoryEvent(
                    supporter_id=note.supporter_id,
                    kind=HistoryEvent.Kind.REMEMBER
                    if note.kind == Note.Kind.REMEMBER
                    else HistoryEvent.Kind.NOTE,
                    at=note.created_at,
                    actor_id=note.author_id,
                    summary="Sensitive note" if sensitive else note.body[:300],
                    subject_type="note",
                    subject_id=note.pk,
                    details={"note_kind": note.kind},
                )
            )
        for followup in FollowUp.objects.select_related("assignee", "source_conversation"):
            created = (
                followup.source_conversation.happened_at + timedelta(minutes=2)
                if followup.source_conversation
                else min(followup.due_at - timedelta(days=2), self.now)
            )
            events.append(
                HistoryEvent(
                    supporter_id=followup.supporter_id,
                    kind=HistoryEvent.Kind.FOLLOW_UP_CREATED,
                    at=created,
                    actor_id=followup.created_by_id,
                    summary=f"{followup.reason} — due "
                    f"{timezone.localtime(followup.due_at):%b %-d, %-I:%M %p}"
                    + (f", for {followup.assignee}" if followup.assignee else ""),
                    subject_type="followup",
                    subject_id=followup.pk,
                )
            )
            if followup.completed_at:
                events.append(
                    HistoryEvent(
                        supporter_id=followup.supporter_id,
                        kind=HistoryEvent.Kind.FOLLOW_UP_DONE,
                        at=followup.completed_at,
                        actor_id=followup.completed_by_id,
                        summary=f"{followup.reason} — done",
                        subject_type="followup",
                        subject_id=followup.pk,
                    )
                )
        HistoryEvent.objects.bulk_create(events, batch_size=2000)
        self.counts.update(history_events=len(events))

"""The demo's story, planned in memory: who looks after whom, sixty days of conversations,
tags and consent. ``demo.followthrough`` plans the notes and follow-ups that come of them, and
``demo.loader`` writes it all through the services, in the order it happened.

Every act is given to someone the access model lets do it: a volunteer talks only with the
people assigned to them or known to them (an organizer knocks the rest of the team's turf);
tags come from someone who sees the person; assignments and relationships recorded for others
come from the team's organizer.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from django.utils.text import slugify

from . import text_heard, text_heard_es, text_notes, text_organization
from .people import FLOODED, ST_PIUS, VETERAN_SON, Persona

if TYPE_CHECKING:
    from conversations.models import Conversation
    from organizing.models import User

CONVERSATIONS = 1490
DAYS = 60
ISSUE_NAMES = {key: name for key, name, _ in text_organization.ISSUES}

# Maria's conversations with Ana: (days ago, local time, channel, outcome, what she told us).
MARIA_HISTORY = [
    (38, (16, 10), "door", "not_home", []),
    (24, (17, 40), "door", "talked", [VETERAN_SON, ST_PIUS]),  # the knock from the design brief
    (9, (18, 15), "phone", "talked", [FLOODED]),
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
RELATIONSHIP_KINDS = {"friend": 30, "family": 12, "neighbor": 25, "coworker": 15}


@dataclass(eq=False)
class Talk:
    """A conversation to log, with the sentences heard in it and the survey answers."""

    persona: Persona
    talker: User
    channel: str
    outcome: str
    happened_at: datetime
    client_uuid: uuid.UUID
    told: list[int] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)
    heard: str = ""
    language: str = "en"  # what the note is written in (a Spanish speaker's, in Spanish)
    answers: list[tuple[str, str, str]] = field(default_factory=list)  # (slug, value, text)
    conversation: Conversation | None = None  # once logged


class Campaign:
    """Plans the story from one seeded ``rng``; the loader reads the lists it fills."""

    def __init__(
        self,
        *,
        rng: random.Random,
        now: datetime,
        tz: tzinfo,
        organizer: dict[str, User],
        volunteers: dict[str, list[User]],
        personas: list[Persona],
        pairs: list[tuple[Persona, Persona, str, str]],
    ) -> None:
        self.rng, self.now, self.tz = rng, now, tz
        self.organizer, self.volunteers = organizer, volunteers
        self.personas, self.pairs = personas, pairs
        self.maria = personas[0]
        self.by_team: dict[str, list[Persona]] = {slug: [] for slug in volunteers}
        for persona in personas:
            self.by_team[persona.team].append(persona)
        self.talks: list[Talk] = []
        self.tags: list[tuple[Persona, str, User, datetime]] = []
        self.consent: list[tuple[Persona, str, str, User, datetime]] = []
        self.updates: list[tuple[Persona, dict[str, int], datetime]] = []
        self.answered_support: set[int] = set()

    def pick(self, weights: dict[str, float]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def plan(self) -> None:
        self.plan_turf()
        self.plan_talks()
        self.plan_added()
        self.plan_consent()
        self.plan_tags()
        self.plan_updates()

    # --- Who looks after whom ----------------------------------------------------------

    def plan_turf(self) -> None:
        """Each volunteer gets ~30 of their team's people and knows 7 to 9 others."""
        rng = self.rng
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
                known = rng.sample(
                    [p for p in self.by_team[team] if p not in mine], rng.randint(7, 9)
                )
                self.known[volunteer.pk] = known
                weights = {**RELATIONSHIP_KINDS, "congregation": 40 if team == "riverside" else 12}
                for persona in known:
                    kind = self.pick(weights)
                    note = rng.choice(text_notes.RELATIONSHIP_NOTES[kind])
                    persona.known_by.append((volunteer, kind, note))
                    persona.source = "relational"  # a volunteer's own circle

    def carer(self, persona: Persona) -> User:
        """Who follows up with them: their volunteer, else one who knows them, else the
        team's organizer."""
        if persona.assigned_to is not None:
            return persona.assigned_to
        if persona.known_by:
            return persona.known_by[0][0]
        return self.organizer[persona.team]

    # --- Listening ---------------------------------------------------------------------

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
        self, talker: User, persona: Persona, channel: str, outcome: str, happened_at: datetime
    ) -> Talk:
        client_uuid = uuid.UUID(int=self.rng.getrandbits(128), version=4)
        return Talk(persona, talker, channel, outcome, happened_at, client_uuid)

    def plan_talks(self) -> None:
        rng = self.rng
        all_volunteers = [user for team in self.volunteers.values() for user in team]
        team_of = {user.pk: slug for slug, team in self.volunteers.items() for user in team}
        activity = dict(zip(all_volunteers, [1.4, 0.8, 1.2, 1.0, 0.9, 0.7], strict=True))
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
                persona, channel = rng.choice(self.by_team[team_of[volunteer.pk]]), None
            if persona is self.maria:
                continue  # her history is scripted below
            channel = channel or self.pick(CHANNEL_WEIGHTS)
            outcome = self.pick(OUTCOME_WEIGHTS[channel])
            # A volunteer logs only people they see; the organizer knocks everyone else's door.
            talker = (
                volunteer if persona.may_be_seen_by(volunteer) else self.organizer[persona.team]
            )
            talks.append(self.new_talk(talker, persona, channel, outcome, self.when(channel)))
        ana = self.maria.assigned_to
        scripted = []
        for days_ago, (hour, minute), channel, outcome, told in MARIA_HISTORY:
            day = self.now.astimezone(self.tz) - timedelta(days=days_ago)
            moment = day.replace(hour=hour, minute=minute, second=0, microsecond=0)
            talk = self.new_talk(ana, self.maria, channel, outcome, moment)
            talk.told = told
            scripted.append(talk)
        self.maria_talk = scripted[1]
        talks += scripted
        talks.sort(key=lambda talk: talk.happened_at)
        for talk in talks:
            if talk.persona is not self.maria:  # her talks are scripted
                self.listen(talk)
            talk.issues = list(
                dict.fromkeys(
                    text_heard.HEARD[index][2] for index in talk.told if text_heard.HEARD[index][2]
                )
            )[:2]
            if talk.outcome == "talked" and not talk.issues and rng.random() < 0.35:
                talk.issues = [talk.persona.top_issue]
            talk.heard = self.heard_text(talk)
            if talk.outcome == "talked":
                talk.answers = self.survey_answers(talk)
        self.talks = talks

    def listen(self, talk: Talk) -> None:
        """Choose what this person tells us this time: the next parts of their story."""
        if talk.outcome != "talked":
            return
        persona, rng = talk.persona, self.rng
        wanted = rng.choices([1, 2, 3], weights=[40, 40, 20])[0]
        fresh = [index for index in persona.story if index not in persona.told]
        if len(fresh) < wanted:
            extra = [
                index
                for index, (sentence, _, _, only_for) in enumerate(text_heard.HEARD)
                if index not in persona.told
                and only_for in (None, persona.background)
                and (persona.gender != "x" or "{" not in sentence)
            ]
            fresh += rng.sample(extra, wanted - len(fresh))
        talk.told = fresh[:wanted]
        persona.told.update(talk.told)

    def heard_text(self, talk: Talk) -> str:
        if talk.persona.language == "es":
            return self.heard_text_es(talk)
        if talk.outcome != "talked":
            return self.rng.choice(text_notes.BRIEF_HEARD.get(talk.outcome, [""]))
        she = talk.persona.gender == "f"
        words = {
            "sub": "she" if she else "he",
            "Sub": "She" if she else "He",
            "obj": "her" if she else "him",
            "pos": "her" if she else "his",
            "Pos": "Her" if she else "His",
        }
        return " ".join(text_heard.HEARD[index][0].format(**words) for index in talk.told)

    def heard_text_es(self, talk: Talk) -> str:
        """A Spanish speaker's note, in Spanish where the story has a Spanish version (the rest
        stays as written in English: a mixed note)."""
        talk.language = "es"
        if talk.outcome != "talked":
            # Drawn as for anyone, so the rest of the seeded story stays as it was.
            english = self.rng.choice(text_notes.BRIEF_HEARD.get(talk.outcome, [""]))
            brief = text_heard_es.BRIEF_HEARD_ES.get(talk.outcome)
            return brief[talk.client_uuid.int % len(brief)] if brief else english
        she = talk.persona.gender == "f"
        words = {
            "sub": "she" if she else "he",
            "Sub": "She" if she else "He",
            "obj": "her" if she else "him",
            "pos": "her" if she else "his",
            "Pos": "Her" if she else "His",
        }
        sentences = []
        for index in talk.told:
            english = text_heard.HEARD[index][0]
            spanish = text_heard_es.HEARD_ES.get(english)
            sentences.append(spanish if spanish else english.format(**words))
        return " ".join(sentences)

    def survey_answers(self, talk: Talk) -> list[tuple[str, str, str]]:
        """What they answered; the first time we really talk, where they stand (1 to 5)."""
        rng, persona = self.rng, talk.persona
        answers = []
        first_time = id(persona) not in self.answered_support
        if persona.support and (first_time or rng.random() < 0.75):
            answers.append(("support", str(persona.support), ""))
            self.answered_support.add(id(persona))
        if rng.random() < 0.55:
            key = talk.issues[0] if talk.issues else persona.top_issue
            answers.append(("top-issue", slugify(ISSUE_NAMES[key]), ""))
        if rng.random() < 0.4:
            level = persona.support or 3
            weights = {1: [50, 35, 15], 2: [40, 40, 20], 3: [15, 45, 40]}.get(level, [3, 12, 85])
            answers.append(("meeting", rng.choices(["yes", "maybe", "no"], weights=weights)[0], ""))
        if rng.random() < 0.08:
            answers.append(("anything-else", "", rng.choice(text_notes.ANYTHING_ELSE)))
        return answers

    # --- When they were added, and what was recorded about them -------------------------

    def plan_added(self) -> None:
        """Added the day before their first conversation (or ten weeks ago, never reached)."""
        first: dict[int, datetime] = {}
        for talk in self.talks:  # in time order
            first.setdefault(id(talk.persona), talk.happened_at)
        for persona in self.personas:
            start = first.get(id(persona), self.now - timedelta(days=70))
            persona.added_at = start - timedelta(days=1)

    def last_talk(self, persona: Persona) -> Talk | None:
        return self.last_talks.get(id(persona))

    def plan_consent(self) -> None:
        """Some ask not to be called, texted or visited, at the end of their last conversation
        (told to the one who talked with them), or through their organizer."""
        rng = self.rng
        self.last_talks = {id(talk.persona): talk for talk in self.talks}
        self.do_not_contact: set[int] = set()
        for channel, share in (("call", 0.05), ("text", 0.03), ("visit", 0.02)):
            for persona in rng.sample(self.personas, round(share * len(self.personas))):
                if persona is self.maria:
                    continue
                talk = self.last_talk(persona)
                actor = talk.talker if talk else self.organizer[persona.team]
                at = (
                    talk.happened_at + timedelta(minutes=1)
                    if talk
                    else self.after_added(persona, persona.added_at)
                )
                reason = rng.choice(text_notes.DO_NOT_CONTACT_REASONS[channel])
                self.consent.append((persona, channel, reason, actor, at))
                self.do_not_contact.add(id(persona))

    def plan_tags(self) -> None:
        """Tags from someone who sees the person: their organizer, volunteer or a friend."""
        rng = self.rng
        for persona in self.personas:
            team = persona.team
            chances = {
                "tenant": 0.45 if team != "westside" else 0.7,
                "parent": 0.3,
                "senior": 0.15,
                "small business": 0.05,
                "faith leader": 0.06 if team == "riverside" else 0.02,
                "union member": 1.0 if persona.custom_fields.get("union_member") else 0.04,
                "spanish speaker": {"es": 0.9}.get(persona.language, 0.0)
                + (0.15 if persona.background == "latino" and persona.language == "en" else 0),
                "volunteer prospect": 0.35
                if persona.engagement >= 2 and (persona.support or 9) <= 2
                else 0.0,
            }
            taggers = [self.organizer[team], *(user for user, _, _ in persona.known_by)]
            if persona.assigned_to is not None:
                taggers.append(persona.assigned_to)
            at = persona.added_at + timedelta(minutes=10)
            self.tags.extend(
                (persona, name, rng.choice(taggers), at)
                for name, chance in chances.items()
                if rng.random() < chance
            )

    def plan_updates(self) -> None:
        """What the organizer knows of them beyond a conversation: where they stand when no
        survey answer said so (an import's support score), and their step on the ladder
        above "contacted"."""
        for persona in self.personas:
            changes = {}
            if persona.support and id(persona) not in self.answered_support:
                changes["support_level"] = persona.support
            if persona.engagement >= 2:
                changes["engagement_level"] = persona.engagement
            if changes:
                self.updates.append((persona, changes, persona.added_at + timedelta(minutes=30)))

    def after_added(self, persona: Persona, moment: datetime) -> datetime:
        """``moment``, but no earlier than an hour after they were added, nor later than now."""
        return min(max(moment, persona.added_at + timedelta(hours=1)), self.now)

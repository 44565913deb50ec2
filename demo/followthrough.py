"""What comes of the demo's conversations, planned in memory: things to remember and notes,
follow-ups made, handed on and done, notes corrected, and duplicates found and merged.

Everyone acts within the access model: a note comes from the one who talked with the person
(or who looks after them), sensitive notes from the team's organizer; a follow-up is done by
its assignee; follow-ups are handed on and duplicates merged by the team's organizer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from . import text_heard, text_notes
from .campaign import Campaign, Talk
from .people import Persona

if TYPE_CHECKING:
    from conversations.models import FollowUp, Note
    from organizing.models import User
    from supporters.models import Supporter

REMEMBERED_PEOPLE = 200
GENERAL_NOTES = 70
OPEN_FOLLOWUPS = 150
DONE_FOLLOWUPS = 100
REASSIGNED_FOLLOWUPS = 6
CORRECTED_NOTES = 6
MERGES = 3


@dataclass(eq=False)
class PlannedNote:
    persona: Persona
    author: User
    kind: str  # Note.Kind values
    body: str
    at: datetime
    talk: Talk | None = None
    is_pinned: bool = False
    corrected: tuple[datetime, str] | None = None  # (when, new body), by the author
    note: Note | None = None  # once written


@dataclass(eq=False)
class PlannedFollowUp:
    persona: Persona
    assignee: User
    created_by: User
    due_at: datetime
    reason: str
    at: datetime
    talk: Talk | None = None
    done_at: datetime | None = None  # done by the assignee
    reassigned: tuple[datetime, User] | None = None  # (when, to whom), by the organizer
    followup: FollowUp | None = None  # once made


@dataclass(eq=False)
class PlannedMerge:
    """An import that brought someone in a second time, merged by the organizer."""

    persona: Persona
    at: datetime
    merged_at: datetime
    duplicate: Supporter | None = None  # once added


class Followthrough:
    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.rng = campaign.rng
        self.now = campaign.now
        self.notes: list[PlannedNote] = []
        self.followups: list[PlannedFollowUp] = []
        self.merges: list[PlannedMerge] = []

    def plan(self) -> None:
        self.plan_notes()
        self.plan_followups()
        self.plan_reassignments()
        self.plan_corrections()
        self.plan_merges()

    def soon_after(self, moment: datetime, most_minutes: int = 20) -> datetime:
        return min(moment + timedelta(minutes=self.rng.randint(1, most_minutes)), self.now)

    # --- Notes -------------------------------------------------------------------------

    def plan_notes(self) -> None:
        campaign, rng = self.campaign, self.rng
        remembered: dict[int, set[str]] = {}
        talked = [t for t in campaign.talks if t.told and t is not campaign.maria_talk]
        rng.shuffle(talked)
        for talk in [campaign.maria_talk, *talked]:
            # About 200 people get a thing to remember; a quarter of them a second one later.
            lines = remembered.get(id(talk.persona))
            if lines is None and len(remembered) >= REMEMBERED_PEOPLE:
                continue
            if lines is not None and (len(lines) >= 2 or rng.random() > 0.25):
                continue
            lines = lines or set()
            body = next(
                (
                    text_heard.HEARD[i][1]
                    for i in talk.told
                    if text_heard.HEARD[i][1] and text_heard.HEARD[i][1] not in lines
                ),
                None,
            )
            if body is None:
                continue
            remembered[id(talk.persona)] = lines | {body}
            self.notes.append(
                PlannedNote(
                    talk.persona,
                    talk.talker,
                    "remember",
                    body,
                    self.soon_after(talk.happened_at),
                    talk=talk,
                    is_pinned=talk is campaign.maria_talk or rng.random() < 0.03,
                )
            )
        self.remembered_people = len(remembered)
        by_persona: dict[int, list[Talk]] = {}
        for talk in campaign.talks:
            if talk.outcome == "talked":
                by_persona.setdefault(id(talk.persona), []).append(talk)
        for persona in rng.sample(campaign.personas, GENERAL_NOTES):
            talk = rng.choice(by_persona.get(id(persona), [None]))
            author = talk.talker if talk else campaign.carer(persona)
            moment = talk.happened_at if talk else campaign.when("relational")
            at = campaign.after_added(persona, self.soon_after(moment, 120))
            body = rng.choice(text_notes.GENERAL_NOTES)
            self.notes.append(PlannedNote(persona, author, "general", body, at, talk=talk))
        immigrants = [p for p in campaign.personas if p.background not in ("general", "polish")]
        for index, body in enumerate(text_notes.SENSITIVE_NOTES):
            persona = rng.choice(immigrants if index == 0 else campaign.personas)
            at = campaign.after_added(persona, campaign.when("relational"))
            organizer = campaign.organizer[persona.team]
            self.notes.append(
                PlannedNote(persona, organizer, "sensitive", body, at, is_pinned=index == 0)
            )

    def plan_corrections(self) -> None:
        """A few things to remember corrected by the volunteer who wrote them, days later."""
        notes = [
            n
            for n in self.notes
            if n.kind == "remember"
            and n.body in text_notes.CORRECTIONS
            and n.talk is not self.campaign.maria_talk
        ]
        for note in self.rng.sample(notes, min(CORRECTED_NOTES, len(notes))):
            at = min(note.at + timedelta(days=self.rng.uniform(1, 10)), self.now)
            note.corrected = (at, text_notes.CORRECTIONS[note.body])

    # --- Follow-ups --------------------------------------------------------------------

    def due_soon(self) -> datetime:
        """From five days ago to ten days ahead, at a local hour people get things done."""
        moment = self.now + timedelta(days=self.rng.uniform(-5, 10))
        return self.local_hour(moment, self.rng.choice([10, 12, 17, 18]))

    def local_hour(self, moment: datetime, hour: int) -> datetime:
        local = moment.astimezone(self.campaign.tz)
        return local.replace(hour=hour, minute=0, second=0, microsecond=0)

    def plan_followups(self) -> None:
        campaign, rng = self.campaign, self.rng
        maria_talk = campaign.maria_talk
        recent = self.now - timedelta(days=21)
        candidates = [
            talk
            for talk in campaign.last_talks.values()
            if id(talk.persona) not in campaign.do_not_contact
            and talk.persona is not campaign.maria
            and talk.happened_at > recent
            and (
                talk.outcome in ("not_home", "callback_requested", "left_message")
                or (talk.outcome == "talked" and (talk.persona.support or 9) <= 2)
            )
        ]
        chosen = rng.sample(candidates, min(130, len(candidates)))
        followups = [
            PlannedFollowUp(
                campaign.maria,
                maria_talk.talker,
                maria_talk.talker,
                self.local_hour(self.now + timedelta(days=2), 17),
                "Invite to veterans' services town hall",
                maria_talk.happened_at + timedelta(minutes=2),
                talk=maria_talk,
            )
        ]
        for talk in chosen:
            reason = text_notes.FOLLOWUP_REASONS[talk.outcome]
            if talk.outcome == "talked" and talk.persona.team != "westside":
                reason = "Invite to neighborhood meeting"
            due = max(self.due_soon(), talk.happened_at + timedelta(days=1))
            at = talk.happened_at + timedelta(minutes=2)
            followups.append(
                PlannedFollowUp(talk.persona, talk.talker, talk.talker, due, reason, at, talk=talk)
            )
        taken = {id(f.persona) for f in followups} | campaign.do_not_contact
        others = [p for p in campaign.personas if id(p) not in taken]
        for persona in rng.sample(others, OPEN_FOLLOWUPS - len(followups)):
            due = self.due_soon()
            at = campaign.after_added(persona, due - timedelta(days=2))
            followups.append(
                PlannedFollowUp(
                    persona,
                    campaign.carer(persona),
                    campaign.organizer[persona.team],
                    due,
                    rng.choice(text_notes.OTHER_FOLLOWUP_REASONS),
                    at,
                )
            )
        reasons = [*text_notes.FOLLOWUP_REASONS.values(), *text_notes.OTHER_FOLLOWUP_REASONS]
        for persona in rng.sample(campaign.personas, DONE_FOLLOWUPS):
            assignee = campaign.carer(persona)
            due = self.local_hour(self.now - timedelta(days=rng.uniform(3, 55)), 17)
            source = next(
                (
                    t
                    for t in reversed(campaign.talks)
                    if t.persona is persona and t.happened_at < due
                ),
                None,
            )
            if source is not None:
                at = source.happened_at + timedelta(minutes=2)
            else:
                at = campaign.after_added(persona, due - timedelta(days=2))
            done = due + timedelta(hours=rng.uniform(-24, 48))
            done = min(max(done, at + timedelta(hours=1)), self.now)
            followups.append(
                PlannedFollowUp(
                    persona,
                    assignee,
                    assignee,
                    due,
                    rng.choice(reasons),
                    at,
                    talk=source,
                    done_at=done,
                )
            )
        self.followups = followups

    def plan_reassignments(self) -> None:
        """The organizer hands a few open follow-ups to the volunteer who knows the person."""
        handed = 0
        for followup in self.followups[1:]:  # Maria's stays with Ana
            if handed == REASSIGNED_FOLLOWUPS:
                break
            friends = [u for u, _, _ in followup.persona.known_by if u != followup.assignee]
            if followup.done_at is None and friends:
                at = min(followup.at + timedelta(days=1), self.now)
                followup.reassigned = (at, friends[0])
                handed += 1

    # --- Duplicates --------------------------------------------------------------------

    def plan_merges(self) -> None:
        campaign, rng = self.campaign, self.rng
        late = self.now - timedelta(days=12)
        candidates = [
            p
            for p in campaign.personas[1:]  # not Maria
            if p.email
            and not p.known_by
            and id(p) not in campaign.do_not_contact
            and p.added_at < late
        ]
        for persona in rng.sample(candidates, MERGES):
            span = (late - persona.added_at).total_seconds()
            at = persona.added_at + timedelta(days=2, seconds=rng.uniform(0, span))
            merged_at = min(at + timedelta(days=rng.uniform(1, 3)), self.now)
            self.merges.append(PlannedMerge(persona, at, merged_at))

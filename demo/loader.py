"""Load the demo campaign once, writing its sixty days of history through the services.

``demo_load()`` is the public entry (the ``seed_demo`` command and the launcher's first run
call it). The organization (teams, users) and the shared lists (tags, issues, survey questions)
are made directly: no service makes them yet. Everything about a person is written by the
service a page would call, in the order it happened, dated when it happened (each service's
``at=``), so the timelines, counts and webhooks are the ones real use produces. Enrichment and
listening are queued after commit, as for any save, for the worker to do.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from conversations.models import Issue, SurveyChoice, SurveyQuestion
from conversations.services import (
    conversation_log,
    followup_complete,
    followup_create,
    followup_reassign,
    issue_phrases_add_defaults,
    note_create,
    note_update,
)
from metrics.rollups import rollup_rederive
from organizing.mfa_demo import demo_mfa_setup
from organizing.models import AuditEvent, Membership, Team, User
from organizing.services import audit_record
from supporters.importing.commit import import_commit_chunk
from supporters.importing.models import Import
from supporters.importing.services import (
    import_commit,
    import_dry_run,
    import_mapping_set,
    import_upload,
)
from supporters.models import ExternalId, SupporterEmail, Tag
from supporters.services import (
    assignment_create,
    consent_set,
    contact_points_add,
    relationship_create,
    supporter_create,
    supporter_merge,
    supporter_update,
    tag_add,
)

from . import text_heard_es, text_organization
from .calling import demo_call_list_load
from .campaign import Campaign, Talk
from .canvass import demo_canvass_load
from .followthrough import Followthrough, PlannedFollowUp, PlannedMerge, PlannedNote
from .people import PeopleMaker, Persona

SEED = 2026
# Serializes concurrent loads (two launchers starting at once): the second waits, then skips.
_LOCK_ID = 4_202_620_260
SUPPORT_CHOICES = [
    ("1", "Strong support"),
    ("2", "Lean support"),
    ("3", "Undecided"),
    ("4", "Lean against"),
    ("5", "Strong opposition"),
]


def demo_load() -> dict[str, int] | None:
    """Load the demo unless a team exists; returns what was made, or None when it was there.

    One transaction under an advisory lock: a second loader (two launchers at once) waits,
    then finds the teams and does nothing; a failure leaves nothing half-loaded.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])
        if Team.objects.exists():
            return None
        return DemoLoader().load()


class DemoLoader:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        # A stream of its own, so the rest of the demo draws what it always drew.
        self.preparation = random.Random(SEED + 15)
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.counts: dict[str, int] = {}
        # (when, order, act): sorted by time, ties in the order they were planned.
        self.steps: list[tuple[datetime, int, Callable[[], None]]] = []

    def load(self) -> dict[str, int]:
        started = time.monotonic()
        self.load_organization()
        self.load_catalog()
        personas, pairs = PeopleMaker(self.rng, SEED).make()
        campaign = Campaign(
            rng=self.rng,
            now=self.now,
            tz=self.tz,
            organizer=self.organizer,
            volunteers=self.volunteers,
            personas=personas,
            pairs=pairs,
        )
        campaign.plan()
        followthrough = Followthrough(campaign)
        followthrough.plan()
        self.plan_steps(campaign, followthrough)
        self.steps.sort(key=lambda step: step[:2])
        for _, _, act in self.steps:
            act()
        self.load_external_ids(personas)
        self.load_past_import()
        demo_call_list_load(organizer=self.organizer["eastside"], team=self.teams["eastside"])
        self.counts.update(
            demo_canvass_load(
                organizer=self.organizer["eastside"],
                volunteer=self.users["ana"],
                team=self.teams["eastside"],
            )
        )
        # The dashboard's rollups, derived once from everything just written, the ladder
        # steps of the enrichment run that built the households included (the worker keeps
        # them from here on; the nightly run re-derives them).
        rollup_rederive()
        self.counts.update(
            supporters=len(personas),
            conversations=len(campaign.talks),
            notes=len(followthrough.notes),
            supporters_with_things_to_remember=followthrough.remembered_people,
            followups=len(followthrough.followups),
            merges=len(followthrough.merges),
            call_lists=1,
            seconds=round(time.monotonic() - started),
        )
        return self.counts

    def at(self, moment: datetime, act: Callable[[], None]) -> None:
        self.steps.append((moment, len(self.steps), act))

    # --- The organization and its lists -----------------------------------------------

    def load_organization(self) -> None:
        teams = {
            slug: Team(name=name, slug=slug, description=description)
            for slug, name, description, _ in text_organization.TEAMS
        }
        Team.objects.bulk_create(teams.values())
        self.users: dict[str, User] = {}
        self.volunteers: dict[str, list[User]] = {slug: [] for slug in teams}
        self.organizer: dict[str, User] = {}
        memberships = []
        for email, full_name, roles, is_superuser in text_organization.DEMO_USERS:
            user = User.objects.create_user(
                email, None, full_name=full_name, is_staff=is_superuser, is_superuser=is_superuser
            )
            self.users[email.split("@")[0]] = user
            for slug, role in roles:
                memberships.append(Membership(user=user, team=teams[slug], role=role))
                if role == Membership.Role.VOLUNTEER:
                    self.volunteers[slug].append(user)
                elif role == Membership.Role.ORGANIZER:
                    self.organizer[slug] = user
        Membership.objects.bulk_create(memberships)
        # The volunteers who read Earshot in Spanish (Your account → Language).
        User.objects.filter(email__in=text_heard_es.SPANISH_SPEAKING_VOLUNTEERS).update(
            language="es"
        )
        # One hash for everyone: hashing per user would take seconds, and it is one public password.
        User.objects.filter(pk__in=[u.pk for u in self.users.values()]).update(
            password=make_password(text_organization.DEMO_PASSWORD)
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True)
            for user in self.users.values()
        )
        # Staff roles need a second factor: give theirs the published demo secret (README),
        # read afresh so their new memberships count.
        demo_mfa_setup(users=User.objects.filter(pk__in=[u.pk for u in self.users.values()]))
        self.teams = teams
        self.counts.update(teams=len(teams), users=len(self.users))

    def load_catalog(self) -> None:
        self.tags = {
            name: Tag(name=name, description=desc) for name, desc in text_organization.TAGS
        }
        Tag.objects.bulk_create(self.tags.values())
        self.issues = {
            key: Issue(name=name, description=desc) for key, name, desc in text_organization.ISSUES
        }
        Issue.objects.bulk_create(self.issues.values())
        issue_phrases_add_defaults()  # the listener's phrases (no actor: Earshot's defaults)
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

    def load_external_ids(self, personas: list[Persona]) -> None:
        """Voter-file and VAN ids, as an import leaves them (no service writes these yet)."""
        ExternalId.objects.bulk_create(
            ExternalId(supporter=persona.supporter, system=system, value=value)
            for persona in personas
            for system, value in persona.external_ids
        )

    def load_past_import(self) -> None:
        """One sign-in sheet imported by an organizer, through the import services:
        three new people, two already known (by email), one row with a typo'd email."""
        slug = next(iter(self.organizer))
        organizer, team = self.organizer[slug], self.teams[slug]
        known = list(
            SupporterEmail.objects.filter(supporter__team=team)
            .order_by("id")
            .values_list("supporter__given_name", "supporter__family_name", "address")[:2]
        )
        rows = [
            ("Rosa", "Quintero", "rosa.quintero@example.org", "(512) 555-0187", "78702", "yes"),
            ("Darnell", "Hughes", "darnell.hughes@example.org", "(512) 555-0133", "78741", ""),
            ("Mei", "Lin", "", "(512) 555-0190", "78704", "yes"),
            *((given, family, email, "", "", "yes") for given, family, email in known),
            ("Tom", "Okafor", "tom.okafor@", "", "78702", ""),
        ]
        lines = ["First Name,Last Name,Email Address,Cell Phone,Zip5,Wants to volunteer"]
        lines += [",".join(row) for row in rows]
        job = import_upload(
            actor=organizer,
            team=team,
            file_name="sign-in-sheet-2026-11.csv",
            data=("\n".join(lines) + "\n").encode(),
            source="Sign-in sheet",
        )
        columns = {header: choice for header, choice in job.mapping.items()}
        columns["Wants to volunteer"] = {"target": "custom:wants_to_volunteer"}
        import_mapping_set(actor=organizer, job=job, columns=columns, save=True)
        import_dry_run(actor=organizer, job=job)
        import_commit(actor=organizer, job=job)
        while import_commit_chunk(import_id=job.pk):
            pass
        self.counts["imports"] = Import.objects.filter(pk=job.pk, status="done").count()

    # --- The story, step by step --------------------------------------------------------

    def plan_steps(self, campaign: Campaign, followthrough: Followthrough) -> None:
        for persona in campaign.personas:
            self.at(persona.added_at, lambda p=persona: self.add_person(p, campaign))
        for first, second, kind, note in campaign.pairs:
            moment = max(first.added_at, second.added_at)
            self.at(moment, lambda f=first, s=second, k=kind, n=note: self.relate(f, s, k, n))
        for persona, changes, moment in campaign.updates:
            self.at(
                moment,
                lambda p=persona, c=changes, m=moment: supporter_update(
                    actor=self.organizer[p.team], supporter=p.supporter, at=m, **c
                ),
            )
        for persona, name, actor, moment in campaign.tags:
            self.at(
                moment,
                lambda p=persona, t=self.tags[name], a=actor, m=moment: tag_add(
                    actor=a, supporter=p.supporter, tag=t, at=m
                ),
            )
        for talk in campaign.talks:
            self.at(talk.happened_at, lambda t=talk: self.log(t))
        for persona, channel, reason, actor, moment in campaign.consent:
            self.at(
                moment,
                lambda p=persona, c=channel, r=reason, a=actor, m=moment: consent_set(
                    actor=a, supporter=p.supporter, channel=c, reason=r, at=m
                ),
            )
        for note in followthrough.notes:
            self.at(note.at, lambda n=note: self.write_note(n))
            if note.corrected:
                self.at(note.corrected[0], lambda n=note: self.correct_note(n))
        for followup in followthrough.followups:
            self.at(followup.at, lambda f=followup: self.ask_followup(f))
            if followup.reassigned:
                self.at(followup.reassigned[0], lambda f=followup: self.hand_on(f))
            if followup.done_at:
                self.at(followup.done_at, lambda f=followup: self.finish(f))
        for merge in followthrough.merges:
            self.at(merge.at, lambda m=merge: self.add_duplicate(m))
            self.at(merge.merged_at, lambda m=merge: self.merge(m))

    def add_person(self, persona: Persona, campaign: Campaign) -> None:
        """Added by the volunteer who knows them ("someone I know"), else by their organizer
        (a list, a canvass); then assigned by the organizer, and other friends recorded."""
        organizer = self.organizer[persona.team]
        knower, kind, note = persona.known_by[0] if persona.known_by else (organizer, "", "")
        line1, line2, postal_code = persona.street
        address = {"line1": line1, "line2": line2, "city": "Chicago", "state": "IL"}
        number, phone_kind = persona.phones[0] if persona.phones else ("", "unknown")
        persona.supporter = supporter_create(
            actor=knower,
            team=self.teams[persona.team],
            given_name=persona.given_name,
            family_name=persona.family_name,
            preferred_name=persona.preferred_name,
            pronouns=persona.pronouns,
            language=persona.language,
            source=persona.source,
            email=persona.email,
            phone=number,
            phone_kind=phone_kind,
            address={**address, "postal_code": postal_code} if persona.has_address else None,
            known_by_kind=kind,
            known_by_note=note,
            custom_fields=persona.custom_fields,
            at=persona.added_at,
        )
        later = persona.added_at + timedelta(minutes=2)
        if len(persona.phones) > 1:
            contact_points_add(
                actor=knower, supporter=persona.supporter, phones=persona.phones[1:], at=later
            )
        for user, kind, note in persona.known_by[1:]:
            relationship_create(
                actor=organizer,
                supporter=persona.supporter,
                kind=kind,
                known_by=user,
                note=note,
                at=persona.added_at + timedelta(minutes=3),
            )
        if persona.assigned_to is not None:
            assignment_create(
                actor=organizer,
                supporter=persona.supporter,
                volunteer=persona.assigned_to,
                at=persona.added_at + timedelta(minutes=5),
            )

    def relate(self, first: Persona, second: Persona, kind: str, note: str) -> None:
        """Relatives among the supporters, recorded by their organizer."""
        relationship_create(
            actor=self.organizer[first.team],
            supporter=first.supporter,
            kind=kind,
            other_supporter=second.supporter,
            note=note,
            at=max(first.added_at, second.added_at) + timedelta(minutes=15),
        )

    def log(self, talk: Talk) -> None:
        """The conversation as the door form logs it: outcome, what was heard, the answers.
        More than half the time the volunteer read the brief first (its audit entry, an
        hour or so before), which the dashboard counts as coming prepared."""
        if self.preparation.random() < 0.6:
            viewed = audit_record(
                actor=talk.talker, action="supporter.brief_viewed", obj=talk.persona.supporter
            )
            minutes = self.preparation.randint(5, 180)
            AuditEvent.objects.filter(pk=viewed.pk).update(
                at=talk.happened_at - timedelta(minutes=minutes)
            )
        answers: dict[SurveyQuestion, SurveyChoice | str] = {}
        for slug, value, answer_text in talk.answers:
            question = self.questions[slug]
            answers[question] = self.choices[(slug, value)] if value else answer_text
        talk.conversation, _ = conversation_log(
            actor=talk.talker,
            supporter=talk.persona.supporter,
            client_uuid=talk.client_uuid,
            channel=talk.channel,
            outcome=talk.outcome,
            heard=talk.heard,
            happened_at=talk.happened_at,
            answers=answers,
            issues=[self.issues[key] for key in talk.issues],
            language=talk.language,
        )

    def write_note(self, planned: PlannedNote) -> None:
        planned.note = note_create(
            actor=planned.author,
            supporter=planned.persona.supporter,
            body=planned.body,
            kind=planned.kind,
            conversation=planned.talk.conversation if planned.talk else None,
            is_pinned=planned.is_pinned,
            at=planned.at,
        )

    def correct_note(self, planned: PlannedNote) -> None:
        moment, body = planned.corrected
        note_update(
            note=planned.note,
            actor=planned.author,
            body=body,
            kind=planned.kind,
            is_pinned=planned.is_pinned,
            at=moment,
        )

    def ask_followup(self, planned: PlannedFollowUp) -> None:
        followup, created = followup_create(
            actor=planned.created_by,
            supporter=planned.persona.supporter,
            assignee=planned.assignee,
            due_at=planned.due_at,
            reason=planned.reason,
            source_conversation=planned.talk.conversation if planned.talk else None,
            at=planned.at,
        )
        # One open follow-up per person and reason: a second ask for the same is the first.
        planned.followup = followup if created else None

    def hand_on(self, planned: PlannedFollowUp) -> None:
        if planned.followup is not None:
            moment, assignee = planned.reassigned
            followup_reassign(
                actor=self.organizer[planned.persona.team],
                followup=planned.followup,
                assignee=assignee,
                at=moment,
            )

    def finish(self, planned: PlannedFollowUp) -> None:
        if planned.followup is not None:
            followup_complete(actor=planned.assignee, followup=planned.followup, at=planned.done_at)

    def add_duplicate(self, merge: PlannedMerge) -> None:
        """The same person again, from a list import, with their email typed another way."""
        persona = merge.persona
        merge.duplicate = supporter_create(
            actor=self.organizer[persona.team],
            team=self.teams[persona.team],
            given_name=persona.given_name,
            family_name=persona.family_name,
            source="import",
            email=persona.email.upper(),
            at=merge.at,
        )

    def merge(self, merge: PlannedMerge) -> None:
        supporter_merge(
            actor=self.organizer[merge.persona.team],
            kept=merge.persona.supporter,
            merged=merge.duplicate,
            at=merge.merged_at,
        )

"""People: supporters, their contact points and consent, tags, relationships, assignments."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Exists, F, Func, OuterRef, Q, TextField, Value
from django.db.models.functions import Concat, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Unaccented(Func):
    """``earshot_unaccent(text)``: the text without accents ("Núñez" → "Nunez").

    An IMMUTABLE SQL wrapper around ``unaccent`` (made by migration supporters 0006), so
    that an index may be built over it; ``unaccent`` itself is only STABLE."""

    function = "earshot_unaccent"
    output_field = TextField()


def search_text(expression) -> Unaccented:
    """Text as search compares it: lower case, without accents."""
    return Unaccented(Lower(expression))


class SearchEqual(models.Lookup):
    """``field__search_equal=value``: equal as search compares text (lower case, without
    accents), so OSDI's ``family_name eq 'Nunez'`` finds "Núñez" as the search box does."""

    lookup_name = "search_equal"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return (
            f"earshot_unaccent(LOWER({lhs})) = earshot_unaccent(LOWER({rhs}))",
            (*lhs_params, *rhs_params),
        )


def phone_digits() -> Func:
    """A phone number's digits only ("(312) 555-0199" → "3125550199"), as search and the
    duplicate check compare numbers. The index ``supporterphone_digits_trgm`` is built over it."""
    return Func(
        F("number"),
        Value(r"\D"),
        Value(""),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def supporter_search_name() -> Unaccented:
    """A supporter's names as search reads them: given, family and preferred, in one lower-case
    text without accents. The index ``supporter_search_name_trgm`` is built over exactly this."""
    return search_text(
        Concat(
            F("given_name"),
            Value(" "),
            F("family_name"),
            Value(" "),
            F("preferred_name"),
            output_field=TextField(),
        )
    )


class Channel(models.TextChoices):
    """Ways of reaching someone; do-not-contact is recorded per channel."""

    CALL = "call", _("Phone call")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("Email")
    VISIT = "visit", _("Door visit")
    MAIL = "mail", _("Postal mail")


class SupporterQuerySet(models.QuerySet):
    """Filter fragments. No permissions here: the visibility rule lives in selectors."""

    def in_teams(self, team_ids) -> SupporterQuerySet:
        return self.filter(team_id__in=team_ids)

    def assigned_to(self, user) -> SupporterQuerySet:
        return self.filter(
            Exists(Assignment.objects.active().filter(supporter=OuterRef("pk"), volunteer=user))
        )

    def known_by(self, user) -> SupporterQuerySet:
        return self.filter(
            Exists(Relationship.objects.filter(supporter=OuterRef("pk"), known_by=user))
        )

    def contactable_by(self, channel: str) -> SupporterQuerySet:
        """People who have not asked us to stop using ``channel``."""
        return self.exclude(
            Exists(DoNotContact.objects.filter(supporter=OuterRef("pk"), channel=channel))
        )


class Supporter(models.Model):
    """A person the campaign talks with. What people typed stays as typed."""

    class EngagementLevel(models.IntegerChoices):
        UNKNOWN = 0, _("Unknown")
        CONTACTED = 1, _("Contacted")
        SUPPORTER = 2, _("Supporter")
        VOLUNTEER = 3, _("Volunteer")
        ACTIVE_VOLUNTEER = 4, _("Active volunteer")
        LEADER = 5, _("Leader")

    class Source(models.TextChoices):
        CANVASS = "canvass", _("Canvass")
        RELATIONAL = "relational", _("Relational (a volunteer's own circle)")
        EVENT = "event", _("Event")
        WEB = "web", _("Web form")
        IMPORT = "import", _("Import")
        API = "api", _("API")
        OTHER = "other", _("Other")

    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    preferred_name = models.CharField(
        max_length=100, blank=True, help_text=_("What they like to be called.")
    )
    pronouns = models.CharField(max_length=40, blank=True)
    language = models.CharField(
        max_length=16,
        default="en",
        help_text=_("Preferred language, as an IETF tag such as en or es."),
    )
    support_level = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("1 strong support … 5 strong opposition; empty when unknown."),
    )
    # THE engagement level: what segments, the API, exports, OSDI and the brief read. The
    # enrichment worker writes the computed ladder here, unless an organizer set an override
    # (who and when below), which then stands until it is cleared.
    engagement_level = models.PositiveSmallIntegerField(
        choices=EngagementLevel.choices, default=EngagementLevel.UNKNOWN
    )
    engagement_override = models.PositiveSmallIntegerField(
        choices=EngagementLevel.choices,
        null=True,
        blank=True,
        help_text=_("Set by hand; empty means the computed ladder stands."),
    )
    engagement_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # never looked up by who set it; no index to build on a big table
    )
    engagement_override_at = models.DateTimeField(null=True, blank=True)
    client_uuid = models.UUIDField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("Made by the client that added them; a retry with it stores one person."),
    )
    custom_fields = models.JSONField(default=dict, blank=True)
    team = models.ForeignKey(
        "organizing.Team",
        on_delete=models.PROTECT,
        related_name="supporters",
        help_text=_("Owning team."),
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.OTHER)
    tags = models.ManyToManyField(
        "Tag", through="SupporterTag", related_name="supporters", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set by ``supporters.erasure.supporter_erase``: the row stays as a tombstone (so the
    # conversations counted on dashboards still add up), without anything that names them,
    # and the visibility rule no longer shows it to anyone. A nullable column without a
    # default: adding it is instant whatever the size of the table.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The people at one standardized address: built by the enrichment worker
    # (supporters.households), fixed by organizers. Its index is built concurrently
    # (migration supporters 0010), so adding it never locks the table.
    household = models.ForeignKey(
        "Household",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        db_index=False,
    )
    household_fixed = models.BooleanField(
        default=False,
        db_default=False,
        help_text="An organizer placed them: the worker no longer moves them by address.",
    )

    objects = SupporterQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(support_level__isnull=True)
                | Q(support_level__gte=1, support_level__lte=5),
                name="supporter_support_level_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(engagement_level__gte=0, engagement_level__lte=5),
                name="supporter_engagement_level_on_ladder",
            ),
            models.CheckConstraint(
                condition=~Q(given_name="", family_name="", preferred_name=""),
                name="supporter_has_a_name",
            ),
            # Serves "was this person already added with this client UUID?" (a retry).
            models.UniqueConstraint(
                fields=["client_uuid"],
                condition=Q(client_uuid__isnull=False),
                name="supporter_client_uuid_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["team", "family_name", "given_name"], name="supporter_team_name_idx"
            ),
            models.Index(Lower("family_name"), Lower("given_name"), name="supporter_name_ci_idx"),
            # Serves the search box (supporters.selectors.supporter_search_condition): names
            # containing a word, or like it (trigram word similarity), ignoring case and accents.
            GinIndex(
                OpClass(supporter_search_name(), name="gin_trgm_ops"),
                name="supporter_search_name_trgm",
            ),
            models.Index(fields=["updated_at", "id"], name="supporter_updated_idx"),
            # The default order (Meta.ordering), so a first page read through the whole
            # visibility rule walks this index and stops after a page instead of sorting
            # everyone the viewer may see (bench/: the whole-rule first page).
            models.Index(
                fields=["family_name", "given_name", "id"], name="supporter_name_order_idx"
            ),
            models.Index(fields=["support_level"], name="supporter_support_idx"),
            # Serves "who else lives here" (the brief, the door) and the household backfill.
            models.Index(fields=["household"], name="supporter_household_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        given = self.preferred_name or self.given_name
        return " ".join(part for part in (given, self.family_name) if part) or "(no name)"


class Household(models.Model):
    """The people at one standardized address and unit: a door to knock on.

    Built by the enrichment worker from the addresses it standardizes (``address_key``, the
    USPS-style street line, unit and ZIP); organizers move people, split and merge
    (``supporters.households``). Several households may share a key after a split. The
    walking-order parts (``street``, ``house_number``, ``house_suffix``, ``unit``) are read
    from the standardized line once, when the household is made. Coordinates carry where they
    came from (``geocode_source``) and how precise they are.
    """

    class Precision(models.TextChoices):
        ROOFTOP = "rooftop", _("On the building")
        STREET = "street", _("On the street")
        ZIP = "zip", _("ZIP centre only")

    address_key = models.CharField(max_length=300, blank=True)
    line1 = models.CharField(max_length=200)
    unit = models.CharField(max_length=100, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip5 = models.CharField(max_length=5, blank=True)
    street = models.CharField(max_length=200, blank=True, help_text="The line without its number.")
    house_number = models.PositiveIntegerField(null=True, blank=True)
    house_suffix = models.CharField(max_length=20, blank=True, help_text="½, A, -B…")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    geocode_precision = models.CharField(max_length=10, choices=Precision.choices, blank=True)
    geocode_source = models.CharField(max_length=60, blank=True, help_text="Which geocoder.")
    geocoded_at = models.DateTimeField(null=True, blank=True)
    geocode_attempted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the geocoder last tried (matched or not)."
    )
    no_soliciting = models.BooleanField(default=False)
    no_soliciting_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    no_soliciting_set_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["street", "house_number", "house_suffix", "unit", "id"]
        indexes = [
            # Serves the worker's "which household has this address?".
            models.Index(fields=["address_key"], name="household_address_key_idx"),
            # Serves the geocoder's "which doors have only a ZIP centre, not tried lately?".
            models.Index(
                fields=["geocode_precision", "geocode_attempted_at", "id"],
                name="household_precision_idx",
            ),
        ]

    def __str__(self) -> str:
        return " ".join(p for p in (self.line1, self.unit) if p) + (
            f", {self.zip5}" if self.zip5 else ""
        )


class ContactPoint(models.Model):
    """Shared shape of a supporter's emails, phones and addresses: at most one primary of each."""

    is_primary = models.BooleanField(default=False)
    label = models.CharField(max_length=30, blank=True, help_text=_("home, work, cell…"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-is_primary", "id"]


class SupporterEmail(ContactPoint):
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="emails")
    address = models.EmailField(max_length=254)
    # Derived by supporters.enrichment.emails; ``address`` stays as typed.
    normalized = models.CharField(max_length=254, blank=True)
    is_valid = models.BooleanField(null=True, blank=True, help_text=_("Empty until checked."))
    problem = models.CharField(max_length=200, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    enricher_version = models.PositiveSmallIntegerField(default=0)

    class Meta(ContactPoint.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["supporter"],
                condition=Q(is_primary=True),
                name="supporteremail_one_primary",
            ),
            models.UniqueConstraint("supporter", Lower("address"), name="supporteremail_unique_ci"),
        ]
        indexes = [
            models.Index(Lower("address"), name="supporteremail_address_ci_idx"),
            models.Index(fields=["normalized"], name="supporteremail_normalized_idx"),
        ]

    def __str__(self) -> str:
        return self.address


class SupporterPhone(ContactPoint):
    class Kind(models.TextChoices):
        UNKNOWN = "unknown", _("Unknown")
        MOBILE = "mobile", _("Mobile")
        LANDLINE = "landline", _("Landline")

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=40, help_text=_("As entered."))
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.UNKNOWN)
    # Derived by supporters.enrichment.phones; ``number`` and ``kind`` stay as typed.
    e164 = models.CharField("E.164", max_length=20, blank=True)
    line_type = models.CharField(max_length=10, choices=Kind.choices, blank=True)
    is_valid = models.BooleanField(null=True, blank=True, help_text=_("Empty until checked."))
    checked_at = models.DateTimeField(null=True, blank=True)
    enricher_version = models.PositiveSmallIntegerField(default=0)

    class Meta(ContactPoint.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["supporter"],
                condition=Q(is_primary=True),
                name="supporterphone_one_primary",
            ),
            models.UniqueConstraint(fields=["supporter", "number"], name="supporterphone_unique"),
        ]
        indexes = [
            models.Index(fields=["number"], name="supporterphone_number_idx"),
            models.Index(fields=["e164"], name="supporterphone_e164_idx"),
            # Serves search by phone whatever the punctuation (part of the digits), and the
            # add-a-person duplicate check (the same last ten digits).
            GinIndex(
                OpClass(phone_digits(), name="gin_trgm_ops"), name="supporterphone_digits_trgm"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class SupporterAddress(ContactPoint):
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="addresses")
    line1 = models.CharField("street address", max_length=200)
    line2 = models.CharField("apartment, suite…", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True, help_text=_("Two-letter state code."))
    postal_code = models.CharField("ZIP code", max_length=10, blank=True)
    country = models.CharField(max_length=2, default="US")
    # Derived by supporters.enrichment.addresses; the fields above stay as typed.
    standardized = models.JSONField(
        default=dict, blank=True, help_text=_("USPS-style parts: line1, line2, city, state, zip.")
    )
    zip5 = models.CharField(max_length=5, blank=True)
    county = models.CharField(max_length=100, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    is_valid = models.BooleanField(null=True, blank=True, help_text=_("Empty until checked."))
    checked_at = models.DateTimeField(null=True, blank=True)
    enricher_version = models.PositiveSmallIntegerField(default=0)

    class Meta(ContactPoint.Meta):
        verbose_name_plural = "supporter addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["supporter"],
                condition=Q(is_primary=True),
                name="supporteraddress_one_primary",
            ),
        ]
        indexes = [
            models.Index(fields=["postal_code"], name="supporteraddress_zip_idx"),
            models.Index(fields=["zip5"], name="supporteraddress_zip5_idx"),
        ]

    def __str__(self) -> str:
        return ", ".join(
            p for p in (self.line1, self.line2, self.city, self.state, self.postal_code) if p
        )


# How a do-not-contact flag reads wherever it is shown (badges, the brief's warnings).
DO_NOT_LABELS = {
    Channel.CALL: _("Do not call"),
    Channel.TEXT: _("Do not text"),
    Channel.VISIT: _("Do not visit"),
    Channel.EMAIL: _("Do not email"),
    Channel.MAIL: _("Do not mail"),
}


class DoNotContact(models.Model):
    """The person asked us not to reach them on this channel. Present means: don't."""

    supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, related_name="do_not_contact"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    set_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "do-not-contact flag"
        ordering = ["channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["supporter", "channel"], name="donotcontact_once_per_channel"
            ),
        ]
        indexes = [models.Index(fields=["channel", "supporter"], name="donotcontact_channel_idx")]

    def __str__(self) -> str:
        return f"{self.label}: {self.supporter}"

    @property
    def label(self) -> str:
        """How the flag reads: "Do not call", "Do not text"… (``DO_NOT_LABELS``)."""
        return DO_NOT_LABELS.get(self.channel) or _("Do not %(channel)s") % {
            "channel": self.get_channel_display().lower()
        }


class ExternalId(models.Model):
    """The same person's id in another system (voter file, VAN, Action Network…)."""

    class System(models.TextChoices):
        VOTER_FILE = "voter_file", _("Voter file")
        VAN = "van", _("VAN")
        ACTION_NETWORK = "action_network", _("Action Network")
        NATIONBUILDER = "nationbuilder", _("NationBuilder")
        CIVICRM = "civicrm", _("CiviCRM")
        OTHER = "other", _("Other")

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="external_ids")
    system = models.CharField(max_length=30, choices=System.choices)
    value = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["system", "value"], name="externalid_unique_per_system"
            ),
            models.UniqueConstraint(
                fields=["supporter", "system"], name="externalid_one_per_system"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_system_display()}: {self.value}"


class Tag(models.Model):
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class SupporterTag(models.Model):
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="taggings")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="taggings")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supporter", "tag"], name="supportertag_unique")
        ]
        indexes = [models.Index(fields=["tag", "supporter"], name="supportertag_tag_idx")]

    def __str__(self) -> str:
        return f"{self.supporter} — {self.tag}"


class Relationship(models.Model):
    """Who knows whom: a volunteer knows a supporter, or two supporters are related.

    Exactly one of ``known_by`` (a user) and ``other_supporter`` is set. A volunteer's
    relationships are their relational contacts, and they may see those supporters.
    """

    class Kind(models.TextChoices):
        FAMILY = "family", _("Family")
        # Replaced by households (supporters.Household): the worker's backfill
        # (supporters.households.household_backfill) turns these rows into shared households.
        HOUSEHOLD = "household", _("Same household")
        FRIEND = "friend", _("Friend")
        NEIGHBOR = "neighbor", _("Neighbor")
        COWORKER = "coworker", _("Coworker")
        CLASSMATE = "classmate", _("Classmate")
        CONGREGATION = "congregation", _("Same congregation")
        OTHER = "other", _("Other")

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="relationships")
    known_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="relationships",
    )
    other_supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(known_by__isnull=False) & Q(other_supporter__isnull=True))
                | (Q(known_by__isnull=True) & Q(other_supporter__isnull=False)),
                name="relationship_one_counterpart",
            ),
            models.CheckConstraint(
                condition=~Q(other_supporter=models.F("supporter")), name="relationship_not_self"
            ),
            models.UniqueConstraint(
                fields=["supporter", "known_by"],
                condition=Q(known_by__isnull=False),
                name="relationship_user_once",
            ),
            models.UniqueConstraint(
                fields=["supporter", "other_supporter"],
                condition=Q(other_supporter__isnull=False),
                name="relationship_supporter_pair_once",
            ),
        ]
        indexes = [models.Index(fields=["known_by", "supporter"], name="relationship_known_by_idx")]

    def __str__(self) -> str:
        other = self.known_by or self.other_supporter
        return f"{other} knows {self.supporter} ({self.get_kind_display().lower()})"


class AssignmentQuerySet(models.QuerySet):
    def active(self) -> AssignmentQuerySet:
        return self.filter(ended_at__isnull=True)


class Assignment(models.Model):
    """A supporter given to a volunteer to reach. Ending an assignment keeps it as history."""

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="assignments")
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["supporter", "volunteer"],
                condition=Q(ended_at__isnull=True),
                name="assignment_one_active_per_pair",
            ),
        ]
        indexes = [
            models.Index(
                fields=["volunteer", "supporter"],
                condition=Q(ended_at__isnull=True),
                name="assignment_active_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supporter} → {self.volunteer}"


class HistoryEvent(models.Model):
    """One line of a supporter's timeline, written by the service that made the change.

    The history page reads these newest first through one index, whatever the length of the
    history; ``subject_type``/``subject_id`` point at the row the line is about (a
    conversation, a note, a follow-up, a tag, a merge) so a page can fetch those in batches.
    ``actor`` is empty when a machine (a worker) made the change.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("Added")
        CONVERSATION = "conversation", _("Conversation")
        NOTE = "note", _("Note")
        NOTE_EDITED = "note_edited", _("Note corrected")
        REMEMBER = "remember", _("Thing to remember")
        FOLLOW_UP_CREATED = "followup_created", _("Follow-up created")
        FOLLOW_UP_DONE = "followup_done", _("Follow-up done")
        FOLLOW_UP_CANCELLED = "followup_cancelled", _("Follow-up cancelled")
        FOLLOW_UP_REASSIGNED = "followup_reassigned", _("Follow-up reassigned")
        TAG_ADDED = "tag_added", _("Tag added")
        TAG_REMOVED = "tag_removed", _("Tag removed")
        CONSENT_SET = "consent_set", _("Do not contact set")
        CONSENT_CLEARED = "consent_cleared", _("Do not contact cleared")
        ASSIGNED = "assigned", _("Assigned")
        UNASSIGNED = "unassigned", _("Unassigned")
        UPDATED = "updated", _("Details changed")
        ENRICHED = "enriched", _("Enrichment")
        SUGGESTION = "suggestion", _("Suggestion")
        MERGED = "merged", _("Merged")
        ENGAGEMENT = "engagement", _("Engagement level")
        IMPORTED = "imported", _("Imported")

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="history")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.CharField(max_length=300, help_text=_("One readable line."))
    subject_type = models.CharField(max_length=40, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    is_sensitive = models.BooleanField(
        default=False,
        db_default=False,
        help_text=_("About sensitive text: shown only to the person's organizers and above."),
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["supporter", "-at", "-id"], name="history_supporter_at_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="history_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"


class EngagementChange(models.Model):
    """One step of a supporter on the engagement ladder: from, to, when and why.

    Written by whoever changes ``Supporter.engagement_level``, in the same transaction: the
    enrichment (``rule`` names the ladder rule that now holds, ``changed_by`` empty) or an
    organizer setting or clearing an override (``changed_by``; ``rule`` "by_hand" or
    "override_cleared"). Never edited; the brief shows the latest, the history all of them.
    """

    class Rule(models.TextChoices):
        LEADER = "leader", _("four events and three relational conversations")
        EVENTS = "events", _("a second event")
        EVENT = "event", _("a first event")
        TALKED_SUPPORTIVE = "talked_supportive", _("a conversation, as a supporter")
        TALKED = "talked", _("a first conversation")
        FOLLOWUP_KEPT = "followup_kept", _("a follow-up kept")
        NOTHING = "nothing", _("no counted conversations left")
        BY_HAND = "by_hand", _("set by hand")
        OVERRIDE_CLEARED = "override_cleared", _("the hand-set level was cleared")

    supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, related_name="engagement_changes"
    )
    from_level = models.PositiveSmallIntegerField(choices=Supporter.EngagementLevel.choices)
    to_level = models.PositiveSmallIntegerField(choices=Supporter.EngagementLevel.choices)
    at = models.DateTimeField(default=timezone.now)
    rule = models.CharField(max_length=30, choices=Rule.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # The brief's latest step and the history: one supporter's, newest first.
            models.Index(fields=["supporter", "-at"], name="engagementchange_supporter_idx"),
            # Segments "moved up in the last N days" and the ladder drill-down: by time.
            models.Index(fields=["at"], name="engagementchange_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.supporter_id}: {self.from_level} → {self.to_level} ({self.rule})"

    @property
    def is_up(self) -> bool:
        return self.to_level > self.from_level


class SupporterEnrichment(models.Model):
    """What the enrichers derived about a supporter as a whole, with provenance.

    One row per supporter, written only by workers. ``version`` is the enrichment version
    that produced it; the sweep re-enqueues supporters without a row or with an older one.
    """

    supporter = models.OneToOneField(
        Supporter, on_delete=models.CASCADE, related_name="enrichment", primary_key=True
    )
    name_parts = models.JSONField(default=dict, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    engagement_level = models.PositiveSmallIntegerField(
        choices=Supporter.EngagementLevel.choices, default=Supporter.EngagementLevel.UNKNOWN
    )
    engagement_score = models.PositiveIntegerField(default=0)
    engagement_facts = models.JSONField(default=dict, blank=True)
    versions = models.JSONField(default=dict, blank=True, help_text=_("Enricher name → version."))
    version = models.PositiveIntegerField(default=0)
    enriched_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["version"], name="enrichment_version_idx")]

    def __str__(self) -> str:
        return f"Enrichment v{self.version} of supporter {self.supporter_id}"


class DuplicateCandidate(models.Model):
    """Two supporters who may be the same person, for an organizer to review.

    Stored once per pair with ``first_id < second_id``; ``reasons`` says why (shared phone,
    email, ZIP with a similar name…). A pair marked "not a duplicate" is never raised again.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for review")
        NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")
        MERGED = "merged", _("Merged")

    first = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(help_text=_("0 to 100; higher is more likely the same person."))
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    enricher = models.CharField(max_length=60)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_once"),
            models.CheckConstraint(
                condition=Q(first__lt=models.F("second")), name="duplicate_pair_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["-score"], condition=Q(status="open"), name="duplicate_open_idx"),
            models.Index(fields=["second"], name="duplicate_second_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.score:.0f})"


class Segment(models.Model):
    """A saved search: a JSON filter (see ``supporters.segments``) over supporters.

    Whoever reads a segment sees only the supporters the visibility rule gives them; the
    filter narrows that, never widens it.
    """

    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    filter = models.JSONField(default=dict, blank=True, help_text=_("The segment language."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["updated_at", "id"], name="segment_updated_idx")]

    def __str__(self) -> str:
        return self.name


class ExportJob(models.Model):
    """A segment written to a file by the worker, downloadable until ``expires_at``.

    ``status`` says whether the work is done; the task re-reads it and does nothing twice.
    After expiry a periodic sweep deletes the file and marks the job expired.
    """

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        NDJSON = "ndjson", _("NDJSON")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="export_jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.CSV)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    rows_written = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["expires_at"], condition=Q(status="done"), name="exportjob_expiry_idx"
            ),
            models.Index(fields=["updated_at", "id"], name="exportjob_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"Export of {self.segment} ({self.get_status_display()})"


class Erasure(models.Model):
    """The tombstone of a person erased on request: when, by whom, why, under which request.

    Holds nothing that names them; ``counts`` says how many rows of each kind were removed or
    scrubbed. Written once by ``supporters.erasure.supporter_erase``, never changed.
    """

    supporter = models.OneToOneField(
        Supporter, on_delete=models.PROTECT, related_name="erasure", primary_key=True
    )
    erased_at = models.DateTimeField()
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=500)
    request_reference = models.CharField(max_length=100, blank=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-erased_at"]

    def __str__(self) -> str:
        return f"Erasure of supporter #{self.supporter_id}"


class Suppression(models.Model):
    """An erased person's email or phone, as a keyed hash (HMAC-SHA256 with
    ``SUPPRESSION_KEY``) of its normalized form: a new person with it is refused, so an import,
    an OSDI signup or an offline sync cannot quietly bring them back."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    digest = models.CharField(max_length=64)
    erasure = models.ForeignKey(Erasure, on_delete=models.CASCADE, related_name="suppressions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Serves the check on every new person and contact point (one digest lookup).
            models.UniqueConstraint(fields=["digest"], name="suppression_digest_unique"),
        ]

    def __str__(self) -> str:
        return f"Suppressed {self.get_kind_display().lower()} {self.digest[:8]}…"


for _name_field in ("given_name", "family_name", "preferred_name"):
    Supporter._meta.get_field(_name_field).register_lookup(SearchEqual)


class BulkAction(models.Model):
    """One action (assign, tag, untag, a follow-up…) over many people, done by the worker in
    chunks, each person asked of the access model as the requester (``supporters.bulk``).

    ``filter`` (the segment language) and ``supporter_ids`` (when only ticked people) say
    whom; both are re-read at each chunk through the requester's current visibility.
    ``cursor`` is the last supporter id handled: a chunk runs only from the cursor it was
    given, so a redelivered chunk acts once.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    action = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    filter = models.JSONField(default=dict, blank=True)
    supporter_ids = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done_count = models.PositiveIntegerField(default=0)
    refused_count = models.PositiveIntegerField(default=0)
    # reason → how many; and the first refusals by name, for the summary.
    refused_reasons = models.JSONField(default=dict, blank=True)
    refusals = models.JSONField(default=list, blank=True)
    cursor = models.BigIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The sweep: unfinished actions whose chunk was lost.
            models.Index(
                fields=["status", "updated_at"],
                name="bulkaction_unfinished_idx",
                condition=models.Q(status__in=["queued", "running"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} #{self.pk}"

    @property
    def handled(self) -> int:
        return self.done_count + self.refused_count

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


# Imports keep their models in their own room; Django finds them through this import.
from .importing.models import Import, ImportMapping, ImportRow  # noqa: E402, F401

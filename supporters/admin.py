from django.contrib import admin

from .models import (
    Assignment,
    DoNotContact,
    DuplicateCandidate,
    ExternalId,
    Relationship,
    Supporter,
    SupporterAddress,
    SupporterEmail,
    SupporterEnrichment,
    SupporterPhone,
    SupporterTag,
    Tag,
)


class EmailInline(admin.TabularInline):
    model = SupporterEmail
    extra = 0


class PhoneInline(admin.TabularInline):
    model = SupporterPhone
    extra = 0


class AddressInline(admin.StackedInline):
    model = SupporterAddress
    extra = 0


class DoNotContactInline(admin.TabularInline):
    model = DoNotContact
    extra = 0
    readonly_fields = ["set_at"]
    autocomplete_fields = ["set_by"]


class ExternalIdInline(admin.TabularInline):
    model = ExternalId
    extra = 0


class TagInline(admin.TabularInline):
    model = SupporterTag
    extra = 0
    autocomplete_fields = ["tag", "added_by"]


class RelationshipInline(admin.TabularInline):
    model = Relationship
    fk_name = "supporter"
    extra = 0
    autocomplete_fields = ["known_by", "other_supporter", "created_by"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["volunteer", "assigned_by"]


@admin.register(Supporter)
class SupporterAdmin(admin.ModelAdmin):
    list_display = [
        "display_name",
        "team",
        "support_level",
        "engagement_level",
        "source",
        "updated_at",
    ]
    list_filter = ["team", "support_level", "engagement_level", "source", "language"]
    search_fields = [
        "given_name",
        "family_name",
        "preferred_name",
        "emails__address",
        "phones__number",
    ]
    list_select_related = ["team"]
    autocomplete_fields = ["created_by"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [
        EmailInline,
        PhoneInline,
        AddressInline,
        DoNotContactInline,
        ExternalIdInline,
        TagInline,
        RelationshipInline,
        AssignmentInline,
    ]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "created_at"]
    search_fields = ["name"]


@admin.register(Relationship)
class RelationshipAdmin(admin.ModelAdmin):
    list_display = ["supporter", "kind", "known_by", "other_supporter", "created_at"]
    list_filter = ["kind"]
    autocomplete_fields = ["supporter", "known_by", "other_supporter", "created_by"]
    list_select_related = ["supporter", "known_by", "other_supporter"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["supporter", "volunteer", "assigned_by", "created_at", "ended_at"]
    list_filter = ["ended_at"]
    autocomplete_fields = ["supporter", "volunteer", "assigned_by"]
    list_select_related = ["supporter", "volunteer", "assigned_by"]


@admin.register(DoNotContact)
class DoNotContactAdmin(admin.ModelAdmin):
    list_display = ["supporter", "channel", "set_by", "set_at", "reason"]
    list_filter = ["channel"]
    autocomplete_fields = ["supporter", "set_by"]
    list_select_related = ["supporter", "set_by"]


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(admin.ModelAdmin):
    """Organizers review pairs at /review/duplicates/; here for data staff's inspection."""

    list_display = ("first", "second", "score", "status", "enricher", "version", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("first", "second", "decided_by")
    readonly_fields = ("score", "reasons", "enricher", "version")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SupporterEnrichment)
class SupporterEnrichmentAdmin(admin.ModelAdmin):
    list_display = ("supporter", "version", "time_zone", "engagement_level", "enriched_at")
    list_filter = ("version", "engagement_level")
    raw_id_fields = ("supporter",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


from .models import ExportJob, Segment  # noqa: E402


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["name", "created_by", "updated_at"]
    search_fields = ["name"]
    readonly_fields = ["created_by"]


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "segment",
        "requested_by",
        "format",
        "status",
        "rows_written",
        "created_at",
    ]
    list_filter = ["status", "format"]
    readonly_fields = [field.name for field in ExportJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

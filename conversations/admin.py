from django.contrib import admin

from .models import (
    Conversation,
    DigestSent,
    FollowUp,
    FollowUpRule,
    Issue,
    IssueMention,
    IssuePhrase,
    Note,
    NoteRevision,
    SurveyChoice,
    SurveyQuestion,
    SurveyResponse,
)
from .services import note_update


class SurveyResponseInline(admin.TabularInline):
    model = SurveyResponse
    extra = 0


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["supporter", "volunteer", "channel", "outcome", "happened_at"]
    list_filter = ["channel", "outcome"]
    search_fields = ["supporter__given_name", "supporter__family_name", "heard", "client_uuid"]
    date_hierarchy = "happened_at"
    autocomplete_fields = ["supporter", "volunteer"]
    filter_horizontal = ["issues"]
    readonly_fields = ["client_uuid", "created_at", "updated_at"]
    list_select_related = ["supporter", "volunteer"]
    inlines = [SurveyResponseInline]


class SurveyChoiceInline(admin.TabularInline):
    model = SurveyChoice
    extra = 1


@admin.register(SurveyQuestion)
class SurveyQuestionAdmin(admin.ModelAdmin):
    list_display = ["prompt", "slug", "kind", "is_active", "position"]
    list_editable = ["is_active", "position"]
    prepopulated_fields = {"slug": ["prompt"]}
    inlines = [SurveyChoiceInline]


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["name"]


class NoteRevisionInline(admin.TabularInline):
    model = NoteRevision
    extra = 0
    readonly_fields = ["body", "kind", "edited_by", "edited_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["supporter", "kind", "short_body", "author", "is_pinned", "created_at"]
    list_filter = ["kind", "is_pinned"]
    search_fields = ["body", "supporter__family_name"]
    autocomplete_fields = ["supporter", "author", "conversation"]
    list_select_related = ["supporter", "author"]
    inlines = [NoteRevisionInline]

    @admin.display(description="Note")
    def short_body(self, obj: Note) -> str:
        return obj.body[:80]

    def save_model(self, request, obj, form, change):
        """Edits through the admin keep the earlier text, like every other edit path."""
        if change:
            note_update(
                note=obj, actor=request.user, body=obj.body, kind=obj.kind, is_pinned=obj.is_pinned
            )
        else:
            super().save_model(request, obj, form, change)


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["supporter", "reason", "assignee", "due_at", "status", "source_rule"]
    list_filter = ["status", "source_rule"]
    search_fields = ["reason", "supporter__family_name"]
    date_hierarchy = "due_at"
    autocomplete_fields = [
        "supporter",
        "assignee",
        "source_conversation",
        "created_by",
        "completed_by",
    ]
    list_select_related = ["supporter", "assignee"]


@admin.register(FollowUpRule)
class FollowUpRuleAdmin(admin.ModelAdmin):
    list_display = ("trigger", "action", "delay_hours", "reason", "is_active", "updated_at")
    list_filter = ("action", "is_active")
    readonly_fields = ("updated_by", "updated_at")


@admin.register(IssuePhrase)
class IssuePhraseAdmin(admin.ModelAdmin):
    list_display = ("phrase", "issue", "created_by", "created_at")
    list_filter = ("issue",)
    search_fields = ("phrase",)
    raw_id_fields = ("created_by",)


class MachineWrittenAdmin(admin.ModelAdmin):
    """Rows only workers write: readable here, never added or edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IssueMention)
class IssueMentionAdmin(MachineWrittenAdmin):
    list_display = ("conversation", "issue", "phrase", "enricher", "version", "created_at")
    list_filter = ("issue",)
    raw_id_fields = ("conversation",)


@admin.register(DigestSent)
class DigestSentAdmin(MachineWrittenAdmin):
    list_display = ("user", "date", "followup_count", "sent_at")
    raw_id_fields = ("user",)

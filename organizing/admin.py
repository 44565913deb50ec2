from allauth.account.decorators import secure_admin_login
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied

from .models import AuditEvent, Invitation, Membership, Team, User
from .services import user_mfa_reset, user_sessions_end

# The admin's own login form takes a password alone; everyone signs in through allauth's
# (password or emailed code, then the second factor), which sends them back here.
admin.site.login = secure_admin_login(admin.site.login)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["team"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser", "memberships__role"]
    search_fields = ["email", "full_name"]
    inlines = [MembershipInline]
    actions = ["reset_mfa", "sign_out_everywhere"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "phone"]}),
        (
            "Access",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})
    ]

    @admin.action(description="Reset two-factor authentication (lost phone) and sign out")
    def reset_mfa(self, request, queryset) -> None:
        try:
            removed = [
                user_mfa_reset(actor=request.user, user=u, request=request) for u in queryset
            ]
        except PermissionDenied as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(
            request,
            f"Removed {sum(removed)} authenticator(s) from {len(removed)} user(s) and signed "
            "them out; they set up a new second factor at their next sign-in.",
            messages.SUCCESS,
        )

    @admin.action(description="Sign out of every device")
    def sign_out_everywhere(self, request, queryset) -> None:
        try:
            ended = [
                user_sessions_end(actor=request.user, user=u, request=request) for u in queryset
            ]
        except PermissionDenied as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, f"Ended {sum(ended)} session(s).", messages.SUCCESS)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role", "created_at"]
    list_filter = ["role", "team"]
    search_fields = ["user__email", "user__full_name"]
    autocomplete_fields = ["user", "team"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "team",
        "role",
        "invited_by",
        "created_at",
        "sent_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["role", "team"]
    search_fields = ["email"]
    readonly_fields = ["token", "sent_at", "accepted_at", "accepted_by"]
    autocomplete_fields = ["invited_by", "team"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is written by the application and never edited."""

    list_display = ["at", "actor", "action", "object_type", "object_repr", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor__email", "object_repr", "object_id"]
    date_hierarchy = "at"
    list_select_related = ["actor", "object_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from .models import ApiKey  # noqa: E402


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are made (and shown once) on the API keys page or by create_api_key, never here."""

    list_display = ["prefix", "name", "user", "scopes", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "name", "user__email"]
    readonly_fields = ["user", "prefix", "scopes", "created_at", "last_used_at", "revoked_at"]
    exclude = ["hashed_key"]

    def has_add_permission(self, request) -> bool:
        return False


from .models import Webhook, WebhookDelivery  # noqa: E402


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    """Registered on the Webhooks page (or the API), where the owner sees the secret."""

    list_display = ["url", "created_by", "team", "events", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "created_by__email", "description"]
    readonly_fields = ["url", "created_by", "team", "events", "created_at"]
    exclude = ["secret"]
    list_select_related = ["created_by", "team"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log, read-only; replay from the webhook's page."""

    list_display = ["event", "webhook", "status", "attempts", "last_status_code", "created_at"]
    list_filter = ["status", "event"]
    search_fields = ["webhook__url", "event_id"]
    list_select_related = ["webhook"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


from allauth.usersessions.admin import UserSessionAdmin as BaseUserSessionAdmin  # noqa: E402
from allauth.usersessions.models import UserSession  # noqa: E402

admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(BaseUserSessionAdmin):
    """Signed-in devices; an admin signs one out for its owner (a lost phone)."""

    search_fields = ["user__email", "ip"]
    actions = ["sign_out"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deleting the row would leave the session signed in: use "Sign out"

    @admin.action(description="Sign out these devices")
    def sign_out(self, request, queryset) -> None:
        ended = 0
        for user_id in set(queryset.values_list("user_id", flat=True)):
            ids = list(queryset.filter(user_id=user_id).values_list("pk", flat=True))
            try:
                ended += user_sessions_end(
                    actor=request.user,
                    user=User.objects.get(pk=user_id),
                    session_ids=ids,
                    request=request,
                )
            except PermissionDenied as error:
                self.message_user(request, str(error), messages.ERROR)
                return
        self.message_user(request, f"Ended {ended} session(s).", messages.SUCCESS)

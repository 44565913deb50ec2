from django.urls import path

from . import views_rules

app_name = "rules"

urlpatterns = [
    path("followups/", views_rules.followup_rule_list_view, name="followup_rule_list"),
    path("followups/<int:pk>/", views_rules.followup_rule_edit_view, name="followup_rule_edit"),
    path("issues/", views_rules.issue_phrase_list_view, name="issue_phrase_list"),
    path("issues/<int:pk>/", views_rules.issue_phrase_edit_view, name="issue_phrase_edit"),
]

from django.urls import path

from . import views, views_followups, views_lists

app_name = "conversations"

urlpatterns = [
    path("people/<int:pk>/", views.brief_view, name="brief"),
    path("people/<int:pk>/history/", views.history_view, name="history"),
    path("people/<int:pk>/log/", views.conversation_log_view, name="log"),
    path("people/<int:pk>/notes/<int:note_pk>/edit/", views.note_edit_view, name="note_edit"),
    path(
        "people/<int:pk>/suggestions/<int:suggestion_pk>/",
        views.suggestion_decide_view,
        name="suggestion_decide",
    ),
    path(
        "people/<int:pk>/followups/<int:followup_pk>/close/",
        views.followup_complete_view,
        name="followup_complete",
    ),
    path("followups/", views_followups.followup_queue_view, name="followup_queue"),
    path(
        "followups/<int:followup_pk>/reassign/",
        views_followups.followup_reassign_view,
        name="followup_reassign",
    ),
    path("lists/", views_lists.lists_view, name="lists"),
    path("lists/issues/<int:issue_pk>/", views_lists.issue_edit_view, name="issue_edit"),
    path(
        "lists/questions/<int:question_pk>/",
        views_lists.question_edit_view,
        name="question_edit",
    ),
    path("lists/tags/<int:tag_pk>/", views_lists.tag_edit_view, name="tag_edit"),
]

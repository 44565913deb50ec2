from django.contrib import admin
from django.urls import include, path

from organizing.views import health_view
from supporters.views import home_view

urlpatterns = [
    path("", home_view, name="home"),
    path("healthz", health_view, name="health"),
    path("", include("organizing.urls_pages")),
    path("supporters/", include("supporters.urls")),
    path("", include("conversations.urls")),
    path("review/", include("supporters.urls_review")),
    path("rules/", include("conversations.urls_rules")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

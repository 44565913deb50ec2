from django.contrib import admin
from django.urls import include, path

from organizing.api.errors import api_not_found_or_page, api_server_error_or_page
from organizing.views import favicon_view, health_view

urlpatterns = [
    path("", include("metrics.urls_home")),
    path("metrics/", include("metrics.urls")),
    path("healthz", health_view, name="health"),
    path("favicon.ico", favicon_view, name="favicon"),
    path("", include("organizing.urls_pages")),
    path("supporters/", include("supporters.urls")),
    path("", include("conversations.urls")),
    path("review/", include("supporters.urls_review")),
    path("rules/", include("conversations.urls_rules")),
    path("api/osdi/v1/", include("supporters.api.osdi.urls")),
    path("api/", include("organizing.api.urls")),
    path("segments/", include("supporters.urls_segments")),
    path("audit/", include("supporters.urls_audit")),
    path("calling/", include("calling.urls")),
    path("canvass/", include("canvass.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler404 = api_not_found_or_page
handler500 = api_server_error_or_page

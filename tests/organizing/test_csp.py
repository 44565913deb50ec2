"""Content-Security-Policy: a strict header on every page, and no inline script or style."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from organizing.roles import SYSTEM
from supporters.services import supporter_create

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=|\son[a-z]+=\"", re.IGNORECASE)


def _argument_free_paths(resolver=None, prefix="") -> list[str]:
    """Every GET-able path of the URLconf that takes no argument (admin included)."""
    resolver = resolver or get_resolver()
    paths = []
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            paths += _argument_free_paths(pattern, prefix + route)
        elif isinstance(pattern, URLPattern) and "<" not in route and "(?P" not in route:
            path = "/" + re.sub(r"[\^$?\\]", "", prefix + route)
            if "(" not in path and "[" not in path and "*" not in path:
                paths.append(path)
    return sorted(set(paths))


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


def test_the_policy_is_strict(client, admin):
    client.force_login(admin)
    policy = _policy(client.get(reverse("home")))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["worker-src"] == ["'self'"]
    assert "https://tile.openstreetmap.org" in policy["img-src"]
    assert policy["object-src"] == ["'none'"]
    header = client.get(reverse("home"))["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


def test_every_page_carries_the_policy_and_inlines_no_script_or_style(client, admin, eastside):
    maria = supporter_create(actor=SYSTEM, team=eastside, given_name="Maria")
    client.force_login(admin)
    paths = [*_argument_free_paths(), f"/people/{maria.pk}/", f"/people/{maria.pk}/log/"]
    assert "/api/docs/" in paths and "/admin/" in paths and "/" in paths
    checked = 0
    for path in paths:
        response = client.get(path, follow=True)
        assert "Content-Security-Policy" in response, path
        if "text/html" in response.get("Content-Type", "") and response.status_code == 200:
            body = response.content.decode()
            assert not INLINE_SCRIPT.search(body), (path, INLINE_SCRIPT.search(body))
            assert not INLINE_STYLE.search(body), (path, INLINE_STYLE.search(body))
            checked += 1
    assert checked > 15


def test_signed_out_pages_and_errors_carry_the_policy(client, db):
    for path in ["/accounts/login/", "/no-such-page/", "/api/v1/no-such-thing/"]:
        assert "frame-ancestors 'none'" in client.get(path)["Content-Security-Policy"]


def test_the_api_docs_script_is_a_file_not_inline(client, admin):
    client.force_login(admin)
    page = client.get(reverse("api:docs")).content.decode()
    assert "?script=" in page or "&amp;script=" in page
    script = client.get(reverse("api:docs") + "?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_redoc_page_is_gone(client, admin):
    """Redoc writes inline styles and a blob: worker and loads a CDN logo: no strict policy
    fits it, so the API documentation is the Swagger page alone."""
    client.force_login(admin)
    assert client.get("/api/redoc/").status_code == 404


def test_htmx_indicator_styles_come_from_the_stylesheet(client, admin):
    client.force_login(admin)
    page = client.get(reverse("home")).content.decode()
    assert '"includeIndicatorStyles": false' in page

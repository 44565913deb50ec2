"""The Content-Security-Policy in Chromium: enforced, and the pages keep to it.

Every browser test's pages are watched for violations (``page_factory`` fails a test on any);
these add the API documentation page, whose vendored Swagger UI is the likeliest to need
inline script or style.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import _CSP_LISTENER, DESKTOP, csp_violations, screenshot
from tests.browser.test_sign_in import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

INJECT_INLINE_STYLE = """
document.body.insertAdjacentHTML(
  "beforeend", '<div id="injected" style="color: rgb(255, 0, 0)">x</div>'
);
"""


def test_swagger_ui_renders_under_the_policy(live_server, page_factory, data_staff):
    page = page_factory(DESKTOP)
    sign_in(page, live_server, data_staff)
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    page.locator(".opblock").first.wait_for()
    screenshot(page, "api-docs")
    assert csp_violations(page) == []


def test_the_browser_enforces_the_policy_and_the_watch_sees_it(live_server, chromium, volunteer):
    """Without this, a silent watcher would pass every test: an inline style is refused."""
    context = chromium.new_context()
    try:
        context.add_init_script(_CSP_LISTENER)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.evaluate(INJECT_INLINE_STYLE)
        page.wait_for_function("window.__cspViolations.length > 0")
        assert "style-src" in csp_violations(page)[0]
        color = page.evaluate("getComputedStyle(document.getElementById('injected')).color")
        assert color != "rgb(255, 0, 0)"
    finally:
        context.close()

"""Issue 15 in Chromium: an organizer's home is the depth-of-listening dashboard, at a desk
and on a phone (390 px, nothing wider than the screen); a number opens the people behind it.
No script runs and the CSP reports nothing (``page_factory`` fails on any violation)."""

from __future__ import annotations

import pytest

from metrics.rollups import rollup_refresh
from supporters.models import Supporter
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, screenshot
from tests.browser.test_sign_in import sign_in
from tests.metrics.conftest import history  # noqa: F401  (the known November history)

pytestmark = pytest.mark.django_db(transaction=True)


def _dashboard(page, live_server, organizer):
    rollup_refresh(Supporter.objects.values_list("pk", flat=True))
    sign_in(page, live_server, organizer)
    page.get_by_role("heading", name="Depth of listening").wait_for()
    page.goto(f"{live_server.url}/?start=2026-11-02&end=2026-11-15")
    page.get_by_role("heading", name="Repeat conversations").wait_for()


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_organizer_reads_the_dashboard_and_opens_the_people_behind_a_number(
    live_server,
    page_factory,
    history,  # noqa: F811  (the fixture imported above)
    viewport,
    name,
):
    page = page_factory(viewport)
    _dashboard(page, live_server, history.cast["olivia"])
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert page.locator("svg.pygal-chart").count() == 3
    # The drawing is styled from the static file: bars are coloured, not black.
    fill = page.locator("svg.pygal-chart .color-0 rect").first.evaluate(
        "element => getComputedStyle(element).fill"
    )
    assert fill == "rgb(11, 92, 173)"
    repeat = page.locator("section[aria-labelledby=repeat-heading]")
    assert "2 of 3 people" in " ".join(repeat.inner_text().split())
    assert page.get_by_role("heading", name="Due today and overdue").is_visible()
    screenshot(page, f"dashboard-{name}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("section[aria-labelledby=weeks-heading]").screenshot(
        path=str(SCREENSHOTS / f"dashboard-weeks-{name}.png")
    )
    repeat.get_by_role("link", name="2", exact=True).click()
    page.get_by_role("heading", name="The people behind a number").wait_for()
    assert "2 people are behind this number." in page.content()
    assert page.get_by_role("link", name="Maria Lopez").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"dashboard-people-{name}")

"""Tap targets of at least 44x44 px (issue 16, item 8), measured as element boxes in Chromium
at 390x844, and axe-core (axe-playwright-python, its bundled axe.min.js: no network) on every
page a volunteer or organizer uses, at phone and desktop size: no serious or critical
violation."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from conversations.models import Issue
from conversations.services import note_create
from supporters.bulk import bulk_action_create
from supporters.models import Segment, SupporterPhone, Tag
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.browser.test_sign_in import sign_in
from tests.factories import AssignmentFactory, ConversationFactory, FollowUpFactory

pytestmark = pytest.mark.django_db(transaction=True)

MINIMUM = 44

# Every visible control's box; a checkbox or radio counts its label's box (the label is what
# a thumb presses). A link inside a sentence (an inline link with words around it) is
# WCAG 2.5.8's exception and is left out.
SMALL_TARGETS = """
() => {
  const small = [];
  const controls = document.querySelectorAll(
    'a[href], button, select, textarea, summary, input:not([type=hidden])');
  for (const el of controls) {
    if (el.closest('.sr-only, .skip')) continue;
    const style = getComputedStyle(el);
    let box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not shown (a fold, a hidden field)
    if ((el.type === 'checkbox' || el.type === 'radio') && el.labels && el.labels.length) {
      box = el.labels[0].getBoundingClientRect();
    }
    if (el.tagName === 'A' && style.display === 'inline') {
      const words = Array.from(el.parentElement.childNodes).some(
        (node) => node.nodeType === 3 && node.textContent.replace(/[\\s·()→←]/g, '').length > 0);
      if (words) continue;
    }
    if (box.width < MINIMUM_PX - 0.5 || box.height < MINIMUM_PX - 0.5) {
      const name = (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '')
        .trim().slice(0, 40);
      small.push(`${el.tagName.toLowerCase()} "${name}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}
""".replace("MINIMUM_PX", str(MINIMUM))


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def scene(volunteer, organizer, eastside):
    supporter = AssignmentFactory(
        volunteer=volunteer,
        supporter__given_name="Maria",
        supporter__family_name="Delgado",
        supporter__team=eastside,
    ).supporter
    SupporterPhone.objects.create(supporter=supporter, number="(312) 555-0199", is_primary=True)
    note_create(actor=organizer, supporter=supporter, body="Son is a veteran", kind="remember")
    note_create(actor=volunteer, supporter=supporter, body="Met at the fair", kind="general")
    ConversationFactory(supporter=supporter, volunteer=volunteer, heard="Rent is up again")
    FollowUpFactory(
        supporter=supporter, assignee=volunteer, due_at=timezone.now(), reason="Call back"
    )
    Issue.objects.create(name="Rent")
    tag = Tag.objects.create(name="Tenant")
    segment = Segment.objects.create(
        name="Spanish", filter={"language": "es"}, created_by=organizer
    )
    job = bulk_action_create(
        actor=organizer, action="tag_add", params={"tag": tag.pk}, filter_json={}
    )
    return {"supporter": supporter, "segment": segment, "job": job}


def volunteer_pages(scene) -> list[tuple[str, str]]:
    pk = scene["supporter"].pk
    return [
        ("home", "/"),
        ("brief", f"/people/{pk}/"),
        ("history", f"/people/{pk}/history/"),
        ("log", f"/people/{pk}/log/"),
        ("add", "/supporters/new/"),
        ("search", "/supporters/search/?q=maria"),
        ("edit", f"/supporters/{pk}/edit/"),
        ("followups", "/followups/"),
    ]


def organizer_pages(scene) -> list[tuple[str, str]]:
    return [
        ("supporters", "/supporters/?sort=-name"),
        ("segments", "/segments/"),
        ("segment-new", "/segments/new/"),
        ("segment-edit", f"/segments/{scene['segment'].pk}/edit/"),
        ("bulk", f"/supporters/bulk/{scene['job'].pk}/"),
        ("followups-organizer", "/followups/?show=all"),
    ]


def check(page, live_server, pages, who: str) -> tuple[dict, dict]:
    small, violations = {}, {}
    for name, path in pages:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        size = "390" if page.viewport_size["width"] == PHONE["width"] else "desktop"
        screenshot(page, f"a11y-{who}-{name}-{size}")
        if size == "390":
            found = page.evaluate(SMALL_TARGETS)
            if found:
                small[name] = found
        found = serious_violations(page)
        if found:
            violations[name] = found
    return small, violations


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "desktop"])
def test_volunteer_pages_have_thumb_sized_targets_and_no_serious_axe_violation(
    live_server, page_factory, volunteer, scene, viewport
):
    page = page_factory(viewport)
    sign_in(page, live_server, volunteer)
    small, violations = check(page, live_server, volunteer_pages(scene), "volunteer")
    assert small == {}
    assert violations == {}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "desktop"])
def test_organizer_pages_have_thumb_sized_targets_and_no_serious_axe_violation(
    live_server, page_factory, organizer, scene, viewport
):
    page = page_factory(viewport)
    sign_in(page, live_server, organizer)
    pages = organizer_pages(scene) + volunteer_pages(scene)[:3]
    small, violations = check(page, live_server, pages, "organizer")
    assert small == {}
    assert violations == {}


def test_the_measure_finds_a_small_target(live_server, page_factory, volunteer, scene):
    """The measurement can fail: a 20 px button added to the page is reported."""
    page = page_factory(PHONE)
    sign_in(page, live_server, volunteer)
    page.goto(f"{live_server.url}/")
    page.evaluate(
        "() => { const b = document.createElement('button'); b.textContent = 'x';"
        " b.className = 'link'; b.style.cssText = 'min-height:0;min-width:0;display:inline';"
        " document.querySelector('main').appendChild(b); }"
    )
    assert any('button "x"' in item for item in page.evaluate(SMALL_TARGETS))


def test_axe_finds_a_critical_violation(live_server, page_factory, volunteer, scene):
    """axe runs for real: a button with no name added to the page is reported."""
    page = page_factory(PHONE)
    sign_in(page, live_server, volunteer)
    page.goto(f"{live_server.url}/")
    assert serious_violations(page) == []
    page.evaluate(
        "() => document.querySelector('main').appendChild(document.createElement('button'))"
    )
    assert any(item.startswith("button-name") for item in serious_violations(page))

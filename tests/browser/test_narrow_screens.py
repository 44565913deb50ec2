"""Narrow phones (issue 16, items 11 and 13): a long unbroken word never widens a page, and the
Follow-ups page fits at 360 px, with no sideways scrolling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import Conversation
from conversations.services import note_create
from tests.browser.conftest import PHONE, SCREENSHOTS, screenshot
from tests.browser.test_sign_in import sign_in
from tests.factories import AssignmentFactory, ConversationFactory, FollowUpFactory

pytestmark = pytest.mark.django_db(transaction=True)

LONG_WORD = "Supercalifragilistic" * 10  # 200 characters, no break


def viewport_screenshot(page, name: str) -> None:
    """What the phone's screen shows (a full-page screenshot hides what is sticky)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.fixture
def long_worded(volunteer, organizer, eastside):
    """Alice's person whose every typed text holds a 200-character word."""
    supporter = AssignmentFactory(
        volunteer=volunteer,
        supporter__given_name="Maria",
        supporter__family_name=LONG_WORD[:100],
        supporter__team=eastside,
    ).supporter
    note_create(actor=organizer, supporter=supporter, body=LONG_WORD, kind="remember")
    note_create(actor=organizer, supporter=supporter, body=LONG_WORD[::-1], kind="general")
    ConversationFactory(
        supporter=supporter,
        volunteer=volunteer,
        heard=f"She said {LONG_WORD} twice",
        happened_at=timezone.now() - timedelta(days=1),
    )
    FollowUpFactory(
        supporter=supporter,
        assignee=volunteer,
        due_at=timezone.now() - timedelta(hours=2),
        reason=f"Call about {LONG_WORD[:180]}",
    )
    return supporter


def test_a_200_character_word_wraps_on_the_brief_history_and_home_at_390(
    live_server, page_factory, volunteer, long_worded
):
    page = page_factory(PHONE)
    sign_in(page, live_server, volunteer)
    for path, name in (
        (f"/people/{long_worded.pk}/", "brief-long-word-390"),
        (f"/people/{long_worded.pk}/history/", "history-long-word-390"),
        ("/", "home-long-word-390"),
    ):
        page.goto(f"{live_server.url}{path}")
        assert LONG_WORD[:100] in page.content(), path
        screenshot(page, name)
        assert scroll_width(page) <= 390, path


def test_the_follow_ups_page_fits_at_360(live_server, page_factory, organizer, long_worded):
    page = page_factory({"width": 360, "height": 780})
    sign_in(page, live_server, organizer)
    page.goto(f"{live_server.url}/followups/?show=all")
    page.get_by_role("button", name="Reassign").wait_for()
    screenshot(page, "followups-360")
    assert scroll_width(page) <= 360
    # Each row's controls are still there to use.
    assert page.get_by_role("button", name="Done").is_visible()
    assert Conversation.objects.count() == 1


@pytest.fixture
def maria(volunteer, organizer, eastside):
    supporter = AssignmentFactory(
        volunteer=volunteer,
        supporter__given_name="Maria",
        supporter__family_name="Delgado",
        supporter__team=eastside,
    ).supporter
    # Enough on the brief that what was just saved sits below the first screen.
    for n in range(3):
        note_create(
            actor=organizer, supporter=supporter, body=f"Thing {n} to remember", kind="remember"
        )
        ConversationFactory(
            supporter=supporter,
            volunteer=volunteer,
            heard="An earlier talk about the rent going up and the bus stop moving. " * 3,
            happened_at=timezone.now() - timedelta(days=3 + n),
        )
    return supporter


def in_view(page, selector: str) -> dict:
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return {top: box.top, bottom: box.bottom, height: innerHeight};
        }""",
        selector,
    )


def test_after_saving_the_banner_and_what_was_saved_are_both_in_view(
    live_server, page_factory, volunteer, maria
):
    page = page_factory(PHONE)
    sign_in(page, live_server, volunteer)
    page.goto(f"{live_server.url}/people/{maria.pk}/log/")
    page.get_by_text("Talked", exact=True).click()
    page.get_by_label("What we heard").fill("Wants the bus stop back by the school.")
    page.get_by_role("button", name="Save conversation").click()
    page.get_by_text("Conversation saved.").wait_for()
    saved = Conversation.objects.order_by("-id").first()
    page.wait_for_function("() => scrollY > 0")  # the page went down to what was saved
    viewport_screenshot(page, "saved-banner-390")
    banner = in_view(page, ".messages")
    assert banner["top"] >= 0 and banner["bottom"] <= banner["height"], banner
    conversation = in_view(page, f"#conversation-{saved.pk}")
    # Below the banner, not under it, and on the screen.
    assert banner["bottom"] <= conversation["top"] < conversation["height"], (banner, conversation)


def test_the_sticky_bars_buttons_fit_on_one_line_at_360(
    live_server, page_factory, volunteer, maria
):
    page = page_factory({"width": 360, "height": 780})
    sign_in(page, live_server, volunteer)
    for path, name in ((f"/people/{maria.pk}/", "brief"), (f"/people/{maria.pk}/log/", "log")):
        page.goto(f"{live_server.url}{path}")
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('.actionbar .button, .actionbar button')]
                .map(b => ({top: b.getBoundingClientRect().top, height: b.offsetHeight}))"""
        )
        viewport_screenshot(page, f"actionbar-{name}-360")
        assert len(boxes) == 2, boxes
        assert len({round(box["top"]) for box in boxes}) == 1, boxes  # one row
        assert all(box["height"] <= 46 for box in boxes), boxes  # one line of text each
        assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_notes_and_what_was_heard_are_written_in_the_body_font(
    live_server, page_factory, volunteer, maria
):
    page = page_factory(PHONE)
    sign_in(page, live_server, volunteer)
    page.goto(f"{live_server.url}/people/{maria.pk}/log/")
    body_font, heard_font = page.evaluate(
        """() => [getComputedStyle(document.body).fontFamily,
                  getComputedStyle(document.querySelector('textarea[name=heard]')).fontFamily]"""
    )
    assert heard_font == body_font and "mono" not in heard_font

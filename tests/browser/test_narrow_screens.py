"""Narrow phones (issue 16, items 11 and 13): a long unbroken word never widens a page, and the
Follow-ups page fits at 360 px, with no sideways scrolling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import Conversation
from conversations.services import note_create
from tests.browser.conftest import PHONE, screenshot
from tests.browser.test_sign_in import sign_in
from tests.factories import AssignmentFactory, ConversationFactory, FollowUpFactory

pytestmark = pytest.mark.django_db(transaction=True)

LONG_WORD = "Supercalifragilistic" * 10  # 200 characters, no break


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

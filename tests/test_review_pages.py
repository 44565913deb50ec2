"""Organizer pages from the workers' issue: duplicate review, follow-up rules, issue phrases.

Authorization matrix for each: anonymous → sign-in, volunteer → 403 (or 404 when the people
are outside their scope), organizer of another team → 404, organizer / data staff / admin →
allowed; a denied request changes nothing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from conversations.models import FollowUpRule, Issue, IssuePhrase
from supporters.models import DuplicateCandidate, Supporter
from tests.factories import AssignmentFactory, SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(eastside, volunteer):
    first = SupporterFactory(team=eastside, given_name="Andrea", family_name="Sanders")
    second = SupporterFactory(team=eastside, given_name="Andi", family_name="Sanders")
    AssignmentFactory(supporter=first, volunteer=volunteer)
    AssignmentFactory(supporter=second, volunteer=volunteer)
    return DuplicateCandidate.objects.create(
        first=first,
        second=second,
        score=91,
        reasons=["same phone +17735550101", "names 88% alike"],
        enricher="supporters.enrichment.duplicates",
    )


def _user(request, name):
    return None if name == "anonymous" else request.getfixturevalue(name)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("volunteer", 403),
        ("other_organizer", 200),
        ("organizer", 200),
        ("data_staff", 200),
        ("admin", 200),
    ],
)
def test_duplicate_list_matrix(request, client, pair, who, status):
    user = _user(request, who)
    if user:
        client.force_login(user)
    response = client.get(reverse("review:duplicate_list"))
    assert response.status_code == status
    if who in ("organizer", "data_staff", "admin"):
        assert "same phone +17735550101" in response.content.decode()
    if who == "other_organizer":
        assert "Sanders" not in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("volunteer", 403),  # they see both people (assigned), but may not decide
        ("teammate", 404),  # outside their scope
        ("other_organizer", 404),
        ("organizer", 302),
        ("data_staff", 302),
        ("admin", 302),
    ],
)
def test_not_a_duplicate_matrix(request, client, pair, who, status):
    user = _user(request, who)
    if user:
        client.force_login(user)
    response = client.post(reverse("review:duplicate_dismiss", args=[pair.pk]))
    assert response.status_code == status
    pair.refresh_from_db()
    if status == 302 and user:
        assert pair.status == DuplicateCandidate.Status.NOT_DUPLICATE
        assert pair.decided_by == user
    else:
        assert pair.status == DuplicateCandidate.Status.OPEN


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("volunteer", 403),
        ("teammate", 404),
        ("other_organizer", 404),
        ("organizer", 302),
        ("data_staff", 302),
        ("admin", 302),
    ],
)
def test_merge_matrix(request, client, pair, who, status):
    user = _user(request, who)
    if user:
        client.force_login(user)
    response = client.post(reverse("review:duplicate_merge", args=[pair.pk]), {"keep": "first"})
    assert response.status_code == status
    merged = Supporter.objects.filter(pk=pair.second_id).exists() is False
    assert merged == (status == 302 and user is not None)


def test_merge_page_shows_the_pair_and_bad_choice_gets_a_field_error(client, organizer, pair):
    client.force_login(organizer)
    page = client.get(reverse("review:duplicate_merge", args=[pair.pk]))
    assert page.status_code == 200
    assert "Andrea Sanders" in page.content.decode()
    response = client.post(reverse("review:duplicate_merge", args=[pair.pk]), {"keep": "both"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Supporter.objects.filter(pk__in=[pair.first_id, pair.second_id]).count() == 2


def test_merge_keeps_the_chosen_record(client, organizer, pair):
    client.force_login(organizer)
    client.post(reverse("review:duplicate_merge", args=[pair.pk]), {"keep": "second"})
    assert list(Supporter.objects.values_list("pk", flat=True)) == [pair.second_id]


def test_duplicate_list_query_count_does_not_grow(
    client, organizer, eastside, pair, django_assert_max_num_queries
):
    for n in range(5):
        DuplicateCandidate.objects.create(
            first=SupporterFactory(team=eastside),
            second=SupporterFactory(team=eastside),
            score=80 + n,
            reasons=["same ZIP 60622"],
            enricher="t",
        )
    client.force_login(organizer)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("review:duplicate_list")).status_code == 200


# --- follow-up rules -------------------------------------------------------------------------

RULE_MATRIX = [
    ("anonymous", 302),
    ("volunteer", 403),
    ("other_organizer", 200),
    ("organizer", 200),
    ("data_staff", 200),
    ("admin", 200),
]


@pytest.mark.parametrize(("who", "status"), RULE_MATRIX)
def test_rule_pages_matrix(request, client, who, status):
    user = _user(request, who)
    if user:
        client.force_login(user)
    rule = FollowUpRule.objects.get(trigger="not_home")
    assert client.get(reverse("rules:followup_rule_list")).status_code == status
    assert client.get(reverse("rules:followup_rule_edit", args=[rule.pk])).status_code == status
    response = client.post(
        reverse("rules:followup_rule_edit", args=[rule.pk]),
        {"action": "retry", "delay_hours": "72", "reason": "Knock again", "is_active": "on"},
    )
    rule.refresh_from_db()
    if status == 200:
        assert response.status_code == 302
        assert (rule.delay_hours, rule.reason, rule.updated_by) == (72, "Knock again", user)
    else:
        assert response.status_code == status
        assert (rule.delay_hours, rule.reason) == (48, "Try again (not home)")


def test_default_rules_are_seeded():
    rules = {r.trigger: (r.action, r.delay_hours) for r in FollowUpRule.objects.all()}
    assert rules["not_home"] == ("retry", 48)
    assert rules["undecided"] == ("retry", 168)
    assert rules["callback_requested"][0] == "asked_time"
    assert rules["refused"][0] == "none"
    assert rules["moved"][0] == "data_staff"


def test_bad_rule_input_gets_field_errors_and_changes_nothing(client, organizer):
    client.force_login(organizer)
    rule = FollowUpRule.objects.get(trigger="not_home")
    response = client.post(
        reverse("rules:followup_rule_edit", args=[rule.pk]),
        {"action": "teleport", "delay_hours": "-3", "reason": ""},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"action", "delay_hours"}
    rule.refresh_from_db()
    assert rule.delay_hours == 48


def test_rule_other_than_none_needs_a_reason(client, organizer):
    client.force_login(organizer)
    rule = FollowUpRule.objects.get(trigger="refused")
    response = client.post(
        reverse("rules:followup_rule_edit", args=[rule.pk]),
        {"action": "retry", "delay_hours": "24", "reason": " "},
    )
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors


# --- issue phrases ---------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), RULE_MATRIX)
def test_issue_phrase_pages_matrix(request, client, who, status):
    user = _user(request, who)
    if user:
        client.force_login(user)
    issue = Issue.objects.create(name="Transit")
    IssuePhrase.objects.create(issue=issue, phrase="bus")
    assert client.get(reverse("rules:issue_phrase_list")).status_code == status
    assert client.get(reverse("rules:issue_phrase_edit", args=[issue.pk])).status_code == status
    response = client.post(
        reverse("rules:issue_phrase_edit", args=[issue.pk]),
        {"phrases": "bus\nPink Line\n\n  pink   line \nCTA"},
    )
    phrases = sorted(issue.phrases.values_list("phrase", flat=True))
    if status == 200:
        assert response.status_code == 302
        assert phrases == ["CTA", "Pink Line", "bus"]
    else:
        assert response.status_code == status
        assert phrases == ["bus"]


def test_too_long_phrase_gets_a_field_error(client, organizer):
    client.force_login(organizer)
    issue = Issue.objects.create(name="Transit")
    response = client.post(
        reverse("rules:issue_phrase_edit", args=[issue.pk]), {"phrases": "x" * 81}
    )
    assert response.status_code == 400
    assert "phrases" in response.context["form"].errors
    assert not issue.phrases.exists()


def test_unknown_rule_or_issue_is_404(client, organizer):
    client.force_login(organizer)
    assert client.get(reverse("rules:followup_rule_edit", args=[999999])).status_code == 404
    assert client.get(reverse("rules:issue_phrase_edit", args=[999999])).status_code == 404


def test_issue_phrase_list_query_count_does_not_grow(
    client, organizer, django_assert_max_num_queries
):
    for n in range(6):
        issue = Issue.objects.create(name=f"Issue {n}")
        IssuePhrase.objects.create(issue=issue, phrase=f"phrase {n}")
    client.force_login(organizer)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("rules:issue_phrase_list")).status_code == 200


def test_default_issue_phrases_fill_only_issues_without_any():
    from conversations.services import issue_phrases_add_defaults

    housing = Issue.objects.create(name="Rent and housing")
    transit = Issue.objects.create(name="Transit")
    IssuePhrase.objects.create(issue=transit, phrase="the L")
    assert issue_phrases_add_defaults() > 0
    assert issue_phrases_add_defaults() == 0
    assert housing.phrases.filter(phrase="landlord").exists()
    # Per language: Transit keeps its one English phrase, and gains the Spanish defaults
    # it had none of.
    assert list(transit.phrases.filter(language="en").values_list("phrase", flat=True)) == ["the L"]
    assert transit.phrases.filter(language="es").exists()

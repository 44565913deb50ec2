"""The contact-point enrichers on their own: offline, deterministic, typed input untouched."""

from __future__ import annotations

import pytest

from supporters.enrichment.addresses import enrich_address, standardize_street
from supporters.enrichment.duplicates import comparable_name, pair_score
from supporters.enrichment.emails import enrich_email
from supporters.enrichment.engagement import level_for
from supporters.enrichment.names import parse_name
from supporters.enrichment.phones import enrich_phone


@pytest.mark.parametrize(
    "typed",
    ["(312) 555-0199", "312-555-0199", "3125550199", "+1 312 555 0199", "1 (312) 555.0199"],
)
def test_phone_as_typed_becomes_e164(typed):
    result = enrich_phone(typed)
    assert result.is_valid
    assert result.e164 == "+13125550199"


@pytest.mark.parametrize("typed", ["555-0199", "(000) 555-0199", "call my cell", "+1 312 55"])
def test_invalid_phone_is_flagged_not_dropped(typed):
    result = enrich_phone(typed)
    assert result.is_valid is False
    assert result.e164 == ""
    assert result.line_type == "unknown"


def test_phone_line_type_is_mobile_where_the_numbering_plan_says_so():
    # UK mobile numbers (07…) are distinguishable from landlines (020…); US ones are not.
    assert enrich_phone("+44 7911 123456").line_type == "mobile"
    assert enrich_phone("+44 20 7123 4567").line_type == "landline"
    assert enrich_phone("(312) 555-0199").line_type == "unknown"


def test_email_is_normalized_without_network():
    result = enrich_email("  Maria.Delgado@EXAMPLE.com ")
    assert result.is_valid
    assert result.normalized == "maria.delgado@example.com"


@pytest.mark.parametrize("typed", ["maria@", "maria delgado@example.com", "maria@@example.com"])
def test_bad_email_is_flagged_with_a_reason(typed):
    result = enrich_email(typed)
    assert result.is_valid is False
    assert result.normalized == ""
    assert result.problem


def test_name_with_title_two_given_names_hyphenated_family_and_suffix():
    parts = parse_name("Dr. María José García-López Jr.")
    assert parts["title"] == "Dr."
    assert parts["first"] == "María"
    assert parts["middle"] == "José"
    assert parts["last"] == "García-López"
    assert parts["suffix"] == "Jr."


def test_couple_is_two_first_names_and_one_family_name():
    parts = parse_name("Bob & Mary Smith")
    assert parts["first_names"] == ["Bob", "Mary"]
    assert parts["last"] == "Smith"
    assert parts["is_couple"] is True


def test_single_person_is_not_a_couple():
    assert "is_couple" not in parse_name("Andrea Sanders")


def test_address_is_standardized_and_zip_placed_offline():
    result = enrich_address(
        line1="1432 north Ashland avenue", line2="apartment 2f", state="il", postal_code="60622"
    )
    assert result.standardized["line1"] == "1432 N ASHLAND AVE"
    assert result.standardized["line2"] == "APT 2F"
    assert result.standardized["city"] == "CHICAGO"
    assert result.standardized["state"] == "IL"
    assert result.zip5 == "60622"
    assert result.county == "Cook County"
    assert result.time_zone == "America/Chicago"
    assert result.latitude == pytest.approx(41.9, abs=0.1)
    assert result.is_valid


def test_zip_plus_four_keeps_the_extension():
    result = enrich_address(line1="10 Main St", postal_code="10001-1234")
    assert result.zip5 == "10001"
    assert result.standardized["zip4"] == "1234"
    assert result.time_zone == "America/New_York"


def test_unknown_zip_is_not_valid_and_places_nothing():
    result = enrich_address(line1="10 Main St", postal_code="00000")
    assert result.is_valid is False
    assert result.zip5 == ""
    assert result.time_zone == ""


def test_state_that_disagrees_with_the_zip_is_not_valid():
    assert enrich_address(line1="10 Main St", state="TX", postal_code="60622").is_valid is False


def test_po_box_is_not_a_street_address():
    parts, parsed = standardize_street("PO Box 123")
    assert parsed is False
    assert parts == {}


def test_names_compare_without_accents_case_or_hyphens():
    assert comparable_name("María", "García-López") == comparable_name("maria", "garcia lopez")


def test_shared_email_raises_the_score_more_than_a_shared_zip():
    assert pair_score(90, {"email"}) > pair_score(90, {"zip"})


@pytest.mark.parametrize(
    ("facts", "support", "level"),
    [
        ({}, None, 0),
        ({"talked": 1}, 4, 1),
        ({"talked": 1}, 2, 2),
        ({"talked": 2, "events": 1}, 1, 3),
        ({"talked": 3, "events": 2}, 1, 4),
        ({"talked": 8, "events": 4, "relational": 3}, 1, 5),
        ({"talked": 8, "events": 4, "relational": 3}, 5, 1),
    ],
)
def test_engagement_level_climbs_with_history(facts, support, level):
    assert level_for(facts, support)[0] == level

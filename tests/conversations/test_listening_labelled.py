"""Labelled canvass notes: what the listener suggests to remember, and what it must not.

Each row is a sentence as a volunteer might type it after a door or a call, and the exact
suggestions (category, line) expected. Precision over recall: rows with ``[]`` are things a
machine must not turn into a "thing to remember" (negations, hedges, hearsay, small talk,
immigration or safety details a person must choose to record themselves).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from conversations.listening.rules import followup_time, issues_heard, sentiment, things_to_remember

LABELLED = [
    # --- family, service, health
    (
        "Her son is an Iraq war veteran and she's worried about wait times at the VA.",
        [("military", "Son is an Iraq war veteran")],
    ),
    (
        "His wife is a Navy veteran who can't get a VA appointment for months.",
        [("military", "Wife is a Navy veteran who can't get a VA appointment for months")],
    ),
    (
        "Served in the Marines for eight years.",
        [("military", "Served in the Marines for eight years")],
    ),
    (
        "Son is in the Army, stationed in Germany.",
        [("military", "Son is in the Army, stationed in Germany")],
    ),
    ("Grandson has asthma.", [("health", "Grandson has asthma")]),
    (
        "Cares for her father, who has dementia.",
        [("health", "Cares for her father, who has dementia")],
    ),
    (
        "Daughter is applying to City Colleges.",
        [("family", "Daughter is applying to City Colleges")],
    ),
    (
        "Her daughter's school lost its librarian this year.",
        [("family", "Daughter's school lost its librarian this year")],
    ),
    ("Daughter handles the mail and bills.", [("family", "Daughter handles the mail and bills")]),
    (
        "Proud that her granddaughter made the honor roll.",
        [("family", "Proud that her granddaughter made the honor roll")],
    ),
    (
        "Lives alone since her spouse passed in the spring.",
        [("family", "Lives alone since her spouse passed in the spring")],
    ),
    (
        "Just had a baby in August, a girl named Sofia.",
        [("dates", "Just had a baby in August, a girl named Sofia")],
    ),
    ("Her birthday is March 3rd.", [("dates", "Birthday is March 3rd")]),
    # --- work and job loss
    (
        "Lost her job at the warehouse in March.",
        [("work", "Lost her job at the warehouse in March")],
    ),
    ("Was laid off from the Ford plant.", [("work", "Was laid off from the Ford plant")]),
    (
        "Her husband was laid off from the Ford plant.",
        [("work", "Husband was laid off from the Ford plant")],
    ),
    (
        "Retired CTA bus driver, 31 years on the job.",
        [("work", "Retired CTA bus driver, 31 years on the job")],
    ),
    ("Owns the taqueria on 26th Street.", [("work", "Owns the taqueria on 26th Street")]),
    ("Runs a nail salon on Argyle.", [("work", "Runs a nail salon on Argyle")]),
    (
        "Cooks at a restaurant downtown; the owner shorted her on overtime.",
        [("work", "Cooks at a restaurant downtown")],
    ),
    # --- housing, faith, pets
    ("Rent went up $300 this year.", [("housing", "Rent went up $300 this year")]),
    (
        "Landlord hasn't fixed the heat since January.",
        [("housing", "Landlord hasn't fixed the heat since January")],
    ),
    ("There's no AC in the unit.", [("housing", "There's no AC in the unit")]),
    (
        "Has been on the CHA voucher waiting list for four years.",
        [("housing", "Has been on the CHA voucher waiting list for four years")],
    ),
    ("Goes to St. Pius on Sundays.", [("faith", "Goes to St. Pius on Sundays")]),
    ("Deacon at New Life Baptist.", [("faith", "Deacon at New Life Baptist")]),
    (
        "Goes to the mosque on Devon Avenue for Friday prayers.",
        [("faith", "Goes to the mosque on Devon Avenue for Friday prayers")],
    ),
    ("Has two dogs, be careful at the gate.", [("pets", "Has two dogs, be careful at the gate")]),
    # --- best time to reach them
    ("Sleeps until 1pm.", [("best_time", "Sleeps until 1pm")]),
    ("Prefers texts to calls.", [("best_time", "Prefers texts to calls")]),
    ("Best to call after 6 on weekdays.", [("best_time", "Best to call after 6 on weekdays")]),
    (
        "Said to come back when her partner is home.",
        [("best_time", "Come back when her partner is home")],
    ),
    # --- two things in one note
    (
        "Night-shift nurse at Mount Sinai; sleeps until 1pm.",
        [("work", "Night-shift nurse at Mount Sinai"), ("best_time", "Sleeps until 1pm")],
    ),
    # --- nothing to suggest: negations and hedges
    ("Doesn't have any kids.", []),
    ("Never served in the military.", []),
    ("Not a veteran, but her neighbor is.", []),
    ("Maybe has a dog? Couldn't tell.", []),
    ("Asked whether we knew anyone at the VA.", []),
    ("Someone said her landlord might sell.", []),
    # --- nothing to suggest: small talk and issues without a personal fact
    ("Was really happy someone asked instead of just handing her a flyer.", []),
    ("Didn't want to talk politics.", []),
    ("Wants a stop sign at the corner.", []),
    ("Thinks the bus is always late.", []),
    ("Nice chat, will think about it.", []),
    ("Lights on, no answer.", []),
    ("Left a door hanger.", []),
    ("Would bring her neighbor to the meeting.", []),
    ("Asked if her son could come to the meeting.", []),
    # --- nothing to suggest: a person, not a machine, decides to record these
    ("A cousin was picked up by ICE last year and the family is still shaken.", []),
    ("Her brother is waiting on his asylum hearing.", []),
    ("Leaving an abusive relationship; her sister is helping.", []),
    ("Son is on parole and looking for work.", []),
]


@pytest.mark.parametrize(("heard", "expected"), LABELLED, ids=[row[0][:40] for row in LABELLED])
def test_suggests_exactly_the_labelled_things_to_remember(heard, expected):
    found = [(s.category, s.text) for s in things_to_remember(heard)]
    assert found == expected


def test_there_are_at_least_forty_labelled_sentences_with_both_kinds():
    assert len(LABELLED) >= 40
    assert sum(1 for _, expected in LABELLED if not expected) >= 12


def test_suggestion_quotes_the_sentence_it_came_from():
    heard = "Nice lady. Her son is an Iraq war veteran and she's worried about the VA."
    (suggestion,) = things_to_remember(heard)
    assert suggestion.evidence == "Her son is an Iraq war veteran and she's worried about the VA."


def test_same_line_twice_in_one_note_is_suggested_once():
    assert len(things_to_remember("Has two dogs. Has two dogs.")) == 1


def test_long_clause_is_cut_to_a_readable_line():
    heard = "Works as a " + "very " * 60 + "busy cook."
    (suggestion,) = things_to_remember(heard)
    assert len(suggestion.text) <= 121
    assert suggestion.text.endswith("…")


# --- sentiment and issues ---------------------------------------------------------------------


def test_sentiment_tells_glad_from_angry_and_is_empty_for_silence():
    assert sentiment("So glad someone finally asked, really great to talk!") > 0.3
    assert sentiment("Furious about the rent hike, this is terrible and unfair.") < -0.3
    assert sentiment("   ") is None


def test_issue_found_by_its_phrases_as_whole_words():
    phrases = {1: ["Rent and housing", "rent", "landlord", "eviction"], 2: ["Transit", "bus"]}
    assert issues_heard("They got eviction notices.", phrases) == {1: "eviction"}
    assert issues_heard("Takes the bus; parents are in Current River.", phrases) == {2: "bus"}
    assert issues_heard("Busy parent, apparently.", phrases) == {}


# --- the follow-up time they asked for ---------------------------------------------------------

CHICAGO = ZoneInfo("America/Chicago")
# Thursday, November 19 2026, 4:00 pm in Chicago.
HEARD_AT = datetime(2026, 11, 19, 16, 0, tzinfo=CHICAGO)


@pytest.mark.parametrize(
    ("heard", "expected"),
    [
        ("Call me back next Tuesday after 5", datetime(2026, 11, 24, 17, 0)),
        ("Said to call back after the 15th", datetime(2026, 12, 16, 17, 0)),
        ("Try again in two weeks", datetime(2026, 12, 3, 17, 0)),
        ("Asked us to call back after 6pm.", datetime(2026, 11, 19, 18, 0)),
        ("Busy with the kids, call back next week.", datetime(2026, 11, 23, 17, 0)),
        ("In the middle of dinner, asked for a call tomorrow.", datetime(2026, 11, 20, 17, 0)),
        ("At work, said try Saturday morning.", datetime(2026, 11, 21, 10, 0)),
        ("Come back on December 3rd around noon", datetime(2026, 12, 3, 12, 0)),
        ("Call back after 2pm", datetime(2026, 11, 20, 14, 0)),
    ],
)
def test_follow_up_time_is_read_in_their_time_zone(heard, expected):
    assert followup_time(heard, heard_at=HEARD_AT, time_zone="America/Chicago") == expected.replace(
        tzinfo=CHICAGO
    )


def test_same_words_mean_another_instant_in_another_time_zone():
    chicago = followup_time(
        "call me tomorrow at 9am", heard_at=HEARD_AT, time_zone="America/Chicago"
    )
    new_york = followup_time(
        "call me tomorrow at 9am", heard_at=HEARD_AT, time_zone="America/New_York"
    )
    assert chicago - new_york == (chicago.utcoffset() - new_york.utcoffset()) * -1
    assert new_york.astimezone(ZoneInfo("America/New_York")).hour == 9


@pytest.mark.parametrize(
    "heard",
    [
        "Rent went up $300 this year.",
        "Son is 5 years old.",
        "Goes to church on Sunday.",
        "Lives at 1500 Main St.",
        "",
    ],
)
def test_no_follow_up_time_without_one_asked_for(heard):
    assert followup_time(heard, heard_at=HEARD_AT, time_zone="America/Chicago") is None

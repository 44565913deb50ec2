"""Word banks for what the demo's volunteers write: short lines for the outcomes where nobody
really talked, survey answers, notes, follow-up reasons, consent reasons, relationships.

Plain data, no Django imports. Everything here is invented.
"""

# A line or nothing for the outcomes where nobody really talked.
BRIEF_HEARD = {
    "not_home": [
        "",
        "",
        "",
        "Left a door hanger.",
        "Someone inside but didn't answer.",
        "Lights on, no answer.",
    ],
    "refused": [
        "",
        "Said not interested and closed the door.",
        "Polite but not interested.",
        "Said to take them off the list.",
    ],
    "wrong_number": [
        "Number belongs to someone else now.",
        "",
        "Says no one by that name lives there.",
    ],
    "moved": ["New tenant says they moved out in the summer.", "Unit empty, for-rent sign up."],
    "callback_requested": [
        "Asked us to call back after 6pm.",
        "Busy with the kids, call back next week.",
        "In the middle of dinner, asked for a call tomorrow.",
        "At work, said try Saturday morning.",
    ],
    "left_message": ["Left a voicemail with the callback number.", "", "Voicemail full."],
    "inaccessible": ["Locked gate, no buzzer.", "Building door locked, no answer on the intercom."],
}

ANYTHING_ELSE = [
    "Wants a yard sign.",
    "Would like materials in Spanish.",
    "Interested in volunteering on weekends.",
    "Asked about the rent relief fund.",
    "Could host a house meeting.",
    "Wants to know when the next meeting is.",
    "Asked for a ride to the meeting.",
    "Would bring her neighbor.",
]

GENERAL_NOTES = [
    "Met at the tenant meeting at the field house.",
    "Signed the rent stabilization petition.",
    "Came to the back-to-school supply drive.",
    "Has a truck and offered to help people move.",
    "Knows the building manager.",
    "Left a Spanish-language flyer at the door.",
    "Interested in hosting a house meeting.",
    "Brought three neighbors to the last meeting.",
    "Called the office asking how to get involved.",
    "Helped translate at the Argyle meeting.",
]

SENSITIVE_NOTES = [
    "Undocumented family member — do not discuss immigration status with others.",
    "Leaving an abusive relationship; never leave messages with anyone else at home.",
    "In recovery; don't invite to events at bars.",
    "Eviction case pending in housing court — keep confidential.",
    "Has a protective order against a former partner; never give out the address.",
]

FOLLOWUP_REASONS = {
    "not_home": "Retry door knock",
    "callback_requested": "Call back after 5pm",
    "left_message": "Try calling again",
    "talked": "Invite to tenant meeting",
}
OTHER_FOLLOWUP_REASONS = [
    "Invite to neighborhood meeting",
    "Bring Spanish-language flyer",
    "Check in about rent increase",
    "Send info about rent relief fund",
    "Ask to host a house meeting",
    "Confirm ride to the meeting",
]

DO_NOT_CONTACT_REASONS = {
    "call": [
        "Asked us to stop calling.",
        "Says the number is for work only.",
        "Hung up, asked to be removed.",
    ],
    "text": ["Replied STOP.", "Asked not to be texted."],
    "visit": [
        "No-soliciting sign; asked us not to knock.",
        "Asked us not to come to the door again.",
    ],
}

RELATIONSHIP_NOTES = {
    "friend": ["Friends since high school", "Kids play soccer together", ""],
    "family": ["Cousin", "Aunt", "Brother-in-law", ""],
    "neighbor": ["Neighbor two doors down", "Same building", ""],
    "coworker": ["Works with me at the hospital", "Same shift at the warehouse", ""],
    "congregation": ["Same parish", "From church", "Same mosque", ""],
}

# Things to remember their volunteer later corrected: (as first written, as corrected).
CORRECTIONS = {
    "Two dogs, careful at the gate": "Two dogs, friendly, but close the gate behind you",
    "Works nights at the hospital, call after 2pm": "Works nights at the hospital, call after 3pm",
    "Lost warehouse job in March": "Lost warehouse job in March, temping since June",
    "Rides the 9 Ashland bus to work": "Rides the 9 Ashland bus to work, early shift",
    "Grandson has asthma": "Grandson has asthma, worse in the summer",
    "Retired CTA bus driver (31 years)": "Retired CTA bus driver (32 years)",
    "Night-shift nurse, sleeps until 1pm": "Night-shift nurse, sleeps until 2pm",
    "Daycare costs $1,400 a month": "Daycare costs $1,450 a month since September",
    "Runs a home daycare": "Runs a licensed home daycare",
    "Wants a stop sign at the corner": "Wants a four-way stop at the corner",
}

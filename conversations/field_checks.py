"""What an organizer checks by hand on a walk or call list (issue 13): one rule for both.

MiniVAN's users are told to look for two things; Earshot flags them on each list's progress:
a contact rate near 100% over enough attempts, and results logged seconds apart.
"""

from __future__ import annotations

# A contact rate at or above this, over at least MIN_ATTEMPTS doors or calls, is worth a look.
CONTACT_RATE_NEAR_ALL = 0.9
MIN_ATTEMPTS = 10
# A result logged this soon after the same volunteer's previous one (at another door, with
# another person) is worth a look. A door answered "not home" takes seconds; a call longer.
SECONDS_APART = {"door": 10, "phone": 15}


def contact_rate_suspicious(attempts: int, contacts: int) -> bool:
    return attempts >= MIN_ATTEMPTS and contacts / attempts >= CONTACT_RATE_NEAR_ALL

"""What the demo's people tell us at the door, over time: the sentences a volunteer writes
down, with the thing to remember each gives and the issue it raises.

Plain data, no Django imports. Everything here is invented.
"""

from .text_heard_more import MORE_HEARD

# --- What we heard ------------------------------------------------------------------------
# (sentence, thing to remember or None, issue key or None, only for this background or None).
# {sub}/{Sub} she/he, {obj} her/him, {pos}/{Pos} her/his: filled in from the person's gender;
# people who use they/them only get sentences without those fields.

HEARD = [
    (
        "{Pos} son is an Iraq war veteran and {sub}'s worried about wait times at the VA.",
        "Son is an Iraq war veteran",
        "veterans",
        None,
    ),
    (
        "Rent went up $300 this year; thinking about moving in with {pos} sister.",
        "Rent up $300 this year, may move in with sister",
        "housing",
        None,
    ),
    (
        "Works nights at the hospital, best to call after 2pm.",
        "Works nights at the hospital, call after 2pm",
        None,
        None,
    ),
    ("Lost {pos} job at the warehouse in March.", "Lost warehouse job in March", "wages", None),
    ("Goes to St. Pius on Sundays.", "Goes to St. Pius on Sundays", None, "latino"),
    ("Has two dogs, be careful at the gate.", "Two dogs, careful at the gate", None, None),
    (
        "Landlord hasn't fixed the heat since January; {sub} runs the oven to keep warm.",
        "No heat since January, landlord won't fix it",
        "housing",
        None,
    ),
    (
        "{Pos} daughter's school lost its librarian and art teacher this year.",
        "Daughter's school lost its librarian and art teacher",
        "schools",
        None,
    ),
    (
        "Takes the 9 Ashland bus to work and says it's always late or packed.",
        "Rides the 9 Ashland bus to work",
        "transit",
        None,
    ),
    (
        "Worried about {pos} mother's insulin; she's on Medicare and still pays over $100 a month.",
        "Mother on insulin, pays over $100 a month",
        "healthcare",
        None,
    ),
    (
        "A cousin was picked up by ICE last year and the family is still shaken.",
        None,
        "immigration",
        None,
    ),
    (
        "Basement floods every big storm now; lost a freezer and the kids' winter clothes in July.",
        "Basement floods in big storms",
        "climate",
        None,
    ),
    (
        "Pays $1,400 a month for daycare for the baby, more than the rent.",
        "Daycare costs $1,400 a month",
        "childcare",
        None,
    ),
    (
        "Says there have been three break-ins on the block since summer.",
        "Worried about break-ins on the block",
        "safety",
        None,
    ),
    (
        "Makes $14.50 an hour at the distribution center and hasn't had a raise in two years.",
        "$14.50/hr at the distribution center, no raise in two years",
        "wages",
        None,
    ),
    (
        "Served in the Marines; wants to help other vets with their benefits paperwork.",
        "Marine veteran, wants to help vets with benefits paperwork",
        "veterans",
        None,
    ),
    (
        "Grandson has asthma and the air by the rail yard makes it worse.",
        "Grandson has asthma",
        "climate",
        None,
    ),
    (
        "Lives with {pos} three kids and {pos} mother in a two-bedroom.",
        "Three kids and mother in a two-bedroom",
        "housing",
        None,
    ),
    (
        "Retired CTA bus driver, 31 years on the job.",
        "Retired CTA bus driver (31 years)",
        "transit",
        None,
    ),
    (
        "Just had a baby in August, a girl named Sofia.",
        "New baby girl, Sofia, born in August",
        None,
        None,
    ),
    (
        "Prefers Spanish; {pos} son translates when he's home.",
        "Prefers Spanish, son translates",
        None,
        "latino",
    ),
    (
        "Wants a stop sign at the corner after a kid got hit by a car in June.",
        "Wants a stop sign at the corner",
        "safety",
        None,
    ),
    (
        "Insurance denied {pos} knee surgery twice; {sub}'s appealing.",
        "Appealing a denied knee surgery",
        "healthcare",
        None,
    ),
    (
        "Teaches 4th grade at Cooper Elementary and is worried about class sizes.",
        "Teaches 4th grade at Cooper Elementary",
        "schools",
        None,
    ),
    (
        "Building was sold to a new management company and everyone got 60-day notices.",
        "Building sold, 60-day notices to all tenants",
        "housing",
        None,
    ),
    (
        "Didn't want to talk politics but loves the community garden on 18th Street.",
        "Loves the community garden on 18th St",
        None,
        None,
    ),
    (
        "Owns the taqueria on 26th Street; says business is down since the street construction.",
        "Owns the taqueria on 26th St",
        None,
        "latino",
    ),
    (
        "{Pos} brother is waiting on his asylum hearing and it keeps getting pushed back.",
        None,
        "immigration",
        None,
    ),
    (
        "Night-shift nurse at Mount Sinai; sleeps until 1pm.",
        "Night-shift nurse, sleeps until 1pm",
        None,
        None,
    ),
    (
        "Drives for a rideshare app and says gas eats half of what {sub} makes.",
        "Rideshare driver",
        "wages",
        None,
    ),
    (
        "{Sub} was a union steward at the Nabisco plant before it closed.",
        "Former union steward at the Nabisco plant",
        "wages",
        None,
    ),
    (
        "Kids go to Whittier; {sub} volunteers at the school on Fridays.",
        "Volunteers at Whittier on Fridays",
        "schools",
        None,
    ),
    (
        "Says the late-night Pink Line cuts mean {sub} walks home from the station after 11.",
        "Walks home from the Pink Line after 11pm",
        "transit",
        None,
    ),
    (
        "{Pos} spouse was hurt on a construction job in the spring and they're behind on rent.",
        "Spouse injured on the job; behind on rent",
        "housing",
        None,
    ),
    (
        "{Pos} wife is a Navy veteran who can't get a VA appointment for months.",
        "Wife is a Navy veteran",
        "veterans",
        None,
    ),
    ("Was really happy someone asked instead of just handing {obj} a flyer.", None, None, None),
    (
        "Cares for {pos} father, who has dementia; hard to get out in the evenings.",
        "Caring for father with dementia",
        "healthcare",
        None,
    ),
    (
        "Can't find after-school care for {pos} 8-year-old since the park district program closed.",
        "Needs after-school care for 8-year-old",
        "childcare",
        None,
    ),
    ("Runs a home daycare for six kids on the block.", "Runs a home daycare", "childcare", None),
    *MORE_HEARD,  # the second half, in its own module
]

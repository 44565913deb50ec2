"""The demo's organization: teams, the cast of users and their logins, tags and issues.

Plain data, no Django imports: the launcher prints ``DEMO_LOGINS`` before Django is set up.
Everything here is invented; email addresses use the reserved example.org domain.
"""

# (slug, name, description, ZIP codes its turf covers)
TEAMS = [
    (
        "eastside",
        "Eastside Neighbors",
        "Pilsen, Bridgeport, Back of the Yards and Brighton Park.",
        ["60608", "60609", "60616", "60632"],
    ),
    (
        "westside",
        "Westside Tenants",
        "Tenant organizing in Humboldt Park, Logan Square, Little Village and Belmont Cragin.",
        ["60612", "60622", "60623", "60639", "60647"],
    ),
    (
        "riverside",
        "Riverside Faith Network",
        "Congregations and mosques along the North Branch: Albany Park, Uptown, Rogers Park.",
        ["60618", "60625", "60626", "60640"],
    ),
]

# (email, full name, [(team slug, role)], is the Django superuser)
DEMO_USERS = [
    (
        "dana@example.org",
        "Dana Whitfield",
        [("eastside", "organizer"), ("riverside", "organizer")],
        False,
    ),
    ("luis@example.org", "Luis Ortega", [("westside", "organizer")], False),
    ("ana@example.org", "Ana Morales", [("eastside", "volunteer")], False),
    ("ben@example.org", "Ben Okafor", [("eastside", "volunteer")], False),
    ("carmen@example.org", "Carmen Reyes", [("westside", "volunteer")], False),
    ("dev@example.org", "Dev Patel", [("westside", "volunteer")], False),
    ("elena@example.org", "Elena Kowalski", [("riverside", "volunteer")], False),
    ("farid@example.org", "Farid Hassan", [("riverside", "volunteer")], False),
    ("priya@example.org", "Priya Raman", [("eastside", "data_staff")], False),
    ("admin@example.org", "Sam Admin", [("eastside", "admin")], True),
]

TAGS = [
    ("tenant", "Rents their home."),
    ("union member", "Belongs to a labor union."),
    ("parent", "Has children at home."),
    ("faith leader", "Clergy or lay leader in a congregation."),
    ("small business", "Owns or runs a local business."),
    ("volunteer prospect", "Might volunteer if asked."),
    ("spanish speaker", "Prefers to talk in Spanish."),
    ("senior", "65 or older."),
]

# (key, name, description). The key links the sentences below to an issue.
ISSUES = [
    ("housing", "Rent and housing", "Rent increases, repairs, evictions, affordable housing."),
    ("wages", "Wages", "Pay, hours, wage theft, job loss."),
    ("schools", "Schools", "Neighborhood schools, class sizes, college costs."),
    ("safety", "Public safety", "Traffic, lighting, violence, policing."),
    ("healthcare", "Healthcare", "Insurance, prescriptions, clinics, caregiving."),
    ("immigration", "Immigration", "Status, asylum, DACA, family separation."),
    ("transit", "Transit", "CTA service, buses, bike lanes, getting around."),
    ("climate", "Climate", "Flooding, heat, air and water quality."),
    ("veterans", "Veterans' services", "VA care and benefits for veterans and their families."),
    ("childcare", "Childcare", "Daycare costs, after-school programs."),
]


# Published on purpose: the launcher prints it next to the demo logins.
DEMO_PASSWORD = "listen-well-2026"  # noqa: S105

_ROLE_LABELS = {
    "volunteer": "Volunteer",
    "organizer": "Organizer",
    "data_staff": "Data staff",
    "admin": "Admin",
}
_TEAM_NAMES = {slug: name for slug, name, _, _ in TEAMS}


def _describe_login(memberships: list[tuple[str, str]]) -> str:
    role = memberships[0][1]
    if role in ("data_staff", "admin"):
        return f"{_ROLE_LABELS[role]} (all teams)"
    teams = ", ".join(_TEAM_NAMES[slug] for slug, _ in memberships)
    return f"{_ROLE_LABELS[role]} ({teams})"


# (email, role) for every demo account; importable without Django (the launcher prints it).
DEMO_LOGINS: list[tuple[str, str]] = [
    (email, _describe_login(memberships)) for email, _, memberships, _ in DEMO_USERS
]

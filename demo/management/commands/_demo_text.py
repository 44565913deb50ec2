"""Word banks for ``seed_demo``: the cast, names, streets and what people say at the door.

Plain data, no Django imports. Everything here is invented; phone numbers use the 555
exchange and email addresses the reserved example.com / example.net domains.
"""

# --- The organization ---------------------------------------------------------------------

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

# --- Names --------------------------------------------------------------------------------
# Backgrounds other than "general" (Faker's en_US names): (female given, male given, family).

# fmt: off
NAMES = {
    "latino": (
        ["María", "Guadalupe", "Rosa", "Alejandra", "Yesenia", "Marisol", "Leticia", "Verónica",
         "Lucía", "Gabriela", "Daniela", "Araceli", "Esperanza", "Xóchitl", "Itzel", "Maria",
         "Carmen", "Claudia", "Adriana", "Patricia"],
        ["José", "Juan", "Luis", "Carlos", "Miguel", "Jesús", "Alejandro", "Francisco", "Javier",
         "Ricardo", "Héctor", "Raúl", "Arturo", "Eduardo", "Fernando", "Rogelio", "Octavio",
         "Jorge", "Sergio", "Mario"],
        ["García", "Hernández", "Martínez", "López", "González", "Rodríguez", "Pérez", "Sánchez",
         "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Reyes", "Morales", "Cruz",
         "Ortiz", "Gutiérrez", "Chávez", "Ramos", "Ruiz", "Mendoza", "Vargas", "Castillo",
         "Jiménez", "Delgado", "Salazar", "Guerrero", "Medina", "Rosales", "Navarro", "Cervantes"],
    ),
    "vietnamese": (
        ["Linh", "Mai", "Lan", "Thao", "Huong", "Ngoc", "Trang", "Hanh", "Thuy", "Phuong", "Anh"],
        ["Minh", "Tuan", "Duc", "Hung", "Quang", "Thanh", "Long", "Khoa", "Bao", "Huy", "Vinh"],
        ["Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui", "Do", "Ngo", "Huynh", "Vo"],
    ),
    "somali": (
        ["Hodan", "Amina", "Fadumo", "Khadija", "Sahra", "Ayaan", "Hawa", "Ifrah", "Nasra",
         "Sagal", "Deeqa", "Muna"],
        ["Abdi", "Mohamed", "Ahmed", "Hassan", "Abdirahman", "Farah", "Omar", "Yusuf", "Liban",
         "Mahad", "Abdullahi"],
        ["Ali", "Warsame", "Abdi", "Hussein", "Jama", "Farah", "Mohamud", "Osman", "Aden", "Hirsi",
         "Egal", "Dualeh", "Nur"],
    ),
    "polish": (
        ["Agnieszka", "Katarzyna", "Małgorzata", "Joanna", "Ewa", "Magdalena", "Anna", "Barbara"],
        ["Tomasz", "Piotr", "Krzysztof", "Marek", "Paweł", "Andrzej", "Wojciech", "Jan"],
        # Polish "-ski" names take "-ska" for women; the loader handles that.
        ["Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński",
         "Szymański", "Kaczmarek", "Mazur", "Krawczyk", "Dąbrowski"],
    ),
    "nigerian": (
        ["Chioma", "Ngozi", "Adaeze", "Folake", "Funmilayo", "Ifeoma"],
        ["Chinedu", "Emeka", "Oluwaseun", "Tunde", "Obinna", "Adebayo"],
        ["Okafor", "Adeyemi", "Okonkwo", "Balogun", "Eze", "Nwosu", "Adebayo", "Ogunleye"],
    ),
    "filipino": (
        ["Maricel", "Rowena", "Jocelyn", "Marites", "Lorna", "Cristina"],
        ["Rodel", "Jomar", "Arnel", "Ronaldo", "Efren", "Noel"],
        ["Santos", "Bautista", "Dela Cruz", "Villanueva", "Mendoza", "Aquino", "Garcia", "Ramos"],
    ),
    "korean": (
        ["Ji-woo", "Soo-jin", "Eun-ji", "Min-seo", "Hye-jin"],
        ["Min-jun", "Jae-hyun", "Sung-ho", "Dong-hyun", "Joon"],
        ["Kim", "Park", "Lee", "Choi", "Jung", "Kang", "Cho"],
    ),
    "arab": (
        ["Layla", "Rania", "Nour", "Mariam", "Huda", "Samira"],
        ["Khaled", "Samir", "Tariq", "Omar", "Bilal", "Yousef"],
        ["Haddad", "Khalil", "Saleh", "Nasser", "Yousef", "Hamdan", "Odeh"],
    ),
}

# How each team's turf is made up, as weights per background.
BACKGROUND_WEIGHTS = {
    "eastside": {"latino": 48, "general": 32, "polish": 10, "arab": 4, "filipino": 3, "korean": 3},
    "westside": {"latino": 46, "general": 36, "polish": 7, "nigerian": 6, "arab": 3, "filipino": 2},
    "riverside": {"general": 30, "vietnamese": 20, "somali": 18, "latino": 12, "korean": 6,
                  "filipino": 5, "arab": 5, "nigerian": 4},
}

# Languages other than English, with the share of each background who prefer them.
LANGUAGE_BY_BACKGROUND = {"latino": ("es", 0.4), "vietnamese": ("vi", 0.45), "somali": ("so", 0.45)}

NICKNAMES = {
    "Robert": "Bob", "William": "Bill", "Elizabeth": "Liz", "Katherine": "Kate",
    "Jennifer": "Jen", "Michael": "Mike", "Christopher": "Chris", "Rebecca": "Becky",
    "Guadalupe": "Lupe", "Francisco": "Paco", "Alejandro": "Alex", "Abdirahman": "Abdi",
    "Katarzyna": "Kasia", "Małgorzata": "Gosia", "Wojciech": "Wojtek", "Ngoc": "Nikki",
    "Tuan": "Tony", "Oluwaseun": "Seun", "Funmilayo": "Funmi", "Patricia": "Paty",
}

# --- Places -------------------------------------------------------------------------------
# Real Chicago streets in each ZIP, with a plausible range of house numbers.

STREETS = {
    "60608": [("W 18th St", 1000, 2200), ("S Ashland Ave", 1800, 3100),
              ("S Racine Ave", 1800, 2300), ("W Cermak Rd", 1000, 2600),
              ("S Loomis St", 1800, 2200), ("S Blue Island Ave", 1600, 2000)],
    "60609": [("S Halsted St", 4300, 5500), ("W 47th St", 800, 2000), ("S Wood St", 4400, 5400),
              ("W 51st St", 1200, 2000), ("S Ashland Ave", 4300, 5500)],
    "60616": [("S Wentworth Ave", 2200, 2600), ("S Princeton Ave", 2500, 3100),
              ("W 31st St", 200, 600), ("S Canal St", 2400, 3000), ("W 26th St", 200, 600)],
    "60632": [("S Archer Ave", 3500, 4500), ("S Kedzie Ave", 3900, 5100),
              ("W 47th St", 2600, 4000), ("S Pulaski Rd", 4300, 5100),
              ("S Sacramento Ave", 4200, 4800)],
    "60612": [("W Madison St", 2400, 3000), ("S Western Ave", 100, 1000),
              ("W Jackson Blvd", 2400, 3200), ("S Oakley Blvd", 400, 1000),
              ("W Van Buren St", 2200, 3000)],
    "60622": [("W Division St", 1500, 2800), ("N Damen Ave", 1100, 1600),
              ("N Western Ave", 1000, 1600), ("W Chicago Ave", 1500, 2600),
              ("N Wolcott Ave", 1200, 1600)],
    "60623": [("W 26th St", 2400, 4400), ("S Kedzie Ave", 2200, 3000),
              ("S Pulaski Rd", 2200, 3000), ("S Trumbull Ave", 2300, 2900),
              ("W Cermak Rd", 3000, 4300), ("S Lawndale Ave", 2200, 3000)],
    "60639": [("W Fullerton Ave", 4400, 5900), ("N Cicero Ave", 1600, 2400),
              ("W Armitage Ave", 4400, 5800), ("N Central Ave", 1700, 2400),
              ("W Diversey Ave", 4500, 5800)],
    "60647": [("N Milwaukee Ave", 2000, 2900), ("W Armitage Ave", 2000, 3600),
              ("N California Ave", 1600, 2700), ("W Fullerton Ave", 2000, 3600),
              ("N Kedzie Ave", 1600, 2600), ("W Palmer St", 2000, 3500)],
    "60618": [("N Kedzie Ave", 2800, 4000), ("W Belmont Ave", 2800, 3600),
              ("N Pulaski Rd", 3000, 4000), ("W Addison St", 2800, 4000),
              ("W Irving Park Rd", 2800, 3900)],
    "60625": [("W Lawrence Ave", 2600, 4000), ("N Kedzie Ave", 4400, 5000),
              ("W Montrose Ave", 2500, 3900), ("N Kimball Ave", 4400, 5000),
              ("W Foster Ave", 2800, 3600)],
    "60626": [("N Sheridan Rd", 6400, 7600), ("W Howard St", 1200, 1700),
              ("N Clark St", 6500, 7600), ("W Morse Ave", 1200, 1700),
              ("N Greenview Ave", 6800, 7600)],
    "60640": [("W Argyle St", 1000, 1300), ("N Broadway", 4400, 5300),
              ("N Sheridan Rd", 4400, 5300), ("W Lawrence Ave", 800, 1400),
              ("N Winthrop Ave", 4700, 5300), ("W Wilson Ave", 800, 1400)],
}

UNITS = ["Apt 1", "Apt 2", "Apt 3", "Apt 1F", "Apt 2F", "Apt 3R", "Apt 2B", "Unit 4", "#1R", "#2",
         "Garden", "Apt 305", "Apt 412"]
# fmt: on

EMAIL_DOMAINS = ["example.com", "example.net"]
AREA_CODES = ["773", "773", "773", "312", "872"]

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
    (
        "Moved here from Mogadishu in 2014; {pos} kids are in high school now.",
        "Moved from Mogadishu in 2014",
        None,
        "somali",
    ),
    (
        "Goes to the mosque on Devon Avenue for Friday prayers.",
        "Friday prayers at the Devon Ave mosque",
        None,
        "somali",
    ),
    (
        "Came from Saigon with {pos} parents in 1992; runs a nail salon on Argyle.",
        "Runs a nail salon on Argyle",
        None,
        "vietnamese",
    ),
    (
        "The alley lights have been out for months and {sub} doesn't feel safe taking the trash out.",
        "Alley lights out for months",
        "safety",
        None,
    ),
    (
        "Wants more police on the block, but also says the kids need somewhere to go after school.",
        None,
        "safety",
        None,
    ),
    (
        "Thinks the new bike lanes took away parking for {pos} customers.",
        "Unhappy about bike lanes and parking",
        "transit",
        None,
    ),
    (
        "{Pos} Walgreens closed; now takes two buses to pick up prescriptions.",
        "Pharmacy closed, two buses to get prescriptions",
        "healthcare",
        None,
    ),
    (
        "Has been on the CHA voucher waiting list for four years.",
        "On CHA voucher waitlist 4 years",
        "housing",
        None,
    ),
    (
        "Son is in the Army, stationed in Germany.",
        "Son in the Army, stationed in Germany",
        None,
        None,
    ),
    (
        "Says {sub} doesn't vote because nothing changes, but listened to the whole rent story.",
        None,
        None,
        None,
    ),
    (
        "Wants to come to the tenant meeting but needs childcare.",
        "Needs childcare to come to meetings",
        "childcare",
        None,
    ),
    (
        "Had a scare in the July heat wave; there's no AC in the unit.",
        "No AC in the unit",
        "climate",
        None,
    ),
    (
        "Daughter is applying to City Colleges and they're worried about the cost.",
        "Daughter applying to City Colleges",
        "schools",
        None,
    ),
    (
        "Home health aide working two jobs, off only on Sundays.",
        "Home health aide, free Sundays only",
        "wages",
        None,
    ),
    (
        "Deacon at New Life Baptist; could bring folks from the men's group.",
        "Deacon at New Life Baptist",
        None,
        "general",
    ),
    (
        "Spoke in Spanish; {sub} prefers texts to calls.",
        "Prefers texts, in Spanish",
        None,
        "latino",
    ),
    (
        "Grandmother of five, watches the grandkids after school every day.",
        "Watches grandkids after school",
        "childcare",
        None,
    ),
    (
        "Got a ticket for a broken tail light and can't afford it; says fines are the real tax here.",
        None,
        None,
        None,
    ),
    (
        "Mentioned the lead pipes: the city sent a letter but nobody came to replace them.",
        "Lead service line never replaced",
        "climate",
        None,
    ),
    (
        "Was laid off from the Ford plant on Torrence and is looking for work.",
        "Laid off from the Ford plant",
        "wages",
        None,
    ),
    (
        "Cooks at a restaurant downtown; the owner shorted {obj} on overtime.",
        "Owed overtime by employer",
        "wages",
        None,
    ),
    ("Leads the Girl Scout troop at the park field house.", "Girl Scout troop leader", None, None),
    (
        "{Pos} sister is still in Michoacán and {sub} sends money home every month.",
        None,
        None,
        "latino",
    ),
    ("Doesn't have a car; Divvy and the bus get {obj} everywhere.", None, "transit", None),
    (
        "Worried the new development on the corner will push rents up for everyone.",
        "Worried the new development will raise rents",
        "housing",
        None,
    ),
    (
        "Had COVID twice and still tires easily; works from home now.",
        "Long COVID, tires easily",
        "healthcare",
        None,
    ),
    (
        "Proud that {pos} granddaughter made the honor roll.",
        "Granddaughter made the honor roll",
        "schools",
        None,
    ),
    (
        "The school bus stopped coming, so {pos} kids walk past two vacant lots.",
        "Kids walk past vacant lots since the bus was cut",
        "schools",
        None,
    ),
    (
        "Speaks Vietnamese at home; {pos} daughter handles the mail and bills.",
        "Daughter handles mail and bills",
        None,
        "vietnamese",
    ),
    (
        "Was a nurse in Somalia but can't work as one here without recertifying.",
        "Trained nurse, needs recertification",
        "wages",
        "somali",
    ),
    ("Said to come back when {pos} partner is home, who handles this stuff.", None, None, None),
    (
        "Gave us lemonade and talked for twenty minutes about the neighborhood in the '80s.",
        "Loves talking about neighborhood history",
        None,
        None,
    ),
    (
        "Plays dominoes at the park every Saturday morning with the neighbors.",
        "Dominoes at the park Saturday mornings",
        None,
        None,
    ),
    (
        "Asked about DACA renewal help for {pos} nephew.",
        "Nephew needs DACA renewal help",
        "immigration",
        "latino",
    ),
    (
        "Lives alone since {pos} spouse passed in the spring.",
        "Spouse passed in the spring",
        None,
        None,
    ),
    ("Thinks the park needs more lights and a water fountain that works.", None, "safety", None),
    (
        "Storm knocked a tree onto {pos} garage and the city still hasn't hauled it away.",
        "Tree on garage from storm, city hasn't removed it",
        "climate",
        None,
    ),
    (
        "Wants a community meeting in Spanish so {pos} parents can come.",
        "Wants meetings in Spanish for parents",
        None,
        "latino",
    ),
    (
        "Bus 81 Lawrence is the only way {sub} gets to work and it's been cut back.",
        "Depends on the 81 Lawrence bus",
        "transit",
        "vietnamese",
    ),
    (
        "Just got {pos} green card after nine years and wants to help others with the paperwork.",
        "Just got green card, wants to help others",
        "immigration",
        None,
    ),
]

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

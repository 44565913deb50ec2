"""Word banks for the demo's people: names by background, languages, nicknames, streets.

Plain data, no Django imports. Everything here is invented; phone numbers use the 555
exchange and email addresses the reserved example.com / example.net domains.
"""

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

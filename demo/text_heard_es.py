"""What the demo's Spanish speakers tell us, in Spanish: the same stories as ``text_heard``,
keyed by the English sentence, as a volunteer who speaks Spanish writes them down. A story
with no Spanish version here stays in English in the note (mixed notes happen).

Plain data, no Django imports. Everything here is invented.
"""

# The volunteer who speaks Spanish first: her pages, the brief and the log form are in Spanish.
SPANISH_SPEAKING_VOLUNTEERS = {"carmen@example.org"}

HEARD_ES = {
    "{Pos} son is an Iraq war veteran and {sub}'s worried about wait times at the VA.": (
        "Su hijo es veterano de Irak y le preocupa lo que tarda el VA en dar citas."
    ),
    "Rent went up $300 this year; thinking about moving in with {pos} sister.": (
        "Le subieron la renta 300 dólares este año; piensa irse a vivir con su hermana."
    ),
    "Works nights at the hospital, best to call after 2pm.": (
        "Trabaja de noche en el hospital; mejor llamar después de las 2 de la tarde."
    ),
    "Lost {pos} job at the warehouse in March.": "Perdió su trabajo en el almacén en marzo.",
    "Goes to St. Pius on Sundays.": "Va a misa en San Pío los domingos.",
    "Has two dogs, be careful at the gate.": "Tiene dos perros, cuidado con el portón.",
    "Landlord hasn't fixed the heat since January; {sub} runs the oven to keep warm.": (
        "El casero no ha arreglado la calefacción desde enero; prende el horno para calentarse."
    ),
    "Worried about {pos} mother's insulin; she's on Medicare and still pays over $100 a month.": (
        "Le preocupa la insulina de su mamá: tiene Medicare y aun así paga más de 100 dólares."
    ),
    "A cousin was picked up by ICE last year and the family is still shaken.": (
        "A un primo se lo llevó la migra el año pasado y la familia sigue asustada."
    ),
    "Pays $1,400 a month for daycare for the baby, more than the rent.": (
        "Paga 1,400 dólares al mes de guardería para el bebé, más que la renta."
    ),
    "Says there have been three break-ins on the block since summer.": (
        "Dice que ha habido tres robos en la cuadra desde el verano."
    ),
    "Grandson has asthma and the air by the rail yard makes it worse.": (
        "Su nieto tiene asma y el aire junto a las vías lo empeora."
    ),
    "Lives with {pos} three kids and {pos} mother in a two-bedroom.": (
        "Vive con sus tres hijos y su mamá en un apartamento de dos recámaras."
    ),
    "Just had a baby in August, a girl named Sofia.": "Tuvo una bebé en agosto, se llama Sofía.",
    "Prefers Spanish; {pos} son translates when he's home.": (
        "Prefiere hablar en español; su hijo traduce cuando está en casa."
    ),
    "Wants a stop sign at the corner after a kid got hit by a car in June.": (
        "Quiere un alto en la esquina desde que atropellaron a un niño en junio."
    ),
    "Owns the taqueria on 26th Street; says business is down since the street construction.": (
        "Tiene una taquería en la calle 26; dice que vende menos desde que empezó la obra."
    ),
    "{Pos} brother is waiting on his asylum hearing and it keeps getting pushed back.": (
        "Su hermano espera su audiencia de asilo y se la siguen posponiendo."
    ),
    "Cares for {pos} father, who has dementia; hard to get out in the evenings.": (
        "Cuida a su papá, que tiene demencia; le cuesta salir en las tardes."
    ),
    "Was laid off from the Ford plant on Torrence and is looking for work.": (
        "Lo despidieron de la planta Ford en Torrence y está buscando trabajo."
    ),
    "Cooks at a restaurant downtown; the owner shorted {obj} on overtime.": (
        "Trabaja de cocinera en un restaurante del centro; el dueño no le pagó las horas extra."
    ),
    "Spoke in Spanish; {sub} prefers texts to calls.": (
        "Hablamos en español; prefiere mensajes de texto a llamadas."
    ),
    "{Pos} sister is still in Michoacán and {sub} sends money home every month.": (
        "Su hermana sigue en Michoacán y le manda dinero cada mes."
    ),
    "Asked about DACA renewal help for {pos} nephew.": (
        "Preguntó si hay ayuda para renovar el DACA de su sobrino."
    ),
    "Wants a community meeting in Spanish so {pos} parents can come.": (
        "Quiere una junta de la comunidad en español para que vengan sus papás."
    ),
    "Wants to come to the tenant meeting but needs childcare.": (
        "Quiere venir a la junta de inquilinos pero necesita quién le cuide a los niños."
    ),
    "Had a scare in the July heat wave; there's no AC in the unit.": (
        "Se asustó con la ola de calor de julio; no hay aire acondicionado en el apartamento."
    ),
    "Was really happy someone asked instead of just handing {obj} a flyer.": (
        "Estaba muy contenta de que alguien le preguntara en vez de solo darle un folleto."
    ),
    "Said to come back when {pos} partner is home, who handles this stuff.": (
        "Dijo que volviéramos cuando esté su pareja, que es quien ve estas cosas."
    ),
    "Lives alone since {pos} spouse passed in the spring.": (
        "Vive sola desde que falleció su esposo en la primavera."
    ),
}

# Short notes for the other outcomes, in Spanish.
BRIEF_HEARD_ES = {
    "not_home": ["Nadie abrió; dejé un folleto.", "No estaba, volver otro día."],
    "refused": ["No quiso hablar."],
    "callback_requested": ["Ocupada, pidió que le llamemos mañana por la tarde."],
}

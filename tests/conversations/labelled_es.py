"""Labelled Spanish and mixed canvass notes for the listener, written before its Spanish rules.

Each row is a note as a volunteer might type it after a door or a call, with the exact
suggestions (category, line) expected. Rows with ``[]`` must suggest nothing: negations
("no tiene hijos"), hypotheticals ("si la despiden"), hedges and hearsay, small talk, and the
never-suggest list in both languages (immigration status — "papeles", "la migra", "deportar",
"sin documentos" —, arrests, abuse), which only a person may choose to record.

How a line is written: the clause as said, without a leading "dice que" / "me dijo que" /
"comentó que", its first letter capitalized and its end punctuation dropped. Spanish keeps its
possessive ("Su hijo es veterano de Irak"): without it the line does not read as Spanish. A
clause about a relative is family unless it tells of their service, health, a lost job or a
date, as in English.

The split: 40% of the rows are held out (``held_out``): the rules are written against the
rest, and the held-out rows are scored separately. Which rows are held out is fixed by their
position (the 3rd and 5th of every five), so it cannot drift toward the rules.
"""

from __future__ import annotations

from datetime import datetime

SPANISH = [
    # --- family, military, health
    ("Su hijo es veterano de Irak.", [("military", "Su hijo es veterano de Irak")]),
    (
        "Su nieta va a empezar la universidad en el otoño.",
        [("family", "Su nieta va a empezar la universidad en el otoño")],
    ),
    (
        "Mi esposo trabaja de noche en la fábrica.",
        [("family", "Mi esposo trabaja de noche en la fábrica")],
    ),
    ("Cuida a su mamá, que tiene diabetes.", [("health", "Cuida a su mamá, que tiene diabetes")]),
    (
        "Tiene tres hijos en la primaria Lincoln.",
        [("family", "Tiene tres hijos en la primaria Lincoln")],
    ),
    ("La hija mayor estudia enfermería.", [("family", "La hija mayor estudia enfermería")]),
    ("Vive con su hermana y sus sobrinos.", [("family", "Vive con su hermana y sus sobrinos")]),
    ("Sirvió en el ejército doce años.", [("military", "Sirvió en el ejército doce años")]),
    ("Su esposo estuvo en la Marina.", [("military", "Su esposo estuvo en la Marina")]),
    ("Su hijo está en la Guardia Nacional.", [("military", "Su hijo está en la Guardia Nacional")]),
    (
        "Tiene diabetes y necesita insulina todos los días.",
        [("health", "Tiene diabetes y necesita insulina todos los días")],
    ),
    (
        "Su papá tuvo un derrame cerebral el año pasado.",
        [("health", "Su papá tuvo un derrame cerebral el año pasado")],
    ),
    (
        "Está en diálisis tres veces por semana.",
        [("health", "Está en diálisis tres veces por semana")],
    ),
    ("Usa silla de ruedas.", [("health", "Usa silla de ruedas")]),
    # --- work and job loss
    (
        "Perdió su trabajo en la empacadora en marzo.",
        [("work", "Perdió su trabajo en la empacadora en marzo")],
    ),
    (
        "Lo despidieron del almacén el mes pasado.",
        [("work", "Lo despidieron del almacén el mes pasado")],
    ),
    ("Trabaja en la construcción.", [("work", "Trabaja en la construcción")]),
    ("Limpia casas en el norte de la ciudad.", [("work", "Limpia casas en el norte de la ciudad")]),
    ("Es maestra en la escuela Juárez.", [("work", "Es maestra en la escuela Juárez")]),
    ("Tiene una panadería en la calle 26.", [("work", "Tiene una panadería en la calle 26")]),
    (
        "Trabaja dos trabajos para pagar la renta.",
        [("work", "Trabaja dos trabajos para pagar la renta")],
    ),
    # --- housing, faith, pets, dates
    ("Le subieron la renta 200 dólares.", [("housing", "Le subieron la renta 200 dólares")]),
    (
        "El casero no ha arreglado la calefacción desde enero.",
        [("housing", "El casero no ha arreglado la calefacción desde enero")],
    ),
    ("Recibió un aviso de desalojo.", [("housing", "Recibió un aviso de desalojo")]),
    (
        "Hay moho en el baño y el casero no hace nada.",
        [("housing", "Hay moho en el baño y el casero no hace nada")],
    ),
    ("Está atrasada con la renta.", [("housing", "Está atrasada con la renta")]),
    (
        "Vive en un apartamento de una recámara con cinco personas.",
        [("housing", "Vive en un apartamento de una recámara con cinco personas")],
    ),
    ("Va a misa en San Pío los domingos.", [("faith", "Va a misa en San Pío los domingos")]),
    ("Es diácono en la iglesia bautista.", [("faith", "Es diácono en la iglesia bautista")]),
    ("Canta en el coro de la parroquia.", [("faith", "Canta en el coro de la parroquia")]),
    (
        "Tiene dos perros, cuidado con el portón.",
        [("pets", "Tiene dos perros, cuidado con el portón")],
    ),
    ("Tiene un gato que se llama Michi.", [("pets", "Tiene un gato que se llama Michi")]),
    ("Su cumpleaños es el 3 de marzo.", [("dates", "Su cumpleaños es el 3 de marzo")]),
    (
        "La quinceañera de su hija es en junio.",
        [("dates", "La quinceañera de su hija es en junio")],
    ),
    ("Se gradúa de la prepa en mayo.", [("dates", "Se gradúa de la prepa en mayo")]),
    # --- best time to reach them
    ("Duerme hasta la una de la tarde.", [("best_time", "Duerme hasta la una de la tarde")]),
    (
        "Prefiere mensajes de texto a llamadas.",
        [("best_time", "Prefiere mensajes de texto a llamadas")],
    ),
    (
        "Mejor llamar después de las 6 entre semana.",
        [("best_time", "Mejor llamar después de las 6 entre semana")],
    ),
    ("Solo está en casa los domingos.", [("best_time", "Solo está en casa los domingos")]),
    # --- two things in one note
    (
        "Trabaja de noche; duerme hasta el mediodía.",
        [("work", "Trabaja de noche"), ("best_time", "Duerme hasta el mediodía")],
    ),
    (
        "Es enfermera en el hospital Sinaí; prefiere que le manden texto.",
        [
            ("work", "Es enfermera en el hospital Sinaí"),
            ("best_time", "Prefiere que le manden texto"),
        ],
    ),
    # --- nothing to suggest: negations, hypotheticals, hedges, hearsay
    ("No tiene hijos.", []),
    ("Nunca sirvió en el ejército.", []),
    ("No es veterano, pero su vecino sí.", []),
    ("Si la despiden, no sabe cómo va a pagar la renta.", []),
    ("Tal vez tiene un perro, no estoy segura.", []),
    ("Preguntó si conocíamos a alguien en el hospital.", []),
    ("Alguien dijo que el casero va a vender el edificio.", []),
    ("Su hijo no vive con ella.", []),
    ("Quizás su esposo tiene un trabajo nuevo.", []),
    ("Si tuviera tiempo, vendría a las reuniones.", []),
    # --- nothing to suggest: small talk and issues without a personal fact
    ("Muy amable, dijo que lo va a pensar.", []),
    ("No quiso hablar de política.", []),
    ("Quiere un alto en la esquina.", []),
    ("Dice que el camión siempre llega tarde.", []),
    ("Nadie abrió, dejé un folleto.", []),
    ("Puede que venga a la junta con su vecina.", []),
    ("Le interesa el tema de los parques.", []),
    ("Estaba muy contenta de que alguien le preguntara.", []),
    # --- nothing to suggest: a person, not a machine, decides to record these
    ("Su primo tiene miedo de la migra.", []),
    ("No tiene papeles y le da miedo salir.", []),
    ("Su hermano está sin documentos.", []),
    ("Tienen miedo de que deporten a su esposo.", []),
    ("Su hijo salió de la cárcel hace poco.", []),
    ("Arrestaron a su sobrino la semana pasada.", []),
    ("Su expareja la maltrataba; ahora vive con su hermana.", []),
    ("Está embarazada de cinco meses.", []),
]

# Notes that mix the two languages: both rule sets read them.
MIXED = [
    ("Her son está en el Army.", [("military", "Her son está en el Army")]),
    ("Su hijo is a veteran.", [("military", "Su hijo is a veteran")]),
    ("Su mamá has diabetes.", [("health", "Su mamá has diabetes")]),
    ("Lost her job en la fábrica.", [("work", "Lost her job en la fábrica")]),
    (
        "The landlord no ha arreglado la calefacción.",
        [("housing", "The landlord no ha arreglado la calefacción")],
    ),
    ("Le subieron el rent otra vez.", [("housing", "Le subieron el rent otra vez")]),
    ("Goes to misa every Sunday.", [("faith", "Goes to misa every Sunday")]),
    ("Tiene two dogs, cuidado.", [("pets", "Tiene two dogs, cuidado")]),
    ("Works at the hospital, es enfermera.", [("work", "Works at the hospital, es enfermera")]),
    ("Call after 5, después del trabajo.", [("best_time", "Call after 5, después del trabajo")]),
    ("No tiene kids.", []),
    ("Doesn't have papeles.", []),
    ("Her brother got deported el año pasado.", []),
    ("Tiene miedo de ICE.", []),
    ("Maybe su hija has asthma.", []),
    ("Si she loses the job, se muda con su hermana.", []),
]


def held_out(index: int) -> bool:
    """The 3rd and 5th row of every five: 40% of each list."""
    return index % 5 in (2, 4)


def split(rows: list) -> tuple[list, list]:
    """(written against, held out)."""
    return (
        [row for index, row in enumerate(rows) if not held_out(index)],
        [row for index, row in enumerate(rows) if held_out(index)],
    )


# The follow-up time they asked for. Heard on Thursday, November 19 2026, 4:00 pm in Chicago.
HEARD_AT = datetime(2026, 11, 19, 16, 0)
FOLLOWUP_TIMES = [
    ("Llámame el martes después de las 5", datetime(2026, 11, 24, 17, 0)),
    ("Que le llamemos mañana por la tarde", datetime(2026, 11, 20, 14, 0)),
    ("Dijo que le llamemos después del 15", datetime(2026, 12, 16, 17, 0)),
    ("Vuelve en dos semanas", datetime(2026, 12, 3, 17, 0)),
    ("Ocupada con los niños, llamar la próxima semana.", datetime(2026, 11, 23, 17, 0)),
    ("Está trabajando, dijo que el sábado por la mañana.", datetime(2026, 11, 21, 10, 0)),
    ("Regresar el 3 de diciembre a mediodía", datetime(2026, 12, 3, 12, 0)),
    ("Llamar después de las 2 de la tarde", datetime(2026, 11, 20, 14, 0)),
    ("Llámala esta noche", datetime(2026, 11, 19, 19, 0)),
    ("Pidió que le llamen el lunes que viene", datetime(2026, 11, 23, 17, 0)),
    ("Call me el martes después de las 5", datetime(2026, 11, 24, 17, 0)),
]
NO_FOLLOWUP_TIME = [
    "Le subieron la renta 200 dólares.",
    "Su hijo tiene 5 años.",
    "Va a la iglesia el domingo.",
    "Vive en el 1500 de la calle Main.",
    "",
]

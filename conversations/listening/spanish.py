"""The listener's Spanish rules: the same categories and the same precision-first habits as
the English ones in ``rules`` (a clear cue per rule; negated, hypothetical or hedged clauses
suggest nothing; the never-suggest list wins), written for how volunteers write Spanish
notes, with and without accents ("mamá"/"mama", "sábado"/"sabado").

Pure patterns and functions; ``rules`` decides which language's rules read a clause.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta

_I = re.IGNORECASE

# --- Things to remember ----------------------------------------------------------------------

RELATIVE = (
    r"hij[oa]s?|niñ[oa]s|nin[oa]s|niet[oa]s?|espos[oa]|marido|pareja|mam[áa]|madre|pap[áa]|"
    r"padre|padres|herman[oa]s?|prim[oa]s?|sobrin[oa]s?|t[íi][oa]s?|abuel[oa]s?|abuelit[oa]s?|"
    r"suegr[oa]s?|yerno|nuera|beb[ée]s?|gemel[oa]s|hijastr[oa]s?|novi[oa]"
)
_POSSESSIVE = r"(?:su|sus|mi|mis|la|el|los|las|nuestr[oa]s?)"

FAMILY = re.compile(rf"^(?:{_POSSESSIVE}\s+)?(?:{RELATIVE})\b", _I)
FAMILY_ANYWHERE = re.compile(
    rf"\b(?:tiene\s+(?:un|una|dos|tres|cuatro|cinco|seis|\d+)\s+(?:{RELATIVE})|"
    rf"vive\s+con\s+(?:su|sus)\s+(?:{RELATIVE})|cuida\s+a\s+(?:su|sus)\s+(?:{RELATIVE})|"
    rf"(?:su|sus)\s+(?:{RELATIVE})\s+(?:es|son|está|están|va|van|vive|viven|estudia|estudian))\b",
    _I,
)
MILITARY = re.compile(
    r"\b(?:veteran[oa]s?|sirvi[óo]\s+en|ej[ée]rcito|la\s+marina|infanter[íi]a\s+de\s+marina|"
    r"marines|fuerza\s+a[ée]rea|guardia\s+nacional|guardia\s+costera|militar(?:es)?|"
    r"desplegad[oa]|base\s+militar|servicio\s+militar)\b",
    _I,
)
HEALTH = re.compile(
    r"\b(?:insulina|diab[ée]tic[oa]|diabetes|c[áa]ncer|quimio\w*|asma|demencia|alzh?[ée]imer|"
    r"cirug[íi]a|operaci[óo]n|di[áa]lisis|discapacidad|discapacitad[oa]|silla\s+de\s+ruedas|"
    r"derrame(?:\s+cerebral)?|infarto|del\s+coraz[óo]n|presi[óo]n\s+alta|medicinas?|"
    r"medicamentos?|medicaid|medicare|cr[óo]nic[oa]|ri[ñn]ones?|cieg[oa]|sord[oa]|"
    r"depresi[óo]n|terapia|enfermedad|enferm[oa]\s+de|lastimad[oa]|lesi[óo]n|covid)\b",
    _I,
)
JOB_LOSS = re.compile(
    r"\b(?:perdi[óo]\s+(?:su\s+|el\s+)?trabajo|l[oa]s?\s+despidieron|l[oa]\s+corrieron|"
    r"qued[óo]\s+sin\s+trabajo|est[áa]\s+sin\s+trabajo|desemplead[oa]|sin\s+chamba)\b",
    _I,
)
WORK = re.compile(
    r"\b(?:trabaja(?:n)?\s+(?:en|de|como|para|dos|tres|noches|d[íi]as|turnos?)|"
    r"trabajando\s+(?:en|de|como)|jubilad[oa]|retirad[oa]|sindicato|en\s+huelga|"
    r"limpia\s+(?:casas|oficinas)|cocina\s+en|maneja\s+(?:un|una|para)|"
    r"(?:es|era)\s+(?:enfermer[oa]|maestr[oa]|chofer|ch[óo]fer|cociner[oa]|mec[áa]nic[oa]|"
    r"cajer[oa]|conserje|electricista|plomer[oa]|carpinter[oa]|soldador[a]?|"
    r"bombero|costurera|niñera|jardiner[oa]|mesero|mesera)|"
    r"tiene\s+(?:una|un|su)\s+(?:panader[íi]a|taquer[íi]a|tienda|negocio|restaurante|"
    r"taller|sal[óo]n|lonchera|troca\s+de\s+comida)|negocio\s+propio|"
    r"no\s+le\s+han\s+subido\s+el\s+sueldo|\$?\d+\s+(?:d[óo]lares\s+)?(?:la|por)\s+hora)\b",
    _I,
)
HOUSING = re.compile(
    r"\b(?:(?:le\s+|les\s+)?sub(?:i[óo]|ieron|e)\s+(?:la|el)\s+(?:renta|rent|alquiler)|"
    r"atrasad[oa]s?\s+(?:con|en)\s+(?:la|el)\s+(?:renta|pago|hipoteca|alquiler)|"
    r"caser[oa]|due[ñn]o\s+del\s+(?:edificio|apartamento)|desalojo|desalojar|"
    r"aviso\s+de\s+desalojo|hipoteca|sin\s+hogar|vive\s+en\s+(?:un|una)\s+(?:apartamento|"
    r"cuarto|s[óo]tano|casa\s+m[óo]vil|tr[áa]iler)|(?:una|dos|tres)\s+rec[áa]maras?|"
    r"calefacci[óo]n|agua\s+caliente|moho|cucarachas|ratones|plaga|humedad|goteras?|"
    r"vendieron\s+el\s+edificio|corte\s+de\s+vivienda|secci[óo]n\s+8)\b",
    _I,
)
FAITH = re.compile(
    r"\b(?:iglesia|misa|parroquia|templo|mezquita|sinagoga|congregaci[óo]n|di[áa]cono|"
    r"pastor[a]?|sacerdote|imam|rabino|coro\s+de\s+la|grupo\s+de\s+oraci[óo]n|"
    r"estudio\s+b[íi]blico|cat[óo]lic[oa]|cristian[oa]|evang[ée]lic[oa]|bautista|pentecostal|"
    r"metodista|testigo\s+de\s+jehov[áa]|la\s+virgen|rosario)\b",
    _I,
)
PETS = re.compile(
    r"\b(?:tiene|tienen|con)\s+(?:un|una|dos|tres|cuatro|\d+|unos|unas|\w+)?\s*"
    r"(?:perr[oa]s?|perrit[oa]s?|gat[oa]s?|gatit[oa]s?|loro|perico|pitbulls?|chihuahuas?|"
    r"dogs?|cats?)\b|\bcuidado\s+con\s+el\s+perro\b",
    _I,
)
DATES = re.compile(
    r"\b(?:cumplea[ñn]os|aniversario|quincea[ñn]era|quince\s+a[ñn]os|boda|"
    r"se\s+grad[úu]a|graduaci[óo]n|bautizo|primera\s+comuni[óo]n|fecha\s+de\s+parto|"
    r"naci[óo]\s+(?:en|el))\b",
    _I,
)
BEST_TIME = re.compile(
    r"\b(?:mejor\s+(?:hora\s+para\s+)?(?:llamar|llamarle|visitar|hablar|pasar)|"
    r"(?:llamar|llamarle|llamen|visitar|pasar|marcar)\s+(?:solo\s+)?(?:despu[ée]s|antes)\s+de\s+las?\s+\d|"
    r"duerme\s+(?:hasta|de\s+d[íi]a|en\s+el\s+d[íi]a)|prefiere\s+(?:mensajes?|texto|que\s+le|"
    r"llamadas?|las?\s+mañanas?|las?\s+tardes?|las?\s+noches?|correo|whatsapp)|"
    r"solo\s+est[áa]\s+(?:en\s+casa|libre|disponible)|descansa\s+los|"
    r"libre\s+(?:los\s+)?(?:domingos|s[áa]bados|fines\s+de\s+semana|tardes|mañanas|noches)|"
    r"(?:vuelva|volver|regresar|regresen|pasen)\s+cuando)\b",
    _I,
)
NEGATED = re.compile(r"\b(?:no|nunca|jam[áa]s|ni|nadie|ninguno|ninguna|tampoco|sin)\b", _I)
HEDGED = re.compile(
    r"\b(?:si|tal\s+vez|quiz[áa]s?|a\s+lo\s+mejor|puede\s+que|no\s+s[ée]\s+si|"
    r"no\s+est[áo]y\s+segur[oa]|creo\s+que|parece\s+que|dicen\s+que|alguien\s+dijo|"
    r"(?:se\s+)?rumor\w*|pregunt[óo]\s+(?:si|por|sobre)|quer[íi]a\s+saber|tuviera|fuera)\b",
    _I,
)
# Negations that are the fact itself ("no ha arreglado la calefacción", "no hay agua caliente").
NEGATION_IS_THE_FACT = re.compile(
    r"\b(?:no\s+(?:ha|han)\s+arreglado|no\s+arregla\w*|no\s+hace\s+nada|"
    r"no\s+hay\s+(?:calefacci[óo]n|agua\s+caliente|aire)|no\s+tiene\s+(?:calefacci[óo]n|"
    r"agua\s+caliente|aire)|no\s+le\s+alcanza|no\s+puede\s+pagar|"
    r"no\s+le\s+han\s+subido\s+el\s+sueldo)\b",
    _I,
)
# Never suggested, whatever else matches (as in English): immigration status, arrests, abuse
# and the like are for a person to record, as a sensitive note, if the person wants it.
NEVER = re.compile(
    r"\b(?:papeles|la\s+migra|migra|migraci[óo]n|inmigraci[óo]n|deport\w*|sin\s+documentos|"
    r"indocumentad[oa]s?|asilo|residencia|visa|daca|ilegal(?:es)?|"
    r"arrest\w*|detenid[oa]s?|l[oa]\s+detuvieron|c[áa]rcel|prisi[óo]n|pres[oa]|"
    r"libertad\s+condicional|probatoria|maltrat\w*|abus\w*|violencia|golpea\w*|"
    r"orden\s+de\s+protecci[óo]n|embarazad[oa]|aborto|suicid\w*|sobredosis|vih|"
    r"rehabilitaci[óo]n|adicci[óo]n)\b",
    _I,
)
CLAUSES = re.compile(r";\s*|,\s*(?:y|pero|as[íi]\s+que|aunque)\s+|\s+pero\s+", _I)
LEADING_SUBJECT = re.compile(
    r"^(?:(?:ella|[ée]l|ellos|ellas)\s+)?(?:(?:me|nos)\s+)?(?:dice|dijo|cont[óo]|coment[óo]|"
    r"mencion[óo]|cuenta)\s+que\s+",
    _I,
)

# Which rule applies when a clause matches several: the most specific first (as in English).
RULES: list[tuple[str, re.Pattern[str]]] = [
    ("military", MILITARY),
    ("dates", DATES),
    ("best_time", BEST_TIME),
    ("faith", FAITH),
    ("pets", PETS),
    ("health", HEALTH),
    ("job_loss", JOB_LOSS),
    ("housing", HOUSING),
    ("work", WORK),
]

# --- A follow-up time ------------------------------------------------------------------------

WEEKDAYS = {
    "lunes": 0, "martes": 1, "miércoles": 2, "miercoles": 2, "jueves": 3, "viernes": 4,
    "sábado": 5, "sabado": 5, "domingo": 6,
}  # fmt: skip
MONTHS = {
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
    "diciembre": 12,
}  # fmt: skip
NUMBERS = {
    "un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12,
    "un par de": 2, "unos": 3, "unas": 3, "unos cuantos": 3, "unas cuantas": 3,
}  # fmt: skip
_NUMBER_WORDS = "|".join(sorted((re.escape(k) for k in NUMBERS), key=len, reverse=True))
_WEEKDAY_WORDS = "|".join(WEEKDAYS)
_MONTH_WORDS = "|".join(MONTHS)

CUE = re.compile(
    r"\b(?:ll[áa]m\w*|marc\w*|volver|vuelv\w*|regres\w*|pas(?:ar|e|en|amos)|"
    r"visit\w*|habl\w*|texto|mensaje|contact\w*|libre|disponible|en\s+casa|despu[ée]s|"
    r"ocupad[oa]|trabajando|m[áa]s\s+tarde|otra\s+vez|de\s+nuevo|buscar|buscarle)\b",
    _I,
)
IN_N = re.compile(
    rf"\b(?:en|dentro\s+de)\s+({_NUMBER_WORDS}|\d+)\s+(d[íi]as?|semanas?|mes(?:es)?)\b", _I
)
NEXT_WEEK = re.compile(
    r"\b(?:la\s+)?(?:pr[óo]xima\s+semana|semana\s+que\s+viene|otra\s+semana|"
    r"semana\s+entrante)\b",
    _I,
)
NEXT_WEEKEND = re.compile(
    r"\b(?:el\s+)?(?:pr[óo]ximo\s+fin\s+de\s+semana|fin\s+de\s+semana\s+que\s+viene)\b", _I
)
THIS_WEEKEND = re.compile(r"\b(?:este\s+|el\s+)?fin\s+de\s+semana\b", _I)
DAY_AFTER_TOMORROW = re.compile(r"\bpasado\s+ma[ñn]ana\b", _I)
# "mañana" is tomorrow unless it is "la mañana" (the morning): "mañana por la mañana" is both.
TOMORROW = re.compile(r"(?<!\bla\s)(?<!\blas\s)\bma[ñn]ana\b", _I)
TONIGHT = re.compile(r"\b(?:esta\s+noche|hoy\s+(?:en|por)\s+la\s+noche|m[áa]s\s+tarde|hoy)\b", _I)
WEEKDAY = re.compile(
    rf"\b(?:(pr[óo]ximo|este|despu[ée]s\s+del|el|los)\s+)?({_WEEKDAY_WORDS})s?"
    rf"(?:\s+(que\s+viene|pr[óo]ximo|entrante))?\b",
    _I,
)
DAY_OF_MONTH = re.compile(
    rf"\b(despu[ée]s\s+del|antes\s+del|el|para\s+el|del)\s+(\d{{1,2}})"
    rf"(?:\s+de\s+({_MONTH_WORDS}))?\b(?!\s*(?:de\s+la|a[ñn]os|d[óo]lares|%|hijos|personas))",
    _I,
)
CLOCK = re.compile(
    r"\b(despu[ée]s\s+de|antes\s+de|a|como\s+a|tipo|para)\s+las?\s+(\d{1,2}|una)"
    r"(?::(\d\d)|\s+y\s+(media|cuarto))?"
    r"(?:\s+de\s+la\s+(mañana|manana|tarde|noche)|\s*(am|pm|a\.m\.|p\.m\.))?\b",
    _I,
)
PART_OF_DAY = re.compile(
    r"\b(?:(?:por|en|de)\s+la\s+(mañana|manana|tarde|noche)|esta\s+(noche|tarde)|"
    r"(?:al|a)\s+(mediod[íi]a)|a\s+la\s+hora\s+de(?:l)?\s+(almuerzo|comida))\b",
    _I,
)
_PARTS = {
    "mañana": time(10), "manana": time(10), "tarde": time(14), "noche": time(19),
    "mediodía": time(12), "mediodia": time(12), "almuerzo": time(12), "comida": time(12),
}  # fmt: skip


def hour_from(text: str) -> time | None:
    match = CLOCK.search(text)
    if match:
        kind, hour_text, minute, fraction, part, meridiem = match.groups()
        hour = 1 if hour_text.lower() == "una" else int(hour_text)
        minute = (
            int(minute) if minute else {"media": 30, "cuarto": 15}.get((fraction or "").lower(), 0)
        )
        if hour > 23 or minute > 59:
            return None
        part = (part or "").lower()
        meridiem = (meridiem or "").replace(".", "").lower()
        if (part in {"tarde", "noche"} or meridiem == "pm") and hour < 12:
            hour += 12
        elif (part in {"mañana", "manana"} or meridiem == "am") and hour == 12:
            hour = 0
        elif not part and not meridiem and 1 <= hour <= 7:
            hour += 12  # "después de las 5" at the door means the evening
        if kind.lower().startswith("antes"):
            hour = max(hour - 2, 8)
        return time(hour, minute)
    part = PART_OF_DAY.search(text)
    if part:
        word = next(group for group in part.groups() if group)
        return _PARTS[word.lower()]
    return None


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS[word.lower()]


def day_from(text: str, today: date, *, add_months, dated) -> date | None:
    """The day asked for, or None. ``add_months`` and ``dated`` are the English rules' own
    calendar helpers (one calendar for both languages)."""
    match = IN_N.search(text)
    if match:
        count, unit = _number(match.group(1)), match.group(2).lower()
        if unit.startswith("d"):
            return today + timedelta(days=count)
        if unit.startswith("sem"):
            return today + timedelta(weeks=count)
        return add_months(today, count)
    if DAY_AFTER_TOMORROW.search(text):
        return today + timedelta(days=2)
    if TOMORROW.search(text):
        return today + timedelta(days=1)
    match = DAY_OF_MONTH.search(text)
    if match:
        kind, day, month = match.group(1).lower(), int(match.group(2)), match.group(3)
        month_number = MONTHS[month.lower()] if month else None
        if 1 <= day <= 31:
            return dated(today, month_number, day, after=kind.startswith("despu"))
    match = WEEKDAY.search(text)
    if match:
        qualifier, name = (match.group(1) or "").lower(), match.group(2)
        ahead = (WEEKDAYS[name.lower()] - today.weekday()) % 7
        if ahead == 0:
            ahead = 7
        if qualifier.startswith("despu"):
            ahead += 1
        return today + timedelta(days=ahead)
    if NEXT_WEEKEND.search(text):
        return today + timedelta(days=(5 - today.weekday()) % 7 + 7)
    if NEXT_WEEK.search(text):
        return today + timedelta(days=7 - today.weekday())
    if THIS_WEEKEND.search(text):
        ahead = (5 - today.weekday()) % 7
        return today + timedelta(days=ahead or 7)
    if TONIGHT.search(text):
        return today
    return None

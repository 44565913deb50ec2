"""The demo's call list, made through the calling services as an organizer would make it."""

from __future__ import annotations

from datetime import time

from calling.models import CallList
from calling.services import call_list_create
from conversations.models import SurveyQuestion
from organizing.models import Team, User

SCRIPT_EN = (
    "Hi {first_name}, this is {caller_name}, a volunteer with Eastside Neighbors. We're calling "
    "neighbors about the rent increases this winter. Do you have a couple of minutes?\n\n"
    "Ask the questions below, and listen: what is going on for them and their family?\n\n"
    "If they want to help: the next neighborhood meeting is Thursday at 7 at the library."
)
SCRIPT_ES = (
    "Hola {first_name}, habla {caller_name}, voluntaria de Eastside Neighbors. Estamos llamando "
    "a los vecinos por los aumentos de renta de este invierno. ¿Tiene un par de minutos?\n\n"
    "Haga las preguntas de abajo y escuche: ¿qué está pasando con usted y su familia?\n\n"
    "Si quiere ayudar: la próxima reunión de vecinos es el jueves a las 7 en la biblioteca."
)


def demo_call_list_load(*, organizer: User, team: Team) -> CallList:
    """Eastside's phone bank: everyone on the team who may be called, the support and
    meeting questions, 9 a.m. to 9 p.m. in each person's time zone, nobody called in the
    last 3 days. Do-not-call people and people without a phone stay on it, held back, so the
    organizer's queue shows why."""
    return call_list_create(
        actor=organizer,
        team=team,
        name="Eastside rent calls",
        filter_json={"team": team.pk},
        scripts={"en": SCRIPT_EN, "es": SCRIPT_ES},
        questions=SurveyQuestion.objects.filter(slug__in=["support", "meeting"]),
        calling_starts=time(9, 0),
        calling_ends=time(21, 0),
        recent_days=3,
    )

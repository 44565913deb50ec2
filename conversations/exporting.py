"""What was heard, back to the tools that sent the people: conversations as CSV or NDJSON.

One row per conversation: the supporter's id and external IDs (a column per system present),
when, channel, outcome (and its result code in another system, from a saved
``ResultCodeMapping``), who logged it, and one column per survey question answered in the
rows exported (the choice's value, or the short answer; mapped to the other system's
response ids when the mapping names the question). What was heard is not exported: it may be
sensitive, and other tools take codes, not words.

PostgreSQL writes the rows (``COPY (query) TO STDOUT``, through ``supporters.exporting``'s
chunker), so memory stays flat whatever the number of rows; free text is neutralised in the
query (``organizing.csv_safety``). Only data staff and admins export (the view's permission),
and the query starts from the visibility rule.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from django.db.models import Case, F, OuterRef, QuerySet, Subquery, TextField, Value, When
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _

from organizing.csv_safety import CsvSafeText
from supporters.exporting import JsonBuildObject, _copy_chunks
from supporters.models import ExternalId
from supporters.selectors import supporter_list

from .models import Conversation, ResultCodeMapping, SurveyQuestion, SurveyResponse

BASE_COLUMNS = [
    "conversation_id",
    "supporter_id",
    "happened_at",
    "updated_at",
    "channel",
    "outcome",
    "result_code",
    "logged_by",
]


def conversation_export_rows(
    *, viewer, updated_since: datetime | None = None, mapping: ResultCodeMapping | None = None
) -> tuple[list[str], QuerySet, set[str]]:
    """Column names, the rows (a values_list queryset in id order), and which are free text."""
    conversations = Conversation.objects.filter(supporter__in=supporter_list(viewer=viewer))
    if updated_since is not None:
        conversations = conversations.filter(updated_at__gte=updated_since)
    outcomes = (mapping.outcomes if mapping else {}) or {}
    questions_map = (mapping.questions if mapping else {}) or {}
    columns: dict[str, object] = {
        "conversation_id": F("id"),
        "supporter_id": F("supporter_id"),
        "happened_at": F("happened_at"),
        "updated_at": F("updated_at"),
        "channel": F("channel"),
        "outcome": F("outcome"),
        "result_code": Case(
            *[When(outcome=key, then=Value(str(code))) for key, code in outcomes.items()],
            default=Value(""),
            output_field=TextField(),
        ),
        "logged_by": Coalesce(F("volunteer__email"), Value("")),
    }
    text_columns = {"logged_by", "result_code"}
    systems = sorted(
        ExternalId.objects.filter(supporter__in=conversations.values("supporter_id"))
        .order_by()
        .values_list("system", flat=True)
        .distinct()
    )
    for system in systems:
        name = f"external_id_{system}"
        columns[name] = Coalesce(
            Subquery(
                ExternalId.objects.filter(supporter=OuterRef("supporter_id"), system=system).values(
                    "value"
                )[:1]
            ),
            Value(""),
        )
        text_columns.add(name)
    asked = SurveyQuestion.objects.filter(
        pk__in=SurveyResponse.objects.filter(conversation__in=conversations).values("question_id")
    ).order_by("position", "id")
    for question in asked:
        mapped = questions_map.get(question.slug) or {}
        name = f"question_{mapped['id']}" if mapped.get("id") else f"answer_{question.slug}"
        answer = SurveyResponse.objects.filter(conversation=OuterRef("pk"), question=question)
        choices = mapped.get("choices") or {}
        value = Coalesce(F("choice__value"), F("text"))
        if choices:
            value = Case(
                *[When(choice__value=key, then=Value(str(code))) for key, code in choices.items()],
                default=Coalesce(F("choice__value"), F("text")),
                output_field=TextField(),
            )
        columns[name] = Coalesce(
            Subquery(answer.annotate(answer=value).values("answer")[:1]), Value("")
        )
        text_columns.add(name)
    rows = (
        conversations.annotate(**{f"x_{name}": expression for name, expression in columns.items()})
        .order_by("id")
        .values_list(*[f"x_{name}" for name in columns])
    )
    return list(columns), rows, text_columns


def conversation_export_chunks(
    *, viewer, format: str, updated_since=None, mapping=None
) -> Iterator[bytes]:
    names, rows, text_columns = conversation_export_rows(
        viewer=viewer, updated_since=updated_since, mapping=mapping
    )
    if format == "ndjson":
        sql, params = rows.values_list(
            JsonBuildObject(**{name: F(f"x_{name}") for name in names})
        ).query.sql_with_params()
        statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
        return _copy_chunks(statement, params)
    safe = rows.annotate(
        **{
            f"s_{name}": CsvSafeText(Cast(F(f"x_{name}"), TextField()))
            if name in text_columns
            else F(f"x_{name}")
            for name in names
        }
    ).values_list(*[f"s_{name}" for name in names])
    sql, params = safe.query.sql_with_params()

    def chunks() -> Iterator[bytes]:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(names)
        yield buffer.getvalue().encode()
        yield from _copy_chunks(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params)

    return chunks()


def result_code_mapping_clean(outcomes, questions) -> dict[str, list[str]]:
    """Problems with a mapping's shape, field by field (empty when it is fine)."""
    problems: dict[str, list[str]] = {}
    if not isinstance(outcomes, dict) or not all(
        key in Conversation.Outcome.values and isinstance(code, str | int)
        for key, code in outcomes.items()
    ):
        problems["outcomes"] = [
            _("An object of Earshot outcome → their code; outcomes are %(names)s.")
            % {"names": ", ".join(Conversation.Outcome.values)}
        ]
    if not isinstance(questions, dict) or not all(
        isinstance(entry, dict)
        and set(entry) <= {"id", "choices"}
        and isinstance(entry.get("choices", {}), dict)
        for entry in questions.values()
    ):
        problems["questions"] = [
            _(
                'An object of question slug → {"id": their question id, "choices": {value: '
                "their response id}}."
            )
        ]
    elif unknown := sorted(
        set(questions) - set(SurveyQuestion.objects.values_list("slug", flat=True))
    ):
        problems["questions"] = [_("No such questions: %(names)s.") % {"names": ", ".join(unknown)}]
    return problems

"""Cursor pagination for long lists: stable under inserts, and as fast on page 1,000 as page 1."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    """``page_size`` is 1 to 500, sent once: anything else is a 400, as the schema says
    (DRF would quietly fall back to the default)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"

    def get_page_size(self, request) -> int:
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        message = _("Send one whole number from 1 to %(max)d.") % {"max": self.max_page_size}
        if len(values) > 1 or not (values[0].isascii() and values[0].isdigit()):
            raise ValidationError({self.page_size_query_param: [message]})
        size = int(values[0])
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [message]})
        return size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
        return parameters

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def people_url(query: dict, figure: str, channel: str = "") -> str:
    """The drill-down of ``figure`` in the dashboard's scope (``query``)."""
    params = {**query, "figure": figure, **({"channel": channel} if channel else {})}
    return f"{reverse('metrics:people')}?{urlencode(params)}"


@register.simple_tag
def rung_url(query: dict, level: int) -> str:
    return people_url(query, f"rung_{level}")


@register.simple_tag
def csv_url(query: dict, table: str) -> str:
    return f"{reverse('metrics:csv', args=[table])}?{urlencode(query)}"


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


@register.filter
def number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{value:,}"


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None

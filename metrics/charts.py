"""Charts as SVG drawn on the server by pygal, safe under the strict CSP: no script
(``js=[]``), and pygal's inline ``<style>`` and ``style`` attributes removed; the look is in
``static/css/metrics.css``. Every chart has its table beside it for screen readers."""

from __future__ import annotations

import math
import re

import pygal
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

_STYLE_ELEMENT = re.compile(r"<style[^>]*>.*?</style>", re.S)
# pygal writes its config as a <script> even with js=[]; nothing runs it, the CSP would refuse it.
_SCRIPT_ELEMENT = re.compile(r"<script[^>]*>.*?</script>", re.S)
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="[^"]*"')
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _config(title: str) -> dict:
    return {
        "js": [],
        "css": [],
        "title": None,
        "disable_xml_declaration": True,
        "explicit_size": False,
        "width": 400,
        "height": 250,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 2,
        "show_y_guides": True,
        "print_values": False,
        "tooltip_fancy_mode": False,
        "x_label_rotation": 0,
        "truncate_label": 8,
        "margin": 8,
        # Only the sizes matter (pygal lays the labels out by them); the look is the CSS's.
        "style": Style(label_font_size=14, major_label_font_size=14, legend_font_size=14),
    }


def _svg(chart, label: str) -> SafeString:
    text = chart.render(is_unicode=True)
    for pattern in (_SCRIPT_ELEMENT, _STYLE_ELEMENT, _STYLE_ATTRIBUTE, _COMMENT):
        text = pattern.sub("", text)
    text = text.replace("<title>Pygal</title>", "")
    # The table beside the chart is what a screen reader reads; the drawing is an image.
    text = text.replace(
        "<svg ", f'<svg role="img" aria-label="{_escape(label)}" focusable="false" ', 1
    )
    return mark_safe(text)  # noqa: S308 - pygal's markup with our escaped label


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def bars(
    label: str, x_labels: list[str], series: list[tuple[str, list[int]]], *, stacked: bool = False
) -> SafeString:
    chart = (pygal.StackedBar if stacked else pygal.Bar)(**_config(label))
    chart.x_labels = x_labels
    # Whole-number ticks: these are counts of people and conversations.
    columns = list(zip(*(values for _, values in series), strict=True)) or [(0,)]
    top = max((sum(column) if stacked else max(column)) for column in columns) or 1
    step = max(1, math.ceil(top / 5))
    chart.y_labels = list(range(0, top + step, step))
    for name, values in series:
        chart.add(str(name), values)
    return _svg(chart, label)

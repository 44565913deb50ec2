"""The form renderer every form uses (``FORM_RENDERER``): Django's, less ``maxlength``.

A browser given ``maxlength`` stops typing at the limit and cuts a paste short without a word,
so what someone said could be lost unseen. Without it, text past a field's limit reaches the
form, which refuses it with the limit and keeps what was typed ("Ensure this value has at most
200 characters (it has 230)."). The limits themselves stay on the fields.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates


def _without_maxlength(widget: dict) -> None:
    attrs = widget.get("attrs")
    if attrs and "maxlength" in attrs:
        widget["attrs"] = {name: value for name, value in attrs.items() if name != "maxlength"}
    for subwidget in widget.get("subwidgets", ()):
        _without_maxlength(subwidget)


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if isinstance(widget, dict):
            _without_maxlength(widget)
        return super().render(template_name, context, request=request)

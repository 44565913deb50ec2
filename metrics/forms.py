from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_RANGE_DAYS = 366 * 2


class MetricsQueryForm(forms.Form):
    """The scope asked for on the page, the API and the CSV: errors field by field."""

    team = forms.IntegerField(required=False, min_value=1, label=_("Team"))
    start = forms.DateField(required=False, label=_("From"))
    end = forms.DateField(required=False, label=_("To"))
    volunteer = forms.IntegerField(required=False, min_value=1, label=_("Volunteer"))
    by = forms.ChoiceField(
        required=False,
        choices=[("week", _("Week")), ("volunteer", _("Volunteer"))],
        label=_("Rows by"),
    )

    def __init__(self, data=None, **kwargs):
        if data is not None:
            data = data.copy()
            # The API's names: ?from=…&to=…
            for api_name, name in (("from", "start"), ("to", "end")):
                if api_name in data and name not in data:
                    data[name] = data[api_name]
        super().__init__(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end comes before the start."))
        elif start and end and (end - start).days > MAX_RANGE_DAYS:
            self.add_error("end", _("Pick at most two years."))
        cleaned["by"] = cleaned.get("by") or "week"
        return cleaned

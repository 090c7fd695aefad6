"""The date of birth as three labelled boxes, Month, Day and Year (docs/architecture.md "Reads and
markup"): people type the numbers they know instead of finding a year in a date picker, and each
box names what the browser may fill in (bday-month, bday-day, bday-year, WCAG 1.3.5)."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.forms.renderers import TemplatesSetting

ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")

# name suffix, visible label, autocomplete token, most digits
PARTS = (
    ("month", "Month", "bday-month", 2),
    ("day", "Day", "bday-day", 2),
    ("year", "Year", "bday-year", 4),
)


class DateOfBirthWidget(forms.MultiWidget):
    """Posts ``<name>_month``, ``<name>_day`` and ``<name>_year``; each box has its own label, and
    the field's label is the fieldset's legend."""

    template_name = "widgets/date_of_birth.html"
    use_fieldset = True

    def __init__(self, attrs=None):
        widgets = {
            suffix: forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": token, "maxlength": str(digits), "pattern": "[0-9]*"}
            )
            for suffix, _label, token, digits in PARTS
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [str(value.month), str(value.day), str(value.year)]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        parts = super().value_from_datadict(data, files, name)
        if not any(parts):
            # One ISO date under the field's own name (a script, or an older form still open) reads
            # as the three boxes.
            match = ISO_DATE.match((data.get(name) or "").strip())
            if match:
                year, month, day = match.groups()
                return [month, day, year]
        return parts

    def value_omitted_from_data(self, data, files, name):
        return super().value_omitted_from_data(data, files, name) and name not in data

    def id_for_label(self, id_, index=None):
        """No single box for the legend; the error summary links to the month box (index 0)."""
        if index is None or not id_:
            return ""
        return f"{id_}_{index}"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # crispy adds Bootstrap's "is-invalid" to every box; it is also set on the group, so the
        # error text after it shows.
        context["widget"]["invalid"] = any(
            "is-invalid" in (box["attrs"].get("class") or "") for box in context["widget"]["subwidgets"]
        )
        for subwidget, (_suffix, label, _token, digits) in zip(context["widget"]["subwidgets"], PARTS, strict=True):
            subwidget["label"] = label
            subwidget["digits"] = digits
        return context

    def _render(self, template_name, context, renderer=None):
        # The template lives with the project's templates (templates/widgets/), which Django's
        # default form renderer does not search.
        return super()._render(template_name, context, TemplatesSetting())

"""The superbill request: which dates it covers."""

from __future__ import annotations

import datetime as dt

from django import forms


class SuperbillForm(forms.Form):
    # The errors are shown as messages above the page, away from their field: each names its date.
    period_start = forms.DateField(
        label="From",
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}),
        error_messages={
            "required": "Choose the first day of the period.",
            "invalid": "Enter the first day of the period as a date, like 2026-01-31.",
        },
    )
    period_end = forms.DateField(
        label="To",
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}),
        error_messages={
            "required": "Choose the last day of the period.",
            "invalid": "Enter the last day of the period as a date, like 2026-01-31.",
        },
    )

    @classmethod
    def for_year_to_date(cls, today: dt.date) -> SuperbillForm:
        return cls(initial={"period_start": today.replace(month=1, day=1), "period_end": today})

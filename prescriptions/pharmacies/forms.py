"""Forms of the pharmacy choice and the pharmacy's order actions: field validation only."""

from __future__ import annotations

from django import forms

from prescriptions.models import Pharmacy


class PharmacyChoiceForm(forms.Form):
    pharmacy = forms.ModelChoiceField(
        label="Preferred compounding pharmacy",
        queryset=Pharmacy.objects.none(),
        required=False,
        empty_label="No preference: let the practice choose",
        widget=forms.RadioSelect,
        # Without blank=True a radio list drops the "no preference" choice.
        blank=True,
    )

    def __init__(self, *args, pharmacies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pharmacy"].queryset = pharmacies if pharmacies is not None else Pharmacy.objects.none()


class PharmacyActionForm(forms.Form):
    to = forms.ChoiceField(choices=[])
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    carrier = forms.CharField(label="Carrier", required=False, max_length=64)
    tracking_number = forms.CharField(label="Tracking number", required=False, max_length=64)

    def __init__(self, *args, statuses: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = statuses
